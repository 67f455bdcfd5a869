"""Command line: ``python -m emulators.boeing --host 127.0.0.1 --port 8081 --seed 42 --catalog-size 50000``.

Settings come from ``BOEING_EMU_*`` variables; options given here override them. ``--port 0`` picks a free
port. Once listening, one line ``READY http://<host>:<port>`` goes to stdout.
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from .config import config_from_env
from .server import serve

cli = typer.Typer(add_completion=False, help="Boeing Part Price & Availability API emulator.")


@cli.command()
def main(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port; 0 picks a free one")] = 8081,
    seed: Annotated[int | None, typer.Option(help="catalogue seed (default 42)")] = None,
    catalog_size: Annotated[int | None, typer.Option(help="base codes, 1000..500000 (default 50000)")] = None,
    quota_requests: Annotated[
        int | None, typer.Option(help="calls per window per client (default 2)")
    ] = None,
    quota_window_s: Annotated[float | None, typer.Option(help="quota window in seconds (default 60)")] = None,
    quota_scope: Annotated[str | None, typer.Option(help="price | all (default price)")] = None,
    public_base_url: Annotated[
        str | None, typer.Option(help="base of image URLs (default: the bound URL)")
    ] = None,
    latency_scale: Annotated[
        float | None, typer.Option(help="latency multiplier, 0 = none (default 1)")
    ] = None,
    numeric_style: Annotated[
        str | None, typer.Option(help="string | number | mixed (default string)")
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "warning",
) -> None:
    """Serve the emulator until interrupted."""
    try:
        config = config_from_env(
            seed=seed,
            catalog_size=catalog_size,
            quota_requests=quota_requests,
            quota_window_s=quota_window_s,
            quota_scope=quota_scope,
            public_base_url=public_base_url,
            latency_scale=latency_scale,
            numeric_style=numeric_style,
        )
    except ValidationError as exc:
        typer.echo(f"invalid emulator settings:\n{exc}", err=True)
        raise typer.Exit(2) from None
    try:
        serve(config, host=host, port=port, log_level=log_level)
    except OSError as exc:  # the address is taken or cannot be bound
        typer.echo(f"cannot listen on {host}:{port}: {exc}", err=True)
        raise typer.Exit(1) from None


if __name__ == "__main__":
    cli()
