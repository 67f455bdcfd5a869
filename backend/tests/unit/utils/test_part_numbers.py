"""Part-number input cleaning of http-api §1.7."""

from __future__ import annotations

import pytest

from app.core.exceptions import ValidationFailed
from app.utils.part_numbers import clean_part_number, parse_part_numbers


def test_text_splits_on_commas_semicolons_newlines_and_whitespace() -> None:
    parsed = parse_part_numbers(None, "a1,b2;c3\nd4\te5  f6\r\ng7", limit=100)
    assert parsed.part_numbers == ["A1", "B2", "C3", "D4", "E5", "F6", "G7"]
    assert parsed.duplicates_removed == 0


def test_entries_are_trimmed_upper_cased_and_de_duplicated_keeping_the_first() -> None:
    parsed = parse_part_numbers(
        ["  wf338109=k3 ", "AN3-12A", "", "WF338109=K3", "an3-12a", "   "], None, limit=5
    )
    assert parsed.part_numbers == ["WF338109=K3", "AN3-12A"]
    assert parsed.duplicates_removed == 2


def test_a_list_entry_may_hold_inner_spaces_as_given() -> None:
    assert parse_part_numbers(["A B"], None, limit=5).part_numbers == ["A B"]


@pytest.mark.parametrize(
    ("part_numbers", "text", "code", "field"),
    [
        ([], None, "no_part_numbers", "part_numbers"),
        (["", " "], None, "no_part_numbers", "part_numbers"),
        (None, " ;, ", "no_part_numbers", "part_numbers_text"),
        (None, None, "validation_error", "body"),
        (["A"], "B", "validation_error", "body"),
        (["OK", "X" * 51], None, "validation_error", "part_numbers[1]"),
        (["BELL\x07"], None, "validation_error", "part_numbers[0]"),
        (["ZERO\u200bWIDTH"], None, "validation_error", "part_numbers[0]"),
        (None, "A\x00B", "validation_error", "part_numbers_text"),
        (["A", "B", "C", "D"], None, "too_many_part_numbers", "part_numbers"),
    ],
)
def test_bad_input_is_rejected_naming_the_field(
    part_numbers: list[str] | None, text: str | None, code: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_part_numbers(part_numbers, text, limit=3)
    assert caught.value.code == code
    assert caught.value.errors[0].field == field
    assert caught.value.message.endswith(".")


def test_exactly_fifty_characters_is_allowed_and_the_limit_counts_distinct_entries() -> None:
    parsed = parse_part_numbers(["X" * 50, "a", "A", "b"], None, limit=3)
    assert parsed.part_numbers == ["X" * 50, "A", "B"]


def test_clean_part_number() -> None:
    assert clean_part_number("  wf338109=k3\t") == "WF338109=K3"
    with pytest.raises(ValidationFailed) as caught:
        clean_part_number("   ", field="query")
    assert caught.value.errors[0].field == "query"
