"""The entry point ``python -m emulators.boeing``: free port, READY line, env settings and CLI overrides."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import httpx

BACKEND = Path(__file__).resolve().parents[4]


def test_cli_prints_ready_and_serves() -> None:
    env = {
        **os.environ,
        "BOEING_EMU_SEED": "3",
        "BOEING_EMU_QUOTA_REQUESTS": "7",
        "BOEING_EMU_LATENCY_SCALE": "0",
    }
    args = [sys.executable, "-m", "emulators.boeing", "--port", "0", "--seed", "11", "--catalog-size", "1000"]
    proc = subprocess.Popen(
        args, cwd=BACKEND, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None  # piped above
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        ready = lines.get(timeout=30).strip()
        prefix = "READY http://127.0.0.1:"
        assert ready.startswith(prefix), ready
        assert int(ready[len(prefix) :]) > 0
        url = ready.split(" ", 1)[1]
        with httpx.Client(base_url=url, timeout=5) as client:
            assert client.get("/_emulator/health").json() == {
                "status": "ok",
                "seed": 11,
                "catalog_size": 1000,
            }
            config = client.get("/_emulator/config").json()
            assert (config["quota_requests"], config["latency_scale"]) == (7, 0)
            assert config["public_base_url"] == url  # image URLs default to the bound address
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode is not None
    assert lines.empty()  # nothing but the READY line on stdout


def test_cli_rejects_bad_settings() -> None:
    args = [sys.executable, "-m", "emulators.boeing", "--port", "0", "--numeric-style", "hex"]
    proc = subprocess.run(args, cwd=BACKEND, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "numeric_style" in proc.stderr
    assert "READY" not in proc.stdout
