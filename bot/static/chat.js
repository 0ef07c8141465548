// Distansguiden chat page: plain DOM, no third-party code. Text is always inserted as text;
// only markdown links are turned into <a> elements, and only for http(s) and mailto targets.
"use strict";

const log = document.getElementById("log");
const form = document.getElementById("ask");
const input = document.getElementById("message");
const statusLine = document.getElementById("status");
const conversationId = sessionStorage.getItem("dg-conversation") || newConversationId();
sessionStorage.setItem("dg-conversation", conversationId);

function newConversationId() {
  return "c-" + crypto.randomUUID();
}

function appendText(parent, text) {
  const link = /\[([^\]]+)\]\(((?:https?:|mailto:)[^)\s]+)\)/g;
  let last = 0;
  for (const match of text.matchAll(link)) {
    parent.append(text.slice(last, match.index));
    const a = document.createElement("a");
    a.textContent = match[1];
    a.href = match[2];
    a.rel = "noopener noreferrer";
    parent.append(a);
    last = match.index + match[0].length;
  }
  parent.append(text.slice(last));
}

function show(role, text, buttons) {
  const item = document.createElement("div");
  item.className = "message " + role;
  appendText(item, text);
  if (buttons && buttons.length) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", () => send(b.payload, b.title));
      row.append(button);
    }
    item.append(row);
  }
  log.append(item);
  item.scrollIntoView({ block: "end" });
}

async function send(message, shownAs) {
  show("user", shownAs || message);
  statusLine.textContent = "Assistenten skriver …";
  try {
    const response = await fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation_id: conversationId, message }),
    });
    const body = await response.json();
    statusLine.textContent = "";
    if (!response.ok) {
      statusLine.textContent = body.detail || "Något gick fel.";
      return;
    }
    for (const m of body.messages) show("bot", m.text, m.buttons);
  } catch (error) {
    statusLine.textContent = "Assistenten går inte att nå just nu. Försök igen om en stund.";
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  send(text);
});
