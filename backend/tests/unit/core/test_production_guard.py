"""Production refuses local services however they are spelled, and every emulator credential (DESIGN §4).

Host names are answered by a table resolver (``tests.support.settings.table_resolver``): the names under
``.test`` belong to these tests, so no test asks the real DNS."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from unittest import mock

import pytest

from app.core.config import ConfigError, Settings, load_settings
from app.core.production_guard import (
    EMULATOR_SHOP_DOMAINS,
    LOCAL_BOEING_CREDENTIALS,
    LOCAL_SHOPIFY_TOKEN,
    resolve_all,
)
from emulators.boeing.config import EmulatorConfig as BoeingEmulatorConfig
from emulators.shopify.config import DEFAULT_TOKEN
from emulators.shopify.config import EmulatorConfig as ShopifyEmulatorConfig
from tests.support.settings import PRODUCTION_ENV, TEST_DNS, clean_environ, settings_from_env, table_resolver

DNS: dict[str, tuple[str, ...]] = {
    **TEST_DNS,
    "db.internal.test": ("127.0.0.1",),
    "mixed.internal.test": ("203.0.113.5", "::1"),
    "mapped.internal.test": ("::ffff:127.0.0.1",),
    "metadata.internal.test": ("169.254.169.254",),
    "any.internal.test": ("0.0.0.0",),
    "db.remote.test": ("203.0.113.20",),
    "api.remote.test": ("2001:db8::20",),
}


def refusal(env: dict[str, str], dns: dict[str, tuple[str, ...]] = DNS) -> str:
    """The start-up refusal of ``PRODUCTION_ENV`` changed by ``env``."""
    with pytest.raises(ConfigError) as error:
        settings_from_env({**PRODUCTION_ENV, **env}, table_resolver(dns))
    return str(error.value)


def loads(env: dict[str, str], dns: dict[str, tuple[str, ...]] = DNS) -> Settings:
    return settings_from_env({**PRODUCTION_ENV, **env}, table_resolver(dns))


LOCAL_SETTINGS = [
    # DATABASE_URL: URIs, key/value conninfo, sockets, query hosts, multiple hosts, libpq's default
    ("DATABASE_URL", "postgresql://app:pw@127.1:5432/postgres"),
    ("DATABASE_URL", "postgresql://app@2130706433/postgres"),
    ("DATABASE_URL", "postgresql://app@0x7f000001/postgres"),
    ("DATABASE_URL", "postgresql://app@0177.0.0.1/postgres"),
    ("DATABASE_URL", "postgresql://app@[::ffff:127.0.0.1]:5432/postgres"),
    ("DATABASE_URL", "postgresql://app@[::1]/postgres"),
    ("DATABASE_URL", "postgresql://app@localhost./postgres"),
    ("DATABASE_URL", "postgresql://app@db.localhost/postgres"),
    ("DATABASE_URL", "postgresql://app@%31%32%37.0.0.1/postgres"),
    ("DATABASE_URL", "postgres:///postgres?host=/socket"),
    ("DATABASE_URL", "postgresql://app@db.example.supabase.co/postgres?host=/run/postgresql"),
    ("DATABASE_URL", "postgresql://app@db.example.supabase.co/postgres?hostaddr=127.0.0.1"),
    ("DATABASE_URL", "postgresql://app@db.example.supabase.co,localhost/postgres"),
    ("DATABASE_URL", "postgresql:///postgres"),
    ("DATABASE_URL", "host=127.0.0.1 dbname=x"),
    ("DATABASE_URL", "host=/var/run/postgresql dbname=x user=app"),
    ("DATABASE_URL", "dbname=x user=app"),
    ("DATABASE_URL", "host=db.example.supabase.co hostaddr=0.0.0.0 dbname=x"),
    # REDIS_URL
    ("REDIS_URL", "redis://localhost:6379/0"),
    ("REDIS_URL", "redis://0x7f000001:6379/0"),
    ("REDIS_URL", "rediss://[::ffff:127.0.0.1]:6380/0"),
    ("REDIS_URL", "redis://LOCALHOST./0"),
    ("REDIS_URL", "redis://"),
    ("REDIS_URL", "redis://:pw@/0?host=127.1"),
    ("REDIS_URL", "unix:///run/redis/redis.sock?db=0"),
    # identity, Boeing, Shopify, storage
    ("COGNITO_JWKS_URL", "http://127.1:5000/us-east-1_x/.well-known/jwks.json"),
    ("COGNITO_JWKS_URL", "http://[::ffff:7f00:1]:5000/us-east-1_x/.well-known/jwks.json"),
    ("COGNITO_ISSUER", "http://localhost.:5000/us-east-1_x"),
    ("COGNITO_ENDPOINT_URL", "http://2130706433:5000"),
    ("BOEING_BASE_URL", "http://0177.0.0.1:8081"),
    ("BOEING_BASE_URL", "http://boeing.localhost:8081"),
    ("BOEING_OAUTH_TOKEN_URL", "http://[::1]:8081/oauth2/v2.0/token"),
    ("BOEING_PNA_OAUTH_URL", "http://127.0.0.1:8081/token"),
    ("BOEING_PNA_PRICE_URL", "https://169.254.169.254/price"),
    ("SHOPIFY_GRAPHQL_URL", "http://127.0.0.1:8082/admin/api/2026-04/graphql.json"),
    ("SHOPIFY_STORE_DOMAIN", "localhost:8082"),
    ("SHOPIFY_STORE_DOMAIN", "2130706433"),
    ("STORAGE_ENDPOINT_URL", "http://127.0.0.1:9000"),
    ("STORAGE_URL", "http://localhost:9000/images"),
    ("STORAGE_URL", "file:///srv/images"),
    ("STORAGE_URL", "memory:///"),
    ("MEDIA_PUBLIC_BASE_URL", "http://127.0.0.1:8000/media"),
]


@pytest.mark.parametrize(("name", "value"), LOCAL_SETTINGS)
def test_production_refuses_every_spelling_of_a_local_service(name: str, value: str) -> None:
    message = refusal({name: value})
    assert name in message
    assert "this machine" in message or "local" in message


def test_a_changed_boeing_path_is_named_with_the_base_url() -> None:
    message = refusal({"BOEING_PRICE_PATH": "@127.0.0.1/price"})
    assert "BOEING_BASE_URL with BOEING_PRICE_PATH points at this machine" in message


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("DATABASE_URL", "postgresql://app:pw@db.internal.test/postgres", "the loopback address 127.0.0.1"),
        ("DATABASE_URL", "host=db.internal.test dbname=x", "the loopback address 127.0.0.1"),
        ("REDIS_URL", "redis://mixed.internal.test:6379/0", "the loopback address ::1"),
        ("BOEING_BASE_URL", "https://mapped.internal.test", "the loopback address 127.0.0.1"),
        (
            "COGNITO_JWKS_URL",
            "https://metadata.internal.test/jwks.json",
            "the link-local address 169.254.169.254",
        ),
        ("SHOPIFY_STORE_DOMAIN", "any.internal.test", "the unspecified address 0.0.0.0"),
    ],
)
def test_a_name_that_resolves_to_this_machine_is_refused(name: str, value: str, reason: str) -> None:
    assert f"resolves to {reason}" in refusal({name: value})


def test_names_that_resolve_elsewhere_are_accepted() -> None:
    settings = loads(
        {
            "DATABASE_URL": "host=db.remote.test dbname=x",
            "REDIS_URL": "rediss://db.remote.test:6380/0",
            "BOEING_BASE_URL": "https://api.remote.test",
            "SHOPIFY_GRAPHQL_URL": "https://api.remote.test/admin/api/2026-04/graphql.json",
        }
    )
    assert settings.boeing.price_url.startswith("https://api.remote.test/")


def test_a_name_that_does_not_resolve_stops_start_up_when_nothing_else_reaches_the_service() -> None:
    message = refusal({"DATABASE_URL": "postgresql://app@gone.test/postgres"})
    assert "DATABASE_URL reaches no service: gone.test did not resolve" in message


def test_a_name_that_does_not_resolve_is_tolerated_when_another_host_reaches_the_service(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="app.core.production_guard"):
        loads({"DATABASE_URL": "postgresql://app@gone.test,db.remote.test/postgres"})
        loads({"DATABASE_URL": "postgresql://app@gone.test,10.0.0.5/postgres"})
    assert "DATABASE_URL: gone.test did not resolve at start-up" in caplog.text


def test_libpq_never_looks_up_a_host_given_with_its_address() -> None:
    asked: list[str] = []
    resolver = table_resolver(DNS)

    def recording(name: str) -> Sequence[str]:
        asked.append(name)
        return resolver(name)

    env = {**PRODUCTION_ENV, "DATABASE_URL": "host=gone.test hostaddr=10.0.0.5 dbname=x"}
    settings_from_env(env, recording)
    assert "gone.test" not in asked


def test_an_http_setting_behind_a_proxy_needs_no_local_answer() -> None:
    proxied = {"BOEING_BASE_URL": "https://gone.test", "HTTPS_PROXY": "http://proxy.remote.test:3128"}
    assert loads(proxied).boeing.base_url == "https://gone.test"
    assert loads({**proxied, "HTTPS_PROXY": "", "all_proxy": "http://proxy.remote.test:3128"})
    assert "BOEING_BASE_URL reaches no service" in refusal({**proxied, "NO_PROXY": "gone.test"})
    assert "BOEING_BASE_URL reaches no service" in refusal({**proxied, "no_proxy": "example.com, .test:443"})
    assert "BOEING_BASE_URL reaches no service" in refusal({**proxied, "NO_PROXY": "*"})
    assert loads({**proxied, "NO_PROXY": "notgone.test,gone.test.example"})
    assert "BOEING_BASE_URL reaches no service" in refusal({**proxied, "HTTPS_PROXY": "", "HTTP_PROXY": "x"})
    # A proxy never makes a local name acceptable, nor a database reachable.
    assert "points at this machine" in refusal({**proxied, "BOEING_BASE_URL": "https://db.internal.test"})
    assert "DATABASE_URL reaches no service" in refusal({**proxied, "DATABASE_URL": "host=gone.test"})


def test_names_that_are_only_compared_or_shown_are_never_looked_up() -> None:
    settings = loads(
        {
            "COGNITO_ISSUER": "https://cognito-idp.gone.test/us-east-1_abc",
            "MEDIA_PUBLIC_BASE_URL": "https://media.gone.test",
            "SHOPIFY_GRAPHQL_URL": "https://api.remote.test/admin/api/2026-04/graphql.json",
            "SHOPIFY_STORE_DOMAIN": "store.gone.test",
        }
    )
    assert settings.cognito.issuer == "https://cognito-idp.gone.test/us-east-1_abc"
    with_graphql_url = {"SHOPIFY_GRAPHQL_URL": "https://api.remote.test/admin/api/2026-04/graphql.json"}
    message = refusal({**with_graphql_url, "SHOPIFY_STORE_DOMAIN": "shop.localhost"})
    assert "SHOPIFY_STORE_DOMAIN points at this machine" in message


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("DATABASE_URL", "postgresql+psycopg://app:pw@db.example.supabase.co/x", "is not a libpq connection"),
        ("DATABASE_URL", "host=db dbname", "is not a libpq connection"),
        ("DATABASE_URL", "postgresql://app@/x?service=prod", "names a libpq connection service"),
        ("REDIS_URL", "sentinel://cache.example.net:26379", "is not a redis://"),
        ("COGNITO_JWKS_URL", "file:///srv/jwks.json", "is not an http:// or https:// URL"),
        ("BOEING_BASE_URL", "https://", "names no host"),
    ],
)
def test_a_setting_that_cannot_be_read_is_named(name: str, value: str, reason: str) -> None:
    assert f"{name} {reason}" in refusal({name: value})


def test_resolving_waits_for_no_name_beyond_the_deadline() -> None:
    release = threading.Event()

    def hanging(name: str) -> list[str]:
        if name == "slow.test":
            release.wait(5)
        if name == "bad.test":
            raise UnicodeError("label too long")
        return ["203.0.113.1"]

    try:
        answers = resolve_all({"slow.test", "fast.test", "bad.test"}, hanging, deadline_s=0.2)
    finally:
        release.set()
    assert answers == {"bad.test": None, "fast.test": ("203.0.113.1",), "slow.test": None}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOEING_CLIENT_ID", "emu-client"),
        ("BOEING_CLIENT_SECRET", "emu-secret"),
        ("BOEING_CLIENT_SECRET", " emu-secret\n"),
        ("BOEING_USERNAME", "emu-user"),
        ("BOEING_PASSWORD", "emu-pass"),
        ("SHOPIFY_ADMIN_API_TOKEN", "shpat_emulator_dev"),
        ("SHOPIFY_STORE_DOMAIN", "boeing-emulator.myshopify.com"),
        ("SHOPIFY_STORE_DOMAIN", "Emulator.myshopify.com."),
    ],
)
def test_every_emulator_credential_is_refused_whatever_comes_with_it(name: str, value: str) -> None:
    # PRODUCTION_ENV's other credentials are real: the secret alone is enough to refuse.
    message = refusal({name: value})
    assert f"{name} is the emulator's" in message
    if name.endswith(("SECRET", "PASSWORD", "TOKEN")):
        assert value.strip() not in message


def test_the_refusal_names_settings_but_never_prints_a_secret() -> None:
    secrets = {
        "DATABASE_URL": "postgresql://app:Db-Secret-1@127.1/postgres",
        "REDIS_URL": "rediss://:Redis-Secret-2@[::ffff:127.0.0.1]:6380/0",
        "COGNITO_JWKS_URL": "https://user:Jwks-Secret-3@127.0.0.1/jwks.json",
        "BOEING_BASE_URL": "https://user:Boeing-Secret-4@localhost.",
        "BOEING_CLIENT_SECRET": "emu-secret",
        "BOEING_PASSWORD": "emu-pass",
        "SHOPIFY_ADMIN_API_TOKEN": LOCAL_SHOPIFY_TOKEN,
        "STORAGE_SECRET_ACCESS_KEY": "Storage-Secret-5",
        "STORAGE_ENDPOINT_URL": "https://key:Storage-Secret-5@169.254.1.1",
    }
    message = refusal(secrets)
    for name in ("DATABASE_URL", "REDIS_URL", "COGNITO_JWKS_URL", "BOEING_BASE_URL", "STORAGE_ENDPOINT_URL"):
        assert f"{name} points at this machine" in message
    for secret in ("Db-Secret-1", "Redis-Secret-2", "Jwks-Secret-3", "Boeing-Secret-4", "Storage-Secret-5"):
        assert secret.lower() not in message.lower()
    for secret in ("emu-secret", "emu-pass", LOCAL_SHOPIFY_TOKEN):
        assert secret not in message


def test_a_host_spelled_as_a_secret_is_masked_and_short_secrets_leave_the_message_whole() -> None:
    message = refusal({"DATABASE_URL": "host=Db-Secret-1 password=Db-Secret-1", "BOEING_PASSWORD": "p"})
    assert "DATABASE_URL reaches no service: *** did not resolve" in message
    assert "db-secret-1" not in message.lower()
    assert "production never uses" in refusal({"REDIS_URL": "redis://:p@127.1/0", "BOEING_PASSWORD": "p"})


@pytest.mark.parametrize(
    "dsn",
    [
        # An unescaped "@" in the password pushes part of it into the host.
        "postgresql://app:hunter@ss-secret@127.0.0.1/postgres",
        "host=ss-secret@db dbname=x password=hunter",
        "host=db password=hunter2 oops",
    ],
)
def test_a_malformed_database_url_never_shows_its_password(dsn: str) -> None:
    message = refusal({"DATABASE_URL": dsn})
    assert "DATABASE_URL" in message
    assert "hunter" not in message and "ss-secret" not in message and "oops" not in message


def test_the_emulators_accept_exactly_the_credentials_production_refuses() -> None:
    boeing = BoeingEmulatorConfig()
    assert boeing.clients == {
        LOCAL_BOEING_CREDENTIALS["client_id"]: LOCAL_BOEING_CREDENTIALS["client_secret"]
    }
    assert boeing.users == {LOCAL_BOEING_CREDENTIALS["username"]: LOCAL_BOEING_CREDENTIALS["password"]}
    shopify = ShopifyEmulatorConfig()
    assert shopify.tokens == (DEFAULT_TOKEN,) == (LOCAL_SHOPIFY_TOKEN,)
    assert shopify.shop_domain in EMULATOR_SHOP_DOMAINS


def test_the_local_profile_resolves_nothing_and_refuses_nothing() -> None:
    def no_lookups(name: str) -> list[str]:
        raise AssertionError(f"the local profile looked up {name}")

    local = {
        "APP_ENV": "local",
        "DATABASE_URL": "postgresql://postgres:@/postgres?host=/work/.data/pg",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "BOEING_BASE_URL": "http://127.0.0.1:8081",
        "SHOPIFY_GRAPHQL_URL": "http://127.0.0.1:8082/admin/api/2026-04/graphql.json",
        "COGNITO_JWKS_URL": "http://127.0.0.1:5000/us-east-1_x/.well-known/jwks.json",
        "COGNITO_ENDPOINT_URL": "http://127.0.0.1:5000",
        "STORAGE_URL": "file:///tmp/objects",
        "MEDIA_PUBLIC_BASE_URL": "http://127.0.0.1:8000/media",
    }
    settings = settings_from_env(local, no_lookups)
    assert settings.is_local and settings.boeing.client_secret == "emu-secret"


def test_the_system_resolver_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        asked.append(host)
        if host == "gone.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("203.0.113.30", 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    env = {**clean_environ(), **PRODUCTION_ENV, "DATABASE_URL": "host=gone.test dbname=x"}
    with mock.patch.dict(os.environ, env, clear=True), pytest.raises(ConfigError) as error:
        load_settings()
    assert "DATABASE_URL reaches no service" in str(error.value)
    assert "REDIS_URL" not in str(error.value)
    assert {"gone.test", "cache.example.net", "api.developer.boeingservices.com"} <= set(asked)
