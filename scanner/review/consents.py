"""The consent register (policy item 3): written parental permission for a student to follow
an account, imported from the district's CSV and listed.

`import_consents` validates the whole file first (roster ids, registered accounts, dates) and
then REPLACES the register in one transaction, with an audit event: the CSV is the district's
list of permissions on file, so a row left out is a permission withdrawn. A problem is reported
as `file: row N.column: what; expected …` and never repeats a cell (a shifted column can put a
student's name anywhere). Importing makes every account's follower check due again, so findings
of students whose permission is now on file are resolved by the next check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from scanner.config.district import read_csv
from scanner.config.schema import Config
from scanner.errors import ConfigError, Problem
from scanner.store import tables
from scanner.store.engine import session_scope

COLUMNS = ("student_id", "account_id", "granted_on", "filed_at", "expires_on")
ALL_ACCOUNTS = ("", "*", "all")  # an empty account_id (or * / all): every account
FILED_AT_LIMIT = 500


@dataclass(frozen=True)
class Consent:
    """One validated row of the consent CSV."""

    student_id: str
    account_id: str | None
    granted_on: date
    filed_at: str
    expires_on: date | None


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (counts only)."""

    source: str
    rows: int
    replaced: int  # rows the register held before


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_consents(path: Path, config: Config, today: date) -> list[Consent]:
    """Every row of the consent CSV, or ConfigError listing every problem at once."""
    problems: list[Problem] = []
    name = path.name
    if config.district.roster is None:
        problems.append(
            Problem(
                "scanner.yaml",
                "student_roster",
                "not set; consents name roster students",
                "a student roster CSV",
            )
        )
    rows = read_csv(path, "consents", COLUMNS, problems)
    if problems:
        raise ConfigError(problems)
    students = {e.student_id for e in config.district.roster or ()}
    accounts = {a.id for a in config.accounts}
    out: list[Consent] = []
    seen: dict[tuple[str, str | None], int] = {}
    for i, row in enumerate(rows, 2):

        def problem(column: str, what: str, expected: str, i: int = i) -> None:
            problems.append(Problem(name, f"row {i}.{column}", what, expected))

        sid = row["student_id"]
        if not sid:
            problem("student_id", "empty", "a student_id of the roster")
        elif sid not in students:
            problem("student_id", "not a student id of the roster", "a student_id of the roster")
        account: str | None = row["account_id"]
        if (account or "").lower() in ALL_ACCOUNTS:
            account = None
        elif account not in accounts:
            problem(
                "account_id",
                "not a registered account id",
                "an id from accounts.yaml, or empty for all accounts",
            )
        granted = _date(row["granted_on"])
        if granted is None:
            problem("granted_on", "not a date", "YYYY-MM-DD")
        elif granted > today:
            problem("granted_on", "in the future", "the date the permission was given")
        filed = row["filed_at"]
        if not filed:
            problem("filed_at", "empty", "where the written permission is filed")
        elif len(filed) > FILED_AT_LIMIT:
            problem("filed_at", f"longer than {FILED_AT_LIMIT} characters", "a short location")
        expires: date | None = None
        if row["expires_on"]:
            expires = _date(row["expires_on"])
            if expires is None:
                problem("expires_on", "not a date", "YYYY-MM-DD, or empty for no expiry")
            elif granted is not None and expires < granted:
                problem("expires_on", "before granted_on", "a date on or after granted_on")
        key = (sid, account)
        if sid and key in seen:
            problem("student_id", f"same student and account as row {seen[key]}", "one row each")
        seen.setdefault(key, i)
        if granted is not None and sid:
            out.append(Consent(sid, account, granted, filed, expires))
    if problems:
        raise ConfigError(problems)
    return out


def import_consents(
    config: Config,
    engine: Engine,
    path: Path,
    *,
    actor: str,
    now: datetime | None = None,
) -> ImportSummary:
    """Validate `path`, then replace the register with it (audited); all rows or none."""
    now = now or tables.utcnow()
    consents = parse_consents(path, config, now.astimezone(config.district.timezone).date())
    with session_scope(engine) as s:
        before = len(s.exec(select(tables.ConsentRow.id)).all())
        s.execute(delete(tables.ConsentRow))
        s.add_all(
            tables.ConsentRow(
                student_id=c.student_id,
                account_id=c.account_id,
                granted_on=c.granted_on,
                filed_at=c.filed_at,
                expires_on=c.expires_on,
                imported_at=now,
                source=path.name[:300],
            )
            for c in consents
        )
        s.add(
            tables.AuditEvent(
                at=now,
                actor=actor or "cli",
                action="consents_imported",
                detail={"source": path.name, "rows": len(consents), "replaced": before},
            )
        )
        # students whose permission is now on file: the next follower check resolves them
        s.execute(update(tables.FollowerCheckRow).values(next_check_at=now))
    return ImportSummary(path.name, len(consents), before)


def consent_status(row: tables.ConsentRow, today: date) -> str:
    """valid | expired | not yet (granted in the future)."""
    if row.granted_on > today:
        return "not yet"
    if row.expires_on is not None and row.expires_on < today:
        return "expired"
    return "valid"


def list_consents(
    config: Config, engine: Engine, account: str | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The register as JSON-ready rows (`account`: that account's and all-account consents)."""
    today = (now or tables.utcnow()).astimezone(config.district.timezone).date()
    c = tables.ConsentRow
    # all-account rows first on every database (PostgreSQL sorts NULL last, SQLite first)
    q = select(c).order_by(
        col(c.student_id), col(c.account_id).is_not(None), col(c.account_id), col(c.id)
    )
    if account is not None:
        q = q.where(or_(col(c.account_id) == account, col(c.account_id).is_(None)))
    with Session(engine) as s:
        return [
            {
                "student_id": r.student_id,
                "account_id": r.account_id,
                "granted_on": r.granted_on.isoformat(),
                "filed_at": r.filed_at,
                "expires_on": r.expires_on.isoformat() if r.expires_on else None,
                "status": consent_status(r, today),
                "imported_at": r.imported_at.isoformat(),
                "source": r.source,
            }
            for r in s.exec(q).all()
        ]
