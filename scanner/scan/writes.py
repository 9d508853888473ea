"""The scan's write phase: new and changed posts, findings, auto-resolution, outbox items.

Runs inside the account's one transaction (opened by `scanner.scan.pipeline`); plain Core
statements, because this is the hot path (the ORM costs about 1 ms a row).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from detectors.base import SensitiveText
from scanner.config.schema import AccountConfig, Config
from scanner.records import DetectorInfo, Finding, Post
from scanner.scan.excerpt import masked_excerpt
from scanner.scan.results import AccountResult
from scanner.scan.routing import routes_for
from scanner.scan.wiring import comment_action, detector_info
from scanner.store import tables
from scanner.store.payloads import ItemPayload

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


class FindingWriter:
    """Writes one account's changed posts and their findings in the caller's session."""

    def __init__(
        self,
        config: Config,
        now: Callable[[], datetime],
        sensitive: Sequence[SensitiveText] = (),
    ):
        self.config = config
        self.now = now
        self.sensitive = list(sensitive)  # the detectors whose sensitive spans excerpts mask

    def sensitive_spans(self, text: str) -> list[tuple[int, int]]:
        """Every span any `SensitiveText` detector points out in `text` (masked in excerpts)."""
        return [span for detector in self.sensitive for span in detector.sensitive_spans(text)]

    def write_changed(
        self,
        s: Session,
        posts: Sequence[Post],
        known: dict[str, tuple[int | None, str | None]],
        hashes: dict[str, str],
        now: datetime,
        result: AccountResult,
        unscanned: set[str] | None = None,
    ) -> dict[str, int]:
        """Insert new and update changed posts (Core statements: this is the hot path).

        Posts in `unscanned` (quarantined) are stored without a scanned hash, so the next scan
        runs the detectors on them again. Returns post ids by external id.
        """
        unscanned = unscanned or set()
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
                "kind": post.kind,
                "parent_external_id": post.parent_external_id,
                "thread_external_id": post.thread_external_id,
                "author_role": post.author_role,
                "content_hash": hashes[post.external_id],
                "scanned_hash": None if post.external_id in unscanned else hashes[post.external_id],
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
                if known[post.external_id][1] is not None:  # not a retry of an unscanned post
                    result.posts_changed += 1
        if fresh:
            new_ids = s.execute(_returning_ids(POST), fresh).scalars()
            ids.update(zip((v["external_id"] for v in fresh), new_ids, strict=True))
            result.posts_new += len(fresh)
        return ids

    def store_findings(
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
            masked = [
                (f.start, f.end, f.category) for f in prints.values() if self._info(f).masks_spans
            ]
            spans: list[tuple[int, int]] | None = None  # computed once, for posts that need it
            for fp, f in prints.items():
                if fp in have:
                    continue
                if spans is None and f.start is not None and f.end is not None:
                    spans = self.sensitive_spans(post.text)
                excerpt = masked_excerpt(post.text, f.start, f.end, masked, sensitive=spans or ())
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
            "post_kind": post.kind,
            "author_role": post.author_role,
        }
        if post.by_others:  # someone else's comment: the sponsor hides or deletes it
            payload["action"] = f"{info.action} {comment_action(account.platform)}"
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
                self.config,
                account,
                f.severity,
                privacy_officer=info.privacy_officer,
                urgent=f.category in info.urgent_categories,
            )
        )
