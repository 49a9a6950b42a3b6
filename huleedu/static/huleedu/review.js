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
    swapEssays(fresh.getElementById("review-essays"));
  });

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

  async function decide(essay, studentId) {
    if (!essay || !root.dataset.decideUrl) return;
    const url = root.dataset.decideUrl.replace("__essay__", essay.dataset.essayId);
    essay.classList.add("busy");
    const result = await api("PUT", url, { student_id: studentId || null });
    essay.classList.remove("busy");
    if (!result.ok) {
      announce(root.dataset.textFailed + " " + errorMessage(result), true);
    } else {
      announce(root.dataset.textDecided);
      const pending = (el) => el !== essay && el.dataset.decision === "pending";
      const next = nextEssay(essay, 1, pending) || nextEssay(null, 1, pending);
      if (next && essay.dataset.essayId === currentEssayId) select(next);
    }
    await refresh();
  }

  async function acceptHighConfidence(button) {
    button.disabled = true;
    const result = await api("POST", root.dataset.confirmUrl, { accept: "high_confidence" });
    if (!result.ok) announce(root.dataset.textFailed + " " + errorMessage(result), true);
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
    const decision = event.target.closest("[data-decide]");
    if (decision) {
      const essay = decision.closest("[data-essay-id]");
      select(essay, { focus: false, scroll: false });
      return decide(essay, decision.dataset.decide);
    }
    const essay = event.target.closest("#review-essays > [data-essay-id]");
    if (essay && !event.target.closest("input, summary, a")) select(essay, { scroll: false });
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
        if (top && essay.querySelector("[data-decide]")) decide(essay, top);
        break;
      }
      case "n":
        if (essay && essay.querySelector("[data-decide]")) decide(essay, null);
        break;
      case "p": {
        const input = essay && essay.querySelector("[data-picker-input]");
        if (input) {
          event.preventDefault();
          input.focus();
        }
        break;
      }
      default:
        return;
    }
  });

  select(nextEssay(null, 1, (el) => el.dataset.decision === "pending") || essays()[0] || null, {
    focus: false,
    scroll: false,
  });
})();
