"""Personal data in free text: identity numbers, e-mail addresses and phone numbers are masked
before a message reaches Rasa, a log line or a store.

Identity numbers (personnummer and samordningsnummer) are recognised by the ``personnummer``
package, which checks the date and the Luhn digit, so a reference number or an order number of
the same length is left alone.
"""

import logging
import re
import traceback
from dataclasses import dataclass
from datetime import date
from typing import Any

from personnummer import personnummer

IDENTITY_NUMBER_MASK = "[personnummer]"
EMAIL_MASK = "[e-post]"
PHONE_MASK = "[telefonnummer]"

# 10 or 12 digits, optionally split before the last four by a hyphen or any dash (as word
# processors turn it into), a plus or spaces.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212-"
_IDENTITY_CANDIDATE = re.compile(
    rf"(?<![\d{_DASHES}])(?:\d{{2}})?\d{{6}}\s*[+{_DASHES}]?\s*\d{{4}}(?![\d{_DASHES}])"
)
_ANY_DASH = re.compile(f"[{_DASHES}]")
# Also URL-encoded (%40), as in a Graph request's path that an error message repeats.
_EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# Swedish numbers: +46 / 0046 / 0, then digits in groups (070-123 45 67, 08-123 456 78).
# Not after a dash, dot or slash: "2027-01-15 2027-06-30" is two dates.
_PHONE = re.compile(r"(?<![\w+./-])(?:\+46|0046|0)[\s-]?\d{1,3}(?:[\s-]?\d{2,4}){2,4}(?!\d)")


@dataclass(frozen=True)
class Masked:
    """The text with personal data replaced, and what was found (``identity_number``, ...)."""

    text: str
    kinds: tuple[str, ...] = ()

    @property
    def found(self) -> int:
        return len(self.kinds)


def mistyped_identity_number(candidate: str) -> bool:
    """ "19850312-1234" with a wrong check digit is still someone's birth date and number:
    written with its separator and a past birth date (or a samordningsnummer's day + 60)."""
    if not re.fullmatch(r"(\d{2})?\d{6}[-+]\d{4}", candidate):
        return False
    digits = candidate[:-5]
    year = int(digits[:4]) if len(digits) == 8 else 1900 + int(digits[:2])
    month, day = int(digits[-4:-2]), int(digits[-2:])
    try:
        born = date(year, month, day - 60 if day > 60 else day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def mask_identity_numbers(text: str) -> Masked:
    kinds: list[str] = []

    def replace(match: re.Match[str]) -> str:
        candidate = _ANY_DASH.sub("-", re.sub(r"\s", "", match.group(0)))
        if personnummer.valid(candidate) or mistyped_identity_number(candidate):
            kinds.append("identity_number")
            return IDENTITY_NUMBER_MASK
        return match.group(0)

    return Masked(_IDENTITY_CANDIDATE.sub(replace, text), tuple(kinds))


def mask_personal_data(text: str) -> Masked:
    """Identity numbers, then e-mail addresses and phone numbers."""
    identity = mask_identity_numbers(text)
    kinds = list(identity.kinds)

    def mask(pattern: re.Pattern[str], replacement: str, kind: str, value: str) -> str:
        def replace(match: re.Match[str]) -> str:
            digits = re.sub(r"\D", "", match.group(0))
            # Under 9 digits (0046/+46 included: 11) is more often a time span, "0800-1200".
            if kind == "phone" and not 9 <= len(digits) <= 13:
                return match.group(0)
            kinds.append(kind)
            return replacement

        return pattern.sub(replace, value)

    text = mask(_EMAIL, EMAIL_MASK, "email", identity.text)
    text = mask(_PHONE, PHONE_MASK, "phone", text)
    return Masked(text, tuple(kinds))


def install_log_masking() -> None:
    """Every log record, from any logger and to any handler, has personal data masked when it is
    created, its traceback included. Idempotent."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_identity_numbers", False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        masked = mask_personal_data(message)
        if masked.found:
            record.msg, record.args = masked.text, None
        if record.exc_info and record.exc_info[1] is not None:
            # Formatted now, so that no handler prints the clear text of an exception.
            record.exc_text = mask_personal_data(
                "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            ).text
            record.exc_info = None
        return record

    masking_factory.masks_identity_numbers = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)
