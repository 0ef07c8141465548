// Distansguiden HR page: plain DOM, no third-party code. Everything from the server is inserted
// with textContent, never as HTML, because queue questions are typed by users.
"use strict";

const $ = (id) => document.getElementById(id);
const REASONS = {
  low_confidence: "Inget säkert svar",
  clarified: "Fick frågan ”Menade du …?”",
  thumbs_down: "Tummen ned",
  out_of_scope: "Inte om distansarbete",
};
const KINDS = {
  answer: "Svarar",
  clarify: "Frågar ”Menade du …?”",
  unknown: "Har inget svar",
  out_of_scope: "Inte om distansarbete: säger vem man kan fråga",
  withheld: "Svaret granskas och visas inte",
};
const STATISTICS = {
  in_force_per_unit: "Gällande överenskommelser per enhet",
  share_percent: "Andel av arbetstiden (gällande)",
  expiring_within_days: "Löper ut inom antal dagar",
  per_status: "Alla per status",
};
let session = null;
let entries = [];

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function demoUser() {
  return sessionStorage.getItem("dg-hr-demo-user") || "";
}

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json" };
  if (demoUser()) headers["X-Demo-User"] = demoUser();
  const response = await fetch(path, { ...options, headers });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { ok: response.ok, status: response.status, body };
}

function say(text) {
  $("status").textContent = text;
}

function fail(result) {
  const detail = result.body && result.body.detail ? result.body.detail : "Något gick fel.";
  $("error").textContent = `${detail} (${result.status})`;
}

function table(caption, headings, rows, numeric = []) {
  const t = el("table");
  t.append(el("caption", caption));
  const head = el("thead");
  const headRow = el("tr");
  for (const h of headings) {
    const th = el("th", h);
    th.scope = "col";
    headRow.append(th);
  }
  head.append(headRow);
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr");
    row.forEach((cell, i) => {
      if (i === 0) {
        const th = el("th", cell);
        th.scope = "row";
        tr.append(th);
      } else {
        tr.append(el("td", cell, numeric.includes(i) ? "number" : undefined));
      }
    });
    body.append(tr);
  }
  t.append(head, body);
  return t;
}

async function loadDemoUsers() {
  const result = await api("/api/demo-users");
  if (!result.ok) return;
  const select = $("demo-user");
  for (const user of result.body) {
    const option = el("option", `${user.name} (${user.role})`);
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
  $("error").textContent = "";
  const result = await api("/api/hr/session");
  if (!result.ok) {
    session = null;
    $("content").hidden = true;
    $("who").textContent = "";
    fail(result);
    return;
  }
  session = result.body;
  $("who").textContent = `Inloggad: ${session.name} (${session.role === "hr_admin" ? "HR-administratör" : "HR-redaktör"})`;
  $("content").hidden = false;
  $("audit-section").hidden = !session.is_admin;
  await loadFigures();
  await Promise.all([loadQueue(), loadStatistics(), session.is_admin ? loadAudit() : null]);
}

async function loadFigures() {
  const result = await api("/api/hr/figures");
  const target = $("figures");
  target.replaceChildren();
  if (!result.ok) return fail(result);
  entries = result.body;
  const rows = entries.map((e) => [
    e.faq_id,
    e.question,
    e.current_version.served,
    e.current_version.helpful,
    e.current_version.not_helpful,
    sinceText(e),
    `${e.all_versions.served} / ${e.all_versions.helpful} / ${e.all_versions.not_helpful}`,
  ]);
  target.append(
    table(
      "Sedan senaste ändringen av posten: visade svar och omdömen",
      ["Post", "Fråga", "Visad", "Tumme upp", "Tumme ned", "Räknas sedan", "Alla versioner (visad / upp / ned)"],
      rows,
      [2, 3, 4],
    ),
  );
}

function sinceText(entry) {
  const version = entry.version.slice(0, 10);
  if (entry.since.edited_at) {
    return `ändring ${version} av ${entry.since.edited_by}, ${entry.since.edited_at.slice(0, 10)}`;
  }
  const first = entry.since.first_counted_at ? entry.since.first_counted_at.slice(0, 10) : "–";
  return `version ${version} (granskad ${entry.since.reviewed}), första händelse ${first}`;
}

async function loadQueue() {
  const result = await api("/api/hr/queue");
  const target = $("queue");
  target.replaceChildren();
  if (!result.ok) return fail(result);
  $("queue-summary").textContent =
    `${result.body.open} öppna frågor i ${result.body.groups.length} grupper.`;
  result.body.groups.forEach((group, index) => target.append(renderGroup(group, index)));
}

function renderGroup(group, index) {
  const article = el("article", undefined, "group");
  const id = `g${index}`;
  article.setAttribute("aria-labelledby", `${id}-label`);
  const heading = el("h3", `${group.label} (${group.count})`);
  heading.id = `${id}-label`;
  article.append(heading);
  const reasons = Object.entries(group.reasons).map(([r, n]) => `${REASONS[r] || r}: ${n}`);
  const summary = [reasons.join(", ")];
  if (group.faq_ids.length) summary.push(`gällde ${group.faq_ids.join(", ")}`);
  article.append(el("p", summary.join(" · "), "reason"));
  const list = el("ul");
  for (const item of group.items) {
    const li = el("li");
    li.append(el("span", item.question), " ", el("span", `(${REASONS[item.reason] || item.reason}, ${item.created_at.slice(0, 10)})`, "reason"));
    if (session && session.is_admin) {
      for (const [action, title] of [["resolve", "Markera som hanterad"], ["discard", "Kasta"]]) {
        const button = el("button", title);
        button.type = "button";
        button.setAttribute("aria-label", `${title}: ${item.question}`);
        button.addEventListener("click", () => closeItem(item.id, action));
        li.append(" ", button);
      }
    }
    list.append(li);
  }
  article.append(list);
  const ids = group.items.map((i) => i.id);
  article.append(alternatesForm(id, ids), draftForm(id, ids, group.label));
  return article;
}

function labelled(id, text, control) {
  const label = el("label", text);
  label.htmlFor = id;
  control.id = id;
  return [label, control];
}

function alternatesForm(id, itemIds) {
  const form = el("form", undefined, "row");
  const select = el("select");
  for (const entry of entries) {
    const option = el("option", `${entry.faq_id} – ${entry.question}`);
    option.value = entry.faq_id;
    select.append(option);
  }
  const button = el("button", "Lägg till som alternativa frågor");
  button.type = "submit";
  form.append(...labelled(`${id}-entry`, "Befintlig post", select), button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("/api/hr/queue/alternates", {
      method: "POST",
      body: JSON.stringify({ item_ids: itemIds, faq_id: select.value }),
    });
    if (!result.ok) return fail(result);
    say(`${result.body.added.length} alternativa frågor tillagda i ${result.body.file}; ${result.body.skipped.length} fanns redan.`);
    await refresh();
  });
  return form;
}

function draftForm(id, itemIds, label) {
  const form = el("form", undefined, "row");
  const entryId = el("input");
  entryId.type = "text";
  entryId.required = true;
  entryId.pattern = "[a-z0-9][a-z0-9_\\-]{0,60}";
  entryId.title = "Små bokstäver a–z, siffror, bindestreck och understreck";
  const question = el("input");
  question.type = "text";
  question.required = true;
  question.maxLength = 300;
  question.value = label;
  const topic = el("select");
  for (const name of [...new Set(entries.map((e) => e.topic))].sort()) {
    const option = el("option", name);
    option.value = name;
    topic.append(option);
  }
  const button = el("button", "Skapa utkast till ny post");
  button.type = "submit";
  form.append(
    ...labelled(`${id}-id`, "Id för ny post", entryId),
    ...labelled(`${id}-question`, "Huvudfråga", question),
    ...labelled(`${id}-topic`, "Ämne", topic),
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("/api/hr/queue/draft", {
      method: "POST",
      body: JSON.stringify({ item_ids: itemIds, entry_id: entryId.value, question: question.value, topic: topic.value }),
    });
    if (!result.ok) return fail(result);
    say(`Utkast sparat i ${result.body.file}. Skriv svaret och ta bort raden ”status: draft” för att publicera.`);
    await refresh();
  });
  return form;
}

async function closeItem(itemId, action) {
  const result = await api(`/api/hr/queue/items/${itemId}/${action}`, { method: "POST", body: "{}" });
  if (!result.ok) return fail(result);
  say(action === "resolve" ? "Frågan är markerad som hanterad." : "Frågan är kastad.");
  await refresh();
}

async function refresh() {
  $("error").textContent = "";
  await loadFigures();
  await Promise.all([loadQueue(), session && session.is_admin ? loadAudit() : null]);
}

async function loadStatistics() {
  const result = await api("/api/statistics/agreements");
  const target = $("statistics");
  target.replaceChildren();
  if (!result.ok) {
    target.append(el("p", result.body && result.body.detail ? result.body.detail : "Statistiken kunde inte hämtas."));
    return;
  }
  for (const [key, caption] of Object.entries(STATISTICS)) {
    const section = result.body[key] || {};
    target.append(table(caption, ["Värde", "Antal"], Object.entries(section), [1]));
  }
}

async function loadAudit() {
  const result = await api("/api/hr/audit?limit=100");
  const target = $("audit");
  target.replaceChildren();
  if (!result.ok) return fail(result);
  const rows = result.body.map((r) => [
    r.at.replace("T", " ").slice(0, 19),
    `${r.actor} (${r.role})`,
    r.action,
    r.target,
    r.before_hash ? r.before_hash.slice(0, 12) : "–",
    r.after_hash ? r.after_hash.slice(0, 12) : "–",
  ]);
  target.append(table("De senaste 100 ändringarna, nyast först", ["När", "Vem", "Vad", "Mål", "Före (SHA-256)", "Efter (SHA-256)"], rows));
}

$("try-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const target = $("try-result");
  const result = await api("/api/hr/try", {
    method: "POST",
    body: JSON.stringify({ question: $("try-question").value }),
  });
  target.replaceChildren();
  if (!result.ok) return fail(result);
  const reply = result.body;
  const t = reply.thresholds;
  const answered = el("blockquote", reply.text);
  answered.className = "tried-reply";
  const why = [
    `Beslut: ${KINDS[reply.kind] || reply.kind}${reply.faq_id ? ` (${reply.faq_id})` : ""}.`,
    `Om distansarbete: ${percent(reply.in_scope)} (gräns ${percent(t.in_scope)}).`,
    reply.rasa_reachable
      ? `Rasa: ${reply.rasa_intent || "–"} ${percent(reply.rasa_confidence || 0)}, utanför ämnet ${percent(reply.rasa_out_of_scope)}.`
      : "Rasa svarade inte: chatten svarar då i begränsat läge, och så gör den här provningen.",
    `Gränser: svar ≥ ${t.answer}, ”Menade du” ≥ ${t.clarify}, marginal ${t.margin}${reply.siblings ? ` (syskonposter: ${t.sibling_margin})` : ""}.`,
  ];
  if (reply.searched) why.push(`Sökt text: ”${reply.searched}”.`);
  target.append(
    el("h3", "Svaret användaren skulle få"),
    answered,
    ...(reply.buttons.length ? [el("p", `Knappar: ${reply.buttons.join(" · ")}`)] : []),
    el("h3", "Varför"),
    ...why.map((line) => el("p", line)),
    table(
      "Rangordnade poster med poäng (med Rasas ämnesbedömning, som i chatten)",
      ["Post", "Fråga", "Sammanvägd", "Inbäddning", "Ordmatchning"],
      reply.hits.map((h) => [h.faq_id, h.question, h.score.toFixed(3), h.embedding.toFixed(3), h.lexical.toFixed(3)]),
      [2, 3, 4],
    ),
  );
});

function percent(value) {
  return `${Math.round(value * 100)} %`;
}

$("reload-queue").addEventListener("click", () => refresh());

loadDemoUsers().then(start);
