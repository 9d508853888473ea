"""No gold student PII of the development corpora reaches an alert e-mail, whatever the real
student-PII detector found or missed: the corpora go through the real pipeline, every alert is
sent over a real SMTP server (aiosmtpd on 127.0.0.1), and every received MIME part is decoded and
searched for every gold value.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scanner.config.schema import AccountConfig, Config, ScannerFile
from scanner.notify.send import Notifier
from scanner.records import Post
from scanner.scan.pipeline import Pipeline
from scanner.store import tables
from scanner.store.engine import open_database
from tests.support.fakes import T0, Clock, FakePlatform
from tests.support.paths import DATA
from tests.support.smtp_server import SmtpServer

# The development corpora only. tests/data/blind/ is frozen and is never read by this test.
CORPORA = [DATA / "pii_corpus.jsonl", DATA / "dev" / "pii_dev_extra.jsonl"]
OFFICER = "privacy@mvsd.k12.wa.us"


@dataclass(frozen=True)
class Record:
    id: str
    account: str
    text: str
    gold: tuple[str, ...]  # the gold PII values


def load_records() -> list[Record]:
    """Both corpora; one account per (corpus, platform, account) of the records."""
    records, accounts = [], {}
    for path in CORPORA:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            key = (path.stem, r["platform"], r.get("account"))
            account = accounts.setdefault(key, f"acct-{len(accounts)}")
            gold = tuple(r["text"][s["start"] : s["end"]] for s in r["spans"])
            records.append(Record(r["id"], account, r["text"], gold))
    return records


def _squash(text: str) -> str:
    """Whitespace collapsed and case folded (an excerpt turns newlines into spaces)."""
    return " ".join(text.split()).casefold()


def checked(value: str) -> bool:
    """Gold values searched for. Skipped: values shorter than 3 characters ("Jo", "7") and values
    that are purely a 1-2 digit number (an age or a grade such as "12"): such strings occur in any
    e-mail (dates, finding numbers, grade levels) and identify no one on their own."""
    value = value.strip()
    return len(value) >= 3 and not re.fullmatch(r"\d{1,2}", value)


def appears(value: str, body: str) -> bool:
    """`value` in `body` (squashed), case-insensitively, as whole words: not inside a longer word
    ("Juni" in "junior", "Tate" in "state", "Hope" in "hopeful" are other words, not the value)."""
    value = _squash(value)
    return value in body and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", body) is not None


def decoded_parts(data: bytes) -> list[str]:
    """Every header and every leaf MIME part of a received message, transfer-decoded
    (quoted-printable and base64) with its charset; HTML parts also with entities unescaped."""
    msg: Message = message_from_bytes(data, policy=policy.default)
    out = [f"{key}: {value}" for key, value in msg.items()]
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        text = payload.decode(part.get_content_charset() or "utf-8", "replace")
        out.append(text)
        if part.get_content_type() == "text/html":
            out.append(html.unescape(text))
    return out


def make_config(tmp_path: Path, mail: dict[str, Any], accounts: list[str]) -> Config:
    scanner = ScannerFile.model_validate(
        {
            "version": 1,
            "district_name": "Maple Valley School District",
            "timezone": "America/Los_Angeles",
            "privacy_officer": {"name": "Grace Kim", "email": OFFICER},
            "mail": mail,
            "notifications": {"digest_time": "07:00"},
        }
    )
    return Config(
        tmp_path,
        scanner,
        [
            AccountConfig.model_validate(
                {
                    "id": account,
                    "platform": "facebook",
                    "handle": f"page{i}",
                    "site_name": f"Test Page {i}",
                    "school": "Jefferson High School",
                    "admin_contact": {"name": "Dana Parker", "email": "dparker@mvsd.k12.wa.us"},
                    "sponsor": {"name": f"Sponsor {i}", "email": f"sponsor{i}@mvsd.k12.wa.us"},
                }
            )
            for i, account in enumerate(accounts)
        ],
    )


def sent_categories(engine: Engine, received: set[str]) -> Counter[str]:
    """How many received e-mails carry at least one finding of each category."""
    with Session(engine) as s:
        emails = {
            e.id: e.message_id
            for e in s.exec(select(tables.Outbox).where(tables.Outbox.kind == "email"))
        }
        items = s.exec(
            select(tables.Outbox.email_id, tables.FindingRow.category)
            .join(tables.FindingRow, col(tables.Outbox.finding_id) == col(tables.FindingRow.id))
            .where(tables.Outbox.kind == "item")
        ).all()
    pairs = {(category, emails.get(email_id)) for email_id, category in items if email_id}
    return Counter(category for category, message_id in pairs if message_id in received)


@pytest.mark.slow
def test_no_gold_pii_in_any_alert_email(
    pii_detector: Any, smtp_server: SmtpServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    records = load_records()
    accounts = sorted({r.account for r in records})
    config = make_config(tmp_path, smtp_server.mail_block(), accounts)
    engine = open_database(f"sqlite:///{tmp_path / 'scanner.db'}")
    clock = Clock()
    feed = FakePlatform()
    for r in records:
        feed.posts.setdefault(r.account, []).append(
            Post(
                "facebook", r.account, r.id, f"https://facebook.example/{r.id}", "club", T0, r.text
            )
        )
    pipe = Pipeline(config, engine, {"student_pii": pii_detector}, fetch=feed, now=clock)
    summary = pipe.scan()
    assert all(r.ok for r in summary.results)
    findings = sum(r.findings_new for r in summary.results)

    notifier = Notifier(config, engine, now=clock)
    first = notifier.run()  # immediate alerts (high severity)
    clock.advance(days=1)
    second = notifier.run()  # the digests
    assert first.failed == first.dead == second.failed == second.dead == 0
    sent = first.sent + second.sent
    assert sent == len(smtp_server.messages) > 0

    # every gold value against every decoded message, case-insensitively
    bodies = [_squash("\n".join(decoded_parts(m.data))) for m in smtp_server.messages]
    values = sorted({v for r in records for v in r.gold if checked(v)})
    leaks = {v: n for v in values if (n := sum(1 for b in bodies if appears(v, b)))}

    # every category the detector reports reached an e-mail, so the search had something to read
    received = {m.message_id for m in smtp_server.messages}
    per_category = sent_categories(engine, received)
    categories = set(pii_detector.info.categories)
    engine.dispose()
    with capsys.disabled():
        print(
            f"\nPII leak test: {len(records)} posts, {findings} findings, {sent} e-mails sent, "
            f"{len(values)} gold values checked, {len(leaks)} leaked, "
            f"e-mails per category {dict(per_category)}, {time.perf_counter() - started:.1f} s"
        )
    assert leaks == {}, f"{len(leaks)} gold PII values leaked: {sorted(leaks)}"
    assert categories <= set(per_category), f"no e-mail for {categories - set(per_category)}"
