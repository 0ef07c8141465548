// Embeds Distansguiden in an intranet page with one tag:
//   <script src="https://<distansguiden>/static/widget.js" defer></script>
// It adds a launcher button and a chat panel; the chat inside is chat.js, as on the standalone page.
(function () {
  "use strict";

  const here = new URL("./", document.currentScript.src);

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
      }
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
