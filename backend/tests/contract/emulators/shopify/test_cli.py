"""`python -m emulators.shopify`: free port, READY line, env settings, CLI overriding env."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx

BACKEND = Path(__file__).resolve().parents[4]


def _start(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "emulators.shopify", *args],
        cwd=BACKEND,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout = process.stdout
    assert stdout is not None  # piped above
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert lines and lines[0].startswith("READY "), (lines, process.poll())
    return process, lines[0].split()[1]


def test_port_zero_prints_ready_and_cli_overrides_env() -> None:
    env = {
        "SHOPIFY_EMU_TOKEN": "shpat_from_env",
        "SHOPIFY_EMU_VERSIONS": "2026-01,2026-04",
        "SHOPIFY_EMU_PLAN": "plus",
    }
    process, url = _start(["--host", "127.0.0.1", "--port", "0", "--token", "shpat_from_cli"], env)
    try:
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        query = {"query": "{ shop { name } }"}
        with httpx.Client(base_url=url, timeout=10) as client:
            ok = client.post(
                "/admin/api/2026-04/graphql.json",
                json=query,
                headers={"X-Shopify-Access-Token": "shpat_from_cli"},
            )
            assert ok.status_code == 200
            assert ok.json()["extensions"]["cost"]["throttleStatus"]["restoreRate"] == 1000.0  # plan from env
            env_token = client.post(
                "/admin/api/2026-04/graphql.json",
                json=query,
                headers={"X-Shopify-Access-Token": "shpat_from_env"},
            )
            assert env_token.status_code == 401  # --token overrides SHOPIFY_EMU_TOKEN
            old = client.post(
                "/admin/api/2025-10/graphql.json",
                json=query,
                headers={"X-Shopify-Access-Token": "shpat_from_cli"},
            )
            assert old.status_code == 404  # versions from SHOPIFY_EMU_VERSIONS
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.stdout is not None  # piped by _start
    assert process.stdout.read() == ""  # exactly one line on stdout


def test_invalid_configuration_exits_with_a_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "emulators.shopify", "--port", "0", "--plan", "gold"],
        cwd=BACKEND,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "unknown plan" in result.stderr
