/* Import a class from a OneRoster export: read the zip's classes, pick one, import it.
   The zip is sent twice (nothing of it is stored on the server between the two steps). */
(function () {
  "use strict";
  const card = document.querySelector("[data-oneroster]");
  if (!card) return;
  const { api, errorMessage } = window.HuleLive;
  const readForm = card.querySelector("[data-oneroster-read]");
  const importForm = card.querySelector("[data-oneroster-import]");
  const select = card.querySelector("[data-oneroster-class]");
  const status = card.querySelector("[data-oneroster-status]");
  const errorTable = card.querySelector("[data-oneroster-errors]");
  const fileInput = card.querySelector("[data-oneroster-file]");

  function cell(value) {
    const td = document.createElement("td");
    td.textContent = value == null ? "" : String(value);
    return td;
  }

  function say(text, kind) {
    status.hidden = false;
    status.textContent = text;
    status.className = kind;
  }

  function showErrors(errors) {
    const body = errorTable.querySelector("tbody");
    body.replaceChildren();
    for (const error of errors || []) {
      const row = document.createElement("tr");
      row.append(cell(error.file), cell(error.line), cell(error.error));
      body.append(row);
    }
    errorTable.hidden = !(errors && errors.length);
  }

  function formWithFile() {
    const body = new FormData();
    const file = fileInput.files[0];
    body.append("file", file, file.name);
    return body;
  }

  readForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!fileInput.files[0]) return;
    const result = await api("POST", card.dataset.classesUrl, formWithFile());
    if (!result.ok) {
      importForm.hidden = true;
      showErrors(result.data && result.data.error && result.data.error.details &&
                 [].concat(result.data.error.details.errors || []));
      say(errorMessage(result), "error");
      return;
    }
    select.replaceChildren();
    for (const item of result.data.classes) {
      const option = document.createElement("option");
      option.value = item.sourced_id;
      option.textContent = `${item.title} · ${item.school} (${item.student_count})`;
      select.append(option);
    }
    importForm.hidden = !result.data.classes.length;
    showErrors(result.data.errors);
    say(card.dataset.textClassesFound.replace("{n}", result.data.classes.length),
      result.data.errors.length ? "warn" : "success");
  });

  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = formWithFile();
    body.append("class_sourced_id", select.value);
    const result = await api("POST", card.dataset.importUrl, body);
    if (!result.ok) {
      say(errorMessage(result), "error");
      return;
    }
    window.location.assign(`/classes/${result.data.school_class.class_id}/`);
  });
})();
