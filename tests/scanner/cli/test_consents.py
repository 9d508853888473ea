"""`scanner consents import|list` and `scanner scan --followers` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app
from tests.support.config import write_config

ROSTER = """\
student_id,first_name,last_name,grade,school,directory_opt_out,media_consent,handles
S-101,Maya,Chen,11,Jefferson High School,no,yes,@mayac.draws
S-102,Tyrone,Jackson,11,Jefferson High School,yes,yes,
"""
ACCOUNT = """\
  - id: {id}
    platform: instagram
    handle: "1784140000000000{n}"
    site_name: Art Club {n}
    admin_contact: {{name: Dana Parker, email: dparker@mvsd.k12.wa.us}}
    sponsor: {{name: Aisha Rahman, email: arahman@mvsd.k12.wa.us}}
    replay: posts.yaml
    members_csv: members-{n}.csv
"""


@pytest.fixture
def cfg(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCANNER_DATABASE_URL", db_url)
    accounts = "version: 1\naccounts:\n" + "".join(
        ACCOUNT.format(id=f"art-{n}", n=n) for n in (1, 2)
    )
    folder = write_config(
        tmp_path / "config",
        scanner_extra="student_roster: students.csv\n",
        accounts_yaml=accounts,
    )
    (folder / "students.csv").write_text(ROSTER)
    (folder / "posts.yaml").write_text("interactions: []\nversion: 1\n")
    (folder / "members-1.csv").write_text("display_name,handle\nMaya Chen,mc\nKevin Ng,kev\n")
    (folder / "members-2.csv").write_text("display_name,handle\nArt Fan,mayac.draws\n")
    return folder


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_import_problems_exit_2_one_line_each_without_names(cfg: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "student_id,account_id,granted_on,filed_at,expires_on\n"
        "Maya Chen,art-1,2026-09-01,binder,\n"
        "S-101,art-9,yesterday,,\n"
    )
    r = run("consents", "import", str(bad), "--config", str(cfg))
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert lines == [
        "bad.csv: row 2.student_id: not a student id of the roster; expected a student_id of "
        "the roster",
        "bad.csv: row 3.account_id: not a registered account id; expected an id from "
        "accounts.yaml, or empty for all accounts",
        "bad.csv: row 3.granted_on: not a date; expected YYYY-MM-DD",
        "bad.csv: row 3.filed_at: empty; expected where the written permission is filed",
    ]
    assert "Traceback" not in r.output and "Maya" not in r.output
    listed = run("consents", "list", "--json", "--config", str(cfg))
    assert listed.exit_code == 0 and json.loads(listed.output) == []


def test_import_list_and_scan_followers(cfg: Path, tmp_path: Path) -> None:
    good = tmp_path / "consents.csv"
    good.write_text(
        "student_id,account_id,granted_on,filed_at,expires_on\n"
        "S-101,art-2,2026-09-01,JHS office binder,\n"
    )
    r = run("consents", "import", str(good), "--config", str(cfg))
    assert r.exit_code == 0 and "imported 1 consent(s)" in r.output, r.output
    listed = run("consents", "list", "--json", "--account", "art-2", "--config", str(cfg))
    assert [c["filed_at"] for c in json.loads(listed.output)] == ["JHS office binder"]
    assert json.loads(run("consents", "list", "--json", "-a", "art-1", "-c", str(cfg)).output) == []

    scan = run("scan", "--followers", "--json", "--config", str(cfg))
    out = json.loads(scan.output[scan.output.index("{") :])
    checks = {c["account_id"]: c for c in out["followers"]}
    assert (checks["art-1"]["students"], checks["art-1"]["without_consent"]) == (1, 1)
    assert (checks["art-2"]["students"], checks["art-2"]["without_consent"]) == (1, 0)
    findings = json.loads(run("findings", "list", "--json", "--config", str(cfg)).output)
    consent = [f for f in findings if f["detector"] == "consent"]
    assert [(f["account"], f["post_kind"]) for f in consent] == [("art-1", "followers")]
    assert "S-101" in consent[0]["explanation"] and "Maya" not in json.dumps(consent)
