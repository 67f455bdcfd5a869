"""Part-number input of bulk extraction, bulk publish and multi-part search (http-api §1.7), parsed once.

Exactly one of ``part_numbers`` (a list) or ``part_numbers_text`` (split on commas, semicolons, newlines
and whitespace) is given. Cleaning, in order: trim and drop empties; upper-case; each entry 1 to 50 characters
without control characters; de-duplicate keeping the first occurrence and input order; then the configured
limit.
Every rule failure raises ``ValidationFailed`` with the contract's code and the offending field named.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.constants.extraction import PART_NUMBER_MAX_LENGTH
from app.core.exceptions import FieldError, ValidationFailed

__all__ = ["ParsedPartNumbers", "clean_part_number", "parse_part_numbers"]

_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True, slots=True)
class ParsedPartNumbers:
    """The cleaned, de-duplicated part numbers in input order, and how many duplicates were dropped."""

    part_numbers: list[str]
    duplicates_removed: int


def _has_control_character(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cf") for char in text)


def _check(entry: str, field: str) -> str:
    if len(entry) > PART_NUMBER_MAX_LENGTH:
        raise ValidationFailed(
            f"Part number {entry[:20]!r}... is {len(entry)} characters long; the limit is "
            f"{PART_NUMBER_MAX_LENGTH}.",
            errors=[FieldError(field, f"must be at most {PART_NUMBER_MAX_LENGTH} characters")],
        )
    if _has_control_character(entry):
        raise ValidationFailed(
            f"Part number {entry!r} contains a control character.",
            errors=[FieldError(field, "must not contain control characters")],
        )
    return entry


def clean_part_number(value: str, *, field: str = "part_number") -> str:
    """One part number trimmed and upper-cased; 422 when empty, too long or holding control characters."""
    entry = value.strip()
    if not entry:
        raise ValidationFailed("A part number is required.", errors=[FieldError(field, "must not be empty")])
    return _check(entry.upper(), field)


def parse_part_numbers(
    part_numbers: Sequence[str] | None,
    part_numbers_text: str | None,
    *,
    limit: int,
) -> ParsedPartNumbers:
    """Clean the operator's input per http-api §1.7, or raise ``ValidationFailed`` naming what is wrong."""
    if part_numbers is not None and part_numbers_text is not None:
        raise ValidationFailed(
            "Give either part_numbers or part_numbers_text, not both.",
            errors=[FieldError("body", "exactly one of part_numbers or part_numbers_text is allowed")],
        )
    if part_numbers is None and part_numbers_text is None:
        raise ValidationFailed(
            "Give part_numbers (a list) or part_numbers_text (a text).",
            errors=[FieldError("body", "one of part_numbers or part_numbers_text is required")],
        )
    entries: list[tuple[str, str]] = []
    if part_numbers is not None:
        for index, raw in enumerate(part_numbers):
            entry = raw.strip()
            if entry:
                entries.append((entry.upper(), f"part_numbers[{index}]"))
    else:
        assert part_numbers_text is not None
        for entry in _SEPARATORS.split(part_numbers_text):
            if entry:
                entries.append((entry.upper(), "part_numbers_text"))
    seen: dict[str, None] = {}
    for entry, field in entries:
        seen.setdefault(_check(entry, field), None)
    cleaned = list(seen)
    if not cleaned:
        field = "part_numbers" if part_numbers is not None else "part_numbers_text"
        raise ValidationFailed(
            "No part numbers were given.",
            errors=[FieldError(field, "contains no part number")],
            code="no_part_numbers",
        )
    if len(cleaned) > limit:
        field = "part_numbers" if part_numbers is not None else "part_numbers_text"
        raise ValidationFailed(
            f"{len(cleaned)} distinct part numbers were given; the limit is {limit}.",
            errors=[FieldError(field, f"at most {limit} distinct part numbers are allowed")],
            code="too_many_part_numbers",
        )
    return ParsedPartNumbers(part_numbers=cleaned, duplicates_removed=len(entries) - len(cleaned))
