"""Leases: which worker scans which due account (and, via the same helpers, sends which e-mail).

SKIP LOCKED on PostgreSQL, one conditional UPDATE on SQLite; an unreleased lease expires.
One lease condition for accounts and e-mails (`lease_free`, `lease_to`, `released`).
Design: docs/architecture.md, "scanner.store — leases".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import col

from scanner.store.tables import AccountRow, Outbox

DEFAULT_LEASE_SECONDS = 900
#: The rows that workers lease: due accounts (scans) and due e-mails (the notifier).
Leased = type[AccountRow] | type[Outbox]


def lease_free(model: Leased, now: datetime) -> ColumnElement[bool]:
    """SQL condition: the row holds no lease, or its lease ran out (a worker died)."""
    until = col(model.lease_until)
    return or_(until.is_(None), until <= now)


def lease_to(worker: str, until: datetime) -> dict[str, Any]:
    """Column values that give the row's lease to `worker` until `until`."""
    return {"lease_owner": worker, "lease_until": until}


def released() -> dict[str, Any]:
    """Column values of a row without a lease."""
    return {"lease_owner": None, "lease_until": None}


def due_conditions(now: datetime) -> list[ColumnElement[bool]]:
    """SQL conditions of a due account: next scan and retry time reached, not capped, no lease."""
    next_scan_at, retry_at = col(AccountRow.next_scan_at), col(AccountRow.retry_at)
    return [
        or_(next_scan_at.is_(None), next_scan_at <= now),
        or_(retry_at.is_(None), retry_at <= now),
        col(AccountRow.capped) == false(),
        lease_free(AccountRow, now),
    ]


def _due_ids(now: datetime, limit: int, exclude: Collection[str]) -> Select[str]:
    stmt = select(col(AccountRow.id)).where(*due_conditions(now))
    if exclude:
        stmt = stmt.where(col(AccountRow.id).not_in(list(exclude)))
    return stmt.order_by(
        col(AccountRow.next_scan_at).asc().nulls_first(), col(AccountRow.id)
    ).limit(limit)


def claim_due_accounts(
    engine: Engine,
    worker: str,
    limit: int,
    lease_seconds: float,
    now: datetime,
    *,
    exclude: Collection[str] = (),
) -> list[str]:
    """Lease up to `limit` due accounts to `worker` until now + lease_seconds; their ids.

    `exclude` lists account ids never to claim (disabled or no longer registered).
    The most overdue are chosen first (never-scanned before all others); ids come back sorted.
    """
    if limit <= 0:
        return []
    until = now + timedelta(seconds=lease_seconds)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            ids = list(
                conn.execute(_due_ids(now, limit, exclude).with_for_update(skip_locked=True))
                .scalars()
                .all()
            )
            if ids:
                conn.execute(
                    update(AccountRow)
                    .where(col(AccountRow.id).in_(ids))
                    .values(**lease_to(worker, until))
                )
            return sorted(ids)
        # SQLite: one statement that starts as a write (no read-then-upgrade race), so the
        # database's single write lock makes the check and the claim atomic.
        sub = _due_ids(now, limit, exclude).scalar_subquery()
        rows = conn.execute(
            update(AccountRow)
            .where(col(AccountRow.id).in_(sub))
            .values(**lease_to(worker, until))
            .returning(col(AccountRow.id))
        )
        return sorted(rows.scalars().all())


def renew_lease(
    engine: Engine, account_id: str, worker: str, lease_seconds: float, now: datetime
) -> bool:
    """Extend `worker`'s lease on an account; False when the lease was lost to another worker."""
    with engine.begin() as conn:
        result = conn.execute(
            update(AccountRow)
            .where(col(AccountRow.id) == account_id, col(AccountRow.lease_owner) == worker)
            .values(lease_until=now + timedelta(seconds=lease_seconds))
        )
        return result.rowcount == 1


def release_account(
    engine: Engine, account_id: str, worker: str, *, next_scan_at: datetime | None = None
) -> bool:
    """Give up `worker`'s lease (optionally setting the next scan time); False if not held."""
    values: dict[str, Any] = released()
    if next_scan_at is not None:
        values["next_scan_at"] = next_scan_at
    with engine.begin() as conn:
        result = conn.execute(
            update(AccountRow)
            .where(col(AccountRow.id) == account_id, col(AccountRow.lease_owner) == worker)
            .values(**values)
        )
        return result.rowcount == 1


def release_all(engine: Engine, worker: str) -> int:
    """Release every lease `worker` holds (clean shutdown); how many were released."""
    with engine.begin() as conn:
        result = conn.execute(
            update(AccountRow).where(col(AccountRow.lease_owner) == worker).values(**released())
        )
        return result.rowcount


def sync_accounts(engine: Engine, accounts: Iterable[Any]) -> set[str]:
    """Create missing AccountRow rows for registered accounts (due at once); return ids to exclude.

    `accounts` are `AccountConfig`s. The returned set holds ids stored in the database that are
    disabled or no longer registered: the scheduler passes it to `claim_due_accounts`.
    Safe to run from several workers at once (insert … on conflict do nothing).
    """
    enabled = {a.id: a for a in accounts if a.enabled}
    with engine.begin() as conn:
        stored = set(conn.execute(select(col(AccountRow.id))).scalars().all())
        missing = [
            {
                "id": a.id,
                "platform": a.platform,
                "handle": a.handle,
                "site_name": a.site_name,
                "school": a.school,
                "sponsor_email": a.sponsor.email,
                "state": {},
                "consecutive_failures": 0,
                "capped": False,
            }
            for key, a in enabled.items()
            if key not in stored
        ]
        insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        for start in range(0, len(missing), 1000):
            conn.execute(
                insert(AccountRow).on_conflict_do_nothing(index_elements=["id"]),
                missing[start : start + 1000],
            )
    return stored - set(enabled)
