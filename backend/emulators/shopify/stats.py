"""Counters and the recent-request log exposed by /_emulator/stats and /_emulator/requests."""

from __future__ import annotations

from collections import Counter, deque
from typing import Any


class Stats:
    """Request counters since start or the last stats reset."""

    def __init__(self, log_size: int) -> None:
        self.log: deque[dict[str, Any]] = deque(maxlen=log_size)
        self._seq = 0
        self.reset()

    def reset(self) -> None:
        """Zero every counter and empty the log."""
        self.requests = 0
        self.by_operation: Counter[str] = Counter()
        self.by_http_status: Counter[str] = Counter()
        self.throttled = 0
        self.max_cost_exceeded = 0
        self.validation_errors = 0
        self.points_spent = 0
        self.user_errors_by_code: Counter[str] = Counter()
        self.faults_served: Counter[str] = Counter()
        self.per_token: dict[str, dict[str, int]] = {}
        self.log.clear()

    def record(self, entry: dict[str, Any], token: str | None) -> None:
        """Count one finished request and append it to the log."""
        self._seq += 1
        entry["seq"] = self._seq
        self.requests += 1
        self.by_http_status[str(entry["status"])] += 1
        for name in entry.get("operations") or []:
            self.by_operation[name] += 1
        outcome = entry.get("outcome")
        if outcome == "throttled":
            self.throttled += 1
        elif outcome == "max_cost_exceeded":
            self.max_cost_exceeded += 1
        elif outcome == "validation_error":
            self.validation_errors += 1
        if entry.get("fault"):
            self.faults_served[entry["fault"]] += 1
        spent = entry.get("actual_cost") or 0
        self.points_spent += spent
        for code in entry.get("user_error_codes") or []:
            self.user_errors_by_code[code] += 1
        if token is not None:
            mine = self.per_token.setdefault(token, {"requests": 0, "points_spent": 0, "throttled": 0})
            mine["requests"] += 1
            mine["points_spent"] += spent
            mine["throttled"] += outcome == "throttled"
        self.log.append(entry)

    def snapshot(self, variants_created_today: int) -> dict[str, Any]:
        """JSON view of the counters."""
        return {
            "requests": self.requests,
            "by_operation": dict(self.by_operation),
            "by_http_status": dict(self.by_http_status),
            "throttled": self.throttled,
            "max_cost_exceeded": self.max_cost_exceeded,
            "validation_errors": self.validation_errors,
            "points_spent": self.points_spent,
            "user_errors_by_code": dict(self.user_errors_by_code),
            "faults_served": dict(self.faults_served),
            "variants_created_today": variants_created_today,
            "per_token": {token: dict(values) for token, values in self.per_token.items()},
        }

    def recent(self, limit: int) -> list[dict[str, Any]]:
        """The last `limit` log entries, oldest first."""
        entries = list(self.log)
        return entries[-limit:] if limit > 0 else []
