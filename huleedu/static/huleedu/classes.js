/* The class page: import a roster CSV through the API (an upsert: what was added, updated or
 * already there, and every row it refused), and edit or remove students in place. */
(function () {
  "use strict";
  const form = document.querySelector("[data-roster-import]");
  const roster = document.querySelector("[data-roster]");
  if (!form || !roster) return;
  const { api, errorMessage, fetchDocument } = window.HuleLive;
  const summary = document.querySelector("[data-import-summary]");
  const errorTable = document.querySelector("[data-import-errors]");
  const errorBody = errorTable.querySelector("tbody");
  const rosterStatus = document.querySelector("[data-roster-status]");
  const text = roster.dataset;
  const savedButtons = new WeakMap(); // row -> its own buttons while it is being edited

  function cell(value) {
    const td = document.createElement("td");
    td.textContent = value == null ? "" : String(value);
    return td;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function say(element, message, kind) {
    element.hidden = !message;
    element.textContent = message;
    element.className = kind || "";
  }

  function showErrors(errors) {
    errorBody.replaceChildren();
    for (const error of errors) {
      const row = document.createElement("tr");
      row.dataset.importErrorLine = error.line;
      row.append(cell(error.line), cell(error.error), cell((error.row || []).join(" · ")));
      errorBody.append(row);
    }
    errorTable.hidden = !errors.length;
  }

  /** The roster as the server has it now (an import may have changed any row). */
  async function reloadRoster() {
    const fresh = await fetchDocument(window.location.href);
    const body = fresh.querySelector("[data-roster] tbody");
    if (body) roster.querySelector("tbody").replaceWith(body);
  }

  function importSummary(data) {
    const parts = [];
    for (const [key, count] of [["created", data.created], ["updated", data.updated],
      ["unchanged", data.unchanged], ["refused", data.errors.length]]) {
      if (count) parts.push(fill(form.dataset["text" + key[0].toUpperCase() + key.slice(1)], { n: count }));
    }
    return parts.join(", ") + ".";
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
    if (result.ok) {
      await reloadRoster(); // first: once the summary shows, the roster shows what it says
      showErrors(result.data.errors);
      say(summary, importSummary(result.data), result.data.errors.length ? "warn" : "success");
      form.reset();
    } else {
      const details = result.data && result.data.error && result.data.error.details;
      showErrors((details && details.errors) || []);
      say(summary, errorMessage(result), "error");
    }
    button.disabled = false;
  });

  function studentUrl(row) {
    return text.studentUrl.replace("__student__", row.dataset.studentId);
  }

  function input(name, value, label, type) {
    const field = document.createElement("input");
    field.type = type || "text";
    field.name = name;
    field.value = value;
    field.setAttribute("aria-label", label + " · " + value);
    return field;
  }

  function startEditing(row) {
    if (row.classList.contains("editing")) return;
    row.classList.add("editing");
    const labels = { first_name: text.textFirstName, last_name: text.textLastName, email: text.textEmail };
    for (const td of row.querySelectorAll("[data-field]")) {
      const name = td.dataset.field;
      td.dataset.before = td.textContent;
      td.replaceChildren(input(name, td.textContent, labels[name], name === "email" ? "email" : "text"));
    }
    const actions = row.querySelector(".row-actions");
    savedButtons.set(row, [...actions.childNodes]);
    const save = document.createElement("button");
    save.type = "button";
    save.className = "primary";
    save.dataset.saveStudent = "";
    save.textContent = text.textSave;
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.dataset.cancelEdit = "";
    cancel.textContent = text.textCancel;
    actions.replaceChildren(save, " ", cancel);
    row.querySelector("input").focus();
  }

  function stopEditing(row, student) {
    for (const td of row.querySelectorAll("[data-field]")) {
      td.textContent = student ? student[td.dataset.field] || "" : td.dataset.before;
    }
    if (student) row.dataset.studentName = student.full_name;
    const actions = row.querySelector(".row-actions");
    actions.replaceChildren(...(savedButtons.get(row) || []));
    for (const hidden of actions.querySelectorAll(".visually-hidden")) hidden.textContent = " " + row.dataset.studentName;
    row.classList.remove("editing");
  }

  async function save(row) {
    const changes = {};
    for (const field of row.querySelectorAll("[data-field] input")) changes[field.name] = field.value.trim();
    if (!changes.email) changes.email = null;
    const result = await api("PATCH", studentUrl(row), changes);
    if (!result.ok) {
      say(rosterStatus, errorMessage(result), "error");
      return;
    }
    stopEditing(row, result.data);
    say(rosterStatus, fill(text.textSaved, { name: result.data.full_name }), "success");
    row.querySelector("[data-edit-student]").focus();
  }

  async function remove(row) {
    const name = row.dataset.studentName;
    if (!window.confirm(fill(text.textConfirmRemove, { name }))) return;
    const result = await api("DELETE", studentUrl(row));
    if (!result.ok) {
      say(rosterStatus, errorMessage(result), "error");
      return;
    }
    row.remove();
    say(rosterStatus, fill(text.textRemoved, { name }), "success");
  }

  roster.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-student-id]");
    if (!row) return;
    if (event.target.closest("[data-edit-student]")) startEditing(row);
    else if (event.target.closest("[data-cancel-edit]")) stopEditing(row, null);
    else if (event.target.closest("[data-save-student]")) save(row);
    else if (event.target.closest("[data-remove-student]")) remove(row);
  });
  roster.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr.editing");
    if (!row || event.target.tagName !== "INPUT") return;
    if (event.key === "Enter") {
      event.preventDefault();
      save(row);
    } else if (event.key === "Escape") {
      stopEditing(row, null);
    }
  });
})();
