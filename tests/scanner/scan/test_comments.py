"""Comments and replies in the pipeline (issue 15): stored with their parent and thread,
judged only by the detectors that apply to comments by others, alerts that say "comment" and
what the sponsor can do, and comments missing from a thread read in full are deletions.
SQLite and PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.records import DetectorInfo, Post
from scanner.scan.pipeline import Pipeline
from scanner.scan.wiring import comment_action
from scanner.store import tables
from tests.support.config import write_config
from tests.support.fakes import FakeDetector, FakePlatform, Flag, post


class OwnPostsOnly(FakeDetector):
    """Like the disclaimer rule: flags posts without "ok", never others' comments."""

    name: ClassVar[str] = "own_posts_only"
    info: ClassVar[DetectorInfo] = DetectorInfo(
        policy_item="Policy item 2",
        action="Add the disclaimer.",
        categories={},
        comments_by_others=False,
        comments_by_account=False,
    )


def comment(n: int, text: str, *, on: int = 1, by_account: bool = False, **kw: object) -> Post:
    """The `n`-th comment on reddit post `on` of account "a"."""
    base = post("a", 100 + n, text)
    return Post(
        platform=base.platform,
        account="a",
        external_id=f"t1_c{n}",
        url=f"https://reddit.example/a/{on}/c{n}",
        author="account" if by_account else f"parent{n}",
        created_at=base.created_at,
        text=text,
        kind="comment",
        parent_external_id=f"t3_a_{on}",
        thread_external_id=f"t3_a_{on}",
        author_role="account" if by_account else "other",
    )


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path / "c", accounts=[{"id": "a"}]))


@pytest.fixture
def detectors() -> dict[str, FakeDetector]:
    return {
        "pii": FakeDetector([Flag("Emma Ruiz", explanation="a child's full name")]),
        "own": OwnPostsOnly(missing_disclaimer=lambda text: "ok" not in text),
    }


def test_comments_are_stored_with_their_thread_and_judged_by_the_rules_that_apply(
    cfg: Config, engine: Engine, detectors: dict[str, FakeDetector]
) -> None:
    platform = FakePlatform(
        {
            "a": [
                post("a", 1, "Concert tonight ok"),
                comment(1, "my daughter Emma Ruiz in Ms. Lee's 3rd grade can't wait"),
                comment(2, "thanks everyone", by_account=True),
            ]
        }
    )
    result = Pipeline(cfg, engine, dict(detectors), fetch=platform).scan().results[0]
    assert result.ok, result.error
    assert detectors["own"].seen == ["t3_a_1"]  # neither comment: not the account's posts
    assert set(detectors["pii"].seen) == {"t3_a_1", "t1_c1", "t1_c2"}
    with Session(engine) as s:
        rows = {p.external_id: p for p in s.exec(select(tables.PostRow))}
        findings = s.exec(select(tables.FindingRow)).all()
        items = s.exec(select(tables.Outbox)).all()
    c1 = rows["t1_c1"]
    assert (c1.kind, c1.parent_external_id, c1.thread_external_id, c1.author_role) == (
        "comment",
        "t3_a_1",
        "t3_a_1",
        "other",
    )
    assert rows["t3_a_1"].kind == "post" and rows["t1_c2"].author_role == "account"
    assert [(f.post_id, f.detector) for f in findings] == [(c1.id, "student_pii")]
    sponsor = next(i for i in items if i.payload["role"] == "sponsor")
    assert sponsor.payload["post_kind"] == "comment"
    assert sponsor.payload["author_role"] == "other"
    assert sponsor.payload["action"].endswith(comment_action("reddit"))


@pytest.mark.parametrize("thread_read_in_full", [True, False])
def test_a_comment_missing_from_a_thread_read_in_full_is_deleted(
    cfg: Config, engine: Engine, detectors: dict[str, FakeDetector], thread_read_in_full: bool
) -> None:
    platform = FakePlatform(
        {"a": [post("a", 1, "Concert ok"), comment(1, "go Emma Ruiz!"), comment(2, "yay")]}
    )
    pipe = Pipeline(cfg, engine, dict(detectors), fetch=platform)
    assert pipe.scan().results[0].findings_new == 1
    platform.posts["a"] = [p for p in platform.posts["a"] if p.external_id != "t1_c1"]
    platform.complete_threads = ["t3_a_1"] if thread_read_in_full else []
    again = pipe.scan().results[0]
    with Session(engine) as s:
        stored = s.exec(select(tables.PostRow).where(tables.PostRow.external_id == "t1_c1")).one()
        finding = s.exec(select(tables.FindingRow)).one()
        kept = s.exec(select(tables.PostRow).where(tables.PostRow.external_id == "t1_c2")).one()
    assert not kept.deleted
    if thread_read_in_full:
        assert stored.deleted and again.findings_resolved == 1
        assert (finding.status, finding.resolved_reason) == ("resolved", "post deleted")
    else:  # a partial read proves nothing: the comment may just not have been fetched
        assert not stored.deleted and finding.status == "open"
