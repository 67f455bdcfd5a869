"""The instants the suite runs at: the emulators' clocks start at a fixed instant, never the calendar's.

``TEST_INSTANT`` is the starting instant of every emulator the suite starts (``TEST_CLOCK_START`` overrides it
for a whole run, so any instant can be tried). Tests marked ``time_sensitive`` run once more at each of the
``UNUSUAL_INSTANTS``: the last seconds of a month, of a year and of a leap day, where a day, month or year
rolls over while the test runs.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime


def _parse(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"TEST_CLOCK_START needs a UTC offset or Z: {text!r}")
    return value.astimezone(UTC)


TEST_INSTANT = _parse(os.environ.get("TEST_CLOCK_START") or "2026-06-17T10:30:00Z")

UNUSUAL_INSTANTS = {
    "month-end": datetime(2027, 4, 30, 23, 59, 30, tzinfo=UTC),
    "year-end": datetime(2026, 12, 31, 23, 59, 45, tzinfo=UTC),
    "leap-day": datetime(2028, 2, 29, 23, 59, 30, tzinfo=UTC),
}


def iso(instant: datetime) -> str:
    """The instant as the emulators' configs and control APIs read it."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def clock_env() -> dict[str, str]:
    """The environment that starts both emulators' clocks at ``TEST_INSTANT`` (emulator processes)."""
    return {"BOEING_EMU_CLOCK_START": iso(TEST_INSTANT), "SHOPIFY_EMU_CLOCK_START": iso(TEST_INSTANT)}
