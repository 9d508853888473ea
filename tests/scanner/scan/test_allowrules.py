"""Allow-rules: hashed values in allow_rules.yaml, suppression in the real Pipeline across scans."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scanner import errors
from scanner.config.schema import Config
from scanner.errors import ConfigError
from scanner.records import Finding
from scanner.review import workflow
from scanner.scan import allowrules
from scanner.scan.allowrules import AllowRules, normalise
from scanner.store import tables
from tests.support.review import KEY_ENV, T0, env, make_config, new_feed, pipeline  # noqa: F401

pytestmark = pytest.mark.usefixtures("env")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Emma Johnson", "emma  JOHNSON", True),
        ("Emma Johnson", "Emma\u200bJohnson", False),  # zero-width space removed: one word
        ("Émma Johnson", "Emma Johnson", True),
        ("Ｅｍｍａ Johnson", "Emma Johnson", True),
        ("(555) 123-4567", "555.123.4567", True),
        ("+1 555 123 4567", "555-123-4567", True),
        ("555-123-4567", "555-123-4568", False),
        ("Emma Johnson", "Emma Johnston", False),
        ("coach@mvsd.org", "Coach@MVSD.org", True),
    ],
)
def test_normalise(a: str, b: str, same: bool) -> None:
    assert (normalise(a) == normalise(b)) is same


def _finding(start: int | None, end: int | None, category: str = "STUDENT_NAME") -> Finding:
    return Finding("student_pii", category, "high", start, end, 0.9, "a name")


def _rules_path(config: Config) -> Path:
    return config.dir / allowrules.RULES_FILE


def test_add_rule_stores_a_keyed_hash_not_the_value(tmp_path: Path) -> None:
    config = make_config(tmp_path / "config")
    text = "Thanks Mrs. Parker for coaching"
    rule = allowrules.add_rule(
        config,
        detector="student_pii",
        category="STUDENT_NAME",
        text=text,
        start=7,
        end=18,
        reason="staff member",
        added_by="kim",
        finding_id=3,
    )
    raw = _rules_path(config).read_text()
    assert "Parker" not in raw and "parker" not in raw
    data = yaml.safe_load(raw)
    assert data["version"] == 1 and len(data["key_id"]) == 16
    assert data["rules"][0] | {"added_at": None} == {
        "id": 1,
        "detector": "student_pii",
        "category": "STUDENT_NAME",
        "match": "span",
        "value_hmac": rule.value_hmac,
        "reason": "staff member",
        "added_by": "kim",
        "added_at": None,
        "finding_id": 3,
    }
    rules = AllowRules.load(config)
    assert not rules.permits("mrs.  PARKER said hi", _finding(0, 12))
    assert rules.permits("Mrs. Parkes said hi", _finding(0, 11))
    assert rules.permits("Mrs. Parker said hi", _finding(0, 11, "STUDENT_CONTACT"))
    assert rules.permits("Mrs. Parker said hi", _finding(None, None))
    second = allowrules.add_rule(
        config,
        detector="disclaimer",
        category="missing_disclaimer",
        text="Weekly menu",
        start=None,
        end=None,
        reason="cafeteria menu feed",
        added_by="kim",
        finding_id=None,
    )
    assert (second.id, second.match) == (2, "post")
    rules = AllowRules.load(config)
    disclaimer = Finding("disclaimer", "missing_disclaimer", "medium", None, None, 1, "x")
    assert not rules.permits("weekly  MENU", disclaimer)
    assert rules.permits("Weekly menu!!! and more", disclaimer)
    assert allowrules.remove_rule(config, 1).id == 1
    assert [r.id for r in AllowRules.load(config).rules] == [2]


def test_no_file_means_no_rules_and_no_key_needed(tmp_path: Path, monkeypatch) -> None:
    config = make_config(tmp_path / "config")
    monkeypatch.delenv(KEY_ENV)
    rules = AllowRules.load(config)
    assert len(rules) == 0 and rules.permits("Emma Johnson", _finding(0, 12))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("version: 2\nrules: []\n", "allow_rules.yaml: version: 2 is not allowed"),
        ("version: 1\nrulez: []\n", "allow_rules.yaml: rulez: unknown key"),
        ("version: 1\nrules:\n  - {id: 1}\n", "allow_rules.yaml: rules[0].detector: required"),
        ("version: 1\nrules: [\n", "allow_rules.yaml: line"),
    ],
)
def test_invalid_file_is_a_config_error(tmp_path: Path, body: str, expected: str) -> None:
    config = make_config(tmp_path / "config")
    _rules_path(config).write_text(body)
    with pytest.raises(ConfigError) as exc:
        AllowRules.load(config)
    assert str(exc.value).startswith(expected)


def test_changed_key_is_reported(tmp_path: Path, monkeypatch) -> None:
    config = make_config(tmp_path / "config")
    allowrules.add_rule(
        config,
        detector="student_pii",
        category="*",
        text="Emma Johnson",
        start=0,
        end=12,
        reason="r",
        added_by="kim",
        finding_id=None,
    )
    monkeypatch.setenv(KEY_ENV, "another key entirely")
    with pytest.raises(ConfigError, match="allow_rules.yaml: key_id: the rules were hashed"):
        AllowRules.load(make_config(tmp_path / "config"))


def _open(engine: Engine) -> list[tables.FindingRow]:
    with Session(engine) as s:
        return list(
            s.exec(select(tables.FindingRow).where(tables.FindingRow.status == "open")).all()
        )


def test_allow_rule_from_a_finding_suppresses_future_scans(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path / "config")
    feed = new_feed()
    feed.put("acct-0", "p1", "Great job Mrs. Parker and Emma Johnson")
    pipeline(config, engine, feed).scan()
    parker = next(f for f in _open(engine) if f.start == 10)
    rule = workflow.add_allow_rule(config, engine, parker.id, reason="staff member", reviewer="kim")
    assert rule.finding_id == parker.id
    detail = workflow.get_finding(engine, parker.id)
    assert detail.finding.status == "dismissed"
    assert [e.action for e in detail.history] == ["allow_rule_added", "status_changed"]
    assert detail.history[0].detail["rule_id"] == rule.id
    assert detail.history[0].actor == "kim" and "Parker" not in str(detail.history[0].detail)

    # later scans: a new post with the same name (other spelling) is not flagged; others are
    p2 = feed.put(
        "acct-0", "p2", "MRS.  PARKER will coach again; ask Liam Smith", when=T0 + timedelta(1)
    ).text
    later = pipeline(config, engine, feed, T0 + timedelta(days=2)).scan().results[0]
    assert later.findings_new == 1
    assert {(f.post_id, f.start) for f in _open(engine)} == {
        (parker.post_id, 26),
        (parker.post_id + 1, p2.index("Liam")),
    }
    # an edit of the first post re-detects it: Parker stays suppressed, Emma is found again
    feed.put("acct-0", "p1", "Great job Mrs. Parker and Emma Johnson!!")
    pipeline(config, engine, feed, T0 + timedelta(days=3)).scan()
    with Session(engine) as s:
        on_p1 = s.exec(
            select(tables.FindingRow).where(tables.FindingRow.post_id == parker.post_id)
        ).all()
    assert sorted((f.start, f.status) for f in on_p1) == [
        (10, "dismissed"),
        (26, "open"),
        (26, "resolved"),
    ]


def test_allow_refused_when_text_purged_or_changed(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path / "config")
    feed = new_feed()
    feed.put("acct-0", "p1", "Emma Johnson")
    pipeline(config, engine, feed).scan()
    (f,) = _open(engine)
    with Session(engine) as s:
        post = s.get(tables.PostRow, f.post_id)
        post.content_hash = "0" * 64
        s.add(post)
        s.commit()
    with pytest.raises(errors.ReviewError, match="post changed since this finding"):
        workflow.add_allow_rule(config, engine, f.id, reason="x", reviewer="kim")
    with Session(engine) as s:
        post = s.get(tables.PostRow, f.post_id)
        post.text_purged_at = tables.utcnow()
        s.add(post)
        s.commit()
    with pytest.raises(errors.ReviewError, match="post text was purged"):
        workflow.add_allow_rule(config, engine, f.id, reason="x", reviewer="kim")
    with pytest.raises(errors.InvalidInput, match="needs a --reason"):
        workflow.add_allow_rule(config, engine, f.id, reason="  ", reviewer="kim")
    with pytest.raises(errors.UnknownFinding):
        workflow.add_allow_rule(config, engine, f.id + 9, reason="x", reviewer="kim")
    assert not _rules_path(config).exists()
    assert workflow.list_audit(engine) == []
