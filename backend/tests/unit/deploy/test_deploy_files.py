"""The systemd units parse, start commands that exist, and the production env example is a valid profile."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest
from typer.core import TyperGroup
from typer.main import get_command

from app.celery_app.celery_config import WORKER_GROUPS
from app.cli import cli
from tests.support.settings import settings_from_env

DEPLOY = Path(__file__).resolve().parents[4] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    # Keep option names' case; typeshed declares optionxform a method, the documented idiom assigns it.
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser


def test_the_three_services_of_the_seed_exist() -> None:
    names = {path.name for path in UNITS}
    assert {"boeing-backend.service", "boeing-celery.service", "boeing-celery-beat.service"} <= names


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_files_parse_and_name_existing_commands(path: Path) -> None:
    unit = _unit(path)
    assert unit.has_section("Unit")
    assert unit.has_section("Service")
    assert unit.has_section("Install")
    service = unit["Service"]
    argv = shlex.split(service["ExecStart"])
    if argv[0].endswith("/boeing-hub"):
        root = get_command(cli)
        assert isinstance(root, TyperGroup)  # the CLI has subcommands
        commands = root.commands
        assert argv[1] in commands, f"{path.name}: boeing-hub has no {argv[1]!r} command"
        if argv[1] == "worker":
            group = argv[argv.index("--group") + 1]
            assert group == "%i" or group in WORKER_GROUPS
        assert service["Restart"] == "on-failure"
        assert service["EnvironmentFile"] == "/etc/boeing-data-hub/env"
        assert service["KillSignal"] == "SIGTERM"
        assert "/.venv/bin/" in argv[0]
    else:
        assert Path(argv[0]).name in {"true"}


def test_the_worker_template_serves_every_group() -> None:
    umbrella = _unit(DEPLOY / "systemd" / "boeing-celery.service")
    wanted = set(umbrella["Unit"]["Wants"].split())
    assert wanted == {f"boeing-celery@{group}.service" for group in WORKER_GROUPS}


def test_env_example_is_a_complete_production_profile() -> None:
    env: dict[str, str] = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    # Its host names are placeholders: let each resolve to a documentation address (RFC 5737).
    settings = settings_from_env(env, resolver=lambda name: ["203.0.113.1"])
    assert not settings.is_local
    assert settings.shopify.location_map["Miami, FL"] == "Miami, FL"
