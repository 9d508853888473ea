"""`scanner users add|list|disable|enable` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.store.engine import open_database
from scanner.web import users
from tests.support.config import write_config


@pytest.fixture
def cfg(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCANNER_DATABASE_URL", db_url)
    return write_config(tmp_path / "config")


def _run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), input=stdin)


def test_add_with_password_stdin_hashes_with_argon2_and_lists_without_hash(
    cfg: Path, db_url: str
) -> None:
    r = _run(
        "users",
        "add",
        "--email",
        "Grace@MVSD.k12.wa.us",
        "--role",
        "privacy_officer",
        "--password-stdin",
        "--config",
        str(cfg),
        stdin="a long enough secret\n",
    )
    assert r.exit_code == 0, r.output
    assert "a long enough secret" not in r.output
    engine = open_database(db_url)
    assert users.verify_password(engine, "grace@mvsd.k12.wa.us", "a long enough secret")
    assert users.verify_password(engine, "grace@mvsd.k12.wa.us", "wrong secret!!") is None
    from sqlmodel import Session, select

    from scanner.store import tables

    with Session(engine) as s:
        row = s.exec(select(tables.ConsoleUser)).one()
    assert row.password_hash and row.password_hash.startswith("$argon2id$")
    listed = _run("users", "list", "--json", "--config", str(cfg))
    data = json.loads(listed.stdout)
    assert data == [
        {
            "email": "grace@mvsd.k12.wa.us",
            "role": "privacy_officer",
            "disabled": False,
            "sign_in": "password",
            "last_login_at": data[0]["last_login_at"],
        }
    ]
    assert "argon2" not in listed.stdout
    engine.dispose()


def test_refusals_exit_2_with_one_line(cfg: Path) -> None:
    bad_role = _run(
        "users", "add", "--email", "a@mvsd.k12.wa.us", "--role", "root", "--config", str(cfg)
    )
    assert bad_role.exit_code == 2 and "unknown role" in bad_role.output
    short = _run(
        "users",
        "add",
        "--email",
        "a@mvsd.k12.wa.us",
        "--role",
        "admin",
        "--password-stdin",
        "--config",
        str(cfg),
        stdin="short\n",
    )
    assert short.exit_code == 2 and "shorter than" in short.output and "short\n" not in short.output
    ok = _run(
        "users", "add", "--email", "a@mvsd.k12.wa.us", "--role", "admin", "--config", str(cfg)
    )
    assert ok.exit_code == 0 and "OIDC" in ok.output
    dup = _run(
        "users", "add", "--email", "A@mvsd.k12.wa.us", "--role", "sponsor", "--config", str(cfg)
    )
    assert dup.exit_code == 2 and "already exists" in dup.output
    unknown = _run("users", "disable", "nobody@mvsd.k12.wa.us", "--config", str(cfg))
    assert unknown.exit_code == 2


def test_disable_and_enable(cfg: Path, db_url: str) -> None:
    _run(
        "users",
        "add",
        "--email",
        "s@mvsd.k12.wa.us",
        "--role",
        "sponsor",
        "--password-stdin",
        "--config",
        str(cfg),
        stdin="sponsor password 1\n",
    )
    assert _run("users", "disable", "s@mvsd.k12.wa.us", "--config", str(cfg)).exit_code == 0
    engine = open_database(db_url)
    assert users.verify_password(engine, "s@mvsd.k12.wa.us", "sponsor password 1") is None
    assert _run("users", "enable", "s@mvsd.k12.wa.us", "--config", str(cfg)).exit_code == 0
    assert users.verify_password(engine, "s@mvsd.k12.wa.us", "sponsor password 1")
    actions = [
        e["action"]
        for e in __import__("scanner.review.workflow", fromlist=["x"]).list_audit(engine)
    ]
    assert actions.count("user_changed") == 2 and "user_added" in actions
    engine.dispose()
    assert os.environ.get("SCANNER_DATABASE_URL")
