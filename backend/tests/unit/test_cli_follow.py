"""``boeing-hub extract`` and ``publish`` over a scripted API: one set of exit codes, one way to follow."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from rich.console import Console

from app.cli_extract import follow_extract
from app.cli_follow import EXIT_COMPLETED, EXIT_REFUSED, EXIT_UNFINISHED
from app.cli_publish import follow_publish

BATCH_ID = "3f0c1a52-0000-4000-8000-000000000001"


def batch(status: str, **counts: int) -> dict[str, Any]:
    return {
        "id": BATCH_ID, "batch_type": "publish", "status": status, "total_items": 2, "extracted_count": 0,
        "normalized_count": 0, "skipped_count": 0, "published_count": 0, "failed_count": 0, **counts,
    }  # fmt: skip


class ScriptedApi:
    """Answers the bulk POST, then each batch read from ``states`` in turn, and one page of failures."""

    def __init__(self, states: list[dict[str, Any]], *, post_status: int = 202, down: bool = False) -> None:
        self.states = states
        self.post_status = post_status
        self.down = down
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        self.requests.append(request)
        if request.method == "POST":
            if self.post_status >= 400:
                return httpx.Response(self.post_status, json={"detail": "no", "code": "validation_error"})
            accepted = {"batch_id": BATCH_ID, "total_items": 2, "duplicates_removed": 0, "status": "pending",
                        "message": "Queued.", "idempotency_key": None}  # fmt: skip
            return httpx.Response(self.post_status, json=accepted)
        if request.url.path.endswith("/failures"):
            item = {"part_number": "WF1=K1", "stage": "publishing", "error": "Boom.", "attempts": 1,
                    "updated_at": "2026-01-01T00:00:00Z"}  # fmt: skip
            return httpx.Response(200, json={"items": [item], "total": 1, "limit": 500, "offset": 0})
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return httpx.Response(200, json=state)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url="http://api.test", transport=httpx.MockTransport(self))


def run_extract(api: ScriptedApi, out: io.StringIO) -> int:
    return follow_extract(
        Console(file=out, width=200), api_url="http://api.test", token="t", body={"part_numbers": ["A"]},
        poll_s=0, http=api.client(),
    )  # fmt: skip


def run_publish(api: ScriptedApi, out: io.StringIO) -> int:
    return follow_publish(
        Console(file=out, width=200), api_url="http://api.test", token="t", part_numbers=["WF1=K1"],
        batch_id=None, poll_s=0, http=api.client(),
    )  # fmt: skip


RUNS: list[Callable[[ScriptedApi, io.StringIO], int]] = [run_extract, run_publish]


@pytest.mark.parametrize("run", RUNS, ids=["extract", "publish"])
def test_a_completed_batch_is_followed_to_its_end_and_exits_0(
    run: Callable[[ScriptedApi, io.StringIO], int],
) -> None:
    api = ScriptedApi(
        [batch("processing"), batch("completed", extracted_count=2, normalized_count=2, published_count=2)]
    )
    out = io.StringIO()
    assert run(api, out) == EXIT_COMPLETED
    assert all(r.headers["Authorization"] == "Bearer t" for r in api.requests)
    assert [r.method for r in api.requests[:3]] == ["POST", "GET", "GET"], "polled until the status was final"
    assert "completed" in out.getvalue()


@pytest.mark.parametrize("run", RUNS, ids=["extract", "publish"])
def test_a_refused_request_exits_2(run: Callable[[ScriptedApi, io.StringIO], int]) -> None:
    out = io.StringIO()
    assert run(ScriptedApi([], post_status=422), out) == EXIT_REFUSED
    assert "refused (422): no" in out.getvalue()


@pytest.mark.parametrize("run", RUNS, ids=["extract", "publish"])
def test_an_unreachable_api_exits_2(run: Callable[[ScriptedApi, io.StringIO], int]) -> None:
    out = io.StringIO()
    assert run(ScriptedApi([], down=True), out) == EXIT_REFUSED
    assert "cannot reach the API at http://api.test" in out.getvalue()


@pytest.mark.parametrize("run", RUNS, ids=["extract", "publish"])
def test_a_failed_batch_exits_1_and_prints_its_failures(
    run: Callable[[ScriptedApi, io.StringIO], int],
) -> None:
    api = ScriptedApi([batch("failed", failed_count=2)])
    out = io.StringIO()
    assert run(api, out) == EXIT_UNFINISHED
    assert "WF1=K1: Boom." in out.getvalue()
    failures = [r for r in api.requests if r.url.path.endswith("/failures")]
    assert len(failures) == 1


def test_publish_lists_only_the_failures_of_its_publishing_stage() -> None:
    api = ScriptedApi([batch("failed", failed_count=2)])
    run_publish(api, io.StringIO())
    (failures,) = [r for r in api.requests if r.url.path.endswith("/failures")]
    assert failures.url.params["stage"] == "publishing"
    assert json.loads(api.requests[0].content) == {"batch_id": None, "part_numbers": ["WF1=K1"]}
