"""Hostile post text never stops monitoring (issue 13, items 1 and 2): a post with NUL, a lone
surrogate, a million characters or a long run without spaces is stored, scanned (bounded) and
never blocks the account's other posts or its cursor; a post a detector still fails on is
quarantined and retried. SQLite and PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.records import (
    MAX_DETECT_CHARS,
    MAX_RUN,
    DetectionContext,
    Finding,
    Post,
    bounded_for_detection,
)
from scanner.scan.pipeline import Pipeline
from scanner.schedule.status import account_status
from scanner.store import tables
from tests.support.config import write_config
from tests.support.fakes import FakeDetector, FakePlatform, keyword_detector, post

POISON = {
    "NUL": "BAD\x00 news ok",
    "lone surrogate": "\ud800 BAD news ok",
    "control characters": "BAD\x07\x1b[31m news ok",
    "over spaCy's limit": "BAD news ok " + "x" * 1_000_050,
    "20,000 open parentheses": "BAD news ok " + "(" * 20_000,
    "emoji run": "BAD news ok " + "\U0001f600" * 50_000,
}


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path / "c", accounts=[{"id": "a"}]))


@pytest.mark.parametrize("text", POISON.values(), ids=POISON.keys())
def test_a_poison_post_is_stored_and_the_others_still_flagged(
    cfg: Config, engine: Engine, text: str
) -> None:
    platform = FakePlatform({"a": [post("a", 1, text), post("a", 2, "BAD again ok")]})
    result = Pipeline(cfg, engine, {"fake": keyword_detector()}, fetch=platform).scan().results[0]
    assert result.ok, result.error
    with Session(engine) as s:
        stored = {p.external_id: p for p in s.exec(select(tables.PostRow))}
        findings = s.exec(select(tables.FindingRow)).all()
        account = s.get(tables.AccountRow, "a")
    assert set(stored) == {"t3_a_1", "t3_a_2"}
    assert "\x00" not in stored["t3_a_1"].text and "\ud800" not in stored["t3_a_1"].text
    assert {f.post_id for f in findings} == {stored["t3_a_1"].id, stored["t3_a_2"].id}
    assert account is not None and account.cursor == "t3_a_2"


class ExplodingDetector(FakeDetector):
    """Fails on any batch holding a post that says EXPLODE (like a library bug on one text)."""

    def __init__(self) -> None:
        super().__init__()
        self.inner = keyword_detector()
        self.broken = True

    def detect_batch(self, posts: Sequence[Post], ctx: DetectionContext) -> list[list[Finding]]:
        if self.broken and any("EXPLODE" in p.text for p in posts):
            raise ValueError("library failure quoting BAD post text")
        return self.inner.detect_batch(posts, ctx)


@pytest.mark.parametrize("newer_only", [False, True], ids=["fetched again", "cursor moved on"])
def test_a_post_the_detector_fails_on_is_quarantined_and_retried(
    cfg: Config, engine: Engine, newer_only: bool
) -> None:
    platform = FakePlatform(
        {"a": [post("a", 1, "EXPLODE BAD ok"), post("a", 2, "BAD too ok")]}, newer_only=newer_only
    )
    detector = ExplodingDetector()
    pipe = Pipeline(cfg, engine, {"fake": detector}, fetch=platform)
    result = pipe.scan().results[0]
    assert result.ok and result.findings_new == 1
    assert any("t3_a_1 quarantined (ValueError)" in note for note in result.notes)
    assert all("BAD" not in note for note in result.notes)  # no post text in the note
    with Session(engine) as s:
        rows = {p.external_id: p for p in s.exec(select(tables.PostRow))}
        account = s.get(tables.AccountRow, "a")
    assert rows["t3_a_1"].scanned_hash is None and rows["t3_a_2"].scanned_hash is not None
    assert account is not None and account.cursor == "t3_a_2"
    [status] = account_status(cfg, engine)
    assert status.quarantined_posts == 1  # shown by `scanner status`

    detector.broken = False  # the next scan retries the quarantined post only
    again = pipe.scan().results[0]
    assert again.findings_new == 1 and not again.notes
    assert again.posts_changed == 0  # a retry is not an edit
    assert account_status(cfg, engine)[0].quarantined_posts == 0
    with Session(engine) as s:
        assert (
            s.exec(select(tables.PostRow).where(tables.PostRow.external_id == "t3_a_1"))
            .one()
            .scanned_hash
        )


@pytest.mark.parametrize(
    ("text", "expected_len"),
    [
        ("short text", 10),
        ("x" * (MAX_DETECT_CHARS + 5), MAX_DETECT_CHARS),
        ("(" * (MAX_RUN * 3), MAX_RUN * 3),
    ],
)
def test_detectors_see_a_bounded_text_with_the_same_offsets(text: str, expected_len: int) -> None:
    bounded = bounded_for_detection(text)
    assert len(bounded) == expected_len
    assert max(len(run) for run in bounded.split()) <= MAX_RUN
    assert all(a == b or a == " " for a, b in zip(bounded, text, strict=False))
