"""The follower consent check (policy item 3): followers or members → roster → consent register.

For one account: read its followers (the platform's `FollowerSource`, or the exported member
list `members_csv`), match display names and handles against the roster's keyed hashes
(`detectors.consent.match_followers`), and, in ONE transaction, file a finding for each roster
student who follows without a valid consent on file, resolve the findings of students who left
or whose permission was filed, queue the e-mails and record the check's counts. The follower
list itself is never stored or logged: only findings (roster ids) and per-account counts.
Design: docs/architecture.md, "Followers and consent".
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from connectors.base import FollowerPage
from detectors import consent
from detectors.pii.roster import StudentIndex
from scanner.config.keys import ensure_local_key
from scanner.config.schema import AccountConfig, Config, parse_duration
from scanner.errors import ConnectorError, InputError, code_locations
from scanner.records import AuthorRole, Finding, Post, PostKind, Severity
from scanner.scan.follower_sources import (
    MEMBERS_CSV,
    FollowersFn,
    fetch_followers,
    follower_source,
)
from scanner.scan.routing import routes_for
from scanner.scan.writes import content_hash
from scanner.store import tables
from scanner.store.engine import session_scope
from scanner.store.payloads import ItemPayload

log = logging.getLogger(__name__)
#: A failed check is tried again after this long (or the interval, when shorter).
RETRY_SECONDS = 3600


@dataclass
class FollowerResult:
    """What one account's follower check did (counts only: no name, no handle)."""

    account_id: str
    source: str = ""
    checked: bool = False
    ok: bool = True
    followers: int = 0
    students: int = 0
    without_consent: int = 0
    findings_new: int = 0
    findings_resolved: int = 0
    complete: bool = True
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def student_index(config: Config) -> StudentIndex | None:
    """Keyed hashes of the roster's names and handles (None without a roster)."""
    district = config.district
    if district.roster is None:
        return None
    secret = district.roster_secret or ensure_local_key(config.state_dir)
    return StudentIndex(district.roster, secret)


def consented(s: Session, account_id: str, today: date) -> set[str]:
    """Roster ids with a valid consent for the account (or all accounts) on `today`."""
    c = tables.ConsentRow
    rows = s.exec(
        select(c.student_id)
        .where(or_(col(c.account_id) == account_id, col(c.account_id).is_(None)))
        .where(col(c.granted_on) <= today)
        .where(or_(col(c.expires_on).is_(None), col(c.expires_on) >= today))
    ).all()
    return set(rows)


def _expired(s: Session, account_id: str, students: Iterable[str], today: date) -> dict[str, date]:
    """The latest expired consent per student (to say so in the finding)."""
    c = tables.ConsentRow
    out: dict[str, date] = {}
    for sid, expires in s.exec(
        select(c.student_id, col(c.expires_on))
        .where(col(c.student_id).in_(list(students)))
        .where(or_(col(c.account_id) == account_id, col(c.account_id).is_(None)))
        .where(col(c.expires_on) < today)
    ).all():
        if expires is not None and (sid not in out or expires > out[sid]):
            out[sid] = expires
    return out


def fingerprint(account_id: str, student_id: str) -> str:
    """One finding per student and account, whatever the follower list looked like."""
    key = f"{consent.NAME}\x1f{account_id}\x1f{student_id}"
    return hashlib.sha256(key.encode()).hexdigest()


def stand_in(account: AccountConfig, url: str, now: datetime) -> Post:
    """The stored stand-in for the account's follower list: findings need a post row, and this
    one carries no text (`kind="followers"`)."""
    return Post(
        platform=account.platform,
        account=account.id,
        external_id=f"followers:{account.id}",
        url=url,
        author=None,
        created_at=now,
        text="",
        kind=PostKind.FOLLOWERS,
        author_role=AuthorRole.OTHER,
    )


class FollowerCheck:
    """Checks accounts' followers against the roster and the consent register."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        *,
        fetch: FollowersFn = fetch_followers,
        now: Callable[[], datetime] = tables.utcnow,
    ):
        self.config = config
        self.engine = engine
        self.fetch = fetch
        self.now = now
        self.index = student_index(config)
        roster = config.district.roster or ()
        self.restricted = {
            e.student_id: e.directory_opt_out or not e.media_consent for e in roster
        }  # roster id -> raise the severity

    def interval(self) -> int:
        """Seconds between two checks of one account (`schedule.followers_interval`)."""
        return parse_duration(self.config.scanner.schedule.followers_interval)

    def due(self, accounts: Iterable[AccountConfig]) -> list[AccountConfig]:
        """Those of `accounts` with a follower source whose next check is due."""
        wanted = [a for a in accounts if a.enabled and follower_source(a)]
        now = self.now()
        with Session(self.engine) as s:
            rows = {
                r.account_id: r.next_check_at
                for r in s.exec(
                    select(tables.FollowerCheckRow).where(
                        col(tables.FollowerCheckRow.account_id).in_([a.id for a in wanted])
                    )
                )
            }
        return [a for a in wanted if rows.get(a.id) is None or rows[a.id] <= now]  # type: ignore[operator]

    def run(self, accounts: Iterable[AccountConfig]) -> list[FollowerResult]:
        """Check each account (errors are recorded per account, never raised)."""
        return [self.check_account(a) for a in accounts]

    def check_account(self, account: AccountConfig) -> FollowerResult:
        """Fetch, match and record one account's followers; never raises for a platform or
        file problem (the account's post scan is never affected)."""
        source = follower_source(account)
        result = FollowerResult(account.id, source or "")
        if source is None:
            result.notes.append("no source: the platform exposes none here; set members_csv")
            return result
        if self.index is None:
            result.notes.append("no student roster configured (scanner.yaml: student_roster)")
            return result
        try:
            state = self._state(account)
            page = self.fetch(self.config, account, state)
            matched = consent.match_followers(
                ((f.display_name, f.handle) for f in page.followers), self.index
            )
            self._write(account, source, page, matched, result)
        except (ConnectorError, InputError) as exc:
            self._failed(account, source, f"{type(exc).__name__}: {exc}", result)
        except Exception as exc:  # the message may quote a follower: its type only
            log.error("account %s: follower check: unexpected %s", account.id, type(exc).__name__)
            log.debug("traceback: %s", code_locations(exc))
            self._failed(account, source, f"{type(exc).__name__} (see log)", result)
        return result

    # --- steps ---------------------------------------------------------------------------

    def _state(self, account: AccountConfig) -> dict[str, Any]:
        with Session(self.engine) as s:
            row = s.get(tables.AccountRow, account.id)
            same = row is not None and (row.platform, row.handle) == (
                account.platform,
                account.handle,
            )
            return dict(row.state or {}) if row is not None and same else {}

    def _check_row(self, s: Session, account: AccountConfig, source: str) -> Any:
        row = s.get(tables.FollowerCheckRow, account.id)
        if row is None:
            row = tables.FollowerCheckRow(account_id=account.id)
            s.add(row)
        row.source = source
        return row

    def _failed(
        self, account: AccountConfig, source: str, error: str, result: FollowerResult
    ) -> None:
        result.ok, result.error = False, error
        now = self.now()
        with session_scope(self.engine) as s:
            row = self._check_row(s, account, source)
            row.checked_at, row.last_error = now, error
            row.next_check_at = now + timedelta(seconds=min(self.interval(), RETRY_SECONDS))
        log.warning("account %s: follower check failed: %s", account.id, error)

    def _account_row(self, s: Session, account: AccountConfig) -> None:
        """The account's row (findings refer to it), made when no post scan made it yet."""
        if s.get(tables.AccountRow, account.id) is None:
            s.add(
                tables.AccountRow(
                    id=account.id,
                    platform=account.platform,
                    handle=account.handle,
                    site_name=account.site_name,
                    school=account.school,
                    sponsor_email=account.sponsor.email,
                )
            )
            s.flush()

    def _post_row(self, s: Session, post: Post, now: datetime) -> tables.PostRow:
        row = s.exec(
            select(tables.PostRow)
            .where(tables.PostRow.platform == post.platform)
            .where(tables.PostRow.external_id == post.external_id)
        ).first()
        chash = content_hash(post)
        if row is None:
            row = tables.PostRow(
                platform=post.platform,
                external_id=post.external_id,
                account_id=post.account,
                url=post.url,
                created_at=now,
                text="",
                content_hash=chash,
                scanned_hash=chash,  # nothing for the post detectors to do
                first_seen_at=now,
                kind=post.kind,
                author_role=post.author_role,
            )
        row.url, row.last_seen_at = post.url, now
        s.add(row)
        s.flush()
        return row

    def _write(
        self,
        account: AccountConfig,
        source: str,
        page: FollowerPage,
        matched: dict[str, str],
        result: FollowerResult,
    ) -> None:
        now = self.now()
        today = now.astimezone(self.config.district.timezone).date()
        post = stand_in(account, page.url, now)
        with session_scope(self.engine) as s:
            self._account_row(s, account)
            prow = self._post_row(s, post, now)
            assert prow.id is not None
            allowed = consented(s, account.id, today)
            missing = {sid: how for sid, how in matched.items() if sid not in allowed}
            expired = _expired(s, account.id, missing, today)
            olds = {
                f.fingerprint: f
                for f in s.exec(
                    select(tables.FindingRow)
                    .where(tables.FindingRow.post_id == prow.id)
                    .where(tables.FindingRow.detector == consent.NAME)
                )
            }
            wanted = {fingerprint(account.id, sid): sid for sid in missing}
            following = {fingerprint(account.id, sid) for sid in matched}
            for fp, old in olds.items():
                if fp in wanted or old.status not in ("open", "confirmed"):
                    continue
                if fp in following:
                    reason = "consent on file"
                elif page.complete:
                    reason = "no longer a follower or member"
                else:
                    continue  # not in a partial list: unknown, left open
                self._resolve(s, account, old, reason, now)
                result.findings_resolved += 1
            for fp, sid in sorted(wanted.items(), key=lambda kv: kv[1]):
                prev = olds.get(fp)
                if prev is not None and prev.status != "resolved":
                    continue  # open, confirmed, or dismissed by a reviewer: left as it is
                found = self._finding(source, sid, missing[sid], expired.get(sid))
                if prev is None:
                    row = tables.FindingRow(
                        fingerprint=fp,
                        post_id=prow.id,
                        account_id=account.id,
                        detector=found.detector,
                        category=found.category,
                        severity=found.severity,
                        score=found.score,
                        explanation=found.explanation,
                        masked_excerpt=excerpt(sid),
                        content_hash=prow.content_hash,
                        created_at=now,
                        updated_at=now,
                    )
                    s.add(row)
                    s.flush()
                    tag = ""
                else:  # it came back: the student follows again without consent
                    row = prev
                    row.status, row.resolved_reason, row.updated_at = "open", None, now
                    row.severity, row.explanation = found.severity, found.explanation
                    s.add(
                        tables.AuditEvent(
                            action="auto_reopened",
                            finding_id=row.id,
                            account_id=account.id,
                            detail={"reason": "follows again without consent on file"},
                        )
                    )
                    tag = f":reopened:{now.isoformat()}"
                result.findings_new += 1
                self._queue(s, account, post, row, found, now, tag)
            check = self._check_row(s, account, source)
            check.checked_at, check.last_error = now, None
            check.next_check_at = now + timedelta(seconds=self.interval())
            check.followers, check.students = len(page.followers), len(matched)
            check.without_consent, check.complete = len(missing), page.complete
        result.checked = True
        result.followers, result.students = len(page.followers), len(matched)
        result.without_consent, result.complete = len(missing), page.complete
        result.notes.extend(page.notes)
        log.info(
            "account %s: follower check: %d followers, %d roster matches, %d without consent",
            account.id,
            result.followers,
            result.students,
            result.without_consent,
        )

    def _finding(self, source: str, sid: str, how: str, expired: date | None) -> Finding:
        """The finding for roster student `sid` (identified by roster id only)."""
        where = "exported member list" if source == MEMBERS_CSV else "followers or members"
        why = (
            f"the permission on file expired on {expired.isoformat()}"
            if expired is not None
            else "no written parental permission for this account is on file"
        )
        restricted = self.restricted.get(sid, False)
        flags = (
            " The roster marks this student as opted out of the directory or without media consent."
            if restricted
            else ""
        )
        return Finding(
            detector=consent.NAME,
            category=consent.CATEGORY,
            severity=Severity.HIGH if restricted else Severity.MEDIUM,
            start=None,
            end=None,
            score=1.0,
            explanation=(
                f"Roster student {sid} is among the account's {where} (matched by {how}); "
                f"{why} (consent register).{flags}"
            ),
        )

    def _resolve(
        self, s: Session, account: AccountConfig, old: tables.FindingRow, reason: str, now: datetime
    ) -> None:
        old.status, old.resolved_reason, old.updated_at = "resolved", reason, now
        s.add(old)
        s.add(
            tables.AuditEvent(
                action="auto_resolved",
                finding_id=old.id,
                account_id=account.id,
                detail={"reason": reason},
            )
        )

    def _queue(
        self,
        s: Session,
        account: AccountConfig,
        post: Post,
        row: tables.FindingRow,
        found: Finding,
        now: datetime,
        tag: str,
    ) -> None:
        """Outbox items for a new (or reopened) finding, in the check's transaction."""
        info = consent.INFO
        payload: ItemPayload = {
            "account_id": account.id,
            "site_name": account.site_name,
            "platform": account.platform,
            "url": post.url,
            "posted_at": now.isoformat(),
            "detector": found.detector,
            "category": found.category,
            "severity": found.severity,
            "explanation": found.explanation,
            "excerpt": row.masked_excerpt,
            "policy_item": info.policy_item,
            "action": info.action,
            "category_label": info.categories.get(found.category, ""),
            "post_kind": post.kind,
            "author_role": post.author_role,
        }
        for route in routes_for(
            self.config, account, found.severity, privacy_officer=info.privacy_officer
        ):
            s.add(
                tables.Outbox(
                    dedupe_key=f"item:{row.id}:{route.recipient}{tag}"[:200],
                    recipient=route.recipient,
                    kind="item",
                    delivery=route.delivery,
                    finding_id=row.id,
                    payload=dict(payload) | {"role": route.role},
                    attempts=0,
                    created_at=now,
                    next_attempt_at=now,
                )
            )


def excerpt(student_id: str) -> str:
    """What stands in for an excerpt: the roster id, never a name or a handle."""
    return f"Follower or member matched to roster student {student_id}"
