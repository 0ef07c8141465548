// What the HR pages share: the element helpers, the demo user of local mode, and the API call
// that answers every failure, the network's included, with a Swedish message. Plain DOM.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function demoUser() {
  return sessionStorage.getItem("dg-hr-demo-user") || "";
}

function demoHeaders() {
  return demoUser() ? { "X-Demo-User": demoUser() } : {};
}

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json", ...demoHeaders() };
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch {
    return { ok: false, status: 0, body: { detail: "Servern svarar inte. Kontrollera anslutningen och försök igen." } };
  }
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
