"""`scanner users add|list|disable|enable`: console users (argon2 passwords or OIDC only)."""

from __future__ import annotations

import sys
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
from scanner.errors import ConsoleError
from scanner.web import users

users_app = typer.Typer(help="Review-console users and their roles.", no_args_is_help=True)
ROLES = ", ".join(r.value for r in users.Role)


@users_app.command("add")
def add(
    email: str = typer.Option(..., "--email", help="The user's e-mail (their sign-in name)."),
    role: str = typer.Option(..., "--role", help=ROLES),
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Read a password from the first line of stdin (else: district sign-in only).",
    ),
    config_dir: Path = ConfigOption,
) -> None:
    """Add a console user."""
    config = load_config_or_exit(config_dir)
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("--password-stdin: no password on stdin")
    engine = engine_or_exit(config)
    try:
        user = users.add_user(engine, email, role, password, actor="cli")
    except ConsoleError as exc:
        fail(str(exc))
    how = "password" if user.local else "district account (OIDC) only"
    console.print(f"added {user.email} as {user.role.value} ({how})", markup=False)


@users_app.command("list")
def list_cmd(config_dir: Path = ConfigOption, as_json: bool = JsonOption) -> None:
    """Every console user (never a password hash)."""
    engine = engine_or_exit(load_config_or_exit(config_dir))
    rows = [
        {
            "email": u.email,
            "role": u.role.value,
            "disabled": u.disabled,
            "sign_in": "password" if u.local else "oidc",
            "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
        }
        for u in users.list_users(engine)
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} console users")
    for col in ("email", "role", "sign_in", "disabled", "last_login_at"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["email"]),
            str(r["role"]),
            str(r["sign_in"]),
            "yes" if r["disabled"] else "",
            str(r["last_login_at"] or "never"),
        )
    console.print(table)


def _set_disabled(email: str, config_dir: Path, disabled: bool) -> None:
    engine = engine_or_exit(load_config_or_exit(config_dir))
    try:
        user = users.update_user(engine, email, actor="cli", disabled=disabled)
    except ConsoleError as exc:
        fail(str(exc))
    console.print(f"{user.email} is {'disabled' if disabled else 'enabled'}", markup=False)


@users_app.command("disable")
def disable(
    email: str = typer.Argument(..., help="The user's e-mail."), config_dir: Path = ConfigOption
) -> None:
    """Disable a user: their sessions end at the next request."""
    _set_disabled(email, config_dir, True)


@users_app.command("enable")
def enable(
    email: str = typer.Argument(..., help="The user's e-mail."), config_dir: Path = ConfigOption
) -> None:
    """Enable a disabled user again."""
    _set_disabled(email, config_dir, False)


def register(app: typer.Typer) -> None:
    """Add `users` to the app."""
    app.add_typer(users_app, name="users")
