"""Review service: list, show, change the status of findings, allow-rules, and the audit trail.

Status workflow: open → confirmed | dismissed | resolved, and confirmed → resolved (the post was
taken down after confirmation). Any other move out of a decided state (dismissed, resolved, or a
confirmed finding changed to dismissed) needs `reopen=True`. Every change writes an `AuditEvent`
with the reviewer and note in the same transaction; a refused change writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scanner.config.schema import Config
from scanner.errors import InvalidInput, InvalidTransition, ReviewError, UnknownFinding
from scanner.records import FindingStatus
from scanner.scan import allowrules
from scanner.store import tables
from scanner.store.engine import session_scope

NOTE_LIMIT = 2000
REASON_LIMIT = 500
TARGETS = tuple(FindingStatus)
#: Moves allowed without `reopen`.
ALLOWED: dict[str, frozenset[str]] = {
    "open": frozenset({"confirmed", "dismissed", "resolved"}),
    "confirmed": frozenset({"resolved"}),
    "dismissed": frozenset(),
    "resolved": frozenset(),
}


@dataclass
class FindingFilter:
    """Filters for `list_findings`; `since`/`until` apply to when the finding was found."""

    status: Sequence[str] = ()
    detector: Sequence[str] = ()
    category: Sequence[str] = ()
    severity: Sequence[str] = ()
    account: Sequence[str] = ()
    school: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    mine: str | None = None
    limit: int | None = None


@dataclass
class FindingDetail:
    """One finding with its post, account and history, for `findings show`."""

    finding: tables.FindingRow
    post: tables.PostRow | None
    account: tables.AccountRow | None
    history: list[tables.AuditEvent]

    @property
    def text_current(self) -> bool:
        """True when the stored post text is the text the finding's offsets refer to."""
        return (
            self.post is not None
            and self.post.text_purged_at is None
            and self.post.content_hash == self.finding.content_hash
        )


def finding_row(
    f: tables.FindingRow, post: tables.PostRow | None, account: tables.AccountRow | None
) -> dict[str, Any]:
    """A finding as a JSON-ready dict (masked excerpt only, never the raw post text)."""
    return {
        "id": f.id,
        "status": f.status,
        "detector": f.detector,
        "category": f.category,
        "severity": f.severity,
        "account": f.account_id,
        "site_name": account.site_name if account else "",
        "school": account.school if account else "",
        "platform": post.platform if post else "",
        "url": post.url if post else "",
        "post_kind": post.kind if post else "post",  # "comment": a comment or reply
        "author_role": post.author_role if post else "account",
        "posted_at": post.created_at.isoformat() if post else None,
        "found_at": f.created_at.isoformat(),
        "updated_at": f.updated_at.isoformat(),
        "start": f.start,
        "end": f.end,
        "score": round(f.score, 4),
        "explanation": f.explanation,
        "masked_excerpt": f.masked_excerpt,
        "reviewer": f.reviewer,
        "note": f.note,
        "resolved_reason": f.resolved_reason,
    }


def audit_row(e: tables.AuditEvent) -> dict[str, Any]:
    """An audit event as a JSON-ready dict."""
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "action": e.action,
        "finding_id": e.finding_id,
        "account_id": e.account_id,
        "detail": e.detail,
    }


def _mine_accounts(config: Config | None, email: str) -> set[str]:
    email = email.strip().lower()
    ids: set[str] = set()
    if config is not None:
        for a in config.accounts:
            if email in (a.sponsor.email.lower(), a.admin_contact.email.lower()):
                ids.add(a.id)
    return ids


def list_findings(
    engine: Engine, flt: FindingFilter | None = None, config: Config | None = None
) -> list[dict[str, Any]]:
    """Findings matching `flt`, newest first, as `finding_row` dicts."""
    flt = flt or FindingFilter()
    q = (
        select(tables.FindingRow, tables.PostRow, tables.AccountRow)
        .join(
            tables.PostRow, col(tables.PostRow.id) == col(tables.FindingRow.post_id), isouter=True
        )
        .join(
            tables.AccountRow,
            col(tables.AccountRow.id) == col(tables.FindingRow.account_id),
            isouter=True,
        )
    )
    for column, values in (
        (tables.FindingRow.status, flt.status),
        (tables.FindingRow.detector, flt.detector),
        (tables.FindingRow.category, flt.category),
        (tables.FindingRow.severity, flt.severity),
        (tables.FindingRow.account_id, flt.account),
    ):
        if values:
            q = q.where(col(column).in_(list(values)))
    if flt.school:
        q = q.where(func.lower(tables.AccountRow.school) == flt.school.strip().lower())
    if flt.since is not None:
        q = q.where(col(tables.FindingRow.created_at) >= flt.since)
    if flt.until is not None:
        q = q.where(col(tables.FindingRow.created_at) < flt.until)
    if flt.mine:
        ids = _mine_accounts(config, flt.mine)
        q = q.where(
            col(tables.FindingRow.account_id).in_(list(ids))
            | (func.lower(tables.AccountRow.sponsor_email) == flt.mine.strip().lower())
        )
    q = q.order_by(col(tables.FindingRow.created_at).desc(), col(tables.FindingRow.id).desc())
    if flt.limit:
        q = q.limit(flt.limit)
    with Session(engine) as s:
        return [finding_row(f, p, a) for f, p, a in s.exec(q).all()]


def get_finding(engine: Engine, finding_id: int) -> FindingDetail:
    """The finding, its post, account and audit history (oldest first)."""
    with Session(engine, expire_on_commit=False) as s:
        f = s.get(tables.FindingRow, finding_id)
        if f is None:
            raise UnknownFinding(f"no finding with id {finding_id}")
        history = s.exec(
            select(tables.AuditEvent)
            .where(tables.AuditEvent.finding_id == finding_id)
            .order_by(col(tables.AuditEvent.at), col(tables.AuditEvent.id))
        ).all()
        return FindingDetail(
            f,
            s.get(tables.PostRow, f.post_id),
            s.get(tables.AccountRow, f.account_id),
            list(history),
        )


def _check_text(label: str, value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{label} is {len(value)} characters; the limit is {limit}")
    return value or None


def _check_reviewer(reviewer: str | None) -> str:
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise InvalidInput("a reviewer is required (--reviewer NAME or the USER variable)")
    if len(reviewer) > 320:
        raise InvalidInput("the reviewer name is longer than 320 characters")
    return reviewer


def check_transition(current: str, target: str, reopen: bool) -> None:
    """Raise InvalidTransition unless current → target is allowed."""
    if target not in TARGETS:
        raise InvalidTransition(f"unknown status {target!r}; expected one of {', '.join(TARGETS)}")
    if current == target:
        raise InvalidTransition(f"the finding is already {current}")
    if target == "open":
        if current == "open":
            raise InvalidTransition("the finding is already open")
        return
    if target in ALLOWED.get(current, frozenset()) or reopen:
        return
    raise InvalidTransition(
        f"cannot move a {current} finding to {target} without --reopen "
        f"(allowed from {current}: {', '.join(sorted(ALLOWED[current])) or 'none'})"
    )


def change_status(
    engine: Engine,
    finding_id: int,
    target: str,
    *,
    reviewer: str | None,
    note: str | None = None,
    reopen: bool = False,
    now: datetime | None = None,
) -> tables.FindingRow:
    """Move a finding to `target` and record who, why and when; ReviewError leaves all as it was."""
    note = _check_text("the note", note, NOTE_LIMIT)
    reviewer = _check_reviewer(reviewer)
    with session_scope(engine) as s:
        return _change(s, finding_id, target, reviewer, note, reopen, now or tables.utcnow())


def _change(
    s: Session,
    finding_id: int,
    target: str,
    reviewer: str,
    note: str | None,
    reopen: bool,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> tables.FindingRow:
    f = s.exec(
        select(tables.FindingRow).where(tables.FindingRow.id == finding_id).with_for_update()
    ).first()
    if f is None:
        raise UnknownFinding(f"no finding with id {finding_id}")
    previous = f.status
    try:
        check_transition(previous, target, reopen)
    except InvalidTransition as exc:
        raise InvalidTransition(f"finding {finding_id}: {exc}") from None
    f.status, f.reviewer, f.note, f.updated_at = target, reviewer, note, now
    if target == "resolved":
        f.resolved_reason = "marked resolved by reviewer"
    elif previous == "resolved":
        f.resolved_reason = None
    s.add(f)
    needed_reopen = target == "open" or target not in ALLOWED.get(previous, frozenset())
    detail = {"from": previous, "to": target, "note": note, "reopen": needed_reopen}
    s.add(
        tables.AuditEvent(
            at=now,
            actor=reviewer,
            action="reopened" if target == "open" else "status_changed",
            finding_id=f.id,
            account_id=f.account_id,
            detail=detail | (extra or {}),
        )
    )
    s.flush()
    return f


def add_allow_rule(
    config: Config,
    engine: Engine,
    finding_id: int,
    *,
    reason: str,
    reviewer: str | None,
    now: datetime | None = None,
) -> allowrules.AllowRule:
    """Write an allow-rule built from this finding's flagged text; dismiss the finding if open.

    The rule goes to allow_rules.yaml (config folder) and into the finding's history as an
    `allow_rule_added` event. Refused when the post text is gone or has changed since.
    """
    reason = _check_text("the reason", reason, REASON_LIMIT) or ""
    if not reason:
        raise InvalidInput("an allow-rule needs a --reason")
    reviewer = _check_reviewer(reviewer)
    now = now or tables.utcnow()
    detail = get_finding(engine, finding_id)
    if detail.post is None or detail.post.text_purged_at is not None:
        raise ReviewError(f"finding {finding_id}: the post text was purged; no rule can be built")
    if not detail.text_current:
        raise ReviewError(
            f"finding {finding_id}: the post changed since this finding; "
            "build the rule from a current finding"
        )
    f = detail.finding
    with session_scope(engine) as s:
        current = s.get(tables.FindingRow, finding_id)
        if current is None:  # pragma: no cover - deleted between the two reads
            raise UnknownFinding(f"no finding with id {finding_id}")
        try:
            rule = allowrules.add_rule(
                config,
                detector=f.detector,
                category=f.category,
                text=detail.post.text,
                start=f.start,
                end=f.end,
                reason=reason,
                added_by=reviewer,
                finding_id=finding_id,
                now=now,
            )
        except ValueError as exc:
            raise InvalidInput(f"finding {finding_id}: {exc}") from None
        s.add(
            tables.AuditEvent(
                at=now,
                actor=reviewer,
                action="allow_rule_added",
                finding_id=finding_id,
                account_id=f.account_id,
                detail={
                    "rule_id": rule.id,
                    "detector": rule.detector,
                    "category": rule.category,
                    "match": rule.match,
                    "reason": rule.reason,
                },
            )
        )
        if current.status == "open":
            _change(
                s,
                finding_id,
                "dismissed",
                reviewer,
                f"allow-rule {rule.id}: {reason}",
                False,
                now,
                {"allow_rule": rule.id},
            )
    return rule


def list_audit(
    engine: Engine,
    *,
    finding_id: int | None = None,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Audit events, newest first."""
    q = select(tables.AuditEvent)
    if finding_id is not None:
        q = q.where(tables.AuditEvent.finding_id == finding_id)
    if action:
        q = q.where(tables.AuditEvent.action == action)
    if actor:
        q = q.where(tables.AuditEvent.actor == actor)
    if since is not None:
        q = q.where(col(tables.AuditEvent.at) >= since)
    if until is not None:
        q = q.where(col(tables.AuditEvent.at) < until)
    q = q.order_by(col(tables.AuditEvent.at).desc(), col(tables.AuditEvent.id).desc())
    if limit:
        q = q.limit(limit)
    with Session(engine) as s:
        return [audit_row(e) for e in s.exec(q).all()]
