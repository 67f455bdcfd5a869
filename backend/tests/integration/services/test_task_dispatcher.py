"""The transactional outbox: a rollback sends nothing; a commit is sent at least once, even across a crash."""

from __future__ import annotations

import psycopg
import pytest

from app.container import Container
from app.db.outbox_store import OutboxMessage, OutboxStore
from app.services.task_dispatcher import OutboxRelay, OutboxTaskDispatcher


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[OutboxMessage] = []

    def __call__(self, message: OutboxMessage) -> None:
        self.sent.append(message)


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def relay(container: Container, sender: RecordingSender) -> OutboxRelay:
    return OutboxRelay(container.uow_factory, sender, sweep_age_s=0.0)


def _count(db: str, table: str) -> int:
    with psycopg.connect(db) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        return int(row[0])


def test_rollback_undoes_both_stores_and_sends_nothing(
    container: Container, relay: OutboxRelay, sender: RecordingSender, db: str
) -> None:
    dispatcher = OutboxTaskDispatcher(relay)
    with pytest.raises(RuntimeError), container.uow_factory() as uow:
        uow.users.record_seen(sub="s-1", username="op", email=None, groups=[])
        dispatcher.enqueue(uow, "tasks.batch.check_batch_completion", "batch-1")
        raise RuntimeError("the service failed after both writes")
    assert _count(db, "users") == 0
    assert _count(db, "task_outbox") == 0
    assert relay.sweep() == 0
    assert sender.sent == []


def test_commit_sends_each_message_once_with_its_arguments(
    container: Container, relay: OutboxRelay, sender: RecordingSender, db: str
) -> None:
    dispatcher = OutboxTaskDispatcher(relay)
    with container.uow_factory() as uow:
        uow.users.record_seen(sub="s-1", username="op", email=None, groups=["admin"])
        dispatcher.enqueue(uow, "tasks.extraction.extract_chunk", "b-1", [1, 2, 3])
        dispatcher.enqueue(uow, "tasks.batch.check_batch_completion", "b-1", countdown=5)
        assert sender.sent == [], "nothing may leave before the commit"
    assert [(m.task_name, m.args, m.options) for m in sender.sent] == [
        ("tasks.extraction.extract_chunk", ["b-1", [1, 2, 3]], {}),
        ("tasks.batch.check_batch_completion", ["b-1"], {"countdown": 5.0}),
    ]
    assert _count(db, "users") == 1
    assert relay.sweep() == 0, "sent messages are marked and never swept again"


def test_a_crash_between_send_and_mark_resends_it(
    container: Container, sender: RecordingSender, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    relay = OutboxRelay(container.uow_factory, sender, sweep_age_s=0.0, claim_s=0.0)
    dispatcher = OutboxTaskDispatcher(relay)

    def crash(*_: object) -> int:
        raise ConnectionError("process died before marking")

    monkeypatch.setattr(OutboxStore, "mark_sent", crash)
    with container.uow_factory() as uow:
        dispatcher.enqueue(uow, "tasks.batch.sweep")
    assert len(sender.sent) == 1
    monkeypatch.undo()
    assert relay.sweep() == 1
    assert [m.task_name for m in sender.sent] == ["tasks.batch.sweep", "tasks.batch.sweep"]
    assert relay.sweep() == 0


def test_a_failed_send_after_commit_is_swept_later(container: Container, db: str) -> None:
    attempts: list[str] = []

    def broker_down(message: OutboxMessage) -> None:
        attempts.append(message.task_name)
        raise ConnectionError("broker unreachable")

    failing = OutboxRelay(container.uow_factory, broker_down, sweep_age_s=0.0, claim_s=0.0)
    with container.uow_factory() as uow:
        OutboxTaskDispatcher(failing).enqueue(uow, "tasks.batch.sweep")
    assert attempts == ["tasks.batch.sweep"]
    assert _count(db, "task_outbox") == 1
    recovered = RecordingSender()
    assert OutboxRelay(container.uow_factory, recovered, sweep_age_s=0.0).sweep() == 1
    assert [m.task_name for m in recovered.sent] == ["tasks.batch.sweep"]
