"""The printable agreement: what a manager prints, signs and files must be complete and readable."""

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bot.agreements import document
from bot.agreements.document import agreement_pdf
from bot.identity import User, demo_directory
from bot.regions import Region, load_region
from bot.settings import PROJECT_ROOT
from bot.storage.models import Agreement, AgreementStatus

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


def pdf_pages(agreement: Agreement, region: Region) -> list[str]:
    data = agreement_pdf(agreement, *people(), region)
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_document_holds_everything_the_personnel_file_needs(region: Region) -> None:
    agreement = make_agreement(risk_assessment_id=7)
    data = agreement_pdf(agreement, *people(), region)
    reader = PdfReader(io.BytesIO(data))
    text = flat("\n".join(page.extract_text() for page in reader.pages))

    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    for expected in [
        "Distansöverenskommelse",
        "Region Västmanland",
        "DA-2026-00001",
        "Anna Andersson",
        "Ekonomienheten",
        "Maria Berg",
        "40 %",
        "Fritidsbostad",
        "Stugan i Åre, Björkvägen 3",
        "2026-01-01",
        "2026-12-31",
        "Fakturagranskning, månadsrapporter och möten på distans.",
        "Lista över hemlånat material",
        *EQUIPMENT,
        "informations- och IT-säkerhet",
        "Gällande",
        "Riskbedömning nr 7",
        "personalakt av närmaste chef",
        "Underskrift medarbetare",
        "Underskrift chef",
    ]:
        assert expected in text, expected
    assert text.count("Datum") == 2
    assert "Namnförtydligande: Anna Andersson" in text
    assert "Namnförtydligande: Maria Berg" in text
    # No personal identity number (ÅÅÅÅMMDD-NNNN or ÅÅMMDD-NNNN) anywhere in the document.
    assert not re.search(r"\b\d{6}(\d{2})?[-+]?\d{4}\b", text)


@pytest.mark.parametrize(
    ("kind", "label"),
    [("home", "Hemmet"), ("holiday_home", "Fritidsbostad"), ("other", "Annan plats")],
)
def test_the_place_is_named_in_swedish(region: Region, kind: str, label: str) -> None:
    text = "\n".join(pdf_pages(make_agreement(place_kind=kind), region))

    assert f"{label} – Stugan i Åre" in text


def test_missing_parts_are_stated_not_left_blank(region: Region) -> None:
    agreement = make_agreement(
        equipment=[], it_security_confirmed=False, risk_assessment_id=None, status="approved"
    )
    text = flat("\n".join(pdf_pages(agreement, region)))

    assert "Inget hemlånat material." in text
    assert "Nej, reglerna för informations- och IT-säkerhet är inte bekräftade." in text
    assert "Ingen riskbedömning registrerad" in text
    assert "Godkänd" in text


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
    monkeypatch.setattr(document, "UNICODE_FONT", tmp_path / "missing.ttf")
    agreement = make_agreement(place_description="Stugan i Åre – nära Łódź-vägen 🏡")
    text = flat("\n".join(pdf_pages(agreement, region)))

    assert "Distansöverenskommelse" in text
    assert "Närmaste chef" in text
    assert "Bärbar dator" in text
    # Typographic dashes get an ASCII stand-in; other characters outside latin-1 become "?".
    assert "Fritidsbostad - Stugan i Åre - nära ?ód?-vägen ?" in text
    assert "2026-01-01 - 2026-12-31" in text
