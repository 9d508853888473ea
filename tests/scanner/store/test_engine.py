"""The database engine: a new SQLite database and its WAL files are private to their owner."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from scanner.errors import DatabaseError
from scanner.store.engine import open_database


def test_new_sqlite_database_and_wal_are_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "state" / "scanner.db"
    engine = open_database(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE account SET cursor = NULL"))
    files = [p for p in db.parent.iterdir() if p.name.startswith("scanner.db")]
    assert {p.name for p in files} >= {"scanner.db"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    engine.dispose()


def test_a_file_where_the_database_folder_should_be_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("not a folder")
    with pytest.raises(DatabaseError, match="cannot create"):
        open_database(f"sqlite:///{tmp_path / 'state' / 'scanner.db'}")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://scanner:hunter2secret@db.example:abc/scanner",  # port not a number
        "not a url hunter2secret",
    ],
    ids=["non-numeric port", "no scheme"],
)
def test_a_bad_database_url_is_one_clear_error_without_the_password(url: str) -> None:
    with pytest.raises(DatabaseError, match="not a valid database URL") as caught:
        open_database(url)
    assert "hunter2secret" not in str(caught.value)
