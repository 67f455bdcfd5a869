"""Celery: queues, routes, beat schedule (``celery_config``), the worker entry (``worker``) and thin tasks."""
