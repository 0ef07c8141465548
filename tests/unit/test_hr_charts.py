"""The SVG charts on HR's page: well-formed, named and described for a screen reader, scaled to
their figures, with every label escaped and no style a strict CSP would block."""

import xml.etree.ElementTree as ET

import pytest

from bot.agreements.statistics import statistics_charts
from bot.hr.charts import Bar, bar_chart, shorten
from bot.hr.figures import figures_chart

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bar_widths(root: ET.Element) -> list[float]:
    # Bars are 16 high; the legend's squares 10.
    return [float(r.get("width", 0)) for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]


def test_a_chart_is_titled_described_and_scaled_to_its_longest_bar() -> None:
    chart = bar_chart(
        "Gällande per enhet",
        ["Gällande"],
        [
            Bar("Ekonomienheten", (4,), "4 överenskommelser"),
            Bar("IT-enheten", (1,), "1 överenskommelse"),
        ],
        "inga.",
    )
    root = parsed(chart.svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-title chart-desc"
    assert root.find(f"{SVG}title").text == "Gällande per enhet"
    assert root.find(f"{SVG}desc").text == (
        "Gällande per enhet: Ekonomienheten: 4 överenskommelser; IT-enheten: 1 överenskommelse."
    )
    assert bar_widths(root) == [300.0, 75.0]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Ekonomienheten", "4 överenskommelser", "IT-enheten", "1 överenskommelse"]
    # Presentation attributes only: the page's CSP has no 'unsafe-inline' for styles.
    assert "style" not in chart.svg


def test_labels_from_hr_and_the_directory_are_escaped_not_run() -> None:
    chart = bar_chart(
        "Svar",
        ["Visad"],
        [Bar('<script>alert(1)</script> & "Teams"', (2,), "2")],
        "inga.",
    )
    root = parsed(chart.svg)
    assert root.find(f"{SVG}script") is None
    assert '<script>alert(1)</script> & "Teams"' in chart.description
    assert any("<script>" in (t.text or "") for t in root.iter(f"{SVG}text"))


def test_an_empty_chart_says_there_is_nothing_and_zero_draws_no_bar() -> None:
    empty = bar_chart("Löper ut", ["Löper ut"], [], "inga gällande överenskommelser.")
    assert empty.description == "Löper ut: inga gällande överenskommelser."
    assert bar_widths(parsed(empty.svg)) == []
    zero = bar_chart("Löper ut", ["Löper ut"], [Bar("Inom 30 dagar", (0,), "0")], "inga.")
    assert bar_widths(parsed(zero.svg)) == []


def test_a_bar_needs_a_value_per_series_and_no_negative_value() -> None:
    with pytest.raises(ValueError):
        bar_chart("x", ["a", "b"], [Bar("y", (1,), "1")], "inga.")
    with pytest.raises(ValueError):
        bar_chart("x", ["a"], [Bar("y", (-1,), "-1")], "inga.")


def test_a_long_question_is_cut_at_a_word_in_the_chart_and_whole_in_the_description() -> None:
    question = "Vad gäller för arbetsskadeförsäkringen om jag skadar mig när jag jobbar hemma?"
    assert shorten(question) == "Vad gäller för arbetsskadeförsäkringen om jag…"
    chart = bar_chart("Svar", ["Visad"], [Bar(question, (1,), "1")], "inga.")
    assert question in chart.description
    assert next(t.text for t in parsed(chart.svg).iter(f"{SVG}text")) == shorten(question)


def test_the_agreement_statistics_become_four_charts_in_swedish() -> None:
    stats = {
        "in_force_per_unit": {"Ekonomienheten": 3},
        "share_percent": {"1–20 %": 1, "21–40 %": 2},
        "expiring_within_days": {"30": 1, "90": 2},
        "per_status": {"submitted": 2, "active": 3, "withdrawn": 0},
    }
    charts = statistics_charts(stats)
    assert [c.title for c in charts] == [
        "Gällande överenskommelser per enhet",
        "Gällande överenskommelser efter andel av arbetstiden",
        "Gällande överenskommelser som löper ut",
        "Alla överenskommelser efter status",
    ]
    assert [b.label for b in charts[2].bars] == ["Inom 30 dagar", "Inom 90 dagar"]
    assert [(b.label, b.text) for b in charts[3].bars] == [
        ("Inskickad, väntar på beslut", "2 överenskommelser"),
        ("Gällande", "3 överenskommelser"),
        ("Återtagen", "0 överenskommelser"),
    ]
    assert "submitted" not in charts[3].svg


def test_the_answers_chart_names_entries_by_question_never_by_hash() -> None:
    version = "a" * 64
    rows = [
        {
            "question": f"Fråga {n}?",
            "version": version,
            "current_version": {"served": n, "helpful": 1 if n else 0, "not_helpful": 0},
        }
        for n in range(15)
    ]
    chart = figures_chart(rows)
    assert chart.title == "De 12 mest visade svaren sedan senaste ändringen"
    assert [b.label for b in chart.bars][:2] == ["Fråga 14?", "Fråga 13?"]
    assert chart.bars[0].values == (1, 0, 13)
    assert chart.bars[0].text == "visad 14, upp 1, ned 0"
    assert version[:12] not in chart.svg
