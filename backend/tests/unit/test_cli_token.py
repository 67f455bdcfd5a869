"""``boeing-hub token`` in production never falls back on the identity emulator's operator and password."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from app import cli
from app.clients import cognito_client
from app.clients.cognito_client import CognitoAppClient
from tests.support.settings import PRODUCTION_ENV, settings_from_env


@pytest.fixture
def minted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, str, str, str]]:
    """Production settings for the CLI; records every sign-in instead of calling Cognito."""
    settings = settings_from_env({**PRODUCTION_ENV, "COGNITO_CLIENT_IDS": "app-client"})
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    monkeypatch.setenv("COGNITO_LOCAL_PASSWORD", "Operator-Passw0rd!")
    calls: list[tuple[str | None, str, str, str]] = []

    def mint(endpoint_url: str | None, app_client: CognitoAppClient, username: str, password: str) -> str:
        calls.append((endpoint_url, app_client.client_id, username, password))
        return "access-token"

    monkeypatch.setattr(cognito_client, "mint_access_token", mint)
    return calls


@pytest.mark.parametrize("arguments", [[], ["--username", "alice"], ["--password", "Alice-Passw0rd!"]])
def test_production_token_needs_explicit_credentials(
    minted: list[tuple[str | None, str, str, str]], arguments: list[str]
) -> None:
    result = CliRunner().invoke(cli.cli, ["token", *arguments])
    assert result.exit_code == 2, result.output
    assert "pass --username and --password" in result.output
    assert minted == []


def test_production_token_signs_in_with_the_given_credentials(
    minted: list[tuple[str | None, str, str, str]],
) -> None:
    result = CliRunner().invoke(cli.cli, ["token", "--username", "alice", "--password", "Alice-Passw0rd!"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "access-token"
    assert minted == [(None, "app-client", "alice", "Alice-Passw0rd!")]
