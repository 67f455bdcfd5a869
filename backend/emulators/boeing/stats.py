"""Counters and the recent-request log served by ``/_emulator/stats`` and ``/_emulator/requests``."""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ENDPOINTS = ("oauth_token", "part_token", "price", "image")


def iso(ts: float, timespec: str = "milliseconds") -> str:
    """Epoch seconds as ``2026-11-26T09:00:00.123Z`` (or another ``timespec``)."""
    text = datetime.fromtimestamp(ts, UTC).isoformat(timespec=timespec)
    return text.replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class CallRecord:
    """What one emulated API call did."""

    time: float
    client_id: str | None
    endpoint: str
    codes: Sequence[str]
    status: int | None  # None when the connection was dropped without an answer
    latency_ms: float
    fault: str | None = None
    throttled: bool = False
    line_items: int | None = None

    def describe(self) -> dict[str, Any]:
        """JSON form for the request log."""
        return {
            "time": iso(self.time),
            "client": self.client_id,
            "endpoint": self.endpoint,
            "codes": list(self.codes),
            "status": self.status,
            "latency_ms": round(self.latency_ms, 3),
            "fault": self.fault,
        }


class Stats:
    """Call, response, fault and token counters since the last reset, plus a bounded request log."""

    def __init__(self, now: float, log_size: int) -> None:
        self.log: deque[CallRecord] = deque(maxlen=log_size)
        self.reset(now)

    def reset(self, now: float) -> None:
        """Zero every counter and empty the log."""
        self.since = now
        self.calls: Counter[str] = Counter(dict.fromkeys(ENDPOINTS, 0))
        self.responses: Counter[str] = Counter()
        self.throttled = 0
        self.faults: Counter[str] = Counter()
        self.tokens: Counter[str] = Counter({"access": 0, "part": 0})
        self.codes_requested = 0
        self.line_items_returned = 0
        self.per_client: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.log.clear()

    def resize_log(self, size: int) -> None:
        """Change how many recent calls the log keeps."""
        if size != self.log.maxlen:
            self.log = deque(self.log, maxlen=size)

    def record(self, call: CallRecord) -> None:
        """Count one finished call."""
        self.calls[call.endpoint] += 1
        if call.status is not None:
            self.responses[str(call.status)] += 1
        if call.throttled:
            self.throttled += 1
        if call.fault:
            self.faults[call.fault] += 1
        if call.line_items is not None:
            self.codes_requested += len(call.codes)
            self.line_items_returned += call.line_items
        if call.client_id is not None:
            mine = self.per_client[call.client_id]
            mine[call.endpoint] += 1
            if call.throttled:
                mine["throttled_429"] += 1
            if call.fault:
                mine["faults"] += 1
        self.log.append(call)

    def token_issued(self, kind: str) -> None:
        """Count one issued token (``access`` or ``part``)."""
        self.tokens[kind] += 1

    def describe(self) -> dict[str, Any]:
        """The ``/_emulator/stats`` document."""
        return {
            "calls": dict(self.calls),
            "responses": dict(sorted(self.responses.items())),
            "throttled_429": self.throttled,
            "faults_served": dict(sorted(self.faults.items())),
            "tokens_issued": dict(self.tokens),
            "codes_requested": self.codes_requested,
            "line_items_returned": self.line_items_returned,
            "per_client": {
                cid: {"price": 0, "throttled_429": 0, **dict(counts)}
                for cid, counts in sorted(self.per_client.items())
            },
            "since": iso(self.since, "seconds"),
        }

    def recent(self, limit: int) -> list[dict[str, Any]]:
        """The last ``limit`` calls, oldest first."""
        items = list(self.log)[-limit:] if limit else []
        return [call.describe() for call in items]
