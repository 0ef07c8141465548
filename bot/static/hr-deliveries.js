// Distansguiden HR page: deliveries given up after their last attempt (Teams messages, e-mail,
// calendar writes), so HR can reach the recipient another way, and an HR admin's "handled".
// el(), $(), api() and say() come from hr-common.js; table(), scrolling(), labelled(), reason()
// and loadAudit() from hr.js, which calls start() once the user is known to be HR.
"use strict";

window.hrDeliveries = (() => {
  let admin = false;

  function when(iso) {
    return new Date(iso).toLocaleString("sv-SE", { dateStyle: "short", timeStyle: "short" });
  }

  // A fold under a short line: the message itself, or the error as the sender stored it.
  function folded(line, summary, text, className) {
    const cell = el("div");
    cell.append(el("span", line));
    if (text) {
      const details = el("details");
      details.append(el("summary", summary), el("p", text, className));
      cell.append(details);
    }
    return cell;
  }

  function handleForm(delivery) {
    const form = el("form", undefined, "row");
    const note = el("input");
    note.type = "text";
    note.maxLength = 500;
    note.autocomplete = "off";
    const button = el("button", "Markera som hanterad");
    button.type = "submit";
    button.setAttribute("aria-label", `Markera som hanterad: ${delivery.channel_label} till ${delivery.recipient_name}`);
    form.append(...labelled(`note-${delivery.source}-${delivery.id}`, "Vad gjorde du? (valfritt)", note), button);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      $("deliveries-error").textContent = "";
      button.disabled = true;
      const result = await api(delivery.handle, { method: "POST", body: JSON.stringify({ note: note.value }) });
      button.disabled = false;
      if (!result.ok) {
        $("deliveries-error").textContent = reason(result);
        return;
      }
      say(`Markerat som hanterat: ${delivery.channel_label} till ${delivery.recipient_name}.`);
      await load();
      $("deliveries-summary").focus();
      loadAudit();
    });
    return form;
  }

  function render(list) {
    const target = $("deliveries");
    target.replaceChildren();
    const summary = $("deliveries-summary");
    if (!list.total) {
      summary.textContent = "Alla meddelanden som inte kom fram är hanterade.";
      return;
    }
    const shown = list.deliveries.length;
    summary.textContent = shown < list.total
      ? `Visar de ${shown} senaste av ${list.total} meddelanden som inte kom fram.`
      : `${list.total === 1 ? "Ett meddelande" : `${list.total} meddelanden`} kom inte fram.`;
    const rows = list.deliveries.map((d) => [
      d.recipient_name,
      folded(`${d.channel_label}: ${d.about}`, "Visa meddelandet", d.text, "delivery-text"),
      when(d.given_up_at),
      folded(d.reason, "Teknisk orsak", d.error, "delivery-text"),
      ...(admin ? [handleForm(d)] : []),
    ]);
    target.append(
      scrolling(
        "Meddelanden som inte kom fram, kan rullas i sidled",
        table(
          "Nyast först; gavs upp efter 12 försök under ungefär sex timmar",
          ["Till", "Vad", "Gavs upp", "Varför", ...(admin ? ["Hanterad"] : [])],
          rows,
        ),
      ),
    );
  }

  async function load() {
    const result = await api("/api/hr/deliveries");
    if (!result.ok) {
      $("deliveries-section").hidden = false;
      $("deliveries").replaceChildren();
      $("deliveries-summary").textContent = "";
      $("deliveries-error").textContent = reason(result);
      return;
    }
    render(result.body);
  }

  return {
    // Shown when something waits; it stays after the last is handled, to say so.
    start: async (isAdmin) => {
      admin = isAdmin;
      $("deliveries-error").textContent = "";
      await load();
      $("deliveries-section").hidden = $("deliveries").childElementCount === 0 && !$("deliveries-error").textContent;
    },
  };
})();
