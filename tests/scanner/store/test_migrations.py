"""The Alembic migrations build exactly the schema the SQLModel tables describe, on SQLite and
PostgreSQL, and a database from before the comment columns keeps its posts as posts."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from scanner.store import tables
from scanner.store.engine import alembic_config, make_engine, upgrade


def test_migrations_match_the_tables(engine: Engine) -> None:
    assert tables.PostRow  # the models are imported, so the metadata is complete
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_posts_stored_before_comments_existed_are_posts_by_the_account(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(
            text(
                "INSERT INTO account (id, platform, handle, site_name, school, sponsor_email,"
                " state, consecutive_failures, capped) VALUES ('a', 'x', 'h', '', '', '', '{}',"
                " 0, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO post (platform, external_id, account_id, url, created_at, deleted,"
                " text, raw, content_hash, first_seen_at, last_seen_at)"
                " VALUES ('x', '1', 'a', '', '2026-01-01', 0, 'hi', '{}', 'h', '2026-01-01',"
                " '2026-01-01')"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT kind, author_role, parent_external_id FROM post")).one()
    assert tuple(row) == ("post", "account", None)
    engine.dispose()
