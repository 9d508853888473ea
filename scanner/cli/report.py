"""`scanner report` and `scanner purge`: the compliance report and the retention purge
(registered on the main app by `scanner.cli.review.register`)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from scanner.cli.common import (
    ConfigOption,
    JsonOption,
    console,
    engine_or_exit,
    fail,
    load_config_or_exit,
    print_json,
)
from scanner.errors import RetentionError
from scanner.review.report import write_report
from scanner.review.retention import purge


def report_cmd(
    config_dir: Path = ConfigOption,
    output: Path = typer.Option(
        None,
        "--output",
        "-o",
        help="Folder for compliance.html and .csv (default: <state>/report).",
    ),
) -> None:
    """Write the compliance report (compliance.html with a weekly chart, compliance.csv)."""

    config = load_config_or_exit(config_dir)
    engine = engine_or_exit(config)
    output = output or config.state_dir / "report"
    html, csv_path = output / "compliance.html", output / "compliance.csv"
    try:
        write_report(config, engine, html, csv_path)
    except OSError as exc:
        fail(f"--output: cannot write into {output} ({exc.strerror})")
    console.print(f"wrote {html}\nwrote {csv_path}", markup=False, highlight=False, soft_wrap=True)


def purge_cmd(
    config_dir: Path = ConfigOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would go; change nothing."),
    as_json: bool = JsonOption,
) -> None:
    """Blank old post text and expired finding/audit detail per `retention` in scanner.yaml."""

    config = load_config_or_exit(config_dir)
    engine = engine_or_exit(config)
    try:
        result = purge(config, engine, dry_run=dry_run)
    except RetentionError as exc:
        fail(str(exc))
    if as_json:
        print_json(result.to_dict())
        return
    verb = "would be" if dry_run else "were"
    retention = config.scanner.retention
    if retention.post_text_days is None and retention.finding_days is None:
        console.print("retention is not configured (retention.post_text_days/finding_days)")
    table = Table(title=f"Purge{' (dry run: nothing changed)' if dry_run else ''}")
    table.add_column("what")
    table.add_column(f"{verb} purged", justify="right")
    table.add_row("post texts and raw payloads", str(result.posts_purged))
    for account, n in sorted(result.posts_by_account.items()):
        table.add_row(f"  {account}", str(n))
    table.add_row("posts past the limit kept (open findings)", str(result.posts_kept_open))
    table.add_row("finding excerpts and notes", str(result.findings_scrubbed))
    table.add_row("audit event details", str(result.audit_events_scrubbed))
    table.add_row("sent notification payloads", str(result.outbox_scrubbed))
    console.print(table)
