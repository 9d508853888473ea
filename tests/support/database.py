"""The test databases: the PostgreSQL server of the test run and emptying a migrated database."""

from __future__ import annotations

import os

import sqlalchemy as sa
from sqlalchemy.engine import Engine

PG_ADMIN_URL = os.environ.get(
    "SCANNER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("CI") == "true" or os.environ.get("SCANNER_REQUIRE_PG") == "1"


def pg_available() -> bool:
    """Whether the PostgreSQL server at PG_ADMIN_URL answers."""
    try:
        eng = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect():
            pass
        eng.dispose()
        return True
    except Exception:
        return False


def truncate(engine: Engine) -> None:
    """Delete every row the scanner wrote (the schema stays)."""
    with engine.begin() as conn:
        for table in (
            "attestation",
            "console_user",
            "audit_event",
            "outbox",
            "finding",
            "post",
            "scan_run",
            "account",
        ):
            conn.execute(sa.text(f"DELETE FROM {table}"))
        for table in ("consent", "follower_check"):  # the consent register (policy item 3)
            conn.execute(sa.text(f"DELETE FROM {table}"))
