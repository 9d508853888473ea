"""`scanner notify --status`: the unsent alert e-mails and the items still waiting for one."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scanner.store import tables

Outbox = tables.Outbox


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


def unsent_report(engine: Engine, now: datetime, next_digest_at: datetime) -> StatusReport:
    """Unsent e-mails (pending, sending, retrying, dead) and items awaiting grouping."""
    report = StatusReport(next_digest_at=next_digest_at)
    with Session(engine) as s:
        rows = s.exec(
            select(Outbox)
            .where(Outbox.kind == "email", col(Outbox.sent_at).is_(None))
            .order_by(col(Outbox.id))
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
                )
            )
        waiting = s.exec(
            select(Outbox.recipient, Outbox.delivery, func.count())
            .where(Outbox.kind == "item", col(Outbox.email_id).is_(None))
            .group_by(Outbox.recipient, Outbox.delivery)
            .order_by(Outbox.recipient)
        ).all()
    report.waiting = [
        {"recipient": rcpt, "delivery": delivery, "items": n} for rcpt, delivery, n in waiting
    ]
    return report
