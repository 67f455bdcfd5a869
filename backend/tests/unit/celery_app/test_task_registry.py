"""Every ``Task`` member is registered by the workers and routed to its queue; no task exists outside it."""

from __future__ import annotations

import pytest
from celery import Celery

from app.celery_app.celery_config import build_celery, task_modules
from app.core.constants.tasks import Task, TaskQueue
from tests.support.settings import settings_from_env

CELERY_BUILTIN_PREFIX = "celery."


def _worker_app(env: dict[str, str]) -> Celery:
    """The app as ``celery -A app.celery_app.worker worker`` builds it, with its task modules imported."""
    app = build_celery(settings_from_env(env), include_tasks=True)
    app.loader.import_default_modules()
    return app


def _ours(app: Celery) -> set[str]:
    return {name for name in app.tasks if not name.startswith(CELERY_BUILTIN_PREFIX)}


def _missing(app: Celery) -> set[str]:
    """``Task`` members no task module registers."""
    return {task.value for task in Task} - _ours(app)


def _unnamed(app: Celery) -> set[str]:
    """Registered tasks whose name is not a ``Task`` member."""
    return _ours(app) - {task.value for task in Task}


def _queue_of(app: Celery, name: str) -> str:
    return str(app.amqp.router.route({}, name)["queue"].name)


@pytest.fixture
def worker_app(env: dict[str, str]) -> Celery:
    return _worker_app(env)


def test_the_workers_import_every_task_module(worker_app: Celery) -> None:
    assert task_modules(), "the modules are found in the package, not listed by hand"
    assert set(worker_app.conf.include) == set(task_modules())


def test_every_task_is_registered_and_every_registered_task_is_a_member(worker_app: Celery) -> None:
    assert _missing(worker_app) == set()
    assert _unnamed(worker_app) == set()
    assert len(_ours(worker_app)) == len(Task)


def test_every_task_is_routed_to_its_queue(worker_app: Celery) -> None:
    for task in Task:
        assert _queue_of(worker_app, task) == task.queue.value, task.name
        assert _queue_of(worker_app, task.value) == task.queue.value, (
            "a name read from the outbox routes alike"
        )


def test_every_queue_has_tasks_and_is_declared(worker_app: Celery) -> None:
    declared = {queue.name for queue in worker_app.conf.task_queues}
    assert declared == {queue.value for queue in TaskQueue}
    assert {task.queue for task in Task} == set(TaskQueue)


def test_a_task_outside_the_enum_is_reported(worker_app: Celery) -> None:
    @worker_app.task(name="tasks.probe.not_a_member", shared=False)
    def not_a_member() -> None:
        """A task registered under a name the enum does not hold."""

    assert _unnamed(worker_app) == {"tasks.probe.not_a_member"}


def test_a_member_without_a_task_is_reported(worker_app: Celery) -> None:
    worker_app.tasks.unregister(Task.SWEEP.value)
    assert _missing(worker_app) == {Task.SWEEP.value}
