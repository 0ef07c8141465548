"""What the API accepts from a request, before any service sees it: no unknown fields, text that
is text, and ids the database can hold."""

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

# The largest id a 32-bit INTEGER column holds; a larger one would make PostgreSQL fail the
# query (and SQLite's driver overflow) instead of answering "not found".
MAX_ID = 2**31 - 1

RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id, 1 to 2147483647.")]


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
