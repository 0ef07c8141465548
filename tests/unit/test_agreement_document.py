"""The printable agreement: what a manager prints, signs and files must be complete and readable,
and a draft must look like one. Checked as a person would: the text read back from the PDF, and
the pages rendered to images by Debian's pdftoppm (poppler-utils, ``make pdftools``)."""

import io
import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from bot import printing
from bot.agreements.document import WATERMARK_GREY, agreement_pdf
from bot.identity import User, demo_directory
from bot.regions import DEFAULT_ENDING_TERMS, DEFAULT_EQUIPMENT_RETURN_TERMS, Region, load_region
from bot.settings import PROJECT_ROOT
from bot.storage.models import ActionItem, Agreement, AgreementStatus, RiskAssessment

EQUIPMENT = ["Bärbar dator", "Bildskärm", "Tangentbord och mus", "Headset"]


def make_agreement(**overrides: Any) -> Agreement:
    """An agreement with every non-null column set; ``overrides`` replace any of them."""
    values: dict[str, Any] = {
        "reference": "DA-2026-00001",
        "submission_key": "key-00001",
        "region": "vastmanland",
        "employee_id": "anna.andersson",
        "manager_id": "maria.berg",
        "unit": "Ekonomienheten",
        "share_percent": 40,
        "place_kind": "holiday_home",
        "place_description": "Stugan i Åre, Björkvägen 3",
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31),
        "tasks": "Fakturagranskning, månadsrapporter och möten på distans.",
        "equipment": list(EQUIPMENT),
        "it_security_confirmed": True,
        "status": AgreementStatus.ACTIVE,
    }
    values.update(overrides)
    return Agreement(**values)


# Applied on 3 November; decided at 00:30 on 25 November in Stockholm, still the 24th in UTC.
APPLIED_AT = datetime(2026, 11, 3, 8, 15, tzinfo=UTC)
DECIDED_AT = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
ADDRESS = "Björkvägen 3, 837 52 Åre"
OUTCOME = "Ergonomin vid skrivbordet ses över; i övrigt inga risker."


def decided_agreement(**overrides: Any) -> Agreement:
    """An approved agreement, decided by Maria Berg, with risk assessment 7 linked."""
    values: dict[str, Any] = {
        "status": AgreementStatus.APPROVED,
        "workplace_address": ADDRESS,
        "created_at": APPLIED_AT,
        "decided_at": DECIDED_AT,
        "decided_by": "maria.berg",
        "risk_assessment_id": 7,
    }
    return make_agreement(**(values | overrides))


def documented_assessment(**overrides: Any) -> RiskAssessment:
    values: dict[str, Any] = {
        "id": 7,
        "employee_id": "anna.andersson",
        "manager_id": "maria.berg",
        "status": "documented",
        "outcome": OUTCOME,
        "documented_on": date(2026, 11, 20),
        "follow_up_on": date(2027, 11, 20),
    }
    return RiskAssessment(**(values | overrides))


@pytest.fixture(scope="module")
def region() -> Region:
    return load_region(PROJECT_ROOT / "regions", "vastmanland")


def people() -> tuple[User, User]:
    directory = demo_directory()
    employee, manager = directory.get("anna.andersson"), directory.get("maria.berg")
    assert employee is not None and manager is not None
    return employee, manager


def flat(text: str) -> str:
    """The text with line breaks from wrapping turned into single spaces."""
    return " ".join(text.split())


def pdf_pages(
    agreement: Agreement,
    region: Region,
    decided_by: User | None = None,
    risk_assessment: RiskAssessment | None = None,
) -> list[str]:
    data = agreement_pdf(
        agreement, *people(), region, decided_by=decided_by, risk_assessment=risk_assessment
    )
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdftoppm() -> str:
    found = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"
    if not os.access(found, os.X_OK):
        pytest.skip("pdftoppm is not installed (`make pdftools` installs poppler-utils as root)")
    return found


def rendered_pages(data: bytes, tmp_path: Path) -> list[np.ndarray]:
    """Each page as an RGB image at 40 dpi, as pdftoppm (poppler) draws it."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "agreement.pdf"
    source.write_bytes(data)
    subprocess.run([pdftoppm(), "-r", "40", "-png", source, tmp_path / "page"], check=True)
    return [
        np.asarray(Image.open(page).convert("RGB"), dtype=int)
        for page in sorted(tmp_path.glob("page-*.png"))
    ]


def watermark_pixels(page: np.ndarray) -> np.ndarray:
    """Where the page has the watermark's grey (black text's anti-aliased edges have it only
    here and there)."""
    return np.asarray((np.abs(page - np.array(WATERMARK_GREY)) <= 1).all(axis=2))


def test_the_document_holds_everything_the_personnel_file_needs(region: Region) -> None:
    employee, manager = people()
    data = agreement_pdf(
        decided_agreement(),
        employee,
        manager,
        region,
        decided_by=manager,
        risk_assessment=documented_assessment(),
    )
    reader = PdfReader(io.BytesIO(data))
    text = flat("\n".join(page.extract_text() for page in reader.pages))

    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    for expected in [
        "Distansöverenskommelse",
        "Region Västmanland",
        "DA-2026-00001",
        "Medarbetare Anna Andersson",
        "Anställningsnummer 104512",
        "Ekonomienheten",
        "Närmaste chef Maria Berg",
        "40 %",
        "Fritidsbostad",
        "Stugan i Åre, Björkvägen 3",
        f"Arbetsplatsens adress {ADDRESS}",
        "2026-01-01",
        "2026-12-31",
        "Fakturagranskning, månadsrapporter och möten på distans.",
        "Lista över hemlånat material",
        *EQUIPMENT,
        "informations- och IT-säkerhet",
        "Status: Godkänd",
        "Ansökan inkommen 2026-11-03",
        "Riskbedömning nr 7, dokumenterad 2026-11-20",
        f"Resultat {OUTCOME}",
        "Handlingsplan Inga åtgärder",
        "Följs upp senast 2027-11-20",
        "Beslut Godkänd",
        # The region's date: 00:30 in Stockholm, though still the 24th in UTC.
        "Beslutsdatum 2026-11-25",
        "Beslutad av Maria Berg",
        flat(f"Uppsägning {region.agreement.ending_terms}"),
        flat(f"Återlämning av material {region.agreement.equipment_return_terms}"),
        "personalakt av närmaste chef",
        "Underskrift medarbetare",
        "Underskrift chef",
    ]:
        assert expected in text, expected
    assert text.count("Ort och datum") == 2
    assert "Namnförtydligande: Anna Andersson" in text
    assert "Namnförtydligande: Maria Berg" in text
    assert "UTKAST" not in text
    # Names, not the directory's ids.
    assert "maria.berg" not in text and "anna.andersson" not in text
    # No personal identity number (ÅÅÅÅMMDD-NNNN or ÅÅMMDD-NNNN) anywhere in the document.
    assert not re.search(r"\b\d{6}(\d{2})?[-+]?\d{4}\b", text)


def test_a_draft_says_so_on_every_page(region: Region, tmp_path: Path) -> None:
    long_tasks = "Granskning av leverantörsfakturor och avstämning av konton. " * 40
    draft = make_agreement(
        status=AgreementStatus.SUBMITTED, created_at=APPLIED_AT, tasks=long_tasks
    )
    data = agreement_pdf(draft, *people(), region)
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]
    images = rendered_pages(data, tmp_path)

    assert len(pages) == len(images) > 1
    for number, (text, image) in enumerate(zip(pages, images, strict=True), start=1):
        assert "UTKAST – ej beslutad" in text, f"page {number}"
        grey = watermark_pixels(image)
        height, width = grey.shape
        top_left, top_right = grey[: height // 2, : width // 2], grey[: height // 2, width // 2 :]
        bottom_left, bottom_right = (
            grey[height // 2 :, : width // 2],
            grey[height // 2 :, width // 2 :],
        )
        # Large and diagonal, bottom left to top right: plenty of it in those two quarters, and
        # little in the other two.
        assert top_right.sum() > 300, f"page {number}, top right"
        assert bottom_left.sum() > 300, f"page {number}, bottom left"
        diagonal, across = top_right.sum() + bottom_left.sum(), top_left.sum() + bottom_right.sum()
        assert diagonal > 4 * across, f"page {number}"
    assert "Status: Inskickad, väntar på beslut" in pages[0]
    assert "Beslut Ej beslutad" in " ".join(pages)


def test_an_approved_agreement_has_no_watermark(region: Region, tmp_path: Path) -> None:
    employee, manager = people()
    data = agreement_pdf(
        decided_agreement(),
        employee,
        manager,
        region,
        decided_by=manager,
        risk_assessment=documented_assessment(),
    )
    draft = agreement_pdf(make_agreement(status=AgreementStatus.SUBMITTED), *people(), region)
    (approved_page,) = rendered_pages(data, tmp_path / "approved")
    (draft_page,) = rendered_pages(draft, tmp_path / "draft")

    assert watermark_pixels(approved_page).sum() < watermark_pixels(draft_page).sum() / 10


@pytest.mark.parametrize(
    ("status", "watermark"),
    [
        (AgreementStatus.SUBMITTED, "UTKAST – ej beslutad"),
        (AgreementStatus.REJECTED, "AVSLAGEN – gäller inte"),
        (AgreementStatus.WITHDRAWN, "ÅTERTAGEN – gäller inte"),
        (AgreementStatus.APPROVED, None),
        (AgreementStatus.ACTIVE, None),
        (AgreementStatus.EXPIRED, None),
    ],
)
def test_only_an_approved_agreement_can_be_signed_as_it_stands(
    region: Region, status: AgreementStatus, watermark: str | None
) -> None:
    text = flat("\n".join(pdf_pages(make_agreement(status=status), region)))

    for candidate in ("UTKAST – ej beslutad", "AVSLAGEN – gäller inte", "ÅTERTAGEN – gäller inte"):
        assert (candidate in text) == (candidate == watermark), candidate


def test_a_rejection_shows_who_rejected_it_when_and_why(region: Region) -> None:
    _, manager = people()
    rejected = decided_agreement(
        status=AgreementStatus.REJECTED,
        risk_assessment_id=None,
        decision_reason="Arbetsuppgifterna kräver närvaro på enheten under bokslutet.",
    )
    text = flat("\n".join(pdf_pages(rejected, region, decided_by=manager)))

    assert "Beslut Avslagen" in text
    assert "Beslutsdatum 2026-11-25" in text
    assert "Beslutad av Maria Berg" in text
    assert "Skäl Arbetsuppgifterna kräver närvaro på enheten under bokslutet." in text
    assert "AVSLAGEN – gäller inte" in text


def test_the_action_plan_is_listed_with_what_is_done(region: Region) -> None:
    assessment = documented_assessment(
        action_items=[
            ActionItem(
                text="Höj- och sänkbart skrivbord",
                owner="Maria Berg",
                due_on=date(2026, 12, 15),
                status="done",
                done_at=datetime(2026, 12, 10, 23, 30, tzinfo=UTC),
            ),
            ActionItem(text="Extern bildskärm", owner="IT-enheten", due_on=date(2027, 1, 31)),
        ]
    )
    text = flat("\n".join(pdf_pages(decided_agreement(), region, risk_assessment=assessment)))

    assert (
        "Handlingsplan • Höj- och sänkbart skrivbord – ansvarig Maria Berg, senast 2026-12-15, "
        "klar 2026-12-11 • Extern bildskärm – ansvarig IT-enheten, senast 2027-01-31 "
        "Följs upp senast 2027-11-20"
    ) in text


def test_a_risk_assessment_not_yet_documented_is_said_to_be_so(region: Region) -> None:
    booked = documented_assessment(
        status="booked",
        outcome=None,
        documented_on=None,
        follow_up_on=None,
        start_at=datetime(2026, 11, 18, 9, 0, tzinfo=UTC),
    )
    agreement = make_agreement(status=AgreementStatus.SUBMITTED, risk_assessment_id=7)
    text = flat("\n".join(pdf_pages(agreement, region, risk_assessment=booked)))

    assert (
        "Riskbedömning nr 7: samtalet är bokat till 2026-11-18, resultatet är inte dokumenterat"
        in text
    )
    assert "Resultat" not in text


def test_a_missing_address_is_to_be_filled_in_before_signing(region: Region) -> None:
    text = flat("\n".join(pdf_pages(make_agreement(workplace_address=None), region)))

    assert "Arbetsplatsens adress Adress saknas – fylls i före underskrift" in text


@pytest.mark.parametrize(
    ("region_id", "ending", "equipment"),
    [
        (
            "vastmanland",
            "rätt att komma till sin huvudarbetsplats",
            "tillbaka på huvudarbetsplatsen",
        ),
        ("vasternorrland", "upphör utan uppsägning", "tillbaka till närmaste chef"),
    ],
)
def test_the_terms_are_the_regions_own(region_id: str, ending: str, equipment: str) -> None:
    region = load_region(PROJECT_ROOT / "regions", region_id)
    text = flat("\n".join(pdf_pages(make_agreement(), region)))

    assert ending in text
    assert equipment in text
    assert region.name in text


def test_a_region_without_terms_of_its_own_prints_the_defaults(region: Region) -> None:
    policy = region.agreement.model_dump(exclude={"ending_terms", "equipment_return_terms"})
    plain = Region.model_validate(region.model_dump() | {"agreement": policy})
    edited = Region.model_validate(
        region.model_dump()
        | {"agreement": policy | {"ending_terms": "Uppsägningstiden är en månad."}}
    )

    default_text = flat("\n".join(pdf_pages(make_agreement(), plain)))
    edited_text = flat("\n".join(pdf_pages(make_agreement(), edited)))

    assert flat(DEFAULT_ENDING_TERMS) in default_text
    assert flat(DEFAULT_EQUIPMENT_RETURN_TERMS) in default_text
    assert "Uppsägning Uppsägningstiden är en månad." in edited_text
    assert flat(DEFAULT_ENDING_TERMS) not in edited_text


@pytest.mark.parametrize(
    ("kind", "label"),
    [("home", "Hemmet"), ("holiday_home", "Fritidsbostad"), ("other", "Annan plats")],
)
def test_the_place_is_named_in_swedish(region: Region, kind: str, label: str) -> None:
    text = "\n".join(pdf_pages(make_agreement(place_kind=kind), region))

    assert f"{label} – Stugan i Åre" in text


def test_missing_parts_are_stated_not_left_blank(region: Region) -> None:
    agreement = decided_agreement(
        equipment=[], it_security_confirmed=False, risk_assessment_id=None, decided_by="gone"
    )
    employee, manager = people()
    without_number = employee.model_copy(update={"employee_number": None})
    data = agreement_pdf(agreement, without_number, manager, region, decided_by=None)
    text = flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))

    assert "Inget hemlånat material." in text
    assert "Nej, reglerna för informations- och IT-säkerhet är inte bekräftade." in text
    assert "Riskbedömning Ingen riskbedömning registrerad" in text
    assert "Anställningsnummer Uppgift saknas" in text
    # Whoever decided has left the directory: the document says the name is missing rather
    # than printing an id.
    assert "Beslutad av Uppgift saknas" in text
    assert "Beslut Godkänd" in text


def test_a_long_agreement_keeps_both_signatures_together(region: Region) -> None:
    long_tasks = "Granskning av leverantörsfakturor och avstämning av konton. " * 40
    pages = pdf_pages(make_agreement(tasks=long_tasks), region)

    assert len(pages) > 1
    assert "Underskrift medarbetare" in pages[-1]
    assert "Underskrift chef" in pages[-1]
    assert f"sida {len(pages)}/{len(pages)}" in pages[-1]


def test_without_a_unicode_font_the_core_font_still_prints_swedish(
    region: Region, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(printing, "UNICODE_FONT", tmp_path / "missing.ttf")
    agreement = make_agreement(place_description="Stugan i Åre – nära Łódź-vägen 🏡")
    text = flat("\n".join(pdf_pages(agreement, region)))

    assert "Distansöverenskommelse" in text
    assert "Närmaste chef" in text
    assert "Bärbar dator" in text
    # Typographic dashes get an ASCII stand-in; other characters outside latin-1 become "?".
    assert "Fritidsbostad - Stugan i Åre - nära ?ód?-vägen ?" in text
    assert "2026-01-01 - 2026-12-31" in text


def test_without_a_unicode_font_the_draft_is_still_marked(
    region: Region, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(printing, "UNICODE_FONT", tmp_path / "missing.ttf")
    draft = make_agreement(status=AgreementStatus.SUBMITTED, workplace_address=None)
    text = flat("\n".join(pdf_pages(draft, region)))

    assert "UTKAST - ej beslutad" in text
    assert "Adress saknas - fylls i före underskrift" in text
