"""Status workflow, audit trail, suppression across re-scans, auto-resolution (real Pipeline)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scanner import errors
from scanner.review import export, workflow
from scanner.store import tables
from tests.support.fakes import FakePlatform
from tests.support.review import T0, env, make_config, new_feed, pipeline  # noqa: F401

pytestmark = pytest.mark.usefixtures("env")


def _findings(engine: Engine) -> list[tables.FindingRow]:
    with Session(engine) as s:
        return list(s.exec(select(tables.FindingRow).order_by(tables.FindingRow.id)).all())


def _events(engine: Engine, action: str | None = None) -> list[tables.AuditEvent]:
    with Session(engine) as s:
        q = select(tables.AuditEvent).order_by(tables.AuditEvent.id)
        if action:
            q = q.where(tables.AuditEvent.action == action)
        return list(s.exec(q).all())


def _set_status(engine: Engine, finding_id: int, status: str) -> None:
    with Session(engine) as s:
        f = s.get(tables.FindingRow, finding_id)
        assert f is not None
        f.status = status
        s.add(f)
        s.commit()


@pytest.fixture
def one_finding(tmp_path: Path, engine: Engine) -> tuple[object, FakePlatform, int]:
    config = make_config(tmp_path / "config")
    feed = new_feed()
    feed.put("acct-0", "p1", "Congrats to Emma Johnson on the win!")
    pipeline(config, engine, feed).scan()
    (f,) = _findings(engine)
    assert f.id is not None
    return config, feed, f.id


# (from, to, reopen) -> allowed?
TRANSITIONS = [
    ("open", "confirmed", False, True),
    ("open", "dismissed", False, True),
    ("open", "resolved", False, True),
    ("open", "open", False, False),
    ("confirmed", "resolved", False, True),
    ("confirmed", "dismissed", False, False),
    ("confirmed", "dismissed", True, True),
    ("confirmed", "confirmed", True, False),
    ("confirmed", "open", False, True),
    ("dismissed", "confirmed", False, False),
    ("dismissed", "confirmed", True, True),
    ("dismissed", "resolved", False, False),
    ("dismissed", "resolved", True, True),
    ("dismissed", "open", False, True),
    ("dismissed", "dismissed", True, False),
    ("resolved", "confirmed", False, False),
    ("resolved", "confirmed", True, True),
    ("resolved", "dismissed", False, False),
    ("resolved", "dismissed", True, True),
    ("resolved", "open", False, True),
]


@pytest.mark.parametrize(("start", "target", "reopen", "allowed"), TRANSITIONS)
def test_every_transition(
    engine: Engine, one_finding: tuple, start: str, target: str, reopen: bool, allowed: bool
) -> None:
    _, _, fid = one_finding
    _set_status(engine, fid, start)
    before = len(_events(engine))
    if not allowed:
        with pytest.raises(errors.InvalidTransition) as exc:
            workflow.change_status(engine, fid, target, reviewer="kim", note="n", reopen=reopen)
        assert f"finding {fid}" in str(exc.value) and "\n" not in str(exc.value)
        (f,) = _findings(engine)
        assert f.status == start and f.reviewer is None
        assert len(_events(engine)) == before
        return
    workflow.change_status(
        engine, fid, target, reviewer="kim", note="checked roster", reopen=reopen
    )
    (f,) = _findings(engine)
    assert (f.status, f.reviewer, f.note) == (target, "kim", "checked roster")
    assert f.resolved_reason == ("marked resolved by reviewer" if target == "resolved" else None)
    (event,) = _events(engine)[before:]
    assert event.actor == "kim" and event.finding_id == fid and event.account_id == "acct-0"
    assert event.action == ("reopened" if target == "open" else "status_changed")
    assert event.detail["from"] == start and event.detail["to"] == target
    assert event.detail["note"] == "checked roster"


@pytest.mark.parametrize(
    ("fid_offset", "note", "reviewer", "error"),
    [
        (1000, None, "kim", errors.UnknownFinding),
        (0, "x" * (workflow.NOTE_LIMIT + 1), "kim", errors.InvalidInput),
        (0, None, "  ", errors.InvalidInput),
        (0, None, None, errors.InvalidInput),
    ],
)
def test_bad_input_changes_nothing(
    engine: Engine,
    one_finding: tuple,
    fid_offset: int,
    note: str | None,
    reviewer: str | None,
    error: type[Exception],
) -> None:
    _, _, fid = one_finding
    with pytest.raises(error):
        workflow.change_status(engine, fid + fid_offset, "confirmed", reviewer=reviewer, note=note)
    (f,) = _findings(engine)
    assert f.status == "open" and _events(engine) == []


def test_note_at_the_limit_is_kept(engine: Engine, one_finding: tuple) -> None:
    _, _, fid = one_finding
    workflow.change_status(engine, fid, "dismissed", reviewer="kim", note="y" * workflow.NOTE_LIMIT)
    assert len(_findings(engine)[0].note or "") == workflow.NOTE_LIMIT


def test_dismissed_stays_dismissed_when_rescanned_unchanged(
    tmp_path: Path, engine: Engine, one_finding: tuple
) -> None:
    config, feed, fid = one_finding
    workflow.change_status(engine, fid, "dismissed", reviewer="kim", note="staff kid, consent")
    summary = pipeline(config, engine, feed, T0 + timedelta(days=1)).scan()
    assert summary.results[0].findings_new == 0
    assert [(f.id, f.status) for f in _findings(engine)] == [(fid, "dismissed")]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"text": "Congrats to the team on the win!"}, "post edited; no longer found"),
        ({"deleted": True, "text": "[deleted]"}, "post deleted"),
    ],
)
def test_auto_resolution_on_edit_and_delete(
    engine: Engine, one_finding: tuple, change: dict, reason: str
) -> None:
    config, feed, fid = one_finding
    feed.put(
        "acct-0",
        "p1",
        change["text"],
        deleted=change.get("deleted", False),
        edited_at=T0 + timedelta(hours=2),
    )
    result = pipeline(config, engine, feed, T0 + timedelta(days=1)).scan().results[0]
    assert result.findings_resolved == 1 and result.findings_new == 0
    (f,) = _findings(engine)
    assert (f.status, f.resolved_reason) == ("resolved", reason)
    detail = workflow.get_finding(engine, fid)
    assert [e.action for e in detail.history] == ["auto_resolved"]
    assert detail.history[0].detail == {"reason": reason}


def test_edit_keeping_the_name_opens_a_new_finding_and_resolves_the_old(
    engine: Engine, one_finding: tuple
) -> None:
    config, feed, fid = one_finding
    feed.put("acct-0", "p1", "Update: congrats to Emma Johnson on the win!")
    pipeline(config, engine, feed, T0 + timedelta(days=1)).scan()
    old, new = _findings(engine)
    assert (old.id, old.status, new.status) == (fid, "resolved", "open")
    assert new.start == old.start + len("Update: c") - 1


def test_confirmed_then_post_removed_stays_confirmed_until_resolved(
    engine: Engine, one_finding: tuple
) -> None:
    config, feed, fid = one_finding
    workflow.change_status(engine, fid, "confirmed", reviewer="kim")
    feed.put("acct-0", "p1", "[deleted]", deleted=True)
    pipeline(config, engine, feed, T0 + timedelta(days=1)).scan()
    assert _findings(engine)[0].status == "confirmed"  # the pipeline only auto-resolves open ones
    workflow.change_status(engine, fid, "resolved", reviewer="kim", note="sponsor removed it")
    assert _findings(engine)[0].status == "resolved"


def test_list_filters(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path / "config", accounts=2)
    feed = new_feed()
    feed.put("acct-0", "a1", "Emma Johnson scored")
    feed.put("acct-0", "a2", "RECAP of the game, call (555) 123-4567")
    feed.put("acct-1", "b1", "Liam Smith read aloud")
    pipeline(config, engine, feed).scan()
    rows = workflow.list_findings(engine, config=config)
    assert len(rows) == 4
    assert {"id", "status", "detector", "category", "severity", "account", "url"} <= set(rows[0])
    assert all("Emma" not in r["masked_excerpt"] or r["category"] != "STUDENT_NAME" for r in rows)

    def ids(**kw: object) -> set[str]:
        return {
            r["category"] + "@" + r["account"]
            for r in workflow.list_findings(engine, workflow.FindingFilter(**kw), config)
        }

    assert ids(detector=["disclaimer"]) == {"missing_disclaimer@acct-0"}
    assert ids(category=["STUDENT_NAME"]) == {"STUDENT_NAME@acct-0", "STUDENT_NAME@acct-1"}
    assert ids(account=["acct-1"]) == {"STUDENT_NAME@acct-1"}
    assert ids(school="adams middle school") == {"STUDENT_NAME@acct-1"}
    assert ids(mine="SPONSOR1@mvsd.k12.wa.us") == {"STUDENT_NAME@acct-1"}
    assert len(ids(severity=["medium"])) == 1
    first = rows[-1]["id"]
    workflow.change_status(engine, first, "confirmed", reviewer="kim")
    assert len(workflow.list_findings(engine, workflow.FindingFilter(status=["open"]), config)) == 3
    now = tables.utcnow()
    assert ids(since=now + timedelta(hours=1)) == set()
    assert len(ids(until=now + timedelta(hours=1))) == 4
    assert len(workflow.list_findings(engine, workflow.FindingFilter(limit=2), config)) == 2


def test_audit_list_filters(engine: Engine, one_finding: tuple) -> None:
    _, _, fid = one_finding
    workflow.change_status(engine, fid, "dismissed", reviewer="kim", note="a")
    workflow.change_status(engine, fid, "open", reviewer="lee", note="b")
    rows = workflow.list_audit(engine)
    assert [r["action"] for r in rows] == ["reopened", "status_changed"]
    assert [r["actor"] for r in workflow.list_audit(engine, actor="kim")] == ["kim"]
    assert workflow.list_audit(engine, finding_id=fid + 1) == []


def test_csv_cells_are_safe_for_spreadsheets() -> None:
    text = export.to_csv([{"a": "=HYPERLINK(1)", "b": {"x": 1}, "c": None}], ["a", "b", "c"])
    assert text.splitlines()[1] == '\'=HYPERLINK(1),"{""x"": 1}",'
