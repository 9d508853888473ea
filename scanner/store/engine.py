"""Database engine, sessions and migrations (SQLite by default, PostgreSQL at scale)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event, inspect
from sqlalchemy.engine import CursorResult, Engine, Result, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlmodel import Session, create_engine

from scanner.errors import DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"
ENV_URL = "SCANNER_DATABASE_URL"


def safe_url(url: str) -> str:
    """The URL with its password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return "<invalid database URL>"


def resolve_url(configured: str | None, state_dir: Path) -> str:
    """SCANNER_DATABASE_URL wins over `database.url`, which defaults to SQLite `scanner.db` in
    the state folder (a relative SQLite path is relative to it); postgresql:// uses psycopg 3."""
    url = os.environ.get(ENV_URL) or configured or "sqlite:///scanner.db"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        name = url.removeprefix("sqlite:///")
        if name and name != ":memory:" and not name.startswith(":"):
            url = f"sqlite:///{(state_dir / name).resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600) before SQLite does: it holds
    post text with students' names, and SQLite gives its -wal/-shm files the same mode."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise DatabaseError(f"database: cannot create {path} ({exc.strerror})") from None


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their folder, WAL mode and a busy timeout."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # never echoed: the URL may hold a password
        raise DatabaseError(
            "database: the URL (database.url or SCANNER_DATABASE_URL) is not a valid database "
            "URL; expected e.g. postgresql://user@host:5432/name or sqlite:///scanner.db"
        ) from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": 10}
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseError(f"database: {safe_url(url)}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> AlembicConfig:
    """A programmatic Alembic config bound to `engine` (no alembic.ini needed)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Apply all migrations; raises DatabaseError when the database is unreachable."""
    try:
        with engine.begin() as conn:
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot connect"
        raise DatabaseError(
            f"database: {safe_url(str(engine.url))}: cannot connect ({reason})"
        ) from None
    except SQLAlchemyError as exc:  # the driver's first line: never the SQL or its parameters
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
        raise DatabaseError(f"database: {safe_url(str(engine.url))}: {reason[:200]}") from None


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """Engine for `url`, migrated to head unless `migrate` is False."""
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    else:
        check(engine)
    return engine


def check(engine: Engine) -> None:
    """Raise DatabaseError unless the database answers and has the schema."""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("finding"):
                raise DatabaseError(
                    f"database: {safe_url(str(engine.url))}: no scanner tables yet; "
                    "run `scanner db upgrade` (or `scanner scan`) first"
                )
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot connect"
        raise DatabaseError(
            f"database: {safe_url(str(engine.url))}: cannot connect ({reason})"
        ) from None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any exception."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE run by `Session.execute` matched (the session's hints promise
    a plain `Result`; for those statements it is a `CursorResult`)."""
    assert isinstance(result, CursorResult)
    return result.rowcount
