"""Shared fixtures: real PostgreSQL and Redis (the CI servers when TEST_DATABASE_URL / TEST_REDIS_URL are set,
embedded ones otherwise), a migrated database of the suite's own, settings, the container and the ASGI app."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
import redis as redis_lib
from fastapi.testclient import TestClient

from app.celery_app.celery_config import build_celery
from app.celery_app.wiring import celery_container
from app.clients.cognito_client import mint_access_token
from app.container import Container
from app.core.config import Settings
from app.db.migrations import apply_migrations
from app.local.embedded import start_postgres, start_redis
from app.local.identity import LocalIdentityServer, LocalPool, ensure_pool
from app.main import create_app
from tests.support.instants import TEST_INSTANT, UNUSUAL_INSTANTS
from tests.support.processes import Workers
from tests.support.settings import settings_from_env

TABLES_TO_KEEP = {"schema_migrations"}
OPERATOR_PASSWORD = "Operator-Passw0rd!"


@pytest.fixture(scope="session")
def _database_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An admin URL to a PostgreSQL server: CI's, or an embedded one in a temporary directory."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    server = start_postgres(tmp_path_factory.mktemp("pg"), database="postgres")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def database_url(_database_server: str) -> Iterator[str]:
    """A database of this test session, created, migrated, and dropped at the end."""
    name = f"boeing_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_database_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(_database_server, name)
    apply_migrations(url)
    yield url
    with psycopg.connect(_database_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_database(url: str, name: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo("", **{k: v for k, v in info.items() if v is not None})


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis db index of this suite: CI's server (db ``TEST_REDIS_DB``, default 13), or an embedded one."""
    configured = os.environ.get("TEST_REDIS_URL")
    if configured:
        base = configured.rstrip("/")
        if base.rsplit("/", 1)[-1].isdigit():
            base = base.rsplit("/", 1)[0]
        yield f"{base}/{os.environ.get('TEST_REDIS_DB', '13')}"
        return
    server = start_redis(tmp_path_factory.mktemp("redis"), persist=False)
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def base_env(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment every process of the suite runs with (the API in-process, workers as subprocesses)."""
    objects = tmp_path_factory.mktemp("objects")
    return {
        "APP_ENV": "local",
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STORAGE_URL": f"file://{objects}",
        "MEDIA_PUBLIC_BASE_URL": "http://127.0.0.1:8000/media",
        "CELERY_VISIBILITY_TIMEOUT_S": "30",
        "WORKER_HEARTBEAT_INTERVAL_S": "1",
        "CORS_ORIGINS": "http://dashboard.test",
        "SYNC_ENABLED": "true",
    }


@pytest.fixture
def env(base_env: dict[str, str]) -> dict[str, str]:
    """A per-test copy of the environment; tests may add to it before building settings."""
    return dict(base_env)


@pytest.fixture
def db(database_url: str) -> Iterator[str]:
    """The migrated test database, emptied before the test."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            if row[0] not in TABLES_TO_KEEP
        ]
        if tables:
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    yield database_url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis_lib.Redis[str]]:
    """The suite's Redis db, flushed before the test."""
    client = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def settings(authed_env: dict[str, str], db: str, redis_client: redis_lib.Redis[str]) -> Settings:
    return settings_from_env(authed_env)


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    """Wired as the API's lifespan wires it: task messages go to the suite's broker through a Celery app."""
    celery = build_celery(settings)
    built = celery_container(settings, celery)
    yield built
    built.close()
    celery.close()


@pytest.fixture
def api(container: Container) -> Iterator[TestClient]:
    """The ASGI app on the test container, through its lifespan."""
    with TestClient(create_app(container.settings, container), raise_server_exceptions=False) as client:
        yield client


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A ``time_sensitive`` test runs at the suite's fixed instant and again at each unusual one."""
    if "instant" in metafunc.fixturenames and metafunc.definition.get_closest_marker("time_sensitive"):
        instants = {"fixed": TEST_INSTANT, **UNUSUAL_INSTANTS}
        metafunc.parametrize("instant", list(instants.values()), ids=list(instants), indirect=True)


@pytest.fixture
def instant(request: pytest.FixtureRequest) -> datetime:
    """The instant a test's emulators show when it starts: the suite's fixed one, or a parametrized one."""
    return getattr(request, "param", TEST_INSTANT)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(Path(str(item.fspath))):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def cognito_pool() -> Iterator[LocalPool]:
    """moto's Cognito on a free loopback port, with the seeded operator."""
    server = LocalIdentityServer(port=0)
    endpoint = server.start()
    yield ensure_pool(endpoint, operator_password=OPERATOR_PASSWORD)
    server.stop()


@pytest.fixture(scope="session")
def cognito_env(cognito_pool: LocalPool) -> dict[str, str]:
    return {
        "COGNITO_ENDPOINT_URL": cognito_pool.endpoint_url,
        "COGNITO_JWKS_URL": cognito_pool.jwks_url,
        "COGNITO_ISSUER": cognito_pool.issuer,
        "COGNITO_CLIENT_IDS": cognito_pool.client_id,
        "COGNITO_USER_POOL_ID": cognito_pool.pool_id,
        "COGNITO_REGION": cognito_pool.region,
    }


@pytest.fixture
def authed_env(env: dict[str, str], cognito_env: dict[str, str]) -> dict[str, str]:
    env.update(cognito_env)
    return env


@pytest.fixture
def operator_token(cognito_pool: LocalPool) -> str:
    """A fresh access token of the local operator."""
    return mint_access_token(
        cognito_pool.endpoint_url, cognito_pool.app_client, cognito_pool.operator_username, OPERATOR_PASSWORD
    )


@pytest.fixture
def auth_headers(operator_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {operator_token}"}


@pytest.fixture
def workers(
    authed_env: dict[str, str], redis_url: str, db: str, redis_client: redis_lib.Redis[str], tmp_path: Path
) -> Iterator[Workers]:
    """Start worker groups with ``workers.start("boeing", ...)``; all are stopped after the test."""
    from tests.support.settings import clean_environ

    running = Workers(env={**clean_environ(), **authed_env}, redis_url=redis_url, log_dir=tmp_path)
    yield running
    running.stop()
