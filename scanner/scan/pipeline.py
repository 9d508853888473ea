"""The scan pipeline: fetch → store new/changed posts → detect → findings → outbox → cursor.

For one account, everything after the fetch is written in ONE transaction (posts, findings,
outbox items, cursor), so a crash anywhere loses nothing and duplicates nothing: the next run
repeats exactly the uncommitted work. One failing account never stops the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from connectors.base import FetchResult
from detectors.base import Detector, SensitiveText
from scanner.config.schema import AccountConfig, Config, parse_duration
from scanner.errors import ConnectorError, RateLimited, code_locations
from scanner.records import DetectionContext, Finding, Post, PostKind, bounded_for_detection
from scanner.scan.allowrules import AllowRules
from scanner.scan.results import AccountResult, ScanSummary
from scanner.scan.wiring import detection_context, fetch_account
from scanner.scan.writes import FindingWriter, content_hash
from scanner.store import tables
from scanner.store.engine import session_scope

log = logging.getLogger(__name__)
#: Posts per detector batch; the time budget is checked between batches.
DETECT_CHUNK = 1000
#: At most this many stored-but-unscanned posts (quarantined or deferred) retried per scan.
RETRY_LIMIT = 1000
FetchFn = Callable[[Config, AccountConfig, str | None, dict[str, Any]], FetchResult]


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
        clock: Callable[[], float] = time.monotonic,
    ):
        self.config = config
        self.engine = engine
        self.detectors = detectors
        self.fetch = fetch
        self.worker = worker
        self.now = now
        self.clock = clock  # for the per-account time budget
        self.allow_rules = AllowRules.load(config)  # reviewer allow-rules (allow_rules.yaml)
        # excerpts mask what any detector deems sensitive, found or not (docs/architecture.md)
        sensitive = [d for d in detectors.values() if isinstance(d, SensitiveText)]
        self.writer = FindingWriter(config, now, sensitive)

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
        deadline = self.clock() + parse_duration(self.config.scanner.schedule.account_budget)
        cursor, state = self._sync_registry(account)
        try:
            fetched = self.fetch(self.config, account, cursor, state)
            result.fetched = len(fetched.posts)
            result.notes = list(fetched.notes)
            self._store(account, fetched, result, deadline)
        except ConnectorError as exc:
            self._record_failure(account, exc, result)
        except Exception as exc:
            # The message of an unexpected error may quote post text: log only its type, and
            # the traceback (code, not values) at debug level.
            log.error("account %s: unexpected %s", account.id, type(exc).__name__)
            log.debug("traceback: %s", code_locations(exc))
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

    def _store(
        self, account: AccountConfig, fetched: FetchResult, result: AccountResult, deadline: float
    ) -> None:
        # One row per platform id (a recheck window may repeat a post); the last copy wins.
        unique = {p.external_id: p for p in fetched.posts}
        if fetched.complete_threads:
            with Session(self.engine) as s:
                for gone in self._deleted_comments(s, account, fetched.complete_threads, unique):
                    unique[gone.external_id] = gone
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
            retried = self._unscanned(s, account, set(unique))
        hashes = {p.external_id: content_hash(p) for p in posts}
        changed = [
            p for p in posts if known.get(p.external_id, (None, None))[1] != hashes[p.external_id]
        ]
        found, unscanned = self._detect(
            account, [*changed, *(p for p, _ in retried)], fetched.profile_text, deadline, result
        )
        now = self.now()
        with session_scope(self.engine) as s:
            seen = [known[p.external_id][0] for p in posts if p.external_id not in found]
            if seen:  # unchanged posts: one statement, no per-post round trip
                s.exec(
                    update(tables.PostRow)
                    .where(col(tables.PostRow.id).in_(seen))
                    .values(last_seen_at=now)
                )
            ids = self.writer.write_changed(
                s, changed, known, hashes, now, result, unscanned=unscanned
            )
            scanned = [p for p in changed if p.external_id not in unscanned]
            done = [(p, pid) for p, pid in retried if p.external_id not in unscanned]
            if done:  # a retried post is not a change: it only gets its scanned hash now
                for post, pid in done:
                    ids[post.external_id] = pid
                    hashes[post.external_id] = content_hash(post)
                    s.exec(
                        update(tables.PostRow)
                        .where(col(tables.PostRow.id) == pid)
                        .values(scanned_hash=hashes[post.external_id])
                    )
                scanned.extend(p for p, _ in done)
            self.writer.store_findings(s, account, scanned, ids, hashes, found, result)
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

    def _unscanned(
        self, s: Session, account: AccountConfig, fetched: set[str]
    ) -> list[tuple[Post, int]]:
        """Stored posts of the account whose scan never finished (quarantined, or deferred by
        the time budget) and that this fetch did not bring again: they are scanned again now,
        although the cursor has moved past them. Oldest first, at most `RETRY_LIMIT`."""
        rows = s.exec(
            select(tables.PostRow)
            .where(tables.PostRow.account_id == account.id)
            .where(col(tables.PostRow.scanned_hash).is_(None))
            .where(col(tables.PostRow.text_purged_at).is_(None))
            .where(col(tables.PostRow.deleted).is_(False))
            .order_by(col(tables.PostRow.created_at))
            .limit(RETRY_LIMIT + len(fetched))
        ).all()
        out = [
            (_post_of(row), row.id)
            for row in rows
            if row.external_id not in fetched and row.id is not None
        ]
        return out[:RETRY_LIMIT]

    def _deleted_comments(
        self, s: Session, account: AccountConfig, threads: Sequence[str], fetched: dict[str, Post]
    ) -> list[Post]:
        """Stored, live comments under `threads` (whose whole comment list this fetch read)
        that the fetch no longer has: deleted on the platform, returned as tombstones."""
        rows = s.exec(
            select(tables.PostRow)
            .where(tables.PostRow.account_id == account.id)
            .where(tables.PostRow.kind == PostKind.COMMENT)
            .where(col(tables.PostRow.thread_external_id).in_(list(threads)))
            .where(col(tables.PostRow.deleted).is_(False))
        ).all()
        return [
            replace(_post_of(row), deleted=True) for row in rows if row.external_id not in fetched
        ]

    def _detect(
        self,
        account: AccountConfig,
        posts: Sequence[Post],
        profile: str | None,
        deadline: float,
        result: AccountResult,
    ) -> tuple[dict[str, list[Finding]], set[str]]:
        """Run every detector over the posts, `DETECT_CHUNK` posts per batch.

        Detectors see each text bounded (`bounded_for_detection`). When a batch fails, its posts
        are retried one by one; a post that still fails is quarantined. Once the account's time
        budget is spent, the remaining posts are deferred. Both kinds are returned as unscanned
        external ids: stored without a scanned hash, retried on the next scan, never blocking
        the account's other posts or its cursor.
        """
        out: dict[str, list[Finding]] = {p.external_id: [] for p in posts}
        unscanned: set[str] = set()
        live = [p for p in posts if not p.deleted]
        if not live:
            return out, unscanned
        ctx = detection_context(self.config, {account.id: profile})
        for start in range(0, len(live), DETECT_CHUNK):
            if self.clock() > deadline:
                rest = live[start:]
                unscanned.update(p.external_id for p in rest)
                budget = self.config.scanner.schedule.account_budget
                result.notes.append(
                    f"{len(rest)} post(s) deferred to the next scan: the account's time budget "
                    f"({budget}, schedule.account_budget) was used"
                )
                log.warning("account %s: %d post(s) deferred (time budget)", account.id, len(rest))
                break
            chunk = live[start : start + DETECT_CHUNK]
            all_views = [replace(p, text=bounded_for_detection(p.text)) for p in chunk]
            for detector in self.detectors.values():
                # the account's own rules (disclaimer, posting time) never judge others' comments
                info = detector.info
                judged = [(p, v) for p, v in zip(chunk, all_views, strict=True) if info.judges(p)]
                if not judged:
                    continue
                views = [v for _, v in judged]
                results = self._run_detector(account, detector, views, ctx, unscanned, result)
                for (post, _), findings in zip(judged, results, strict=True):
                    out[post.external_id].extend(
                        f for f in findings if self.allow_rules.permits(post.text, f)
                    )
        return out, unscanned

    def _run_detector(
        self,
        account: AccountConfig,
        detector: Detector,
        views: Sequence[Post],
        ctx: DetectionContext,
        quarantined: set[str],
        result: AccountResult,
    ) -> list[list[Finding]]:
        """One detector over one batch; on failure post by post, quarantining what fails."""
        try:
            return detector.detect_batch(views, ctx)
        except Exception:  # a library failing on one text must not stop the account
            log.warning("account %s: a detector batch failed; retrying post by post", account.id)
        results: list[list[Finding]] = []
        for view in views:
            try:
                results.extend(detector.detect_batch([view], ctx))
            except Exception as exc:
                if view.external_id not in quarantined:
                    quarantined.add(view.external_id)
                    error = type(exc).__name__
                    result.notes.append(
                        f"post {view.external_id} quarantined ({error}); "
                        "it is retried on the next scan"
                    )
                    log.warning(
                        "account %s: post %s quarantined (%s)", account.id, view.external_id, error
                    )
                results.append([])
        return results


def _post_of(row: tables.PostRow) -> Post:
    """The stored row as the `Post` a connector once gave."""
    return Post(
        platform=row.platform,
        account=row.account_id,
        external_id=row.external_id,
        url=row.url,
        author=row.author,
        created_at=row.created_at,
        text=row.text,
        edited_at=row.edited_at,
        deleted=row.deleted,
        raw=dict(row.raw or {}),
        kind=row.kind,
        parent_external_id=row.parent_external_id,
        author_role=row.author_role,
        thread_external_id=row.thread_external_id,
    )
