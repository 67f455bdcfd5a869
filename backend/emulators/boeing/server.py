"""Running the emulator under uvicorn: in the foreground (the CLI) or in a thread (tests, benchmarks)."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType

import uvicorn

from .app import create_app
from .config import EmulatorConfig


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind a TCP socket ourselves, so ``port=0`` yields a free port we know before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Naming IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose protocol says TCP,
    # and without it headers and body written separately wait ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def socket_url(sock: socket.socket) -> str:
    """``http://host:port`` of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _ReadyServer(uvicorn.Server):
    """uvicorn server that reports once it is actually listening."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self._on_ready is not None:
            self._on_ready()


def _build(
    config: EmulatorConfig,
    sock: socket.socket,
    log_level: str,
    on_ready: Callable[[], None] | None,
    quiet: bool,
) -> _ReadyServer:
    if config.public_base_url is None:
        # Image URLs must reach this process from others (the Shopify emulator), so default to the bound URL.
        config = config.patched({"public_base_url": socket_url(sock)})
    uv_config = uvicorn.Config(
        create_app(config),
        lifespan="off",
        access_log=False,
        log_level=log_level,
        log_config=None if quiet else uvicorn.config.LOGGING_CONFIG,
        timeout_graceful_shutdown=2,
        http="h11",
        loop="asyncio",
    )
    return _ReadyServer(uv_config, on_ready)


def serve(
    config: EmulatorConfig, host: str = "127.0.0.1", port: int = 8081, log_level: str = "warning"
) -> None:
    """Serve in the foreground until SIGINT/SIGTERM; prints ``READY http://host:port`` once listening."""
    sock = bind_socket(host, port)
    url = socket_url(sock)

    def ready() -> None:
        print(f"READY {url}", flush=True)

    server = _build(config, sock, log_level, ready, quiet=False)
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(1)


class EmulatorThread:
    """An emulator on 127.0.0.1 with a free port, served from a daemon thread; use as a context manager."""

    def __init__(self, config: EmulatorConfig | None = None, host: str = "127.0.0.1") -> None:
        self._sock = bind_socket(host, 0)
        self.url = socket_url(self._sock)
        self._ready = threading.Event()
        self._server = _build(config or EmulatorConfig(), self._sock, "warning", self._ready.set, quiet=True)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name="boeing-emulator", daemon=True
        )

    @property
    def app(self) -> object:
        """The ASGI app being served (its ``state.emulator`` is the live state)."""
        return self._server.config.app

    def start(self, timeout_s: float = 10.0) -> EmulatorThread:
        """Start serving and wait until the server listens."""
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._ready.wait(0.05):
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("Boeing emulator did not start")
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the server to exit and wait for its thread."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        else:
            self._sock.close()

    def __enter__(self) -> EmulatorThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
