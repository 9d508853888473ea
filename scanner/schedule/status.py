"""`scanner status`: each account's last and next scan, errors, rate-limit state, lease, backlog."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from scanner.config.schema import Config
from scanner.store import tables


@dataclass
class AccountStatus:
    """One account as the service sees it. Backlog = open findings + unsent outbox items."""

    id: str
    platform: str
    site_name: str
    registered: bool
    enabled: bool
    last_scan_at: datetime | None = None
    last_success_at: datetime | None = None
    next_scan_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    retry_at: datetime | None = None
    capped: bool = False
    lease_owner: str | None = None
    lease_until: datetime | None = None
    open_findings: int = 0
    unsent_outbox: int = 0
    quarantined_posts: int = 0  # stored, not yet scanned: a detector failed or the budget ran out

    @property
    def backlog(self) -> int:
        """Open findings plus notification items not yet sent."""
        return self.open_findings + self.unsent_outbox

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (datetimes stay datetimes; `print_json` writes ISO-8601)."""
        return asdict(self) | {"backlog": self.backlog}


def account_status(
    config: Config, engine: Engine, now: datetime | None = None
) -> list[AccountStatus]:
    """Every registered account (and any stored account no longer registered), registry order."""
    now = now or tables.utcnow()
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(tables.core_table(tables.AccountRow)))}
        open_findings: dict[str, int] = dict(
            conn.execute(
                select(col(tables.FindingRow.account_id), func.count())
                .where(col(tables.FindingRow.status) == "open")
                .group_by(col(tables.FindingRow.account_id))
            ).all()
        )
        quarantined: dict[str, int] = dict(
            conn.execute(
                select(col(tables.PostRow.account_id), func.count())
                .where(col(tables.PostRow.scanned_hash).is_(None))
                .group_by(col(tables.PostRow.account_id))
            ).all()
        )
        unsent: dict[str, int] = dict(
            conn.execute(
                select(col(tables.FindingRow.account_id), func.count())
                .select_from(tables.Outbox)
                .join(tables.FindingRow, col(tables.FindingRow.id) == col(tables.Outbox.finding_id))
                .where(
                    col(tables.Outbox.kind) == "item",
                    col(tables.Outbox.sent_at).is_(None),
                    col(tables.Outbox.dead_at).is_(None),
                )
                .group_by(col(tables.FindingRow.account_id))
            ).all()
        )
    out: list[AccountStatus] = []
    registered = {a.id: a for a in config.accounts}
    for account_id in [a.id for a in config.accounts] + sorted(set(rows) - set(registered)):
        acc, row = registered.get(account_id), rows.get(account_id)
        known = acc or row  # every id listed is registered, stored, or both
        assert known is not None
        st = AccountStatus(
            id=account_id,
            platform=known.platform,
            site_name=known.site_name,
            registered=acc is not None,
            enabled=bool(acc and acc.enabled),
            open_findings=open_findings.get(account_id, 0),
            unsent_outbox=unsent.get(account_id, 0),
            quarantined_posts=quarantined.get(account_id, 0),
        )
        if row is not None:
            for key in (
                "last_scan_at",
                "last_success_at",
                "next_scan_at",
                "last_error",
                "consecutive_failures",
                "retry_at",
                "capped",
            ):
                setattr(st, key, getattr(row, key))
            lease_until = _utc(row.lease_until)
            if row.lease_owner and lease_until is not None and lease_until > now:
                st.lease_owner, st.lease_until = row.lease_owner, lease_until
            for key in ("last_scan_at", "last_success_at", "next_scan_at", "retry_at"):
                setattr(st, key, _utc(getattr(st, key)))
        out.append(st)
    return out


def _utc(value: datetime | None) -> datetime | None:
    """Core selects of UTCDateTime columns already return aware datetimes; this is a guard."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
