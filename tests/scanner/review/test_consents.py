"""The consent register: the import is validated whole (all rows or none), replaces the register
with an audit event, and never repeats a cell in its problems; listing by account."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.errors import ConfigError
from scanner.review.consents import import_consents, list_consents
from scanner.store import tables
from tests.support.config import write_config

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
ROSTER = """\
student_id,first_name,last_name,grade,school,directory_opt_out,media_consent
S-101,Maya,Chen,11,Jefferson High School,no,yes
S-102,Tyrone,Jackson,11,Jefferson High School,yes,yes
"""
HEADER = "student_id,account_id,granted_on,filed_at,expires_on\n"
GOOD = HEADER + "S-101,a,2026-09-01,Office binder,2027-06-30\nS-102,,2026-08-01,District file,\n"


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    folder = write_config(
        tmp_path / "c", scanner_extra="student_roster: students.csv\n", accounts=[{"id": "a"}]
    )
    (folder / "students.csv").write_text(ROSTER)
    return load_config(folder)


def write(tmp_path: Path, text: str, name: str = "consents.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ("Maya Chen,a,2026-09-01,binder,", "consents.csv: row 2.student_id: not a student id"),
        (",a,2026-09-01,binder,", "row 2.student_id: empty"),
        ("S-101,nope,2026-09-01,binder,", "row 2.account_id: not a registered account id"),
        ("S-101,a,09/01/2026,binder,", "row 2.granted_on: not a date; expected YYYY-MM-DD"),
        ("S-101,a,2027-01-01,binder,", "row 2.granted_on: in the future"),
        ("S-101,a,2026-09-01,,", "row 2.filed_at: empty"),
        ("S-101,a,2026-09-01,binder,Chen", "row 2.expires_on: not a date"),
        ("S-101,a,2026-09-01,binder,2026-08-01", "row 2.expires_on: before granted_on"),
        ("S-101,a,2026-09-01,binder,\nS-101,a,2026-09-02,b2,", "row 3.student_id: same student"),
    ],
)
def test_a_bad_row_rejects_the_whole_file_without_echoing_cells(
    cfg: Config, engine: Engine, tmp_path: Path, rows: str, problem: str
) -> None:
    path = write(tmp_path, GOOD + rows + "\n")
    import_consents(cfg, engine, write(tmp_path, GOOD, "good.csv"), actor="t", now=NOW)
    with pytest.raises(ConfigError) as caught:
        import_consents(cfg, engine, path, actor="t", now=NOW)
    text = str(caught.value)
    assert problem.replace("row 2", "row 4").replace("row 3", "row 5") in text
    for cell in ("Maya", "Chen", "nope", "09/01/2026"):
        assert cell not in text
    assert len(list_consents(cfg, engine, now=NOW)) == 2  # the register before: unchanged


def test_missing_columns_and_a_missing_roster_are_reported(
    cfg: Config, engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="missing columns filed_at, expires_on"):
        import_consents(
            cfg, engine, write(tmp_path, "student_id,account_id,granted_on\n"), actor="t"
        )
    no_roster = load_config(write_config(tmp_path / "plain"))
    with pytest.raises(ConfigError, match="student_roster: not set"):
        import_consents(no_roster, engine, write(tmp_path, GOOD), actor="t")


def test_import_replaces_the_register_and_is_audited(
    cfg: Config, engine: Engine, tmp_path: Path
) -> None:
    first = import_consents(cfg, engine, write(tmp_path, GOOD), actor="grace", now=NOW)
    assert (first.rows, first.replaced) == (2, 0)
    with Session(engine) as s:
        s.add(
            tables.FollowerCheckRow(account_id="a", next_check_at=datetime(2027, 1, 1, tzinfo=UTC))
        )
        s.commit()
    second = import_consents(
        cfg,
        engine,
        write(tmp_path, HEADER + "S-102,a,2026-08-01,Binder 2,\n"),
        actor="grace",
        now=NOW,
    )
    assert (second.rows, second.replaced) == (1, 2)
    rows = list_consents(cfg, engine, now=NOW)
    assert [(r["student_id"], r["account_id"], r["filed_at"]) for r in rows] == [
        ("S-102", "a", "Binder 2")
    ]
    with Session(engine) as s:
        events = s.exec(select(tables.AuditEvent).order_by(tables.AuditEvent.id)).all()
        check = s.get(tables.FollowerCheckRow, "a")
    assert [(e.action, e.actor, e.detail["rows"]) for e in events] == [
        ("consents_imported", "grace", 2),
        ("consents_imported", "grace", 1),
    ]
    assert check is not None and check.next_check_at == NOW  # due again: resolves on the check


def test_list_by_account_includes_all_account_consents_and_shows_expiry(
    cfg: Config, engine: Engine, tmp_path: Path
) -> None:
    text = GOOD + "S-102,a,2025-01-01,Old binder,2025-06-30\n"
    import_consents(cfg, engine, write(tmp_path, text), actor="t", now=NOW)
    rows = list_consents(cfg, engine, "a", now=NOW)
    assert [(r["student_id"], r["account_id"], r["status"]) for r in rows] == [
        ("S-101", "a", "valid"),
        ("S-102", None, "valid"),
        ("S-102", "a", "expired"),
    ]
    assert list_consents(cfg, engine, "other", now=NOW) == [rows[1]]
