"""The character rules: the spelled-out ranges are Unicode's, and the patterns read as Python reads them."""

from __future__ import annotations

import re
import unicodedata

from app.core.text_rules import (
    CONTROL_AND_FORMAT_RANGES,
    WHITESPACE,
    is_free_text,
    is_token_text,
    trimmed_token_pattern,
)


def _ranges_of(categories: set[str]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for code in range(0x110000):
        if unicodedata.category(chr(code)) in categories:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return ranges


def test_the_ranges_are_unicodes_control_and_format_characters() -> None:
    assert list(CONTROL_AND_FORMAT_RANGES) == _ranges_of({"Cc", "Cf"})


def test_whitespace_is_what_str_strip_trims() -> None:
    assert "".join(chr(code) for code in range(0x110000) if chr(code).isspace()) == WHITESPACE
    assert (WHITESPACE + "A" + WHITESPACE).strip() == "A"


def test_tokens_refuse_controls_format_characters_and_lone_surrogates() -> None:
    assert is_token_text("WF338109=K3 A/B")
    for bad in ("A\x00B", "A\tB", "A\x9fB", "ZERO\u200bWIDTH", "A\ud800", "\udfff", "TAG\U000e0041"):
        assert not is_token_text(bad), repr(bad)


def test_free_text_keeps_tab_and_line_breaks_but_no_other_control() -> None:
    assert is_free_text("line one\r\n\tline two \u200b soft\xadhyphen")
    for bad in ("\x00", "bell\x07", "\x7f", "c1\x85", "lone\ud800"):
        assert not is_free_text(bad), repr(bad)


def test_a_trimmed_token_pattern_bounds_the_token_not_the_whitespace_around_it() -> None:
    pattern = re.compile(trimmed_token_pattern(5)[:-1] + r"\Z")
    assert pattern.match(" \t\u3000ABCDE\n ")
    assert pattern.match("A B")
    assert not pattern.match("ABCDEF")
    assert not pattern.match("   ")
    assert not pattern.match("A\x00B")
    blank_allowed = re.compile(trimmed_token_pattern(5, blank_allowed=True)[:-1] + r"\Z")
    assert blank_allowed.match("  ")
    assert blank_allowed.match("")
