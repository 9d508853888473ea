"""The fakes every test shares: ONE configurable detector, ONE scripted platform, a clock.

`FakeDetector` emits findings named "student_pii" and "disclaimer", so the pipeline looks up the
real declarations of those detectors (policy item, masking, privacy-officer routing) in the
registry, exactly as it does for the real detectors. Each test builds the fake with the patterns
and the disclaimer rule it needs; `keyword_detector()` is the one the pipeline, scheduler and
fault tests share.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from connectors.base import FetchResult
from detectors.base import DetectorSettings
from scanner.records import DetectionContext, DetectorInfo, Finding, Post, Severity

T0 = datetime(2026, 10, 5, 17, 0, tzinfo=UTC)  # Monday 10:00 in Los Angeles (PDT)


# --- detector ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """One kind of student PII the fake finds: every match of `pattern` (a regular expression)."""

    pattern: str | re.Pattern[str]
    category: str = "STUDENT_NAME"
    explanation: str = "a student name"
    score: float = 0.9
    severity: Severity = Severity.HIGH


class FakeDetector:
    """A stand-in detector, configured per test.

    Every match of each `Flag` becomes a "student_pii" finding (flags in order, matches left to
    right); a post for which `missing_disclaimer(text)` is true gets one "disclaimer" finding
    (no span). It records the external ids it judged (`seen`) and every batch (`batches`).
    As a `detectors.base.SensitiveText`, its `sensitive_spans` are the matches of the
    `sensitive` patterns (none unless told); it records every text it was asked about
    (`sensitive_calls`).
    """

    name: ClassVar[str] = "fake"
    info: ClassVar[DetectorInfo] = DetectorInfo(
        policy_item="Test policy (a fake detector)",
        action="Nothing: the fake detector only stands in for the real ones.",
        categories={},
    )
    Settings: ClassVar[type[DetectorSettings]] = DetectorSettings

    def __init__(
        self,
        flags: Sequence[Flag] = (),
        *,
        missing_disclaimer: Callable[[str], bool] | None = None,
        disclaimer_explanation: str = "element A missing",
        disclaimer_severity: Severity = Severity.MEDIUM,
        sensitive: Sequence[str | re.Pattern[str]] = (),
    ) -> None:
        self.flags = [(re.compile(f.pattern), f) for f in flags]
        self.sensitive = [re.compile(p) for p in sensitive]
        self.sensitive_calls: list[str] = []
        self.missing_disclaimer = missing_disclaimer
        self.disclaimer_explanation = disclaimer_explanation
        self.disclaimer_severity = disclaimer_severity
        self.seen: list[str] = []
        self.batches: list[tuple[Sequence[Post], DetectionContext]] = []

    def sensitive_spans(self, text: str) -> list[tuple[int, int]]:
        self.sensitive_calls.append(text)
        return [m.span() for p in self.sensitive for m in p.finditer(text)]

    def detect_batch(self, posts: Sequence[Post], ctx: DetectionContext) -> list[list[Finding]]:
        self.batches.append((posts, ctx))
        out = []
        for post in posts:
            self.seen.append(post.external_id)
            found = [
                Finding(
                    "student_pii",
                    f.category,
                    f.severity,
                    m.start(),
                    m.end(),
                    f.score,
                    f.explanation,
                )
                for pattern, f in self.flags
                for m in pattern.finditer(post.text)
            ]
            if self.missing_disclaimer is not None and self.missing_disclaimer(post.text):
                found.append(
                    Finding(
                        "disclaimer",
                        "missing_disclaimer",
                        self.disclaimer_severity,
                        None,
                        None,
                        1.0,
                        self.disclaimer_explanation,
                    )
                )
            out.append(found)
        return out


def keyword_detector() -> FakeDetector:
    """ "BAD" is a student name (high); a post without "ok" lacks its disclaimer (medium)."""
    return FakeDetector(
        [Flag("BAD", explanation="name near 'team'")],
        missing_disclaimer=lambda text: "ok" not in text,
    )


# --- platform ----------------------------------------------------------------------------------


def post(account: str, n: int, text: str, **kw: Any) -> Post:
    """The `n`-th reddit post of `account`, created `n` hours after T0."""
    return Post(
        platform="reddit",
        account=account,
        external_id=f"t3_{account}_{n}",
        url=f"https://reddit.example/{account}/{n}",
        author="club",
        created_at=T0 + timedelta(hours=n),
        text=text,
        **kw,
    )


@dataclass
class FakePlatform:
    """The pipeline's `fetch`: every scripted post of an account on each fetch.

    The cursor it returns is the newest external id (with `newer_only`, later fetches return
    only posts created after the cursor's post); `errors[account]` is raised instead while
    set; every call is recorded as (account id, cursor). `put` publishes or edits a post.
    """

    posts: dict[str, list[Post]] = field(default_factory=dict)
    errors: dict[str, Exception] = field(default_factory=dict)
    calls: list[tuple[str, str | None]] = field(default_factory=list)
    start: datetime = T0  # when `put` posts were created, unless told
    profile_text: str | None = "about us"
    newer_only: bool = False  # like a real platform: only posts newer than the cursor
    complete_threads: list[str] = field(default_factory=list)  # returned as read in full

    def put(
        self, account: str, ext: str, text: str, *, when: datetime | None = None, **kw: Any
    ) -> Post:
        """Publish a reddit post on `account`, or edit it in place if `ext` is already there."""
        new = Post(
            "reddit",
            account,
            ext,
            f"https://example.org/{ext}",
            "club",
            when or self.start,
            text,
            **kw,
        )
        posts = self.posts.setdefault(account, [])
        for i, old in enumerate(posts):
            if old.external_id == ext:
                posts[i] = new
                break
        else:
            posts.append(new)
        return new

    def __call__(
        self, config: Any, account: Any, cursor: str | None, state: dict[str, Any]
    ) -> FetchResult:
        self.calls.append((account.id, cursor))
        if account.id in self.errors:
            raise self.errors[account.id]
        posts = self.posts.get(account.id, [])
        newest = max((p.external_id for p in posts), default=cursor)
        if self.newer_only and cursor is not None:
            after = {p.external_id: p.created_at for p in posts}.get(cursor)
            posts = [p for p in posts if after is None or p.created_at > after]
        return FetchResult(
            posts=list(posts),
            cursor=newest,
            profile_text=self.profile_text,
            state={"seen": len(posts)},
            complete_threads=list(self.complete_threads),
        )


# --- time --------------------------------------------------------------------------------------


class Clock:
    """A settable `now` for the pipeline, notifier and scheduler; the test moves it by hand."""

    def __init__(self, t: datetime = T0) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **delta: float) -> None:
        self.t += timedelta(**delta)
