"""The text log keeps one record per line whatever a logged value holds: control characters from outside (a
request path with a newline or an ANSI escape) are escaped, and a traceback's lines are indented under their
record, so no value can forge a line or drive the terminal."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from app.core.logging import RequestIdFilter, TextFormatter, configure_logging, escape_controls
from app.core.middleware import RequestContextMiddleware

FORGED = "\n2026-01-01 00:00:00,000 INFO    [-] app.request: GET /admin -> 200"
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")


@pytest.fixture
def text_log() -> Iterator[io.StringIO]:
    """What ``app.*`` loggers write, through the text formatter, into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(TextFormatter())
    logger = logging.getLogger("app")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_control_characters_are_spelled_out() -> None:
    assert escape_controls("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert escape_controls("\x1b[31mred\x00\x7f") == "\\x1b[31mred\\x00\\x7f"
    assert escape_controls("x\u2028y\u2029z\x85") == "x\\u2028y\\u2029z\\x85"
    assert escape_controls("\u202eevil\u2066") == "\\u202eevil\\u2066"
    assert escape_controls("WF338109=K3 é ü 部品") == "WF338109=K3 é ü 部品", "printable text is untouched"


def test_a_value_from_outside_stays_on_its_record_line(text_log: io.StringIO) -> None:
    logging.getLogger("app.test").warning("unknown part %s", f"P-1{FORGED}\x1b[2J")
    lines = text_log.getvalue().splitlines()
    assert len(lines) == 1
    assert "P-1\\n2026-01-01 00:00:00,000 INFO" in lines[0]
    assert "\\x1b[2J" in lines[0]
    assert "\x1b" not in text_log.getvalue()


def test_a_request_path_cannot_forge_a_log_line(text_log: io.StringIO) -> None:
    async def hello(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("hello")(scope, receive, send)

    client = TestClient(RequestContextMiddleware(hello))  # no lifespan: the bare app has none
    path = "/x%0A2026-01-01%2000:00:00,000%20INFO%20%20%20%20[-]%20app.request:%20GET%20/admin%1B[2J"
    assert client.get(path).status_code == 200
    lines = text_log.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "GET /x\\n2026-01-01 00:00:00,000 INFO" in lines[0]
    assert "\\x1b[2J -> 200 in" in lines[0]


def test_a_traceback_is_indented_under_its_record(text_log: io.StringIO) -> None:
    try:
        raise ValueError(f"bad input{FORGED}")
    except ValueError:
        logging.getLogger("app.test").exception("failed on %s", "P-1\r")
    first, *rest = text_log.getvalue().splitlines()
    assert RECORD_START.match(first) and first.endswith("failed on P-1\\r")
    assert rest and all(line.startswith("    ") for line in rest), "no traceback line starts at the margin"
    assert any("ValueError: bad input" in line for line in rest)


@pytest.fixture
def restored_root() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_text_format_uses_the_escaping_formatter(restored_root: logging.Logger) -> None:
    configure_logging("INFO", "text")
    ours = [h for h in restored_root.handlers if getattr(h, "_boeing_hub", False)]
    assert len(ours) == 1
    assert isinstance(ours[0].formatter, TextFormatter)
