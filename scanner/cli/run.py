"""`scanner run` (the service) and `scanner status`."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import typer
from rich.console import JustifyMethod
from rich.table import Table
from rich.text import Text

from scanner.cli.common import (
    ConfigOption,
    ExitCode,
    JsonOption,
    console,
    engine_or_exit,
    err_console,
    load_config_or_exit,
    print_json,
)
from scanner.schedule.status import account_status


def _when(value: datetime | None) -> str:
    return value.strftime("%m-%d %H:%M") if value else "—"


def run(
    config_dir: Path = ConfigOption,
    once: bool = typer.Option(
        False, "--once", help="One pass over due accounts plus notifications, then exit (cron)."
    ),
    worker: str = typer.Option(
        None, "--worker", help="Worker name shown in leases and status (default host:pid)."
    ),
) -> None:
    """Run the scheduler: scan due accounts, send notifications, purge; SIGTERM stops cleanly."""
    # APScheduler loads only for `run`/`status` (start-up speed)
    from scanner.schedule.service import Service

    if logging.getLogger().level > logging.INFO:
        logging.getLogger("scanner").setLevel(logging.INFO)  # a service reports what it does
    config = load_config_or_exit(config_dir)
    engine = engine_or_exit(config)
    with err_console.status("Loading detectors…", spinner="dots"):
        service = Service(config_dir, engine, config=config, worker=worker)
    if once:
        summary = service.run_once()
        failed = len(summary.failed)
        err_console.print(
            f"{len(summary.results)} accounts scanned, {failed} failed", highlight=False
        )
        if failed:
            raise typer.Exit(ExitCode.PARTIAL_FAILURE)
        return
    service.run_forever()


def status(config_dir: Path = ConfigOption, as_json: bool = JsonOption) -> None:
    """Each account's last scan, next scan, errors, rate-limit state, lease and backlog."""

    config = load_config_or_exit(config_dir)
    engine = engine_or_exit(config)
    rows = account_status(config, engine)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    table = Table(title="Accounts (backlog = open findings + unsent alerts; --json for details)")
    for col in (
        "account",
        "last scan UTC",
        "next scan UTC",
        "fails",
        "last error / retry",
        "lease",
        "backlog",
    ):
        justify: JustifyMethod = "right" if col in ("fails", "backlog") else "left"
        table.add_column(col, justify=justify, overflow="fold")
    for r in rows:
        error = r.last_error or ""
        if r.capped:
            error += " (capped: waits for an operator)"
        elif r.retry_at:
            error += f" (retry {_when(r.retry_at)})"
        if r.quarantined_posts:
            error += (
                f" {r.quarantined_posts} post(s) not scanned yet (quarantined or deferred),"
                " retried next scan"
            )
        name = f"{r.id} ({r.platform})"
        if not r.registered:
            name += " unregistered"
        elif not r.enabled:
            name += " disabled"
        table.add_row(
            Text(name),
            _when(r.last_scan_at),
            _when(r.next_scan_at),
            str(r.consecutive_failures),
            Text(error.strip() or "—"),
            Text(r.lease_owner or "—"),
            str(r.backlog),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `run` and `status` to the `scanner` app."""
    app.command("run")(run)
    app.command("status")(status)
