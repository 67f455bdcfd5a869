"""Schemathesis over ``/openapi.json``: every operation, valid and schema-violating requests, every check on.

The property: no answer is a 5xx, and every answer agrees with the document (status declared, body and
headers as declared, valid data accepted, invalid data refused, ``Allow`` right on a 405). The app is the one
the suite builds on its test container, with the Boeing and Shopify emulators behind it, the workers'
heartbeats fresh (so ``/health`` is healthy) and a few rows of every kind stored, so lists answer real items.
Logout is left out: it revokes the token every other request carries.

Each operation is one test (bounded examples, derandomized, so a run is the same on every machine). The
document is read once at import from an app built on placeholder settings (routes and models do not depend on
them; ``test_the_fuzzed_document_is_the_one_the_app_serves`` checks that), and requests go through
``UNDER_TEST``, which each test points at its own app.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from starlette.types import ASGIApp, Receive, Scope, Send

from app.container import Container
from app.core.constants.batches import BatchStatus, BatchType, ItemStatus
from app.main import create_app
from app.utils.heartbeats import WorkerHeartbeats
from tests.support import extraction as boeing
from tests.support.batch_factories import insert_batch, insert_items
from tests.support.processes import Emulator, start_emulator
from tests.support.publishing_factories import catalogue, normalized_batch, stage
from tests.support.settings import settings_from_env
from tests.support.sync_factories import Published, insert_published

boeing_thread = boeing.boeing_thread
boeing_control = boeing.boeing_control
boeing_env = boeing.boeing_env

EXAMPLES_PER_OPERATION = 20
QUEUES = ["extraction", "normalization", "publishing", "sync_boeing", "sync_shopify", "default"]


class AppUnderTest:
    """The ASGI app schemathesis calls: it forwards to the app of the running test.

    Its own lifespan is empty: the test's ``TestClient`` has run the real app's lifespan already.
    """

    def __init__(self, document_app: ASGIApp) -> None:
        self.document_app = document_app
        self.target = document_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        await self.target(scope, receive, send)


def _document_app() -> ASGIApp:
    placeholders = {
        "APP_ENV": "local",
        "LOG_FORMAT": "text",
        "DATABASE_URL": "postgresql://127.0.0.1/unused",
        "REDIS_URL": "redis://127.0.0.1/0",
    }
    return create_app(settings_from_env(placeholders))


UNDER_TEST = AppUnderTest(_document_app())
schema = schemathesis.openapi.from_asgi("/openapi.json", UNDER_TEST).exclude(path_regex=r"/auth/logout$")
schema.config.update(base_url="http://testserver")
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
    # http-api §1.1: unknown query parameters and body fields are ignored; an extra one is not invalid data.
    allow_extra_parameters=False,
    # Every request carries the running test's token (sent with the call: the examples are drawn before a
    # test's fixtures exist); negative cases mutate the inputs, not the credentials, since a missing token
    # answers 401 before any input is read. The ignored_auth check still probes each operation without it.
    with_security_parameters=False,
)


@pytest.fixture(scope="module")
def shopify_emulator() -> Iterator[Emulator]:
    running = start_emulator("shopify", [])
    yield running
    running.stop()


@pytest.fixture
def upstreams(boeing_env: dict[str, str], shopify_emulator: Emulator) -> dict[str, str]:
    httpx.post(f"{shopify_emulator.url}/_emulator/reset", json={}).raise_for_status()
    boeing_env["SHOPIFY_GRAPHQL_URL"] = f"{shopify_emulator.url}/admin/api/2026-04/graphql.json"
    return boeing_env


def seed(container: Container, database_url: str) -> None:
    """Rows of every kind the API lists: staged SKUs, a normalized batch with a failure, an extraction in
    progress, a published product with its sync row."""
    records = catalogue(6)
    stage(container, records)
    normalized_batch(container, {records[0].sku: [records[0].sku], "NOT-AT-BOEING": []})
    with psycopg.connect(database_url, autocommit=True) as conn:
        running = insert_batch(
            conn, batch_type=BatchType.EXTRACT, status=BatchStatus.PROCESSING, total_items=2
        )
        insert_items(conn, running, ["AN3-12A", "MS20470AD4-6"], status=ItemStatus.QUEUED)
        insert_published(conn, [Published(records[1].sku)])


@pytest.fixture
def app_under_test(
    upstreams: dict[str, str], api: TestClient, container: Container, db: str
) -> Iterator[AppUnderTest]:
    seed(container, db)
    WorkerHeartbeats(container.redis).beat("fuzz-worker", QUEUES)
    UNDER_TEST.target = api.app
    yield UNDER_TEST
    UNDER_TEST.target = UNDER_TEST.document_app


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_agrees_with_the_document_and_none_is_a_5xx(
    case: schemathesis.Case[Any],
    app_under_test: AppUnderTest,
    auth_headers: dict[str, str],
) -> None:
    case.call_and_validate(headers=auth_headers)


def test_the_fuzzed_document_is_the_one_the_app_serves(api: TestClient) -> None:
    served = api.get("/openapi.json").json()
    assert json.dumps(served, sort_keys=True) == json.dumps(schema.raw_schema, sort_keys=True)
