"""The composition root: lazy, typed components; overrides checked against what it declares; the entrypoint's
task sender and beat entries."""

from __future__ import annotations

import pytest

from app.celery_app.celery_config import build_celery
from app.celery_app.sender import CeleryTaskSender
from app.celery_app.wiring import beat_entries, celery_container
from app.container import build_container
from app.core.config import Settings
from app.db.outbox_store import OutboxMessage
from app.db.unit_of_work import UnitOfWork
from tests.support.settings import settings_from_env


def _settings() -> Settings:
    return settings_from_env(
        {"APP_ENV": "local", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x"}
    )


class _Sender:
    def __call__(self, message: OutboxMessage) -> None:
        raise AssertionError("nothing is sent while wiring")


def test_an_unknown_override_name_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="publishing_servcie"):
        build_container(_settings(), overrides={"publishing_servcie": object()})


def _no_database() -> UnitOfWork:
    raise AssertionError("nothing opens a unit of work while wiring")


def test_an_override_replaces_the_component_the_services_are_built_with() -> None:
    sender = _Sender()
    container = build_container(_settings(), overrides={"task_sender": sender, "uow_factory": _no_database})
    assert container.task_sender is sender
    assert container.outbox_relay._sender is sender
    assert container.extraction_service is container.extraction_service, "each component is built once"


def test_nothing_connects_until_a_component_is_used() -> None:
    container = build_container(_settings(), task_sender=_Sender())
    assert "db_pool" not in vars(container) and "redis" not in vars(container)
    container.close()


def test_a_container_without_a_task_sender_refuses_to_send() -> None:
    with pytest.raises(RuntimeError, match="without a task sender"):
        _ = build_container(_settings()).task_sender


def test_the_entrypoint_hands_over_its_celery_sender_and_the_beat_schedule() -> None:
    settings = _settings()
    celery = build_celery(settings)
    try:
        container = celery_container(settings, celery)
        assert isinstance(container.task_sender, CeleryTaskSender)
        assert container.task_sender._celery is celery, "the process's one Celery app sends its tasks"
        names = {entry.name for entry in beat_entries(settings)}
        assert {"relay-outbox", "sweep-batches", "dispatch-hourly-sync"} <= names
    finally:
        celery.close()
