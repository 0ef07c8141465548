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
      greeting: (name) =>
        (name ? `Hej ${name}! ` : "Hej! ") +
        "Jag svarar på frågor om regionens regler för distansarbete och hjälper dig att ansöka " +
        "om distansarbete och boka riskbedömningen.",
      signedIn: (name) => `Inloggad som ${name}`,
      privacy:
        "Skriv inte personnummer eller andra personuppgifter i chatten; jag behöver dem inte.",
      privacyLink: "Så hanteras dina uppgifter",
      suggestions: "Vanliga frågor",
      log: "Konversation",
      you: "Du",
      assistant: "Distansguiden",
      label: "Din fråga",
      send: "Skicka",
      otherLanguage: "English",
      close: "Stäng",
      open: "Frågor om distansarbete?",
      typing: "Assistenten skriver…",
      quickReplies: "Svarsalternativ",
      pickSeveral: "Välj en eller flera och skicka",
      sendPicked: "Skicka valda",
      pickOne: "Välj minst ett alternativ, eller ett av svaren under.",
      showAll: "Visa allt",
      hideAll: "Dölj",
      source: "Källa",
      section: "avsnitt",
      newTab: "(öppnas i ny flik)",
      download: "Ladda ner",
      feedback: "Var svaret till hjälp?",
      yes: "Ja",
      no: "Nej",
      helpful: "Ja, svaret hjälpte",
      notHelpful: "Nej, svaret hjälpte inte",
      thanks: "Tack för din återkoppling!",
      feedbackFailed: "Din återkoppling kunde inte sparas just nu. Försök gärna igen senare.",
      retry: "Försök igen",
      unreachable:
        "Assistenten går inte att nå just nu. Din fråga finns kvar – försök igen om en stund.",
      tooMany: (seconds) =>
        `Du har skickat många frågor på kort tid. Vänta ${seconds} sekunder och försök igen.`,
      busy: (seconds) =>
        `Assistenten har många frågor just nu. Din fråga finns kvar – skicka den igen om ${seconds} sekunder.`,
      failed: "Något gick fel. Försök igen.",
      cases: "Mina ärenden",
      backToChat: "Tillbaka till chatten",
      loading: "Hämtar dina ärenden…",
      casesFailed: "Dina ärenden kunde inte hämtas just nu. Försök igen om en stund.",
      requests: "Ansökningar om distansarbete",
      noRequests: "Du har inga ansökningar.",
      bookings: "Riskbedömningar",
      noBookings: "Du har inga bokade riskbedömningar.",
      riskAssessment: "Riskbedömningsdialog",
      share: (percent, place) => `${percent} % på distans, ${place}`,
      agreementPdf: (reference) => `Överenskommelsen ${reference} (PDF)`,
      invitation: "Kalenderinbjudan (.ics)",
      joinTeams: "Anslut till Teams-mötet",
      withdraw: "Ta tillbaka ansökan",
      confirmWithdraw: (reference) =>
        `Vill du ta tillbaka ansökan ${reference}? Din chef får besked.`,
      yesWithdraw: "Ja, ta tillbaka",
      withdrawn: (reference) => `Ansökan ${reference} är återtagen.`,
      cancelBooking: "Avboka",
      confirmCancel: "Vill du avboka riskbedömningen? Deltagarna får besked.",
      yesCancel: "Ja, avboka",
      cancelled: "Riskbedömningen är avbokad.",
      keep: "Nej, behåll",
    },
    en: {
      pageTitle: "Distansguiden – questions about remote work",
      title: "Distansguiden",
      greeting: (name) =>
        (name ? `Hi ${name}! ` : "Hi! ") +
        "I answer questions about the region's rules for remote work and help you apply for " +
        "remote work and book the risk assessment.",
      signedIn: (name) => `Signed in as ${name}`,
      privacy:
        "Do not write personal identity numbers or other personal details here; " +
        "I do not need them.",
      privacyLink: "How your data is handled",
      suggestions: "Common questions",
      log: "Conversation",
      you: "You",
      assistant: "Distansguiden",
      label: "Your question",
      send: "Send",
      otherLanguage: "Svenska",
      close: "Close",
      open: "Questions about remote work?",
      typing: "The assistant is typing…",
      quickReplies: "Suggested replies",
      pickSeveral: "Pick one or more and send",
      sendPicked: "Send selected",
      pickOne: "Pick at least one option, or one of the answers below.",
      showAll: "Show all",
      hideAll: "Hide",
      source: "Source",
      section: "section",
      newTab: "(opens in a new tab)",
      download: "Download",
      feedback: "Was the answer helpful?",
      yes: "Yes",
      no: "No",
      helpful: "Yes, the answer helped",
      notHelpful: "No, the answer did not help",
      thanks: "Thank you for your feedback!",
      feedbackFailed: "Your feedback could not be saved right now. Please try again later.",
      retry: "Try again",
      unreachable:
        "The assistant cannot be reached right now. Your question is kept – please try again shortly.",
      tooMany: (seconds) =>
        `You have sent many questions in a short time. Wait ${seconds} seconds and try again.`,
      busy: (seconds) =>
        `The assistant is busy right now. Your question is kept – send it again in ${seconds} seconds.`,
      failed: "Something went wrong. Please try again.",
      cases: "My requests",
      backToChat: "Back to the chat",
      loading: "Fetching your requests…",
      casesFailed: "Your requests could not be fetched right now. Please try again shortly.",
      requests: "Remote-work requests",
      noRequests: "You have no requests.",
      bookings: "Risk assessments",
      noBookings: "You have no booked risk assessments.",
      riskAssessment: "Risk-assessment dialogue",
      share: (percent, place) => `${percent} % remote, ${place}`,
      agreementPdf: (reference) => `Agreement ${reference} (PDF)`,
      invitation: "Calendar invitation (.ics)",
      joinTeams: "Join the Teams meeting",
      withdraw: "Withdraw the request",
      confirmWithdraw: (reference) =>
        `Do you want to withdraw request ${reference}? Your manager is told.`,
      yesWithdraw: "Yes, withdraw",
      withdrawn: (reference) => `Request ${reference} is withdrawn.`,
      cancelBooking: "Cancel",
      confirmCancel: "Do you want to cancel the risk assessment? The participants are told.",
      yesCancel: "Yes, cancel",
      cancelled: "The risk assessment is cancelled.",
      keep: "No, keep it",
    },
  };

  let language = readStorage(localStorage, LANGUAGE_KEY) === "en" ? "en" : "sv";

  function text(key, arg, lang, arg2) {
    const value = STRINGS[lang || language][key];
    return typeof value === "function" ? value(arg, arg2) : value;
  }

  // Both languages at once, so that a notice already on screen can follow a language switch.
  function bilingual(key, arg) {
    return { sv: text(key, arg, "sv"), en: text(key, arg, "en") };
  }

  function locale() {
    return language === "sv" ? "sv-SE" : "en-GB";
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

  // An address on this app (a path like /api/…) made absolute on the app's own host.
  function appUrl(path) {
    const own = typeof path === "string" && /^\/[^/\\]/.test(path);
    return own ? new URL(path.slice(1), BASE).href : "";
  }

  // A moment shown as the time of day, in the chat's language; in ``timeZone`` when given
  // (a meeting is at the region's time, wherever the browser is), else the browser's.
  function clockTime(moment, timeZone) {
    return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", timeZone })
      .format(new Date(moment));
  }

  // "2027-02-01" as "1 februari 2027": a whole date is never broken across lines.
  function longDate(day) {
    const [year, month, date] = day.split("-").map(Number);
    return new Intl.DateTimeFormat(locale(), {
      day: "numeric",
      month: "long",
      year: "numeric",
    }).format(new Date(year, month - 1, date));
  }

  function meetingTime(start, end, timeZone) {
    const from = new Date(start);
    const day = new Intl.DateTimeFormat(locale(), {
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone,
    }).format(from);
    return `${day} ${clockTime(from, timeZone)}–${end ? clockTime(end, timeZone) : ""}`;
  }

  // Dates and reference numbers are one word to the reader: Chrome would break "2028-01-31"
  // after a hyphen at a line's end, so they are kept on one line.
  const UNBROKEN = /\d{4}-\d{2}-\d{2}|[A-Z]{2}-\d{4}-\d+/g;

  function unbroken(value) {
    const fragment = document.createDocumentFragment();
    let position = 0;
    for (const match of value.matchAll(UNBROKEN)) {
      fragment.append(
        value.slice(position, match.index),
        el("span", { className: "dg-nowrap", text: match[0] }),
      );
      position = match.index + match[0].length;
    }
    fragment.append(value.slice(position));
    return fragment;
  }

  function keepTogether(node) {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
      UNBROKEN.lastIndex = 0;
      if (UNBROKEN.test(walker.currentNode.data)) found.push(walker.currentNode);
    }
    for (const textNode of found) textNode.replaceWith(unbroken(textNode.data));
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
    const level = standalone ? 1 : 2; // the chat's own heading; its sections are one below
    let busy = false;
    let notice = null;
    let retry = null;
    let votes = 0;
    let welcome = null;

    // --- header: title, "Mina ärenden", language, "Stäng"; it stays on screen ---------------
    const heading = translated("h" + level, "title", { id: id + "-title" });
    const casesButton = translated("button", "cases", {
      type: "button",
      className: "dg-tool",
      "aria-expanded": "false",
      "aria-controls": id + "-cases",
    });
    const languageButton = el("button", { type: "button", className: "dg-tool dg-language" });
    const tools = el("div", { className: "dg-tools" }, casesButton, languageButton);
    const header = el("div", { className: "dg-header" }, heading);
    if (!standalone) {
      // Next to the title, where every chat panel has it, also on a phone's narrow screen.
      const close = translated("button", "close", {
        type: "button",
        className: "dg-tool dg-close",
      });
      close.addEventListener("click", options.onClose);
      header.append(close);
    }
    header.append(tools);

    // --- the greeting: who is signed in, what to ask, what not to write --------------------
    const greeting = el("p", { className: "dg-greeting" });
    const signedIn = el("p", { className: "dg-signed-in", hidden: "" });
    const privacyLink = translated("a", "privacyLink", { href: new URL("integritet", BASE).href });
    const privacy = el(
      "p",
      { className: "dg-privacy" },
      translated("span", "privacy"),
      " ",
      privacyLink,
    );
    const suggestionsLabel = translated("p", "suggestions", {
      id: id + "-suggestions",
      className: "dg-suggestions-label",
    });
    const suggestions = el("div", {
      className: "dg-suggestions",
      role: "group",
      "aria-labelledby": suggestionsLabel.id,
    });
    const suggestionsBlock = el("div", { hidden: "" }, suggestionsLabel, suggestions);
    const welcomeBlock = el(
      "div",
      { className: "dg-welcome" },
      greeting,
      signedIn,
      privacy,
      suggestionsBlock,
    );

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
    const conversation = el("div", { className: "dg-conversation" }, welcomeBlock, log, typing);

    // --- the footer: a failure with its retry, and the input; it stays on screen -------------
    const status = el("p", { className: "dg-visually-hidden", role: "status" });
    const alertLine = el("p", { className: "dg-alert", role: "alert" });
    const retryButton = translated("button", "retry", {
      type: "button",
      className: "dg-retry",
      hidden: "",
    });
    const problem = el("div", { className: "dg-problem" }, alertLine, retryButton);
    const input = el("input", {
      id: id + "-input",
      type: "text",
      maxlength: "2000",
      autocomplete: "off",
      className: "dg-input",
    });
    const sendButton = translated("button", "send", { type: "submit" });
    const form = el(
      "form",
      { className: "dg-ask" },
      translated("label", "label", { for: input.id }),
      el("div", { className: "dg-row" }, input, sendButton),
    );
    const footer = el("div", { className: "dg-footer" }, status, problem, form);

    const cases = el("section", {
      id: id + "-cases",
      className: "dg-cases",
      hidden: "",
      "aria-labelledby": id + "-cases-title",
    });

    const root = el(
      "section",
      { className: "dg-chat", "aria-labelledby": heading.id },
      header,
      conversation,
      cases,
      footer,
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
      for (const node of root.querySelectorAll("time[datetime]")) {
        node.textContent = clockTime(node.getAttribute("datetime"));
      }
      const other = language === "sv" ? "en" : "sv";
      languageButton.textContent = text("otherLanguage");
      languageButton.lang = other;
      alertLine.textContent = notice ? notice[language] : "";
      if (busy) status.textContent = text("typing");
      showWelcome();
      if (!cases.hidden) loadCases();
      root.dispatchEvent(new CustomEvent("dg-language", { bubbles: true, detail: language }));
    }

    languageButton.addEventListener("click", () => {
      language = language === "sv" ? "en" : "sv";
      writeStorage(localStorage, LANGUAGE_KEY, language);
      applyLanguage();
    });

    // --- the greeting ----------------------------------------------------------------------

    async function loadWelcome() {
      try {
        const response = await fetch(new URL("api/chat/welcome", BASE));
        if (response.ok) welcome = await response.json();
      } catch (error) {
        welcome = null; // the greeting without a name or suggestions
      }
      showWelcome();
    }

    function showWelcome() {
      greeting.textContent = text("greeting", welcome && welcome.first_name);
      signedIn.hidden = !welcome;
      if (welcome) signedIn.textContent = text("signedIn", welcome.name);
      // Offered to start with; once the talk has begun the replies bring their own buttons.
      const offered = (!history.entries.length && welcome && welcome.suggestions) || [];
      suggestionsBlock.hidden = offered.length === 0;
      suggestions.replaceChildren(
        ...offered.map((suggestion) => {
          const title = language === "en" ? suggestion.title_en : suggestion.title;
          const button = el("button", { type: "button", className: "dg-suggestion", text: title });
          button.addEventListener("click", () => ask(suggestion.payload, title, false));
          return button;
        }),
      );
      lock(busy);
    }

    // --- busy, failures, retry -------------------------------------------------------------

    function showNotice(message, again) {
      notice = message;
      retry = again || null;
      alertLine.textContent = message ? message[language] : "";
      retryButton.hidden = !retry;
    }

    // While a question is answered the input and every answer button wait: nothing is sent
    // twice, and nothing is lost from the input (read-only keeps the focus where it was).
    function lock(value) {
      input.readOnly = value;
      sendButton.disabled = value;
      retryButton.disabled = value;
      for (const button of root.querySelectorAll(".dg-quick button, .dg-suggestions button")) {
        button.disabled = value;
      }
      for (const box of root.querySelectorAll(".dg-quick input")) box.disabled = value;
    }

    function setBusy(value) {
      busy = value;
      log.setAttribute("aria-busy", String(value));
      typing.hidden = !value;
      status.textContent = value ? text("typing") : "";
      lock(value);
    }

    retryButton.addEventListener("click", () => {
      if (!retry) return;
      const { message, shown, typed } = retry;
      if (typed && input.value === shown) input.value = "";
      input.focus();
      ask(message, shown, typed);
    });

    // --- messages, grouped by who wrote them and when ---------------------------------------

    function group(role, at) {
      const who = translated("span", role === "user" ? "you" : "assistant");
      const meta = el("p", { className: "dg-meta" }, who);
      if (at) {
        meta.append(" ", el("time", { datetime: new Date(at).toISOString(), text: clockTime(at) }));
      }
      const node = el("div", { className: "dg-group dg-from-" + role }, meta);
      log.append(node);
      return node;
    }

    function renderUser(entry) {
      const node = group("user", entry.at);
      const said = el("p", {}, unbroken(entry.text));
      node.append(el("div", { className: "dg-message dg-user" }, said));
      return node;
    }

    function renderBot(entry, into, withQuickReplies) {
      const body = el("div", { className: "dg-body" });
      if (typeof entry.html === "string") body.innerHTML = entry.html; // sanitised by the server
      else body.append(el("p", { text: entry.text }));
      keepTogether(body);
      for (const link of body.querySelectorAll("a[href]")) {
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.append(" ", translated("span", "newTab", { className: "dg-visually-hidden" }));
      }
      const item = el("div", { className: "dg-message dg-bot" });
      if (entry.summary) {
        const hint = translated("span", "showAll", { className: "dg-fold-hint" });
        const fold = el(
          "details",
          { className: "dg-fold" },
          el("summary", {}, el("span", { text: entry.summary }), " ", hint),
          body,
        );
        fold.addEventListener("toggle", () => {
          const key = fold.open ? "hideAll" : "showAll";
          hint.setAttribute("data-dg-text", key);
          hint.textContent = text(key);
        });
        item.append(fold);
      } else {
        item.append(body);
      }
      if (entry.source) item.append(source(entry));
      const link = appUrl(entry.link);
      if (link) {
        const name = entry.link_title || link.split("/").pop();
        item.append(
          el(
            "p",
            { className: "dg-download" },
            el("a", { href: link, download: name }, translated("span", "download"), " " + name),
          ),
        );
      }
      if (entry.kind === "answer" && entry.faq_id) item.append(feedbackButtons(entry));
      if (withQuickReplies && entry.buttons && entry.buttons.length) {
        item.append(entry.multi_select ? picker(entry) : quickReplies(entry.buttons));
      }
      into.append(item);
    }

    function source(entry) {
      const line = el("p", { className: "dg-source" }, translated("span", "source"), ": ");
      if (typeof entry.source_url === "string" && /^https?:\/\//.test(entry.source_url)) {
        line.append(
          el(
            "a",
            { href: entry.source_url, target: "_blank", rel: "noopener noreferrer" },
            entry.source,
            " ",
            translated("span", "newTab", { className: "dg-visually-hidden" }),
          ),
        );
      } else {
        line.append(entry.source);
      }
      if (entry.source_section) {
        line.append(", ", translated("span", "section"), " " + entry.source_section);
      }
      return line;
    }

    function quickReplies(buttons) {
      const row = el("div", {
        className: "dg-quick",
        role: "group",
        "data-dg-label": "quickReplies",
      });
      row.setAttribute("aria-label", text("quickReplies"));
      for (const button of buttons) {
        const quick = el("button", { type: "button" }, unbroken(button.title));
        quick.addEventListener("click", () => ask(button.payload, button.title, false));
        row.append(quick);
      }
      return row;
    }

    // Several answers fit: tick them and send them as one answer, "Bildskärm, Headset", which
    // the form reads like a typed one. An answer given on its own ("Ingen") stays a button.
    function picker(entry) {
      const legend = translated("legend", "pickSeveral");
      const boxes = el("div", { className: "dg-boxes" });
      const note = el("p", { className: "dg-note", "aria-live": "polite" });
      const fieldset = el("fieldset", { className: "dg-quick dg-picker" }, legend, boxes);
      boxes.addEventListener("change", () => {
        note.removeAttribute("data-dg-text");
        note.textContent = "";
      });
      let count = 0;
      for (const button of entry.buttons.filter((b) => !b.exclusive)) {
        const box = el("input", {
          type: "checkbox",
          id: `${id}-pick-${++votes}-${++count}`,
          value: button.title,
        });
        boxes.append(el("label", { for: box.id, className: "dg-box" }, box, " " + button.title));
      }
      const send = translated("button", "sendPicked", {
        type: "button",
        className: "dg-send-picked",
      });
      send.addEventListener("click", () => {
        const picked = Array.from(boxes.querySelectorAll("input:checked"), (box) => box.value);
        if (!picked.length) {
          note.setAttribute("data-dg-text", "pickOne");
          note.textContent = text("pickOne");
          boxes.querySelector("input").focus();
          return;
        }
        const answer = picked.join(", ");
        ask(answer, answer, false);
      });
      const row = el("div", { className: "dg-quick-row" }, send);
      for (const button of entry.buttons.filter((b) => b.exclusive)) {
        const alone = el("button", { type: "button", text: button.title });
        alone.addEventListener("click", () => ask(button.payload, button.title, false));
        row.append(alone);
      }
      fieldset.append(row, note);
      return fieldset;
    }

    function feedbackButtons(entry) {
      const up = thumb("helpful", "yes", false, entry.vote === "up");
      const down = thumb("notHelpful", "no", true, entry.vote === "down");
      const note = el("span", { className: "dg-note" });
      const question = translated("span", "feedback", { id: id + "-q" + ++votes });
      const feedback = el(
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
      return feedback;
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
      const asked = Date.now();
      const pending = renderUser({ text: shown, at: asked });
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
        showNotice(failure(response, body), { message, shown, typed });
        if (typed && !input.value) input.value = shown;
        if (document.activeElement === document.body || !root.contains(document.activeElement)) {
          input.focus();
        }
        return;
      }
      if (typed) history.lastQuestion = shown;
      history.entries.push({ role: "user", text: shown, at: asked });
      suggestionsBlock.hidden = true;
      for (const row of log.querySelectorAll(".dg-quick")) row.remove();
      const answered = Date.now();
      const reply = body.messages.length ? group("bot", answered) : null;
      for (const m of body.messages) {
        const entry = {
          role: "bot",
          at: answered,
          text: m.text,
          html: m.html,
          summary: m.summary,
          buttons: m.buttons || [],
          multi_select: m.multi_select,
          faq_id: m.faq_id,
          source: m.source,
          source_url: m.source_url,
          source_section: m.source_section,
          kind: m.kind,
          link: m.link,
          link_title: m.link_title,
          question: history.lastQuestion || shown,
        };
        history.entries.push(entry);
        renderBot(entry, reply, true);
      }
      save();
      if (document.activeElement === document.body) input.focus();
      if (reply) showReply(reply);
    }

    // The reply's start stays in view when it is longer than the screen (a checklist must not
    // push the booking's confirmation away); a short reply is shown whole.
    function showReply(reply) {
      const room = standalone ? window.innerHeight : container.clientHeight;
      reply.scrollIntoView({ block: reply.offsetHeight > room * 0.6 ? "start" : "end" });
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

    // --- "Mina ärenden": the user's own requests and bookings --------------------------------

    const casesHeading = translated("h" + (level + 1), "cases", {
      id: id + "-cases-title",
      tabindex: "-1",
    });
    const casesStatus = el("p", { className: "dg-cases-status", role: "status" });
    const casesList = el("div", { className: "dg-cases-list" });
    const back = translated("button", "backToChat", { type: "button", className: "dg-tool" });
    cases.append(casesHeading, casesStatus, casesList, el("p", {}, back));

    function showCases(open) {
      cases.hidden = !open;
      conversation.hidden = open;
      footer.hidden = open;
      casesButton.setAttribute("aria-expanded", String(open));
      if (open) {
        casesHeading.focus();
        loadCases();
      } else {
        casesButton.focus();
      }
    }

    casesButton.addEventListener("click", () => showCases(cases.hidden));
    back.addEventListener("click", () => showCases(false));

    function say(node, key, arg) {
      node.setAttribute("data-dg-text", key);
      node.textContent = text(key, arg);
    }

    async function loadCases(done) {
      casesStatus.textContent = done ? done[language] : text("loading");
      let body = null;
      try {
        const response = await fetch(new URL("api/me/cases", BASE));
        body = response.ok ? await response.json() : null;
      } catch (error) {
        body = null;
      }
      if (!body) {
        casesList.replaceChildren();
        casesStatus.textContent = text("casesFailed");
        return;
      }
      if (!done) casesStatus.textContent = "";
      const sub = "h" + (level + 2);
      const item = "h" + Math.min(level + 3, 6);
      casesList.replaceChildren(
        translated(sub, "requests"),
        body.agreements.length
          ? caseList(body.agreements.map((a) => agreementCase(a, item)))
          : translated("p", "noRequests"),
        translated(sub, "bookings"),
        body.risk_assessments.length
          ? caseList(body.risk_assessments.map((r) => bookingCase(r, item)))
          : translated("p", "noBookings"),
      );
    }

    function caseList(items) {
      return el("ul", { className: "dg-case-list" }, ...items);
    }

    function statusLine(found) {
      return el("p", {
        className: "dg-case-status dg-status-" + found.status,
        text: language === "en" ? found.status_text_en : found.status_text,
      });
    }

    function agreementCase(agreement, headingTag) {
      const node = el(
        "li",
        { className: "dg-case" },
        el(headingTag, {}, unbroken(agreement.reference)),
        statusLine(agreement),
        el("p", { text: text("share", agreement.share_percent, null, agreement.place) }),
        el("p", { text: `${longDate(agreement.start_date)} – ${longDate(agreement.end_date)}` }),
        el(
          "p",
          {},
          el(
            "a",
            { href: appUrl(agreement.document), download: agreement.reference + ".pdf" },
            unbroken(text("agreementPdf", agreement.reference)),
          ),
        ),
      );
      if (agreement.can_withdraw) {
        node.append(
          confirmed(
            "withdraw",
            text("confirmWithdraw", agreement.reference),
            "yesWithdraw",
            `api/agreements/${agreement.id}/withdraw`,
            bilingual("withdrawn", agreement.reference),
          ),
        );
      }
      return node;
    }

    function bookingCase(booking, headingTag) {
      const node = el(
        "li",
        { className: "dg-case" },
        el(headingTag, {}, translated("span", "riskAssessment")),
        statusLine(booking),
      );
      if (booking.start) {
        const where = booking.place ? `, ${booking.place}` : "";
        const zone = (welcome && welcome.time_zone) || undefined;
        node.append(el("p", { text: meetingTime(booking.start, booking.end, zone) + where }));
      }
      if (booking.invitation) {
        node.append(
          el(
            "p",
            {},
            el(
              "a",
              { href: appUrl(booking.invitation), download: `${booking.id}.ics` },
              translated("span", "invitation"),
            ),
          ),
        );
      }
      // Only a web address is made a link: the join link comes from the calendar system.
      const joinUrl = booking.online_meeting;
      if (typeof joinUrl === "string" && /^https:\/\//.test(joinUrl)) {
        node.append(
          el(
            "p",
            {},
            el(
              "a",
              { href: joinUrl, target: "_blank", rel: "noopener" },
              translated("span", "joinTeams"),
            ),
          ),
        );
      }
      if (booking.can_cancel) {
        node.append(
          confirmed(
            "cancelBooking",
            text("confirmCancel"),
            "yesCancel",
            `api/risk-assessments/${booking.id}/cancel`,
            bilingual("cancelled"),
          ),
        );
      }
      return node;
    }

    // A change that cannot be undone is asked about first, in place: the question and a "yes"
    // that does it, or a "no" that puts the first button back.
    function confirmed(labelKey, question, yesKey, path, done) {
      const start = translated("button", labelKey, { type: "button" });
      const questionLine = el("p", { className: "dg-confirm-question", text: question });
      const yes = translated("button", yesKey, { type: "button" });
      const no = translated("button", "keep", { type: "button" });
      const problemNote = el("p", { className: "dg-alert", role: "alert" });
      const confirm = el(
        "div",
        { className: "dg-confirm", hidden: "" },
        questionLine,
        el("div", { className: "dg-row" }, yes, no),
      );
      const holder = el("div", { className: "dg-case-actions" }, start, confirm, problemNote);
      start.addEventListener("click", () => {
        start.hidden = true;
        confirm.hidden = false;
        no.focus();
      });
      no.addEventListener("click", () => {
        confirm.hidden = true;
        start.hidden = false;
        start.focus();
      });
      yes.addEventListener("click", async () => {
        yes.disabled = no.disabled = true;
        let response = null;
        let body = null;
        try {
          response = await fetch(new URL(path, BASE), { method: "POST" });
          body = await response.json();
        } catch (error) {
          body = null;
        }
        if (response && response.ok) {
          casesHeading.focus();
          loadCases(done);
          return;
        }
        yes.disabled = no.disabled = false;
        const detail = body && (language === "en" ? body.detail_en || body.detail : body.detail);
        problemNote.textContent = detail || text("failed");
      });
      return holder;
    }

    // --- the conversation so far ------------------------------------------------------------

    const lastUser = history.entries.map((e) => e.role).lastIndexOf("user");
    let current = null;
    let currentAt = null;
    history.entries.forEach((entry, index) => {
      if (entry.role === "user") {
        renderUser(entry);
        current = null;
        return;
      }
      if (!current || entry.at !== currentAt) {
        current = group("bot", entry.at);
        currentAt = entry.at;
      }
      renderBot(entry, current, index > lastUser);
    });
    save();
    applyLanguage();
    loadWelcome();
    return { root, focusInput: () => input.focus() };
  }

  window.Distansguiden = { mount, text: (key) => text(key) };

  for (const container of document.querySelectorAll("[data-distansguiden]")) mount(container);
})();
