"""``boeing-hub up``: the whole system on one machine under one supervisor (DESIGN §4, local profile).

Starts what is not given by URL (PostgreSQL, Redis), moto's Cognito with a seeded operator, the Boeing and
Shopify emulators, applies migrations, then runs the API, the three worker groups and beat as child processes
with one environment. Once the stack is up, a process that dies (the embedded servers included) is started
again by the supervisor (``supervisor.py``: its restart policy and when it gives up). A death during start-up
fails the start. Ctrl-C stops everything; data lives in ``.data/`` and survives.
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
from app.core.constants.auth import DEFAULT_ROLE_GROUPS
from app.db.migrations import apply_migrations
from app.local.embedded import EmbeddedPostgres, free_port, start_postgres, start_redis
from app.local.identity import LocalIdentityServer, ensure_pool
from app.local.supervisor import ChildProcess, ExitStatus, Process, Supervisor

# Stop order, top first: what calls the emulators and the servers, then the emulators, then the servers.
SERVERS, EMULATORS, APP = 0, 1, 2

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


class PostgresProcess:
    """The embedded PostgreSQL as a supervised process (pg_ctl's daemon: not our child, so no exit status)."""

    def __init__(self, server: EmbeddedPostgres) -> None:
        self.server = server

    @property
    def pid(self) -> int:
        return self.server.pid

    def exit_status(self) -> ExitStatus | None:
        return None if self.server.is_running() else ExitStatus(None)

    def terminate(self) -> None:
        self.server.stop()  # pg_ctl's fast shutdown, waited for

    def kill(self) -> None:
        self.server.kill()

    def wait(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while self.server.is_running():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True


@dataclass
class LocalStack:
    options: StackOptions
    say: Callable[[str], None] = print
    env: dict[str, str] = field(default_factory=dict)
    _cleanups: list[Callable[[], None]] = field(default_factory=list)
    token: str | None = None

    def __post_init__(self) -> None:
        self.supervisor = Supervisor(say=self.say)

    # --- start-up -----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Bring every component up; raise if one cannot start (what started is stopped by ``stop``)."""
        opts = self.options
        opts.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "APP_ENV": "local", "PYTHONUNBUFFERED": "1"}
        env.setdefault("LOG_FORMAT", "text")
        self.start_servers(env)
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

    def start_servers(self, env: dict[str, str]) -> None:
        """Start, under supervision, the embedded PostgreSQL and Redis that ``env`` names no URL for, and
        name them in ``env``."""
        data_dir = self.options.data_dir
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"] = self._start_postgres(data_dir / "pg")
            self.say(f"PostgreSQL  embedded, data in {data_dir / 'pg'}")
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = self._start_redis(data_dir / "redis")
            self.say(f"Redis       embedded at {env['REDIS_URL']}")

    def _start_postgres(self, data_dir: Path) -> str:
        """Start the embedded PostgreSQL under supervision; its URL (a restart keeps the same socket)."""
        process = self.supervisor.start(
            "postgresql", lambda: PostgresProcess(start_postgres(data_dir)), layer=SERVERS
        )
        return process.server.url

    def _start_redis(self, data_dir: Path) -> str:
        """Start the embedded Redis under supervision on a port it keeps when restarted; its URL."""
        port = free_port()
        self.supervisor.start(
            "redis", lambda: ChildProcess(start_redis(data_dir, port).process), layer=SERVERS
        )
        return f"redis://127.0.0.1:{port}/0"

    def _start_identity(self, env: dict[str, str]) -> None:
        if env.get("COGNITO_JWKS_URL"):
            return
        server = LocalIdentityServer(port=0)
        endpoint = server.start()
        self._cleanups.append(server.stop)
        password = env.get("COGNITO_LOCAL_PASSWORD", LOCAL_OPERATOR_PASSWORD)
        # The operator holds every role, under the group names this stack's settings give them.
        groups = [env.get(f"COGNITO_{role.name}_GROUP") or name for role, name in DEFAULT_ROLE_GROUPS.items()]
        pool = ensure_pool(endpoint, operator_password=password, operator_groups=groups)
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
        self._spawn(f"{name}-emulator", command, env=env, layer=EMULATORS)
        url = f"http://127.0.0.1:{port}"
        self._wait_http(f"{url}/", f"{name} emulator", 30)
        self.say(f"{name.capitalize():<11} emulator at {url}")
        return url

    def _api_command(self) -> list[str]:
        return self._cli("api", "--port", str(self.options.api_port))

    @staticmethod
    def _cli(*args: str) -> list[str]:
        return [sys.executable, "-m", "app.cli", *args]

    def _spawn(
        self, name: str, command: list[str], env: dict[str, str] | None = None, layer: int = APP
    ) -> None:
        """Start a child in its own session: Ctrl-C reaches the supervisor only, which stops them in order."""
        child_env = env or self.env

        def start() -> Process:
            popen = subprocess.Popen(command, cwd=BACKEND_DIR, env=child_env, start_new_session=True)
            return ChildProcess(popen)

        self.supervisor.start(name, start, layer=layer)

    def _wait_http(self, url: str, what: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.supervisor.check_running()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=1.0).status_code < 500:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the {what} did not answer at {url} within {timeout_s:.0f} s")

    # --- supervision --------------------------------------------------------------------------------------
    def supervise(self) -> int:
        """Restart what dies until Ctrl-C / SIGTERM; 0, or 1 if a process had to be given up."""
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        code = self.supervisor.run(stop)
        self.say("stopping ...")
        return code

    def stop(self) -> None:
        """Stop the processes (graceful, then forced; the servers last), then the identity emulator."""
        self.supervisor.stop()
        for cleanup in reversed(self._cleanups):
            with contextlib.suppress(Exception):
                cleanup()
