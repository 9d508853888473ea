"""Shared CLI plumbing: config/database loading that maps every known failure to exit 2."""

from __future__ import annotations

import json
import logging
import sys
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy.engine import Engine
from typing_extensions import override

from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.errors import ConfigError, ConnectorError, DatabaseError, ScannerError, SendError
from scanner.records import neutralise_controls
from scanner.scan.allowrules import AllowRules
from scanner.schedule.cron import cron_problems
from scanner.store.engine import open_database, resolve_url

#: Checks of the registry by the layers above config, run by every command that loads it.
CONFIG_CHECKS = (cron_problems,)


class ExitCode(IntEnum):
    """What `scanner` exits with."""

    OK = 0
    PARTIAL_FAILURE = 1  # some accounts or e-mails failed; the rest completed
    USAGE = 2  # a usage or config error: nothing was done


def exit_code_for(exc: ScannerError) -> ExitCode:
    """The one mapping from the error tree to exit codes."""
    if isinstance(exc, ConnectorError | SendError):
        return ExitCode.PARTIAL_FAILURE
    return ExitCode.USAGE


def one_line(exc: BaseException) -> str:
    """An error as one line for the terminal (control characters removed)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return "".join(ch for ch in text if ch.isprintable())


# No Rich markup is ever read from strings: post text, reviewer notes and platform errors are
# data, and "[/bold]" or "[link=…]" inside them must print as written (styles use Text).
console = Console(markup=False, highlight=False)
err_console = Console(stderr=True, markup=False, highlight=False)
#: Every string from data reaches the terminal through this (terminal escapes neutralised).
printable = neutralise_controls


ConfigOption = typer.Option(
    Path("config"), "--config", "-c", help="Config folder (scanner.yaml, accounts.yaml)."
)
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


def fail(message: str, code: int = ExitCode.USAGE) -> NoReturn:
    """Print one clear line (no traceback) and exit."""
    err_console.print(message, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def load_config_or_exit(config_dir: Path) -> Config:
    """The validated config, or every problem printed and exit 2."""

    try:
        config = load_config(config_dir, checks=CONFIG_CHECKS)
        AllowRules.load(config)  # reviewers' allow_rules.yaml is part of the config
        return config
    except ConfigError as exc:
        for problem in exc.problems:
            err_console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE) from None


def engine_or_exit(config: Config, *, migrate: bool = True) -> Engine:
    """The migrated database engine, or a clear message and exit 2."""
    try:
        return open_database(
            resolve_url(config.scanner.database.url, config.state_dir), migrate=migrate
        )
    except DatabaseError as exc:
        fail(str(exc))


def print_json(data: Any) -> None:
    """JSON to stdout (datetimes as ISO-8601)."""
    sys.stdout.write(json.dumps(data, default=_default, ensure_ascii=False, indent=2) + "\n")


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def setup_logging(verbose: bool = False, json_lines: bool = False) -> None:
    """Plain or JSON-lines logs on stderr."""
    handler = StderrHandler()
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    for noisy in ("presidio-analyzer", "vcr", "urllib3", "prawcore", "tweepy"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a record is emitted, so a handler installed while
    stderr was temporarily replaced (a test runner, a capture) never writes to a closed stream."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    @override
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class JsonFormatter(logging.Formatter):
    """One JSON object per log line."""

    @override
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("account", "event", "run_id"):
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            out["error"] = record.exc_info[0].__name__
        return json.dumps(out, ensure_ascii=False)
