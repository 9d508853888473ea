"""The scan pipeline: fetch → store new/changed posts → detect → findings → outbox → cursor.

For one account, everything after the fetch is written in ONE transaction (posts, findings,
outbox items, cursor), so a crash anywhere loses nothing and duplicates nothing: the next run
repeats exactly the uncommitted work. One failing account never stops the others.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from connectors.base import FetchResult
from detectors.base import Detector
from scanner.config.schema import AccountConfig, Config, parse_duration
from scanner.errors import ConnectorError, RateLimited
from scanner.records import DetectorInfo, Finding, Post
from scanner.scan.allowrules import AllowRules
from scanner.scan.excerpt import masked_excerpt
from scanner.scan.routing import routes_for
from scanner.scan.wiring import detection_context, detector_info, fetch_account
from scanner.store import tables
from scanner.store.engine import session_scope
from scanner.store.payloads import ItemPayload

log = logging.getLogger(__name__)
FetchFn = Callable[[Config, AccountConfig, str | None, dict[str, Any]], FetchResult]


@dataclass
class AccountResult:
    """What one account's scan did."""

    account_id: str
    platform: str
    ok: bool = True
    fetched: int = 0
    posts_new: int = 0
    posts_changed: int = 0
    findings_new: int = 0
    findings_resolved: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ScanSummary:
    """What one pass did, per account."""

    run_id: int | None
    results: list[AccountResult]

    @property
    def failed(self) -> list[AccountResult]:
        """Accounts whose scan failed."""
        return [r for r in self.results if not r.ok]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "run_id": self.run_id,
            "accounts": [vars(r) for r in self.results],
            "totals": {
                k: sum(getattr(r, k) for r in self.results)
                for k in ("fetched", "posts_new", "posts_changed", "findings_new")
            }
            | {"accounts_failed": len(self.failed)},
        }


# Plain Core tables for the bulk inserts of the write phase (the ORM path costs ~1 ms a row).
POST = tables.core_table(tables.PostRow)
FINDING = tables.core_table(tables.FindingRow)
OUTBOX = tables.core_table(tables.Outbox)


def _returning_ids(table: Any) -> Any:
    """A multi-row INSERT that returns the new ids in the order of the given rows."""
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


@dataclass
class NewFinding:
    """A detected finding about to be inserted (plain data: ORM objects are slow here)."""

    detected: Finding
    fingerprint: str
    post_id: int
    content_hash: str
    excerpt: str
    id: int | None = None

    def row(self, account_id: str, now: datetime) -> dict[str, Any]:
        """Column values for the `finding` table."""
        f = self.detected
        return {
            "fingerprint": self.fingerprint,
            "post_id": self.post_id,
            "account_id": account_id,
            "detector": f.detector,
            "category": f.category,
            "severity": f.severity,
            "start": f.start,
            "end": f.end,
            "score": f.score,
            "explanation": f.explanation,
            "masked_excerpt": self.excerpt,
            "content_hash": self.content_hash,
            "status": "open",
            "created_at": now,
            "updated_at": now,
        }


def content_hash(post: Post) -> str:
    """Hash of what detectors see; a change means the post is scanned again."""
    h = hashlib.sha256()
    h.update(post.text.encode("utf-8", "surrogatepass"))
    h.update(b"\x00deleted" if post.deleted else b"\x00live")
    return h.hexdigest()


def fingerprint(post: Post, found: Finding, chash: str) -> str:
    """Same post, detector, category, span and content = same finding."""
    key = "\x1f".join(
        [
            post.platform,
            post.external_id,
            found.detector,
            found.category,
            str(found.start),
            str(found.end),
            chash,
        ]
    )
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class Pipeline:
    """Scans registered accounts into the database. Detectors are built once per pipeline."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        detectors: dict[str, Detector],
        *,
        fetch: FetchFn = fetch_account,
        worker: str = "scanner",
        now: Callable[[], datetime] = tables.utcnow,
    ):
        self.config = config
        self.engine = engine
        self.detectors = detectors
        self.fetch = fetch
        self.worker = worker
        self.now = now
        self.allow_rules = AllowRules.load(config)  # reviewer allow-rules (allow_rules.yaml)

    # --- public API ----------------------------------------------------------------------

    def scan(
        self,
        account_ids: Iterable[str] | None = None,
        *,
        on_account: Callable[[AccountResult], None] | None = None,
    ) -> ScanSummary:
        """Scan the given (default: all enabled) accounts once and record a ScanRun."""
        ids = set(account_ids) if account_ids is not None else None
        accounts = [
            a for a in self.config.accounts if (a.id in ids if ids is not None else a.enabled)
        ]
        with session_scope(self.engine) as s:
            run = tables.ScanRun(worker=self.worker, started_at=self.now())
            s.add(run)
            s.flush()
            run_id = run.id
        results = []
        for account in accounts:
            result = self.scan_account(account)
            results.append(result)
            if on_account:
                on_account(result)
        with session_scope(self.engine) as s:
            finished = s.get(tables.ScanRun, run_id)
            assert finished is not None
            finished.finished_at = self.now()
            finished.accounts_ok = sum(r.ok for r in results)
            finished.accounts_failed = sum(not r.ok for r in results)
            finished.posts_new = sum(r.posts_new for r in results)
            finished.posts_changed = sum(r.posts_changed for r in results)
            finished.findings_new = sum(r.findings_new for r in results)
            finished.errors = {r.account_id: r.error for r in results if r.error}
        return ScanSummary(run_id, results)

    def scan_account(self, account: AccountConfig) -> AccountResult:
        """Fetch, detect and store one account; errors are recorded, never raised."""
        result = AccountResult(account.id, account.platform)
        cursor, state = self._sync_registry(account)
        try:
            fetched = self.fetch(self.config, account, cursor, state)
            result.fetched = len(fetched.posts)
            result.notes = list(fetched.notes)
            self._store(account, fetched, result)
        except ConnectorError as exc:
            self._record_failure(account, exc, result)
        except Exception as exc:
            # The message of an unexpected error may quote post text: log only its type, and
            # the traceback (code, not values) at debug level.
            log.error("account %s: unexpected %s", account.id, type(exc).__name__)
            log.debug("traceback", exc_info=True)
            self._record_failure(account, exc, result)
        return result

    # --- steps ---------------------------------------------------------------------------

    def _sync_registry(self, account: AccountConfig) -> tuple[str | None, dict[str, Any]]:
        """Mirror the registry entry into the Account row; return its cursor and state."""
        with session_scope(self.engine) as s:
            row = s.get(tables.AccountRow, account.id)
            if row is None:
                row = tables.AccountRow(
                    id=account.id, platform=account.platform, handle=account.handle
                )
                s.add(row)
            if (row.platform, row.handle) != (account.platform, account.handle):
                row.cursor, row.state = None, {}  # a different account now: start afresh
            row.platform, row.handle = account.platform, account.handle
            row.site_name, row.school = account.site_name, account.school
            row.sponsor_email = account.sponsor.email
            return row.cursor, dict(row.state or {})

    def _record_failure(
        self, account: AccountConfig, exc: Exception, result: AccountResult
    ) -> None:
        result.ok = False
        result.error = (
            f"{type(exc).__name__}: {exc}"
            if isinstance(exc, ConnectorError)
            else (f"{type(exc).__name__} (see log)")
        )
        now = self.now()
        with session_scope(self.engine) as s:
            row = s.get(tables.AccountRow, account.id)
            assert row is not None
            row.last_scan_at = now
            row.last_error = result.error
            row.consecutive_failures += 1
            backoff = min(
                parse_duration(self._interval(account)), 300 * 2**row.consecutive_failures
            )
            row.next_scan_at = now + timedelta(seconds=backoff)
            if isinstance(exc, RateLimited):
                row.capped = exc.capped
                row.retry_at = exc.retry_at
                if exc.retry_at is not None:
                    row.next_scan_at = exc.retry_at
        log.warning("account %s failed: %s", account.id, result.error)

    def _interval(self, account: AccountConfig) -> str:
        return account.interval or self.config.scanner.schedule.interval

    def _store(self, account: AccountConfig, fetched: FetchResult, result: AccountResult) -> None:
        # One row per platform id (a recheck window may repeat a post); the last copy wins.
        unique = {p.external_id: p for p in fetched.posts}
        posts = sorted(unique.values(), key=lambda p: p.created_at)
        with Session(self.engine) as s:  # read-only look-up before the (slow) detectors run
            known = {
                ext: (pid, h)
                for ext, pid, h in s.exec(
                    select(
                        tables.PostRow.external_id, tables.PostRow.id, tables.PostRow.scanned_hash
                    )
                    .where(tables.PostRow.platform == account.platform)
                    .where(col(tables.PostRow.external_id).in_([p.external_id for p in posts]))
                )
            }
        hashes = {p.external_id: content_hash(p) for p in posts}
        changed = [
            p for p in posts if known.get(p.external_id, (None, None))[1] != hashes[p.external_id]
        ]
        found = self._detect(account, changed, fetched.profile_text)
        now = self.now()
        with session_scope(self.engine) as s:
            seen = [known[p.external_id][0] for p in posts if p.external_id not in found]
            if seen:  # unchanged posts: one statement, no per-post round trip
                s.exec(
                    update(tables.PostRow)
                    .where(col(tables.PostRow.id).in_(seen))
                    .values(last_seen_at=now)
                )
            ids = self._write_changed(s, changed, known, hashes, now, result)
            self._store_findings(s, account, changed, ids, hashes, found, result)
            acc = s.get(tables.AccountRow, account.id)
            assert acc is not None
            if fetched.cursor is not None:
                acc.cursor = fetched.cursor
            acc.state = {**(acc.state or {}), **fetched.state}
            if fetched.profile_text is not None:
                acc.profile_text = fetched.profile_text
            acc.last_scan_at = acc.last_success_at = now
            acc.last_error, acc.consecutive_failures = None, 0
            acc.retry_at, acc.capped = None, False
            acc.next_scan_at = now + timedelta(seconds=parse_duration(self._interval(account)))

    def _detect(
        self, account: AccountConfig, posts: Sequence[Post], profile: str | None
    ) -> dict[str, list[Finding]]:
        """Run every detector over the changed posts in one batch each."""
        out: dict[str, list[Finding]] = {p.external_id: [] for p in posts}
        live = [p for p in posts if not p.deleted]
        if not live:
            return out
        ctx = detection_context(self.config, {account.id: profile})
        for detector in self.detectors.values():
            for post, findings in zip(live, detector.detect_batch(live, ctx), strict=True):
                out[post.external_id].extend(
                    f for f in findings if self.allow_rules.permits(post.text, f)
                )
        return out

    def _write_changed(
        self,
        s: Session,
        posts: Sequence[Post],
        known: dict[str, tuple[int | None, str | None]],
        hashes: dict[str, str],
        now: datetime,
        result: AccountResult,
    ) -> dict[str, int]:
        """Insert new and update changed posts (Core statements: this is the hot path).

        Returns post ids by external id.
        """
        ids: dict[str, int] = {}
        fresh: list[dict[str, Any]] = []
        for post in posts:
            values = {
                "url": post.url,
                "author": post.author,
                "text": post.text,
                "edited_at": post.edited_at,
                "deleted": post.deleted,
                "raw": dict(post.raw),
                "content_hash": hashes[post.external_id],
                "scanned_hash": hashes[post.external_id],
                "last_seen_at": now,
            }
            pid = known.get(post.external_id, (None, None))[0]
            if pid is None:
                fresh.append(
                    values
                    | {
                        "platform": post.platform,
                        "external_id": post.external_id,
                        "account_id": post.account,
                        "created_at": post.created_at,
                        "first_seen_at": now,
                        "text_purged_at": None,
                    }
                )
            else:
                s.execute(
                    update(tables.PostRow).where(col(tables.PostRow.id) == pid).values(**values)
                )
                ids[post.external_id] = pid
                result.posts_changed += 1
        if fresh:
            new_ids = s.execute(_returning_ids(POST), fresh).scalars()
            ids.update(zip((v["external_id"] for v in fresh), new_ids, strict=True))
            result.posts_new += len(fresh)
        return ids

    def _store_findings(
        self,
        s: Session,
        account: AccountConfig,
        posts: Sequence[Post],
        ids: dict[str, int],
        hashes: dict[str, str],
        found: dict[str, list[Finding]],
        result: AccountResult,
    ) -> None:
        """Insert new findings (idempotently), resolve vanished ones, queue notifications."""
        existing: dict[int, list[tables.FindingRow]] = {}
        if ids:
            query = select(tables.FindingRow).where(
                col(tables.FindingRow.post_id).in_(list(ids.values()))
            )
            for old in s.exec(query):
                existing.setdefault(old.post_id, []).append(old)
        now = self.now()
        new: list[tuple[Post, NewFinding]] = []
        for post in posts:
            pid, chash = ids[post.external_id], hashes[post.external_id]
            prints = {fingerprint(post, f, chash): f for f in found[post.external_id]}
            olds = existing.get(pid, [])
            self._resolve_vanished(s, account, post, olds, prints, result)
            have = {f.fingerprint for f in olds}
            sensitive = [
                (f.start, f.end, f.category) for f in prints.values() if self._info(f).masks_spans
            ]
            for fp, f in prints.items():
                if fp not in have:
                    excerpt = masked_excerpt(post.text, f.start, f.end, sensitive)
                    new.append((post, NewFinding(f, fp, pid, chash, excerpt)))
        if not new:
            return
        rows = [n.row(account.id, now) for _, n in new]
        new_ids = s.execute(_returning_ids(FINDING), rows).scalars()
        pending: list[dict[str, Any]] = []
        for (post, finding), fid in zip(new, new_ids, strict=True):
            finding.id = fid
            result.findings_new += 1
            self._queue(account, post, finding, pending)
        if pending:
            s.execute(insert(OUTBOX), pending)

    def _resolve_vanished(
        self,
        s: Session,
        account: AccountConfig,
        post: Post,
        olds: list[tables.FindingRow],
        prints: dict[str, Finding],
        result: AccountResult,
    ) -> None:
        """Open findings the re-scan no longer produces become resolved, with an audit event."""
        for old in olds:
            if old.status != "open" or old.fingerprint in prints:
                continue
            old.status = "resolved"
            old.resolved_reason = "post deleted" if post.deleted else "post edited; no longer found"
            old.updated_at = self.now()
            result.findings_resolved += 1
            s.add(
                tables.AuditEvent(
                    action="auto_resolved",
                    finding_id=old.id,
                    account_id=account.id,
                    detail={"reason": old.resolved_reason},
                )
            )

    def _info(self, found: Finding) -> DetectorInfo:
        """The declaration of the detector that produced `found`."""
        return detector_info(found.detector)

    def _queue(
        self,
        account: AccountConfig,
        post: Post,
        finding: NewFinding,
        pending: list[dict[str, Any]],
    ) -> None:
        """Outbox items for a new finding, added to `pending` (inserted in the scan transaction)."""
        f = finding.detected
        info = self._info(f)
        payload: ItemPayload = {
            "account_id": account.id,
            "site_name": account.site_name,
            "platform": account.platform,
            "url": post.url,
            "posted_at": post.created_at.isoformat(),
            "detector": f.detector,
            "category": f.category,
            "severity": f.severity,
            "explanation": f.explanation,
            "excerpt": finding.excerpt,
            "policy_item": info.policy_item,
            "action": info.action,
            "category_label": info.categories.get(f.category, ""),
        }
        now = self.now()
        pending.extend(
            {
                "dedupe_key": f"item:{finding.id}:{route.recipient}",
                "recipient": route.recipient,
                "kind": "item",
                "delivery": route.delivery,
                "finding_id": finding.id,
                "payload": payload | {"role": route.role},
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
            }
            for route in routes_for(
                self.config, account, f.severity, privacy_officer=info.privacy_officer
            )
        )
