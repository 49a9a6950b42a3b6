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
  const toasts = root.querySelector("[data-toasts]");
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

  // --- decisions: queued, one at a time, each with a toast and an undo -----------------------
  //
  // A key or click decides the essay selected *when it is pressed*. Its request joins a queue
  // that runs one request at a time, so quick presses are never dropped and land in order; the
  // selection moves on at once, so the next press acts on the next essay.

  const queue = [];
  let draining = false;

  function cardOf(essayId) {
    return document.querySelector(`#review-essays > [data-essay-id="${essayId}"]`);
  }

  function isQueued(essay) {
    return Boolean(essay && essay.classList.contains("queued"));
  }

  /** A pending essay that can be decided, or a decided one whose "Change" is open. */
  function canDecide(essay) {
    if (!essay || isQueued(essay) || !essay.querySelector("[data-decide]")) return false;
    return essay.dataset.decision === "pending" || essay.classList.contains("changing");
  }

  function errorCode(result) {
    const error = result && result.data && result.data.error;
    return error ? error.code : null;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
  }

  function filenameOf(essay) {
    const name = essay && essay.querySelector(".filename");
    return name ? name.textContent.trim() : "";
  }

  function studentName(studentId) {
    if (!studentId) return root.dataset.textNoStudent;
    const known = roster.find((student) => student.id === studentId);
    return known ? known.name : studentId;
  }

  function enqueue(essay, job) {
    essay.classList.add("queued");
    queue.push({ essayId: essay.dataset.essayId, job });
    drain();
  }

  async function drain() {
    if (draining) return;
    draining = true;
    while (queue.length) {
      const { essayId, job } = queue.shift();
      try {
        await job();
      } catch (error) {
        announce(root.dataset.textFailed + " " + String(error), true);
      }
      const card = cardOf(essayId);
      if (card) card.classList.remove("queued");
    }
    draining = false;
    await refresh();
  }

  /** The decision as this page last knew it: what an undo goes back to. */
  function decisionOf(essay) {
    const badge = essay.querySelector("[data-decided-student-id]");
    const decided = essay.dataset.decision === "decided";
    return { decided, studentId: decided && badge ? badge.dataset.decidedStudentId || null : null };
  }

  function decide(essay, studentId, { allowSecondEssay = false } = {}) {
    if (!essay || !root.dataset.decideUrl || isQueued(essay)) return;
    const essayId = essay.dataset.essayId;
    const correcting = essay.dataset.decision === "decided";
    const before = decisionOf(essay);
    const filename = filenameOf(essay);
    if (!correcting && essayId === currentEssayId) {
      const pending = (el) => el !== essay && el.dataset.decision === "pending" && !isQueued(el) && shown(el);
      const next = nextEssay(essay, 1, pending) || nextEssay(null, 1, pending);
      if (next) select(next);
    }
    enqueue(essay, async () => {
      const card = cardOf(essayId) || essay;
      const body = { student_id: studentId || null };
      // A decided essay is changed with the version this page shows: if someone (another tab,
      // the deadline) changed it meanwhile, the server refuses instead of overwriting.
      if (correcting) body.expected_version = Number(card.dataset.version);
      if (allowSecondEssay) body.allow_second_essay = true;
      const result = await api("PUT", root.dataset.decideUrl.replace("__essay__", essayId), body);
      hideSecondEssayQuestion(card);
      const code = errorCode(result);
      if (result.ok) {
        card.classList.remove("changing");
        card.dataset.version = String(result.data.version);
        card.dataset.decision = "decided";
        decidedToast(essayId, filename, result.data, before);
      } else if (code === "stale_decision" || code === "already_decided" || code === "decided_by_timeout") {
        announce(root.dataset.textStale, true);
      } else if (code === "student_already_attributed") {
        askAboutSecondEssay(card, studentId, result.data.error.details || {});
      } else {
        announce(root.dataset.textFailed + " " + errorMessage(result), true);
      }
    });
  }

  // --- toasts and undo -----------------------------------------------------------------------

  const TOAST_SECONDS = 8;

  function toast(text, undo) {
    const box = document.createElement("div");
    box.className = "toast";
    const label = document.createElement("span");
    label.textContent = text;
    box.append(label);
    if (undo) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.undo = "";
      button.textContent = root.dataset.textUndo;
      button.setAttribute("aria-label", root.dataset.textUndo + ": " + text);
      button.addEventListener("click", () => {
        box.remove();
        undo();
      });
      box.append(button);
    }
    toasts.append(box);
    setTimeout(() => box.remove(), TOAST_SECONDS * 1000);
  }

  function decidedToast(essayId, filename, decision, before) {
    const text = format(root.dataset.textDecidedFor, { essay: filename, student: studentName(decision.student_id) });
    toast(text, () => undoDecision(essayId, filename, decision.version, before));
  }

  /** Undo is a versioned correction back to what was there before (or, for a first decision,
   * its withdrawal): it fails, and says so, if the decision changed meanwhile. */
  function undoDecision(essayId, filename, version, before) {
    const card = cardOf(essayId);
    if (!card) return;
    enqueue(card, async () => {
      const base = root.dataset.decideUrl.replace("__essay__", essayId);
      const result = before.decided
        ? await api("PUT", base, { student_id: before.studentId, expected_version: version })
        : await api("DELETE", base + "?expected_version=" + version);
      if (result.ok) {
        const back = before.decided ? studentName(before.studentId) : root.dataset.textUndecided;
        toast(format(root.dataset.textUndone, { essay: filename, student: back }));
        const updated = cardOf(essayId);
        if (updated) updated.dataset.version = String(result.data.version);
        if (updated && !before.decided) select(updated);
      } else if (errorCode(result) === "stale_decision") {
        announce(root.dataset.textStale, true);
      } else if (errorCode(result) === "student_already_attributed") {
        askAboutSecondEssay(card, before.studentId, result.data.error.details || {});
      } else {
        announce(root.dataset.textFailed + " " + errorMessage(result), true);
      }
    });
  }

  // --- a name the essay declares that is not on the roster ----------------------------------

  async function addToRoster(button) {
    button.disabled = true;
    const body = { first_name: button.dataset.firstName, last_name: button.dataset.lastName };
    const result = await api("POST", root.dataset.rosterStudentUrl, body);
    if (result.ok) {
      roster.push(pickerEntry({ id: result.data.student_id, name: result.data.full_name,
        first: result.data.first_name, last: result.data.last_name, email: result.data.email || "", aliases: [] }));
      toast(format(root.dataset.textAddedToRoster, { student: result.data.full_name }));
    } else {
      button.disabled = false;
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
    if (result.ok && result.data && result.data.decided) {
      toast(format(root.dataset.textAcceptedAll, { count: result.data.decided }));
    }
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
    return currentEssayId ? cardOf(currentEssayId) : null;
  }

  /** Not hidden by the "needs me" filter. */
  function shown(essay) {
    return essay.offsetParent !== null || essay.getClientRects().length > 0;
  }

  /** On screen now: a key never acts on an essay the teacher cannot see. */
  function inView(essay) {
    if (!shown(essay)) return false;
    const box = essay.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  function nextEssay(from, step, accept = shown) {
    const all = essays();
    let index = from ? all.indexOf(from) : step > 0 ? -1 : all.length;
    for (index += step; index >= 0 && index < all.length; index += step) {
      if (accept(all[index])) return all[index];
    }
    return null;
  }

  function select(essay, { focus = true, scroll = true } = {}) {
    for (const el of document.querySelectorAll("#review-essays > .current")) {
      el.classList.remove("current");
      el.removeAttribute("aria-current");
    }
    if (!essay) return;
    essay.classList.add("current");
    essay.setAttribute("aria-current", "true");
    currentEssayId = essay.dataset.essayId;
    if (focus) essay.focus({ preventScroll: true });
    if (scroll) essay.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const target = nextEssay(currentEssay(), step);
    if (target) select(target);
  }

  function nextUndecided() {
    const pending = (el) => el.dataset.decision === "pending" && !isQueued(el) && shown(el);
    const target = nextEssay(currentEssay(), 1, pending) || nextEssay(null, 1, pending);
    if (target) select(target);
  }

  /** The essay a key acts on: the selected one, and only while it is in view. */
  function essayForKey() {
    const essay = currentEssay();
    if (!essay) return null;
    if (!inView(essay)) {
      select(essay);
      announce(root.dataset.textNotVisible);
      return null;
    }
    return essay;
  }

  // --- the roster picker --------------------------------------------------------------------
  //
  // Swedish collation: å, ä and ö are letters of their own (æ and ø read as ä and ö), other
  // accents fold away (é → e). A query is matched strictly first; only when nothing matches
  // strictly is it matched with å, ä → a and ö → o (typing "oberg" finds Öberg, but "ö" never
  // finds an "o" while some name has an "ö"). Prefixes of a first or last name rank first, then
  // the engine's nicknames (kalle → Karl), then names containing the query, then e-mails.

  const collator = new Intl.Collator("sv", { sensitivity: "base" });
  const svFold = (value) =>
    (value || "").normalize("NFC").toLowerCase().replace(/æ/g, "ä").replace(/ø/g, "ö")
      .replace(/[^åäö]/g, (ch) => ch.normalize("NFD").replace(/[\u0300-\u036f]/g, ""));
  const looseFold = (value) => svFold(value).replace(/[åä]/g, "a").replace(/ö/g, "o");
  const words = (value) => (value || "").split(/[\s\-]+/).filter(Boolean);

  function pickerEntry(student) {
    return { ...student, nameWords: [...words(student.first), ...words(student.last)], aliases: student.aliases || [] };
  }
  roster.forEach((student, index) => (roster[index] = pickerEntry(student)));

  /** 0 prefix of a name, 1 nickname, 2 inside a name, 3 in the e-mail; null: no match. */
  function wordRank(student, query, fold) {
    const names = student.nameWords.map(fold);
    if (names.some((name) => name.startsWith(query))) return 0;
    if (student.aliases.some((alias) => alias.startsWith(looseFold(query)))) return 1;
    if (names.some((name) => name.includes(query))) return 2;
    if (fold(student.email).includes(query)) return 3;
    return null;
  }

  function search(text, fold) {
    const query = words(fold(text));
    const ranked = [];
    for (const student of roster) {
      const ranks = query.map((word) => wordRank(student, word, fold));
      if (ranks.some((rank) => rank === null)) continue;
      ranked.push({ student, rank: Math.max(0, ...ranks) });
    }
    return ranked.sort((a, b) => a.rank - b.rank || collator.compare(a.student.name, b.student.name))
      .map((entry) => entry.student);
  }

  function pickerMatches(text) {
    const strict = search(text, svFold);
    return strict.length ? strict : search(text, looseFold);
  }

  function showMatches(input) {
    const results = input.closest(".picker").querySelector("[data-picker-results]");
    const matches = pickerMatches(input.value).slice(0, 8);
    results.replaceChildren();
    if (!matches.length) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = root.dataset.textNoResults;
      results.append(empty);
    }
    const filename = filenameOf(input.closest("[data-essay-id]"));
    matches.forEach((student, index) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.decide = student.id;
      button.dataset.studentName = student.name;
      button.dataset.pickerOption = "";
      button.setAttribute("aria-label", student.name + " — " + filename);
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
      if (active >= 0) {
        const essay = input.closest("[data-essay-id]");
        select(essay, { focus: false, scroll: false });
        decide(essay, options[active].dataset.decide);
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      hideMatches(input);
      input.value = "";
      select(input.closest("[data-essay-id]"));
    }
  }

  // --- whole text, filter, shortcuts switch --------------------------------------------------

  async function showWholeText(button) {
    button.disabled = true;
    try {
      const fresh = await fetchDocument(button.dataset.wholeText);
      const body = fresh.querySelector("[data-whole-text-body]");
      const preview = button.closest("details").querySelector("[data-text-preview]");
      preview.replaceWith(document.adoptNode(body));
      button.remove();
    } catch (error) {
      button.disabled = false;
      announce(root.dataset.textFailed + " " + String(error), true);
    }
  }

  const SHORTCUTS_KEY = "huleedu.review.shortcuts";
  const shortcutsSwitch = root.querySelector("[data-shortcuts-switch]");
  let shortcutsOn = window.localStorage.getItem(SHORTCUTS_KEY) !== "off";

  function setShortcuts(on) {
    shortcutsOn = on;
    shortcutsSwitch.checked = on;
    root.classList.toggle("keys-off", !on);
    window.localStorage.setItem(SHORTCUTS_KEY, on ? "on" : "off");
  }

  function toggleNeedsMe(button) {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(on));
    document.getElementById("review-essays").classList.toggle("needs-me-only", on);
    const current = currentEssay();
    if (on && current && !shown(current)) nextUndecided();
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
    const add = event.target.closest("[data-add-to-roster]");
    if (add) return addToRoster(add);
    const whole = event.target.closest("[data-whole-text]");
    if (whole) return showWholeText(whole);
    const filter = event.target.closest("[data-needs-me-filter]");
    if (filter) return toggleNeedsMe(filter);
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
    // A link to an essay ("Students claimed by more than one essay", the READY lists): the
    // selection goes where the page goes, so the next key acts on the essay in view.
    const link = event.target.closest('a[href^="#essay-"]');
    if (link) {
      const target = document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        select(target, { scroll: false });
        target.scrollIntoView({ block: "start" });
        history.replaceState(null, "", link.getAttribute("href"));
      }
      return;
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

  shortcutsSwitch.addEventListener("change", () => setShortcuts(shortcutsSwitch.checked));

  // Clicking a picker result must not take the focus from the input (and close the list) first.
  document.addEventListener("mousedown", (event) => {
    if (event.target.closest("[data-picker-results]")) event.preventDefault();
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches("[data-picker-input]")) showMatches(event.target);
  });
  document.addEventListener("focusin", (event) => {
    // Selection follows the focus too (Tab into an essay's buttons, the picker, a link).
    const essay = event.target.closest("#review-essays > [data-essay-id]");
    if (essay && essay.dataset.essayId !== currentEssayId) select(essay, { focus: false, scroll: false });
    if (event.target.matches("[data-picker-input]")) showMatches(event.target);
  });
  document.addEventListener("focusout", (event) => {
    if (!event.target.matches("[data-picker-input]")) return;
    const picker = event.target.closest(".picker");
    if (!picker.contains(event.relatedTarget)) hideMatches(event.target);
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.matches("[data-picker-input]")) return pickerKeys(event, event.target);
    // Single-letter shortcuts can be switched off (WCAG 2.1.4), and never fire while typing.
    if (!shortcutsOn || event.target.closest("input, textarea, select")) return;
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
      case "u":
        event.preventDefault();
        nextUndecided();
        break;
      case "a": {
        const essay = essayForKey();
        const top = essay && essay.dataset.suggestedStudentId;
        if (top && canDecide(essay)) decide(essay, top);
        break;
      }
      case "n": {
        const essay = essayForKey();
        if (canDecide(essay)) decide(essay, null);
        break;
      }
      case "p": {
        const essay = essayForKey();
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

  window.addEventListener("hashchange", () => {
    const target = location.hash.startsWith("#essay-") ? document.getElementById(location.hash.slice(1)) : null;
    if (target) select(target, { scroll: false });
  });

  setShortcuts(shortcutsOn);
  showDeadline();
  const fromLink = location.hash.startsWith("#essay-") ? document.getElementById(location.hash.slice(1)) : null;
  select(fromLink || nextEssay(null, 1, (el) => el.dataset.decision === "pending") || essays()[0] || null, {
    focus: false,
    scroll: false,
  });
})();
