"""Shared helpers for the review/allow-rule/report/retention tests: a config folder, a fake
detector, a fake feed, and a real Pipeline wired to them."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy.engine import Engine

from connectors.base import FetchResult
from detectors import DETECTORS
from detectors.base import DetectorSettings
from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.records import DetectionContext, Finding, Post
from scanner.scan.pipeline import Pipeline
from tests.conftest import write_config

KEY_ENV = "SCANNER_TEST_ROSTER_KEY"
T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # a Monday
NAME = re.compile(r"\b(?:Emma Johnson|Liam Smith|Mrs\.\s+Parker)\b", re.IGNORECASE)
PHONE = re.compile(r"\(?\d{3}\)?[ .-]?\d{3}-\d{4}")


class FakePii:
    """Flags two names, "Mrs. Parker" and phone numbers; "RECAP" posts lack a disclaimer."""

    name: ClassVar[str] = "student_pii"
    Settings: ClassVar[type[DetectorSettings]] = DetectorSettings

    def detect_batch(self, posts: Sequence[Post], ctx: DetectionContext) -> list[list[Finding]]:
        out = []
        for post in posts:
            found = [
                Finding("student_pii", "STUDENT_NAME", "high", m.start(), m.end(), 0.9, "a name")
                for m in NAME.finditer(post.text)
            ] + [
                Finding("student_pii", "STUDENT_CONTACT", "high", m.start(), m.end(), 0.8, "phone")
                for m in PHONE.finditer(post.text)
            ]
            if post.text.startswith("RECAP"):
                found.append(
                    Finding("disclaimer", "missing_disclaimer", "medium", None, None, 1.0, "none")
                )
            out.append(found)
        return out


@dataclass
class Feed:
    """What the fake platform currently shows, per account."""

    posts: dict[str, dict[str, Post]] = field(default_factory=dict)

    def put(self, account: str, ext: str, text: str, *, when: datetime = T0, **kw: Any) -> Post:
        post = Post("reddit", account, ext, f"https://example.org/{ext}", "club", when, text, **kw)
        self.posts.setdefault(account, {})[ext] = post
        return post

    def fetch(self, config: Any, account: Any, cursor: Any, state: Any) -> FetchResult:
        return FetchResult(list(self.posts.get(account.id, {}).values()), cursor=None)


def make_config(folder: Path, *, accounts: int = 1, retention: str = "") -> Config:
    """A config folder with `accounts` reddit accounts (acct-0, acct-1 …) and a roster key."""
    extra = f'roster_secret: {{"$env": "{KEY_ENV}"}}\n'
    if retention:
        extra += retention
    rows = [{} for _ in range(accounts)]
    write_config(folder, scanner_extra=extra, accounts=rows)
    if accounts > 1:  # give the second account another school
        text = (folder / "accounts.yaml").read_text()
        parts = text.split("  - id: acct-1")
        parts[1] = parts[1].replace("Jefferson High School", "Adams Middle School", 1)
        (folder / "accounts.yaml").write_text("  - id: acct-1".join(parts))
    return load_config(folder)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Config loading independent of the real detector modules, with a test HMAC key."""
    monkeypatch.setattr(DETECTORS, "targets", {}, raising=False)
    try:
        import scanner.scan.masking  # noqa: F401
    except ModuleNotFoundError:  # written by another helper; a stand-in until it lands
        stub = types.ModuleType("scanner.scan.masking")
        stub.mask_span = lambda text, s, e, category: "*" * (e - s)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "scanner.scan.masking", stub)
    monkeypatch.setenv(KEY_ENV, "0123456789abcdef" * 4)


def pipeline(config: Config, engine: Engine, feed: Feed, now: datetime | None = None) -> Pipeline:
    """A real Pipeline with the fake detector and feed."""
    clock = now or T0 + timedelta(hours=1)
    return Pipeline(config, engine, {"student_pii": FakePii()}, fetch=feed.fetch, now=lambda: clock)
