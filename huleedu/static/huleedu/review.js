/* The review page: live essays, decisions, the roster picker and keyboard review.
 *
 * The server renders the page and, on request, its live part (/batches/{id}/review/live/).
 * Whenever the batch changes (a socket event, or a reconnect that finds missed events) the
 * page fetches that fragment and swaps in the summary and each essay whose fingerprint
 * changed, keeping the teacher's place and focus.
 */
(function () {
  "use strict";
  const root = document.getElementById("review");
  if (!root) return;
  const { api, errorMessage, connect, fetchDocument, serialized } = window.HuleLive;
  const batchId = root.dataset.batchId;
  const roster = JSON.parse(document.getElementById("roster-data").textContent);
  const announcer = root.querySelector("[data-announce]");
  const liveState = root.querySelector("[data-live-state]");
  let lastSequence = Number(document.getElementById("review-summary").dataset.lastSequence || 0);
  let currentEssayId = null;

  // --- reading the page again from the server ---------------------------------------------

  const refresh = serialized(async () => {
    const fresh = await fetchDocument(root.dataset.liveUrl);
    const summary = fresh.getElementById("review-summary");
    lastSequence = Math.max(lastSequence, Number(summary.dataset.lastSequence || 0));
    document.getElementById("review-summary").replaceWith(document.adoptNode(summary));
    swapActions(fresh.getElementById("review-actions"));
    swapEssays(fresh.getElementById("review-essays"));
  });

  // The actions hold a form the teacher may be typing in: swapped only when they change.
  function swapActions(fresh) {
    const actions = document.getElementById("review-actions");
    if (!fresh || !actions || actions.dataset.fingerprint === fresh.dataset.fingerprint) return;
    actions.replaceWith(document.adoptNode(fresh));
    showDeadline();
  }

  /** The deadline in the browser's own time zone, as a datetime-local input wants it. */
  function showDeadline() {
    const input = document.querySelector("[data-deadline-input]");
    if (!input || !input.dataset.current) return;
    const deadline = new Date(input.dataset.current);
    if (Number.isNaN(deadline.getTime())) return;
    const local = new Date(deadline.getTime() - deadline.getTimezoneOffset() * 60000);
    input.value = local.toISOString().slice(0, 16);
  }

  function swapEssays(freshList) {
    const list = document.getElementById("review-essays");
    const existing = new Map([...list.children].map((el) => [el.dataset.essayId, el]));
    let previous = null;
    for (const fresh of [...freshList.children]) {
      const id = fresh.dataset.essayId;
      let node = existing.get(id);
      existing.delete(id);
      if (!node) {
        node = document.adoptNode(fresh);
        if (previous) previous.after(node);
        else list.prepend(node);
      } else if (node.dataset.fingerprint !== fresh.dataset.fingerprint) {
        const hadFocus = node.contains(document.activeElement);
        const replacement = document.adoptNode(fresh);
        node.replaceWith(replacement);
        node = replacement;
        if (id === currentEssayId) select(node, { focus: hadFocus, scroll: false });
      }
      previous = node;
    }
    for (const gone of existing.values()) gone.remove();
  }

  // --- live channel -------------------------------------------------------------------------

  const eventTexts = {
    "batch.author.matches.suggested": root.dataset.textSuggestionsReady,
    "batch.essays.ready": root.dataset.textBatchReady,
  };

  async function catchUp() {
    const result = await api("GET", root.dataset.eventsUrl + "?after=" + lastSequence);
    if (result.ok && Array.isArray(result.data) && result.data.length) {
      lastSequence = Math.max(lastSequence, ...result.data.map((event) => event.sequence));
      refresh();
    }
  }

  connect({
    onOpen: catchUp,
    onEvent: (message) => {
      if (message.batch_id !== batchId) return;
      lastSequence = Math.max(lastSequence, message.sequence);
      if (eventTexts[message.event_type]) announce(eventTexts[message.event_type]);
      refresh();
    },
    onState: (state) => {
      liveState.dataset.liveState = state;
      liveState.textContent = state === "live" ? root.dataset.textLive : root.dataset.textOffline;
    },
  });

  function announce(message, isError) {
    announcer.textContent = message;
    announcer.classList.toggle("error", Boolean(isError));
  }

  // --- decisions ----------------------------------------------------------------------------

  /** A pending essay that can be decided, or a decided one whose "Change" is open. */
  function canDecide(essay) {
    if (!essay || !essay.querySelector("[data-decide]")) return false;
    return essay.dataset.decision === "pending" || essay.classList.contains("changing");
  }

  function errorCode(result) {
    const error = result && result.data && result.data.error;
    return error ? error.code : null;
  }

  async function decide(essay, studentId, { allowSecondEssay = false } = {}) {
    if (!essay || !root.dataset.decideUrl) return;
    const url = root.dataset.decideUrl.replace("__essay__", essay.dataset.essayId);
    const body = { student_id: studentId || null };
    // A decided essay is changed with the version this page shows: if someone (another tab,
    // the deadline) changed it meanwhile, the server refuses instead of overwriting.
    const correcting = essay.dataset.decision === "decided";
    if (correcting) body.expected_version = Number(essay.dataset.version);
    if (allowSecondEssay) body.allow_second_essay = true;
    essay.classList.add("busy");
    const result = await api("PUT", url, body);
    essay.classList.remove("busy");
    hideSecondEssayQuestion(essay);
    const code = errorCode(result);
    if (result.ok) {
      announce(root.dataset.textDecided);
      essay.classList.remove("changing");
      const pending = (el) => el !== essay && el.dataset.decision === "pending";
      const next = correcting ? null : nextEssay(essay, 1, pending) || nextEssay(null, 1, pending);
      if (next && essay.dataset.essayId === currentEssayId) select(next);
    } else if (code === "stale_decision" || code === "already_decided" || code === "decided_by_timeout") {
      announce(root.dataset.textStale, true);
    } else if (code === "student_already_attributed") {
      askAboutSecondEssay(essay, studentId, result.data.error.details || {});
    } else {
      announce(root.dataset.textFailed + " " + errorMessage(result), true);
    }
    await refresh();
  }

  // --- one student, two essays: only when the teacher says so -------------------------------

  function askAboutSecondEssay(essay, studentId, details) {
    const box = essay.querySelector("[data-second-essay]");
    if (!box) return;
    const other = details.essay_id ? document.querySelector(`[data-essay-id="${details.essay_id}"]`) : null;
    const otherName = other ? other.querySelector(".filename").textContent : details.essay_id || "";
    const text = document.createElement("p");
    text.append(root.dataset.textAlreadyAttributed + " ");
    const link = document.createElement("a");
    link.href = "#essay-" + (details.essay_id || "");
    link.textContent = otherName;
    link.dataset.otherEssayId = details.essay_id || "";
    text.append(link, ".");
    const yes = document.createElement("button");
    yes.type = "button";
    yes.dataset.secondEssayYes = studentId || "";
    yes.textContent = root.dataset.textBoth;
    const no = document.createElement("button");
    no.type = "button";
    no.dataset.secondEssayNo = "";
    no.textContent = root.dataset.textKeep;
    box.replaceChildren(text, yes, " ", no);
    box.hidden = false;
    yes.focus();
  }

  function hideSecondEssayQuestion(essay) {
    const box = essay.querySelector("[data-second-essay]");
    if (box) {
      box.hidden = true;
      box.replaceChildren();
    }
  }

  function toggleChange(essay, open) {
    essay.classList.toggle("changing", open);
    const button = essay.querySelector("[data-change]");
    if (button) button.setAttribute("aria-expanded", String(open));
    if (!open) hideSecondEssayQuestion(essay);
    const input = essay.querySelector("[data-picker-input]");
    if (open && input) input.focus();
  }

  // --- the batch's actions -------------------------------------------------------------------

  async function batchAction(button, method, url, body, doneText) {
    button.disabled = true;
    const result = await api(method, url, body);
    button.disabled = false;
    if (result.ok) announce(doneText);
    else announce(root.dataset.textFailed + " " + errorMessage(result), true);
    await refresh();
    return result;
  }

  async function moveDeadline(form) {
    const input = form.querySelector("[data-deadline-input]");
    const errorBox = form.querySelector("[data-deadline-error]");
    const when = new Date(input.value); // datetime-local: the browser's own time zone
    errorBox.hidden = true;
    if (!input.value || Number.isNaN(when.getTime())) {
      input.reportValidity();
      return;
    }
    const result = await api("PATCH", root.dataset.batchApiUrl, { validation_deadline: when.toISOString() });
    if (result.ok) {
      announce(root.dataset.textDeadlineMoved);
      await refresh();
    } else {
      errorBox.textContent = errorMessage(result);
      errorBox.hidden = false;
    }
  }

  async function deleteBatch(button) {
    if (!window.confirm(root.dataset.textConfirmDelete)) return;
    button.disabled = true;
    const result = await api("DELETE", root.dataset.batchApiUrl);
    if (result.ok) {
      window.location.assign(root.dataset.dashboardUrl);
    } else {
      button.disabled = false;
      announce(root.dataset.textFailed + " " + errorMessage(result), true);
    }
  }

  async function acceptHighConfidence(button) {
    button.disabled = true;
    const result = await api("POST", root.dataset.confirmUrl, { accept: "high_confidence" });
    if (!result.ok) {
      announce(root.dataset.textFailed + " " + errorMessage(result), true);
    } else if (result.data && result.data.skipped && result.data.skipped.length) {
      // Accept-all never gives a student a second essay: say which essays it left to the teacher.
      const names = result.data.skipped.map((skip) => {
        const card = document.querySelector(`[data-essay-id="${skip.essay_id}"] .filename`);
        return card ? card.textContent : skip.essay_id;
      });
      announce(root.dataset.textSkipped + " " + names.join(", "), true);
    }
    await refresh();
  }

  // --- moving through the essays ------------------------------------------------------------

  function essays() {
    return [...document.querySelectorAll("#review-essays > [data-essay-id]")];
  }

  function currentEssay() {
    return currentEssayId ? document.querySelector(`[data-essay-id="${currentEssayId}"]`) : null;
  }

  function nextEssay(from, step, accept = () => true) {
    const all = essays();
    let index = from ? all.indexOf(from) : step > 0 ? -1 : all.length;
    for (index += step; index >= 0 && index < all.length; index += step) {
      if (accept(all[index])) return all[index];
    }
    return null;
  }

  function select(essay, { focus = true, scroll = true } = {}) {
    for (const el of document.querySelectorAll("#review-essays > .current")) el.classList.remove("current");
    if (!essay) return;
    essay.classList.add("current");
    currentEssayId = essay.dataset.essayId;
    if (focus) essay.focus({ preventScroll: true });
    if (scroll) essay.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const target = nextEssay(currentEssay(), step);
    if (target) select(target);
  }

  // --- the roster picker --------------------------------------------------------------------

  const fold = (value) => (value || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const searchable = roster.map((student) => ({ ...student, haystack: fold(student.name + " " + student.email) }));

  function showMatches(input) {
    const results = input.closest(".picker").querySelector("[data-picker-results]");
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    const matches = searchable.filter((s) => words.every((word) => s.haystack.includes(word))).slice(0, 8);
    results.replaceChildren();
    if (!matches.length) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = root.dataset.textNoResults;
      results.append(empty);
    }
    matches.forEach((student, index) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.decide = student.id;
      button.dataset.pickerOption = "";
      if (index === 0) button.classList.add("active");
      const name = document.createElement("strong");
      name.textContent = student.name;
      const email = document.createElement("span");
      email.className = "muted";
      email.textContent = student.email ? " " + student.email : "";
      button.append(name, email);
      item.append(button);
      results.append(item);
    });
    results.hidden = false;
  }

  function hideMatches(input) {
    const results = input.closest(".picker").querySelector("[data-picker-results]");
    results.hidden = true;
  }

  function pickerKeys(event, input) {
    const options = [...input.closest(".picker").querySelectorAll("[data-picker-option]")];
    const active = options.findIndex((option) => option.classList.contains("active"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!options.length) return;
      const next = (active + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
      options.forEach((option, index) => option.classList.toggle("active", index === next));
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0) decide(input.closest("[data-essay-id]"), options[active].dataset.decide);
    } else if (event.key === "Escape") {
      event.preventDefault();
      hideMatches(input);
      input.value = "";
      select(input.closest("[data-essay-id]"));
    }
  }

  // --- wiring (delegated: the live swaps replace elements) ----------------------------------

  document.addEventListener("click", (event) => {
    const acceptAll = event.target.closest("[data-accept-high]");
    if (acceptAll) return acceptHighConfidence(acceptAll);
    const change = event.target.closest("[data-change], [data-change-cancel]");
    if (change) {
      const essay = change.closest("[data-essay-id]");
      select(essay, { focus: false, scroll: false });
      return toggleChange(essay, change.matches("[data-change]") && !essay.classList.contains("changing"));
    }
    const yes = event.target.closest("[data-second-essay-yes]");
    if (yes) return decide(yes.closest("[data-essay-id]"), yes.dataset.secondEssayYes, { allowSecondEssay: true });
    const no = event.target.closest("[data-second-essay-no]");
    if (no) return hideSecondEssayQuestion(no.closest("[data-essay-id]"));
    const action = event.target.closest(
      "[data-rematch], [data-send-for-assessment], [data-cancel-batch], [data-delete-batch]");
    if (action) {
      const data = root.dataset;
      if (action.matches("[data-rematch]")) return batchAction(action, "POST", data.rematchUrl, undefined, data.textRematchStarted);
      if (action.matches("[data-send-for-assessment]")) {
        return batchAction(action, "POST", data.pipelineUrl, { pipeline: data.pipeline.split(",") }, data.textSent);
      }
      if (action.matches("[data-cancel-batch]")) {
        if (!window.confirm(data.textConfirmCancel)) return;
        return batchAction(action, "POST", data.cancelUrl, undefined, data.textCancelled);
      }
      return deleteBatch(action);
    }
    const decision = event.target.closest("[data-decide]");
    if (decision) {
      const essay = decision.closest("[data-essay-id]");
      select(essay, { focus: false, scroll: false });
      return decide(essay, decision.dataset.decide);
    }
    const essay = event.target.closest("#review-essays > [data-essay-id]");
    if (essay && !event.target.closest("input, summary, a")) select(essay, { scroll: false });
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-deadline-form]");
    if (!form) return;
    event.preventDefault();
    moveDeadline(form);
  });

  // Clicking a picker result must not take the focus from the input (and close the list) first.
  document.addEventListener("mousedown", (event) => {
    if (event.target.closest("[data-picker-results]")) event.preventDefault();
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches("[data-picker-input]")) showMatches(event.target);
  });
  document.addEventListener("focusin", (event) => {
    if (!event.target.matches("[data-picker-input]")) return;
    select(event.target.closest("[data-essay-id]"), { focus: false, scroll: false });
    showMatches(event.target);
  });
  document.addEventListener("focusout", (event) => {
    if (!event.target.matches("[data-picker-input]")) return;
    const picker = event.target.closest(".picker");
    if (!picker.contains(event.relatedTarget)) hideMatches(event.target);
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.matches("[data-picker-input]")) return pickerKeys(event, event.target);
    if (event.target.closest("input, textarea, select")) return;
    const essay = currentEssay();
    switch (event.key) {
      case "j":
      case "ArrowDown":
        event.preventDefault();
        move(1);
        break;
      case "k":
      case "ArrowUp":
        event.preventDefault();
        move(-1);
        break;
      case "a": {
        const top = essay && essay.dataset.suggestedStudentId;
        if (top && canDecide(essay)) decide(essay, top);
        break;
      }
      case "n":
        if (canDecide(essay)) decide(essay, null);
        break;
      case "p": {
        const input = essay && essay.querySelector("[data-picker-input]");
        if (input && essay.dataset.decision === "decided" && !essay.classList.contains("changing")) {
          event.preventDefault();
          toggleChange(essay, true);
        } else if (input) {
          event.preventDefault();
          input.focus();
        }
        break;
      }
      default:
        return;
    }
  });

  showDeadline();
  select(nextEssay(null, 1, (el) => el.dataset.decision === "pending") || essays()[0] || null, {
    focus: false,
    scroll: false,
  });
})();
