"""The scan pipeline against SQLite and PostgreSQL: idempotency, changes, failures, crashes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.errors import RateLimited, TransientError
from scanner.scan.pipeline import Pipeline
from scanner.scan.writes import FindingWriter
from scanner.store import tables
from tests.support.config import write_config
from tests.support.fakes import T0, FakeDetector, FakePlatform, Flag, keyword_detector, post


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path / "c", accounts=[{"id": "a"}, {"id": "b"}]))


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {
            name: s.exec(select(func.count()).select_from(table)).one()
            for name, table in [
                ("posts", tables.PostRow),
                ("findings", tables.FindingRow),
                ("outbox", tables.Outbox),
            ]
        }


def test_scan_is_idempotent(cfg: Config, engine: Engine) -> None:
    platform = FakePlatform(
        {
            "a": [post("a", 1, "BAD news ok"), post("a", 2, "fine ok")],
            "b": [post("b", 1, "no disclaimer")],
        }
    )
    detector = keyword_detector()
    pipe = Pipeline(cfg, engine, {"fake": detector}, fetch=platform)
    first = pipe.scan()
    assert [r.ok for r in first.results] == [True, True]
    assert counts(engine) == {"posts": 3, "findings": 2, "outbox": 3}
    # pii → sponsor + privacy officer; disclaimer → sponsor only
    second = pipe.scan()
    assert counts(engine) == {"posts": 3, "findings": 2, "outbox": 3}
    assert sum(r.findings_new for r in second.results) == 0
    assert len(detector.seen) == 3  # unchanged posts are not detected again
    assert platform.calls[-2:] == [("a", "t3_a_2"), ("b", "t3_b_1")]
    with Session(engine) as s:
        acc = s.get(tables.AccountRow, "a")
        assert acc and acc.profile_text == "about us" and acc.state == {"seen": 2}
        assert acc.next_scan_at and acc.next_scan_at > acc.last_scan_at  # type: ignore[operator]
        item = s.exec(
            select(tables.Outbox).where(tables.Outbox.recipient == "privacy@mvsd.k12.wa.us")
        ).one()
        assert item.payload["excerpt"] == "" or "BAD" not in item.payload["excerpt"]


def test_edited_post_is_rescanned_and_old_finding_resolved(cfg: Config, engine: Engine) -> None:
    platform = FakePlatform({"a": [post("a", 1, "BAD news ok")]})
    detector = keyword_detector()
    pipe = Pipeline(cfg, engine, {"fake": detector}, fetch=platform)
    pipe.scan(["a"])
    platform.posts["a"] = [replace(post("a", 1, "good news ok"), edited_at=T0 + timedelta(days=1))]
    result = pipe.scan(["a"]).results[0]
    assert (result.posts_changed, result.findings_new, result.findings_resolved) == (1, 0, 1)
    with Session(engine) as s:
        finding = s.exec(select(tables.FindingRow)).one()
        assert (
            finding.status == "resolved"
            and finding.resolved_reason == "post edited; no longer found"
        )
        audit = s.exec(select(tables.AuditEvent)).one()
        assert audit.action == "auto_resolved" and audit.finding_id == finding.id
    platform.posts["a"] = [replace(post("a", 1, "BAD again"), deleted=True)]
    result = pipe.scan(["a"]).results[0]
    assert result.findings_new == 0  # deleted posts are not judged
    assert detector.seen == ["t3_a_1", "t3_a_1"]


def test_deleted_post_resolves_open_findings(cfg: Config, engine: Engine) -> None:
    platform = FakePlatform({"a": [post("a", 1, "BAD news")]})
    pipe = Pipeline(cfg, engine, {"fake": keyword_detector()}, fetch=platform)
    pipe.scan(["a"])
    platform.posts["a"] = [replace(post("a", 1, "[deleted]"), deleted=True)]
    assert pipe.scan(["a"]).results[0].findings_resolved == 2
    with Session(engine) as s:
        reasons = {f.resolved_reason for f in s.exec(select(tables.FindingRow))}
    assert reasons == {"post deleted"}


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        (TransientError("HTTP 503 from reddit"), False),
        (RateLimited("429 Too Many Requests", retry_at=T0 + timedelta(minutes=15)), True),
        (ValueError("library bug"), False),
    ],
)
def test_failing_account_is_recorded_and_others_continue(
    cfg: Config, engine: Engine, error: Exception, retry: bool
) -> None:
    platform = FakePlatform({"b": [post("b", 1, "ok")]}, errors={"a": error})
    summary = Pipeline(cfg, engine, {"fake": keyword_detector()}, fetch=platform).scan()
    assert [r.ok for r in summary.results] == [False, True]
    assert type(error).__name__ in (summary.results[0].error or "")
    with Session(engine) as s:
        acc = s.get(tables.AccountRow, "a")
        assert acc and acc.cursor is None and acc.consecutive_failures == 1
        assert (acc.retry_at == error.retry_at) if retry else acc.retry_at is None  # type: ignore[attr-defined]
        run = s.get(tables.ScanRun, summary.run_id)
        assert run and run.accounts_failed == 1 and run.accounts_ok == 1 and "a" in run.errors
    assert counts(engine)["posts"] == 1


class Crash(BaseException):
    """Stands in for the process dying (not an Exception: nothing may catch it)."""


def test_crash_between_fetch_and_commit_loses_and_duplicates_nothing(
    cfg: Config, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = FakePlatform({"a": [post("a", n, f"BAD {n}") for n in range(1, 6)]})
    pipe = Pipeline(cfg, engine, {"fake": keyword_detector()}, fetch=platform)
    real_queue = FindingWriter._queue
    calls = {"n": 0}

    def dying_queue(self: FindingWriter, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # mid-way through the write transaction
            raise Crash
        real_queue(self, *args)

    monkeypatch.setattr(FindingWriter, "_queue", dying_queue)
    with pytest.raises(Crash):
        pipe.scan(["a"])
    assert counts(engine) == {"posts": 0, "findings": 0, "outbox": 0}
    with Session(engine) as s:
        acc = s.get(tables.AccountRow, "a")
        assert acc is not None and acc.cursor is None
    monkeypatch.setattr(FindingWriter, "_queue", real_queue)
    pipe.scan(["a"])
    pipe.scan(["a"])
    assert counts(engine) == {"posts": 5, "findings": 10, "outbox": 15}
    with Session(engine) as s:
        assert s.get(tables.AccountRow, "a").cursor == "t3_a_5"  # type: ignore[union-attr]


def test_registry_fields_mirrored_and_handle_change_resets_cursor(
    cfg: Config, engine: Engine, tmp_path: Path
) -> None:
    platform = FakePlatform({"a": [post("a", 1, "ok")]})
    Pipeline(cfg, engine, {}, fetch=platform).scan(["a"])
    moved = load_config(write_config(tmp_path / "c2", accounts=[{"id": "a", "handle": "r/moved"}]))
    Pipeline(moved, engine, {}, fetch=platform).scan(["a"])
    assert platform.calls == [("a", None), ("a", None)]
    with Session(engine) as s:
        acc = s.get(tables.AccountRow, "a")
        assert acc and acc.handle == "r/moved" and acc.sponsor_email == "sponsor0@mvsd.k12.wa.us"


def test_a_post_repeated_within_one_fetch_is_stored_once(cfg: Config, engine: Engine) -> None:
    platform = FakePlatform({"a": [post("a", 1, "BAD news"), post("a", 1, "BAD news, edited")]})
    result = (
        Pipeline(cfg, engine, {"fake": keyword_detector()}, fetch=platform).scan(["a"]).results[0]
    )
    assert result.ok and result.posts_new == 1
    with Session(engine) as s:
        assert [p.text for p in s.exec(select(tables.PostRow))] == ["BAD news, edited"]


def test_excerpts_mask_every_detectors_sensitive_spans_once_per_post(
    cfg: Config, engine: Engine
) -> None:
    flagged = "Relay: BAD and theo (mchen2031) won, ok"
    platform = FakePlatform(
        {
            "a": [
                post("a", 1, flagged),
                post("a", 2, "theo ran too, ok"),  # no finding: never asked about
                post("a", 3, "no disclaimer for theo"),  # whole-post finding only: no excerpt
            ]
        }
    )
    detector = FakeDetector(
        [Flag("BAD")],
        missing_disclaimer=lambda text: "ok" not in text,
        sensitive=[r"theo", r"\w*\d\w*"],
    )
    pipe = Pipeline(cfg, engine, {"fake": detector}, fetch=platform)
    pipe.scan(["a"])
    assert detector.sensitive_calls == [flagged]  # once, for the one post with a span finding
    with Session(engine) as s:
        finding = s.exec(select(tables.FindingRow).where(tables.FindingRow.start == 7)).one()
        items = s.exec(select(tables.Outbox).where(tables.Outbox.finding_id == finding.id)).all()
    assert finding.masked_excerpt == "Relay: [B**] and t*** (*********) won, ok"
    assert items and all(i.payload["excerpt"] == finding.masked_excerpt for i in items)
    platform.posts["a"].append(post("a", 4, "fine, ok"))
    pipe.scan(["a"])
    assert detector.sensitive_calls == [flagged]  # no new finding: not asked again
