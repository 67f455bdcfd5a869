"""``boeing-hub api`` starts uvicorn without its ``Server`` banner."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

import app.cli as cli_module
from app.cli import cli


def test_the_api_command_turns_the_server_header_off(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def run(app: str, **options: Any) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr(cli_module, "_settings_or_exit", lambda: None)
    result = CliRunner().invoke(cli, ["api", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    assert calls[0]["app"] == "app.main:create_app"
    assert calls[0]["server_header"] is False
    assert calls[0]["port"] == 8123
