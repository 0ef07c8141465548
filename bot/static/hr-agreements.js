// Distansguiden HR page: the agreements with filters and their PDFs, and the agreement
// statistics as charts. el(), table(), scrolling(), chartFigure(), api(), fail(), download()
// and word() come from hr.js, which the page loads first; hr.js calls start() once the user is
// known to be HR.
"use strict";

window.hrAgreements = (() => {
  const $ = (id) => document.getElementById(id);
  const PAGE = 50;
  let shown = PAGE;
  let filled = false;

  function fill(select, pairs, allText) {
    const kept = select.value;
    select.replaceChildren();
    const all = el("option", allText);
    all.value = "";
    select.append(all);
    for (const [value, text] of pairs) {
      const option = el("option", text);
      option.value = value;
      select.append(option);
    }
    select.value = kept;
  }

  function query() {
    const params = new URLSearchParams({ limit: String(shown) });
    const employee = $("agreements-employee").value.trim();
    if (employee) params.set("employee", employee);
    for (const [id, name] of [["agreements-unit", "unit"], ["agreements-status", "status"], ["agreements-risk", "risk_assessment"]]) {
      if ($(id).value) params.set(name, $(id).value);
    }
    if ($("agreements-expiring").checked) params.set("expiring", "true");
    return params.toString();
  }

  function pdfLink(agreement) {
    const link = el("a", `PDF ${agreement.reference}`);
    link.href = agreement.document;
    link.setAttribute("download", "");
    // In local mode the demo user travels in a header a plain link cannot send.
    link.addEventListener("click", (event) => {
      event.preventDefault();
      download(agreement.document, "agreements-error");
    });
    return link;
  }

  function assessment(agreement) {
    if (!agreement.risk_assessment_documented) return agreement.risk_assessment_label;
    return `Dokumenterad ${agreement.risk_assessment_documented_on || ""}`.trim();
  }

  function render(list) {
    const target = $("agreements");
    target.replaceChildren();
    if (!filled) {
      fill($("agreements-unit"), list.units.map((u) => [u, u]), "Alla enheter");
      fill($("agreements-status"), Object.entries(list.statuses), "Alla");
      $("agreements-expiring-text").textContent = `Bara gällande som löper ut inom ${list.expiring_within_days} dagar`;
      filled = true;
    }
    $("agreements-summary").textContent = list.total
      ? `Visar ${list.agreements.length} av ${list.total} överenskommelser.`
      : "Inga överenskommelser med de valen.";
    if (list.agreements.length) {
      const rows = list.agreements.map((a) => [
        a.employee_name,
        a.unit,
        `${a.share_percent} %`,
        `${a.start_date} – ${a.end_date}`,
        a.status_label,
        assessment(a),
        a.expiring_soon ? "Ja" : "Nej",
        pdfLink(a),
      ]);
      target.append(
        scrolling(
          "Överenskommelserna, kan rullas i sidled",
          table("Överenskommelser, senaste start först", ["Medarbetare", "Enhet", "Andel", "Period", "Status", "Riskbedömning", "Löper snart ut", "Dokument"], rows, [2]),
        ),
      );
    }
    const more = $("more-agreements");
    more.hidden = list.agreements.length >= list.total;
    more.textContent = `Visa fler (${list.total - list.agreements.length} till)`;
  }

  async function loadAgreements() {
    $("agreements-error").textContent = "";
    const result = await api(`/api/hr/agreements?${query()}`);
    if (!result.ok) {
      $("agreements").replaceChildren();
      $("agreements-summary").textContent = "";
      return fail(result, "agreements-error");
    }
    render(result.body);
  }

  async function loadStatistics() {
    const target = $("statistics");
    target.replaceChildren();
    const result = await api("/api/hr/charts/agreements");
    if (!result.ok) {
      target.append(el("p", reason(result), "error"));
      return;
    }
    for (const chart of result.body) target.append(chartFigure(chart));
  }

  $("agreements-form").addEventListener("submit", (event) => {
    event.preventDefault();
    shown = PAGE;
    loadAgreements();
  });
  $("more-agreements").addEventListener("click", () => {
    shown += PAGE;
    loadAgreements();
  });

  return {
    start: () => Promise.all([loadAgreements(), loadStatistics()]),
  };
})();
