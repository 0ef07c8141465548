"""A user who writes English gets the forms' questions, refusals and buttons in English."""

from pathlib import Path
from typing import Any

import pytest

from actions.in_english import (
    Catalog,
    catalog,
    conversation_language,
    in_users_language,
    read_catalogs,
    region_pairs,
    translated,
)
from bot.faq.language import language_of
from bot.regions import load_region
from bot.risk_assessments.follow_up_questions import load_questions
from bot.settings import get_settings

SMALL_CATALOG = """
phrases:
  - sv: "Vill du avbryta {noun}?"
    en: "Do you want to cancel {noun}?"
  - sv: "Vill du avbryta ansökan helt?"
    en: "Do you want to cancel the whole application?"
  - sv: "Du börjar {start}."
    en: "You start on {start}."
  - sv: "{name} är inbjuden."
    en: "{name} has been invited."
  - sv: "Mötet är {when}"
    en: "The meeting is on {when}"
  - sv: "Ja, skicka"
    en: "Yes, send it"
words:
  ansökan: the application
  mars: March
  tisdag: Tuesday
  kl.: at
"""


@pytest.fixture
def small(tmp_path: Path) -> Catalog:
    path = tmp_path / "english.yml"
    path.write_text(SMALL_CATALOG, encoding="utf-8")
    return read_catalogs([path])


def test_a_value_inside_a_phrase_is_translated_with_it(small: Catalog) -> None:
    assert small.translate("Vill du avbryta ansökan?") == "Do you want to cancel the application?"
    assert small.translate("Du börjar 1 mars 2027.") == "You start on 1 March 2027."


def test_the_longest_phrase_wins(small: Catalog) -> None:
    assert small.translate("Vill du avbryta ansökan helt?") == (
        "Do you want to cancel the whole application?"
    )


def test_each_piece_of_a_message_is_translated_and_the_unknown_left(small: Catalog) -> None:
    said = small.translate("Okänd mening här. Anna Berg är inbjuden. Du börjar 1 mars 2027.")
    assert said == "Okänd mening här. Anna Berg has been invited. You start on 1 March 2027."


def test_a_value_ends_at_the_line_and_keeps_a_time(small: Catalog) -> None:
    said = small.translate("Mötet är tisdag 2 mars 2027 kl. 10.00\nVill du avbryta ansökan?")
    assert said == (
        "The meeting is on Tuesday 2 March 2027 at 10.00\nDo you want to cancel the application?"
    )


def english_call(*typed: str) -> dict[str, Any]:
    events = [{"event": "user", "text": text} for text in typed]
    return {"tracker": {"events": events, "latest_message": {"text": typed[-1]}}}


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        (["I want to apply for remote work", "40", "/affirm", "2027-03-01"], "en"),
        (["I want to apply for remote work", "jag vill ändra startdatum"], "sv"),
        (["Jag vill ansöka om distansarbete", "yes, send it"], "en"),
        (["Jag vill ansöka om distansarbete", "40 %", "ok"], "sv"),
        (["40"], "sv"),
    ],
)
def test_the_conversation_language_is_the_last_one_the_user_showed(
    typed: list[str], language: str
) -> None:
    assert conversation_language(english_call(*typed)["tracker"]) == language


def test_button_titles_are_translated_and_their_payloads_kept() -> None:
    response = {
        "events": [],
        "responses": [
            # As rasa-sdk sends a plain message: with an empty ``custom``.
            {
                "text": "Vill du avbryta ansökan?",
                "buttons": [{"title": "Ja", "payload": "/affirm"}],
                "custom": {},
            }
        ],
    }
    (message,) = in_users_language(english_call("cancel please, I changed my mind"), response)[
        "responses"
    ]
    assert language_of(message["text"]) == "en"
    assert message["buttons"] == [{"title": "Yes", "payload": "/affirm"}]
    assert message["custom"] == {}


def test_a_swedish_conversation_and_faq_answers_are_left_as_they_are() -> None:
    answer = {"text": "Ja, du får arbeta hemifrån.", "kind": "answer", "faq_id": "x"}
    response = {"events": [], "responses": [{"custom": dict(answer)}]}
    assert in_users_language(english_call("can I work from home?"), response) == {
        "events": [],
        "responses": [{"custom": answer}],
    }
    swedish = {"events": [], "responses": [{"text": "Vill du avbryta ansökan?"}]}
    assert in_users_language(english_call("vill avbryta"), dict(swedish)) == swedish


def test_every_catalog_phrase_reads_as_english() -> None:
    """HR and developers edit the catalogs by hand: a phrase left in Swedish or a placeholder
    that would not be filled is caught here, not by a user."""
    for known in catalog().phrases:
        assert language_of(known.english) != "sv", known.english
        names = set(known.swedish.groupindex)
        filled = known.english.format(**{name: "X" for name in names})
        assert "{" not in filled, known.english


@pytest.mark.parametrize("region_id", ["vastmanland", "vasternorrland"])
def test_the_regions_agreement_terms_have_their_english(region_id: str) -> None:
    """The end of a follow-up that ends remote work shows the region's terms."""
    settings = get_settings()
    terms = load_region(settings.regions_dir, region_id).agreement
    pairs = dict(region_pairs(settings.regions_dir / f"{region_id}.yml"))
    for swedish in (terms.ending_terms, terms.equipment_return_terms):
        assert language_of(pairs[swedish]) == "en"


def test_hr_content_in_english_is_paired_line_by_line() -> None:
    """A follow-up question is asked on its own: each has its English."""
    faq_dir = get_settings().faq_dir
    questions = load_questions(faq_dir)
    english = catalog()
    for question in questions:
        assert language_of(english.translate(question.question)) == "en", question.question


def test_the_booking_summarys_time_is_in_english() -> None:
    """Flow v-12: "Time: onsdag 9 december 2026 kl. 14.00–14.45" in an English summary."""
    summary = "Tid: onsdag 9 december 2026 kl. 14.00–14.45\nPlats: Teams"
    assert translated(summary) == "Time: Wednesday 9 December 2026 at 14.00–14.45\nLocation: Teams"
