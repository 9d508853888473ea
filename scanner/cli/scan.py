"""`scanner scan`: one pass over the registered accounts, with a progress bar and a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from scanner.cli.common import (
    ConfigOption,
    ExitCode,
    JsonOption,
    console,
    engine_or_exit,
    err_console,
    fail,
    load_config_or_exit,
    print_json,
    printable,
)
from scanner.scan.followers import FollowerCheck, FollowerResult
from scanner.scan.pipeline import Pipeline, ScanSummary
from scanner.scan.wiring import build_detectors


def print_summary(summary: ScanSummary) -> None:
    """The per-account summary table of a scan."""
    table = Table(title=f"Scan {summary.run_id}")
    for col in ("account", "platform", "fetched", "new", "changed", "findings", "status"):
        table.add_column(
            col, justify="right" if col in ("fetched", "new", "changed", "findings") else "left"
        )
    for r in summary.results:
        status = Text("ok", style="green") if r.ok else Text(printable(r.error or ""), style="red")
        if r.notes:
            status.append(" " + printable("; ".join(r.notes)))
        table.add_row(
            r.account_id,
            r.platform,
            str(r.fetched),
            str(r.posts_new),
            str(r.posts_changed),
            str(r.findings_new),
            status,
        )
    console.print(table)


def run_scan(config: Any, engine: Any, account_ids: list[str] | None, quiet: bool) -> ScanSummary:
    """Build detectors once, scan with a progress bar, return the summary."""
    with console.status("Loading detectors…", spinner="dots"):
        detectors = build_detectors(config)
    pipeline = Pipeline(config, engine, detectors)
    ids = account_ids or [a.id for a in config.accounts if a.enabled]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err_console,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task("Scanning accounts", total=len(ids))
        return pipeline.scan(ids, on_account=lambda _r: progress.advance(task))


def check_followers(
    config: Any, engine: Any, account_ids: list[str] | None
) -> list[FollowerResult]:
    """The follower consent check of the given (default: all enabled) accounts, due or not."""
    ids = set(account_ids or [a.id for a in config.accounts if a.enabled])
    check = FollowerCheck(config, engine)
    return check.run(a for a in config.accounts if a.id in ids)


def print_followers(results: list[FollowerResult]) -> None:
    """The per-account table of a follower check (counts only)."""
    table = Table(title="Followers and consent (policy item 3)")
    for col in ("account", "source", "followers", "students", "without consent", "status"):
        table.add_column(col)
    # accounts with nothing to check get one line under the table, not a row each
    idle = [r.account_id for r in results if r.ok and not r.checked and not r.source]
    for r in results:
        if r.account_id in idle:
            continue
        if r.ok:
            status = Text("ok" if r.checked else "not checked", style="green" if r.checked else "")
        else:
            status = Text(printable(r.error or ""), style="red")
        if r.notes:
            status.append(" " + printable("; ".join(r.notes)))
        table.add_row(
            r.account_id,
            r.source or "-",
            str(r.followers) if r.checked else "",
            str(r.students) if r.checked else "",
            str(r.without_consent) if r.checked else "",
            status,
        )
    if len(idle) < len(results):
        console.print(table)
    if idle:
        console.print(
            f"Followers not checked on {', '.join(idle)}: "
            "no follower source (the platform exposes none to the account's token here; "
            "set members_csv on the account to check an exported member list)."
        )


def scan(
    account: list[str] = typer.Option(None, "--account", "-a", help="Only this account id."),
    followers: bool = typer.Option(
        False,
        "--followers",
        help="Also check followers/members against the roster and the consent register "
        "(`scanner run` does this every schedule.followers_interval).",
    ),
    config_dir: Path = ConfigOption,
    as_json: bool = JsonOption,
) -> None:
    """One pass over the registered accounts (or only --account ID)."""
    config = load_config_or_exit(config_dir)
    unknown = [a for a in account or [] if a not in {x.id for x in config.accounts}]
    if unknown:
        fail(f"unknown account id {', '.join(unknown)}; see `scanner accounts list`")
    engine = engine_or_exit(config)
    summary = run_scan(config, engine, account or None, quiet=as_json)
    checked = check_followers(config, engine, account or None) if followers else []
    if as_json:
        out = summary.to_dict()
        if followers:
            out["followers"] = [r.to_dict() for r in checked]
        print_json(out)
    else:
        print_summary(summary)
        if followers:
            print_followers(checked)
    if summary.failed or any(not r.ok for r in checked):
        raise typer.Exit(ExitCode.PARTIAL_FAILURE)


def register(app: typer.Typer) -> None:
    """Add `scan` to the app."""
    app.command("scan")(scan)
