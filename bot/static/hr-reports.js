// Distansguiden HR page: the compliance report for the SAM follow-up and the unit summary for the
// verksamhetsråd. Plain DOM, no third-party code: everything from the server goes in as text,
// and each chart is SVG built here, with the same figures in a table beside it.
"use strict";

// el(), table() and download() come from hr.js, which the page loads first.
(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const percent = (share) => (share === null ? "–" : `${Math.round(share * 100)} %`);
  let options = null;

  function svg(tag, attributes = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function headers() {
    // The demo user hr.js keeps for local mode; production signs in through the SSO.
    const demo = sessionStorage.getItem("dg-hr-demo-user");
    return demo ? { "X-Demo-User": demo } : {};
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: headers() });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    return { ok: response.ok, status: response.status, body };
  }

  function showError(target, result) {
    const detail = result.body && result.body.detail ? result.body.detail : "Något gick fel.";
    $(target).textContent = `${detail} (${result.status})`;
  }

  function query(params) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value !== "" && value !== null && value !== undefined) search.set(name, String(value));
    }
    return search.toString();
  }

  function fill(select, values, first) {
    select.replaceChildren();
    if (first) select.append(first);
    for (const value of values) {
      const option = el("option", value);
      option.value = String(value);
      select.append(option);
    }
  }

  // Every column after the first holds a figure.
  function figureTable(caption, headings, rows) {
    return table(caption, headings, rows, headings.map((_, i) => i).slice(1));
  }

  // A horizontal bar chart: one bar per row, split into parts (CSS classes part-0, part-1, …).
  // ``whole``: each bar as a share of its own total (100 % wide), else all on one scale.
  function barChart(title, parts, rows, whole) {
    // Room for the longest label (about 6.5 units a character at 12 px), the bar and its value.
    const labelWidth = Math.max(100, ...rows.map((row) => row.label.length * 6.5 + 12));
    const barWidth = 300;
    const rowHeight = 24;
    const top = 26;
    const height = top + rows.length * rowHeight + 6;
    const figure = el("figure", undefined, "chart");
    const id = `chart-${Math.random().toString(36).slice(2)}`;
    const width = labelWidth + barWidth + 170;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": id });
    chart.append(svg("title", { id }, `${title}. Siffrorna finns i tabellen nedan.`));
    let x = labelWidth;
    parts.forEach((name, i) => {
      chart.append(svg("rect", { x, y: 6, width: 10, height: 10, class: `part-${i}` }));
      const legend = svg("text", { x: x + 14, y: 15, class: "legend" }, name);
      chart.append(legend);
      x += 24 + name.length * 6.5;
    });
    const scale = Math.max(1, ...rows.map((row) => row.values.reduce((a, b) => a + b, 0)));
    rows.forEach((row, r) => {
      const y = top + r * rowHeight;
      chart.append(svg("text", { x: labelWidth - 8, y: y + 15, class: "label" }, row.label));
      const total = row.values.reduce((a, b) => a + b, 0);
      const unit = whole ? (total ? barWidth / total : 0) : barWidth / scale;
      let start = labelWidth;
      row.values.forEach((value, i) => {
        if (value > 0) {
          chart.append(svg("rect", { x: start, y: y + 3, width: value * unit, height: 16, class: `part-${i}` }));
          start += value * unit;
        }
      });
      chart.append(svg("text", { x: start + 6, y: y + 15, class: "value" }, row.text));
    });
    figure.append(chart, el("figcaption", title));
    return figure;
  }

  function complianceRows(report) {
    return report.unit ? report.units : [...report.units, report.total];
  }

  function renderCompliance(report) {
    const target = $("compliance");
    target.replaceChildren();
    const rows = complianceRows(report);
    const until = report.report_date === report.period_end ? "" : ` (till och med ${report.report_date})`;
    target.append(el("p", `${report.region_name}, ${report.year}${until}.`));
    if (!report.units.length) {
      target.append(el("p", "Inga överenskommelser, riskbedömningar eller uppföljningar under året."));
      return;
    }
    const charts = el("div", undefined, "charts");
    charts.append(
      barChart(
        "Godkända under året: riskbedömningen dokumenterad före beslutet",
        ["Före beslut", "Efter beslut", "Utan dokumenterad"],
        rows.map((u) => ({
          label: u.unit,
          values: [u.decisions.assessment_before_decision, u.decisions.assessment_after_decision, u.decisions.without_documented_assessment],
          text: u.decisions.approved ? `${u.decisions.assessment_before_decision} av ${u.decisions.approved} (${percent(u.decisions.share_assessment_before_decision)})` : "inga beslut",
        })),
        true,
      ),
      barChart(
        "Riskbedömningar som skulle följas upp: uppföljda inom 12 månader",
        ["Inom 12 månader", "Senare", "Inte uppföljda"],
        rows.map((u) => {
          const f = u.risk_assessment_follow_up;
          return {
            label: u.unit,
            values: [f.within_12_months, f.late, f.missing],
            text: f.due ? `${f.within_12_months} av ${f.due} (${percent(f.share_within_12_months)})` : "inga att följa upp",
          };
        }),
        true,
      ),
      barChart(
        "Åtgärder i handlingsplanerna",
        ["Genomförda", "Öppna i tid", "Försenade"],
        rows.map((u) => ({
          label: u.unit,
          values: [u.actions.done, u.actions.open - u.actions.overdue, u.actions.overdue],
          text: `${u.actions.open} öppna, ${u.actions.overdue} försenade`,
        })),
        false,
      ),
      barChart(
        `Överenskommelser gällande på rapportdagen; löper ut inom ${report.reminder_days_before_expiry} dagar`,
        ["Gällande", "Löper ut"],
        rows.map((u) => ({
          label: u.unit,
          values: [u.agreements.in_force_on_report_date - u.agreements.expiring_within_reminder_window, u.agreements.expiring_within_reminder_window],
          text: `${u.agreements.in_force_on_report_date} gällande, ${u.agreements.expiring_within_reminder_window} löper ut`,
        })),
        false,
      ),
    );
    // A wide table scrolls sideways; focusable, so the keyboard can scroll it too (WCAG 2.1.1).
    const scroll = el("div", undefined, "scroll");
    scroll.tabIndex = 0;
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-label", "Tabell över enheterna, kan rullas i sidled");
    scroll.append(
      figureTable(
        "Alla siffror",
        ["Enhet", "Gällande under året", "Gällande på rapportdagen", "Löper ut", "Godkända under året", "Riskbedömning före beslut", "Uppföljda inom 12 mån", "Öppna åtgärder", "Försenade åtgärder", "Uppföljningssamtal hållna"],
        rows.map((u) => [
          u.unit,
          u.agreements.in_force_during_year,
          u.agreements.in_force_on_report_date,
          u.agreements.expiring_within_reminder_window,
          u.decisions.approved,
          u.decisions.approved ? `${u.decisions.assessment_before_decision} (${percent(u.decisions.share_assessment_before_decision)})` : "–",
          u.risk_assessment_follow_up.due ? `${u.risk_assessment_follow_up.within_12_months} av ${u.risk_assessment_follow_up.due}` : "–",
          u.actions.open,
          u.actions.overdue,
          u.follow_up_dialogues_held,
        ]),
      ),
    );
    target.append(charts, scroll);
  }

  function complianceQuery(format) {
    return query({ year: $("compliance-year").value, unit: $("compliance-unit").value, format });
  }

  async function showCompliance() {
    $("compliance-error").textContent = "";
    const result = await getJson(`/api/hr/reports/compliance?${complianceQuery("json")}`);
    if (!result.ok) {
      $("compliance").replaceChildren();
      return showError("compliance-error", result);
    }
    renderCompliance(result.body);
  }

  function countText(count, k) {
    return count.suppressed ? `färre än ${k}` : String(count.value);
  }

  function renderSummary(summary) {
    const target = $("summary");
    target.replaceChildren();
    const k = summary.min_group_size;
    target.append(el("h3", `${summary.unit} ${summary.year}`));
    if (summary.withheld) {
      target.append(el("p", `Färre än ${k} medarbetare i enheten har en riskbedömning som gäller år ${summary.year}. För att ingen enskild ska kunna pekas ut visas inga siffror.`));
      return;
    }
    const c = (count) => countText(count, k);
    target.append(
      figureTable("Vad riskbedömningarna visade", ["Uppgift", "Antal"], [
        ["Medarbetare med riskbedömning", c(summary.employees)],
        ["Dokumenterade riskbedömningar", c(summary.assessments.documented)],
        ["– med identifierade risker", c(summary.assessments.with_risks)],
        ["– utan identifierade risker", c(summary.assessments.without_risks)],
        ["Identifierade risker", c(summary.risks)],
      ]),
      barChart(
        `Risker per område (tomt: färre än ${k} medarbetare står bakom)`,
        ["Risker"],
        summary.risks_by_area.map((a) => ({ label: a.area, values: [a.risks.value || 0], text: c(a.risks) })),
        false,
      ),
      figureTable("Risker per område", ["Område", "Risker"], summary.risks_by_area.map((a) => [a.area, c(a.risks)])),
      figureTable("Hur riskerna hanteras", ["Uppgift", "Antal"], [
        ["Åtgärder i handlingsplanerna", c(summary.actions.planned)],
        ["– genomförda under året", c(summary.actions.done)],
        ["– öppna", c(summary.actions.open)],
        ["– varav försenade", c(summary.actions.overdue)],
        ["Riskbedömningar att följa upp under året", c(summary.follow_up.due)],
        ["– uppföljda inom 12 månader", c(summary.follow_up.within_12_months)],
        ["– inte uppföljda inom 12 månader", c(summary.follow_up.not_within_12_months)],
        ["Uppföljningssamtal hållna", c(summary.follow_up.dialogues_held)],
      ]),
    );
    if (summary.free_text_included) {
      const statuses = { overdue: "försenad", open: "öppen", done: "genomförd" };
      target.append(el("h4", "Riskbedömningarnas utfall (namn borttagna)"));
      const outcomes = el("ul");
      for (const text of summary.outcomes) outcomes.append(el("li", text));
      target.append(summary.outcomes.length ? outcomes : el("p", "Inga."));
      target.append(el("h4", "Åtgärder (utan ansvariga)"));
      const actions = el("ul");
      for (const action of summary.planned_actions) actions.append(el("li", `${action.text} (${statuses[action.status]})`));
      target.append(summary.planned_actions.length ? actions : el("p", "Inga."));
    }
  }

  function summaryQuery(format) {
    return query({
      unit: $("summary-unit").value,
      year: $("summary-year").value,
      min_group_size: $("summary-group").value,
      free_text: $("summary-free-text").checked ? "true" : "",
      format,
    });
  }

  async function showSummary() {
    $("summary-error").textContent = "";
    const result = await getJson(`/api/hr/reports/unit-summary?${summaryQuery("json")}`);
    if (!result.ok) {
      $("summary").replaceChildren();
      return showError("summary-error", result);
    }
    renderSummary(result.body);
  }

  async function start() {
    const result = await getJson("/api/hr/reports/options");
    const allowed = result.ok;
    $("compliance-section").hidden = !allowed;
    $("summary-section").hidden = !allowed;
    // Not HR, or not signed in: hr.js says so at the top of the page.
    if (!allowed) return;
    options = result.body;
    const all = el("option", "Alla enheter");
    all.value = "";
    fill($("compliance-year"), options.years);
    fill($("compliance-unit"), options.units, all);
    fill($("summary-year"), options.years);
    fill($("summary-unit"), options.units);
    $("summary-group").min = String(options.min_group_size);
    $("summary-group").value = String(options.min_group_size);
    $("summary").replaceChildren();
    await showCompliance();
  }

  $("compliance-form").addEventListener("submit", (event) => {
    event.preventDefault();
    showCompliance();
  });
  $("compliance-csv").addEventListener("click", () => download(`/api/hr/reports/compliance?${complianceQuery("csv")}`, "compliance-error"));
  $("compliance-pdf").addEventListener("click", () => download(`/api/hr/reports/compliance?${complianceQuery("pdf")}`, "compliance-error"));
  $("summary-form").addEventListener("submit", (event) => {
    event.preventDefault();
    showSummary();
  });
  $("summary-pdf").addEventListener("click", () => download(`/api/hr/reports/unit-summary?${summaryQuery("pdf")}`, "summary-error"));
  // hr.js shows the page once it knows the user is HR (after choosing the demo user in local
  // mode): the reports load then, as the user it chose. A new demo user is stored by hr.js's own
  // change handler, which may run after this one, hence the timeout.
  new MutationObserver(() => {
    if (!$("content").hidden) start();
  }).observe($("content"), { attributes: true, attributeFilter: ["hidden"] });
  $("demo-user").addEventListener("change", () => setTimeout(start, 0));
  if (!$("content").hidden) start();
})();
