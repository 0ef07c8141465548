"""What the API accepts from a request, before any service sees it: no unknown fields, text that
is text, ids the database can hold, and dates the calendar arithmetic can handle."""

from datetime import date, datetime
from typing import Annotated, TypeVar

from fastapi import Path
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from bot.privacy import mask_personal_data

# The largest id a 32-bit INTEGER column holds; a larger one would make PostgreSQL fail the
# query (and SQLite's driver overflow) instead of answering "not found".
MAX_ID = 2**31 - 1

RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id, 1 to 2147483647.")]

# Dates far outside any agreement's life (year 1, year 9999) would overflow the services'
# date arithmetic (a meeting's end, free slots, UTC conversion) instead of being refused.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


DateOrTime = TypeVar("DateOrTime", date, datetime)


def within_calendar(value: DateOrTime) -> DateOrTime:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise PydanticCustomError("date_out_of_range", "date outside 1900-2999")
    return value


Day = Annotated[date, AfterValidator(within_calendar), Field(description="A date in 1900-2999.")]
Moment = Annotated[
    AwareDatetime,
    AfterValidator(within_calendar),
    Field(description="A time with its UTC offset, in 1900-2999."),
]


def without_personal_data(text: str) -> str:
    if contains_surrogate(text):
        raise PydanticCustomError("invalid_text", "text contains a lone surrogate")
    return mask_personal_data(text).text


# Text a person typed that is stored or shown to others (a rejection reason, an outcome, a
# question): identity numbers, e-mail addresses and phone numbers are masked before any service
# sees it. The chat message is masked by the chat service, which also tells the user.
FreeText = Annotated[str, AfterValidator(without_personal_data)]


class RequestBody(BaseModel):
    """The base of every request body: unknown fields are refused, and so is a lone UTF-16
    surrogate ("\\ud800" in JSON), which no store or downstream service can encode."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def text_is_unicode(cls, value: object) -> object:
        if contains_surrogate(value):
            raise PydanticCustomError("invalid_text", "text contains a lone surrogate")
        return value


def contains_surrogate(value: object) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, list | tuple):
        return any(contains_surrogate(item) for item in value)
    return False
