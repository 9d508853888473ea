"""Shared helpers for the review/allow-rule/report/retention tests: a config folder, the fake
detector they share, and a real Pipeline wired to it and a fake platform."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from detectors import DETECTORS
from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.scan.pipeline import Pipeline
from tests.support.config import write_config
from tests.support.fakes import FakeDetector, FakePlatform, Flag

KEY_ENV = "SCANNER_TEST_ROSTER_KEY"
T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # a Monday
NAME = re.compile(r"\b(?:Emma Johnson|Liam Smith|Mrs\.\s+Parker)\b", re.IGNORECASE)
PHONE = re.compile(r"\(?\d{3}\)?[ .-]?\d{3}-\d{4}")


def detector() -> FakeDetector:
    """Flags two names, "Mrs. Parker" and phone numbers; "RECAP" posts lack a disclaimer."""
    return FakeDetector(
        [
            Flag(NAME, "STUDENT_NAME", "a name", 0.9),
            Flag(PHONE, "STUDENT_CONTACT", "phone", 0.8),
        ],
        missing_disclaimer=lambda text: text.startswith("RECAP"),
        disclaimer_explanation="none",
    )


def new_feed() -> FakePlatform:
    """The fake platform; `feed.put(account, ext, text)` posts at T0 unless told otherwise."""
    return FakePlatform(start=T0)


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
    monkeypatch.setenv(KEY_ENV, "0123456789abcdef" * 4)


def pipeline(
    config: Config, engine: Engine, platform: FakePlatform, now: datetime | None = None
) -> Pipeline:
    """A real Pipeline with the fake detector and platform."""
    clock = now or T0 + timedelta(hours=1)
    return Pipeline(config, engine, {"student_pii": detector()}, fetch=platform, now=lambda: clock)
