"""End to end: `scanner demo` as a newcomer runs it, twice."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.paths import REPO

SCANNER = Path(sys.executable).with_name("scanner")

# every test runs `scanner` in a subprocess (and the demo builds spaCy + Presidio)
pytestmark = pytest.mark.slow


def run_demo(out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("SCANNER_DATABASE_URL", None)
    return subprocess.run(
        [str(SCANNER), "demo", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_demo_twice_writes_findings_emails_and_report_once(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    first = run_demo(out)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    engine = sa.create_engine(f"sqlite:///{out / 'scanner.db'}")
    with engine.connect() as conn:
        by_detector = dict(
            conn.execute(sa.text("SELECT detector, count(*) FROM finding GROUP BY detector")).all()
        )
        platforms = {r[0] for r in conn.execute(sa.text("SELECT DISTINCT platform FROM post"))}
        findings = conn.execute(sa.text("SELECT count(*) FROM finding")).scalar_one()
    assert set(by_detector) == {"student_pii", "disclaimer", "posting_time", "consent"}, by_detector
    assert by_detector["consent"] == 1  # jhs-art's member list: one student without consent
    assert platforms == {"reddit", "x", "facebook", "instagram", "blog"}
    emails = sorted((out / "outbox").glob("*.eml"))
    assert emails
    recipients = {email.message_from_bytes(p.read_bytes())["To"] for p in emails}
    assert "privacy@mvsd.k12.wa.us" in recipients
    assert {"tbecker@mvsd.k12.wa.us", "lortega@mvsd.k12.wa.us"} <= recipients
    assert (out / "report.html").stat().st_size > 1000
    follower = [p for p in emails if b"roster student 204512" in p.read_bytes()]
    assert len(follower) == 1, "the follower finding is e-mailed once, by roster id"
    message = email.message_from_bytes(follower[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "arahman@mvsd.k12.wa.us"
    plain = message.get_body(("plain",))  # type: ignore[attr-defined]
    assert plain is not None
    body = plain.get_content()
    assert "Policy item 3" in body and "remove the follower" in body
    for name in ("Maya", "Chen", "mayac", "Marcus", "Williams"):
        assert name not in body
    # issue 15: under the PTO page's compliant post, a parent's comment names a child
    with engine.connect() as conn:
        on_comments = conn.execute(
            sa.text(
                "SELECT p.external_id, f.detector, f.category, p.author_role FROM finding f "
                "JOIN post p ON p.id = f.post_id WHERE p.kind = 'comment' "
                "AND p.platform IN ('facebook', 'instagram')"
            )
        ).all()
    assert [tuple(r) for r in on_comments] == [
        ("122133344455566_1290001", "student_pii", "STUDENT_NAME", "other")
    ]
    pto = [
        m
        for m in (email.message_from_bytes(p.read_bytes()) for p in emails)
        if m["To"] == "rdelgado@mvsd.k12.wa.us"
    ]
    body = "".join(
        part.get_payload(decode=True).decode()
        for m in pto
        for part in m.walk()
        if part.get_content_type() == "text/plain"
    )
    assert "comment_id=1290001" in body and "written by someone else" in body
    assert "Emma" not in body and "Ruiz" not in body  # the child's name is masked

    second = run_demo(out)
    assert second.returncode == 0, second.stdout + second.stderr
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM finding")).scalar_one() == findings
    assert sorted((out / "outbox").glob("*.eml")) == emails
    engine.dispose()


def _scanner(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    for name in ("SCANNER_DATABASE_URL", "SCANNER_STATE_DIR"):
        env.pop(name, None)
    return subprocess.run(
        [str(SCANNER), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_after_the_demo_the_next_commands_see_its_data_and_a_new_config_never_does(
    tmp_path: Path,
) -> None:
    """A fresh checkout's layout: `scanner demo`, then the README's next commands, with no
    environment variable; a config made by `scanner init` has its own state folder."""
    import shutil

    shutil.copytree(REPO / "config", tmp_path / "config")
    shutil.copytree(REPO / "cassettes", tmp_path / "cassettes")
    assert _scanner(tmp_path, "demo").returncode == 0
    assert (tmp_path / "var" / "demo" / "scanner.db").is_file()
    listed = _scanner(tmp_path, "findings", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    findings = json.loads(listed.stdout)
    assert findings and {"student_pii", "disclaimer"} <= {f["detector"] for f in findings}
    shown = _scanner(tmp_path, "findings", "show", str(findings[0]["id"]))
    assert shown.returncode == 0 and f"Finding {findings[0]['id']}" in shown.stdout, shown.stderr
    status = _scanner(tmp_path, "status", "--json")
    assert status.returncode == 0 and len(json.loads(status.stdout)) == 5, status.stderr
    report = _scanner(tmp_path, "report")
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "var" / "demo" / "report" / "compliance.html").is_file()

    assert _scanner(tmp_path, "init", "district").returncode == 0
    own = _scanner(tmp_path, "findings", "list", "--json", "--config", "district")
    assert own.returncode == 0, own.stderr
    assert json.loads(own.stdout) == []  # its own, new database, not the demo's
    assert (tmp_path / "district" / "var" / "scanner.db").is_file()
    refused = _scanner(tmp_path, "demo", "--config", "district")
    assert refused.returncode == 2 and "replay" in refused.stderr
