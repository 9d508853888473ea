"""`scanner consents import|list`: the register of written parental permissions (policy item 3)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from scanner.cli.common import (
    ConfigOption,
    ExitCode,
    JsonOption,
    console,
    engine_or_exit,
    err_console,
    load_config_or_exit,
    print_json,
    printable,
)
from scanner.cli.review import ReviewerOption, _reviewer
from scanner.errors import ConfigError
from scanner.review.consents import COLUMNS, import_consents, list_consents

consents_app = typer.Typer(
    help="The consent register: students allowed to follow accounts (policy item 3).",
    no_args_is_help=True,
)


@consents_app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help=f"CSV with columns {','.join(COLUMNS)}."),
    config_dir: Path = ConfigOption,
    reviewer: str = ReviewerOption,
) -> None:
    """Replace the register with FILE (validated first: all rows or none; audited)."""
    config = load_config_or_exit(config_dir)
    engine = engine_or_exit(config)
    try:
        summary = import_consents(config, engine, file, actor=_reviewer(reviewer))
    except ConfigError as exc:
        for problem in exc.problems:
            err_console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE) from None
    console.print(
        f"imported {summary.rows} consent(s) from {printable(summary.source)} "
        f"(replacing {summary.replaced}); follower checks are due again",
        markup=False,
        highlight=False,
    )


@consents_app.command("list")
def list_cmd(
    account: str = typer.Option(None, "--account", "-a", help="Only this account (and all)."),
    config_dir: Path = ConfigOption,
    as_json: bool = JsonOption,
) -> None:
    """The register: one row per student and account (empty account = all accounts)."""
    config = load_config_or_exit(config_dir)
    rows = list_consents(config, engine_or_exit(config), account)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Consents ({len(rows)})")
    for column in ("student_id", "account_id", "granted_on", "expires_on", "status", "filed_at"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            printable(r["student_id"]),
            printable(r["account_id"] or "(all accounts)"),
            r["granted_on"],
            r["expires_on"] or "",
            r["status"],
            printable(r["filed_at"]),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `consents` to the app."""
    app.add_typer(consents_app, name="consents")
