"""``boeing-hub up``: the whole system on one machine under one supervisor (DESIGN §4, local profile).

Starts what is not given by URL (PostgreSQL, Redis), moto's Cognito with a seeded operator, the Boeing and
Shopify emulators, applies migrations, then runs the API, the three worker groups and beat as child processes
with one environment. Ctrl-C (or any child dying) stops everything; data lives in ``.data/`` and survives.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.celery_app.celery_config import WORKER_GROUPS
from app.clients.cognito_client import mint_access_token
from app.db.migrations import apply_migrations
from app.local.embedded import free_port, start_postgres, start_redis
from app.local.identity import LocalIdentityServer, ensure_pool

REPO_ROOT = Path(__file__).resolve().parents[3]
BACKEND_DIR = REPO_ROOT / "backend"
DEFAULT_DATA_DIR = REPO_ROOT / ".data"
LOCAL_OPERATOR_PASSWORD = "Operator-Passw0rd!"


@dataclass
class StackOptions:
    data_dir: Path = DEFAULT_DATA_DIR
    api_port: int = 8000
    boeing_port: int = 8081
    shopify_port: int = 8082
    demo_quota: int | None = 20  # Boeing calls per minute for the demo; None = the real 2/min
    with_workers: bool = True
    with_emulators: bool = True


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


@dataclass
class LocalStack:
    options: StackOptions
    say: Callable[[str], None] = print
    env: dict[str, str] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    _cleanups: list[Callable[[], None]] = field(default_factory=list)
    token: str | None = None

    # --- start-up -----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Bring every component up; raise if one cannot start (what started is stopped by ``stop``)."""
        opts = self.options
        opts.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "APP_ENV": "local", "PYTHONUNBUFFERED": "1"}
        env.setdefault("LOG_FORMAT", "text")
        if not env.get("DATABASE_URL"):
            pg = start_postgres(opts.data_dir / "pg")
            self._cleanups.append(pg.stop)
            env["DATABASE_URL"] = pg.url
            self.say(f"PostgreSQL  embedded, data in {opts.data_dir / 'pg'}")
        if not env.get("REDIS_URL"):
            redis = start_redis(opts.data_dir / "redis")
            self._cleanups.append(redis.stop)
            env["REDIS_URL"] = redis.url
            self.say(f"Redis       embedded at {redis.url}")
        applied = apply_migrations(env["DATABASE_URL"])
        self.say(f"Migrations  {', '.join(applied) if applied else 'up to date'}")
        objects = opts.data_dir / "objects"
        objects.mkdir(exist_ok=True)
        env.setdefault("STORAGE_URL", f"file://{objects}")
        env.setdefault("MEDIA_PUBLIC_BASE_URL", f"http://127.0.0.1:{opts.api_port}/media")
        self._start_identity(env)
        if opts.with_emulators:
            self._start_emulators(env)
        self.env = env
        self._spawn("api", self._api_command())
        if opts.with_workers:
            for group in WORKER_GROUPS:
                self._spawn(f"worker-{group}", self._cli("worker", "--group", group))
            self._spawn("beat", self._cli("beat"))
        self._wait_http(f"http://127.0.0.1:{opts.api_port}/openapi.json", "API", 60)

    def _start_identity(self, env: dict[str, str]) -> None:
        if env.get("COGNITO_JWKS_URL"):
            return
        server = LocalIdentityServer(port=0)
        endpoint = server.start()
        self._cleanups.append(server.stop)
        password = env.get("COGNITO_LOCAL_PASSWORD", LOCAL_OPERATOR_PASSWORD)
        pool = ensure_pool(endpoint, operator_password=password)
        env.update(
            COGNITO_ENDPOINT_URL=endpoint,
            COGNITO_JWKS_URL=pool.jwks_url,
            COGNITO_ISSUER=pool.issuer,
            COGNITO_CLIENT_IDS=pool.client_id,
            COGNITO_USER_POOL_ID=pool.pool_id,
            COGNITO_REGION=pool.region,
            COGNITO_LOCAL_PASSWORD=password,
        )
        self.token = mint_access_token(endpoint, pool.app_client, pool.operator_username, password)
        self.say(
            f"Cognito     emulator at {endpoint}, pool {pool.pool_id}, operator '{pool.operator_username}'"
        )

    def _start_emulators(self, env: dict[str, str]) -> None:
        opts = self.options
        boeing_env = {**env}
        if opts.demo_quota:
            boeing_env.update(BOEING_EMU_QUOTA_REQUESTS=str(opts.demo_quota), BOEING_EMU_QUOTA_WINDOW_S="60")
            env.update(BOEING_QUOTA_REQUESTS=str(opts.demo_quota), BOEING_QUOTA_WINDOW_S="60")
            self.say(
                f"Boeing      demo quota: {opts.demo_quota} requests/min (real: 2/min); the limiter matches"
            )
        boeing_url = self._spawn_emulator("boeing", opts.boeing_port, boeing_env)
        shopify_url = self._spawn_emulator("shopify", opts.shopify_port, env)
        env.setdefault("BOEING_BASE_URL", boeing_url)
        env.setdefault("SHOPIFY_GRAPHQL_URL", f"{shopify_url}/admin/api/2026-04/graphql.json")

    def _spawn_emulator(self, name: str, port: int, env: dict[str, str]) -> str:
        port = port or free_port()
        command = [sys.executable, "-m", f"emulators.{name}", "--host", "127.0.0.1", "--port", str(port)]
        self._spawn(f"{name}-emulator", command, env=env)
        url = f"http://127.0.0.1:{port}"
        self._wait_http(f"{url}/", f"{name} emulator", 30)
        self.say(f"{name.capitalize():<11} emulator at {url}")
        return url

    def _api_command(self) -> list[str]:
        return self._cli("api", "--port", str(self.options.api_port))

    @staticmethod
    def _cli(*args: str) -> list[str]:
        return [sys.executable, "-m", "app.cli", *args]

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        process = subprocess.Popen(command, cwd=BACKEND_DIR, env=env or self.env, start_new_session=True)
        self.children.append(Child(name, process))

    def _wait_http(self, url: str, what: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self._check_children()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=1.0).status_code < 500:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the {what} did not answer at {url} within {timeout_s:.0f} s")

    # --- supervision --------------------------------------------------------------------------------------
    def _check_children(self) -> None:
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                raise RuntimeError(f"{child.name} exited with code {code}")

    def supervise(self) -> int:
        """Block until Ctrl-C / SIGTERM or a child's death; return the exit code."""
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        while not stop.is_set():
            try:
                self._check_children()
            except RuntimeError as exc:
                self.say(f"stopping: {exc}")
                return 1
            stop.wait(0.5)
        self.say("stopping ...")
        return 0

    def stop(self) -> None:
        """Stop children (graceful, then forced), then the embedded servers."""
        for child in reversed(self.children):
            if child.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in self.children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait(timeout=5)
        for cleanup in reversed(self._cleanups):
            with contextlib.suppress(Exception):
                cleanup()
