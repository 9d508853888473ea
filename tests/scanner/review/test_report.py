"""Compliance report: HTML with an inline weekly chart, per-account CSV, no post text."""

from __future__ import annotations

import csv
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from scanner.review import workflow
from scanner.review.report import write_report
from tests.support.review import T0, env, make_config, new_feed, pipeline  # noqa: F401

pytestmark = pytest.mark.usefixtures("env")


def test_report_files(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path / "config", accounts=3)
    feed = new_feed()
    feed.put("acct-0", "a1", "Emma Johnson scored", when=T0)
    feed.put("acct-0", "a2", "RECAP: call (555) 123-4567", when=T0 + timedelta(days=1))
    feed.put("acct-0", "a3", "Liam Smith again", when=T0 + timedelta(weeks=2))
    feed.put("acct-1", "b1", "Nothing to see", when=T0)
    pipeline(config, engine, feed).scan()
    first = workflow.list_findings(engine, workflow.FindingFilter(account=["acct-0"]), config)[-1]
    workflow.change_status(engine, first["id"], "dismissed", reviewer="kim", note="Emma Johnson ok")

    html_path, csv_path = tmp_path / "out" / "r.html", tmp_path / "out" / "r.csv"
    write_report(config, engine, html_path, csv_path)

    html = html_path.read_text()
    assert "Maple Valley School District" in html
    for secret in ("Emma", "Johnson", "555", "Liam", "Nothing to see"):
        assert secret not in html  # counts only: no text, excerpts or notes
    bars = re.findall(r'<rect class="bar"[^>]*><title>([^<]+)</title>', html)
    assert sorted(bars) == [
        "week of 2025-03-03: 1 disclaimer",
        "week of 2025-03-03: 2 student_pii",
        "week of 2025-03-17: 1 student_pii",
    ]
    assert html.count("<svg") == 1 and ">03-10<" in html  # the empty week is on the axis

    with csv_path.open(newline="") as fh:
        rows = {r["account_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {"acct-0", "acct-1", "acct-2"}
    a0 = rows["acct-0"]
    assert (a0["posts_scanned"], a0["findings_total"], a0["open"], a0["dismissed"]) == (
        "3",
        "4",
        "3",
        "1",
    )
    assert (a0["student_pii_findings"], a0["disclaimer_findings"]) == ("3", "1")
    assert a0["sponsor_email"] == "sponsor0@mvsd.k12.wa.us" and a0["last_success_at"]
    assert (rows["acct-1"]["posts_scanned"], rows["acct-1"]["findings_total"]) == ("1", "0")
    assert (rows["acct-2"]["posts_scanned"], rows["acct-2"]["findings_total"]) == ("0", "0")
    assert rows["acct-2"]["school"] == "Jefferson High School"


def test_report_on_an_empty_database(tmp_path: Path, engine: Engine) -> None:
    config = make_config(tmp_path / "config")
    write_report(config, engine, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text()
    assert "No findings recorded." in html and "<svg" not in html
    assert not (tmp_path / "r.csv").exists()
