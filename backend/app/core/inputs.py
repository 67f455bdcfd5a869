"""The API's input kinds: one constrained type per kind of string, number or flag a request may carry.

Every route parameter and request-body field is one of these (a route test walks the app and fails on any
other), so a new field cannot skip the rules; and each type renders its OpenAPI schema from the same
definition it validates with, so ``/openapi.json`` states exactly what is accepted. Characters follow
``core/text_rules.py`` (no control or format character in a token, no control character but tab/LF/CR in text,
never a lone surrogate).

- ``Identifier``: an id or key (batch id, Shopify id, idempotency key, a ``created_by`` sub): 1-100 token
  characters, taken as given.
- ``PartNumber``: 1-50 token characters once trimmed, then upper-cased (http-api §1.7). ``PartNumberEntry``
  (a bulk list entry; a blank one is dropped later) and ``PartNumberText`` (entries separated by commas,
  semicolons and whitespace) are the bulk spellings of the same rule.
- ``Title`` (1-255 token characters once trimmed), ``SearchText`` (at most 100 text characters) and ``Text``
  (at most 65,535): free text.
- ``Money``: a JSON number from 0 to what ``numeric(12,2)`` holds, rounded half-up to cents after the bound
  check (so the bound is the one OpenAPI states). ``Measurement``: 0 to what ``numeric(14,4)`` holds.
  ``Quantity``: a JSON integer from 0 to an SQL ``integer``'s maximum.
- ``PageOffset`` (0 to 2^31-1, far within PostgreSQL's ``bigint``), ``PageLimit`` (its maximum set per
  endpoint) and ``QueryInteger`` (its range set per parameter): query integers.
- ``Flag`` (a JSON boolean) and ``QueryFlag`` (``true`` or ``false`` in a query).

A query value arrives as text and a body value as JSON, so the boolean kind has a query and a body spelling,
and the body kinds are strict: each refuses what its OpenAPI type does not admit (``yes`` or ``1`` in a
query, ``"5"`` or ``"true"`` in a body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Final

from annotated_types import Interval
from pydantic import AfterValidator, BeforeValidator, PlainSerializer, PlainValidator, Strict, WithJsonSchema

from app.core.constants.extraction import PART_NUMBER_MAX_LENGTH
from app.core.money import round_money
from app.core.text_rules import (
    TEXT_FORBIDDEN,
    TOKEN_FORBIDDEN,
    WHITESPACE,
    is_free_text,
    is_token_text,
    trimmed_token_pattern,
)

__all__ = [
    "IDENTIFIER_MAX_LENGTH",
    "MONEY_MAX",
    "PAGE_OFFSET_MAX",
    "PART_NUMBER_TEXT_PATTERN",
    "QUANTITY_MAX",
    "Flag",
    "Identifier",
    "InputKind",
    "Measurement",
    "Money",
    "PageLimit",
    "PageOffset",
    "PartNumber",
    "PartNumberEntry",
    "PartNumberText",
    "Quantity",
    "QueryFlag",
    "QueryInteger",
    "SearchText",
    "Text",
    "Title",
    "clean_part_number_text",
    "part_number_choice",
    "part_number_entries",
]

IDENTIFIER_MAX_LENGTH: Final = 100
TITLE_MAX_LENGTH: Final = 255
SEARCH_MAX_LENGTH: Final = 100
TEXT_MAX_LENGTH: Final = 65_535
MONEY_MAX: Final = Decimal("9999999999.99")
"""The largest amount ``numeric(12,2)`` holds."""
MEASUREMENT_MAX: Final = Decimal("9999999999.9999")
"""The largest dimension or weight ``numeric(14,4)`` holds."""
QUANTITY_MAX: Final = 2**31 - 1
"""The largest SQL ``integer``."""
PAGE_OFFSET_MAX: Final = 2**31 - 1
"""The largest list offset accepted (far beyond any table; well within PostgreSQL's ``bigint``)."""

_SEPARATORS: Final = f",;{WHITESPACE}"
PART_NUMBER_TEXT_PATTERN: Final = (
    f"^[{_SEPARATORS}]*[^{_SEPARATORS}{TOKEN_FORBIDDEN}]{{1,{PART_NUMBER_MAX_LENGTH}}}"
    f"(?:[{_SEPARATORS}]+[^{_SEPARATORS}{TOKEN_FORBIDDEN}]{{1,{PART_NUMBER_MAX_LENGTH}}})*[{_SEPARATORS}]*$"
)
"""At least one part number; each 1-50 token characters; separated by commas, semicolons or whitespace."""
_SPLIT: Final = re.compile(f"[{_SEPARATORS}]+")


@dataclass(frozen=True, slots=True)
class InputKind:
    """Marks an annotated type as one of the API's input kinds."""

    name: str


# --- strings ------------------------------------------------------------------------------------------
def _token_message(max_length: int) -> str:
    return f"must be 1 to {max_length} characters without control characters"


def _identifier(value: str) -> str:
    if not 1 <= len(value) <= IDENTIFIER_MAX_LENGTH or not is_token_text(value):
        raise ValueError(_token_message(IDENTIFIER_MAX_LENGTH))
    return value


def _trimmed_token(value: str, max_length: int) -> str:
    entry = value.strip()
    if not entry:
        raise ValueError("must not be empty")
    if len(entry) > max_length or not is_token_text(entry):
        raise ValueError(_token_message(max_length))
    return entry


def clean_part_number_text(value: str) -> str:
    """One part number trimmed and upper-cased; ``ValueError`` (naming the rule) when it breaks the rule."""
    return _trimmed_token(value, PART_NUMBER_MAX_LENGTH).upper()


def _part_number_entry(value: str) -> str:
    return clean_part_number_text(value) if value.strip() else ""


def part_number_entries(text: str) -> list[str]:
    """The entries of a part-number text, split on commas, semicolons and whitespace, empties dropped."""
    return [entry for entry in _SPLIT.split(text) if entry]


def _part_number_text(value: str) -> str:
    # The entries hold every character but the separators, so checking each entry checks the whole text.
    for entry in part_number_entries(value):
        if len(entry) > PART_NUMBER_MAX_LENGTH or not is_token_text(entry):
            raise ValueError(f"each part number {_token_message(PART_NUMBER_MAX_LENGTH)}")
    return value


def _text(max_length: int) -> Any:
    def check(value: str) -> str:
        if len(value) > max_length or not is_free_text(value):
            raise ValueError(f"must be at most {max_length} characters without control characters")
        return value

    return AfterValidator(check)


def _string_schema(pattern: str, max_length: int | None = None) -> WithJsonSchema:
    schema: dict[str, Any] = {"type": "string", "pattern": pattern}
    if max_length is not None:
        schema["maxLength"] = max_length
    return WithJsonSchema(schema)


Identifier = Annotated[
    str,
    InputKind("identifier"),
    AfterValidator(_identifier),
    _string_schema(f"^[^{TOKEN_FORBIDDEN}]+$", IDENTIFIER_MAX_LENGTH),
]
PartNumber = Annotated[
    str,
    InputKind("part number"),
    AfterValidator(clean_part_number_text),
    _string_schema(trimmed_token_pattern(PART_NUMBER_MAX_LENGTH)),
]
PartNumberEntry = Annotated[
    str,
    InputKind("part number"),
    AfterValidator(_part_number_entry),
    _string_schema(trimmed_token_pattern(PART_NUMBER_MAX_LENGTH, blank_allowed=True)),
]
PartNumberText = Annotated[
    str, InputKind("part number"), AfterValidator(_part_number_text), _string_schema(PART_NUMBER_TEXT_PATTERN)
]
Title = Annotated[
    str,
    InputKind("text"),
    AfterValidator(lambda value: _trimmed_token(value, TITLE_MAX_LENGTH)),
    _string_schema(trimmed_token_pattern(TITLE_MAX_LENGTH)),
]
SearchText = Annotated[
    str,
    InputKind("text"),
    _text(SEARCH_MAX_LENGTH),
    _string_schema(f"^[^{TEXT_FORBIDDEN}]*$", SEARCH_MAX_LENGTH),
]
Text = Annotated[
    str, InputKind("text"), _text(TEXT_MAX_LENGTH), _string_schema(f"^[^{TEXT_FORBIDDEN}]*$", TEXT_MAX_LENGTH)
]


# --- numbers and flags --------------------------------------------------------------------------------
def _json_number(value: Any, maximum: Decimal) -> Decimal:
    # A JSON number arrives as int or float (never bool or text: OpenAPI says "number"); a float is read
    # through its shortest repr, so 0.1 is 0.1. The bound is checked before any rounding, on the value sent.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a JSON number")
    number = (
        value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)
    )
    if not number.is_finite() or not 0 <= number <= maximum:
        raise ValueError(f"must be a number from 0 to {maximum}")
    return number


def _number_schema(maximum: Decimal) -> WithJsonSchema:
    return WithJsonSchema({"type": "number", "minimum": 0, "maximum": float(maximum)})


Money = Annotated[
    Decimal,
    InputKind("money"),
    PlainValidator(lambda value: round_money(_json_number(value, MONEY_MAX))),
    _number_schema(MONEY_MAX),
    PlainSerializer(float, return_type=float, when_used="json"),
]
Measurement = Annotated[
    float,
    InputKind("measurement"),
    PlainValidator(lambda value: float(_json_number(value, MEASUREMENT_MAX))),
    _number_schema(MEASUREMENT_MAX),
]


def _json_integer(value: Any) -> int:
    # JSON Schema counts 2090.0 as an integer, so an integral float is one; text and booleans are not.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole JSON number")
    if isinstance(value, float) and not value.is_integer():  # also NaN and the infinities
        raise ValueError("must be a whole JSON number")
    if not 0 <= value <= QUANTITY_MAX:
        raise ValueError(f"must be a whole number from 0 to {QUANTITY_MAX}")
    return int(value)


Quantity = Annotated[
    int,
    InputKind("quantity"),
    PlainValidator(_json_integer),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": QUANTITY_MAX}),
]
Flag = Annotated[bool, InputKind("flag"), Strict()]


def _query_flag(value: Any) -> Any:
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise ValueError("must be true or false")
        return value == "true"
    return value


QueryInteger = Annotated[int, InputKind("query integer")]
"""A query integer; its route gives its range (``Query(ge=..., le=...)``, which a route test requires)."""
PageLimit = Annotated[int, InputKind("page limit"), Interval(ge=1)]
"""A list's ``limit``; its endpoint gives the maximum (``Query(le=...)``)."""
PageOffset = Annotated[int, InputKind("page offset"), Interval(ge=0, le=PAGE_OFFSET_MAX)]
QueryFlag = Annotated[bool, InputKind("flag"), BeforeValidator(_query_flag)]


def part_number_choice(*, batch_alternative: bool = False) -> dict[str, Any]:
    """The OpenAPI rule of a part-number request body (http-api §1.7): exactly one of ``part_numbers`` or
    ``part_numbers_text`` (null counts as absent; with ``batch_alternative``, neither when a ``batch_id`` is
    given), and a list holds at least one part number (the text's pattern already asks for one)."""
    choices: list[dict[str, Any]] = [
        {"required": ["part_numbers"], "properties": {"part_numbers": {"type": "array"}}},
        {"required": ["part_numbers_text"], "properties": {"part_numbers_text": {"type": "string"}}},
    ]
    if batch_alternative:
        absent = {"part_numbers": {"type": "null"}, "part_numbers_text": {"type": "null"}}
        choices.append({"required": ["batch_id"], "properties": {"batch_id": {"type": "string"}, **absent}})
    some_part_number = {"type": "string", "pattern": trimmed_token_pattern(PART_NUMBER_MAX_LENGTH)}
    list_rule = {"anyOf": [{"type": "null"}, {"type": "array", "contains": some_part_number}]}
    return {"oneOf": choices, "allOf": [{"properties": {"part_numbers": list_rule}}]}
