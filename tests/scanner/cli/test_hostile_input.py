"""Issue 13: operator mistakes and hostile stored data end in one clear line, never a traceback
with SQL parameters or post text."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.errors import code_locations
from scanner.review.export import to_csv
from tests.support.config import write_config

runner = CliRunner()


def test_a_corrupted_database_is_one_line_without_sql(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "c")
    (folder / "var").mkdir()
    (folder / "var" / "scanner.db").write_bytes(b"\x00garbage" * 1000)
    result = runner.invoke(app, ["findings", "list", "--config", str(folder)])
    assert result.exit_code == 2
    assert "file is not a database" in result.stderr
    assert "[SQL" not in result.output and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_finding_id_beyond_the_integer_range_is_a_usage_error(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "c")
    result = runner.invoke(
        app, ["findings", "show", "99999999999999999999", "--config", str(folder)]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_csv_exports_carry_no_control_characters() -> None:
    text = to_csv([{"note": "ok\x1b[31m red\x00 and =cmd"}, {"note": "=SUM(A1)"}], ["note"])
    assert "\x1b" not in text and "\x00" not in text
    assert "'=SUM(A1)" in text


def test_debug_tracebacks_name_code_locations_never_values() -> None:
    try:
        raise ValueError("Emma Johnson, student ID 204455")
    except ValueError as exc:
        where = code_locations(exc)
    assert where.startswith("ValueError at ") and "test_hostile_input.py" in where
    assert "Emma" not in where and "204455" not in where


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--feed-url", "http://blogs.example.org/feed"], "--feed-url: plain http is refused"),
        (["--feed-url", "https://b.example.org:abc/feed"], "--feed-url: the port is not a number"),
        (["--feed-url", "https://b.example.org/feed", "--limit", "0"], "--limit: "),
    ],
    ids=["http feed", "non-numeric port", "zero limit"],
)
def test_fetch_options_that_make_no_account_are_usage_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    folder = write_config(tmp_path / "c")
    result = runner.invoke(
        app, ["fetch", "--platform", "blog", "--handle", "b", *args, "--config", str(folder)]
    )
    assert result.exit_code == 2 and message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_database_url_with_a_non_numeric_port_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_config(tmp_path / "c")
    monkeypatch.setenv("SCANNER_DATABASE_URL", "postgresql://u:pw-hunter2@db.example:abc/x")
    result = runner.invoke(app, ["findings", "list", "--config", str(folder)])
    assert result.exit_code == 2 and "not a valid database URL" in result.output
    assert "hunter2" not in result.output and "Traceback" not in result.output
