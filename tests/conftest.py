"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable) and tmp config folders."""

from __future__ import annotations

import os
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from scanner.store.engine import open_database
from tests.smtp_server import smtp_server, tls_context, tls_files  # noqa: F401 - aiosmtpd fixtures

PG_ADMIN_URL = os.environ.get(
    "SCANNER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_available() -> bool:
    try:
        eng = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect():
            pass
        eng.dispose()
        return True
    except Exception:
        return False


PG_UP = _pg_available()
REQUIRE_PG = os.environ.get("CI") == "true" or os.environ.get("SCANNER_REQUIRE_PG") == "1"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    if not PG_UP:
        if REQUIRE_PG:
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required in CI but not reachable")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 not reachable")
    name = f"scanner_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _truncate(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in ("audit_event", "outbox", "finding", "post", "scan_run", "account"):
            conn.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL: a tmp SQLite file, or the session's PostgreSQL db."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scanner.db'}"
        return
    url = request.getfixturevalue("pg_database")
    engine = open_database(url)
    _truncate(engine)
    engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on `db_url`."""
    eng = open_database(db_url)
    yield eng
    eng.dispose()


ACCOUNT_YAML = """\
  - id: {id}
    platform: {platform}
    handle: "{handle}"
    site_name: {site_name}
    school: Jefferson High School
    admin_contact: {{name: Dana Parker, email: dparker@mvsd.k12.wa.us}}
    sponsor: {{name: Luis Ortega, email: {sponsor}}}
"""


def write_config(
    folder: Path,
    *,
    scanner_extra: str = "",
    accounts: list[dict[str, str]] | None = None,
    accounts_yaml: str | None = None,
) -> Path:
    """A minimal valid config folder; `accounts` entries override id/platform/handle/etc."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scanner.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            district_name: Maple Valley School District
            timezone: America/Los_Angeles
            district_domains: [mvsd.k12.wa.us, maplevalleysd.org]
            privacy_officer: {name: Grace Kim, email: privacy@mvsd.k12.wa.us}
            mail: {transport: file, folder: outbox, from: scanner@mvsd.k12.wa.us}
            """
        )
        + scanner_extra
    )
    if accounts_yaml is None:
        rows = accounts or [{}]
        body = "".join(
            ACCOUNT_YAML.format(
                **{
                    "id": f"acct-{i}",
                    "platform": "reddit",
                    "handle": f"r/club{i}",
                    "site_name": f"Club {i}",
                    "sponsor": f"sponsor{i}@mvsd.k12.wa.us",
                    **row,
                }
            )
            for i, row in enumerate(rows)
        )
        accounts_yaml = "version: 1\naccounts:\n" + body
    (folder / "accounts.yaml").write_text(accounts_yaml)
    return folder


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A minimal valid config folder with one reddit account `acct-0`."""
    return write_config(tmp_path / "config")
