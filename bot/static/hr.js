// Distansguiden HR page: plain DOM, no third-party code. Everything from the server is inserted
// with textContent, never as HTML, because queue questions are typed by users. Charts come drawn
// as SVG from the server and are shown as images (a data: URL, which runs no script), each with
// its description as alternative text and its rows as a table.
"use strict";

const KINDS = {
  answer: "Svarar",
  clarify: "Frågar ”Menade du …?”",
  unknown: "Har inget svar",
  out_of_scope: "Inte om distansarbete: säger vem man kan fråga",
  withheld: "Svaret granskas och visas inte",
};
let session = null;
let labels = {};
let entries = [];

// The Swedish word for a code (GET /api/hr/labels); an unlisted code says so, in Swedish.
function word(kind, code) {
  const known = labels[kind] && labels[kind][code];
  return known || `Okänt värde (${code})`;
}

function reason(result) {
  return `${result.body && result.body.detail ? result.body.detail : "Något gick fel."} (${result.status})`;
}

function fail(result, target = "error") {
  $(target).textContent = reason(result);
}

// A file from the API (a PDF, a CSV), fetched with the demo user's header and saved under the
// name the server gives it.
async function download(path, errorTarget) {
  $(errorTarget).textContent = "";
  const response = await fetch(path, { headers: demoHeaders() });
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    fail({ status: response.status, body }, errorTarget);
    return;
  }
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  const url = URL.createObjectURL(await response.blob());
  const link = el("a");
  link.href = url;
  link.download = match ? match[1] : "fil";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
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
      const node = cell instanceof Node ? cell : null;
      const tag = i === 0 ? "th" : "td";
      const cellNode = el(tag, node ? undefined : cell, !node && numeric.includes(i) ? "number" : undefined);
      if (node) cellNode.append(node);
      if (i === 0) cellNode.scope = "row";
      tr.append(cellNode);
    });
    body.append(tr);
  }
  t.append(head, body);
  return t;
}

// A wide table scrolls sideways inside its box; focusable so the keyboard can scroll it.
function scrolling(label, content) {
  const box = el("div", undefined, "scroll");
  box.tabIndex = 0;
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", label);
  box.append(content);
  return box;
}

// A server-drawn chart: the image with its description, and the same rows as a table.
function chartFigure(chart) {
  const figure = el("figure", undefined, "chart");
  const image = el("img");
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(chart.svg)}`;
  image.alt = chart.description;
  const rows = chart.rows.map((row) => [row.label, ...(chart.series.length > 1 ? row.values : []), row.text]);
  const headings = ["", ...(chart.series.length > 1 ? chart.series : []), "Antal"];
  const details = el("details");
  details.append(el("summary", "Visa som tabell"), scrolling(chart.title, table(chart.title, headings, rows)));
  figure.append(el("figcaption", chart.title), image, details);
  return figure;
}

async function loadLabels() {
  const result = await api("/api/hr/labels");
  if (result.ok) labels = result.body;
}

async function loadDemoUsers() {
  const result = await api("/api/demo-users");
  if (!result.ok) return;
  await loadLabels();
  const select = $("demo-user");
  for (const user of result.body) {
    const option = el("option", `${user.name} (${word("roles", user.role)})`);
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
  await loadLabels();
  $("who").textContent = `Inloggad: ${session.name} (${session.role_label})`;
  $("content").hidden = false;
  $("audit-section").hidden = !session.is_admin;
  await loadFigures();
  await Promise.all([
    loadQueue(),
    loadFaqStatus(),
    window.hrAgreements ? window.hrAgreements.start() : null,
    window.hrDeliveries ? window.hrDeliveries.start(session.is_admin) : null,
    session.is_admin ? loadAudit() : null,
  ]);
}

function count(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function questionOf(faqId) {
  const entry = entries.find((e) => e.faq_id === faqId);
  return entry ? entry.question : faqId;
}

// A label and its control kept together when the row wraps.
function labelled(id, text, control) {
  const field = el("span", undefined, "field");
  const label = el("label", text);
  label.htmlFor = id;
  control.id = id;
  field.append(label, control);
  return [field];
}

// --- What HR must fix in the content: rejected files and passed review dates ------------------
async function loadFaqStatus() {
  const result = await api("/api/hr/faq-status");
  const rejected = $("rejected");
  const overdue = $("overdue");
  rejected.replaceChildren();
  overdue.replaceChildren();
  if (!result.ok) return fail(result);
  const status = result.body;
  if (status.rejected.length) {
    rejected.append(el("h3", "Filer som inte kunde laddas"));
    const byFile = new Map();
    for (const problem of status.rejected) {
      if (!byFile.has(problem.file)) byFile.set(problem.file, []);
      byFile.get(problem.file).push(problem);
    }
    const list = el("ul");
    for (const [file, problems] of byFile) {
      const item = el("li");
      const kept = problems[0].previous_version_served ? "Den förra versionen visas fortfarande." : "Filen visas inte alls.";
      const messages = el("ul");
      for (const p of problems) messages.append(el("li", `Rad ${p.line}: ${p.message}`));
      item.append(el("strong", file), " ", el("span", kept), messages);
      list.append(item);
    }
    rejected.append(list);
  }
  if (status.review_overdue.length) {
    const shown = status.overdue_withheld ? "De visas inte i chatten förrän de granskats." : "De visas fortfarande i chatten.";
    overdue.append(el("h3", "Svar som har passerat sitt granskningsdatum"), el("p", shown));
    const list = el("ul");
    for (const entry of status.review_overdue) list.append(el("li", `${entry.question} (granska senast ${entry.review_by})`));
    overdue.append(list);
  }
  $("faq-status").hidden = !status.rejected.length && !status.review_overdue.length;
}

// --- Figures per entry, named by their question ---------------------------------------------
async function loadFigures() {
  const [result, chart] = await Promise.all([api("/api/hr/figures"), api("/api/hr/charts/figures")]);
  const target = $("figures");
  target.replaceChildren();
  $("figures-chart").replaceChildren();
  if (!result.ok) return fail(result);
  entries = result.body;
  if (chart.ok) $("figures-chart").append(chartFigure(chart.body));
  const rows = [...entries]
    .sort((a, b) => b.current_version.served - a.current_version.served || a.question.localeCompare(b.question, "sv"))
    .map((e) => [
      e.question,
      word("topics", e.topic),
      e.current_version.served,
      e.current_version.helpful,
      e.current_version.not_helpful,
      e.review_overdue ? `${e.review_by} (passerat)` : e.review_by,
      sinceText(e),
    ]);
  const details = el("details");
  details.append(
    el("summary", `Alla ${entries.length} poster i en tabell, med granskningsdatum`),
    scrolling(
      "Svar per post, kan rullas i sidled",
      table(
        "Sedan senaste ändringen av posten: visade svar och omdömen",
        ["Fråga", "Ämne", "Visad", "Tumme upp", "Tumme ned", "Granskas senast", "Räknas sedan"],
        rows,
        [2, 3, 4],
      ),
    ),
  );
  target.append(details);
}

function sinceText(entry) {
  if (entry.since.edited_at) return `ändrad ${entry.since.edited_at.slice(0, 10)}`;
  const first = entry.since.first_counted_at ? entry.since.first_counted_at.slice(0, 10) : "inget visat än";
  return `granskad ${entry.since.reviewed}, första visning ${first}`;
}

async function refresh() {
  $("error").textContent = "";
  await loadFigures();
  await Promise.all([loadQueue(), loadFaqStatus(), session && session.is_admin ? loadAudit() : null]);
}

// --- The audit trail, in words -----------------------------------------------------------------
function targetText(target) {
  const file = /^faq\/(.+)\.md$/.exec(target);
  if (file) {
    const entry = entries.find((e) => e.faq_id === file[1]);
    return entry ? `${entry.question} (${target})` : target;
  }
  const item = /^review_item:(\d+)$/.exec(target);
  if (item) return `Fråga ${item[1]} i kön`;
  const notice = /^notification:(\d+)$/.exec(target);
  if (notice) return `Teams-meddelande ${notice[1]} som inte kom fram`;
  const message = /^outbox:(\d+)$/.exec(target);
  if (message) return `E-post eller kalenderhändelse ${message[1]} som inte kom fram`;
  const user = /^user:/.exec(target);
  return user ? "En användare (namnet sparas inte)" : target;
}

async function loadAudit() {
  const result = await api("/api/hr/audit?limit=100");
  const target = $("audit");
  target.replaceChildren();
  if (!result.ok) return fail(result);
  const rows = result.body.map((r) => [
    r.at.replace("T", " ").slice(0, 16),
    `${r.actor} (${word("roles", r.role)})`,
    word("audit_actions", r.action),
    targetText(r.target),
    r.after_hash ? r.after_hash.slice(0, 12) : "–",
  ]);
  const details = el("details");
  details.append(
    el("summary", `De senaste ${rows.length} ändringarna`),
    scrolling(
      "Ändringsloggen, kan rullas i sidled",
      table("Nyast först; kontrollsumman är filens eller frågans SHA-256 efter ändringen", ["När", "Vem", "Vad", "Vad ändrades", "Kontrollsumma"], rows),
    ),
  );
  target.append(details);
}

// --- "Prova en fråga" --------------------------------------------------------------------------
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
  const topic = reply.rasa_intent && reply.rasa_intent.startsWith("faq_") ? word("topics", reply.rasa_intent.slice(4)) : "inget FAQ-ämne";
  const why = [
    `Beslut: ${KINDS[reply.kind] || reply.kind}${reply.faq_id ? ` (${questionOf(reply.faq_id)}, ${reply.faq_id})` : ""}.`,
    `Om distansarbete: ${percent(reply.in_scope)} (gräns ${percent(t.in_scope)})${reply.names_remote_work ? "; frågan nämner distansarbete och släpps alltid igenom" : ""}.`,
    reply.rasa_reachable
      ? `Rasa: ${topic} ${percent(reply.rasa_confidence || 0)}, utanför ämnet ${percent(reply.rasa_out_of_scope)}.`
      : "Rasa svarade inte: chatten svarar då i begränsat läge, och så gör den här provningen.",
    `Gränser: svar ≥ ${t.answer}, ”Menade du” ≥ ${t.clarify}, marginal ${t.margin}${reply.siblings ? ` (syskonposter: ${t.sibling_margin})` : ""}.`,
  ];
  if (reply.at_the_workplace) {
    why.push("Frågan gäller arbetsplatsen och nämner inte hemmet: bara poster om arbetsplatsen kan svara.");
  }
  if (reply.stance_topic) {
    const by = reply.stance_learned
      ? "exemplen på vem som vill ha distansarbetet (frågan gav ingen tydlig ledtråd)"
      : "frågans ledtrådar";
    why.push(`Syskonposterna avgjordes av ${by}: ${word("topics", reply.stance_topic)}.`);
  } else if (reply.siblings) {
    why.push("Frågan ger ingen ledtråd som skiljer syskonposterna åt.");
  }
  if (reply.searched) why.push(`Sökt text: ”${reply.searched}”.`);
  target.append(
    el("h3", "Svaret användaren skulle få"),
    answered,
    ...(reply.buttons.length ? [el("p", `Knappar: ${reply.buttons.join(" · ")}`)] : []),
    el("h3", "Varför"),
    ...why.map((line) => el("p", line)),
    scrolling(
      "Rangordnade poster, kan rullas i sidled",
      table(
        "Rangordnade poster med poäng (med Rasas ämnesbedömning, som i chatten)",
        ["Fråga", "Sammanvägd", "Inbäddning", "Ordmatchning"],
        reply.hits.map((h) => [`${h.question} (${h.faq_id})`, h.score.toFixed(3), h.embedding.toFixed(3), h.lexical.toFixed(3)]),
        [1, 2, 3],
      ),
    ),
  );
});

function percent(value) {
  return `${Math.round(value * 100)} %`;
}

$("reload-queue").addEventListener("click", () => refresh());

loadDemoUsers().then(start);
