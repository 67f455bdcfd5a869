"""Part-number input of bulk extraction, bulk publish and multi-part search (http-api §1.7), parsed once.

Exactly one of ``part_numbers`` (a list) or ``part_numbers_text`` (split on commas, semicolons, newlines
and whitespace) is given. Cleaning, in order: trim and drop empties; each entry 1 to 50 characters without
control characters (the ``PartNumber`` rule of ``core/inputs.py``, which the request models also declare);
upper-case; de-duplicate keeping the first occurrence and input order; then the configured limit.
Every rule failure raises ``ValidationFailed`` with the contract's code and the offending field named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.exceptions import FieldError, ValidationFailed
from app.core.inputs import clean_part_number_text, part_number_entries

__all__ = ["ParsedPartNumbers", "clean_part_number", "parse_part_numbers"]


@dataclass(frozen=True, slots=True)
class ParsedPartNumbers:
    """The cleaned, de-duplicated part numbers in input order, and how many duplicates were dropped."""

    part_numbers: list[str]
    duplicates_removed: int


def clean_part_number(value: str, *, field: str = "part_number") -> str:
    """One part number trimmed and upper-cased; 422 naming ``field`` when empty, too long or holding control
    characters."""
    try:
        return clean_part_number_text(value)
    except ValueError as exc:
        entry = value.strip()
        if not entry:
            raise ValidationFailed(
                "A part number is required.", errors=[FieldError(field, str(exc))]
            ) from None
        shown = f"{entry[:20]!r}..." if len(entry) > 20 else repr(entry)
        raise ValidationFailed(f"Part number {shown} {exc}.", errors=[FieldError(field, str(exc))]) from None


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
        entries = [(raw, f"part_numbers[{index}]") for index, raw in enumerate(part_numbers) if raw.strip()]
    else:
        assert part_numbers_text is not None
        entries = [(entry, "part_numbers_text") for entry in part_number_entries(part_numbers_text)]
    seen: dict[str, None] = {}
    for entry, field in entries:
        seen.setdefault(clean_part_number(entry, field=field), None)
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
