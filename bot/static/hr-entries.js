// Distansguiden's FAQ editor for HR: plain DOM, no third-party code. Text from the server is
// inserted with textContent; only the preview is HTML, rendered and sanitised by the server
// with the chat's own renderer (bot/rendering.py).
"use strict";

const FIELDS = ["id", "status", "question", "alternates", "topic", "region", "source", "owner",
  "reviewed", "review_by", "answer", "answer_en", "siblings", "cues", "remote_work_only"];
const LABELS = {
  id: "Id", status: "Status", question: "Fråga", alternates: "Andra sätt att ställa frågan",
  topic: "Ämne", region: "Region", source: "Källa", owner: "Ansvarig", reviewed: "Senast granskad",
  review_by: "Granskas senast", answer: "Svar", answer_en: "Svar på engelska", siblings: "Syskonposter",
  cues: "Nyckelord", remote_work_only: "Bara om distansarbete",
};
const LIST_FIELDS = new Set(["alternates", "siblings", "cues"]);
const CHECKBOX_FIELDS = new Set(["remote_work_only"]);
const PREVIEW_DELAY_MS = 700;
const CHAT_POLL_MS = 1000;
const CHAT_POLL_TIMES = 20;

let choices = null;
// The entry open in the editor: its id (null for a new one) and the hash of the file as loaded.
let editing = null;
let baseHash = null;
let shownVersion = null;
let previewTimer = null;
let lastPreview = null;
let chatPoll = null;

function fail(result) {
  const detail = result.body && result.body.detail ? result.body.detail : "Något gick fel.";
  $("error").textContent = result.status ? `${detail} (${result.status})` : detail;
}

function clearError() {
  $("error").textContent = "";
}

function formatDay(iso) {
  return iso ? iso : "–";
}

function dueText(row) {
  if (row.days_left === null || row.status === "draft") return "";
  if (row.days_left < 0) return `försenad ${-row.days_left} dagar`;
  if (row.days_left === 0) return "i dag";
  return `om ${row.days_left} dagar`;
}

// ---- The list -------------------------------------------------------------------------------

async function loadEntries() {
  const due = $("filter").value === "due";
  const days = Math.max(0, Math.min(3650, parseInt($("due-days").value || "0", 10) || 0));
  const result = await api(`/api/hr/entries${due ? `?due_within_days=${days}` : ""}`);
  if (!result.ok) return fail(result);
  const rows = result.body.entries;
  $("entries-summary").textContent = due
    ? `${rows.length} poster ska granskas inom ${days} dagar eller är försenade (i dag ${result.body.today}).`
    : `${rows.length} poster.`;
  const target = $("entries");
  target.replaceChildren();
  if (!rows.length) return;
  const t = el("table");
  t.append(el("caption", due ? "Poster som granskas snart eller är försenade" : "Alla poster"));
  const head = el("tr");
  for (const h of ["Fråga", "Ämne", "Ansvarig", "Status", "Granskas senast"]) {
    const th = el("th", h);
    th.scope = "col";
    head.append(th);
  }
  const thead = el("thead");
  thead.append(head);
  const tbody = el("tbody");
  for (const row of rows) {
    const tr = el("tr");
    const name = el("th");
    name.scope = "row";
    const open = el("button", row.question || row.file, "link");
    open.type = "button";
    open.addEventListener("click", () => openEntry(row.id));
    name.append(open);
    if (row.has_errors) name.append(" ", el("span", "fel i filen", "badge error-badge"));
    const status = el("td", row.status_label);
    const review = el("td", formatDay(row.review_by));
    const due = dueText(row);
    if (due) review.append(" ", el("span", due, row.days_left < 0 ? "badge late" : "badge soon"));
    tr.append(name, el("td", row.topic_label), el("td", row.owner), status, review);
    tbody.append(tr);
  }
  t.append(thead, tbody);
  target.append(t);
}

// ---- The form -------------------------------------------------------------------------------

function field(name) {
  return $(`f-${name}`);
}

function fillChoices() {
  const topic = field("topic");
  topic.replaceChildren(el("option", "Välj ämne"));
  topic.firstChild.value = "";
  for (const t of choices.topics) {
    const option = el("option", t.label);
    option.value = t.code;
    topic.append(option);
  }
  const region = field("region");
  region.replaceChildren();
  for (const r of choices.regions) {
    const option = el("option", r);
    option.value = r;
    region.append(option);
  }
}

function setForm(entry) {
  for (const name of FIELDS) {
    const value = entry[name];
    const input = field(name);
    if (LIST_FIELDS.has(name)) input.value = (value || []).join("\n");
    else if (CHECKBOX_FIELDS.has(name)) input.checked = value === true;
    else if (name === "topic" && value && ![...input.options].some((o) => o.value === value)) {
      // A topic without a Swedish label still shows, as its code.
      const option = el("option", value);
      option.value = value;
      input.append(option);
      input.value = value;
    } else input.value = value || "";
  }
}

function formEntry() {
  const entry = {};
  for (const name of FIELDS) {
    const input = field(name);
    const value = input.value;
    if (CHECKBOX_FIELDS.has(name)) entry[name] = input.checked;
    else entry[name] = LIST_FIELDS.has(name)
      ? value.split("\n").map((line) => line.trim()).filter(Boolean)
      : value;
  }
  return entry;
}

function clearMessages() {
  for (const name of FIELDS) {
    $(`msg-${name}`).replaceChildren();
    field(name).removeAttribute("aria-invalid");
  }
  $("check-summary").replaceChildren();
  $("check-summary").hidden = true;
}

function messageText(m) {
  const label = m.severity === "error" ? "Fel" : "Varning";
  const where = m.item !== null && m.field === "alternates" ? ` (fråga ${m.item + 1})` : "";
  const file = m.file ? ` I filen ${m.file}:` : "";
  return `${label}${where}:${file} ${m.text}`;
}

function showMessages(messages, heading) {
  clearMessages();
  const summary = $("check-summary");
  const errors = messages.filter((m) => m.severity === "error").length;
  const warnings = messages.length - errors;
  summary.className = `check-summary ${errors ? "has-errors" : warnings ? "has-warnings" : "is-clean"}`;
  summary.append(el("h3", heading || (errors || warnings
    ? `Kontrollen hittade ${errors} fel och ${warnings} varningar`
    : "Kontrollen hittade inga fel")));
  if (errors) summary.append(el("p", "Rätta felen innan du sparar. Varningar hindrar inte att posten sparas."));
  const list = el("ul");
  for (const m of messages) {
    const item = el("li", "", m.severity);
    const known = m.field && FIELDS.includes(m.field);
    if (known) {
      const link = el("a", `${LABELS[m.field]}: `);
      link.href = `#f-${m.field}`;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        field(m.field).focus();
      });
      item.append(link);
      const inline = el("p", messageText(m), `message ${m.severity}`);
      $(`msg-${m.field}`).append(inline);
      if (m.severity === "error") field(m.field).setAttribute("aria-invalid", "true");
    }
    item.append(document.createTextNode(messageText(m)));
    list.append(item);
  }
  if (messages.length) summary.append(list);
  summary.hidden = false;
  return errors;
}

async function runCheck() {
  const result = await api("/api/hr/entry-checks", {
    method: "POST",
    body: JSON.stringify({ entry: formEntry(), editing }),
  });
  if (!result.ok) {
    fail(result);
    return null;
  }
  return result.body;
}

async function check() {
  clearError();
  const report = await runCheck();
  if (!report) return;
  showMessages(report.messages);
  $("check-summary").focus();
}

async function save(event) {
  event.preventDefault();
  clearError();
  say("Kontrollerar och sparar …");
  const report = await runCheck();
  if (!report) return say("");
  if (report.errors) {
    showMessages(report.messages, `Posten sparades inte: ${report.errors} fel att rätta`);
    say("");
    $("check-summary").focus();
    return;
  }
  const entry = formEntry();
  const result = editing
    ? await api(`/api/hr/entries/${encodeURIComponent(editing)}`, {
      method: "PUT",
      body: JSON.stringify({ entry, base_hash: baseHash }),
    })
    : await api("/api/hr/entries", { method: "POST", body: JSON.stringify({ entry }) });
  if (!result.ok) {
    say("");
    showMessages([], "Posten sparades inte");
    const summary = $("check-summary");
    summary.append(el("p", result.body && result.body.detail ? result.body.detail : "Något gick fel.", "message error"));
    if (result.status === 409 && editing) {
      const reload = el("button", "Ladda om posten");
      reload.type = "button";
      reload.addEventListener("click", () => openEntry(editing));
      summary.append(reload);
    }
    summary.focus();
    return;
  }
  const saved = result.body;
  const created = !editing;
  editing = saved.id;
  baseHash = saved.content_hash;
  showEditing(saved.id);
  showMessages(saved.warnings, saved.changed ? (created ? "Posten är skapad" : "Posten är sparad") : "Inga ändringar att spara");
  say(saved.changed ? `Sparad som version ${saved.version_id}.` : "Inga ändringar att spara.");
  showChatState(saved.chat);
  await Promise.all([loadHistory(), loadEntries()]);
  $("check-summary").focus();
}

function showChatState(chat) {
  $("chat-state").textContent = chat.text;
  $("chat-state").className = `chat-state ${chat.state}`;
  clearInterval(chatPoll);
  if (chat.state !== "waiting") return;
  let times = 0;
  const id = editing;
  chatPoll = setInterval(async () => {
    times += 1;
    const result = await api(`/api/hr/entries/${encodeURIComponent(id)}`);
    if (!result.ok || id !== editing || result.body.chat.state !== "waiting" || times >= CHAT_POLL_TIMES) {
      clearInterval(chatPoll);
      if (result.ok && id === editing) {
        $("chat-state").textContent = result.body.chat.text;
        $("chat-state").className = `chat-state ${result.body.chat.state}`;
      }
    }
  }, CHAT_POLL_MS);
}

function showEditing(id) {
  $("editor-heading").textContent = id ? `Redigera ${id}` : "Ny post";
  field("id").readOnly = Boolean(id);
  $("history-section").hidden = !id;
}

function newEntry() {
  clearError();
  editing = null;
  baseHash = null;
  const today = choices.today;
  const next = new Date(`${today}T12:00:00Z`);
  next.setUTCFullYear(next.getUTCFullYear() + 1);
  setForm({
    status: "published", region: choices.region, owner: "HR-avdelningen", reviewed: today,
    review_by: next.toISOString().slice(0, 10),
  });
  clearMessages();
  $("chat-state").textContent = "";
  showEditing(null);
  $("editor-section").hidden = false;
  $("diff-box").hidden = true;
  updatePreview();
  field("id").focus();
}

async function openEntry(id) {
  clearError();
  const result = await api(`/api/hr/entries/${encodeURIComponent(id)}`);
  if (!result.ok) return fail(result);
  const opened = result.body;
  editing = opened.id;
  baseHash = opened.content_hash;
  showEditing(opened.id);
  $("editor-section").hidden = false;
  $("diff-box").hidden = true;
  if (opened.entry) setForm(opened.entry);
  else setForm({ id: opened.id });
  clearMessages();
  if (opened.messages.length) showMessages(opened.messages, "Filen har fel som den ligger nu");
  else if (!opened.entry) showMessages([], "Filens huvud går inte att läsa; fyll i fälten på nytt");
  showChatState(opened.chat);
  updatePreview();
  await loadHistory();
  $("editor-heading").focus();
}

// ---- Preview --------------------------------------------------------------------------------

function schedulePreview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(updatePreview, PREVIEW_DELAY_MS);
}

async function updatePreview() {
  const body = { answer: field("answer").value, answer_en: field("answer_en").value };
  const key = JSON.stringify(body);
  if (key === lastPreview) return;
  lastPreview = key;
  const result = await api("/api/hr/entry-previews", { method: "POST", body: key });
  if (!result.ok) {
    lastPreview = null;
    $("preview").textContent = result.status === 429
      ? "Förhandsvisningen pausar en stund; den visas igen när du skriver vidare."
      : "Förhandsvisningen kunde inte visas.";
    return;
  }
  // HTML from the chat's renderer, sanitised by the server with an allow-list (nh3).
  $("preview").innerHTML = result.body.html || "<p>(inget svar än)</p>";
  $("preview-en").innerHTML = result.body.html_en || "<p>(inget engelskt svar)</p>";
}

// ---- Versions -------------------------------------------------------------------------------

async function loadHistory() {
  if (!editing) return;
  const result = await api(`/api/hr/entries/${encodeURIComponent(editing)}/versions`);
  if (!result.ok) return fail(result);
  const target = $("history");
  target.replaceChildren();
  const t = el("table");
  t.append(el("caption", `Versioner av ${editing}, nyaste först`));
  const head = el("tr");
  for (const h of ["Version", "När", "Vem", "Hur", "Åtgärder"]) {
    const th = el("th", h);
    th.scope = "col";
    head.append(th);
  }
  const thead = el("thead");
  thead.append(head);
  const tbody = el("tbody");
  for (const v of result.body.versions) {
    const tr = el("tr");
    const name = el("th", `Version ${v.id}${v.current ? " (nuvarande)" : ""}`);
    name.scope = "row";
    const how = v.restored_from ? `${v.origin_label} från version ${v.restored_from}` : v.origin_label;
    const actions = el("td", "", "actions");
    const show = el("button", "Visa ändringar");
    show.type = "button";
    show.setAttribute("aria-label", `Visa ändringar i version ${v.id}`);
    show.addEventListener("click", () => showDiff(v.id));
    actions.append(show);
    if (!v.current) {
      const restore = el("button", "Återställ");
      restore.type = "button";
      restore.setAttribute("aria-label", `Återställ version ${v.id}`);
      restore.addEventListener("click", () => restoreVersion(v.id));
      actions.append(" ", restore);
    }
    tr.append(name, el("td", new Date(v.at).toLocaleString("sv-SE")), el("td", v.actor || "–"), el("td", how), actions);
    tbody.append(tr);
  }
  t.append(thead, tbody);
  target.append(t);
}

async function showDiff(versionId) {
  shownVersion = versionId;
  const against = $("diff-against").value;
  const result = await api(`/api/hr/entries/${encodeURIComponent(editing)}/versions/${versionId}?against=${against}`);
  if (!result.ok) return fail(result);
  const diff = result.body;
  $("diff-heading").textContent = against === "current"
    ? `Vad en återställning av version ${versionId} ändrar`
    : `Ändringar i version ${versionId}`;
  const target = $("diff");
  target.replaceChildren();
  const changed = diff.lines.filter((l) => l.kind !== "same").length;
  target.append(el("p", changed ? `${changed} rader ändrade.` : "Inga skillnader."));
  const list = el("ol", "", "diff-lines");
  for (const line of diff.lines) {
    const item = el("li", "", `diff-${line.kind}`);
    const mark = { same: " ", added: "+", removed: "−" }[line.kind];
    const spoken = { same: "", added: "Tillagd: ", removed: "Borttagen: " }[line.kind];
    item.append(el("span", mark, "mark"));
    if (spoken) item.append(el("span", spoken, "visually-hidden"));
    item.append(el("span", line.text || " ", "text"));
    list.append(item);
  }
  target.append(list);
  $("diff-box").hidden = false;
  $("diff-heading").focus();
}

async function restoreVersion(versionId) {
  clearError();
  const result = await api(`/api/hr/entries/${encodeURIComponent(editing)}/versions/${versionId}/restore`, {
    method: "POST",
    body: JSON.stringify({ base_hash: baseHash }),
  });
  if (!result.ok) {
    fail(result);
    return;
  }
  const saved = result.body;
  say(saved.changed ? `Version ${versionId} är återställd som version ${saved.version_id}.` : "Posten är redan som den versionen.");
  const id = editing;
  await openEntry(id);
  showChatState(saved.chat);
  await loadEntries();
}

// ---- Start ----------------------------------------------------------------------------------

async function loadDemoUsers() {
  const result = await api("/api/demo-users");
  if (!result.ok) return;
  const select = $("demo-user");
  for (const user of result.body) {
    const option = el("option", user.name);
    option.value = user.id;
    select.append(option);
  }
  if (!demoUser()) sessionStorage.setItem("dg-hr-demo-user", "hanna.holm");
  select.value = demoUser();
  select.addEventListener("change", () => {
    sessionStorage.setItem("dg-hr-demo-user", select.value);
    start();
  });
  $("demo-user-form").hidden = false;
}

async function start() {
  clearError();
  const session = await api("/api/hr/session");
  if (!session.ok) {
    $("content").hidden = true;
    $("who").textContent = "";
    return fail(session);
  }
  const role = session.body.role === "hr_admin" ? "HR-administratör" : "HR-redaktör";
  $("who").textContent = `Inloggad: ${session.body.name} (${role})`;
  const result = await api("/api/hr/entry-choices");
  if (!result.ok) return fail(result);
  choices = result.body;
  fillChoices();
  $("content").hidden = false;
  await loadEntries();
}

$("filter-form").addEventListener("submit", (event) => {
  event.preventDefault();
  loadEntries();
});
$("filter").addEventListener("change", loadEntries);
$("new-entry").addEventListener("click", newEntry);
$("check").addEventListener("click", check);
$("entry-form").addEventListener("submit", save);
$("close-editor").addEventListener("click", () => {
  clearInterval(chatPoll);
  $("editor-section").hidden = true;
  $("entries-heading").focus();
});
$("f-answer").addEventListener("input", schedulePreview);
$("f-answer_en").addEventListener("input", schedulePreview);
$("diff-against").addEventListener("change", () => {
  if (shownVersion !== null) showDiff(shownVersion);
});

loadDemoUsers().then(start);
