"""Per-client quota (contract §7.5): a sliding-window log of admitted calls on the virtual clock."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass

COUNTED_ALWAYS = frozenset({"price"})
COUNTED_WITH_SCOPE_ALL = frozenset({"price", "oauth_token", "part_token"})


@dataclass(frozen=True, slots=True)
class QuotaPolicy:
    """How many calls a client may make per window, and which calls count."""

    requests: int
    window_s: float
    scope: str = "price"

    def counts(self, endpoint: str) -> bool:
        """Whether a call to ``endpoint`` is subject to this quota (images never are)."""
        return endpoint in (COUNTED_WITH_SCOPE_ALL if self.scope == "all" else COUNTED_ALWAYS)

    def describe(self) -> dict[str, object]:
        """JSON form."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Decision:
    """Outcome of one admission attempt."""

    admitted: bool
    retry_after_s: int = 0
    remaining: int = 0


class QuotaLimiter:
    """Admits or rejects calls per client id; rejected calls are not recorded, so they never count."""

    def __init__(self, default: QuotaPolicy) -> None:
        self.default = default
        self.per_client: dict[str, QuotaPolicy] = {}
        self._logs: dict[str, deque[float]] = {}

    def policy(self, client_id: str) -> QuotaPolicy:
        """The policy in force for ``client_id``."""
        return self.per_client.get(client_id, self.default)

    def set_policy(self, policy: QuotaPolicy, client_id: str | None = None) -> None:
        """Set one client's policy, or the default for all clients (dropping per-client ones)."""
        if client_id is None:
            self.default = policy
            self.per_client.clear()
        else:
            self.per_client[client_id] = policy

    def try_admit(self, client_id: str, endpoint: str, now: float) -> Decision | None:
        """Admit a call at virtual time ``now``; None when the endpoint is not counted for this client."""
        policy = self.policy(client_id)
        if not policy.counts(endpoint):
            return None
        log = self._logs.setdefault(client_id, deque())
        horizon = now - policy.window_s
        while log and log[0] <= horizon:
            log.popleft()
        if len(log) < policy.requests:
            log.append(now)
            return Decision(admitted=True, remaining=policy.requests - len(log))
        # The slot frees up when the oldest admitted call in the window leaves it.
        wait = math.ceil(log[0] + policy.window_s - now)
        return Decision(admitted=False, retry_after_s=max(1, wait))

    def reset_windows(self) -> None:
        """Forget every admitted call (policies stay)."""
        self._logs.clear()

    def describe(self, now: float) -> dict[str, object]:
        """Policies and how many admitted calls each client has in its current window, JSON form."""
        in_window = {
            cid: sum(1 for t in log if t > now - self.policy(cid).window_s) for cid, log in self._logs.items()
        }
        return {
            "default": self.default.describe(),
            "clients": {cid: p.describe() for cid, p in sorted(self.per_client.items())},
            "in_window": dict(sorted(in_window.items())),
        }
