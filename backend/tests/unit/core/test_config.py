from __future__ import annotations

import pytest

from app.core.config import ConfigError
from tests.support.settings import PRODUCTION_ENV, settings_from_env


def test_production_with_every_setting_loads() -> None:
    settings = settings_from_env(PRODUCTION_ENV)
    assert not settings.is_local
    assert settings.shopify.location_map == {"Dallas Central": "Dallas"}
    assert settings.shopify.store_handle == "parts-store"
    assert settings.boeing.price_url.endswith("/price-availability/v1/wtoken")


def test_production_is_the_default_and_names_every_missing_setting() -> None:
    with pytest.raises(ConfigError) as error:
        settings_from_env({})
    message = str(error.value)
    assert "APP_ENV=production" in message
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "BOEING_CLIENT_SECRET",
        "SHOPIFY_ADMIN_API_TOKEN",
        "COGNITO_JWKS_URL",
        "COGNITO_ISSUER",
        "STORAGE_URL",
    ):
        assert f"{name} is required" in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        ("DATABASE_URL", "postgresql://postgres:@/postgres?host=/work/.data/pg"),
        ("REDIS_URL", "redis://localhost:6379/0"),
        ("COGNITO_JWKS_URL", "http://127.0.0.1:5000/us-east-1_x/.well-known/jwks.json"),
        ("COGNITO_ISSUER", "http://localhost:5000/us-east-1_x"),
    ],
)
def test_production_never_accepts_local_services(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        settings_from_env({**PRODUCTION_ENV, name: value})


def test_production_refuses_the_emulators_credentials() -> None:
    with pytest.raises(ConfigError, match="BOEING_CLIENT_ID is the emulator's"):
        settings_from_env({**PRODUCTION_ENV, "BOEING_CLIENT_ID": "emu-client"})
    with pytest.raises(ConfigError, match="SHOPIFY_ADMIN_API_TOKEN is the emulator's"):
        settings_from_env({**PRODUCTION_ENV, "SHOPIFY_ADMIN_API_TOKEN": "shpat_emulator_dev"})


def test_invalid_values_are_named() -> None:
    with pytest.raises(ConfigError) as error:
        settings_from_env({**PRODUCTION_ENV, "SHOPIFY_LOCATION_MAP": "{not json", "BOEING_BATCH_SIZE": "11"})
    assert "SHOPIFY_LOCATION_MAP" in str(error.value)
    assert "BOEING_BATCH_SIZE" in str(error.value)


def test_local_profile_fills_emulator_credentials_but_still_needs_its_servers() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL is required"):
        settings_from_env({"APP_ENV": "local"})
    settings = settings_from_env(
        {
            "APP_ENV": "local",
            "DATABASE_URL": "postgresql:///x?host=/tmp",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    assert settings.boeing.client_id == "emu-client"
    assert settings.shopify.admin_api_token == "shpat_emulator_dev"
    assert "Germany CSC" not in settings.shopify.location_map
    assert settings.shopify.location_map["Miami, FL"] == "Miami, FL"


def test_interactive_wait_defaults_to_one_interval_plus_five_seconds() -> None:
    settings = settings_from_env(PRODUCTION_ENV)
    assert settings.boeing.quota_interval_s == 30
    assert settings.boeing.interactive_wait_bound_s == 35


@pytest.mark.parametrize("written", ["http://a.test, http://b.test,", '["http://a.test", "http://b.test"]'])
def test_list_settings_read_comma_separated_text_or_a_json_array(written: str) -> None:
    settings = settings_from_env(
        {**PRODUCTION_ENV, "CORS_ORIGINS": written, "COGNITO_CLIENT_IDS": written, "REQUIRED_QUEUES": written}
    )
    expected = ["http://a.test", "http://b.test"]
    assert settings.app.cors_origins == expected
    assert settings.app.required_queues == expected
    assert settings.cognito.client_ids == expected
