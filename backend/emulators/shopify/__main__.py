"""`python -m emulators.shopify`: serve the emulator; prints `READY http://host:port` once listening."""

from __future__ import annotations

import socket
import sys

import typer
import uvicorn

from .app import create_app
from .config import EmulatorConfig, config_from_env

cli = typer.Typer(add_completion=False, help="Shopify Admin GraphQL API emulator.")


class _ReadyServer(uvicorn.Server):
    """uvicorn server that announces readiness on stdout after startup."""

    def __init__(self, config: uvicorn.Config, url: str) -> None:
        super().__init__(config)
        self.url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start uvicorn, then print the READY line."""
        await super().startup(sockets=sockets)
        if self.started:
            print(f"READY {self.url}", flush=True)


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind (port 0 = any free port) before uvicorn starts, so the real port is known."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP,
    # and without it every response waits ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


def serve(config: EmulatorConfig, log_level: str = "warning") -> None:
    """Run until interrupted."""
    sock = bind_socket(config.host, config.port)
    port = sock.getsockname()[1]
    shown = f"[{config.host}]" if ":" in config.host else config.host
    # A bounded graceful shutdown: a held `timeout` fault must not keep the process alive for a minute.
    uv_config = uvicorn.Config(
        create_app(config), log_level=log_level, access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    _ReadyServer(uv_config, f"http://{shown}:{port}").run(sockets=[sock])


@cli.command()
def main(
    host: str | None = typer.Option(None, help="Bind address (SHOPIFY_EMU_HOST, default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port, 0 = free port (SHOPIFY_EMU_PORT, default 8082)."),
    token: str | None = typer.Option(
        None, help="Accepted access token(s), comma-separated (SHOPIFY_EMU_TOKEN)."
    ),
    plan: str | None = typer.Option(
        None, help="standard|advanced|plus|enterprise|unlimited (SHOPIFY_EMU_PLAN)."
    ),
    versions: str | None = typer.Option(
        None, help="Served API versions, comma-separated (SHOPIFY_EMU_VERSIONS)."
    ),
    fetch_files: bool | None = typer.Option(
        None, "--fetch-files/--no-fetch-files", help="Download file sources (SHOPIFY_EMU_FETCH_FILES)."
    ),
    search_lag_s: float | None = typer.Option(
        None, help="Search index lag in seconds (SHOPIFY_EMU_SEARCH_LAG_S)."
    ),
    seed: int | None = typer.Option(None, help="Fault RNG seed (SHOPIFY_EMU_SEED)."),
    log_level: str = typer.Option("warning", help="uvicorn log level (logs go to stderr)."),
) -> None:
    """Start the emulator."""
    try:
        config = config_from_env(
            host=host,
            port=port,
            tokens=token,
            plan=plan,
            versions=versions,
            fetch_files=fetch_files,
            search_lag_s=search_lag_s,
            seed=seed,
        )
    except ValueError as exc:
        typer.echo(f"invalid configuration: {exc}", err=True)
        raise typer.Exit(2) from None
    serve(config, log_level)


if __name__ == "__main__":
    sys.exit(cli())
