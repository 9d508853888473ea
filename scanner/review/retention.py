"""Retention (`scanner purge` and the scheduler): blank old post text and decided-finding detail.

Refuses, changing nothing, when the settings would delete detail of a still-open finding.
Design: docs/architecture.md, "scanner.review — retention".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, exists, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from scanner.config.schema import Config
from scanner.errors import RetentionError
from scanner.store import tables
from scanner.store.engine import session_scope

DECIDED = ("confirmed", "dismissed", "resolved")
#: Audit detail keys that carry no free text and are kept after the detail expires.
KEEP_KEYS = frozenset(
    {
        "from",
        "to",
        "reopen",
        "rule_id",
        "allow_rule",
        "detector",
        "category",
        "match",
        "severity",
        "kind",
        "role",
    }
)
PURGED_MARK = '%"purged":%'
BATCH = 500


@dataclass
class PurgeResult:
    """What a purge blanked (or, with dry_run, would blank)."""

    dry_run: bool
    now: datetime
    post_cutoff: datetime | None = None
    finding_cutoff: datetime | None = None
    posts_purged: int = 0
    posts_by_account: Counter[str] = field(default_factory=Counter)
    posts_kept_open: int = 0
    findings_scrubbed: int = 0
    audit_events_scrubbed: int = 0
    outbox_scrubbed: int = 0

    @property
    def total(self) -> int:
        """Rows changed (or to be changed)."""
        return (
            self.posts_purged
            + self.findings_scrubbed
            + self.audit_events_scrubbed
            + self.outbox_scrubbed
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts (also the detail of the `purge` audit event)."""
        return {
            "dry_run": self.dry_run,
            "post_cutoff": self.post_cutoff.isoformat() if self.post_cutoff else None,
            "finding_cutoff": self.finding_cutoff.isoformat() if self.finding_cutoff else None,
            "posts_purged": self.posts_purged,
            "posts_by_account": dict(sorted(self.posts_by_account.items())),
            "posts_kept_open": self.posts_kept_open,
            "findings_scrubbed": self.findings_scrubbed,
            "audit_events_scrubbed": self.audit_events_scrubbed,
            "outbox_scrubbed": self.outbox_scrubbed,
        }


def _has_open_finding() -> Any:
    return exists().where(
        (col(tables.FindingRow.post_id) == col(tables.PostRow.id))
        & (tables.FindingRow.status == "open")
    )


def _post_due(cutoff: datetime) -> Any:
    posted = func.coalesce(tables.PostRow.edited_at, tables.PostRow.created_at)
    not_yet = or_(
        col(tables.PostRow.text_purged_at).is_(None),
        col(tables.PostRow.last_seen_at) > col(tables.PostRow.text_purged_at),
    )
    return (posted < cutoff) & not_yet


def check(config: Config, engine: Engine, now: datetime | None = None) -> None:
    """Raise RetentionError when `finding_days` would expire detail of open findings."""
    days = config.scanner.retention.finding_days
    if days is None:
        return
    cutoff = (now or tables.utcnow()) - timedelta(days=days)
    with Session(engine) as s:
        n, oldest = s.exec(
            select(func.count(), func.min(tables.FindingRow.id))
            .where(tables.FindingRow.status == "open")
            .where(col(tables.FindingRow.created_at) < cutoff)
        ).one()
    if n:
        raise RetentionError(
            f"retention.finding_days is {days} but {n} open finding(s) are older than that "
            f"(e.g. #{oldest}); review them or raise finding_days — nothing was purged"
        )


def purge(
    config: Config, engine: Engine, *, dry_run: bool = False, now: datetime | None = None
) -> PurgeResult:
    """Apply the retention config (see module docstring); `dry_run` only counts."""
    now = now or tables.utcnow()
    retention = config.scanner.retention
    result = PurgeResult(dry_run=dry_run, now=now)
    check(config, engine, now)
    with session_scope(engine) as s:
        if retention.post_text_days is not None:
            result.post_cutoff = now - timedelta(days=retention.post_text_days)
            _purge_posts(s, result, result.post_cutoff, now, dry_run)
        if retention.finding_days is not None:
            result.finding_cutoff = now - timedelta(days=retention.finding_days)
            _scrub_findings(s, result, result.finding_cutoff, dry_run)
            _scrub_audit(s, result, result.finding_cutoff, now, dry_run)
            _scrub_outbox(s, result, result.finding_cutoff, dry_run)
        if not dry_run and result.total:
            s.add(tables.AuditEvent(at=now, action="purge", detail=result.to_dict()))
    return result


def _purge_posts(
    s: Session, result: PurgeResult, cutoff: datetime, now: datetime, dry_run: bool
) -> None:
    due = _post_due(cutoff)
    result.posts_kept_open = s.exec(
        select(func.count()).select_from(tables.PostRow).where(due & _has_open_finding())
    ).one()
    rows = s.exec(
        select(tables.PostRow.id, tables.PostRow.account_id).where(due & ~_has_open_finding())
    ).all()
    result.posts_purged = len(rows)
    result.posts_by_account = Counter(account for _, account in rows)
    if dry_run:
        return
    ids = [pid for pid, _ in rows]
    for i in range(0, len(ids), BATCH):
        s.exec(
            update(tables.PostRow)
            .where(col(tables.PostRow.id).in_(ids[i : i + BATCH]))
            .values(text="", raw={}, text_purged_at=now)
        )


def _scrub_findings(s: Session, result: PurgeResult, cutoff: datetime, dry_run: bool) -> None:
    where = (
        col(tables.FindingRow.status).in_(DECIDED)
        & (col(tables.FindingRow.updated_at) < cutoff)
        & or_(col(tables.FindingRow.masked_excerpt) != "", col(tables.FindingRow.note).is_not(None))
    )
    result.findings_scrubbed = s.exec(
        select(func.count()).select_from(tables.FindingRow).where(where)
    ).one()
    if not dry_run and result.findings_scrubbed:
        s.exec(update(tables.FindingRow).where(where).values(masked_excerpt="", note=None))


def _scrub_audit(
    s: Session, result: PurgeResult, cutoff: datetime, now: datetime, dry_run: bool
) -> None:
    where = (
        (col(tables.AuditEvent.at) < cutoff)
        & (tables.AuditEvent.action != "purge")
        & ~cast(tables.AuditEvent.detail, Text).like(PURGED_MARK)
    )
    result.audit_events_scrubbed = s.exec(
        select(func.count()).select_from(tables.AuditEvent).where(where)
    ).one()
    if dry_run:
        return
    stamp = now.date().isoformat()
    for event in s.exec(select(tables.AuditEvent).where(where)).all():
        kept = {k: v for k, v in (event.detail or {}).items() if k in KEEP_KEYS}
        event.detail = kept | {"purged": stamp}
        s.add(event)


def _scrub_outbox(s: Session, result: PurgeResult, cutoff: datetime, dry_run: bool) -> None:
    done = or_(col(tables.Outbox.sent_at) < cutoff, col(tables.Outbox.dead_at) < cutoff)
    still_open = exists().where(
        (col(tables.FindingRow.id) == col(tables.Outbox.finding_id))
        & (tables.FindingRow.status == "open")
    )
    where = done & (cast(tables.Outbox.payload, Text) != "{}") & ~still_open
    result.outbox_scrubbed = s.exec(
        select(func.count()).select_from(tables.Outbox).where(where)
    ).one()
    if not dry_run and result.outbox_scrubbed:
        s.exec(update(tables.Outbox).where(where).values(payload={}))
