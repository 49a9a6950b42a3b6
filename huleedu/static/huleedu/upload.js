/* The upload page: many files by drag-and-drop or picker, one XHR per selection with a
 * progress bar, and the server's per-file results listed as they come back. */
(function () {
  "use strict";
  const root = document.getElementById("upload");
  if (!root) return;
  const { api, errorMessage, connect, csrfToken } = window.HuleLive;
  const text = root.dataset;
  const input = root.querySelector("[data-file-input]");
  const dropzone = root.querySelector("[data-dropzone]");
  const progress = root.querySelector("[data-progress]");
  const bar = root.querySelector("[data-progress-bar]");
  const progressText = root.querySelector("[data-progress-text]");
  const errorBox = root.querySelector("[data-upload-error]");
  const resultsBody = root.querySelector("[data-upload-results]");
  const replaceInput = root.querySelector("[data-replace-input]");
  const labels = JSON.parse(document.getElementById("upload-labels").textContent);
  const addLate = root.querySelector("[data-add-late]");
  let queue = Promise.resolve();
  let replacing = null; // the essay whose new file the teacher is choosing
  // The states that take uploads, from the server's state machine (batches.models).
  const OPEN = text.uploadableStatuses.split(" ");
  let shownStatus = root.querySelector("[data-batch-status]").dataset.batchStatus;
  // Once the last expected essay arrived on this page, the drop zone steps aside: more files
  // would be late essays, added only when the teacher asks for it.
  let dropzoneFolded = false;

  function idempotencyKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function showStatus(status) {
    if (shownStatus === "AWAITING_CONTENT" && status !== "AWAITING_CONTENT") dropzoneFolded = true;
    shownStatus = status;
    for (const el of root.querySelectorAll("[data-batch-status]")) {
      el.dataset.batchStatus = status;
      el.className = "status status-" + status.toLowerCase();
      el.textContent = labels.status[status] || status;
    }
    const open = OPEN.includes(status);
    root.classList.toggle("closed", !open);
    dropzone.hidden = !open || dropzoneFolded;
    addLate.hidden = !open || !dropzoneFolded;
    root.querySelector("[data-late-notice]").hidden = !open || status === "AWAITING_CONTENT" || dropzoneFolded;
    const closedNotice = root.querySelector("[data-uploads-closed]");
    if (!open && closedNotice.hidden) closedNotice.hidden = false;
    const cancelBatch = root.querySelector("[data-cancel-batch]");
    if (cancelBatch) cancelBatch.hidden = !open;
    if (status !== "AWAITING_CONTENT") {
      const finalize = root.querySelector("[data-finalize]");
      if (finalize) finalize.hidden = true;
      root.querySelector("[data-next-step]").hidden = false;
    }
  }

  function filenameOf(essayId) {
    const row = essayId && resultsBody.querySelector(`[data-upload-essay-id="${essayId}"] [data-filename]`);
    return row ? row.textContent : essayId || "";
  }

  function essayButtons(essayId) {
    const cell = document.createElement("td");
    cell.className = "essay-actions";
    cell.dataset.essayActions = "";
    if (!essayId) return cell;
    for (const [attribute, label] of [["removeEssay", text.textRemove], ["replaceEssay", text.textReplace]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset[attribute] = essayId;
      button.textContent = label;
      cell.append(button, " ");
    }
    return cell;
  }

  function addResultRow(result) {
    const row = document.createElement("tr");
    row.dataset.uploadResult = result.status;
    let label = { PROVISIONED: text.textReceived, FAILED: text.textUnreadable, DUPLICATE: text.textDuplicate }[result.status]
      || text.textRejected;
    if (result.status === "PROVISIONED" && result.late) label = text.textReceivedLate;
    // A failure by its code, in the page's language; anything else in the server's words.
    let reason = (result.code && labels.failure[result.code]) || result.reason || "";
    if (result.status === "DUPLICATE" && result.duplicate_of) {
      row.dataset.duplicateOf = result.duplicate_of;
      reason = text.textDuplicateOf + " " + filenameOf(result.duplicate_of);
    }
    // Each cell carries its column's name: on a phone the rows are blocks (app.css, table.stack).
    const columns = [...resultsBody.closest("table").querySelectorAll("thead th")].map((th) => th.textContent);
    [result.filename, label, reason].forEach((value, index) => {
      const cell = document.createElement("td");
      cell.textContent = value;
      cell.dataset.label = columns[index];
      if (index === 0) cell.dataset.filename = "";
      row.append(cell);
    });
    if (result.essay_id) row.dataset.uploadEssayId = result.essay_id;
    row.append(essayButtons(result.essay_id));
    resultsBody.append(row);
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  async function refreshBatch() {
    const result = await api("GET", root.dataset.batchApiUrl);
    if (!result.ok) return;
    showStatus(result.data.status);
    root.querySelector("[data-upload-count]").textContent = String(result.data.counts.uploaded);
    root.querySelector("[data-expected-count]").textContent = String(result.data.counts.expected);
  }

  /** DELETE the essay: its row goes, its slot is free again. */
  async function removeEssay(essayId) {
    const result = await api("DELETE", root.dataset.essayUrl.replace("__essay__", essayId));
    if (!result.ok && result.status !== 404) {
      showError(errorMessage(result));
      return false;
    }
    showError("");
    const row = resultsBody.querySelector(`[data-upload-essay-id="${essayId}"]`);
    if (row) row.remove();
    progress.hidden = false;
    progressText.textContent = text.textRemoved;
    await refreshBatch();
    return true;
  }

  function send(files) {
    return new Promise((resolve) => {
      const form = new FormData();
      for (const file of files) form.append("files", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", root.dataset.uploadUrl);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("Idempotency-Key", idempotencyKey());
      progress.hidden = false;
      bar.value = 0;
      progressText.textContent = text.textUploading + " " + files.length + " …";
      xhr.upload.addEventListener("progress", (event) => {
        if (!event.lengthComputable) return;
        const percent = Math.round((event.loaded / event.total) * 100);
        bar.value = percent;
        progressText.textContent = text.textUploading + " " + files.length + " · " + percent + "%";
      });
      xhr.upload.addEventListener("load", () => {
        bar.value = 100;
        progressText.textContent = text.textProcessing;
      });
      xhr.addEventListener("load", () => {
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch (error) {
          body = null;
        }
        const results = (body && body.results) || (body && body.error && body.error.details && body.error.details.results) || [];
        results.forEach(addResultRow);
        if (xhr.status >= 200 && xhr.status < 300) {
          showError("");
          progressText.textContent = text.textDone;
        } else {
          showError(errorMessage({ status: xhr.status, data: body }));
          progressText.textContent = "";
        }
        refreshBatch().finally(resolve);
      });
      xhr.addEventListener("error", () => {
        showError(text.textFailed);
        progressText.textContent = "";
        resolve();
      });
      xhr.send(form);
    });
  }

  function upload(fileList) {
    const files = [...fileList];
    if (!files.length) return;
    queue = queue.then(() => send(files));
  }

  if (input) {
    input.addEventListener("change", () => {
      upload(input.files);
      input.value = "";
    });
  }
  if (dropzone) {
    for (const type of ["dragenter", "dragover"]) {
      dropzone.addEventListener(type, (event) => {
        event.preventDefault();
        dropzone.classList.add("dragging");
      });
    }
    dropzone.addEventListener("dragleave", () => dropzone.classList.remove("dragging"));
    dropzone.addEventListener("drop", (event) => {
      event.preventDefault();
      dropzone.classList.remove("dragging");
      upload(event.dataTransfer.files);
    });
  }
  root.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-remove-essay]");
    if (remove) {
      remove.disabled = true;
      queue = queue.then(() => removeEssay(remove.dataset.removeEssay)).finally(() => {
        remove.disabled = false;
      });
      return;
    }
    const replace = event.target.closest("[data-replace-essay]");
    if (replace) {
      // The new file is chosen first: cancelling the picker leaves the essay as it was.
      replacing = replace.dataset.replaceEssay;
      replaceInput.click();
    }
  });
  replaceInput.addEventListener("change", () => {
    const files = [...replaceInput.files];
    const essayId = replacing;
    replacing = null;
    replaceInput.value = "";
    if (!files.length || !essayId) return;
    queue = queue.then(async () => {
      if (await removeEssay(essayId)) await send(files);
    });
  });

  const cancelBatch = root.querySelector("[data-cancel-batch]");
  if (cancelBatch) {
    cancelBatch.addEventListener("click", async () => {
      if (!window.confirm(text.textConfirmCancel)) return;
      const result = await api("POST", root.dataset.cancelUrl);
      if (!result.ok) showError(errorMessage(result));
      else cancelBatch.hidden = true;
      await refreshBatch();
    });
  }
  const deleteBatch = root.querySelector("[data-delete-batch]");
  if (deleteBatch) {
    deleteBatch.addEventListener("click", async () => {
      if (!window.confirm(text.textConfirmDelete)) return;
      const result = await api("DELETE", root.dataset.batchApiUrl);
      if (result.ok) window.location.assign(root.dataset.dashboardUrl);
      else showError(errorMessage(result));
    });
  }

  const finalize = root.querySelector("[data-finalize]");
  if (finalize) {
    finalize.addEventListener("click", async () => {
      const received = Number(root.querySelector("[data-upload-count]").textContent);
      const expected = Number(root.querySelector("[data-expected-count]").textContent);
      const missing = expected - received;
      if (missing > 0) {
        const question = missing === 1 ? text.textConfirmFinalizeOne : text.textConfirmFinalizeMany;
        if (!window.confirm(fill(question, { received, expected, missing }))) return;
      }
      const result = await api("POST", root.dataset.finalizeUrl);
      if (!result.ok) showError(errorMessage(result));
      await refreshBatch();
    });
  }

  root.querySelector("[data-show-dropzone]").addEventListener("click", () => {
    dropzoneFolded = false;
    showStatus(shownStatus);
    input.focus();
  });

  connect({
    onOpen: refreshBatch,
    onEvent: (message) => {
      if (message.batch_id === root.dataset.batchId) refreshBatch();
    },
  });
})();
