"""`scanner serve`: the review console (Starlette app) under uvicorn."""

from __future__ import annotations

from pathlib import Path

import typer

from scanner.cli.common import CONFIG_CHECKS, ConfigOption, console, fail, load_config_or_exit
from scanner.errors import ConfigError, DatabaseError, SecretError


def serve(
    config_dir: Path = ConfigOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to listen on."),
    proxy_headers: bool = typer.Option(
        False,
        "--proxy-headers",
        help="Trust X-Forwarded-For/-Proto from the reverse proxy on 127.0.0.1.",
    ),
) -> None:
    """Run the review console for privacy officers, sponsors and admins."""
    import uvicorn  # the web stack loads only for `serve` (start-up speed of other commands)

    from scanner.web.app import create_app

    load_config_or_exit(config_dir)  # every config problem at once, exit 2
    try:
        app = create_app(config_dir, checks=CONFIG_CHECKS)
    except (ConfigError, DatabaseError, SecretError) as exc:
        fail(str(exc))
    console.print(
        f"Review console on http://{host}:{port}/ (Ctrl+C stops it)",
        markup=False,
        highlight=False,
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=proxy_headers,
        forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
        log_level="warning",
        access_log=False,
    )


def register(app: typer.Typer) -> None:
    """Add `serve` to the app."""
    app.command("serve")(serve)
