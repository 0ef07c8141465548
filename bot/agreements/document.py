"""The printable agreement (distansöverenskommelse) that is signed and kept in the personnel file.

Only what the agreement itself holds is printed: names and the employee number come from the
directory, the terms from the region's configuration, and no personal identity number is ever
included (none is stored). Until the agreement is approved every page carries a watermark, so a
draft is never signed and filed as if it were decided.
"""

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf.fonts import FontFace

from bot.agreements.parsing import names_only_the_kind
from bot.identity import User
from bot.printing import A4Pdf
from bot.regions import Region
from bot.storage.models import (
    ActionStatus,
    Agreement,
    AgreementStatus,
    RiskAssessment,
    RiskAssessmentStatus,
)

PLACE_KINDS = {"home": "Hemmet", "holiday_home": "Fritidsbostad", "other": "Annan plats"}
STATUS_TEXT: dict[str, str] = {
    AgreementStatus.SUBMITTED: "Inskickad, väntar på beslut",
    AgreementStatus.APPROVED: "Godkänd",
    AgreementStatus.REJECTED: "Avslagen",
    AgreementStatus.ACTIVE: "Gällande",
    AgreementStatus.EXPIRING: "Gällande, löper snart ut",
    AgreementStatus.EXPIRED: "Upphörd",
    AgreementStatus.RENEWED: "Förnyad",
    AgreementStatus.WITHDRAWN: "Återtagen",
}
# Across every page of a document that must not be signed as it stands; an approved agreement
# (and one that was approved and has since run out or been renewed) has none.
WATERMARKS: dict[str, str] = {
    AgreementStatus.SUBMITTED: "UTKAST – ej beslutad",
    AgreementStatus.REJECTED: "AVSLAGEN – gäller inte",
    AgreementStatus.WITHDRAWN: "ÅTERTAGEN – gäller inte",
}
# Light enough to read the black text through, and a grey nothing else on the page uses.
WATERMARK_GREY = (205, 205, 205)
WATERMARK_FONT_SIZE = 60.0
# The watermark's length at most, as a share of the page's diagonal: a longer text is set smaller
# so that it never runs off the page.
WATERMARK_DIAGONAL_SHARE = 0.75
MISSING_ADDRESS = "Adress saknas – fylls i före underskrift"
MISSING = "Uppgift saknas"
RISK_ASSESSMENT_STATE: dict[str, str] = {
    RiskAssessmentStatus.BOOKED: "samtalet är bokat, resultatet är inte dokumenterat",
    RiskAssessmentStatus.HELD: "samtalet är hållet, resultatet är inte dokumenterat",
    RiskAssessmentStatus.CANCELLED: "samtalet är avbokat, ingen riskbedömning är dokumenterad",
}
# One A4 page holds the whole agreement unless its texts are long.
BODY_FONT_SIZE = 9.0
HEADING_FONT_SIZE = 10.5
LABEL_WIDTH = 52.0
LINE_HEIGHT = 4.6
SIGNATURE_BLOCK_HEIGHT = 44.0


class _AgreementPdf(A4Pdf):
    def __init__(self, reference: str, watermark: str | None) -> None:
        super().__init__()
        self.agreement_reference = reference
        self.watermark = watermark

    def header(self) -> None:
        # Drawn first on each page, so the page's text lies on top of it.
        if not self.watermark:
            return
        text = self.safe(self.watermark)
        centre_x, centre_y = self.w / 2, self.h / 2
        # Along the page's diagonal, bottom left to top right, centred on the page: the baseline
        # sits half a capital's height (about 0.7 of the font size) below the centre.
        angle = math.degrees(math.atan2(self.h, self.w))
        with (
            self.local_context(text_color=WATERMARK_GREY),
            self.rotation(angle, centre_x, centre_y),
        ):
            self.set_font(self.body_font, "B", WATERMARK_FONT_SIZE)
            fitting = WATERMARK_DIAGONAL_SHARE * math.hypot(self.w, self.h)
            width = self.get_string_width(text)
            if width > fitting:
                self.set_font_size(WATERMARK_FONT_SIZE * fitting / width)
                width = self.get_string_width(text)
            self.text(centre_x - width / 2, centre_y + self.font_size * 0.35, text)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.body_font, "", 8)
        self.cell(
            0,
            10,
            self.safe(
                f"Distansöverenskommelse {self.agreement_reference} – sida {self.page_no()}/{{nb}}"
            ),
            align="C",
        )


def agreement_pdf(
    agreement: Agreement,
    employee: User,
    manager: User,
    region: Region,
    *,
    decided_by: User | None = None,
    risk_assessment: RiskAssessment | None = None,
) -> bytes:
    """Returns the agreement as an A4 PDF (one page unless the texts are long) to sign and file.

    ``decided_by`` is whoever decided (the manager or HR), ``risk_assessment`` the assessment the
    agreement refers to; both as far as they are known."""
    watermark = WATERMARKS.get(agreement.status)
    pdf = _AgreementPdf(agreement.reference, watermark)
    safe = pdf.safe
    zone = ZoneInfo(region.time_zone)
    title = f"Distansöverenskommelse {agreement.reference}"
    pdf.set_title(safe(f"{title} ({watermark})" if watermark else title))
    pdf.set_author(safe(region.name))
    pdf.set_lang("sv")
    pdf.set_margins(18, 14, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()

    pdf.set_font(pdf.body_font, "B", 17)
    pdf.cell(0, 9, safe("Distansöverenskommelse"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.body_font, "", 11)
    pdf.cell(0, 6, safe(region.name), new_x="LMARGIN", new_y="NEXT")
    status = STATUS_TEXT.get(agreement.status, agreement.status)
    pdf.cell(
        0,
        6,
        safe(f"Referensnummer: {agreement.reference}   Status: {status}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )

    place = PLACE_KINDS.get(agreement.place_kind, agreement.place_kind)
    if not names_only_the_kind(agreement.place_kind, agreement.place_description):
        place = f"{place} – {agreement.place_description.strip()}"
    it_security = (
        "Ja, medarbetaren har bekräftat att regionens regler för informations- och IT-säkerhet "
        "följs vid distansarbete."
        if agreement.it_security_confirmed
        else "Nej, reglerna för informations- och IT-säkerhet är inte bekräftade."
    )

    _heading(pdf, "Parter")
    _fields(
        pdf,
        [
            ("Medarbetare", employee.name),
            ("Anställningsnummer", employee.employee_number or MISSING),
            ("Enhet", agreement.unit),
            ("Närmaste chef", manager.name),
        ],
    )
    _heading(pdf, "Distansarbetet")
    _fields(
        pdf,
        [
            ("Andel av arbetstiden", f"{agreement.share_percent} %"),
            ("Arbetsplats på distans", place),
            ("Arbetsplatsens adress", agreement.workplace_address or MISSING_ADDRESS),
            ("Period", f"{agreement.start_date.isoformat()} – {agreement.end_date.isoformat()}"),
            ("Arbetsuppgifter på distans", agreement.tasks),
        ],
    )
    _heading(pdf, "Lista över hemlånat material")
    _equipment(pdf, [item.strip() for item in (agreement.equipment or []) if item.strip()])
    _heading(pdf, "Ansökan, riskbedömning och beslut")
    _fields(
        pdf,
        [
            ("Ansökan inkommen", _local_date(agreement.created_at, zone)),
            *_risk_assessment_rows(agreement, risk_assessment, zone),
            *_decision_rows(agreement, decided_by, zone),
        ],
    )
    _heading(pdf, "Villkor")
    _fields(
        pdf,
        [
            ("Informationssäkerhet", it_security),
            ("Uppsägning", region.agreement.ending_terms),
            ("Återlämning av material", region.agreement.equipment_return_terms),
            ("Regionens underlag", region.agreement.source),
        ],
    )
    pdf.ln(1)
    pdf.set_font(pdf.body_font, "", BODY_FONT_SIZE)
    pdf.multi_cell(
        0,
        LINE_HEIGHT,
        safe("Överenskommelsen arkiveras i medarbetarens personalakt av närmaste chef."),
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _signatures(pdf, employee.name, manager.name)
    return bytes(pdf.output())


def _local_date(moment: datetime | None, zone: ZoneInfo) -> str:
    """The region's date of a stored UTC moment, as HR files it."""
    return moment.astimezone(zone).date().isoformat() if moment else MISSING


def _decision_rows(
    agreement: Agreement, decided_by: User | None, zone: ZoneInfo
) -> list[tuple[str, str]]:
    if agreement.decided_at is None:
        decision = (
            "Återtagen av medarbetaren före beslut"
            if agreement.status == AgreementStatus.WITHDRAWN
            else "Ej beslutad"
        )
        return [("Beslut", decision)]
    rejected = agreement.status == AgreementStatus.REJECTED
    rows = [
        ("Beslut", "Avslagen" if rejected else "Godkänd"),
        ("Beslutsdatum", _local_date(agreement.decided_at, zone)),
        ("Beslutad av", decided_by.name if decided_by else MISSING),
    ]
    if agreement.decision_reason:
        rows.append(("Skäl" if rejected else "Kommentar till beslutet", agreement.decision_reason))
    return rows


def _risk_assessment_rows(
    agreement: Agreement, assessment: RiskAssessment | None, zone: ZoneInfo
) -> list[tuple[str, str]]:
    if agreement.risk_assessment_id is None:
        return [("Riskbedömning", "Ingen riskbedömning registrerad")]
    number = f"nr {agreement.risk_assessment_id}"
    if assessment is None:
        return [("Riskbedömning", f"{number} (uppgifterna saknas)")]
    if assessment.status != RiskAssessmentStatus.DOCUMENTED:
        state = RISK_ASSESSMENT_STATE.get(assessment.status, assessment.status)
        if assessment.status == RiskAssessmentStatus.BOOKED and assessment.start_at:
            booked_on = _local_date(assessment.start_at, zone)
            state = f"samtalet är bokat till {booked_on}, resultatet är inte dokumenterat"
        return [("Riskbedömning", f"{number}: {state}")]
    documented_on = assessment.documented_on.isoformat() if assessment.documented_on else MISSING
    rows = [
        ("Riskbedömning", f"{number}, dokumenterad {documented_on}"),
        ("Resultat", assessment.outcome or MISSING),
    ]
    actions = [
        f"• {item.text} – ansvarig {item.owner}, senast {item.due_on.isoformat()}"
        + (f", klar {_local_date(item.done_at, zone)}" if item.status == ActionStatus.DONE else "")
        for item in assessment.action_items
    ]
    rows.append(("Handlingsplan", "\n".join(actions) if actions else "Inga åtgärder"))
    if assessment.follow_up_on:
        rows.append(("Följs upp senast", assessment.follow_up_on.isoformat()))
    return rows


def _heading(pdf: _AgreementPdf, text: str) -> None:
    pdf.ln(1.5)
    pdf.set_font(pdf.body_font, "B", HEADING_FONT_SIZE)
    pdf.cell(0, 6, pdf.safe(text), new_x="LMARGIN", new_y="NEXT")


def _fields(pdf: _AgreementPdf, rows: list[tuple[str, str]]) -> None:
    pdf.set_font(pdf.body_font, "", BODY_FONT_SIZE)
    with pdf.table(
        col_widths=(LABEL_WIDTH, pdf.epw - LABEL_WIDTH),
        width=pdf.epw,
        first_row_as_headings=False,
        borders_layout="NONE",
        text_align="LEFT",
        v_align="TOP",
        line_height=LINE_HEIGHT,
        padding=(0.3, 1, 0.3, 0),
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(pdf.safe(label), style=FontFace(emphasis="BOLD"))
            row.cell(pdf.safe(value))


def _equipment(pdf: _AgreementPdf, items: list[str]) -> None:
    """The list in two columns, so that a usual list does not push the signatures over a page."""
    items = [f"• {item}" for item in items] if items else ["Inget hemlånat material."]
    pdf.set_font(pdf.body_font, "", BODY_FONT_SIZE)
    half = (len(items) + 1) // 2
    with pdf.table(
        width=pdf.epw,
        first_row_as_headings=False,
        borders_layout="NONE",
        text_align="LEFT",
        v_align="TOP",
        line_height=LINE_HEIGHT,
        padding=(0.3, 1, 0.3, 0),
    ) as table:
        right_column = [*items[half:], ""][:half]
        for left, right in zip(items[:half], right_column, strict=True):
            row = table.row()
            row.cell(pdf.safe(left))
            row.cell(pdf.safe(right))


def _signatures(pdf: _AgreementPdf, employee_name: str, manager_name: str) -> None:
    # The two signature blocks must stay together on one page.
    if pdf.get_y() + SIGNATURE_BLOCK_HEIGHT > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(pdf.body_font, "B", HEADING_FONT_SIZE)
    pdf.cell(0, 6, pdf.safe("Underskrifter"), new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    column = pdf.epw / 2
    for index, (role, name) in enumerate(
        [("Underskrift medarbetare", employee_name), ("Underskrift chef", manager_name)]
    ):
        x = pdf.l_margin + index * column
        width = column - 10
        for offset, label, below in ((9, "Ort och datum", None), (24, role, name)):
            pdf.line(x, top + offset, x + width, top + offset)
            pdf.set_xy(x, top + offset + 1)
            pdf.set_font(pdf.body_font, "", 9)
            pdf.cell(width, 5, pdf.safe(label))
            if below:
                pdf.set_xy(x, top + offset + 6)
                pdf.cell(width, 5, pdf.safe(f"Namnförtydligande: {below}"))
    pdf.set_xy(pdf.l_margin, top + 36)
