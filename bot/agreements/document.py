"""The printable agreement (distansöverenskommelse) that is signed and kept in the personnel file.

Only what the agreement itself holds is printed: names come from the directory, and no personal
identity number is ever included (none is stored).
"""

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from bot.identity import User
from bot.regions import Region
from bot.storage.models import Agreement, AgreementStatus

UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
UNICODE_FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

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
# Core-font fallback: typographic characters outside latin-1 get a readable ASCII stand-in
# before anything else is replaced by "?".
LATIN1_STAND_INS = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "•": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "\u202f": " ",
    }
)

LABEL_WIDTH = 58.0
LINE_HEIGHT = 5.5
SIGNATURE_BLOCK_HEIGHT = 50.0


class _AgreementPdf(FPDF):
    def __init__(self, reference: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.agreement_reference = reference
        self.has_unicode_font = UNICODE_FONT.is_file()
        if self.has_unicode_font:
            self.add_font("DejaVu", "", UNICODE_FONT)
            bold = UNICODE_FONT_BOLD if UNICODE_FONT_BOLD.is_file() else UNICODE_FONT
            self.add_font("DejaVu", "B", bold)
            self.body_font = "DejaVu"
        else:
            self.body_font = "helvetica"

    def text_safe(self, text: str) -> str:
        """Returns ``text`` unchanged with a Unicode font, else reduced to latin-1."""
        if self.has_unicode_font:
            return text
        return text.translate(LATIN1_STAND_INS).encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.body_font, "", 8)
        self.cell(
            0,
            10,
            self.text_safe(
                f"Distansöverenskommelse {self.agreement_reference} – sida {self.page_no()}/{{nb}}"
            ),
            align="C",
        )


def agreement_pdf(agreement: Agreement, employee: User, manager: User, region: Region) -> bytes:
    """Returns the agreement as an A4 PDF (one page unless the texts are long) to sign and file."""
    pdf = _AgreementPdf(agreement.reference)
    safe = pdf.text_safe
    pdf.set_title(safe(f"Distansöverenskommelse {agreement.reference}"))
    pdf.set_author(safe(region.name))
    pdf.set_lang("sv")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.add_page()

    pdf.set_font(pdf.body_font, "B", 17)
    pdf.cell(0, 9, safe("Distansöverenskommelse"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.body_font, "", 11)
    pdf.cell(0, 6, safe(region.name), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, safe(f"Referensnummer: {agreement.reference}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)

    place = PLACE_KINDS.get(agreement.place_kind, agreement.place_kind)
    if agreement.place_description.strip():
        place = f"{place} – {agreement.place_description.strip()}"
    risk = (
        f"Riskbedömning nr {agreement.risk_assessment_id}"
        if agreement.risk_assessment_id is not None
        else "Ingen riskbedömning registrerad"
    )
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
            ("Period", f"{agreement.start_date.isoformat()} – {agreement.end_date.isoformat()}"),
            ("Arbetsuppgifter som utförs på distans", agreement.tasks),
        ],
    )
    _heading(pdf, "Lista över hemlånat material")
    pdf.set_font(pdf.body_font, "", 10)
    items = [item for item in (agreement.equipment or []) if item.strip()]
    for item in items or ["Inget hemlånat material."]:
        prefix = "• " if items else ""
        pdf.multi_cell(
            0, LINE_HEIGHT, safe(prefix + item), align="L", new_x="LMARGIN", new_y="NEXT"
        )
    _heading(pdf, "Villkor och status")
    _fields(
        pdf,
        [
            ("Informations- och IT-säkerhet", it_security),
            ("Status", STATUS_TEXT.get(agreement.status, agreement.status)),
            ("Riskbedömning", risk),
            ("Regionens underlag", region.agreement.source),
        ],
    )
    pdf.ln(2)
    pdf.set_font(pdf.body_font, "", 10)
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


def _heading(pdf: _AgreementPdf, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(pdf.body_font, "B", 11)
    pdf.cell(0, 7, pdf.text_safe(text), new_x="LMARGIN", new_y="NEXT")


def _fields(pdf: _AgreementPdf, rows: list[tuple[str, str]]) -> None:
    pdf.set_font(pdf.body_font, "", 10)
    with pdf.table(
        col_widths=(LABEL_WIDTH, pdf.epw - LABEL_WIDTH),
        width=pdf.epw,
        first_row_as_headings=False,
        borders_layout="NONE",
        text_align="LEFT",
        v_align="TOP",
        line_height=LINE_HEIGHT,
        padding=(0.5, 1, 0.5, 0),
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(pdf.text_safe(label), style=FontFace(emphasis="BOLD"))
            row.cell(pdf.text_safe(value))


def _signatures(pdf: _AgreementPdf, employee_name: str, manager_name: str) -> None:
    # The two signature blocks must stay together on one page.
    if pdf.get_y() + SIGNATURE_BLOCK_HEIGHT > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font(pdf.body_font, "B", 11)
    pdf.cell(0, 7, pdf.text_safe("Underskrifter"), new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    column = pdf.epw / 2
    for index, (role, name) in enumerate(
        [("Underskrift medarbetare", employee_name), ("Underskrift chef", manager_name)]
    ):
        x = pdf.l_margin + index * column
        width = column - 10
        for offset, label, below in ((10, "Datum", None), (26, role, name)):
            pdf.line(x, top + offset, x + width, top + offset)
            pdf.set_xy(x, top + offset + 1)
            pdf.set_font(pdf.body_font, "", 9)
            pdf.cell(width, 5, pdf.text_safe(label))
            if below:
                pdf.set_xy(x, top + offset + 6)
                pdf.cell(width, 5, pdf.text_safe(f"Namnförtydligande: {below}"))
    pdf.set_xy(pdf.l_margin, top + 38)
