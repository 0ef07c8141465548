"""The A4 PDFs the service prints: the agreement for the personnel file and HR's reports.

Swedish text needs a Unicode font: DejaVu Sans where the host has it (Debian's fonts-dejavu),
else fpdf's core font, with typographic characters given a readable latin-1 stand-in.
"""

from pathlib import Path

from fpdf import FPDF

UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
UNICODE_FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
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


class A4Pdf(FPDF):
    """An A4 page in millimetres with ``body_font`` set up for Swedish."""

    def __init__(self, orientation: str = "portrait") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.has_unicode_font = UNICODE_FONT.is_file()
        if self.has_unicode_font:
            self.add_font("DejaVu", "", UNICODE_FONT)
            bold = UNICODE_FONT_BOLD if UNICODE_FONT_BOLD.is_file() else UNICODE_FONT
            self.add_font("DejaVu", "B", bold)
            self.body_font = "DejaVu"
        else:
            self.body_font = "helvetica"

    def safe(self, text: str) -> str:
        """``text`` unchanged with a Unicode font, else reduced to latin-1."""
        if self.has_unicode_font:
            return text
        return text.translate(LATIN1_STAND_INS).encode("latin-1", "replace").decode("latin-1")
