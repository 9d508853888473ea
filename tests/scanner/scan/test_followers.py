"""The follower consent check (policy item 3) on SQLite and PostgreSQL: findings by roster id
only, consents (per account, all accounts, expired), idempotency, auto-resolution, failures."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from connectors.base import Follower, FollowerPage
from scanner.config.loader import load_config
from scanner.config.schema import AccountConfig, Config
from scanner.errors import AuthError, InputError
from scanner.scan.follower_sources import follower_source, read_member_list
from scanner.scan.followers import FollowerCheck
from scanner.schedule.service import Service
from scanner.store import tables
from tests.support.config import write_config
from tests.support.fakes import T0, Clock, FakePlatform, keyword_detector, post

ROSTER = """\
student_id,first_name,last_name,grade,school,directory_opt_out,media_consent,preferred_name,handles
S-101,Maya,Chen,11,Jefferson High School,no,yes,,@mayac.draws
S-102,Tyrone,Jackson,11,Jefferson High School,yes,yes,Ty,
S-103,Priya,Patel,10,Jefferson High School,no,no,,
S-104,Marcus,Williams,11,Jefferson High School,no,yes,,
"""
NAMES = ("Maya", "Chen", "Tyrone", "Jackson", "Priya", "Patel", "Marcus", "Williams", "mayac")


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    folder = write_config(
        tmp_path / "c",
        scanner_extra="student_roster: students.csv\n",
        accounts=[{"id": "a"}, {"id": "b"}],
    )
    (folder / "students.csv").write_text(ROSTER)
    return load_config(folder)


class Followers:
    """A scripted follower source: account id -> list of (display name, handle)."""

    def __init__(self, lists: dict[str, list[tuple[str, str]]], complete: bool = True):
        self.lists = lists
        self.complete = complete
        self.error: Exception | None = None

    def __call__(self, _config: Config, account: AccountConfig, _state: Any) -> FollowerPage:
        if self.error is not None:
            raise self.error
        people = [Follower(n, h) for n, h in self.lists.get(account.id, [])]
        return FollowerPage(people, self.complete, f"https://example.org/{account.id}/followers")


def add_consent(engine: Engine, student: str, account: str | None, **kw: Any) -> None:
    with Session(engine) as s:
        s.add(
            tables.ConsentRow(
                student_id=student,
                account_id=account,
                granted_on=kw.get("granted_on", date(2026, 9, 1)),
                filed_at="office binder",
                expires_on=kw.get("expires_on"),
            )
        )
        s.commit()


def findings(engine: Engine) -> list[tables.FindingRow]:
    with Session(engine) as s:
        return list(s.exec(select(tables.FindingRow).order_by(tables.FindingRow.id)).all())


def check(cfg: Config, engine: Engine, source: Followers, clock: Clock | None = None) -> Any:
    return FollowerCheck(cfg, engine, fetch=source, now=clock or Clock())


def test_accounts_need_a_source(cfg: Config) -> None:
    reddit = cfg.account("a")
    assert follower_source(reddit) == "platform"
    assert follower_source(reddit.model_copy(update={"members_csv": "m.csv"})) == "members_csv"
    assert follower_source(reddit.model_copy(update={"replay": "c.yaml"})) is None
    assert follower_source(reddit.model_copy(update={"followers_check": False})) is None
    assert follower_source(reddit.model_copy(update={"platform": "blog"})) is None


@pytest.mark.parametrize(
    ("follower", "student", "how"),
    [
        (("Maya Chen", "someone"), "S-101", "name"),
        (("MAYA CHEN 🏀 | JHS '27", "x1"), "S-101", "name"),
        (("Maya C.", ""), "S-101", "name"),
        (("", "@MayaC.Draws"), "S-101", "handle"),
        (("Art fan", "u/mayac.draws"), "S-101", "handle"),
        (("Ty Jackson", "tj"), "S-102", "name"),
        (("", "priya_patel09"), "S-103", "name"),
    ],
)
def test_a_student_without_consent_is_one_finding_by_roster_id(
    cfg: Config, engine: Engine, follower: tuple[str, str], student: str, how: str
) -> None:
    result = check(cfg, engine, Followers({"a": [follower, ("Kevin Ng", "kev")]})).run(
        [cfg.account("a")]
    )[0]
    assert (result.ok, result.followers, result.students, result.without_consent) == (
        True,
        2,
        1,
        1,
    )
    (f,) = findings(engine)
    assert (f.detector, f.category, f.status) == ("consent", "FOLLOWER_WITHOUT_CONSENT", "open")
    assert student in f.explanation and f"matched by {how}" in f.explanation
    assert student in f.masked_excerpt
    with Session(engine) as s:
        stand_in = s.get(tables.PostRow, f.post_id)
        assert stand_in is not None and (stand_in.kind, stand_in.text) == ("followers", "")
        items = s.exec(select(tables.Outbox)).all()
    assert items and all(i.payload["policy_item"].startswith("Policy item 3") for i in items)
    assert all("remove the follower" in i.payload["action"] for i in items)
    stored = json.dumps([i.payload for i in items]) + f.explanation + f.masked_excerpt
    for name in (*NAMES, follower[0], follower[1]):
        if name and len(name) > 2:
            assert name.lower() not in stored.lower(), name


@pytest.mark.parametrize(
    ("student", "severity"),
    [("Maya Chen", "medium"), ("Ty Jackson", "high"), ("Priya Patel", "high")],
)
def test_roster_flags_raise_the_severity(
    cfg: Config, engine: Engine, student: str, severity: str
) -> None:
    check(cfg, engine, Followers({"a": [(student, "")]})).run([cfg.account("a")])
    assert [f.severity for f in findings(engine)] == [severity]


@pytest.mark.parametrize(
    ("consent", "finding"),
    [
        ({"account": "a"}, False),
        ({"account": None}, False),  # all accounts
        ({"account": "b"}, True),  # another account's permission does not count
        ({"account": "a", "expires_on": date(2026, 9, 30)}, True),  # expired before T0
        ({"account": None, "expires_on": T0.date()}, False),  # valid through its last day
        ({"account": "a", "granted_on": T0.date() + timedelta(days=3)}, True),  # not yet
    ],
)
def test_consent_on_file(
    cfg: Config, engine: Engine, consent: dict[str, Any], finding: bool
) -> None:
    consent = dict(consent)  # the parameter is shared by both databases' runs
    add_consent(engine, "S-101", consent.pop("account"), **consent)
    check(cfg, engine, Followers({"a": [("Maya Chen", "")]})).run([cfg.account("a")])
    assert len(findings(engine)) == int(finding)
    if finding and "expires_on" in consent:
        assert "expired on 2026-09-30" in findings(engine)[0].explanation


def test_check_is_idempotent_and_resolves_when_consent_is_filed_or_the_student_leaves(
    cfg: Config, engine: Engine
) -> None:
    source = Followers({"a": [("Maya Chen", ""), ("Marcus Williams", "")]})
    clock = Clock()
    first = check(cfg, engine, source, clock).run([cfg.account("a")])[0]
    again = check(cfg, engine, source, clock).run([cfg.account("a")])[0]
    assert (first.findings_new, again.findings_new) == (2, 0)
    with Session(engine) as s:
        assert len(s.exec(select(tables.Outbox)).all()) == 2  # the sponsor, once per student
        assert len(s.exec(select(tables.PostRow)).all()) == 1  # one stand-in per account
    add_consent(engine, "S-101", "a")
    source.lists["a"] = [("Maya Chen", "")]  # Marcus left; Maya's permission was filed
    done = check(cfg, engine, source, clock).run([cfg.account("a")])[0]
    assert (done.findings_new, done.findings_resolved) == (0, 2)
    reasons = {f.explanation.split()[2]: f.resolved_reason for f in findings(engine)}
    assert reasons == {"S-101": "consent on file", "S-104": "no longer a follower or member"}
    with Session(engine) as s:
        actions = [e.action for e in s.exec(select(tables.AuditEvent)).all()]
    assert actions.count("auto_resolved") == 2
    # Marcus follows again without consent: the same finding reopens, the sponsor hears again
    source.lists["a"].append(("Marcus Williams", ""))
    back = check(cfg, engine, source, clock).run([cfg.account("a")])[0]
    assert back.findings_new == 1
    assert [f.status for f in findings(engine)] == ["resolved", "open"]
    with Session(engine) as s:
        assert len(s.exec(select(tables.Outbox)).all()) == 3


def test_a_partial_list_never_resolves_a_student_it_did_not_see(
    cfg: Config, engine: Engine
) -> None:
    source = Followers({"a": [("Maya Chen", "")]})
    check(cfg, engine, source).run([cfg.account("a")])
    partial = Followers({"a": []}, complete=False)
    assert check(cfg, engine, partial).run([cfg.account("a")])[0].findings_resolved == 0
    assert [f.status for f in findings(engine)] == ["open"]


def test_a_dismissed_finding_stays_dismissed(cfg: Config, engine: Engine) -> None:
    source = Followers({"a": [("Maya Chen", "")]})
    check(cfg, engine, source).run([cfg.account("a")])
    with Session(engine) as s:
        f = s.exec(select(tables.FindingRow)).one()
        f.status = "dismissed"  # a reviewer: another Maya Chen, not our student
        s.add(f)
        s.commit()
    assert check(cfg, engine, source).run([cfg.account("a")])[0].findings_new == 0
    assert [f.status for f in findings(engine)] == ["dismissed"]


def test_due_follows_the_followers_interval(cfg: Config, engine: Engine) -> None:
    clock = Clock()
    fc = check(cfg, engine, Followers({}), clock)
    assert [a.id for a in fc.due(cfg.accounts)] == ["a", "b"]
    fc.run([cfg.account("a")])
    assert [a.id for a in fc.due(cfg.accounts)] == ["b"]
    clock.advance(days=1, seconds=1)
    assert [a.id for a in fc.due(cfg.accounts)] == ["a", "b"]


def test_a_failure_is_recorded_without_names_and_retried_sooner(
    cfg: Config, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    source = Followers({})
    source.error = AuthError("x @club followers: HTTP 403; needs Enterprise access")
    clock = Clock()
    result = check(cfg, engine, source, clock).run([cfg.account("a")])[0]
    assert not result.ok and "Enterprise" in (result.error or "")
    with Session(engine) as s:
        row = s.get(tables.FollowerCheckRow, "a")
        assert row is not None and row.last_error and "403" in row.last_error
        assert row.next_check_at == clock() + timedelta(hours=1)
    source.error = ValueError("Maya Chen could not be parsed")  # a message quoting a follower
    with caplog.at_level(logging.DEBUG):
        result = check(cfg, engine, source, clock).run([cfg.account("a")])[0]
    assert result.error == "ValueError (see log)"
    assert "Maya" not in caplog.text


def test_logs_carry_counts_never_names(
    cfg: Config, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        check(cfg, engine, Followers({"a": [("Maya Chen", "@mayac.draws")]})).run(
            [cfg.account("a")]
        )
    assert "1 roster matches" in caplog.text
    assert "maya" not in caplog.text.lower() and "chen" not in caplog.text.lower()


def test_a_failing_follower_request_never_fails_the_post_scan(cfg: Config, engine: Engine) -> None:
    source = Followers({})
    source.error = AuthError("reddit r/club0 approved users: HTTP 403")
    platform = FakePlatform({"a": [post("a", 1, "BAD news ok")], "b": []})
    service = Service(
        cfg.dir,
        engine,
        config=cfg,
        detectors={"fake": keyword_detector()},
        fetch=platform,
        followers=source,
        notify=None,
        purge=None,
    )
    summary = service.run_once()
    assert [r.ok for r in summary.results] == [True, True]
    assert summary.results[0].findings_new == 1
    with Session(engine) as s:
        checks = {r.account_id: r.last_error for r in s.exec(select(tables.FollowerCheckRow))}
    assert set(checks) == {"a", "b"} and all("403" in (e or "") for e in checks.values())


def test_the_scheduler_checks_followers_once_per_interval(cfg: Config, engine: Engine) -> None:
    calls: list[str] = []

    def source(_c: Config, account: AccountConfig, _s: Any) -> FollowerPage:
        calls.append(account.id)
        return FollowerPage([Follower("Maya Chen", "")])

    clock = Clock()
    platform = FakePlatform({"a": [], "b": []})
    service = Service(
        cfg.dir,
        engine,
        config=cfg,
        detectors={},
        fetch=platform,
        followers=source,
        notify=None,
        purge=None,
        now=clock,
    )
    service.run_once()
    clock.advance(hours=2)  # posts are due again (1h), followers are not (1d)
    service.run_once()
    assert calls == ["a", "b"]
    assert {f.account_id for f in findings(engine)} == {"a", "b"}


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "art.members_csv: no file members.csv"),
        ("name,handle\nMaya Chen,mc\n", "members.csv: header: missing columns display_name"),
    ],
)
def test_a_bad_member_list_names_the_file_never_a_follower(
    cfg: Config, engine: Engine, content: str | None, error: str
) -> None:
    account = cfg.account("a").model_copy(update={"id": "art", "members_csv": "members.csv"})
    if content is not None:
        (cfg.dir / "members.csv").write_text(content)
    with pytest.raises(InputError, match=error) as caught:
        read_member_list(cfg, account)
    assert "Maya" not in str(caught.value)
    result = FollowerCheck(cfg, engine).check_account(account)
    assert not result.ok and error in (result.error or "")


def test_a_member_list_is_read_relative_to_the_config_folder(cfg: Config) -> None:
    (cfg.dir / "members.csv").write_text("display_name,handle\nMaya Chen,mc\nKevin Ng,\n")
    account = cfg.account("a").model_copy(update={"members_csv": "members.csv"})
    page = read_member_list(cfg, account)
    assert [(f.display_name, f.handle) for f in page.followers] == [
        ("Maya Chen", "mc"),
        ("Kevin Ng", ""),
    ]
    assert page.complete
