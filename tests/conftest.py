"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable), tmp config folders, the
SMTP server, and the session-wide district and student-PII detector (spaCy + Presidio).

The builders and fakes these fixtures use live in `tests/support/`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from scanner.records import District
from scanner.store.engine import open_database
from tests.support.config import write_config
from tests.support.database import PG_ADMIN_URL, REQUIRE_PG, pg_available, truncate
from tests.support.paths import DATA
from tests.support.smtp_server import smtp_server, tls_context, tls_files  # noqa: F401 - fixtures

PG_UP = pg_available()


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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL: a tmp SQLite file, or the session's PostgreSQL db."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scanner.db'}"
        return
    url = request.getfixturevalue("pg_database")
    engine = open_database(url)
    truncate(engine)
    engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on `db_url`."""
    eng = open_database(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A minimal valid config folder with one reddit account `acct-0`."""
    return write_config(tmp_path / "config")


@pytest.fixture(scope="session")
def fixture_district() -> District:
    """Maple Valley School District: staff directory and official contacts from tests/data."""
    from detectors.pii.fit import district_from_folder  # loads spaCy: only for PII tests

    return district_from_folder(DATA / "district")


@pytest.fixture(scope="session")
def pii_detector(fixture_district: District) -> Any:
    """One StudentPiiDetector with default settings, built once (spaCy + Presidio take seconds)
    and shared by every test that asks for it; such tests are marked `slow`."""
    from detectors.pii import StudentPiiDetector  # spaCy loads only when a test needs it

    return StudentPiiDetector(StudentPiiDetector.Settings(), fixture_district)
