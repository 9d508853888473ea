"""End to end: `scanner demo` as a newcomer runs it, twice."""

from __future__ import annotations

import email
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
    assert set(by_detector) == {"student_pii", "disclaimer", "posting_time"}, by_detector
    assert platforms == {"reddit", "x", "facebook", "instagram", "blog"}
    emails = sorted((out / "outbox").glob("*.eml"))
    assert emails
    recipients = {email.message_from_bytes(p.read_bytes())["To"] for p in emails}
    assert "privacy@mvsd.k12.wa.us" in recipients
    assert {"tbecker@mvsd.k12.wa.us", "lortega@mvsd.k12.wa.us"} <= recipients
    assert (out / "report.html").stat().st_size > 1000

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
