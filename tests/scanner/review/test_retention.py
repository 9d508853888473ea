"""Retention purge: post text past the limit goes unless a finding is open; detail expires."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scanner.config.schema import Config
from scanner.errors import RetentionError
from scanner.review import workflow
from scanner.review.retention import purge
from scanner.store import tables
from tests.support.fakes import FakePlatform
from tests.support.review import T0, env, make_config, new_feed, pipeline  # noqa: F401

pytestmark = pytest.mark.usefixtures("env")
RETENTION = "retention: {post_text_days: 30, finding_days: 365}\n"


def _posts(engine: Engine) -> dict[str, tables.PostRow]:
    with Session(engine) as s:
        return {p.external_id: p for p in s.exec(select(tables.PostRow)).all()}


def _snapshot(engine: Engine) -> list:
    with Session(engine) as s:
        out = []
        for table in (tables.PostRow, tables.FindingRow, tables.AuditEvent, tables.Outbox):
            out.extend(sorted((r.model_dump() for r in s.exec(select(table)).all()), key=str))
        return out


@pytest.fixture
def scanned(tmp_path: Path, engine: Engine) -> tuple[Config, FakePlatform]:
    """Old posts: one clean, one with an open finding, one with a dismissed finding; one new."""
    config = make_config(tmp_path / "config", retention=RETENTION)
    feed = new_feed()
    now = tables.utcnow()
    feed.put("acct-0", "clean", "Game at six", when=now - timedelta(days=40), raw={"id": "clean"})
    feed.put("acct-0", "open", "Emma Johnson scored", when=now - timedelta(days=40))
    feed.put("acct-0", "dismissed", "Liam Smith read", when=now - timedelta(days=31))
    feed.put("acct-0", "fresh", "Bake sale", when=now - timedelta(days=29))
    feed.put(
        "acct-0",
        "edited",
        "Concert",
        when=now - timedelta(days=90),
        edited_at=now - timedelta(days=5),
    )
    pipeline(config, engine, feed, now).scan()
    liam = workflow.list_findings(engine, workflow.FindingFilter(category=["STUDENT_NAME"]), config)
    (dismissed,) = [r["id"] for r in liam if r["url"].endswith("/dismissed")]
    workflow.change_status(engine, dismissed, "dismissed", reviewer="kim", note="not a student")
    return config, feed


def test_purge_blanks_old_text_except_with_open_findings(engine: Engine, scanned: tuple) -> None:
    config, _ = scanned
    result = purge(config, engine)
    assert (result.posts_purged, result.posts_kept_open) == (2, 1)
    assert result.posts_by_account == {"acct-0": 2}
    posts = _posts(engine)
    for ext in ("clean", "dismissed"):
        assert (posts[ext].text, posts[ext].raw) == ("", {})
        assert posts[ext].text_purged_at is not None
    for ext in ("open", "fresh", "edited"):
        assert posts[ext].text and posts[ext].text_purged_at is None
    (event,) = workflow.list_audit(engine, action="purge")
    assert event["detail"]["posts_purged"] == 2
    # a second run finds nothing more, and records nothing
    again = purge(config, engine)
    assert again.total == 0 and len(workflow.list_audit(engine, action="purge")) == 1


def test_closing_the_last_open_finding_lets_the_text_go(engine: Engine, scanned: tuple) -> None:
    config, _ = scanned
    purge(config, engine)
    (open_row,) = workflow.list_findings(engine, workflow.FindingFilter(status=["open"]), config)
    workflow.change_status(engine, open_row["id"], "confirmed", reviewer="kim")
    assert purge(config, engine).posts_purged == 1  # a confirmed finding no longer holds it
    assert _posts(engine)["open"].text == ""


def test_dry_run_changes_nothing(engine: Engine, scanned: tuple) -> None:
    config, _ = scanned
    before = _snapshot(engine)
    result = purge(config, engine, dry_run=True)
    assert result.dry_run and (result.posts_purged, result.posts_kept_open) == (2, 1)
    assert _snapshot(engine) == before


def test_refetched_unchanged_post_stays_purged(engine: Engine, scanned: tuple) -> None:
    config, feed = scanned
    later = tables.utcnow() + timedelta(minutes=5)
    assert purge(config, engine, now=later).posts_purged == 2
    pipeline(config, engine, feed, later + timedelta(minutes=1)).scan()
    # Unchanged content is not written again, so purged text does not come back.
    assert _posts(engine)["clean"].text == ""
    assert _posts(engine)["clean"].last_seen_at > later


def test_open_finding_older_than_finding_days_refuses_everything(
    engine: Engine, scanned: tuple
) -> None:
    config, _ = scanned
    before = _snapshot(engine)
    with pytest.raises(RetentionError, match=r"1 open finding\(s\) are older") as exc:
        purge(config, engine, now=tables.utcnow() + timedelta(days=400))
    assert "\n" not in str(exc.value)
    with pytest.raises(RetentionError):
        purge(config, engine, dry_run=True, now=tables.utcnow() + timedelta(days=400))
    assert _snapshot(engine) == before


def test_expired_detail_is_scrubbed_keeping_counts(engine: Engine, scanned: tuple) -> None:
    config, _ = scanned
    (open_row,) = workflow.list_findings(engine, workflow.FindingFilter(status=["open"]), config)
    workflow.change_status(engine, open_row["id"], "confirmed", reviewer="kim", note="Emma, gr 7")
    with Session(engine) as s:
        s.add(
            tables.Outbox(
                dedupe_key="x",
                recipient="a@b.org",
                kind="email",
                payload={"subject": "Emma"},
                sent_at=tables.utcnow(),
            )
        )
        s.commit()
    events_before = len(workflow.list_audit(engine))
    later = tables.utcnow() + timedelta(days=400)
    result = purge(config, engine, now=later)
    assert result.findings_scrubbed == 2  # the confirmed and the dismissed one
    assert result.audit_events_scrubbed == events_before
    assert result.outbox_scrubbed == 1
    rows = workflow.list_findings(engine, config=config)
    assert len(rows) == 2 and all(r["masked_excerpt"] == "" and r["note"] is None for r in rows)
    events = workflow.list_audit(engine)
    assert len(events) == events_before + 1  # the rows stay (counts), plus the purge event
    changes = [e for e in events if e["action"] == "status_changed"]
    assert all(set(e["detail"]) == {"from", "to", "reopen", "purged"} for e in changes)
    assert "Emma" not in str(events)
    with Session(engine) as s:
        payloads = {o.dedupe_key: o.payload for o in s.exec(select(tables.Outbox)).all()}
    assert payloads.pop("x") == {}
    assert payloads and all(payloads.values())  # unsent items keep theirs
    again = purge(config, engine, now=later + timedelta(days=1))
    assert (again.findings_scrubbed, again.audit_events_scrubbed, again.outbox_scrubbed) == (
        0,
        0,
        0,
    )


def test_no_retention_configured_purges_nothing(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path / "config")
    feed = new_feed()
    feed.put("acct-0", "old", "Old text", when=T0 - timedelta(days=3000))
    pipeline(config, engine, feed).scan()
    result = purge(config, engine)
    assert result.total == 0 and _posts(engine)["old"].text == "Old text"
