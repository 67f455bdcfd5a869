"""Dispatch, retry dispatch, end-of-day cleanup, reactivation and immediate sync against real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
import redis as redis_lib

from app.container import Container, build_container
from app.core.config import Settings
from app.core.exceptions import ConflictError, NotFoundError
from app.db.outbox_store import OutboxMessage
from app.services.sync_dispatch_service import claim_lease_s, dispatch_budget
from tests.support.settings import settings_from_env
from tests.support.sync_factories import Published, insert_published


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, list[Any]]] = []

    def __call__(self, message: OutboxMessage) -> None:
        self.sent.append((message.task_name, message.args))


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def make_container(
    authed_env: dict[str, str], db: str, redis_client: redis_lib.Redis[str], sender: RecordingSender
) -> Iterator[Callable[..., Container]]:
    built: list[Container] = []

    def make(**env: str) -> Container:
        settings = settings_from_env({**authed_env, **env})
        container = build_container(settings, overrides={"task_sender": sender})
        built.append(container)
        return container

    yield make
    for container in built:
        container.close()


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db, autocommit=True) as connection:
        yield connection


def _env(**values: str) -> Settings:
    return settings_from_env(
        {"APP_ENV": "local", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x", **values}
    )


def test_budget_is_what_the_sync_share_can_serve_before_the_next_dispatch() -> None:
    # 2 calls/min at share 0.5 over 60 s: one call of 10 SKUs.
    assert dispatch_budget(_env()) == 10
    # 60 calls/min at share 0.5 over 60 s: 30 calls of 10.
    assert dispatch_budget(_env(BOEING_QUOTA_REQUESTS="60")) == 300
    # Less than one call per interval still sends one full call (the limiter paces it).
    assert dispatch_budget(_env(SYNC_DISPATCH_INTERVAL_S="5")) == 10
    # Partial calls round up: 2.5 calls → 3 calls of 4 SKUs.
    assert dispatch_budget(_env(BOEING_QUOTA_REQUESTS="5", BOEING_BATCH_SIZE="4")) == 12
    assert dispatch_budget(_env(BOEING_SYNC_SHARE="0")) == 0
    assert claim_lease_s(_env(SYNC_DISPATCH_INTERVAL_S="10", SYNC_LEASE_S="20")) == 2 * 30 + 20


def test_dispatch_claims_the_budget_in_boeing_sized_groups_through_the_outbox(
    make_container: Callable[..., Container],
    conn: psycopg.Connection,
    sender: RecordingSender,
) -> None:
    ids = insert_published(conn, [Published(f"P-{i:02d}") for i in range(45)])
    container = make_container(BOEING_QUOTA_REQUESTS="8", BOEING_SYNC_SHARE="0.5", BOEING_BATCH_SIZE="10")
    report = container.sync_dispatch_service.dispatch_hourly()
    assert (report.budget, report.claimed, report.tasks) == (40, 40, 4)
    assert [name for name, _ in sender.sent] == ["tasks.sync_boeing.process_boeing_batch"] * 4
    groups = [args[0] for _, args in sender.sent]
    assert [len(group) for group in groups] == [10, 10, 10, 10]
    assert len({row for group in groups for row in group}) == 40
    # The next dispatch sees 40 rows in flight and has no budget left; the remaining 5 stay due.
    again = container.sync_dispatch_service.dispatch_hourly()
    assert again.claimed == 0
    done = "UPDATE product_sync_schedule SET lease_until = NULL, sync_status = 'success',"
    done += " next_sync_at = now() + interval '1 hour' WHERE id = ANY(%s::uuid[])"
    # Half a group done still leaves its call pending: no partial call is claimed.
    conn.execute(done, (groups[0][:5],))
    assert container.sync_dispatch_service.dispatch_hourly().claimed == 0
    conn.execute(done, (groups[0][5:],))
    third = container.sync_dispatch_service.dispatch_hourly()
    assert (third.claimed, third.tasks) == (5, 1)
    assert set(sender.sent[-1][1][0]) == set(ids) - {row for group in groups for row in group}


def test_retry_dispatch_takes_failed_rows_past_their_backoff(
    make_container: Callable[..., Container],
    conn: psycopg.Connection,
    sender: RecordingSender,
) -> None:
    insert_published(conn, [Published("OK")], sync_status="success")
    failed = insert_published(conn, [Published("FAILED")], sync_status="failed", consecutive_failures=1)
    insert_published(
        conn,
        [Published("BACKING-OFF")],
        sync_status="failed",
        next_sync_at="now() + interval '5 minutes'",
        consecutive_failures=2,
    )
    container = make_container()
    report = container.sync_dispatch_service.dispatch_retry()
    assert report.claimed == 1
    assert sender.sent == [("tasks.sync_boeing.process_boeing_batch", [failed])]


def test_disabled_sync_dispatches_nothing(
    make_container: Callable[..., Container], conn: psycopg.Connection, sender: RecordingSender
) -> None:
    insert_published(conn, [Published("P-1")])
    container = make_container(SYNC_ENABLED="false")
    assert container.sync_dispatch_service.dispatch_hourly().skipped == "sync is disabled"
    assert container.sync_dispatch_service.dispatch_retry().claimed == 0
    assert sender.sent == []
    with pytest.raises(ConflictError) as info:
        container.sync_dispatch_service.trigger("P-1")
    assert info.value.code == "sync_disabled"


def test_end_of_day_cleanup_writes_the_summary_and_prunes_old_history(
    make_container: Callable[..., Container],
    conn: psycopg.Connection,
) -> None:
    insert_published(conn, [Published("S-1"), Published("S-2")], last_sync_at=datetime.now(UTC))
    insert_published(conn, [Published("S-3")], last_sync_at=datetime.now(UTC) - timedelta(days=2))
    insert_published(conn, [Published("S-4")], is_active=False)
    conn.execute(
        "INSERT INTO sync_history (sku, kind, created_at) VALUES ('S-1', 'change', now()),"
        " ('S-2', 'failure', now()), ('S-1', 'change', now() - interval '100 days')"
    )
    container = make_container(SYNC_HISTORY_RETENTION_DAYS="90")
    report = container.sync_dispatch_service.end_of_day_cleanup()
    summary = report.summary
    assert (summary.total_products, summary.synced, summary.changed, summary.failed) == (3, 2, 1, 1)
    assert report.pruned_history == 1
    stored = conn.execute("SELECT total_products, synced, changed, failed FROM sync_daily_summary").fetchall()
    assert stored == [(3, 2, 1, 1)]
    container.sync_dispatch_service.end_of_day_cleanup()
    assert conn.execute("SELECT count(*) FROM sync_daily_summary").fetchone() == (1,), (
        "rerun rewrites the day"
    )


def test_trigger_and_reactivate_answer_the_contract_errors(
    make_container: Callable[..., Container],
    conn: psycopg.Connection,
    sender: RecordingSender,
) -> None:
    insert_published(conn, [Published("LIVE")], next_sync_at="now() + interval '1 hour'")
    insert_published(conn, [Published("DEAD")], is_active=False, consecutive_failures=5, sync_status="failed")
    service = make_container().sync_dispatch_service
    for call in (service.trigger, service.reactivate):
        with pytest.raises(NotFoundError) as missing:
            call("NOPE")
        assert missing.value.code == "sync_product_not_found"
    with pytest.raises(ConflictError) as active:
        service.reactivate("LIVE")
    assert active.value.code == "sync_product_already_active"
    with pytest.raises(ConflictError) as inactive:
        service.trigger("DEAD")
    assert inactive.value.code == "sync_product_inactive"

    report = service.trigger("live")
    assert report.sku == "LIVE"
    assert sender.sent == [("tasks.sync_shopify.sync_single_product_immediate", [report.schedule_id])]
    with pytest.raises(ConflictError) as busy:
        service.trigger("LIVE")
    assert busy.value.code == "sync_in_progress"

    revived = service.reactivate("DEAD")
    assert (revived.is_active, revived.sync_status, revived.consecutive_failures) == (True, "pending", 0)
    assert revived.next_sync_at <= datetime.now(UTC) + timedelta(seconds=1), "due at the next dispatch"


def test_a_change_whose_shopify_write_stalled_is_requeued_without_asking_boeing_again(
    make_container: Callable[..., Container],
    conn: psycopg.Connection,
    sender: RecordingSender,
) -> None:
    stalled, writing = insert_published(
        conn, [Published("STALLED"), Published("WRITING")], sync_status="syncing"
    )
    conn.execute(
        "UPDATE product_sync_schedule SET pending_target = '{}'::jsonb,"
        " lease_until = CASE WHEN sku = 'STALLED' THEN now() - interval '1 second'"
        "                    ELSE now() + interval '1 minute' END"
    )
    report = make_container().sync_dispatch_service.dispatch_hourly()
    assert report.claimed == 0, "a row with a pending write is never sent to Boeing again"
    assert sender.sent == [("tasks.sync_shopify.update_shopify_product", [stalled])]
    lease = conn.execute("SELECT lease_until > now() FROM product_sync_schedule WHERE id = %s", (stalled,))
    assert lease.fetchone() == (True,)
    make_container().sync_dispatch_service.dispatch_hourly()
    assert len(sender.sent) == 1, "re-leased: queued once"
    assert writing not in {args[0] for _, args in sender.sent}
