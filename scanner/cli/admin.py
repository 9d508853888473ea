"""Admin commands: `config check`, `init`, `accounts list|add|import`, `db upgrade`."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from ruamel.yaml import YAML

from scanner.cli.common import (
    CONFIG_CHECKS,
    ConfigOption,
    ExitCode,
    JsonOption,
    console,
    engine_or_exit,
    err_console,
    fail,
    load_config_or_exit,
    print_json,
)
from scanner.config.loader import load_config, missing_secrets
from scanner.config.schema import ACCOUNTS_FILE
from scanner.errors import ConfigError

INIT_TEMPLATES = Path(__file__).parents[1] / "data" / "init"
IMPORT_COLUMNS = (
    "id",
    "platform",
    "handle",
    "site_name",
    "school",
    "admin_name",
    "admin_email",
    "sponsor_name",
    "sponsor_email",
)
OPTIONAL_COLUMNS = ("district_officer", "profile_disclaimer_counts", "interval", "cron", "feed_url")

config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True)
accounts_app = typer.Typer(
    help="Manage the account registry (accounts.yaml).", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@config_app.command("check")
def config_check(config_dir: Path = ConfigOption) -> None:
    """Validate scanner.yaml, accounts.yaml and the CSVs, and resolve every secret the live
    accounts and the mail transport need; list every problem (exit 2)."""
    config = load_config_or_exit(config_dir)
    missing = missing_secrets(config)
    if missing:
        for problem in missing:
            err_console.print(str(problem), soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE)
    console.print(
        f"{config.dir}: ok — {len(config.accounts)} accounts, detectors: "
        f"{', '.join(n for n, s in config.detectors.items() if s.enabled) or 'none'}",
        soft_wrap=True,
    )


def init(folder: Path = typer.Argument(..., help="Folder to create.")) -> None:
    """Write a commented example config folder to start from."""
    if folder.exists() and any(folder.iterdir()):
        fail(f"{folder}: not empty; choose a new folder")
    shutil.copytree(INIT_TEMPLATES, folder, dirs_exist_ok=True)
    console.print(
        f"Wrote an example config to {folder}. Edit it, then run "
        f"`scanner config check --config {folder}`."
    )


@accounts_app.command("list")
def accounts_list(config_dir: Path = ConfigOption, as_json: bool = JsonOption) -> None:
    """The registered accounts."""
    config = load_config_or_exit(config_dir)
    rows = [a.model_dump(mode="json", by_alias=True, exclude_none=True) for a in config.accounts]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} registered accounts")
    for col in ("id", "platform", "handle", "site_name", "school", "sponsor", "officer"):
        table.add_column(col)
    for a in config.accounts:
        table.add_row(
            a.id,
            a.platform,
            a.handle,
            a.site_name,
            a.school,
            a.sponsor.email,
            "yes" if a.district_officer else "",
        )
    console.print(table)


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _append_accounts(config_dir: Path, new: list[dict[str, Any]]) -> None:
    """Append accounts to accounts.yaml (comments kept) only if the result validates."""
    path = config_dir / ACCOUNTS_FILE
    y = _yaml()
    data = y.load(path.read_text(encoding="utf-8"))
    if data.get("accounts") is None:
        data["accounts"] = []
    data["accounts"].extend(new)
    try:  # validated where it will live, so relative paths (replay:) resolve as they will
        load_config(config_dir, checks=CONFIG_CHECKS, accounts_data=data)
    except ConfigError as exc:
        for problem in exc.problems:
            console.print(str(problem), markup=False, highlight=False)
        fail(f"{path}: not changed")
    fd, tmp = tempfile.mkstemp(prefix=".accounts-", suffix=".yaml", dir=config_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            y.dump(data, fh)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        fail(f"{path}: not changed ({exc.strerror})")


@accounts_app.command("add")
def accounts_add(
    account_id: str = typer.Option(..., "--id"),
    platform: str = typer.Option(..., "--platform"),
    handle: str = typer.Option(..., "--handle"),
    site_name: str = typer.Option(..., "--site-name"),
    admin_name: str = typer.Option(..., "--admin-name"),
    admin_email: str = typer.Option(..., "--admin-email"),
    sponsor_name: str = typer.Option(..., "--sponsor-name"),
    sponsor_email: str = typer.Option(..., "--sponsor-email"),
    school: str = typer.Option("", "--school"),
    feed_url: str = typer.Option(None, "--feed-url"),
    district_officer: bool = typer.Option(False, "--district-officer"),
    interval: str = typer.Option(None, "--interval", help="Scan interval, e.g. 30m."),
    cron: str = typer.Option(None, "--cron", help='Crontab schedule, e.g. "0 7-17 * * 1-5".'),
    config_dir: Path = ConfigOption,
) -> None:
    """Register one account (policy item 1)."""
    load_config_or_exit(config_dir)
    entry: dict[str, Any] = {
        "id": account_id,
        "platform": platform,
        "handle": handle,
        "site_name": site_name,
        "school": school,
        "admin_contact": {"name": admin_name, "email": admin_email},
        "sponsor": {"name": sponsor_name, "email": sponsor_email},
    }
    if feed_url:
        entry["feed_url"] = feed_url
    if district_officer:
        entry["district_officer"] = True
    for key, value in (("interval", interval), ("cron", cron)):
        if value:
            entry[key] = value
    _append_accounts(config_dir, [entry])
    console.print(f"registered {account_id}")


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "y")


@accounts_app.command("import")
def accounts_import(
    csv_file: Path = typer.Argument(..., help=f"CSV with columns {','.join(IMPORT_COLUMNS)}"),
    config_dir: Path = ConfigOption,
) -> None:
    """Register many accounts from a CSV; all rows or none."""
    load_config_or_exit(config_dir)
    try:
        with csv_file.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                fail(
                    f"{csv_file.name}: missing columns {', '.join(missing)}; expected "
                    f"{','.join(IMPORT_COLUMNS)}"
                )
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:  # csv.Error: e.g. a 128 KB field
        fail(f"{csv_file.name}: cannot read ({str(exc)[:120]})")
    new = []
    for row in rows:
        entry: dict[str, Any] = {
            "id": row["id"],
            "platform": row["platform"],
            "handle": row["handle"],
            "site_name": row["site_name"],
            "school": row["school"],
            "admin_contact": {"name": row["admin_name"], "email": row["admin_email"]},
            "sponsor": {"name": row["sponsor_name"], "email": row["sponsor_email"]},
        }
        for key in OPTIONAL_COLUMNS:
            if row.get(key):
                entry[key] = _flag(row[key]) if key in OPTIONAL_COLUMNS[:2] else row[key]
        new.append(entry)
    _append_accounts(config_dir, new)
    console.print(f"registered {len(new)} accounts")


@db_app.command("upgrade")
def db_upgrade(config_dir: Path = ConfigOption) -> None:
    """Apply database migrations (scan, run and demo do this automatically)."""
    config = load_config_or_exit(config_dir)
    engine = engine_or_exit(config)
    console.print(f"database at head: {engine.url.render_as_string(hide_password=True)}")


def register(app: typer.Typer) -> None:
    """Attach the admin commands to the main app."""
    app.add_typer(config_app, name="config")
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(db_app, name="db")
    app.command("init")(init)
