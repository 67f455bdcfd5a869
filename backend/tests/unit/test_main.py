"""The API's production start-up checks the identity provider's signing keys once (DESIGN §4)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from app.container import build_container
from app.core.cognito import IdentityProviderUnavailable, UnsafeIdentityConfiguration
from app.main import create_app
from tests.support.settings import PRODUCTION_ENV, settings_from_env


class Verifier:
    """Stands in for ``CognitoVerifier``: counts start-up checks and fails them as told."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.checks = 0

    def check_signing_keys(self) -> None:
        self.checks += 1
        if self.error is not None:
            raise self.error


def start(env: dict[str, str], verifier: Verifier) -> None:
    """Run the API's lifespan (start-up, then shut-down) with ``verifier`` in its container."""
    settings = settings_from_env(env)
    container = build_container(settings, overrides={"cognito_verifier": verifier})
    with TestClient(create_app(settings, container)):
        pass


def test_production_checks_the_signing_keys_at_start_up() -> None:
    verifier = Verifier()
    start(PRODUCTION_ENV, verifier)
    assert verifier.checks == 1


def test_production_refuses_to_start_on_the_emulators_signing_key() -> None:
    verifier = Verifier(UnsafeIdentityConfiguration("the JWKS holds the emulator's key"))
    with pytest.raises(UnsafeIdentityConfiguration):
        start(PRODUCTION_ENV, verifier)


def test_an_unreachable_identity_provider_is_logged_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    verifier = Verifier(IdentityProviderUnavailable("connection refused"))
    with caplog.at_level(logging.WARNING, logger="app.main"):
        start(PRODUCTION_ENV, verifier)
    assert verifier.checks == 1
    assert "could not be checked at start-up" in caplog.text


def test_the_local_profile_does_not_check() -> None:
    verifier = Verifier(UnsafeIdentityConfiguration("the local profile trusts its emulator"))
    start({**PRODUCTION_ENV, "APP_ENV": "local"}, verifier)
    assert verifier.checks == 0
