"""E-mail alerts: outbox items → e-mails → delivered at least once, never as two different messages.

The scan pipeline writes one `Outbox` row of kind "item" per (finding, recipient) in the scan
transaction. `Notifier.run()` then:

1. **queues resolution notices** – a finding the pipeline auto-resolved (status "resolved",
   AuditEvent "auto_resolved") after its sponsor's alert went out gets one more digest item
   (dedupe key `resolved:<finding>:<sponsor>`), so the sponsor's next digest lists it under
   "Resolved since the last digest". A finding already resolved when its alert is composed is
   marked as such in that alert (and gets the same dedupe row, so it is not mentioned twice);
2. **composes** due items into rows of kind "email": immediate items at once, one e-mail per
   (recipient, account); digest items once a day — an item is due at the first `digest_time`
   (district timezone) after it was queued, or at once with `digest_now=True` — one digest per
   recipient, grouped by account. The e-mail row holds the rendered subject, text and HTML and
   its Message-ID, derived from the row (id, dedupe key, creation time) and never changed.
   Items are attached with `UPDATE … WHERE email_id IS NULL` (and `SELECT … FOR UPDATE SKIP
   LOCKED` on PostgreSQL): a concurrent notifier that lost the race rolls back, so every item
   lands in exactly one e-mail. Immediate alerts about the same account to the same recipient
   form a thread (In-Reply-To / References of the previous one);
3. **sends** due e-mail rows one at a time: *claim* (lease: `lease_owner`, `lease_until`, the
   attempt counted; SKIP LOCKED on PostgreSQL, a conditional UPDATE everywhere), *send*, *mark
   sent* (`sent_at`, the items' `sent_at`, an AuditEvent "alert_sent") in a new transaction.

What the e-mails say is `scanner.alerts` (Jinja2 templates in scanner/templates); how they
leave is `scanner.mailer` (SMTP or .eml files).

Failures (see `scanner.mailer` for which are permanent): a transient one sets `next_attempt_at`
to now + tenacity's `wait_exponential` (1 min, doubling, at most 6 h) — nothing sleeps inside a
run; a permanent one (5xx to the message), or the `mail.max_attempts`-th failure, dead-letters
the row (`dead_at`, `last_error`), visible in `scanner notify --status` and re-queued with
`--retry-dead`.

**Ambiguous sends.** If the process dies after the server accepted a message but before the
row was marked sent, the row keeps its expired lease and no `sent_at`; a later run claims it
again and re-sends *the same message*: same Message-ID, Date, body and MIME boundary. Receiving
systems that dedupe on Message-ID, and every mail client's threading, show it once; the file
transport writes the same file name (derived from the row), so the retry overwrites instead of
adding a copy. Delivery is at-least-once, never "twice with different IDs". A row whose
attempts ran out without any recorded outcome (a crash loop) is dead-lettered at its next claim.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import tenacity
from sqlalchemy import and_, func, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from scanner import alerts, models
from scanner.alerts import AlertItem
from scanner.config import Config
from scanner.db import session_scope
from scanner.mailer import SendError, Transport, build_transport, eml_name

log = logging.getLogger(__name__)

Outbox, Finding, AuditEvent = models.Outbox, models.Finding, models.AuditEvent

BACKOFF = tenacity.wait_exponential(multiplier=60, min=60, max=6 * 3600)
MAX_REFERENCES = 10


@dataclass
class NotifyResult:
    """What one `Notifier.run()` did."""

    emails_created: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    resolution_notices: int = 0

    def to_dict(self) -> dict[str, int]:
        """JSON-ready counts."""
        return asdict(self)


@dataclass(frozen=True)
class EmailStatus:
    """One unsent e-mail row as `scanner notify --status` shows it."""

    id: int
    recipient: str
    delivery: str
    subject: str
    state: str  # pending | sending | retrying | dead
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    dead_at: datetime | None
    last_error: str | None
    message_id: str | None


@dataclass
class StatusReport:
    """Unsent e-mails and the items still waiting to be grouped into one."""

    emails: list[EmailStatus] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    next_digest_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "emails": [asdict(e) for e in self.emails],
            "waiting_items": self.waiting,
            "next_digest_at": self.next_digest_at,
        }


@dataclass(frozen=True)
class _Claimed:
    id: int
    recipient: str
    delivery: str
    payload: dict[str, Any]
    message_id: str
    created_at: datetime
    attempts: int


class _Conflict(Exception):
    """Another notifier grouped some of these items first."""


def _update() -> Any:
    """A bulk UPDATE of outbox rows; conditions decide, the session's objects are not synced."""
    return update(Outbox).execution_options(synchronize_session=False)


def retry_delay(attempt: int) -> timedelta:
    """Back-off after the `attempt`-th failure: tenacity's exponential wait (60 s, 120 s, …)."""
    state = tenacity.RetryCallState(tenacity.Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    return timedelta(seconds=BACKOFF(state))


def make_message_id(outbox_id: int, dedupe_key: str, created_at: datetime, domain: str) -> str:
    """A Message-ID derived from the e-mail row, unique across databases (creation time)."""
    seed = f"{outbox_id}\x1f{dedupe_key}\x1f{created_at.isoformat()}"
    return f"<alert.{outbox_id}.{hashlib.sha256(seed.encode()).hexdigest()[:16]}@{domain}>"


class Notifier:
    """Groups due outbox items into e-mails and sends due e-mails (see the module docstring)."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        *,
        worker: str = "notifier",
        now: Callable[[], datetime] = models.utcnow,
        transport: Transport | None = None,
    ):
        self.config = config
        self.engine = engine
        self.worker = worker
        self.now = now
        self.transport = transport
        self.tz = ZoneInfo(config.scanner.timezone)
        mail = config.scanner.mail
        self.domain = mail.sender.rsplit("@", 1)[1]
        self.lease = timedelta(seconds=6 * mail.timeout_seconds + 60)

    # --- public API ----------------------------------------------------------------------

    def run(self, *, digest_now: bool = False) -> NotifyResult:
        """Queue resolution notices, compose due e-mails, send due e-mails; return counts."""
        result = NotifyResult()
        self.queue_resolution_notices(result)
        self.compose(result, digest_now=digest_now)
        self.send_due(result)
        return result

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

    def status(self) -> StatusReport:
        """Unsent e-mails (pending, sending, retrying, dead) and items awaiting grouping."""
        now = self.now()
        report = StatusReport(next_digest_at=self.next_digest_at(now))
        with Session(self.engine) as s:
            rows = s.exec(
                select(Outbox)
                .where(Outbox.kind == "email", Outbox.sent_at.is_(None))  # type: ignore[union-attr]
                .order_by(Outbox.id)  # type: ignore[arg-type]
            ).all()
            for r in rows:
                if r.dead_at is not None:
                    state = "dead"
                elif r.lease_until is not None and r.lease_until > now:
                    state = "sending"
                else:
                    state = "retrying" if r.attempts else "pending"
                report.emails.append(
                    EmailStatus(
                        r.id or 0,
                        r.recipient,
                        r.delivery,
                        r.payload.get("subject", ""),
                        state,
                        r.attempts,
                        r.created_at,
                        r.next_attempt_at,
                        r.dead_at,
                        r.last_error,
                        r.message_id,
                    )  # fmt: skip
                )
            waiting = s.exec(
                select(Outbox.recipient, Outbox.delivery, func.count())
                .where(Outbox.kind == "item", Outbox.email_id.is_(None))  # type: ignore[union-attr]
                .group_by(Outbox.recipient, Outbox.delivery)
                .order_by(Outbox.recipient)
            ).all()
        report.waiting = [
            {"recipient": rcpt, "delivery": delivery, "items": n} for rcpt, delivery, n in waiting
        ]
        return report

    def retry_dead(self, ids: Sequence[int] | None = None) -> int:
        """Give dead-lettered e-mails (all, or these ids) a fresh set of attempts."""
        stmt = (
            _update()
            .where(Outbox.kind == "email", Outbox.dead_at.is_not(None), Outbox.sent_at.is_(None))  # type: ignore[union-attr]
            .values(
                dead_at=None,
                attempts=0,
                next_attempt_at=self.now(),
                lease_until=None,
                lease_owner=None,
            )  # fmt: skip
        )
        if ids is not None:
            stmt = stmt.where(Outbox.id.in_(list(ids)))  # type: ignore[union-attr]
        with session_scope(self.engine) as s:
            return s.execute(stmt).rowcount  # type: ignore[attr-defined]

    # --- step 1: resolution notices ------------------------------------------------------

    def queue_resolution_notices(self, result: NotifyResult) -> None:
        """One digest item per auto-resolved finding whose sponsor alert was already composed."""
        now = self.now()
        notice = aliased(Outbox)
        has_notice = (
            select(notice.id)
            .where(notice.finding_id == Finding.id, notice.dedupe_key.like("resolved:%"))  # type: ignore[attr-defined]
            .exists()
        )
        auto = (
            select(AuditEvent.id)
            .where(AuditEvent.finding_id == Finding.id, AuditEvent.action == "auto_resolved")
            .exists()
        )
        query = (
            select(Outbox, Finding)
            .join(Finding, Finding.id == Outbox.finding_id)  # type: ignore[arg-type]
            .where(Finding.status == "resolved", auto, ~has_notice)
            .where(Outbox.kind == "item", Outbox.dedupe_key.like("item:%"))  # type: ignore[attr-defined]
            .where(Outbox.email_id.is_not(None))  # type: ignore[union-attr]
            .order_by(Outbox.id)  # type: ignore[arg-type]
        )
        try:
            with session_scope(self.engine) as s:
                for item, finding in s.exec(query).all():
                    if item.payload.get("role") != "sponsor":
                        continue
                    s.add(self._notice(item, finding, now))
                    result.resolution_notices += 1
        except (IntegrityError, OperationalError) as exc:  # a concurrent notifier queued them
            result.resolution_notices = 0
            log.info("resolution notices left to another notifier (%s)", type(exc).__name__)

    def _notice(
        self,
        item: models.Outbox,
        finding: models.Finding,
        now: datetime,
        email_id: int | None = None,
    ) -> models.Outbox:
        """A digest item saying `finding` was resolved, queued as of its resolution."""
        queued = min(finding.updated_at, now) if finding.updated_at else now
        return Outbox(
            dedupe_key=f"resolved:{finding.id}:{item.recipient}"[:200],
            recipient=item.recipient, kind="item", delivery="digest", finding_id=finding.id,
            email_id=email_id, created_at=now, next_attempt_at=queued,
            payload={**item.payload, "resolved": True,
                     "resolved_reason": finding.resolved_reason or "resolved"},
        )  # fmt: skip

    # --- step 2: compose -----------------------------------------------------------------

    def compose(self, result: NotifyResult, *, digest_now: bool = False) -> None:
        """Group due items into e-mail rows (one transaction; a lost race rolls back)."""
        now = self.now()
        cutoff = now if digest_now else self.digest_slot(now)
        queued = func.coalesce(Outbox.next_attempt_at, Outbox.created_at)
        query = (
            select(Outbox)
            .where(Outbox.kind == "item", Outbox.email_id.is_(None), Outbox.dead_at.is_(None))  # type: ignore[union-attr]
            .where(
                or_(
                    and_(Outbox.delivery == "immediate", queued <= now),
                    and_(Outbox.delivery != "immediate", queued <= cutoff),
                )
            )
            .order_by(Outbox.id)  # type: ignore[arg-type]
            .with_for_update(skip_locked=True)
        )
        created = 0
        try:
            with session_scope(self.engine) as s:
                items = list(s.exec(query).all())
                if not items:
                    return
                ids = [i.finding_id for i in items if i.finding_id is not None]
                findings = {
                    f.id: f
                    for f in s.exec(select(Finding).where(Finding.id.in_(ids)))  # type: ignore[union-attr]
                }
                auto = set(
                    s.exec(
                        select(AuditEvent.finding_id).where(
                            AuditEvent.action == "auto_resolved",
                            AuditEvent.finding_id.in_(ids),  # type: ignore[union-attr]
                        )
                    ).all()
                )
                groups: dict[tuple[str, str, str], list[models.Outbox]] = {}
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
            return
        result.emails_created += created

    def _create_email(
        self,
        s: Session,
        recipient: str,
        delivery: str,
        account: str,
        group: list[models.Outbox],
        findings: dict[int | None, models.Finding],
        auto: set[int | None],
        now: datetime,
    ) -> None:
        email = Outbox(
            dedupe_key=f"email:{min(i.id or 0 for i in group)}:{recipient}"[:200],
            recipient=recipient, kind="email", delivery=delivery, created_at=now,
            next_attempt_at=now, payload={},
        )  # fmt: skip
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
        rendered = alerts.render(self.config, recipient, delivery, alert_items)
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
            _update()
            .where(Outbox.id.in_([i.id for i in group]), Outbox.email_id.is_(None))  # type: ignore[union-attr]
            .values(email_id=email.id)
        )
        if done.rowcount != len(group):  # type: ignore[attr-defined]
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
            .join(Finding, Finding.id == Outbox.finding_id)  # type: ignore[arg-type]
            .where(Outbox.kind == "item", Outbox.delivery == "immediate")
            .where(Outbox.recipient == recipient, Finding.account_id == account)
            .where(Outbox.email_id.is_not(None))  # type: ignore[union-attr]
        ).one()
        row = s.get(Outbox, previous) if previous is not None else None
        if row is None or not row.message_id:
            return None, []
        refs = [*row.payload.get("references", []), row.message_id]
        if len(refs) > MAX_REFERENCES:
            refs = refs[:1] + refs[-(MAX_REFERENCES - 1) :]
        return row.message_id, refs

    # --- step 3: send --------------------------------------------------------------------

    def send_due(self, result: NotifyResult) -> None:
        """Claim, send and mark every due e-mail row, one at a time."""
        transport = self.transport or build_transport(self.config)
        seen: set[int] = set()
        try:
            while True:
                claimed = self._claim(seen, result)
                if claimed is None:
                    break
                if claimed is False:
                    continue
                seen.add(claimed.id)
                try:
                    message = alerts.build_message(
                        self.config,
                        recipient=claimed.recipient,
                        message_id=claimed.message_id,
                        created_at=claimed.created_at,
                        payload=claimed.payload,
                    )
                    transport.send(message, key=eml_name(claimed.id, claimed.message_id))
                except SendError as exc:
                    self._record_failure(claimed, exc, result)
                    continue
                except Exception as exc:  # noqa: BLE001 - a bug must not stop other e-mails
                    log.debug("unexpected error sending e-mail %d", claimed.id, exc_info=True)
                    self._record_failure(claimed, SendError(f"unexpected {type(exc).__name__}"), result)  # fmt: skip
                    continue
                self._mark_sent(claimed, result)
        finally:
            transport.close()

    def _claim(self, seen: set[int], result: NotifyResult) -> _Claimed | None | bool:
        """Lease the next due e-mail row; None when none is left, False after a lost race."""
        now = self.now()
        due = and_(
            Outbox.kind == "email",
            Outbox.sent_at.is_(None),  # type: ignore[union-attr]
            Outbox.dead_at.is_(None),  # type: ignore[union-attr]
            or_(Outbox.next_attempt_at.is_(None), Outbox.next_attempt_at <= now),  # type: ignore[union-attr,operator]
            or_(Outbox.lease_until.is_(None), Outbox.lease_until < now),  # type: ignore[union-attr,operator]
        )
        query = select(Outbox).where(due).order_by(Outbox.id).limit(1)  # type: ignore[arg-type]
        if seen:
            query = query.where(Outbox.id.not_in(seen))  # type: ignore[union-attr]
        max_attempts = self.config.scanner.mail.max_attempts
        with session_scope(self.engine) as s:
            row = s.exec(query.with_for_update(skip_locked=True)).first()
            if row is None:
                return None
            assert row.id is not None
            seen.add(row.id)
            stmt = _update().where(Outbox.id == row.id, due)
            if row.attempts >= max_attempts:  # earlier attempts ended without any outcome
                error = f"gave up after {row.attempts} attempts without a recorded outcome"
                done = s.execute(stmt.values(dead_at=now, last_error=error, lease_owner=None,
                                             lease_until=None, next_attempt_at=None))  # fmt: skip
                if done.rowcount == 1:  # type: ignore[attr-defined]
                    result.dead += 1
                    log.warning("e-mail %d to %s dead-lettered: %s", row.id, row.recipient, error)
                return False
            done = s.execute(
                stmt.values(
                    lease_owner=self.worker,
                    lease_until=now + self.lease,
                    attempts=Outbox.attempts + 1,
                )  # fmt: skip
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                return False
            return _Claimed(row.id, row.recipient, row.delivery, dict(row.payload),
                            row.message_id or "", row.created_at, row.attempts + 1)  # fmt: skip

    def _mark_sent(self, c: _Claimed, result: NotifyResult) -> None:
        now = self.now()
        with session_scope(self.engine) as s:
            done = s.execute(
                _update()
                .where(Outbox.id == c.id, Outbox.sent_at.is_(None))  # type: ignore[union-attr]
                .values(sent_at=now, lease_owner=None, lease_until=None, last_error=None)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                return  # another worker's retry of the same message was marked first
            s.execute(
                _update().where(Outbox.kind == "item", Outbox.email_id == c.id).values(sent_at=now)
            )
            findings = c.payload.get("finding_ids", [])
            accounts = c.payload.get("account_ids", [])
            s.add(
                AuditEvent(
                    at=now,
                    actor=self.worker,
                    action="alert_sent",
                    finding_id=findings[0] if len(findings) == 1 else None,
                    account_id=accounts[0] if len(accounts) == 1 else None,
                    detail={
                        "outbox_id": c.id,
                        "recipient": c.recipient,
                        "delivery": c.delivery,
                        "message_id": c.message_id,
                        "finding_ids": findings,
                        "attempt": c.attempts,
                    },
                )  # fmt: skip
            )
        result.sent += 1
        log.info("e-mail %d sent to %s (%s)", c.id, c.recipient, c.message_id)

    def _record_failure(self, c: _Claimed, exc: SendError, result: NotifyResult) -> None:
        now = self.now()
        max_attempts = self.config.scanner.mail.max_attempts
        dead = exc.permanent or c.attempts >= max_attempts
        values: dict[str, Any] = {
            "last_error": f"attempt {c.attempts}: {exc}",
            "lease_owner": None,
            "lease_until": None,
        }
        if dead:
            values |= {"dead_at": now, "next_attempt_at": None}
        else:
            values["next_attempt_at"] = now + retry_delay(c.attempts)
        with session_scope(self.engine) as s:
            s.execute(
                _update()
                .where(Outbox.id == c.id, Outbox.sent_at.is_(None))  # type: ignore[union-attr]
                .values(**values)
            )
            if dead:
                s.add(
                    AuditEvent(
                        at=now,
                        actor=self.worker,
                        action="alert_dead_lettered",
                        detail={
                            "outbox_id": c.id,
                            "recipient": c.recipient,
                            "error": values["last_error"],
                        },
                    )  # fmt: skip
                )
        if dead:
            result.dead += 1
            log.error("e-mail %d to %s dead-lettered: %s", c.id, c.recipient, exc)
        else:
            result.failed += 1
            log.warning(
                "e-mail %d to %s failed (attempt %d of %d), retry after %s: %s",
                c.id, c.recipient, c.attempts, max_attempts,
                values["next_attempt_at"].isoformat(timespec="seconds"), exc,
            )  # fmt: skip
