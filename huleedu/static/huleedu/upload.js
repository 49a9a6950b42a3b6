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
  let queue = Promise.resolve();

  function idempotencyKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function showStatus(status) {
    for (const el of root.querySelectorAll("[data-batch-status]")) {
      el.dataset.batchStatus = status;
      el.className = "status status-" + status.toLowerCase();
    }
    if (status !== "AWAITING_CONTENT") {
      if (dropzone) dropzone.hidden = true;
      const finalize = root.querySelector("[data-finalize]");
      if (finalize) finalize.hidden = true;
      root.querySelector("[data-next-step]").hidden = false;
    }
  }

  function addResultRow(result) {
    const row = document.createElement("tr");
    row.dataset.uploadResult = result.status;
    const label = { PROVISIONED: text.textReceived, FAILED: text.textUnreadable }[result.status] || text.textRejected;
    for (const value of [result.filename, label, result.reason || ""]) {
      const cell = document.createElement("td");
      cell.textContent = value;
      row.append(cell);
    }
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
  const finalize = root.querySelector("[data-finalize]");
  if (finalize) {
    finalize.addEventListener("click", async () => {
      const result = await api("POST", root.dataset.finalizeUrl);
      if (!result.ok) showError(errorMessage(result));
      await refreshBatch();
    });
  }

  connect({
    onOpen: refreshBatch,
    onEvent: (message) => {
      if (message.batch_id === root.dataset.batchId) refreshBatch();
    },
  });
})();
