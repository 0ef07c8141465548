// Distansguiden HR page: the review queue, one row per group of similar questions, opened for
// each wording once and the group's actions. Loaded after hr.js, whose helpers (el, api, word,
// count, say, fail, labelled, questionOf, refresh) and state (session, entries) it uses.
"use strict";

// Groups shown before "Visa alla": the largest come first, the long tail waits.
const GROUPS_SHOWN = 12;
let groupsShown = GROUPS_SHOWN;
// Groups the user opened stay open when the queue reloads (by the group's oldest question).
const openGroups = new Set();

// --- The review queue: one row per group, opened for its questions and actions --------------
async function loadQueue() {
  const result = await api("/api/hr/queue");
  const target = $("queue");
  target.replaceChildren();
  if (!result.ok) return fail(result);
  const groups = result.body.groups;
  $("queue-summary").textContent = groups.length
    ? `${result.body.open} öppna frågor i ${groups.length} grupper.`
    : "Kön är tom.";
  groups.slice(0, groupsShown).forEach((group) => target.append(renderGroup(group)));
  const more = $("more-groups");
  more.hidden = groups.length <= groupsShown;
  more.textContent = `Visa alla ${groups.length} grupper`;
}

function renderGroup(group) {
  const id = `group-${group.key}`;
  const item = el("li", undefined, "group");
  const details = el("details");
  details.open = openGroups.has(group.key);
  const body = groupBody(id, group);
  details.addEventListener("toggle", () => {
    if (!details.open) return openGroups.delete(group.key);
    openGroups.add(group.key);
    body.suggest();
  });
  const summary = el("summary");
  const reasons = Object.entries(group.reasons).map(([code, n]) => `${word("queue_reasons", code)} ${n}`);
  summary.append(
    el("span", group.label, "group-label"),
    " ",
    el("span", count(group.count, "fråga", "frågor"), "tally"),
    " ",
    el("span", reasons.join(" · "), "reason"),
  );
  summary.id = `${id}-label`;
  details.append(summary, body);
  item.append(details);
  if (details.open) body.suggest();
  if (session && session.is_admin) item.append(closeButtons(group));
  return item;
}

function groupBody(id, group) {
  const body = el("div", undefined, "group-body");
  const list = el("ul", undefined, "wordings");
  for (const wording of group.wordings) {
    const li = el("li");
    li.append(el("span", wording.text));
    if (wording.count > 1) li.append(" ", el("span", `× ${wording.count}`, "tally"));
    list.append(li);
  }
  body.append(list);
  if (group.faq_ids.length) body.append(el("p", `Fick svar från: ${group.faq_ids.map(questionOf).join("; ")}`, "reason"));
  const ids = group.items.map((i) => i.id);
  const alternates = alternatesForm(id, ids, group);
  body.append(alternates, draftForm(id, ids, group.label));
  body.suggest = alternates.suggest;
  return body;
}

// One click closes the whole group; an admin's action, like closing one question.
function closeButtons(group) {
  const box = el("div", undefined, "group-actions");
  for (const [action, text, title, done] of [
    ["resolve", "Hanterad", "Markera gruppen som hanterad", "markerade som hanterade"],
    ["discard", "Kasta", "Kasta gruppen", "kastade"],
  ]) {
    const button = el("button", text);
    button.type = "button";
    button.setAttribute("aria-label", `${title}: ${group.label} (${count(group.count, "fråga", "frågor")})`);
    button.addEventListener("click", async () => {
      const result = await api("/api/hr/queue/close", {
        method: "POST",
        body: JSON.stringify({ item_ids: group.items.map((i) => i.id), action }),
      });
      if (!result.ok) return fail(result);
      say(`${count(result.body.item_ids.length, "fråga", "frågor")} ${done}: ”${group.label}”.`);
      await refresh();
      $("queue-summary").focus();
    });
    box.append(button);
  }
  return box;
}

// No entry is chosen for HR: the closest ones come first, as suggestions.
function alternatesForm(id, itemIds, group) {
  const form = el("form", undefined, "row");
  const select = el("select");
  select.required = true;
  const none = el("option", "Välj post …");
  none.value = "";
  select.append(none);
  const all = el("optgroup");
  all.label = "Alla poster";
  for (const entry of [...entries].sort((a, b) => a.question.localeCompare(b.question, "sv"))) {
    const option = el("option", entry.question);
    option.value = entry.faq_id;
    all.append(option);
  }
  select.append(all);
  // Asked for when the group is opened: each costs the server one encoding.
  let suggested = null;
  form.suggest = async () => {
    if (suggested) return;
    suggested = el("optgroup");
    suggested.label = "Närmast frågorna";
    const result = await api(`/api/hr/queue/items/${group.label_item_id}/suggestions`);
    if (!result.ok || !result.body.length) return;
    for (const s of result.body) {
      const option = el("option", s.question);
      option.value = s.faq_id;
      suggested.append(option);
    }
    const chosen = select.value;
    select.insertBefore(suggested, all);
    select.value = chosen;
  };
  select.value = "";
  const button = el("button", `Lägg till ${count(group.wordings.length, "formulering", "formuleringar")}`);
  button.type = "submit";
  form.append(...labelled(`${id}-entry`, "Som alternativa frågor i", select), button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("/api/hr/queue/alternates", {
      method: "POST",
      body: JSON.stringify({ item_ids: itemIds, faq_id: select.value }),
    });
    if (!result.ok) return fail(result);
    const added = result.body.added.length;
    say(`${count(added, "alternativ fråga", "alternativa frågor")} tillagda i ”${questionOf(select.value)}”; ${result.body.skipped.length} fanns redan.`);
    await refresh();
    $("queue-summary").focus();
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
  entryId.autocomplete = "off";
  const question = el("input");
  question.type = "text";
  question.required = true;
  question.maxLength = 300;
  question.value = label;
  const topic = el("select");
  topic.required = true;
  const none = el("option", "Välj ämne …");
  none.value = "";
  topic.append(none);
  for (const code of [...new Set(entries.map((e) => e.topic))].sort((a, b) => word("topics", a).localeCompare(word("topics", b), "sv"))) {
    const option = el("option", word("topics", code));
    option.value = code;
    topic.append(option);
  }
  const button = el("button", "Skapa utkast till ny post");
  button.type = "submit";
  form.append(
    ...labelled(`${id}-id`, "Filnamn för ny post", entryId),
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
    say(`Utkast sparat i ${result.body.file}. Skriv svaret och publicera posten.`);
    await refresh();
    $("queue-summary").focus();
  });
  return form;
}

$("more-groups").addEventListener("click", () => {
  groupsShown = Number.MAX_SAFE_INTEGER;
  loadQueue();
});
