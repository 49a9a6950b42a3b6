/* The class page: import a roster CSV through the API and show every row it refused. */
(function () {
  "use strict";
  const form = document.querySelector("[data-roster-import]");
  if (!form) return;
  const { api, errorMessage } = window.HuleLive;
  const text = form.dataset;
  const summary = document.querySelector("[data-import-summary]");
  const errorTable = document.querySelector("[data-import-errors]");
  const errorBody = errorTable.querySelector("tbody");
  const rosterBody = document.querySelector("[data-roster] tbody");

  function cell(value) {
    const td = document.createElement("td");
    td.textContent = value == null ? "" : String(value);
    return td;
  }

  function showErrors(errors) {
    errorBody.replaceChildren();
    for (const error of errors) {
      const row = document.createElement("tr");
      row.dataset.importErrorLine = error.line;
      row.append(cell(error.line), cell(error.error), cell((error.row || []).join(", ")));
      errorBody.append(row);
    }
    errorTable.hidden = !errors.length;
  }

  function addStudents(students) {
    const empty = rosterBody.querySelector("[data-roster-empty]");
    if (empty && students.length) empty.remove();
    for (const student of students) {
      const row = document.createElement("tr");
      row.dataset.studentId = student.student_id;
      row.append(cell(student.first_name), cell(student.last_name), cell(student.email || ""), cell(student.external_id || ""));
      rosterBody.append(row);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.querySelector("input[type=file]").files[0];
    if (!file) return;
    const body = new FormData();
    body.append("file", file, file.name);
    const button = form.querySelector("button");
    button.disabled = true;
    const result = await api("POST", form.dataset.url, body);
    button.disabled = false;
    summary.hidden = false;
    if (result.ok) {
      addStudents(result.data.students);
      showErrors(result.data.errors);
      summary.textContent = text.textImported
        .replace("{created}", result.data.created)
        .replace("{skipped}", result.data.skipped_duplicates)
        .replace("{errors}", result.data.errors.length);
      summary.className = result.data.errors.length ? "warn" : "success";
      form.reset();
    } else {
      const details = result.data && result.data.error && result.data.error.details;
      showErrors((details && details.errors) || []);
      summary.textContent = errorMessage(result);
      summary.className = "error";
    }
  });
})();
