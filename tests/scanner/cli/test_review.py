"""`scanner findings|audit|report|purge` through typer: output, exit codes, nothing changed on 2."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from scanner.cli import audit
from scanner.cli.review import _post_text, register
from scanner.review import workflow
from scanner.store import tables
from tests.support.review import env, make_config, new_feed, pipeline  # noqa: F401

pytestmark = pytest.mark.usefixtures("env")
app = typer.Typer()
register(app)
audit.register(app)


@pytest.fixture
def cli(tmp_path: Path, engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch):
    """Run the CLI against a scanned config; returns (invoke, config_dir, engine)."""
    monkeypatch.setenv("SCANNER_DATABASE_URL", db_url)
    monkeypatch.setenv("USER", "grace")
    folder = tmp_path / "config"
    config = make_config(folder, retention="retention: {post_text_days: 30, finding_days: 365}\n")
    feed = new_feed()
    old = tables.utcnow() - timedelta(days=60)
    feed.put("acct-0", "p1", "Congrats to Emma Johnson\x1b[2J on the win!", when=old)
    feed.put("acct-0", "p2", "RECAP of the game", when=old)
    pipeline(config, engine, feed, tables.utcnow()).scan()  # scanned just now
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [*args, "--config", str(folder)])

    return invoke, folder, engine


def _ids(invoke) -> dict[str, int]:
    rows = json.loads(invoke("findings", "list", "--json").stdout)
    return {r["category"]: r["id"] for r in rows}


def test_list_json_contract(cli) -> None:
    invoke, _, _ = cli
    result = invoke("findings", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 2
    for row in rows:
        assert {"id", "status", "detector", "category", "severity", "account", "url"} <= set(row)
        assert row["status"] == "open" and row["account"] == "acct-0"
    only = json.loads(invoke("findings", "list", "--json", "--detector", "disclaimer").stdout)
    assert [r["category"] for r in only] == ["missing_disclaimer"]
    table = invoke("findings", "list")
    assert table.exit_code == 0 and "2 findings" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("findings", "list", "--status", "closed"), "--status: unknown value closed"),
        (("findings", "list", "--since", "last week"), "--since: 'last week' is not a date"),
        (("findings", "show", "999"), "no finding with id 999"),
        (("findings", "confirm", "999"), "no finding with id 999"),
        (("findings", "export", "--format", "xml"), "--format: unknown value xml"),
    ],
)
def test_usage_errors_exit_2(cli, args: tuple[str, ...], message: str) -> None:
    invoke, _, _ = cli
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_workflow_and_refusals(cli) -> None:
    invoke, _, engine = cli
    fid = _ids(invoke)["STUDENT_NAME"]
    ok = invoke("findings", "dismiss", str(fid), "--note", "parent consent on file")
    assert ok.exit_code == 0 and f"finding {fid} is now dismissed" in ok.stdout
    refused = invoke("findings", "confirm", str(fid), "--note", "changed my mind")
    assert refused.exit_code == 2
    assert refused.output.strip().count("\n") == 0
    assert "cannot move a dismissed finding to confirmed without --reopen" in refused.output
    too_long = invoke("findings", "confirm", str(fid), "--reopen", "--note", "x" * 2001)
    assert too_long.exit_code == 2 and "the limit is 2000" in too_long.output
    detail = workflow.get_finding(engine, fid)
    assert detail.finding.status == "dismissed" and len(detail.history) == 1
    assert detail.history[0].actor == "grace"  # $USER by default
    again = invoke("findings", "confirm", str(fid), "--reopen", "--reviewer", "kim")
    assert again.exit_code == 0
    assert invoke("findings", "reopen", str(fid)).exit_code == 0
    assert invoke("findings", "resolve", str(fid), "-n", "post removed").exit_code == 0
    events = json.loads(invoke("audit", "list", "--json").stdout)
    assert [(e["action"], e["detail"]["to"]) for e in events] == [
        ("status_changed", "resolved"),
        ("reopened", "open"),
        ("status_changed", "confirmed"),
        ("status_changed", "dismissed"),
    ]
    assert [e["actor"] for e in events] == ["grace", "grace", "kim", "grace"]


def test_show_highlights_the_span_and_lists_history(cli) -> None:
    invoke, _, engine = cli
    fid = _ids(invoke)["STUDENT_NAME"]
    invoke("findings", "confirm", str(fid), "--note", "checked")
    result = invoke("findings", "show", str(fid))
    assert result.exit_code == 0
    assert "Emma Johnson" in result.stdout and "\x1b[2J" not in result.stdout
    assert "status_changed" in result.stdout and "checked" in result.stdout
    text = _post_text(workflow.get_finding(engine, fid))
    (span,) = text.spans
    assert text.plain[span.start : span.end] == "Emma Johnson" and "yellow" in str(span.style)
    shown = json.loads(invoke("findings", "show", str(fid), "--json").stdout)
    assert shown["id"] == fid and shown["history"][0]["detail"]["note"] == "checked"


def test_allow_writes_rule_and_dismisses(cli) -> None:
    invoke, folder, engine = cli
    fid = _ids(invoke)["STUDENT_NAME"]
    result = invoke("findings", "allow", str(fid), "--reason", "staff member's daughter, consent")
    assert result.exit_code == 0, result.output
    assert "allow-rule 1" in result.stdout
    assert "Emma" not in (folder / "allow_rules.yaml").read_text()
    assert workflow.get_finding(engine, fid).finding.status == "dismissed"
    shown = invoke("findings", "show", str(fid))
    assert "allow_rule_added" in shown.stdout
    other = _ids(invoke)["missing_disclaimer"]
    broken = folder / "allow_rules.yaml"
    broken.write_text("version: 1\nbogus: true\n")
    refused = invoke("findings", "allow", str(other), "--reason", "x")
    assert refused.exit_code == 2 and "allow_rules.yaml: bogus: unknown key" in refused.output
    listed = invoke("findings", "list", "--json")  # a broken config is refused everywhere
    assert listed.exit_code == 2 and "allow_rules.yaml: bogus: unknown key" in listed.output


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export(cli, tmp_path: Path, fmt: str) -> None:
    invoke, _, _ = cli
    out = tmp_path / f"findings.{fmt}"
    result = invoke("findings", "export", "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    rows = list(csv.DictReader(io.StringIO(text))) if fmt == "csv" else json.loads(text)
    assert len(rows) == 2 and {r["category"] for r in rows} == {
        "STUDENT_NAME",
        "missing_disclaimer",
    }
    assert "Emma Johnson" not in text  # masked excerpts only
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # student data: owner only
    stdout = invoke("findings", "export", "--format", fmt, "--status", "dismissed")
    assert stdout.exit_code == 0 and "STUDENT_NAME" not in stdout.stdout
    audit = invoke("audit", "export", "--format", fmt)
    assert audit.exit_code == 0 and ("id,at,actor" in audit.stdout or audit.stdout == "[]\n")


def test_report_and_purge(cli, tmp_path: Path) -> None:
    invoke, _, engine = cli
    out = tmp_path / "report"
    result = invoke("report", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "<svg" in (out / "compliance.html").read_text()
    assert (out / "compliance.csv").read_text().startswith("account_id,")
    for name in ("compliance.html", "compliance.csv"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name

    dry = invoke("purge", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["posts_kept_open"] == 2
    fid = _ids(invoke)["missing_disclaimer"]
    invoke("findings", "dismiss", str(fid))
    dry = invoke("purge", "--dry-run")
    assert dry.exit_code == 0 and "dry run" in dry.stdout
    with engine.connect():
        assert workflow.get_finding(engine, fid).post.text == "RECAP of the game"
    done = json.loads(invoke("purge", "--json").stdout)
    assert (done["posts_purged"], done["posts_kept_open"]) == (1, 1)
    assert workflow.get_finding(engine, fid).post.text == ""
    shown = invoke("findings", "show", str(fid))
    assert "purged on" in shown.stdout


def test_purge_that_would_expire_open_findings_exits_2(cli) -> None:
    invoke, folder, engine = cli
    (folder / "scanner.yaml").write_text(
        (folder / "scanner.yaml").read_text().replace("finding_days: 365", "finding_days: 1")
    )
    with engine.begin() as conn:  # the findings were found two days ago
        conn.execute(
            tables.FindingRow.__table__.update().values(
                created_at=tables.utcnow() - timedelta(days=2)
            )
        )
    result = invoke("purge")
    assert result.exit_code == 2 and "open finding(s) are older" in result.output
    assert all(p["status"] == "open" for p in workflow.list_findings(engine))
    assert workflow.get_finding(engine, _ids(invoke)["missing_disclaimer"]).post.text
