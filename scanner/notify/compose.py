"""Steps 1 and 2 of `scanner.notify.send`: resolution notices and grouping due items into e-mails.

`Composer` queues a digest item for each auto-resolved finding whose sponsor alert already went
out, and groups due outbox items into rows of kind "email" (immediate: one per recipient and
account, threaded; digest: one per recipient at the district's `digest_time`), each with its
rendered subject and bodies and a Message-ID derived from the row. Items are attached with a
conditional UPDATE, so a concurrent notifier that lost the race rolls back (see `scanner.notify.send`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Update, and_, func, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from scanner.config.schema import Config
from scanner.notify import render
from scanner.notify.render import AlertItem
from scanner.store import tables
from scanner.store.engine import rowcount, session_scope

log = logging.getLogger("scanner.notify")  # the notifier logs under one name, whichever step

Outbox, Finding, AuditEvent = tables.Outbox, tables.FindingRow, tables.AuditEvent

MAX_REFERENCES = 10


def outbox_update() -> Update:
    """A bulk UPDATE of outbox rows; conditions decide, the session's objects are not synced."""
    return update(Outbox).execution_options(synchronize_session=False)


def make_message_id(outbox_id: int, dedupe_key: str, created_at: datetime, domain: str) -> str:
    """A Message-ID derived from the e-mail row, unique across databases (creation time)."""
    seed = f"{outbox_id}\x1f{dedupe_key}\x1f{created_at.isoformat()}"
    return f"<alert.{outbox_id}.{hashlib.sha256(seed.encode()).hexdigest()[:16]}@{domain}>"


class _Conflict(Exception):
    """Another notifier grouped some of these items first."""


class Composer:
    """Queues resolution notices and composes due items into e-mail rows."""

    def __init__(
        self, config: Config, engine: Engine, *, now: Callable[[], datetime] = tables.utcnow
    ):
        self.config = config
        self.engine = engine
        self.now = now
        self.tz = ZoneInfo(config.scanner.timezone)
        self.domain = config.scanner.mail.sender.rsplit("@", 1)[1]

    def digest_slot(self, now: datetime) -> datetime:
        """The latest digest time (district timezone) at or before `now`, in UTC."""
        at = time.fromisoformat(self.config.scanner.notifications.digest_time)
        local = now.astimezone(self.tz)
        slot = datetime.combine(local.date(), at, tzinfo=self.tz)
        if slot > local:
            slot = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=self.tz)
        return slot.astimezone(UTC)

    def next_digest_at(self, now: datetime) -> datetime:
        """The first digest time after `now`, in UTC."""
        at = time.fromisoformat(self.config.scanner.notifications.digest_time)
        day = self.digest_slot(now).astimezone(self.tz).date() + timedelta(days=1)
        return datetime.combine(day, at, tzinfo=self.tz).astimezone(UTC)

    # --- step 1: resolution notices ------------------------------------------------------

    def queue_resolution_notices(self) -> int:
        """One digest item per auto-resolved finding whose sponsor alert was already composed;
        returns how many were queued (0 when a concurrent notifier queued them first)."""
        now = self.now()
        queued = 0
        notice = aliased(Outbox)
        has_notice = (
            select(notice.id)
            .where(notice.finding_id == Finding.id, col(notice.dedupe_key).like("resolved:%"))
            .exists()
        )
        auto = (
            select(AuditEvent.id)
            .where(AuditEvent.finding_id == Finding.id, AuditEvent.action == "auto_resolved")
            .exists()
        )
        query = (
            select(Outbox, Finding)
            .join(Finding, col(Finding.id) == col(Outbox.finding_id))
            .where(Finding.status == "resolved", auto, ~has_notice)
            .where(Outbox.kind == "item", col(Outbox.dedupe_key).like("item:%"))
            .where(col(Outbox.email_id).is_not(None))
            .order_by(col(Outbox.id))
        )
        try:
            with session_scope(self.engine) as s:
                for item, finding in s.exec(query).all():
                    if item.payload.get("role") != "sponsor":
                        continue
                    s.add(self._notice(item, finding, now))
                    queued += 1
        except (IntegrityError, OperationalError) as exc:  # a concurrent notifier queued them
            log.info("resolution notices left to another notifier (%s)", type(exc).__name__)
            return 0
        return queued

    def _notice(
        self,
        item: tables.Outbox,
        finding: tables.FindingRow,
        now: datetime,
        email_id: int | None = None,
    ) -> tables.Outbox:
        """A digest item saying `finding` was resolved, queued as of its resolution."""
        queued = min(finding.updated_at, now) if finding.updated_at else now
        return Outbox(
            dedupe_key=f"resolved:{finding.id}:{item.recipient}"[:200],
            recipient=item.recipient,
            kind="item",
            delivery="digest",
            finding_id=finding.id,
            email_id=email_id,
            created_at=now,
            next_attempt_at=queued,
            payload={
                **item.payload,
                "resolved": True,
                "resolved_reason": finding.resolved_reason or "resolved",
            },
        )

    # --- step 2: compose -----------------------------------------------------------------

    def compose(self, *, digest_now: bool = False) -> int:
        """Group due items into e-mail rows (one transaction; a lost race rolls back); returns
        how many e-mails were created (0 when nothing was due or the race was lost)."""
        now = self.now()
        cutoff = now if digest_now else self.digest_slot(now)
        queued = func.coalesce(Outbox.next_attempt_at, Outbox.created_at)
        query = (
            select(Outbox)
            .where(
                Outbox.kind == "item", col(Outbox.email_id).is_(None), col(Outbox.dead_at).is_(None)
            )
            .where(
                or_(
                    and_(col(Outbox.delivery) == "immediate", queued <= now),
                    and_(col(Outbox.delivery) != "immediate", queued <= cutoff),
                )
            )
            .order_by(col(Outbox.id))
            .with_for_update(skip_locked=True)
        )
        created = 0
        try:
            with session_scope(self.engine) as s:
                items = list(s.exec(query).all())
                if not items:
                    return 0
                ids = [i.finding_id for i in items if i.finding_id is not None]
                findings = {
                    f.id: f for f in s.exec(select(Finding).where(col(Finding.id).in_(ids)))
                }
                auto = set(
                    s.exec(
                        select(AuditEvent.finding_id).where(
                            AuditEvent.action == "auto_resolved",
                            col(AuditEvent.finding_id).in_(ids),
                        )
                    ).all()
                )
                groups: dict[tuple[str, str, str], list[tables.Outbox]] = {}
                for item in items:
                    immediate = item.delivery == "immediate"
                    account = str(item.payload.get("account_id", "")) if immediate else ""
                    key = (item.recipient, "immediate" if immediate else "digest", account)
                    groups.setdefault(key, []).append(item)
                for (recipient, delivery, account), group in groups.items():
                    self._create_email(s, recipient, delivery, account, group, findings, auto, now)
                    created += 1
        except (_Conflict, IntegrityError, OperationalError) as exc:
            log.warning("composing skipped this time (%s); items stay queued", type(exc).__name__)
            return 0
        return created

    def _create_email(
        self,
        s: Session,
        recipient: str,
        delivery: str,
        account: str,
        group: list[tables.Outbox],
        findings: dict[int | None, tables.FindingRow],
        auto: set[int | None],
        now: datetime,
    ) -> None:
        email = Outbox(
            dedupe_key=f"email:{min(i.id or 0 for i in group)}:{recipient}"[:200],
            recipient=recipient,
            kind="email",
            delivery=delivery,
            created_at=now,
            next_attempt_at=now,
            payload={},
        )
        s.add(email)
        s.flush()
        assert email.id is not None
        message_id = make_message_id(email.id, email.dedupe_key, now, self.domain)
        in_reply_to, references = (
            self._thread(s, recipient, account) if delivery == "immediate" else (None, [])
        )
        alert_items = []
        for item in group:
            finding = findings.get(item.finding_id)
            status = finding.status if finding is not None else "open"
            reason = finding.resolved_reason if finding is not None else None
            alert_items.append(AlertItem(item.finding_id, item.payload, status, reason))
        rendered = render.render(self.config, recipient, delivery, alert_items)
        email.message_id = message_id
        email.payload = {
            "subject": rendered.subject,
            "text": rendered.text,
            "html": rendered.html,
            "message_id": message_id,
            "in_reply_to": in_reply_to,
            "references": references,
            "thread_account": account or None,
            "item_ids": [i.id for i in group],
            "finding_ids": sorted({i.finding_id for i in group if i.finding_id is not None}),
            "account_ids": sorted({str(i.payload.get("account_id", "")) for i in group}),
            "counts": rendered.counts,
        }
        s.add(email)
        done = s.execute(
            outbox_update()
            .where(col(Outbox.id).in_([i.id for i in group]), col(Outbox.email_id).is_(None))
            .values(email_id=email.id)
        )
        if rowcount(done) != len(group):
            raise _Conflict()
        for item in group:  # an alert that already says "resolved" needs no later notice
            finding = findings.get(item.finding_id)
            if (
                finding is not None
                and item.payload.get("role") == "sponsor"
                and not item.payload.get("resolved")
                and finding.status == "resolved"
                and finding.id in auto
            ):
                s.add(self._notice(item, finding, now, email_id=email.id))

    def _thread(self, s: Session, recipient: str, account: str) -> tuple[str | None, list[str]]:
        """In-Reply-To and References: the previous immediate alert to `recipient` on `account`."""
        previous = s.exec(
            select(func.max(Outbox.email_id))
            .join(Finding, col(Finding.id) == col(Outbox.finding_id))
            .where(Outbox.kind == "item", Outbox.delivery == "immediate")
            .where(Outbox.recipient == recipient, Finding.account_id == account)
            .where(col(Outbox.email_id).is_not(None))
        ).one()
        row = s.get(Outbox, previous) if previous is not None else None
        if row is None or not row.message_id:
            return None, []
        refs = [*row.payload.get("references", []), row.message_id]
        if len(refs) > MAX_REFERENCES:
            refs = refs[:1] + refs[-(MAX_REFERENCES - 1) :]
        return row.message_id, refs
