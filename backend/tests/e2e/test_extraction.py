"""Bulk extraction end to end: the API, real worker processes and beat, the Boeing emulator as a process,
PostgreSQL and Redis. The quota is compressed on both sides (the emulator and our limiter agree)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypedDict

import psycopg
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.celery_app.celery_config import build_celery
from app.celery_app.wiring import celery_container
from app.cli import cli
from app.container import Container
from app.local.embedded import EmbeddedRedis, free_port, start_redis
from app.main import create_app
from tests.e2e.conftest import BoeingEmulator, boeing_quota_env
from tests.support.extraction import assert_batch_consistent, batch_row, item_statuses
from tests.support.image_host import bind_loopback, serve_app
from tests.support.processes import Workers, wait_until
from tests.support.settings import clean_environ, settings_from_env
from tests.support.sync_stack import BeatProcess

TERMINAL = ("completed", "failed", "cancelled")


def start_bulk(api: TestClient, headers: dict[str, str], parts: list[str]) -> dict[str, Any]:
    response = api.post("/api/v1/extraction/bulk", json={"part_numbers": parts}, headers=headers)
    assert response.status_code == 202, response.text
    return dict(response.json())


def wait_finished(
    api: TestClient, headers: dict[str, str], batch_id: str, timeout_s: float,
    between: Callable[[], object] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Poll the batch until it is terminal; ``between`` runs before each poll."""

    def finished() -> dict[str, Any] | None:
        if between is not None:
            between()
        batch = api.get(f"/api/v1/batches/{batch_id}", headers=headers).json()
        return batch if batch["status"] in TERMINAL else None

    batch = wait_until(finished, timeout_s=timeout_s, interval_s=0.25, what=f"batch {batch_id}")
    return dict(batch)


def done_items(db: str, batch_id: str) -> int:
    with psycopg.connect(db) as conn:
        row = conn.execute(
            "SELECT count(*) FROM batch_items WHERE batch_id = %s"
            " AND status NOT IN ('queued', 'sent', 'in_progress')",
            (batch_id,),
        ).fetchone()
    return int(row[0]) if row else 0


def mixed_parts(emulator: BoeingEmulator, total: int) -> dict[str, list[str]]:
    """Catalogue samples of every class, ``total`` distinct part numbers in all (classes may overlap in the
    catalogue, so each code goes to the first group that takes it)."""
    taken: set[str] = set()

    def fresh(codes: list[str], count: int) -> list[str]:
        chosen = [code for code in codes if code not in taken][:count]
        taken.update(chosen)
        return chosen

    groups: dict[str, list[str]] = {"unknown": fresh([f"NOTFOUND-{i}" for i in range(total // 40)], total)}
    for kind, share in (("multi_variant", 20), ("no_stock", 20), ("unpriced", 40), ("non_us_only", 40),
                        ("no_locations", 50)):  # fmt: skip
        groups[kind] = fresh(emulator.sample(kind, 2 * total // share), total // share)
    groups["suffixed"] = fresh(
        [emulator.call("GET", f"/catalog/{base}")["lineItems"][0]["aviallPartNumber"] for base in
         groups["multi_variant"][:10]],
        10,
    )  # fmt: skip
    groups["normal"] = fresh(emulator.sample("normal", 1000), total - len(taken))
    assert len(taken) == total
    groups["variants"] = groups.pop("multi_variant")
    groups["non_us"] = groups.pop("non_us_only")
    return groups


def blocked_reasons(db: str, batch_id: str) -> dict[str, set[str]]:
    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT i.part_number, s.blocked_reason FROM batch_items i JOIN product_staging s"
            " ON s.sku = ANY(i.staged_skus) WHERE i.batch_id = %s",
            (batch_id,),
        ).fetchall()
    reasons: dict[str, set[str]] = {}
    for part, reason in rows:
        reasons.setdefault(part, set()).add(reason)
    return reasons


def test_a_bulk_of_1000_mixed_parts_ends_with_counters_items_and_staging_in_agreement(
    extraction_env: dict[str, str], boeing_emulator: BoeingEmulator, api: TestClient, workers: Workers,
    sweeper_beat: BeatProcess, auth_headers: dict[str, str], db: str,
) -> None:  # fmt: skip
    groups = mixed_parts(boeing_emulator, 1000)
    parts = [code for codes in groups.values() for code in codes]
    with_duplicates = parts + [code.lower() for code in parts[::20]]
    workers.start("boeing", "default")
    accepted = start_bulk(api, auth_headers, with_duplicates)
    assert accepted["total_items"] == 1000 and accepted["duplicates_removed"] == 50
    batch = wait_finished(api, auth_headers, accepted["batch_id"], timeout_s=40)
    batch_id = accepted["batch_id"]
    assert (batch["batch_type"], batch["status"], batch["progress_percent"]) == (
        "normalize",
        "completed",
        100,
    )
    counts = assert_batch_consistent(db, batch_id)
    statuses = item_statuses(db, batch_id)
    reasons = blocked_reasons(db, batch_id)
    assert {statuses[p] for p in groups["unknown"]} == {"failed"}
    assert {statuses[p] for p in groups["normal"]} == {"normalized"}
    assert {statuses[p] for p in groups["no_stock"] + groups["unpriced"] + groups["non_us"]} == {"blocked"}
    assert set().union(*(reasons[p] for p in groups["unpriced"])) == {"no_price"}
    assert set().union(*(reasons[p] for p in groups["non_us"] + groups["no_locations"])) <= {
        "no_mapped_location", "no_price"
    }  # fmt: skip
    assert counts["failed"] == len(groups["unknown"]) == batch["failed_count"]
    with psycopg.connect(db) as conn:
        variant_skus: dict[str, list[str]] = dict(
            conn.execute(
                "SELECT part_number, staged_skus FROM batch_items"
                " WHERE batch_id = %s AND part_number = ANY(%s)",
                (batch_id, groups["variants"] + groups["suffixed"]),
            ).fetchall()
        )
        raw_answers = conn.execute(
            "SELECT count(*) FROM boeing_raw_data WHERE batch_id = %s", (batch_id,)
        ).fetchone()
    assert all(len(variant_skus[p]) >= 2 for p in groups["variants"])
    assert all(variant_skus[p] == [p] for p in groups["suffixed"])
    assert raw_answers == (100,)  # one stored answer per chunk of 10: nothing called twice
    stats = boeing_emulator.stats()
    assert stats["calls"]["price"] == 100
    assert stats["throttled_429"] == 0


def test_injected_5xx_and_timeouts_lose_nothing_and_failures_carry_reasons(
    extraction_env: dict[str, str], boeing_emulator: BoeingEmulator, api: TestClient, workers: Workers,
    sweeper_beat: BeatProcess, auth_headers: dict[str, str], db: str,
) -> None:  # fmt: skip
    groups = mixed_parts(boeing_emulator, 1000)
    parts = [code for codes in groups.values() for code in codes]
    poison = groups["normal"][0]
    boeing_emulator.call("POST", "/faults", {"endpoint": "price", "kind": "http_502", "part_codes": [poison]})
    boeing_emulator.call("POST", "/faults", {"endpoint": "price", "kind": "http_503", "rate": 0.03})
    boeing_emulator.call(
        "POST", "/faults", {"endpoint": "price", "kind": "timeout", "rate": 0.02, "delay_s": 2}
    )
    workers.start("boeing", "default")
    accepted = start_bulk(api, auth_headers, parts)
    batch_id = accepted["batch_id"]
    batch = wait_finished(api, auth_headers, batch_id, timeout_s=50)
    assert batch["status"] == "completed"
    assert_batch_consistent(db, batch_id)
    with psycopg.connect(db) as conn:
        failed: dict[str, str] = dict(
            conn.execute(
                "SELECT part_number, error FROM batch_items WHERE batch_id = %s AND status = 'failed'",
                (batch_id,),
            ).fetchall()
        )
        poison_row = conn.execute(
            "SELECT chunk_no FROM batch_items WHERE batch_id = %s AND part_number = %s", (batch_id, poison)
        ).fetchone()
        assert poison_row is not None
        (poison_chunk,) = poison_row
        chunk = [row[0] for row in conn.execute(
            "SELECT part_number FROM batch_items WHERE batch_id = %s AND chunk_no = %s",
            (batch_id, poison_chunk),
        ).fetchall()]  # fmt: skip
        attempts = conn.execute(
            "SELECT max(attempts) FROM batch_items WHERE batch_id = %s", (batch_id,)
        ).fetchone()
    assert set(failed) == set(groups["unknown"]) | set(chunk)
    for part in chunk:
        assert "502" in failed[part] and "after 4 attempts" in failed[part]
    for part in set(groups["unknown"]) - set(chunk):
        assert failed[part] == "not found at Boeing"
    assert attempts == (4,)
    faults = boeing_emulator.stats()["faults_served"]
    assert faults.get("http_503", 0) + faults.get("timeout", 0) > 0  # the faults really happened


@pytest.fixture
def kill_env(extraction_env: dict[str, str], boeing_emulator: BoeingEmulator) -> dict[str, str]:
    boeing_quota_env(extraction_env, boeing_emulator, 20, 2.0)  # 600 requests/min
    extraction_env["CELERY_VISIBILITY_TIMEOUT_S"] = "10"
    return extraction_env


def test_workers_killed_mid_batch_lose_and_double_nothing(
    kill_env: dict[str, str], boeing_emulator: BoeingEmulator, api: TestClient, workers: Workers,
    sweeper_beat: BeatProcess, auth_headers: dict[str, str], db: str,
) -> None:  # fmt: skip
    parts = boeing_emulator.sample("normal", 400) + [f"NOTFOUND-{i}" for i in range(100)]
    workers.start("boeing", "default")
    batch_id = start_bulk(api, auth_headers, parts)["batch_id"]
    wait_until(lambda: done_items(db, batch_id) >= 60, timeout_s=20, what="some progress")
    workers.kill("boeing")
    workers.kill("default")
    killed_at = done_items(db, batch_id)
    assert killed_at < 500
    workers.start("boeing", "default")
    batch = wait_finished(api, auth_headers, batch_id, timeout_s=40)
    assert batch["status"] == "completed"
    counts = assert_batch_consistent(db, batch_id)
    assert counts == {"normalized": 400, "failed": 100}
    with psycopg.connect(db) as conn:
        doubled = conn.execute("SELECT sku FROM product_staging GROUP BY sku HAVING count(*) > 1").fetchall()
        staged = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT unnest(staged_skus) AS sku FROM batch_items"
            " WHERE batch_id = %s) s",
            (batch_id,),
        ).fetchone()
    assert doubled == []
    assert staged is not None and staged[0] >= 400


class OwnRedis(TypedDict):
    """A test's own Redis server; ``server`` is replaced when the test restarts it on ``port``."""

    server: EmbeddedRedis
    port: int
    url: str


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A Redis of this test alone, so it can be restarted (its queued messages are lost: no persistence)."""
    port = free_port()
    server = start_redis(tmp_path / "redis", port, persist=False)
    holder: OwnRedis = {"server": server, "port": port, "url": server.url}
    yield holder
    holder["server"].stop()


def test_redis_restarted_mid_batch_loses_queued_messages_and_the_sweeper_recovers(
    extraction_env: dict[str, str], boeing_emulator: BoeingEmulator, own_redis: OwnRedis,
    authed_env: dict[str, str], auth_headers: dict[str, str], db: str, tmp_path: Path,
) -> None:  # fmt: skip
    boeing_quota_env(extraction_env, boeing_emulator, 20, 2.0)
    authed_env["REDIS_URL"] = own_redis["url"]
    process_env = {**clean_environ(), **authed_env}
    workers = Workers(env=process_env, redis_url=own_redis["url"], log_dir=tmp_path)
    settings = settings_from_env(authed_env)
    celery = build_celery(settings)
    container = celery_container(settings, celery)
    beat = BeatProcess.start(process_env, tmp_path)
    try:
        workers.start("boeing", "default")
        with TestClient(create_app(container.settings, container)) as api:
            batch_id = start_bulk(api, auth_headers, boeing_emulator.sample("normal", 400))["batch_id"]
            wait_until(lambda: done_items(db, batch_id) >= 60, timeout_s=20, what="some progress")
            beat.stop()
            own_redis["server"].stop()  # every queued message and the limiter's log are gone
            lost_at = done_items(db, batch_id)
            own_redis["server"] = start_redis(tmp_path / "redis", own_redis["port"], persist=False)
            beat = BeatProcess.start(process_env, tmp_path)  # beat's supervisor restarts it with Redis
            # A worker may stop when kombu fails on a channel of the lost connection (an ack of a task that
            # finished meanwhile); its supervisor starts it again, as systemd does in the deployment.
            batch = wait_finished(api, auth_headers, batch_id, timeout_s=60, between=workers.restart_exited)
        assert lost_at < 400
        assert batch["status"] == "completed"
        assert assert_batch_consistent(db, batch_id) == {"normalized": 400}
        # The chunks queued in the old Redis were re-sent by the sweeper, not by luck.
        assert "lost chunks re-sent" in (tmp_path / "worker-default.log").read_text(errors="replace")
    finally:
        beat.stop()
        workers.stop()
        container.close()
        celery.close()


@pytest.fixture
def slow_env(extraction_env: dict[str, str], boeing_emulator: BoeingEmulator) -> dict[str, str]:
    boeing_quota_env(extraction_env, boeing_emulator, 10, 2.0)  # 300 requests/min
    return extraction_env


def test_cancel_mid_batch_cancels_what_has_not_started(
    slow_env: dict[str, str], boeing_emulator: BoeingEmulator, api: TestClient, workers: Workers,
    sweeper_beat: BeatProcess, auth_headers: dict[str, str], db: str,
) -> None:  # fmt: skip
    workers.start("boeing", "default")
    batch_id = start_bulk(api, auth_headers, boeing_emulator.sample("normal", 500))["batch_id"]
    wait_until(lambda: done_items(db, batch_id) >= 30, timeout_s=20, what="some progress")
    response = api.delete(f"/api/v1/batches/{batch_id}", headers=auth_headers)
    assert response.status_code == 200
    calls_at_cancel = boeing_emulator.stats()["calls"]["price"]

    def settled() -> bool:
        with psycopg.connect(db) as conn:
            row = conn.execute(
                "SELECT count(*) FROM batch_items WHERE batch_id = %s"
                " AND status IN ('queued', 'sent', 'in_progress')",
                (batch_id,),
            ).fetchone()
        return row == (0,)

    wait_until(settled, timeout_s=20, what="in-flight items to finish")
    counts = assert_batch_consistent(db, batch_id)
    batch = batch_row(db, batch_id)
    assert batch["status"] == "cancelled"
    assert counts["cancelled"] >= 300
    assert counts["normalized"] + counts["cancelled"] == 500
    # Only chunks already in flight were still called; nothing was sent after the cancel settled.
    calls_after = boeing_emulator.stats()["calls"]["price"]
    assert calls_after - calls_at_cancel <= 8


@pytest.fixture
def contended_env(extraction_env: dict[str, str], boeing_emulator: BoeingEmulator) -> dict[str, str]:
    boeing_quota_env(extraction_env, boeing_emulator, 4, 2.0)  # 2 calls/s: the bulk saturates the quota
    return extraction_env


def test_an_interactive_search_during_a_running_bulk_is_served_within_its_bound(
    contended_env: dict[str, str], boeing_emulator: BoeingEmulator, api: TestClient, workers: Workers,
    sweeper_beat: BeatProcess, auth_headers: dict[str, str], container: Container, db: str,
) -> None:  # fmt: skip
    workers.start("boeing", "default")
    batch_id = start_bulk(api, auth_headers, boeing_emulator.sample("normal", 300))["batch_id"]
    wait_until(lambda: done_items(db, batch_id) >= 20, timeout_s=20, what="the bulk to be running")
    bound = container.settings.boeing.interactive_wait_bound_s
    interval = container.boeing_limiter.interval_s
    waits = []
    for code in ("AN3-12A", "MS20426AD3-5", "NAS1149F0332P"):
        started = time.monotonic()
        response = api.get("/api/v1/extraction/search", params={"query": code}, headers=auth_headers)
        waits.append(time.monotonic() - started)
        assert response.status_code == 200, response.text
        assert response.json()[0]["title"] == code
    assert batch_row(db, batch_id)["status"] == "processing"  # the bulk was really competing
    assert max(waits) < bound
    assert max(waits) < 3 * interval + 1.0  # interactive goes first: about one interval at most
    api.delete(f"/api/v1/batches/{batch_id}", headers=auth_headers)
    assert boeing_emulator.stats()["throttled_429"] == 0


def test_the_cli_starts_an_extraction_and_follows_it_to_the_outcome(
    extraction_env: dict[str, str], boeing_emulator: BoeingEmulator, container: Container, workers: Workers,
    sweeper_beat: BeatProcess, operator_token: str, tmp_path: Path,
) -> None:  # fmt: skip
    parts = [*boeing_emulator.sample("normal", 25), "NOTFOUND-CLI"]
    listing = tmp_path / "parts.txt"
    listing.write_text("\n".join(parts[5:]) + "\n", encoding="utf-8")
    workers.start("boeing", "default")
    sock = bind_loopback()
    with serve_app(create_app(container.settings, container), sock) as url:
        result = CliRunner().invoke(
            cli,
            ["extract", *parts[:5], "--file", str(listing), "--poll-s", "0.2"],
            env={"BOEING_HUB_API_URL": url, "BOEING_HUB_TOKEN": operator_token},
        )
    assert result.exit_code == 0, result.output
    assert "26 part number(s)" in result.output
    assert "normalize/completed" in result.output
    assert "NOTFOUND-CLI: not found at Boeing" in result.output
    assert "1 failure(s)" in result.output
