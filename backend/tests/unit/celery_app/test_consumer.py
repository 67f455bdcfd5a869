"""The workers' consumer survives a broken connection that cannot be closed cleanly (a broker restart)."""

from __future__ import annotations

import logging

import pytest
from celery.worker.consumer import Consumer

from app.celery_app.celery_config import build_celery
from app.celery_app.consumer import BrokerConsumer
from tests.support.settings import settings_from_env


def _consumer() -> BrokerConsumer:
    return BrokerConsumer.__new__(BrokerConsumer)  # the method under test reads nothing else


def test_the_workers_use_it(env: dict[str, str]) -> None:
    app = build_celery(settings_from_env(env))
    assert app.conf.worker_consumer == "app.celery_app.consumer:BrokerConsumer"


def test_a_close_failing_inside_kombu_is_logged_and_the_consumer_reconnects(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def close_through_a_dropped_transport(self: Consumer, exc: Exception) -> None:
        raise AttributeError("'NoneType' object has no attribute 'hostname'")

    monkeypatch.setattr(Consumer, "on_connection_error_after_connected", close_through_a_dropped_transport)
    with caplog.at_level(logging.WARNING, logger="app.celery_app.consumer"):
        _consumer().on_connection_error_after_connected(ConnectionError("Connection closed by server."))
    assert "could not be closed cleanly" in caplog.text


def test_other_failures_still_propagate(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(self: Consumer, exc: Exception) -> None:
        raise RuntimeError("not a cleanup failure")

    monkeypatch.setattr(Consumer, "on_connection_error_after_connected", fails)
    with pytest.raises(RuntimeError):
        _consumer().on_connection_error_after_connected(ConnectionError("lost"))
