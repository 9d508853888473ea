"""The `scanner` app: global options, `version`, and every command group's `register(app)`.

Exit codes (`scanner.cli.common.ExitCode`): 0 ok, 1 partial failure (some accounts or e-mails
failed, the rest completed), 2 usage or config error.
"""

from __future__ import annotations

import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from scanner import __version__
from scanner.cli import (
    admin,
    audit,
    common,
    consents,
    demo,
    detect,
    eval,
    fetch,
    notify,
    plugins,
    review,
    run,
    scan,
    serve,
    users,
)
from scanner.errors import DatabaseError, ScannerError

app = typer.Typer(
    help="District post scanner: checks registered school social-media accounts against policy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging on stderr."),
    log_json: bool = typer.Option(False, "--log-json", help="Logs as one JSON object per line."),
) -> None:
    common.setup_logging(verbose, log_json)


@app.command()
def version() -> None:
    """Print the scanner's version."""
    common.console.print(__version__)


for _group in (
    scan,
    fetch,
    detect,
    eval,
    demo,
    admin,
    review,
    audit,
    notify,
    run,
    plugins,
    serve,
    users,
    consents,
):
    _group.register(app)


def main() -> None:
    """The console script: the app, with any `ScannerError` that escaped a command mapped to
    its exit code and one line on stderr (no traceback)."""
    try:
        app(prog_name="scanner")
    except ScannerError as exc:
        common.err_console.print(common.one_line(exc), markup=False, highlight=False)
        sys.exit(common.exit_code_for(exc))
    except SQLAlchemyError as exc:  # never the SQL or its parameters (review notes, post text)
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
        common.err_console.print(
            common.one_line(DatabaseError(f"database error: {reason[:200]}")),
            markup=False,
            highlight=False,
        )
        sys.exit(common.ExitCode.USAGE)
