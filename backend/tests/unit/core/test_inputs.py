"""The input kinds: each accepts exactly what its OpenAPI schema admits; numbers stay within their columns."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from app.core.inputs import (
    MONEY_MAX,
    QUANTITY_MAX,
    Flag,
    Identifier,
    Measurement,
    Money,
    PageOffset,
    PartNumber,
    PartNumberEntry,
    PartNumberText,
    Quantity,
    QueryFlag,
    SearchText,
    Text,
    Title,
)
from app.core.text_rules import WHITESPACE

STRING_KINDS: dict[str, Any] = {
    "Identifier": Identifier,
    "PartNumber": PartNumber,
    "PartNumberEntry": PartNumberEntry,
    "PartNumberText": PartNumberText,
    "Title": Title,
    "SearchText": SearchText,
    "Text": Text,
}
# Characters that sit on every rule's edges: separators, whitespace, controls, format characters, surrogates.
EDGE_CHARACTERS = ",; AZaz09=-ß\t\n\r\x00\x1c\x7f\x85\xa0\xad\u2028\u200b\u3000\ufeff\ud800\U000e0041"
texts = st.text(alphabet=st.sampled_from(EDGE_CHARACTERS) | st.characters(), max_size=120)


def accepts(kind: Any, value: Any) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


def documented(kind: Any) -> re.Pattern[str]:
    schema = TypeAdapter(kind).json_schema()
    # OpenAPI tooling reads `$` as the end of the value (Python's `$` also matches before a final newline).
    return re.compile(schema["pattern"][:-1] + r"\Z")


def within_length(kind: Any, value: str) -> bool:
    limit = TypeAdapter(kind).json_schema().get("maxLength")
    return limit is None or len(value) <= limit


def has_surrogate(value: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in value)


@pytest.mark.parametrize("name", sorted(STRING_KINDS))
@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(value=texts)
def test_a_string_kind_accepts_exactly_what_its_schema_documents(name: str, value: str) -> None:
    kind = STRING_KINDS[name]
    in_schema = bool(documented(kind).match(value)) and within_length(kind, value)
    if name == "PartNumberText" and not value.strip(WHITESPACE + ",;"):
        in_schema = True  # a blank text passes the field; the service answers no_part_numbers for it
    if has_surrogate(value):
        in_schema = False  # a lone surrogate is no character of a valid JSON string; no pattern names it
    assert accepts(kind, value) == in_schema, ascii(value)


def test_part_numbers_are_trimmed_then_upper_cased() -> None:
    assert TypeAdapter(PartNumber).validate_python(" \twf338109=k3\u3000") == "WF338109=K3"
    assert TypeAdapter(PartNumberEntry).validate_python("   ") == ""
    assert not accepts(PartNumber, "X" * 51)
    assert accepts(PartNumber, "ß" * 50)


def test_identifiers_are_taken_as_given() -> None:
    assert TypeAdapter(Identifier).validate_python(" key 1 ") == " key 1 "
    assert not accepts(Identifier, "")
    assert not accepts(Identifier, "k" * 101)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(28.045, Decimal("28.05")), (0, Decimal("0.00")), (9999999999.99, MONEY_MAX), (0.1, Decimal("0.10"))],
)
def test_money_is_rounded_half_up_after_its_bound_check(value: float, expected: Decimal) -> None:
    assert TypeAdapter(Money).validate_python(value) == expected


@pytest.mark.parametrize(
    "value", [1e15, 9999999999.994, -0.01, float("inf"), float("nan"), 10**400, "28.05", True, None]
)
def test_money_out_of_the_column_or_not_a_json_number_is_refused(value: Any) -> None:
    assert not accepts(Money, value)


def test_measurements_and_quantities_fit_their_columns() -> None:
    assert TypeAdapter(Measurement).validate_python(2) == 2.0
    assert not accepts(Measurement, 1e20)
    assert TypeAdapter(Quantity).validate_python(2090.0) == 2090
    for bad in (QUANTITY_MAX + 1, -1, 2.5, "5", True, float("inf")):
        assert not accepts(Quantity, bad), bad


def test_flags_are_json_booleans_in_a_body_and_true_or_false_in_a_query() -> None:
    assert TypeAdapter(Flag).validate_python(True) is True
    assert not accepts(Flag, "true")
    assert not accepts(Flag, 1)
    assert TypeAdapter(QueryFlag).validate_python("false") is False
    for bad in ("1", "yes", "on", "True"):
        assert not accepts(QueryFlag, bad), bad


def test_the_page_offset_stays_far_within_bigint() -> None:
    assert TypeAdapter(PageOffset).validate_python(2**31 - 1) == 2**31 - 1
    assert not accepts(PageOffset, 2**63)
    assert not accepts(PageOffset, -1)
