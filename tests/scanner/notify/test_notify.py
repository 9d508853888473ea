"""Alerts end to end: pipeline → outbox → Notifier → a real aiosmtpd server (SQLite and PostgreSQL).

Covers routing and content, digest timing in the district timezone, auto-resolution notices,
threading, escaping, the file transport's idempotency, outages, 4xx/5xx replies, dead letters,
a crash between send and mark, two concurrent notifiers, the CLI, and a search of every sent
byte and log line for the raw student PII of the test posts.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from scanner.cli import notify as cli_notify
from scanner.config.schema import AccountConfig, Config, ScannerFile
from scanner.notify.send import Notifier, retry_delay
from scanner.records import Post
from scanner.scan.pipeline import Pipeline
from scanner.store import tables
from tests.support.fakes import T0, Clock, FakeDetector, FakePlatform, Flag
from tests.support.smtp_server import Received, SmtpServer

OFFICER = "privacy@mvsd.k12.wa.us"
NAME, STUDENT_ID, PHONE = "Emma Johnson", "204455", "(555) 123-4567"
RAW_PII = [NAME, "Johnson", STUDENT_ID, PHONE, "555-123-4567", "5551234567"]


# The student PII of the test posts, each with the explanation the alerts must carry; every post
# without "Disclaimer" lacks one (an explanation with markup, to check the escaping).
DETECTOR_FLAGS = [
    Flag(re.escape(NAME), "STUDENT_NAME", "Student name next to a grade level"),
    Flag(re.escape(STUDENT_ID), "STUDENT_ID", "Student ID number"),
    Flag(re.escape(PHONE), "STUDENT_CONTACT", "Phone number of a student's family"),
]


def detector() -> FakeDetector:
    return FakeDetector(
        DETECTOR_FLAGS,
        missing_disclaimer=lambda text: "Disclaimer" not in text,
        disclaimer_explanation="No disclaimer: <b>element A</b> & B missing",
    )


def post(account: str, n: int, text: str, at: datetime = T0, url: str | None = None) -> Post:
    return Post(
        platform="facebook",
        account=account,
        external_id=f"{account}_{n}",
        url=url or f"https://facebook.example/{account}/posts/{n}",
        author="club",
        created_at=at,
        text=text,
    )


def make_config(
    tmp_path: Path, mail: dict[str, Any], *, sponsors: Sequence[str] = (), **notifications: Any
) -> Config:
    scanner = ScannerFile.model_validate(
        {
            "version": 1,
            "district_name": "Maple Valley School District",
            "timezone": "America/Los_Angeles",
            "privacy_officer": {"name": "Grace Kim", "email": OFFICER},
            "mail": mail,
            "notifications": {"digest_time": "07:00", **notifications},
        }
    )
    sponsors = list(sponsors) or ["sponsor0@mvsd.k12.wa.us", "sponsor1@mvsd.k12.wa.us"]
    accounts = [
        AccountConfig.model_validate(
            {
                "id": f"acct-{i}",
                "platform": "facebook",
                "handle": f"club{i}",
                "site_name": f"Jefferson High Club {i} Community Page",
                "school": "Jefferson High School",
                "admin_contact": {"name": "Dana Parker", "email": "dparker@mvsd.k12.wa.us"},
                "sponsor": {"name": f"Sponsor {i}", "email": email},
            }
        )
        for i, email in enumerate(sponsors)
    ]
    return Config(tmp_path, scanner, accounts)


@dataclass
class World:
    """Config + database + clock + feed, with helpers to scan and notify."""

    config: Config
    engine: Engine
    clock: Clock = field(default_factory=Clock)
    feed: FakePlatform = field(default_factory=FakePlatform)

    def scan(self, account: str, *posts: Post) -> None:
        self.feed.posts[account] = list(posts)
        pipe = Pipeline(
            self.config, self.engine, {"fake": detector()}, fetch=self.feed, now=self.clock
        )
        assert all(r.ok for r in pipe.scan([account]).results)

    def notifier(self, **kw: Any) -> Notifier:
        return Notifier(self.config, self.engine, now=self.clock, **kw)

    def rows(self, kind: str = "email") -> list[tables.Outbox]:
        with Session(self.engine) as s:
            query = select(tables.Outbox).where(tables.Outbox.kind == kind)
            return list(s.exec(query.order_by(tables.Outbox.id)).all())  # type: ignore[arg-type]

    def audit(self, action: str) -> list[tables.AuditEvent]:
        with Session(self.engine) as s:
            return list(s.exec(select(tables.AuditEvent).where(tables.AuditEvent.action == action)))


@pytest.fixture
def world(tmp_path: Path, engine: Engine, smtp_server: SmtpServer) -> World:
    return World(make_config(tmp_path, smtp_server.mail_block()), engine)


def texts(m: Received) -> tuple[str, str]:
    msg = m.message
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def to(server: SmtpServer, rcpt: str) -> list[Received]:
    return [m for m in server.messages if m.rcpt_tos == [rcpt]]


PII_POST = (
    f"Congrats to {NAME} (Grade 7, student ID {STUDENT_ID}) on the science fair! Questions: {PHONE}"
)


# --- routing and content -------------------------------------------------------------------


def test_immediate_alerts_reach_sponsor_and_officer_with_content(
    world: World, smtp_server: SmtpServer
) -> None:
    world.scan("acct-0", post("acct-0", 1, PII_POST))
    result = world.notifier().run()
    # three high PII findings → at once, one e-mail per recipient; the medium one waits
    assert (result.emails_created, result.sent, result.failed, result.dead) == (2, 2, 0, 0)
    [sponsor] = to(smtp_server, "sponsor0@mvsd.k12.wa.us")
    [officer] = to(smtp_server, OFFICER)
    msg = sponsor.message
    assert (
        msg["Subject"]
        == "[Post scanner] HIGH: 3 new findings on Jefferson High Club 0 Community Page"
    )
    line = b"Subject: " + msg["Subject"].encode()  # longer than 78 characters, not folded
    assert sponsor.data.startswith(line + b"\r\n") and len(line) > 78
    assert msg["From"].addresses[0].addr_spec == "scanner@mvsd.k12.wa.us"
    assert msg["Auto-Submitted"] == "auto-generated" and msg["In-Reply-To"] is None
    assert msg["Message-ID"].startswith("<alert.") and msg["Message-ID"].endswith(
        "@mvsd.k12.wa.us>"
    )
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    plain, html = texts(sponsor)
    for text in (plain, html):
        assert (
            "Jefferson High Club 0 Community Page" in text
            and "acct-0" in text
            and "facebook" in text
        )
        assert "Mon 05 Oct 2026, 10:00 PDT" in text  # posted time in the district timezone
        assert "Student ID" in text and "Student name next to a grade level" in text
        assert "Policy item 4(b)" in text
        assert "Remove the post, or edit the student" in text  # what to do
    assert '<a href="https://facebook.example/acct-0/posts/1">' in html
    for label in ("Student name", "Student ID", "Student contact details"):
        assert plain.count(f"[HIGH] {label} (finding #") == 1
    officer_plain, _ = texts(officer)
    assert "confirm or dismiss" in officer_plain and "privacy officer" in officer_plain
    # sent rows, items marked, one audit event per e-mail
    emails = world.rows()
    assert all(e.sent_at == world.clock.t and e.attempts == 1 for e in emails)
    assert {e.message_id for e in emails} == {m.message_id for m in smtp_server.messages}
    audits = world.audit("alert_sent")
    assert sorted(a.detail["recipient"] for a in audits) == sorted(e.recipient for e in emails)
    items = [i for i in world.rows("item") if i.delivery == "immediate"]
    assert len(items) == 6 and all(i.sent_at is not None and i.email_id for i in items)
    # nothing new → nothing sent
    assert world.notifier().run().to_dict() == {
        "emails_created": 0,
        "sent": 0,
        "failed": 0,
        "dead": 0,
        "resolution_notices": 0,
    }
    assert len(smtp_server.messages) == 2


def test_digest_waits_for_digest_time_and_groups_by_account(
    tmp_path: Path, engine: Engine, smtp_server: SmtpServer
) -> None:
    shared = "luis@mvsd.k12.wa.us"
    w = World(make_config(tmp_path, smtp_server.mail_block(), sponsors=[shared, shared]), engine)
    w.scan("acct-1", post("acct-1", 1, "Bake sale Friday", at=T0 - timedelta(hours=3)))
    w.scan("acct-0", post("acct-0", 1, "Game moved to 5pm"), post("acct-0", 2, "Go team"))
    assert w.notifier().run().emails_created == 0  # 10:00 PDT: medium findings wait
    w.clock.t = datetime(2026, 10, 6, 13, 59, tzinfo=UTC)  # 06:59 next morning
    assert w.notifier().run().emails_created == 0
    w.clock.advance(minutes=1)  # 07:00 PDT
    result = w.notifier().run()
    assert (result.emails_created, result.sent) == (1, 1)
    [digest] = smtp_server.messages
    assert digest.rcpt_tos == [shared]
    assert digest.message["Subject"] == "[Post scanner] Digest: 3 findings (3 medium) on 2 accounts"
    plain, html = texts(digest)
    assert plain.index("== Jefferson High Club 0 Community Page") < plain.index(
        "== Jefferson High Club 1 Community Page"
    )  # grouped by account
    assert plain.count("[MEDIUM] Missing disclaimer") == 3
    assert "Mon 05 Oct 2026, 07:00 PDT" in plain and "Add the disclaimer" in plain
    assert "&lt;b&gt;element A&lt;/b&gt; &amp; B" in html and "<b>element A" not in html
    assert "<b>element A</b> & B" in plain  # plain text is not escaped
    # a finding after today's digest waits for tomorrow's
    w.clock.advance(hours=1)
    w.scan("acct-0", post("acct-0", 3, "New post"))
    assert w.notifier().run().emails_created == 0
    w.clock.advance(hours=23)
    assert w.notifier().run().sent == 1
    assert w.notifier().run().emails_created == 0


def test_digest_now_and_per_recipient_preferences(
    tmp_path: Path, engine: Engine, smtp_server: SmtpServer
) -> None:
    config = make_config(
        tmp_path,
        smtp_server.mail_block(),
        admin_cc={"high": ["principal@mvsd.k12.wa.us"]},
        recipients={"sponsor0@mvsd.k12.wa.us": {"immediate_severities": ["high", "medium"]}},
    )
    w = World(config, engine)
    w.scan("acct-0", post("acct-0", 1, f"Well done {NAME}"))
    result = w.notifier().run(digest_now=True)
    assert sorted((m.rcpt_tos[0], m.message["Subject"]) for m in smtp_server.messages) == [
        (
            "principal@mvsd.k12.wa.us",
            "[Post scanner] HIGH: 1 new finding on Jefferson High Club 0 Community Page",
        ),
        (OFFICER, "[Post scanner] HIGH: 1 new finding on Jefferson High Club 0 Community Page"),
        (
            "sponsor0@mvsd.k12.wa.us",
            "[Post scanner] HIGH: 2 new findings on Jefferson High Club 0 Community Page",
        ),
    ]
    assert result.sent == 3
    assert "administrator copied" in texts(to(smtp_server, "principal@mvsd.k12.wa.us")[0])[0]


# --- auto-resolution -----------------------------------------------------------------------


def test_auto_resolved_finding_is_mentioned_in_sponsors_next_digest(
    world: World, smtp_server: SmtpServer
) -> None:
    world.scan("acct-0", post("acct-0", 1, f"Well done {NAME}! Disclaimer: may change."))
    assert world.notifier().run(digest_now=True).sent == 2  # sponsor + officer, immediate
    world.clock.advance(hours=2)
    edited = post("acct-0", 1, "Well done, team! Disclaimer: may change.")
    world.scan("acct-0", edited)  # the name is gone → the finding is auto-resolved
    assert len(world.audit("auto_resolved")) == 1
    world.clock.t = datetime(2026, 10, 6, 14, 5, tzinfo=UTC)  # next digest time
    result = world.notifier().run()
    assert (result.resolution_notices, result.sent) == (1, 1)
    notice = smtp_server.messages[-1]
    assert notice.rcpt_tos == ["sponsor0@mvsd.k12.wa.us"]  # the officer is not told again
    assert notice.message["Subject"] == "[Post scanner] Digest: 1 finding resolved on 1 account"
    plain, _ = texts(notice)
    assert "Resolved since the last digest" in plain and "post edited; no longer found" in plain
    assert "Student name" in plain and "finding #" in plain
    assert world.notifier().run(digest_now=True).emails_created == 0
    assert len(smtp_server.messages) == 3


def test_finding_resolved_before_its_alert_is_marked_and_not_repeated(
    world: World, smtp_server: SmtpServer
) -> None:
    world.scan("acct-0", post("acct-0", 1, f"Well done {NAME}! Disclaimer: may change."))
    world.scan("acct-0", post("acct-0", 1, "Well done, team! Disclaimer: may change."))
    assert world.notifier().run(digest_now=True).sent == 2
    plain, _ = texts(to(smtp_server, "sponsor0@mvsd.k12.wa.us")[0])
    assert "already resolved (post edited; no longer found)" in plain
    assert "No action needed." in plain
    world.clock.advance(days=1)
    assert world.notifier().run(digest_now=True).emails_created == 0


# --- threading -----------------------------------------------------------------------------


def test_immediate_alerts_on_one_account_form_a_thread(
    world: World, smtp_server: SmtpServer
) -> None:
    ok = " Disclaimer: may change."
    world.scan("acct-0", post("acct-0", 1, f"Hi {NAME}." + ok))
    world.notifier().run()
    world.clock.advance(hours=1)
    world.scan(
        "acct-0", post("acct-0", 1, f"Hi {NAME}." + ok), post("acct-0", 2, f"ID {STUDENT_ID}" + ok)
    )
    world.notifier().run()
    world.clock.advance(hours=1)
    world.scan("acct-0", post("acct-0", 3, f"Call {PHONE}" + ok))
    world.scan("acct-1", post("acct-1", 1, f"Hi {NAME}." + ok))
    world.notifier().run()
    first, second, third = to(smtp_server, "sponsor0@mvsd.k12.wa.us")
    assert second.message["In-Reply-To"] == first.message_id
    assert str(second.message["References"]).split() == [first.message_id]
    assert third.message["In-Reply-To"] == second.message_id
    assert str(third.message["References"]).split() == [first.message_id, second.message_id]
    [other] = to(smtp_server, "sponsor1@mvsd.k12.wa.us")
    assert other.message["In-Reply-To"] is None  # another account, another thread


def test_links_only_for_web_urls(world: World, smtp_server: SmtpServer) -> None:
    world.scan("acct-0", post("acct-0", 1, f"Hi {NAME}", url="javascript:alert(1)"))
    world.notifier().run()
    _, html = texts(to(smtp_server, "sponsor0@mvsd.k12.wa.us")[0])
    assert "javascript:alert(1)" in html and 'href="javascript' not in html


# --- file transport ------------------------------------------------------------------------


def test_file_transport_writes_eml_once_and_retry_overwrites(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "var/demo/outbox"
    w = World(
        make_config(
            tmp_path,
            {"transport": "file", "folder": "var/demo/outbox", "from": "scanner@mvsd.k12.wa.us"},
        ),
        engine,
    )
    w.scan("acct-0", post("acct-0", 1, PII_POST))
    w.scan("acct-1", post("acct-1", 1, "Bake sale"))
    result = w.notifier().run(digest_now=True)
    assert result.sent == 4  # sponsor0: alert + digest, officer: alert, sponsor1: digest
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert len(files) == 4 and all(n.endswith(".eml") for n in files)
    assert w.notifier().run(digest_now=True).to_dict()["sent"] == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files  # nothing new
    # a retry of an e-mail already written (ambiguous send) overwrites its own file
    email = w.rows()[0]
    with Session(engine) as s:
        row = s.get(tables.Outbox, email.id)
        assert row is not None
        row.sent_at = None
        s.add(row)
        s.commit()
    assert w.notifier().run().sent == 1
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files


# --- failures and delivery guarantees ------------------------------------------------------


def three_recipients(world: World) -> None:
    world.scan("acct-0", post("acct-0", 1, PII_POST))  # sponsor0 + officer
    world.scan("acct-1", post("acct-1", 1, f"Hi {NAME}"))  # sponsor1 + officer


def test_smtp_outage_then_recovery_delivers_every_message_once(
    world: World, smtp_server: SmtpServer
) -> None:
    three_recipients(world)
    smtp_server.down()
    expected_delays = [retry_delay(n) for n in (1, 2, 3)]
    assert [d.total_seconds() for d in expected_delays] == [60, 120, 240]
    for cycle, delay in enumerate(expected_delays, start=1):
        result = world.notifier().run(digest_now=True)
        assert (result.sent, result.failed, result.dead) == (0, 6, 0)
        emails = world.rows()
        assert all(e.attempts == cycle and e.sent_at is None for e in emails)
        assert all(e.next_attempt_at == world.clock.t + delay for e in emails)
        assert all("ConnectionRefusedError" in (e.last_error or "") for e in emails)
        assert world.notifier().run().failed == 0  # not due yet: no attempt, no sleeping
        world.clock.advance(seconds=delay.total_seconds())
    smtp_server.up()
    result = world.notifier().run()
    emails = world.rows()
    assert result.sent == len(emails) == 6 and result.failed == 0
    ids = Counter(m.message_id for m in smtp_server.messages)
    assert ids == Counter({e.message_id: 1 for e in emails})  # every message exactly once
    assert all(e.sent_at is not None and e.attempts == 4 for e in emails)
    assert world.notifier().run().sent == 0 and len(smtp_server.messages) == 6
    assert len(world.audit("alert_sent")) == 6


def test_4xx_reply_is_retried_with_backoff(world: World, smtp_server: SmtpServer) -> None:
    world.scan("acct-1", post("acct-1", 1, f"Hi {NAME}"))
    smtp_server.fail("rcpt", "451 4.3.0 mailbox temporarily unavailable", times=4)
    first = world.notifier().run()
    assert (first.sent, first.failed) == (0, 2)
    world.clock.advance(minutes=1)
    second = world.notifier().run()
    assert (second.sent, second.failed) == (0, 2)
    errors = {e.last_error for e in world.rows()}
    port = smtp_server.port
    assert errors == {
        f"attempt 2: SMTP 127.0.0.1:{port}: recipient refused: 451 4.3.0 mailbox temporarily "
        "unavailable"
    }
    world.clock.advance(minutes=2)
    assert world.notifier().run().sent == 2
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        OFFICER,
        "sponsor1@mvsd.k12.wa.us",
    ]


def run_cli(world: World, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, Any]:
    app = typer.Typer()
    cli_notify.register(app)

    @app.command("other")
    def _other() -> None:  # a second command keeps `notify` a sub-command
        pass

    monkeypatch.setattr(cli_notify, "load_config_or_exit", lambda _dir: world.config)
    monkeypatch.setattr(cli_notify, "engine_or_exit", lambda _cfg: world.engine)
    monkeypatch.setattr(cli_notify, "Notifier", lambda c, e: world.notifier())
    out = CliRunner().invoke(app, ["notify", *args])
    assert out.exception is None or isinstance(out.exception, SystemExit), out.output
    return out.exit_code, (json.loads(out.stdout) if "--json" in args else out.stdout)


def test_5xx_reply_dead_letters_at_once_and_status_shows_it(
    world: World, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.scan("acct-1", post("acct-1", 1, f"Hi {NAME}. Disclaimer: may change."))
    smtp_server.fail("rcpt", "550 5.1.1 user unknown")
    code, out = run_cli(world, monkeypatch, "--json")
    assert code == 1 and (out["sent"], out["dead"], out["failed"]) == (1, 1, 0)
    code, status = run_cli(world, monkeypatch, "--status", "--json")
    assert code == 0
    [dead] = status["emails"]
    assert dead["state"] == "dead" and dead["attempts"] == 1
    assert "550 5.1.1 user unknown" in dead["last_error"]
    assert len(world.audit("alert_dead_lettered")) == 1
    world.clock.advance(days=3)
    assert world.notifier().run().sent == 0  # dead letters stay dead …
    code, out = run_cli(world, monkeypatch, "--retry-dead", "--json")
    assert code == 0 and (out["requeued"], out["sent"]) == (1, 1)  # … until re-queued
    code, text = run_cli(world, monkeypatch, "--status")
    assert code == 0 and "No unsent e-mails." in text
    assert Counter(m.message_id for m in smtp_server.messages) == Counter(
        {e.message_id: 1 for e in world.rows()}
    )


def test_max_attempts_then_dead_letter(
    tmp_path: Path, engine: Engine, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = World(make_config(tmp_path, smtp_server.mail_block(max_attempts=3)), engine)
    w.scan("acct-1", post("acct-1", 1, "Bake sale"))
    smtp_server.down()
    outcomes = []
    for _ in range(4):
        r = w.notifier().run(digest_now=True)
        outcomes.append((r.failed, r.dead))
        w.clock.advance(hours=1)
    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0)]
    code, text = run_cli(w, monkeypatch, "--status")
    assert code == 0 and "dead" in text and "ConnectionRefusedError" in text


def test_crash_between_send_and_mark_resends_same_message_id(
    world: World, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.scan("acct-1", post("acct-1", 1, "Bake sale"))
    notifier = world.notifier()

    def crash(*_: Any) -> None:
        raise KeyboardInterrupt  # the process dies right after the server accepted

    monkeypatch.setattr(notifier, "_mark_sent", crash)
    with pytest.raises(KeyboardInterrupt):
        notifier.run(digest_now=True)
    assert len(smtp_server.messages) == 1
    [email] = world.rows()
    assert email.sent_at is None and email.lease_owner == "notifier"
    assert world.notifier().run().sent == 0  # the lease still holds
    world.clock.advance(minutes=2)  # the lease has expired
    assert world.notifier().run().sent == 1
    first, again = smtp_server.messages
    assert first.message_id == again.message_id == email.message_id
    assert first.data == again.data  # byte-identical: same Date, body and MIME boundary
    assert len(world.audit("alert_sent")) == 1
    assert world.rows()[0].attempts == 2


def test_two_notifiers_at_once_send_each_message_once(
    world: World, smtp_server: SmtpServer
) -> None:
    for i in range(2):
        for n in range(4):
            world.scan(f"acct-{i}", *[post(f"acct-{i}", k, f"Hi {NAME} {k}") for k in range(n + 1)])
    barrier = threading.Barrier(2)
    results = []

    def work(name: str) -> None:
        barrier.wait()
        results.append(world.notifier(worker=name).run(digest_now=True))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    emails = world.rows()
    assert sum(r.sent for r in results) == len(emails) == sum(r.emails_created for r in results)
    assert Counter(m.message_id for m in smtp_server.messages) == Counter(
        {e.message_id: 1 for e in emails}
    )
    items = world.rows("item")
    assert all(i.email_id is not None for i in items)


# --- privacy -------------------------------------------------------------------------------


def test_no_raw_pii_in_any_sent_byte_or_log_line(
    world: World, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world.scan("acct-0", post("acct-0", 1, PII_POST))
    world.scan("acct-1", post("acct-1", 1, f"{NAME} ({STUDENT_ID}) made the honor roll."))
    smtp_server.fail("rcpt", "451 4.3.0 try later")  # failures are logged too
    world.notifier().run()
    world.clock.advance(minutes=5)
    world.scan("acct-0", post("acct-0", 1, "Congrats to our science fair team!"))  # resolves
    world.clock.advance(days=1)
    world.notifier().run()
    assert len(smtp_server.messages) >= 5
    seen: list[str] = []
    for m in smtp_server.messages:
        seen.append(m.data.decode("utf-8", "replace"))  # raw bytes as received
        msg = m.message
        seen.extend(f"{k}: {v}" for k, v in msg.items())
        for part in msg.walk():
            if not part.is_multipart():
                seen.append(part.get_content())  # decoded quoted-printable
    logs = [r.getMessage() for r in caplog.records] + [r.exc_text or "" for r in caplog.records]
    assert any("failed (attempt 1 of 8)" in line for line in logs)  # the logs were captured
    for raw in RAW_PII:
        leaks = [s for s in seen + logs if raw.lower() in s.lower()]
        assert leaks == [], f"raw PII {raw!r} found"
    # …while the masked excerpts and explanations did travel
    excerpts = {i.payload["excerpt"] for i in world.rows("item") if i.payload["excerpt"]}
    assert excerpts and all("*" in e for e in excerpts)
    body = "\n".join(seen)
    assert all(e in body for e in excerpts)
    assert "Student ID number" in body and "Phone number of a student's family" in body


def test_unsent_and_waiting_items_in_status(world: World) -> None:
    world.scan("acct-1", post("acct-1", 1, "Bake sale"))
    report = world.notifier().status()
    assert report.emails == []
    assert report.waiting == [
        {"recipient": "sponsor1@mvsd.k12.wa.us", "delivery": "digest", "items": 1}
    ]
    assert report.next_digest_at == datetime(2026, 10, 6, 14, 0, tzinfo=UTC)
    assert replace(report).to_dict()["next_digest_at"] == report.next_digest_at


def test_crash_loop_is_dead_lettered_after_max_attempts(
    tmp_path: Path, engine: Engine, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = World(make_config(tmp_path, smtp_server.mail_block(max_attempts=2)), engine)
    w.scan("acct-1", post("acct-1", 1, "Bake sale"))
    for _ in range(2):  # the process dies mid-send twice
        notifier = w.notifier()
        monkeypatch.setattr(notifier, "_mark_sent", lambda *_: sys.exit(1))
        with pytest.raises(SystemExit):
            notifier.run(digest_now=True)
        w.clock.advance(minutes=5)
    result = w.notifier().run()
    assert (result.sent, result.dead) == (0, 1)
    [email] = w.rows()
    assert email.dead_at == w.clock.t and email.attempts == 2
    assert email.last_error == "gave up after 2 attempts without a recorded outcome"
