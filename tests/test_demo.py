"""End to end: `scanner demo` as a newcomer runs it, twice."""

from __future__ import annotations

import email
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
SCANNER = Path(sys.executable).with_name("scanner")


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
