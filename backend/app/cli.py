"""``boeing-hub``: run, migrate, mint a token, start one process of the system, or the emulators."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer
from rich.console import Console

from app.core.config import ConfigError, Settings, get_settings

cli = typer.Typer(add_completion=False, no_args_is_help=True, help="Boeing Data Hub operations.")
console = Console(stderr=True)


def _settings_or_exit() -> Settings:
    try:
        return get_settings()
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@cli.command()
def up(
    data_dir: Path = typer.Option(
        None, help="Where embedded servers keep their data (default: <repo>/.data)."
    ),
    api_port: int = typer.Option(8000, help="API port on 127.0.0.1."),
    boeing_port: int = typer.Option(8081, help="Boeing emulator port (0 = a free port)."),
    shopify_port: int = typer.Option(8082, help="Shopify emulator port (0 = a free port)."),
    real_quota: bool = typer.Option(
        False, help="Use Boeing's real 2 requests/min instead of the demo quota."
    ),
    no_workers: bool = typer.Option(False, help="Start the API only (no workers, no beat)."),
) -> None:
    """Start the whole system locally (embedded PostgreSQL/Redis unless URLs are given); Ctrl-C stops it."""
    from app.local.stack import DEFAULT_DATA_DIR, LocalStack, StackOptions

    options = StackOptions(
        data_dir=data_dir or DEFAULT_DATA_DIR,
        api_port=api_port,
        boeing_port=boeing_port,
        shopify_port=shopify_port,
        demo_quota=None if real_quota else 20,
        with_workers=not no_workers,
    )
    # Plain text, never wrapped: supervisor lines are read and grepped whole.
    stack = LocalStack(
        options, say=lambda text: console.print(text, highlight=False, markup=False, soft_wrap=True)
    )
    code = 1
    try:
        stack.start()
        base = f"http://127.0.0.1:{api_port}"
        console.print(
            f"\n[bold green]Boeing Data Hub is up[/bold green]  API docs: {base}/docs  health: {base}/health"
        )
        if stack.token:
            console.print("Operator access token (Authorization: Bearer ...):")
            print(stack.token, flush=True)
        console.print("Ctrl-C stops everything.")
        code = stack.supervise()
    except (RuntimeError, OSError) as exc:
        console.print(f"[red]start-up failed: {exc}[/red]")
    except KeyboardInterrupt:
        code = 0
    finally:
        stack.stop()
    raise typer.Exit(code)


@cli.command()
def migrate() -> None:
    """Apply pending database migrations (a second run applies nothing)."""
    from app.db.migrations import apply_migrations

    settings = _settings_or_exit()
    applied = apply_migrations(settings.database_url)
    console.print(
        f"applied: {', '.join(applied)}" if applied else "nothing to apply: the schema is up to date"
    )


@cli.command()
def token(
    username: str = typer.Option(None, help="Cognito username (local profile default: the local operator)."),
    password: str = typer.Option(None, help="Password (local profile default: the local operator's)."),
    client_id: str = typer.Option(
        None, help="App client id of a real pool (default: COGNITO_CLIENT_IDS[0])."
    ),
) -> None:
    """Print a fresh access token: the local operator's, or for given credentials against a real pool."""
    from app.clients.cognito_client import CognitoAppClient, IdentityProviderError, mint_access_token

    settings = _settings_or_exit()
    cognito = settings.cognito
    app_client_id = client_id or (cognito.client_ids[0] if cognito.client_ids else None)
    if not app_client_id:
        console.print("[red]no app client id: pass --client-id or set COGNITO_CLIENT_IDS[/red]")
        raise typer.Exit(2)
    if not settings.is_local and not (username and password):
        # The local operator exists only in the identity emulator: production never sends its password.
        console.print("[red]production has no local operator: pass --username and --password[/red]")
        raise typer.Exit(2)
    user = username or cognito.local_username
    secret = password or os.environ.get("COGNITO_LOCAL_PASSWORD") or cognito.local_password
    try:
        access = mint_access_token(
            cognito.endpoint_url,
            CognitoAppClient(region=cognito.region, client_id=app_client_id),
            user,
            secret,
        )
    except IdentityProviderError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    print(access)


@cli.command()
def api(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
    workers: int = typer.Option(1, help="uvicorn worker processes."),
) -> None:
    """Run the HTTP API (uvicorn)."""
    import uvicorn

    _settings_or_exit()
    # No `Server: uvicorn` banner: it only tells a scanner what to probe for.
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        server_header=False,
    )


@cli.command()
def worker(
    group: str = typer.Option(..., help="Worker group: boeing, shopify or default."),
    concurrency: int = typer.Option(None, help="Override the group's concurrency."),
) -> None:
    """Run one worker group (its queues, pool and concurrency come from the Celery configuration)."""
    from app.celery_app.celery_config import WORKER_GROUPS

    if group not in WORKER_GROUPS:
        console.print(f"[red]unknown group {group!r}; choose one of {', '.join(WORKER_GROUPS)}[/red]")
        raise typer.Exit(2)
    _settings_or_exit()
    spec = WORKER_GROUPS[group]
    command = [
        sys.executable, "-m", "celery", "-A", "app.celery_app.worker", "worker",
        "-Q", ",".join(spec.queues), "-P", spec.pool, "-c", str(concurrency or spec.concurrency),
        "-n", f"{group}@%h", "--without-gossip", "--without-mingle", "-l", "INFO",
    ]  # fmt: skip
    os.execv(sys.executable, command)


@cli.command()
def beat() -> None:
    """Run the single scheduler (RedBeat holds a Redis lock, so a second beat waits)."""
    _settings_or_exit()
    command = [sys.executable, "-m", "celery", "-A", "app.celery_app.worker", "beat", "-l", "INFO"]
    os.execv(sys.executable, command)


@cli.command()
def emulators(
    boeing_port: int = typer.Option(8081, help="0 = a free port."),
    shopify_port: int = typer.Option(8082, help="0 = a free port."),
    seed: int = typer.Option(42, help="Boeing catalogue seed."),
    catalog_size: int = typer.Option(50_000, help="Boeing base part numbers."),
) -> None:
    """Run the Boeing and Shopify emulators alone (Ctrl-C stops both)."""
    boeing = [sys.executable, "-m", "emulators.boeing", "--host", "127.0.0.1", "--port", str(boeing_port)]
    boeing += ["--seed", str(seed), "--catalog-size", str(catalog_size)]
    shopify = [sys.executable, "-m", "emulators.shopify", "--host", "127.0.0.1", "--port", str(shopify_port)]
    processes = [subprocess.Popen(boeing), subprocess.Popen(shopify)]
    try:
        for process in processes:
            process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


@cli.command()
def publish(
    part_numbers: list[str] = typer.Argument(None, help="Full SKUs to publish (e.g. WF338109=K3)."),
    batch: str = typer.Option(None, "--batch", help="A batch id: publish every sellable SKU it staged."),
    api_url: str = typer.Option("http://127.0.0.1:8000", envvar="BOEING_HUB_API_URL", help="API base URL."),
    api_token: str = typer.Option(None, "--token", envvar="BOEING_HUB_TOKEN", help="Operator access token."),
    poll_s: float = typer.Option(1.0, help="Seconds between progress polls."),
    timeout_s: float = typer.Option(6 * 3600.0, help="Give up following the run after this long."),
) -> None:
    """Publish staged SKUs (or a batch) to Shopify and follow the run with a progress bar."""
    from app.cli_follow import EXIT_REFUSED
    from app.cli_publish import follow_publish

    if not part_numbers and not batch:
        console.print("[red]give --batch ID or one or more SKUs[/red]")
        raise typer.Exit(EXIT_REFUSED)
    if not api_token:
        console.print("[red]no token: pass --token or set BOEING_HUB_TOKEN (see `boeing-hub token`)[/red]")
        raise typer.Exit(EXIT_REFUSED)
    code = follow_publish(
        console,
        api_url=api_url,
        token=api_token,
        part_numbers=list(part_numbers or []),
        batch_id=batch,
        poll_s=poll_s,
        timeout_s=timeout_s,
    )
    raise typer.Exit(code)


@cli.command()
def extract(
    part_numbers: list[str] = typer.Argument(None, help="Part numbers to extract (or use --file)."),
    file: Path = typer.Option(None, "--file", "-f", help="Text file of part numbers (any separators)."),
    api_url: str = typer.Option("http://127.0.0.1:8000", envvar="BOEING_HUB_API_URL", help="API base URL."),
    api_token: str = typer.Option(None, "--token", envvar="BOEING_HUB_TOKEN", help="Operator access token."),
    idempotency_key: str = typer.Option(None, help="Repeat-safe key: the same key answers the same batch."),
    follow: bool = typer.Option(True, "--follow/--no-follow", help="Follow the batch until it is done."),
    poll_s: float = typer.Option(1.0, help="Seconds between progress polls."),
    timeout_s: float = typer.Option(0.0, help="Stop following after this long (0 = until done)."),
    max_failures: int = typer.Option(100, help="Most failures to print."),
) -> None:
    """Extract part numbers from Boeing through the API: a progress bar, then the outcome and failures."""
    from app.cli_extract import extraction_body, follow_extract
    from app.cli_follow import EXIT_REFUSED

    if not part_numbers and file is None:
        console.print("[red]give part numbers or --file PATH[/red]")
        raise typer.Exit(EXIT_REFUSED)
    if not api_token:
        console.print("[red]no token: pass --token or set BOEING_HUB_TOKEN (see `boeing-hub token`)[/red]")
        raise typer.Exit(EXIT_REFUSED)
    try:
        body = extraction_body(list(part_numbers or []), file, idempotency_key)
    except OSError as exc:
        console.print(f"[red]cannot read {file}: {exc.strerror}[/red]")
        raise typer.Exit(EXIT_REFUSED) from None
    code = follow_extract(
        console, api_url=api_url, token=api_token, body=body, follow_batch=follow, poll_s=poll_s,
        timeout_s=timeout_s, max_failures=max_failures,
    )  # fmt: skip
    raise typer.Exit(code)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
