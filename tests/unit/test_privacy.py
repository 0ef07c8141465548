"""Identity numbers, e-mail addresses and phone numbers are masked; look-alikes are not."""

import logging

import pytest

from bot.privacy import (
    IDENTITY_NUMBER_MASK,
    install_log_masking,
    mask_identity_numbers,
    mask_personal_data,
)


@pytest.mark.parametrize(
    "text",
    [
        "mitt personnummer är 19811218-9876",
        "811218-9876",
        "811218+9876",
        "811218 9876",
        "198112189876",
        "samordningsnummer 701063-2391",
        # As word processors and phones write the hyphen, and with spaces around it.
        "811218\u20139876",
        "19811218 \u2013 9876",
        "19811218 - 9876",
        "811218\u22129876",
        "811218\u20119876",
    ],
)
def test_valid_identity_numbers_are_masked(text: str) -> None:
    masked = mask_identity_numbers(text)
    assert "[personnummer]" in masked.text and masked.found == 1
    assert "9876" not in masked.text and "2391" not in masked.text


@pytest.mark.parametrize(
    "text",
    [
        "8112189875",  # wrong check digit, no separator: an order number as likely
        "811332-9876",  # no such date
        "20270115-0001",  # a date to come: a reference, nobody's birth date
        "ring 1234567890",
        "ärende DA-2027-0001",
        "nästa tisdag 2026-12-03 09:30",
        "40 % två dagar i veckan",
    ],
)
def test_look_alikes_are_left_alone(text: str) -> None:
    assert mask_identity_numbers(text).text == text


@pytest.mark.parametrize(
    "text",
    ["811218-9875", "mitt personnummer är 19850312-1234 om ni behöver det", "810278-1234"],
)
def test_a_mistyped_identity_number_is_masked_all_the_same(text: str) -> None:
    """A wrong check digit after a past birth date and the separator is still someone's
    identity number (the last a samordningsnummer's day)."""
    masked = mask_identity_numbers(text)
    assert IDENTITY_NUMBER_MASK in masked.text
    assert "1234" not in masked.text and "9875" not in masked.text


@pytest.mark.parametrize(
    "text",
    [
        "från 2027-01-15 till 2027-06-30",
        "2027-01-15 2027-06-30",
        "kl 0800-1200 på tisdagar",
        "DA-2027-00012",
    ],
)
def test_dates_and_times_are_not_phone_numbers(text: str) -> None:
    assert mask_personal_data(text).text == text


def test_contact_details_are_masked_for_storage() -> None:
    masked = mask_personal_data(
        "Jag heter Anna, 19811218-9876, anna.andersson@example.org, 070-123 45 67 "
        "eller +46 8 123 456 78, kan jag jobba hemma?"
    )
    assert masked.text == (
        "Jag heter Anna, [personnummer], [e-post], [telefonnummer] "
        "eller [telefonnummer], kan jag jobba hemma?"
    )
    assert sorted(masked.kinds) == ["email", "identity_number", "phone", "phone"]


def test_an_address_in_a_url_is_masked_too() -> None:
    """Graph's error for a calendar write repeats the request's path, where the mailbox is
    URL-encoded."""
    masked = mask_personal_data(
        "404 for https://graph.microsoft.com/v1.0/users/maria.berg%40example.org/events"
    )
    assert masked.text == "404 for https://graph.microsoft.com/v1.0/users/[e-post]/events"


def test_log_records_never_hold_an_identity_number(caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()
    with caplog.at_level(logging.INFO):
        logging.getLogger("bot.test").info("user wrote %s", "pnr 19811218-9876")
    assert "9876" not in caplog.text and "[personnummer]" in caplog.text


def test_log_records_never_hold_contact_details_even_in_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_log_masking()
    with caplog.at_level(logging.INFO):
        logging.getLogger("bot.test").info("mail %s", "anna.andersson@example.org")
        # Outside the raise: a traceback also quotes its source line.
        detail = "could not store 'ring 070-123 45 67, pnr 811218\u20139876'"
        try:
            raise ValueError(detail)
        except ValueError:
            logging.getLogger("bot.test").exception("failed")
    assert "example.org" not in caplog.text and "070-123" not in caplog.text
    assert "9876" not in caplog.text
    assert "[telefonnummer]" in caplog.text and "ValueError" in caplog.text
