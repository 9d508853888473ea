"""E-mail alerts: claim due e-mail rows with a lease, send, mark sent; retry or dead-letter.

Delivery is at least once, never as two different messages (a re-send after a crash is the same
message, same Message-ID). Design: docs/architecture.md, "scanner.notify".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import tenacity
from sqlalchemy import and_, or_
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from scanner.config.schema import Config
from scanner.errors import SendError, code_locations
from scanner.notify import render
from scanner.notify.compose import MAX_REFERENCES, Composer, make_message_id, outbox_update
from scanner.notify.status import EmailStatus, StatusReport, unsent_report
from scanner.notify.transports import Transport, build_transport, eml_name
from scanner.store import tables
from scanner.store.engine import rowcount, session_scope
from scanner.store.leases import lease_free, lease_to, released

__all__ = [
    "BACKOFF",
    "MAX_REFERENCES",
    "EmailStatus",
    "NotifyResult",
    "Notifier",
    "StatusReport",
    "make_message_id",
    "retry_delay",
]

log = logging.getLogger(__name__)


BACKOFF = tenacity.wait_exponential(multiplier=60, min=60, max=6 * 3600)


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
class _Claimed:
    id: int
    recipient: str
    delivery: str
    payload: dict[str, Any]
    message_id: str
    created_at: datetime
    attempts: int


def retry_delay(attempt: int) -> timedelta:
    """Back-off after the `attempt`-th failure: tenacity's exponential wait (60 s, 120 s, …)."""
    state = tenacity.RetryCallState(tenacity.Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    return timedelta(seconds=BACKOFF(state))


class Notifier:
    """Groups due outbox items into e-mails and sends due e-mails (see the module docstring)."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        *,
        worker: str = "notifier",
        now: Callable[[], datetime] = tables.utcnow,
        transport: Transport | None = None,
    ):
        self.config = config
        self.engine = engine
        self.worker = worker
        self.now = now
        self.transport = transport
        self.composer = Composer(config, engine, now=now)
        self.tz, self.domain = self.composer.tz, self.composer.domain
        self.lease = timedelta(seconds=6 * config.scanner.mail.timeout_seconds + 60)

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
        return self.composer.digest_slot(now)

    def next_digest_at(self, now: datetime) -> datetime:
        """The first digest time after `now`, in UTC."""
        return self.composer.next_digest_at(now)

    def status(self) -> StatusReport:
        """Unsent e-mails (pending, sending, retrying, dead) and items awaiting grouping."""
        now = self.now()
        return unsent_report(self.engine, now, self.next_digest_at(now))

    def retry_dead(self, ids: Sequence[int] | None = None) -> int:
        """Give dead-lettered e-mails (all, or these ids) a fresh set of attempts."""
        stmt = (
            outbox_update()
            .where(
                col(tables.Outbox.kind) == "email",
                col(tables.Outbox.dead_at).is_not(None),
                col(tables.Outbox.sent_at).is_(None),
            )
            .values(
                dead_at=None,
                attempts=0,
                next_attempt_at=self.now(),
                **released(),
            )
        )
        if ids is not None:
            stmt = stmt.where(col(tables.Outbox.id).in_(list(ids)))
        with session_scope(self.engine) as s:
            return rowcount(s.execute(stmt))

    # --- steps 1 and 2 (scanner.notify.compose) ----------------------------------------------

    def queue_resolution_notices(self, result: NotifyResult) -> None:
        """One digest item per auto-resolved finding whose sponsor alert was already composed."""
        result.resolution_notices += self.composer.queue_resolution_notices()

    def compose(self, result: NotifyResult, *, digest_now: bool = False) -> None:
        """Group due items into e-mail rows (one transaction; a lost race rolls back)."""
        result.emails_created += self.composer.compose(digest_now=digest_now)

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
                    message = render.build_message(
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
                except Exception as exc:
                    log.debug(
                        "unexpected error sending e-mail %d: %s", claimed.id, code_locations(exc)
                    )
                    self._record_failure(
                        claimed, SendError(f"unexpected {type(exc).__name__}"), result
                    )
                    continue
                self._mark_sent(claimed, result)
        finally:
            transport.close()

    def _claim(self, seen: set[int], result: NotifyResult) -> _Claimed | Literal[False] | None:
        """Lease the next due e-mail row; None when none is left, False after a lost race."""
        now = self.now()
        next_attempt_at = col(tables.Outbox.next_attempt_at)
        due = and_(
            col(tables.Outbox.kind) == "email",
            col(tables.Outbox.sent_at).is_(None),
            col(tables.Outbox.dead_at).is_(None),
            or_(next_attempt_at.is_(None), next_attempt_at <= now),
            lease_free(tables.Outbox, now),
        )
        query = select(tables.Outbox).where(due).order_by(col(tables.Outbox.id)).limit(1)
        if seen:
            query = query.where(col(tables.Outbox.id).not_in(seen))
        max_attempts = self.config.scanner.mail.max_attempts
        with session_scope(self.engine) as s:
            row = s.exec(query.with_for_update(skip_locked=True)).first()
            if row is None:
                return None
            assert row.id is not None
            seen.add(row.id)
            stmt = outbox_update().where(col(tables.Outbox.id) == row.id, due)
            if row.attempts >= max_attempts:  # earlier attempts ended without any outcome
                error = f"gave up after {row.attempts} attempts without a recorded outcome"
                done = s.execute(
                    stmt.values(
                        dead_at=now,
                        last_error=error,
                        next_attempt_at=None,
                        **released(),
                    )
                )
                if rowcount(done) == 1:
                    result.dead += 1
                    log.warning("e-mail %d to %s dead-lettered: %s", row.id, row.recipient, error)
                return False
            done = s.execute(
                stmt.values(
                    attempts=tables.Outbox.attempts + 1,
                    **lease_to(self.worker, now + self.lease),
                )
            )
            if rowcount(done) != 1:
                return False
            return _Claimed(
                row.id,
                row.recipient,
                row.delivery,
                dict(row.payload),
                row.message_id or "",
                row.created_at,
                row.attempts + 1,
            )

    def _mark_sent(self, c: _Claimed, result: NotifyResult) -> None:
        now = self.now()
        with session_scope(self.engine) as s:
            done = s.execute(
                outbox_update()
                .where(col(tables.Outbox.id) == c.id, col(tables.Outbox.sent_at).is_(None))
                .values(sent_at=now, last_error=None, **released())
            )
            if rowcount(done) != 1:
                return  # another worker's retry of the same message was marked first
            s.execute(
                outbox_update()
                .where(col(tables.Outbox.kind) == "item", col(tables.Outbox.email_id) == c.id)
                .values(sent_at=now)
            )
            findings = c.payload.get("finding_ids", [])
            accounts = c.payload.get("account_ids", [])
            s.add(
                tables.AuditEvent(
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
                )
            )
        result.sent += 1
        log.info("e-mail %d sent to %s (%s)", c.id, c.recipient, c.message_id)

    def _record_failure(self, c: _Claimed, exc: SendError, result: NotifyResult) -> None:
        now = self.now()
        max_attempts = self.config.scanner.mail.max_attempts
        dead = exc.permanent or c.attempts >= max_attempts
        values: dict[str, Any] = {
            "last_error": f"attempt {c.attempts}: {exc}",
            **released(),
        }
        if dead:
            values |= {"dead_at": now, "next_attempt_at": None}
        else:
            values["next_attempt_at"] = now + retry_delay(c.attempts)
        with session_scope(self.engine) as s:
            s.execute(
                outbox_update()
                .where(col(tables.Outbox.id) == c.id, col(tables.Outbox.sent_at).is_(None))
                .values(**values)
            )
            if dead:
                s.add(
                    tables.AuditEvent(
                        at=now,
                        actor=self.worker,
                        action="alert_dead_lettered",
                        detail={
                            "outbox_id": c.id,
                            "recipient": c.recipient,
                            "error": values["last_error"],
                        },
                    )
                )
        if dead:
            result.dead += 1
            log.error("e-mail %d to %s dead-lettered: %s", c.id, c.recipient, exc)
        else:
            result.failed += 1
            log.warning(
                "e-mail %d to %s failed (attempt %d of %d), retry after %s: %s",
                c.id,
                c.recipient,
                c.attempts,
                max_attempts,
                values["next_attempt_at"].isoformat(timespec="seconds"),
                exc,
            )
