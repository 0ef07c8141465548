"""The reports as printable A4 PDFs: the compliance report for the SAM follow-up (landscape, one
table of units) and the unit summary for the verksamhetsråd (portrait). Same fonts as the
printed agreement; every figure is also in the JSON the HR page shows."""

from datetime import date

from fpdf.fonts import FontFace

from bot.printing import A4Pdf
from bot.reports.compliance import ALL_UNITS, ComplianceReport, UnitCompliance
from bot.reports.unit_summary import Count, UnitSummary

HEADING_FILL = (225, 232, 238)
LINE_HEIGHT = 5.0
STATUS_TEXT = {"overdue": "försenad", "open": "öppen", "done": "genomförd"}

# What each figure of the compliance report means, printed under the table for the board.
COMPLIANCE_DEFINITIONS = (
    (
        "Gällande",
        "godkända överenskommelser vars period omfattar någon dag av året (under året) eller "
        "rapportdagen. En förnyad överenskommelse gäller till dagen innan den nya börjar.",
    ),
    (
        "Löper ut",
        "gällande på rapportdagen och slutar inom regionens påminnelsetid.",
    ),
    (
        "Riskbedömning före beslut",
        "överenskommelser godkända under året vars riskbedömning dokumenterades senast samma "
        "dag som beslutet, av alla godkända under året.",
    ),
    (
        "Uppföljda inom 12 månader",
        "riskbedömningar som skulle följas upp under året (12 månader efter dokumentationen "
        "eller förra uppföljningen, eller redan försenade vid årets början, medan en "
        "överenskommelse på dem gäller) och där varje uppföljning hölls i tid, av alla som "
        "skulle följas upp.",
    ),
    (
        "Åtgärder",
        "åtgärder i handlingsplanerna som var öppna någon gång under året: öppna och försenade "
        "(öppna efter sitt datum) på rapportdagen.",
    ),
    (
        "Uppföljningssamtal",
        "uppföljningar av distansarbetet som registrerats som hållna under året.",
    ),
)


class _ReportPdf(A4Pdf):
    def __init__(self, orientation: str, footer_text: str) -> None:
        super().__init__(orientation)
        self.footer_text = footer_text
        self.set_lang("sv")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=20)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.body_font, "", 8)
        self.cell(0, 8, self.safe(f"{self.footer_text} – sida {self.page_no()}/{{nb}}"), align="C")

    def title_block(self, title: str, lines: list[str]) -> None:
        self.set_title(self.safe(title))
        self.set_font(self.body_font, "B", 15)
        self.multi_cell(0, 7, self.safe(title), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.body_font, "", 10)
        for line in lines:
            self.multi_cell(
                0, LINE_HEIGHT, self.safe(line), align="L", new_x="LMARGIN", new_y="NEXT"
            )
        self.ln(2)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(self.body_font, "B", 12)
        self.cell(0, 7, self.safe(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.body_font, "", 10)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, LINE_HEIGHT, self.safe(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def rows(self, rows: list[tuple[str, str]], widths: tuple[int, int] = (130, 50)) -> None:
        with self.table(
            col_widths=widths,
            text_align=("LEFT", "RIGHT"),
            first_row_as_headings=False,
            line_height=LINE_HEIGHT + 1,
            width=sum(widths),
            align="LEFT",
        ) as table:
            for label, value in rows:
                table.row([self.safe(label), self.safe(value)])


def compliance_pdf(report: ComplianceReport) -> bytes:
    """The compliance report on landscape A4: one row per unit, the total, and what each
    figure means."""
    pdf = _ReportPdf("landscape", f"Uppföljning av distansarbete {report.year}")
    pdf.set_author(pdf.safe(report.region_name))
    pdf.title_block(
        f"Distansarbete i det systematiska arbetsmiljöarbetet – uppföljning {report.year}",
        [
            report.region_name,
            f"Enhet: {report.unit or ALL_UNITS}",
            _period_text(report.period_start, report.period_end, report.report_date),
            f"Påminnelsetid före utgång: {report.reminder_days_before_expiry} dagar",
        ],
    )
    headings = (
        "Enhet",
        "Gällande under året",
        "Gällande på rapportdagen",
        f"Löper ut inom {report.reminder_days_before_expiry} dagar",
        "Godkända under året",
        "Riskbedömning före beslut",
        "Uppföljda inom 12 mån",
        "Öppna åtgärder",
        "Försenade åtgärder",
        "Uppföljnings- samtal hållna",
    )
    rows = [*report.units, report.total] if report.unit is None else report.units
    pdf.set_font(pdf.body_font, "", 8)
    with pdf.table(
        col_widths=(45, 21, 25, 21, 21, 31, 31, 21, 23, 28),
        text_align=("LEFT", *(["RIGHT"] * 9)),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
        line_height=LINE_HEIGHT,
        repeat_headings=1,
    ) as table:
        table.row([pdf.safe(h) for h in headings])
        for unit in rows:
            style = FontFace(emphasis="BOLD") if unit.unit == ALL_UNITS else None
            table.row([pdf.safe(cell) for cell in _compliance_cells(unit)], style=style)
    if not report.units:
        pdf.paragraph("Inga överenskommelser, riskbedömningar eller uppföljningar under året.")
    pdf.heading("Så räknas siffrorna")
    pdf.set_font(pdf.body_font, "", 9)
    for term, meaning in COMPLIANCE_DEFINITIONS:
        pdf.paragraph(f"{term}: {meaning}")
    return bytes(pdf.output())


def _compliance_cells(unit: UnitCompliance) -> list[str]:
    decisions, follow_up = unit.decisions, unit.risk_assessment_follow_up
    return [
        unit.unit,
        str(unit.agreements.in_force_during_year),
        str(unit.agreements.in_force_on_report_date),
        str(unit.agreements.expiring_within_reminder_window),
        str(decisions.approved),
        _part_of(
            decisions.assessment_before_decision,
            decisions.approved,
            decisions.share_assessment_before_decision,
        ),
        _part_of(follow_up.within_12_months, follow_up.due, follow_up.share_within_12_months),
        str(unit.actions.open),
        str(unit.actions.overdue),
        str(unit.follow_up_dialogues_held),
    ]


def unit_summary_pdf(summary: UnitSummary) -> bytes:
    """The unit summary on portrait A4, for the verksamhetsråd."""
    pdf = _ReportPdf("portrait", f"{summary.unit} – distansarbete {summary.year}")
    pdf.set_author(pdf.safe(summary.region_name))
    k = summary.min_group_size
    pdf.title_block(
        "Distansarbete – sammanställning för verksamhetsrådet",
        [
            summary.region_name,
            f"Enhet: {summary.unit}",
            _period_text(summary.period_start, summary.period_end, summary.report_date),
            f"Avidentifierad: ett antal som färre än {k} medarbetare står bakom visas som "
            f"”färre än {k}”. Inga namn ingår.",
        ],
    )
    if summary.withheld:
        pdf.paragraph(
            f"Färre än {k} medarbetare i enheten har en riskbedömning som gäller år "
            f"{summary.year}. För att ingen enskild ska kunna pekas ut redovisas inga siffror."
        )
        return bytes(pdf.output())

    def shown(count: Count) -> str:
        return f"färre än {k}" if count.suppressed else str(count.value)

    pdf.heading("Vad riskbedömningarna visade")
    pdf.rows(
        [
            ("Medarbetare med riskbedömning", shown(summary.employees)),
            ("Dokumenterade riskbedömningar", shown(summary.assessments.documented)),
            ("– med identifierade risker", shown(summary.assessments.with_risks)),
            ("– utan identifierade risker", shown(summary.assessments.without_risks)),
            ("Identifierade risker", shown(summary.risks)),
        ]
    )
    pdf.heading("Risker per område")
    pdf.rows([(area.area, shown(area.risks)) for area in summary.risks_by_area])
    pdf.heading("Hur riskerna hanteras")
    actions, follow_up = summary.actions, summary.follow_up
    pdf.rows(
        [
            ("Åtgärder i handlingsplanerna", shown(actions.planned)),
            ("– genomförda under året", shown(actions.done)),
            ("– öppna", shown(actions.open)),
            ("– varav försenade", shown(actions.overdue)),
            ("Riskbedömningar att följa upp under året", shown(follow_up.due)),
            ("– uppföljda inom 12 månader", shown(follow_up.within_12_months)),
            ("– inte uppföljda inom 12 månader", shown(follow_up.not_within_12_months)),
            ("Uppföljningssamtal hållna", shown(follow_up.dialogues_held)),
        ]
    )
    if summary.free_text_included:
        pdf.heading("Riskbedömningarnas utfall (fritext, namn borttagna)")
        for text in summary.outcomes or ["Inga."]:
            pdf.paragraph(f"• {text}")
        pdf.heading("Åtgärder (fritext, utan ansvariga)")
        for action in summary.planned_actions:
            pdf.paragraph(f"• {action.text} ({STATUS_TEXT[action.status]})")
        if not summary.planned_actions:
            pdf.paragraph("Inga.")
    return bytes(pdf.output())


def _period_text(start: date, end: date, report_date: date) -> str:
    if report_date == end:
        return f"Period: {start} – {end}"
    return f"Period: {start} – {report_date} (året pågår; räknat till och med rapportdagen)"


def _part_of(part: int, whole: int, share: float | None) -> str:
    if share is None:
        return "–"
    return f"{part} av {whole} ({round(share * 100)} %)"
