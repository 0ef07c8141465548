// Distansguiden's chat, mounted by the standalone page (/) and by the embedded widget (widget.js).
// No third-party code. The only HTML inserted as HTML is the server's sanitised `html` field of a
// bot message (bot/rendering.py); everything else goes in as text.
(function () {
  "use strict";

  // The app's root, from this script's own address: the embedded widget talks to the app that
  // served it, not to the page it sits on.
  const BASE = new URL("../", document.currentScript.src);
  const HISTORY_KEY = "distansguiden-chat";
  const LANGUAGE_KEY = "distansguiden-language";
  const MAX_ENTRIES = 200; // keeps a long session within sessionStorage's few megabytes

  const STRINGS = {
    sv: {
      pageTitle: "Distansguiden – frågor om distansarbete",
      title: "Distansguiden",
      intro: "Fråga om regionens regler för distansarbete.",
      log: "Konversation",
      you: "Du:",
      assistant: "Assistenten:",
      label: "Din fråga",
      send: "Skicka",
      otherLanguage: "English",
      close: "Stäng",
      open: "Frågor om distansarbete?",
      typing: "Assistenten skriver…",
      quickReplies: "Svarsalternativ",
      source: "Källa",
      download: "Ladda ner",
      feedback: "Var svaret till hjälp?",
      yes: "Ja",
      no: "Nej",
      helpful: "Ja, svaret hjälpte",
      notHelpful: "Nej, svaret hjälpte inte",
      thanks: "Tack för din återkoppling!",
      feedbackFailed: "Din återkoppling kunde inte sparas just nu. Försök gärna igen senare.",
      unreachable:
        "Assistenten går inte att nå just nu. Din fråga finns kvar – försök igen om en stund.",
      tooMany: (seconds) =>
        `Du har skickat många frågor på kort tid. Vänta ${seconds} sekunder och försök igen.`,
      busy: (seconds) =>
        `Assistenten har många frågor just nu. Din fråga finns kvar – skicka den igen om ${seconds} sekunder.`,
      failed: "Något gick fel. Försök igen.",
    },
    en: {
      pageTitle: "Distansguiden – questions about remote work",
      title: "Distansguiden",
      intro: "Ask about the region's rules for remote work.",
      log: "Conversation",
      you: "You:",
      assistant: "Assistant:",
      label: "Your question",
      send: "Send",
      otherLanguage: "Svenska",
      close: "Close",
      open: "Questions about remote work?",
      typing: "The assistant is typing…",
      quickReplies: "Suggested replies",
      source: "Source",
      download: "Download",
      feedback: "Was the answer helpful?",
      yes: "Yes",
      no: "No",
      helpful: "Yes, the answer helped",
      notHelpful: "No, the answer did not help",
      thanks: "Thank you for your feedback!",
      feedbackFailed: "Your feedback could not be saved right now. Please try again later.",
      unreachable:
        "The assistant cannot be reached right now. Your question is kept – please try again shortly.",
      tooMany: (seconds) =>
        `You have sent many questions in a short time. Wait ${seconds} seconds and try again.`,
      busy: (seconds) =>
        `The assistant is busy right now. Your question is kept – send it again in ${seconds} seconds.`,
      failed: "Something went wrong. Please try again.",
    },
  };

  let language = readStorage(localStorage, LANGUAGE_KEY) === "en" ? "en" : "sv";

  function text(key, arg, lang) {
    const value = STRINGS[lang || language][key];
    return typeof value === "function" ? value(arg) : value;
  }

  // Both languages at once, so that a notice already on screen can follow a language switch.
  function bilingual(key, arg) {
    return { sv: text(key, arg, "sv"), en: text(key, arg, "en") };
  }

  function readStorage(storage, key) {
    try {
      return storage.getItem(key);
    } catch (error) {
      return null; // storage switched off: the chat still works, it just forgets
    }
  }

  function writeStorage(storage, key, value) {
    try {
      storage.setItem(key, value);
    } catch (error) {
      // storage full or switched off
    }
  }

  function newConversationId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs https
    return "c-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function loadHistory() {
    try {
      const saved = JSON.parse(readStorage(sessionStorage, HISTORY_KEY));
      if (saved && typeof saved.conversationId === "string" && Array.isArray(saved.entries)) {
        return saved;
      }
    } catch (error) {
      // unreadable history: start afresh
    }
    return { conversationId: newConversationId(), lastQuestion: "", entries: [] };
  }

  // el("p", {className: "x", text: "…", "aria-label": "…"}, child, …); never sets HTML.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value);
    }
    node.append(...children);
    return node;
  }

  // Text that follows the language switch: data-dg-text sets the text, data-dg-label the label.
  function translated(tag, key, props) {
    return el(tag, { ...props, "data-dg-text": key, text: text(key) });
  }

  const SVG = "http://www.w3.org/2000/svg";
  const THUMB =
    "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.3c0-.41-.17-.79-.44-1.06L14.17 " +
    "1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c" +
    ".09-.23.14-.47.14-.73v-2z";

  function thumbIcon(downwards) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "dg-icon");
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", THUMB);
    path.setAttribute("fill", "currentColor");
    if (downwards) path.setAttribute("transform", "rotate(180 12 12)");
    svg.append(path);
    return svg;
  }

  let mounted = 0;

  function mount(container, options) {
    const standalone = !options || !options.onClose;
    const id = "dg-" + ++mounted;
    const history = loadHistory();
    let busy = false;
    let notice = null;
    let votes = 0;

    const heading = translated(standalone ? "h1" : "h2", "title", { id: id + "-title" });
    const languageButton = el("button", { type: "button", className: "dg-language" });
    const header = el("div", { className: "dg-header" }, heading, languageButton);
    if (!standalone) {
      const close = translated("button", "close", { type: "button", className: "dg-close" });
      close.addEventListener("click", options.onClose);
      header.append(close);
    }
    const log = el("div", {
      className: "dg-log",
      role: "log",
      "aria-live": "polite",
      "data-dg-label": "log",
    });
    const typing = el(
      "div",
      { className: "dg-typing", hidden: "", "aria-hidden": "true" },
      el("span", { className: "dg-dot" }),
      el("span", { className: "dg-dot" }),
      el("span", { className: "dg-dot" }),
    );
    const status = el("p", { className: "dg-visually-hidden", role: "status" });
    const alertLine = el("p", { className: "dg-alert", role: "alert" });
    const input = el("input", {
      id: id + "-input",
      type: "text",
      maxlength: "2000",
      autocomplete: "off",
      className: "dg-input",
    });
    const form = el(
      "form",
      { className: "dg-ask" },
      translated("label", "label", { for: input.id }),
      el("div", { className: "dg-row" }, input, translated("button", "send", { type: "submit" })),
    );
    const root = el(
      "section",
      { className: "dg-chat", "aria-labelledby": heading.id },
      header,
      translated("p", "intro", { className: "dg-intro" }),
      log,
      typing,
      status,
      alertLine,
      form,
    );
    container.append(root);

    function save() {
      history.entries = history.entries.slice(-MAX_ENTRIES);
      writeStorage(sessionStorage, HISTORY_KEY, JSON.stringify(history));
    }

    function applyLanguage() {
      root.lang = language;
      if (standalone) {
        document.documentElement.lang = language;
        document.title = text("pageTitle");
      }
      for (const node of root.querySelectorAll("[data-dg-text]")) {
        node.textContent = text(node.getAttribute("data-dg-text"));
      }
      for (const node of root.querySelectorAll("[data-dg-label]")) {
        node.setAttribute("aria-label", text(node.getAttribute("data-dg-label")));
      }
      const other = language === "sv" ? "en" : "sv";
      languageButton.textContent = text("otherLanguage");
      languageButton.lang = other;
      alertLine.textContent = notice ? notice[language] : "";
      if (busy) status.textContent = text("typing");
      root.dispatchEvent(new CustomEvent("dg-language", { bubbles: true, detail: language }));
    }

    languageButton.addEventListener("click", () => {
      language = language === "sv" ? "en" : "sv";
      writeStorage(localStorage, LANGUAGE_KEY, language);
      applyLanguage();
    });

    function showNotice(message) {
      notice = message;
      alertLine.textContent = message ? message[language] : "";
    }

    function setBusy(value) {
      busy = value;
      log.setAttribute("aria-busy", String(value));
      typing.hidden = !value;
      status.textContent = value ? text("typing") : "";
    }

    function renderUser(entry) {
      const item = el(
        "div",
        { className: "dg-message dg-user" },
        translated("span", "you", { className: "dg-visually-hidden" }),
        el("p", { text: entry.text }),
      );
      log.append(item);
      return item;
    }

    function renderBot(entry, withQuickReplies) {
      const body = el("div", { className: "dg-body" });
      if (typeof entry.html === "string") body.innerHTML = entry.html; // sanitised by the server
      else body.append(el("p", { text: entry.text }));
      const item = el(
        "div",
        { className: "dg-message dg-bot" },
        translated("span", "assistant", { className: "dg-visually-hidden" }),
        body,
      );
      if (entry.source) {
        item.append(
          el(
            "p",
            { className: "dg-source" },
            translated("span", "source"),
            ": " + entry.source,
          ),
        );
      }
      const link = typeof entry.link === "string" && /^\/[^/\\]/.test(entry.link) ? entry.link : "";
      if (link) {
        const name = link.split("/").pop();
        item.append(
          el(
            "p",
            { className: "dg-download" },
            el(
              "a",
              { href: new URL(link.slice(1), BASE).href, download: name },
              translated("span", "download"),
              " " + name,
            ),
          ),
        );
      }
      if (entry.kind === "answer" && entry.faq_id) item.append(feedbackButtons(entry));
      if (withQuickReplies && entry.buttons && entry.buttons.length) {
        const row = el("div", { className: "dg-quick", role: "group" });
        row.setAttribute("data-dg-label", "quickReplies");
        row.setAttribute("aria-label", text("quickReplies"));
        for (const button of entry.buttons) {
          const quick = el("button", { type: "button", text: button.title });
          quick.addEventListener("click", () => ask(button.payload, button.title, false));
          row.append(quick);
        }
        item.append(row);
      }
      log.append(item);
    }

    function feedbackButtons(entry) {
      const up = thumb("helpful", "yes", false, entry.vote === "up");
      const down = thumb("notHelpful", "no", true, entry.vote === "down");
      const note = el("span", { className: "dg-note" });
      const question = translated("span", "feedback", { id: id + "-q" + ++votes });
      const group = el(
        "div",
        { className: "dg-feedback", role: "group", "aria-labelledby": question.id },
        question,
        up,
        down,
        note,
      );
      if (entry.vote) {
        up.disabled = down.disabled = true;
        note.setAttribute("data-dg-text", "thanks");
        note.textContent = text("thanks");
      }
      up.addEventListener("click", () => vote(entry, true, up, down, note));
      down.addEventListener("click", () => vote(entry, false, down, up, note));
      return group;
    }

    // The visible word ("Ja") starts the accessible name ("Ja, svaret hjälpte"), as WCAG 2.5.3
    // asks; the thumb is drawn with SVG because emoji fonts are not everywhere.
    function thumb(labelKey, wordKey, downwards, pressed) {
      const button = el(
        "button",
        { type: "button", className: "dg-thumb", "aria-pressed": String(pressed) },
        thumbIcon(downwards),
        translated("span", wordKey),
      );
      button.setAttribute("data-dg-label", labelKey);
      button.setAttribute("aria-label", text(labelKey));
      return button;
    }

    async function vote(entry, helpful, chosen, other, note) {
      chosen.disabled = other.disabled = true;
      let saved = false;
      try {
        const response = await fetch(new URL("api/feedback", BASE), {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            conversation_id: history.conversationId,
            faq_id: entry.faq_id,
            question: entry.question,
            helpful,
          }),
        });
        saved = response.ok;
      } catch (error) {
        saved = false;
      }
      const key = saved ? "thanks" : "feedbackFailed";
      note.setAttribute("data-dg-text", key);
      note.textContent = text(key);
      if (saved) {
        entry.vote = helpful ? "up" : "down";
        chosen.setAttribute("aria-pressed", "true");
        save();
      } else {
        chosen.disabled = other.disabled = false;
      }
      if (document.activeElement === document.body) input.focus();
    }

    async function ask(message, shown, typed) {
      if (busy) return;
      showNotice(null);
      setBusy(true);
      const pending = renderUser({ text: shown });
      pending.scrollIntoView({ block: "nearest" });
      let response = null;
      let body = null;
      try {
        response = await fetch(new URL("api/chat", BASE), {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ conversation_id: history.conversationId, message }),
        });
        body = await response.json();
      } catch (error) {
        body = null; // no connection, or not the app's JSON (a proxy's error page)
      }
      setBusy(false);
      if (!response || !response.ok || !body || !Array.isArray(body.messages)) {
        pending.remove();
        showNotice(failure(response, body));
        if (typed && !input.value) input.value = shown;
        if (document.activeElement === document.body) input.focus();
        return;
      }
      if (typed) history.lastQuestion = shown;
      history.entries.push({ role: "user", text: shown });
      for (const row of log.querySelectorAll(".dg-quick")) row.remove();
      for (const m of body.messages) {
        const entry = {
          role: "bot",
          text: m.text,
          html: m.html,
          buttons: m.buttons || [],
          faq_id: m.faq_id,
          source: m.source,
          kind: m.kind,
          link: m.link,
          question: history.lastQuestion || shown,
        };
        history.entries.push(entry);
        renderBot(entry, true);
      }
      save();
      if (document.activeElement === document.body) input.focus();
      form.scrollIntoView({ block: "nearest" });
    }

    function failure(response, body) {
      if (response && response.status === 503 && response.headers.get("Retry-After")) {
        return bilingual("busy", retryAfter(response));
      }
      if (!response || response.status >= 500) return bilingual("unreachable");
      if (response.status === 429) return bilingual("tooMany", retryAfter(response));
      if (body && body.detail) return { sv: body.detail, en: body.detail_en || body.detail };
      return bilingual("failed");
    }

    function retryAfter(response) {
      const header = response.headers.get("Retry-After") || "";
      const seconds = /^\d+$/.test(header.trim())
        ? Number(header)
        : (Date.parse(header) - Date.now()) / 1000;
      return Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : 60;
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const question = input.value.trim();
      if (!question || busy) return;
      input.value = "";
      ask(question, question, true);
    });

    const lastUser = history.entries.map((e) => e.role).lastIndexOf("user");
    history.entries.forEach((entry, index) => {
      if (entry.role === "user") renderUser(entry);
      else renderBot(entry, index > lastUser);
    });
    save();
    applyLanguage();
    return { root, focusInput: () => input.focus() };
  }

  window.Distansguiden = { mount, text: (key) => text(key) };

  for (const container of document.querySelectorAll("[data-distansguiden]")) mount(container);
})();
