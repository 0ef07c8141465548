// Embeds Distansguiden in an intranet page with one tag:
//   <script src="https://<distansguiden>/static/widget.js" defer></script>
// It adds a launcher button and a chat panel; the chat inside is chat.js, as on the standalone page.
(function () {
  "use strict";

  const here = new URL("./", document.currentScript.src);
  // As chat.css's media query: on a phone the panel is the whole screen, a modal dialog.
  const fullScreen = window.matchMedia("(max-width: 32rem)");
  const FOCUSABLE =
    "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), " +
    "textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";

  function start() {
    const chat = window.Distansguiden;
    const launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "dg-launcher";
    launcher.setAttribute("aria-expanded", "false");
    const panel = document.createElement("div");
    panel.className = "dg-panel";
    panel.id = "dg-panel";
    panel.hidden = true;
    launcher.setAttribute("aria-controls", panel.id);
    document.body.append(launcher, panel);

    const mounted = chat.mount(panel, { onClose: close });
    panel.setAttribute("role", "dialog");
    const title = panel.querySelector("h2");
    if (title) panel.setAttribute("aria-labelledby", title.id);
    // Covering the page, the panel is all there is: the page behind is out of reach for Tab
    // and for screen readers until it is closed. Beside the page on a desktop it is not.
    function markModal() {
      if (fullScreen.matches) panel.setAttribute("aria-modal", "true");
      else panel.removeAttribute("aria-modal");
    }
    markModal();
    fullScreen.addEventListener("change", markModal);
    function trapped() {
      return !panel.hidden && fullScreen.matches;
    }
    function focusable() {
      return [...panel.querySelectorAll(FOCUSABLE)].filter(
        (node) => node.getClientRects().length > 0 && !node.closest("[hidden]"),
      );
    }
    function label(event) {
      launcher.textContent = chat.text("open");
      launcher.lang = event ? event.detail : mounted.root.lang;
    }
    label();
    panel.addEventListener("dg-language", label);

    function open() {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      mounted.focusInput();
    }
    function close() {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }
    launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
        return;
      }
      if (event.key !== "Tab" || !trapped()) return;
      const nodes = focusable();
      if (!nodes.length) return;
      const first = nodes[0];
      const last = nodes[nodes.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    // Focus that gets behind the panel some other way (a screen reader's own keys, a script)
    // is brought back.
    document.addEventListener("focusin", (event) => {
      if (trapped() && !panel.contains(event.target)) mounted.focusInput();
    });
  }

  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL("chat.css", here).href;
  document.head.append(style);
  function whenReady() {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
  if (window.Distansguiden) {
    whenReady();
  } else {
    const script = document.createElement("script");
    script.src = new URL("chat.js", here).href;
    script.addEventListener("load", whenReady);
    document.head.append(script);
  }
})();
