"""CLI: `scanner audit list|export` — the audit trail: who changed what, every alert sent."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from scanner.cli.common import ConfigOption, JsonOption, console, print_json, printable
from scanner.cli.review import (
    FORMATS,
    FormatOption,
    OutputOption,
    SinceOption,
    UntilOption,
    check_choices,
    detail_text,
    open_review,
    parse_when,
    write_export,
)
from scanner.review import export, workflow

audit_app = typer.Typer(help="The audit trail: who changed what, and every alert sent.")


@audit_app.command("list")
def audit_list_cmd(
    finding: int = typer.Option(None, "--finding", help="Only events of this finding."),
    action: str = typer.Option(None, "--action", help="e.g. status_changed, auto_resolved."),
    actor: str = typer.Option(None, "--actor"),
    since: str = SinceOption,
    until: str = UntilOption,
    limit: int = typer.Option(None, "--limit", min=1),
    config_dir: Path = ConfigOption,
    as_json: bool = JsonOption,
) -> None:
    """Audit events, newest first."""
    config, engine = open_review(config_dir)
    rows = workflow.list_audit(
        engine,
        finding_id=finding,
        action=action,
        actor=actor,
        since=parse_when(since, config),
        until=parse_when(until, config, end=True),
        limit=limit,
    )
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} audit events")
    for column in ("id", "at", "actor", "action", "finding", "account", "detail"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["at"][:19].replace("T", " "),
            r["actor"],
            r["action"],
            str(r["finding_id"] or ""),
            r["account_id"] or "",
            Text(printable(detail_text(r["detail"]))),
        )
    console.print(table)


@audit_app.command("export")
def audit_export_cmd(
    fmt: str = FormatOption,
    output: Path = OutputOption,
    since: str = SinceOption,
    until: str = UntilOption,
    config_dir: Path = ConfigOption,
) -> None:
    """Export the audit trail as CSV or JSON."""
    check_choices("--format", [fmt], FORMATS)
    config, engine = open_review(config_dir)
    rows = workflow.list_audit(
        engine, since=parse_when(since, config), until=parse_when(until, config, end=True)
    )
    write_export(rows, export.AUDIT_FIELDS, fmt, output)


def register(app: typer.Typer) -> None:
    """Add `audit` to the main app."""
    app.add_typer(audit_app, name="audit")
