"""Hostile or clumsy config (issue 13, low items): one schema error does not hide the other
checks, roster values are never echoed, a 128 KB CSV field is one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.config.loader import load_config
from scanner.errors import ConfigError
from tests.support.config import write_config

runner = CliRunner()
ROSTER_HEADER = "student_id,first_name,last_name,grade,school,directory_opt_out,media_consent\n"


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_config(folder)
    return str(exc.value).splitlines()


@pytest.mark.parametrize(
    ("schema_error", "later_problem"),
    [
        ("colour: blue\n", "detectors.student_pii.min_score"),
        ("schedule: {jitter_seconds: -1}\n", "detectors.student_pii.min_score"),
        ("retention: {post_text_days: -3}\n", "platforms.tiktok: unknown name"),
        ("database: {url: 5, port: abc}\n", "roster.csv: row 2.directory_opt_out"),
    ],
    ids=["unknown key", "bad schedule", "bad retention", "bad database block"],
)
def test_a_schema_error_does_not_hide_the_other_checks(
    tmp_path: Path, schema_error: str, later_problem: str
) -> None:
    folder = write_config(
        tmp_path / "c",
        scanner_extra=schema_error
        + "detectors: {student_pii: {min_score: 7}}\n"
        + "platforms: {tiktok: {}}\n"
        + "student_roster: roster.csv\n",
    )
    (folder / "roster.csv").write_text(ROSTER_HEADER + "1,Ann,Lee,9,JHS,maybe,yes\n")
    found = problems_of(folder)
    first_key = schema_error.split(":", 1)[0]
    assert any(line.startswith(f"scanner.yaml: {first_key}") for line in found), found
    assert any(later_problem in line for line in found), found


def test_roster_values_are_never_echoed(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "c", scanner_extra="student_roster: roster.csv\n")
    # a shifted column puts a birth date and a name where yes/no belongs
    (folder / "roster.csv").write_text(ROSTER_HEADER + "1,Ann,Lee,9,JHS,2011-04-05,Zuzanna\n")
    found = "\n".join(problems_of(folder))
    assert "row 2.directory_opt_out: is not yes/no" in found
    assert "2011-04-05" not in found and "Zuzanna" not in found


@pytest.mark.parametrize("which", ["staff_directory", "student_roster"])
def test_a_csv_field_over_128_kb_is_one_problem_line(tmp_path: Path, which: str) -> None:
    folder = write_config(tmp_path / "c", scanner_extra=f"{which}: big.csv\n")
    header = ROSTER_HEADER if which == "student_roster" else "first_name,last_name,title,email\n"
    (folder / "big.csv").write_text(header + "A" * 140_000 + ",b,c,d\n")
    found = problems_of(folder)
    assert len(found) == 1 and "field larger than field limit" in found[0]
    assert len(found[0]) < 300


def test_accounts_import_with_a_huge_csv_field_exits_2_without_traceback(
    config_dir: Path, tmp_path: Path
) -> None:
    columns = (
        "id,platform,handle,site_name,school,admin_name,admin_email,sponsor_name,sponsor_email"
    )
    csv_file = tmp_path / "new.csv"
    csv_file.write_text(f"{columns}\nx,reddit,{'A' * 140_000},s,sc,a,a@x.org,b,b@x.org\n")
    result = runner.invoke(app, ["accounts", "import", str(csv_file), "--config", str(config_dir)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "new.csv: cannot read (field larger than field limit" in result.output


@pytest.mark.parametrize(
    ("feed", "extra", "problem"),
    [
        ("http://blogs.example.org/feed", "", "accounts[0].feed_url: plain http is refused"),
        ("https://blogs.example.org:abc/feed", "", "accounts[0].feed_url: the port is not a num"),
        ("file:///etc/passwd", "", "accounts[0].feed_url: not a web address"),
        ("http://blogs.example.org/feed", "allow_http: true", None),
    ],
    ids=["http", "non-numeric port", "file url", "http allowed"],
)
def test_feed_urls_are_https_unless_the_account_allows_http(
    tmp_path: Path, feed: str, extra: str, problem: str | None
) -> None:
    folder = write_config(tmp_path / "c")
    accounts = (folder / "accounts.yaml").read_text()
    lines = accounts.rstrip("\n").splitlines()
    indent = " " * (len(lines[-1]) - len(lines[-1].lstrip()))
    added = f"{indent}feed_url: {feed!r}\n" + (f"{indent}{extra}\n" if extra else "")
    (folder / "accounts.yaml").write_text(accounts.rstrip("\n") + "\n" + added)
    if problem is None:
        assert load_config(folder).accounts[0].allow_http
    else:
        found = problems_of(folder)
        assert any(line.startswith(f"accounts.yaml: {problem}") for line in found), found


def test_a_handle_never_carries_a_password(tmp_path: Path) -> None:
    folder = write_config(
        tmp_path / "c",
        accounts=[
            {"platform": "blog", "handle": "https://editor:pw-hunter2@blog.example.org/feed"}
        ],
    )
    found = "\n".join(problems_of(folder))
    assert "accounts[0].handle: holds a user name or password" in found
    assert "hunter2" not in found
