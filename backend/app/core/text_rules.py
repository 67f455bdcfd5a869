"""Which characters text entering the system may hold, spelled once for validation and for OpenAPI patterns.

Two rules. A *token* (an identifier, a part number) holds no control or format character (Unicode categories
Cc and Cf: NUL, C1 controls, zero-width and bidirectional marks). Free *text* holds no control character but
tab, line feed and carriage return. Neither holds a lone UTF-16 surrogate: a ``"\\ud800"`` escape in JSON
decodes to one, and it can be neither stored nor encoded as UTF-8.

The patterns are built from the literal characters, not from escapes, so Python's ``re``, ECMAScript (with
the ``u`` flag) and Rust's ``regex`` (what OpenAPI tooling validates with) read them alike, and they use no
``\\s``, whose meaning differs between those engines: ``WHITESPACE`` is Python's ``str.isspace`` set, the one
``str.strip()`` trims. A lone surrogate is not a character of a valid JSON string, so no pattern names it; the
checks below refuse it.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CONTROL_AND_FORMAT_RANGES",
    "TEXT_CONTROLS_ALLOWED",
    "TEXT_FORBIDDEN",
    "TOKEN_FORBIDDEN",
    "WHITESPACE",
    "is_free_text",
    "is_token_text",
    "trimmed_token_pattern",
]

CONTROL_AND_FORMAT_RANGES: Final[tuple[tuple[int, int], ...]] = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
"""Unicode's Cc and Cf characters (Unicode 14.0, Python 3.11's ``unicodedata``; a unit test keeps them
equal)."""

TEXT_CONTROLS_ALLOWED: Final = "\t\n\r"
"""The control characters free text may hold."""

# Every whitespace character lies below U+3001, so the scan is short.
WHITESPACE: Final = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
"""Python's whitespace (``str.isspace``): what ``str.strip()`` trims and what separates part numbers."""

_CLASS_SPECIALS: Final = frozenset("\\]^-[")


def _class_body(ranges: tuple[tuple[int, int], ...], *, allowed: str = "") -> str:
    """The inside of a ``[...]`` class naming ``ranges`` (minus ``allowed``), with literal characters."""
    parts: list[str] = []
    for start, end in ranges:
        run_start: int | None = None
        for code in range(start, end + 2):
            inside = code <= end and chr(code) not in allowed
            if inside and run_start is None:
                run_start = code
            elif not inside and run_start is not None:
                parts.append(chr(run_start) if run_start == code - 1 else f"{chr(run_start)}-{chr(code - 1)}")
                run_start = None
    named = {chr(code) for start, end in ranges for code in range(start, end + 1)}
    assert not _CLASS_SPECIALS & named, "a class character would need an escape"
    return "".join(parts)


TOKEN_FORBIDDEN: Final = _class_body(CONTROL_AND_FORMAT_RANGES)
"""The inside of a ``[...]`` class of the characters a token may not hold (Cc and Cf)."""

TEXT_FORBIDDEN: Final = _class_body(CONTROL_AND_FORMAT_RANGES[:2], allowed=TEXT_CONTROLS_ALLOWED)
"""The inside of a ``[...]`` class of the characters free text may not hold (Cc but tab, LF and CR)."""

_TOKEN_REFUSED: Final = re.compile(f"[{TOKEN_FORBIDDEN}\ud800-\udfff]")
_TEXT_REFUSED: Final = re.compile(f"[{TEXT_FORBIDDEN}\ud800-\udfff]")


def is_token_text(text: str) -> bool:
    """Whether ``text`` holds no control, format or lone surrogate character (the token rule)."""
    return _TOKEN_REFUSED.search(text) is None


def is_free_text(text: str) -> bool:
    """Whether ``text`` holds no control character but tab, LF or CR, nor a lone surrogate (the text rule)."""
    return _TEXT_REFUSED.search(text) is None


def trimmed_token_pattern(max_length: int, *, blank_allowed: bool = False) -> str:
    """A value that, once trimmed of whitespace, is 1 to ``max_length`` token characters (or nothing at all
    when ``blank_allowed``); the whitespace around it is free."""
    assert max_length >= 2
    edge = f"[^{WHITESPACE}{TOKEN_FORBIDDEN}]"
    token = f"{edge}(?:[^{TOKEN_FORBIDDEN}]{{0,{max_length - 2}}}{edge})?"
    if blank_allowed:
        token = f"(?:{token})?"
    return f"^[{WHITESPACE}]*{token}[{WHITESPACE}]*$"
