"""The workers' broker consumer: it reconnects when closing a lost broker connection fails.

On a lost broker connection Celery first collects the connection (which drops its transport) and then closes
it. Closing gives the channel's unacknowledged messages back through that transport, which is gone by then:
kombu raises ``AttributeError``, which is not a connection error, so the worker stopped for good
("Unrecoverable error") and took its in-flight tasks with it. Here that failure ends the cleanup instead, and
the consumer reconnects as after any other connection loss. The messages it could not give back stay in
Redis's unacknowledged set and are delivered again after the visibility timeout; what Redis itself lost, the
sweepers send again.

An acknowledgement of a task that finished after the loss can still fail the same way inside kombu's event
loop, which this class does not see; the worker then stops with a failure and its supervisor starts it again
(``Restart=on-failure`` in ``deploy/systemd/boeing-celery@.service``).
"""

from __future__ import annotations

import logging

from celery.worker.consumer import Consumer

logger = logging.getLogger(__name__)

__all__ = ["BrokerConsumer"]


class BrokerConsumer(Consumer):
    def on_connection_error_after_connected(self, exc: Exception) -> None:
        """Drop the broken connection and let the consumer reconnect, even when closing it fails."""
        try:
            super().on_connection_error_after_connected(exc)
        except AttributeError:
            logger.warning(
                "the lost broker connection could not be closed cleanly (%r); reconnecting",
                exc,
                exc_info=True,
            )
