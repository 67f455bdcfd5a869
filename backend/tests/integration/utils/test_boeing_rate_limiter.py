"""The Boeing limiter shared by two processes on real Redis and real time holds the quota exactly."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

import redis as redis_lib

BACKEND = Path(__file__).resolve().parents[3]
N, WINDOW, MARGIN = 6, 1.5, 0.05

CALLER = f"""
import json, sys, time
import redis
from app.utils.rate_limiter import BoeingRateLimiter
from app.core.exceptions import QuotaWait
url, start_at, run_s, priorities = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4].split(",")
limiter = BoeingRateLimiter(redis.Redis.from_url(url), client_id="shared", requests={N}, window_s={WINDOW},
                            margin_s={MARGIN}, sync_share=0.5, max_poll_s=0.05)
while time.time() < start_at:
    time.sleep(0.005)
admitted, i = [], 0
while time.time() < start_at + run_s:
    priority = priorities[i % len(priorities)]
    i += 1
    try:
        admitted.append([priority, limiter.acquire(priority, max_wait_s=0.5).at])
    except QuotaWait:
        pass
print(json.dumps(admitted))
"""


def run_callers(redis_url: str, run_s: float, *priorities: str) -> list[tuple[str, float]]:
    start_at = time.time() + 1.5
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CALLER, redis_url, repr(start_at), repr(run_s), mix],
            cwd=BACKEND,
            stdout=subprocess.PIPE,
            text=True,
        )
        for mix in priorities
    ]
    admitted: list[tuple[str, float]] = []
    for process in processes:
        out, _ = process.communicate(timeout=run_s + 30)
        assert process.returncode == 0
        admitted += [(priority, at) for priority, at in json.loads(out)]
    return sorted(admitted, key=lambda entry: entry[1])


def max_in_any_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_two_bulk_processes_share_one_paced_quota(redis_url: str, redis_client: redis_lib.Redis[str]) -> None:
    run_s = 6.0
    admitted = run_callers(redis_url, run_s, "bulk", "bulk")
    times = [at for _, at in admitted]
    assert max_in_any_window(times, WINDOW) <= N
    interval = (WINDOW + MARGIN) / N
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= interval - 1e-4
    # Utilization: the calls made against the calls the quota allows over the run (one per interval).
    assert len(times) >= 0.9 * run_s / interval


def test_interactive_bursts_and_bulk_together_never_exceed_the_window(
    redis_url: str, redis_client: redis_lib.Redis[str]
) -> None:
    run_s = 6.0
    admitted = run_callers(redis_url, run_s, "bulk", "interactive,bulk,sync")
    times = [at for _, at in admitted]
    assert max_in_any_window(times, WINDOW) == N  # held exactly: full, never over
    assert max_in_any_window(times, WINDOW + MARGIN) <= N
    priorities = {priority for priority, _ in admitted}
    assert priorities == {"bulk", "interactive", "sync"}
