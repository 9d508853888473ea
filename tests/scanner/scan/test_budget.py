"""The per-account time budget (issue 13): once an account's detector time is spent, its other
posts are stored unscanned and deferred to the next scan, and the next account still runs.
The clock is injected, so the test is about behaviour, not speed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.errors import ConfigError
from scanner.records import DetectionContext, Finding, Post
from scanner.scan import pipeline
from scanner.scan.pipeline import Pipeline
from scanner.store import tables
from tests.support.config import write_config
from tests.support.fakes import FakeDetector, FakePlatform, keyword_detector, post


class SlowDetector(FakeDetector):
    """Flags BAD like `keyword_detector`, and costs `cost` seconds of the fake clock a batch."""

    def __init__(self, clock: list[float], cost: float) -> None:
        super().__init__()
        self.inner, self.clock, self.cost = keyword_detector(), clock, cost
        self.batches: list[int] = []

    def detect_batch(self, posts: Sequence[Post], ctx: DetectionContext) -> list[list[Finding]]:
        self.clock[0] += self.cost
        self.batches.append(len(posts))
        return self.inner.detect_batch(posts, ctx)


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    extra = "schedule: {account_budget: 2m}\n"
    return load_config(
        write_config(tmp_path / "c", scanner_extra=extra, accounts=[{"id": "a"}, {"id": "b"}])
    )


def test_an_account_over_its_budget_defers_the_rest_and_the_next_account_runs(
    cfg: Config, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "DETECT_CHUNK", 2)
    clock = [0.0]
    detector = SlowDetector(clock, cost=90.0)  # two batches use up the 2-minute budget
    platform = FakePlatform(
        {
            "a": [post("a", n, f"BAD post {n} ok") for n in range(1, 9)],
            "b": [post("b", 1, "BAD in b ok")],
        },
        newer_only=True,
    )
    pipe = Pipeline(cfg, engine, {"slow": detector}, fetch=platform, clock=lambda: clock[0])

    first = {r.account_id: r for r in pipe.scan().results}
    assert first["a"].ok and first["a"].findings_new == 4  # two batches of two
    assert any("4 post(s) deferred" in n and "account_budget" in n for n in first["a"].notes)
    assert first["b"].ok and first["b"].findings_new == 1  # b was not starved
    with Session(engine) as s:
        waiting = s.exec(
            select(tables.PostRow.external_id).where(col(tables.PostRow.scanned_hash).is_(None))
        ).all()
        account = s.get(tables.AccountRow, "a")
    assert sorted(waiting) == ["t3_a_5", "t3_a_6", "t3_a_7", "t3_a_8"]
    assert account is not None and account.cursor == "t3_a_8"  # the cursor still moved on

    second = {r.account_id: r for r in pipe.scan().results}  # the platform has nothing new
    assert second["a"].findings_new == 4 and not second["a"].notes
    with Session(engine) as s:
        assert not s.exec(
            select(tables.PostRow).where(col(tables.PostRow.scanned_hash).is_(None))
        ).all()
        assert len(s.exec(select(tables.FindingRow)).all()) == 9


def test_the_budget_is_a_duration_in_the_schedule_block(tmp_path: Path) -> None:
    bad = write_config(tmp_path / "c", scanner_extra="schedule: {account_budget: soon}\n")
    with pytest.raises(ConfigError, match="account_budget"):
        load_config(bad)
