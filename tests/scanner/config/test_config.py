"""Config loading: every problem reported at once as `file: key.path: problem; expected …`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.config.loader import load_config
from scanner.config.schema import parse_duration
from scanner.errors import ConfigError, SecretError
from scanner.secrets import Secret
from scanner.store.engine import resolve_url
from tests.support.config import write_config
from tests.support.paths import REPO

runner = CliRunner()


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(folder)
    return [str(p) for p in info.value.problems]


def test_bundled_config_is_valid() -> None:
    config = load_config(REPO / "config")
    assert {a.platform for a in config.accounts} == {"reddit", "x", "facebook", "instagram", "blog"}
    assert config.district.official_contacts and config.district.staff
    assert config.district.roster is not None and len(config.district.roster) == 5
    assert set(config.detectors) >= {"student_pii", "disclaimer", "posting_time"}


def test_minimal_config_gets_defaults(config_dir: Path) -> None:
    config = load_config(config_dir)
    assert config.scanner.database.url is None
    assert config.state_dir == (config_dir / "var").resolve()
    assert resolve_url(None, config.state_dir) == f"sqlite:///{config.state_dir / 'scanner.db'}"
    assert config.accounts[0].initial_posts == 100
    assert all(s.enabled for s in config.detectors.values())


@pytest.mark.parametrize(
    ("scanner_extra", "accounts_yaml", "expected"),
    [
        ("colour: blue\n", None, "scanner.yaml: colour: unknown key; expected one of version,"),
        ("timezone: Mars/Olympus\n", None, "scanner.yaml: timezone: unknown time zone"),
        (
            "mail: {transport: pigeon}\n",
            None,
            "scanner.yaml: mail.transport: 'pigeon' is not allowed",
        ),
        (
            "mail: {password: hunter2}\n",
            None,
            "scanner.yaml: mail.password: a literal secret is not allowed",
        ),
        (  # issue 13 item 6: a literal that is not a string is refused, and never echoed
            "mail: {password: 8675309123456789}\n",
            None,
            "scanner.yaml: mail.password: a literal secret is not allowed",
        ),
        (
            "privacy_officer: {name: P}\n",
            None,
            "scanner.yaml: privacy_officer.email: required key is missing",
        ),
        ("detectors: {spellcheck: {}}\n", None, "scanner.yaml: detectors.spellcheck: unknown name"),
        ("platforms: {myspace: {}}\n", None, "scanner.yaml: platforms.myspace: unknown name"),
        (
            "detectors: {disclaimer: {enabeld: true}}\n",
            None,
            "scanner.yaml: detectors.disclaimer.enabeld: unknown key",
        ),
        ("staff_directory: nope.csv\n", None, "scanner.yaml: staff_directory: cannot read"),
        (
            "schedule: {interval: often}\n",
            None,
            "scanner.yaml: schedule.interval: 'often' is not a duration",
        ),
        (
            "",
            "version: 1\naccounts:\n  - {id: a, platform: reddit, handle: r/x}\n",
            "accounts.yaml: accounts[0].site_name: required key is missing",
        ),
        (
            "",
            "version: 1\naccounts:\n  - {id: a, platform: reddit, handle: r/x, site_name: S,"
            " admin_contact: {name: A, email: a@b.org}, sponsor: {name: B, email: nope}}\n",
            "accounts.yaml: accounts[0].sponsor.email: 'nope' is not an e-mail address",
        ),
        (
            "",
            "version: 1\naccounts:\n  - {id: a, platform: tiktok, handle: x, site_name: S,"
            " admin_contact: {name: A, email: a@b.org}, sponsor: {name: B, email: b@b.org}}\n",
            "accounts.yaml: accounts[0].platform: unknown platform 'tiktok'",
        ),
        ("", "version: 2\naccounts: []\n", "accounts.yaml: version: 2 is not allowed; expected 1"),
        ("", "version: 1\naccounts: [\n", "accounts.yaml: line 3 column 1: malformed YAML"),
        (
            "",
            "version: 1\nversion: 1\n",
            "accounts.yaml: line 2 column 1: malformed YAML (duplicate key 'version')",
        ),
    ],
)
def test_problem_lines(
    tmp_path: Path, scanner_extra: str, accounts_yaml: str | None, expected: str
) -> None:
    folder = write_config(tmp_path / "c", accounts_yaml=accounts_yaml)
    base = (folder / "scanner.yaml").read_text()
    key = scanner_extra.split(":", 1)[0]
    kept = "".join(ln for ln in base.splitlines(True) if not (key and ln.startswith(key + ":")))
    (folder / "scanner.yaml").write_text(kept + scanner_extra)
    found = problems_of(folder)
    assert any(line.startswith(expected) for line in found), found


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    folder = write_config(
        tmp_path / "c",
        scanner_extra="colour: blue\n",
        accounts=[{"id": "dup"}, {"id": "dup", "platform": "tiktok"}],
    )
    found = problems_of(folder)
    assert any("colour" in p for p in found)
    assert any("accounts[1].id: duplicate account id 'dup'" in p for p in found)
    assert any("accounts[1].platform" in p for p in found)


def test_roster_missing_columns_is_a_config_error(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "c", scanner_extra="student_roster: roster.csv\n")
    (folder / "roster.csv").write_text("student_id,first_name\n1,Ann\n")
    found = problems_of(folder)
    assert found == [
        "roster.csv: student_roster: missing columns last_name, grade, school, directory_opt_out,"
        " media_consent; expected a header with student_id,first_name,last_name,grade,school,"
        "directory_opt_out,media_consent"
    ]


def test_config_check_exits_2_without_traceback(tmp_path: Path) -> None:
    folder = write_config(
        tmp_path / "c", scanner_extra="colour: blue\nschedule: {jitter_seconds: -1}\n"
    )
    result = runner.invoke(app, ["config", "check", "--config", str(folder)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert any(ln.startswith("scanner.yaml: colour: unknown key") for ln in lines)
    assert any(ln.startswith("scanner.yaml: schedule.jitter_seconds:") for ln in lines)


def test_config_check_ok(config_dir: Path) -> None:
    result = runner.invoke(app, ["config", "check", "--config", str(config_dir)])
    assert result.exit_code == 0, result.output
    assert "1 accounts" in result.output


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("30m", 1800), ("6h", 21600), ("1d", 86400)]
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_secret_resolves_and_masks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_TOKEN", "s3cr3t-value")
    env = Secret.model_validate({"$env": "TEST_TOKEN"})
    (tmp_path / "key").write_text("file-value\n")
    file = Secret.model_validate({"$file": "key"})
    assert env.reveal() == "s3cr3t-value"
    assert file.reveal(tmp_path) == "file-value"
    assert "s3cr3t" not in repr(env) and "s3cr3t" not in str({"x": env})
    assert env.model_dump() == {"$env": "TEST_TOKEN"}
    monkeypatch.delenv("TEST_TOKEN")
    with pytest.raises(SecretError, match="TEST_TOKEN is not set"):
        env.reveal()


def test_init_writes_a_valid_config(tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    config = load_config(target)
    assert config.accounts[0].id == "example-club"
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 2


def add_args(
    id_: str, platform: str, handle: str, site: str, cron: str, base: list[str]
) -> list[str]:
    """`scanner accounts add` arguments with the same admin and sponsor."""
    return [
        "accounts",
        "add",
        *("--id", id_, "--platform", platform, "--handle", handle, "--site-name", site),
        *("--admin-name", "A", "--admin-email", "a@mvsd.k12.wa.us"),
        *("--sponsor-name", "S", "--sponsor-email", "s@mvsd.k12.wa.us"),
        *("--cron", cron, *base),
    ]


def test_accounts_add_and_import(config_dir: Path, tmp_path: Path) -> None:
    base = ["--config", str(config_dir)]
    add = runner.invoke(
        app,
        add_args("pto", "facebook", "123", "PTO page", "0 7 * * 1-5", base),
    )
    assert add.exit_code == 0, add.output
    csv_file = tmp_path / "new.csv"
    csv_file.write_text(
        "id,platform,handle,site_name,school,admin_name,admin_email,sponsor_name,sponsor_email\n"
        "band,x,@band,Band on X,JHS,A,a@mvsd.k12.wa.us,S,s@mvsd.k12.wa.us\n"
        "pto,x,@pto,Dup,JHS,A,a@mvsd.k12.wa.us,S,s@mvsd.k12.wa.us\n"
    )
    before = (config_dir / "accounts.yaml").read_text()
    bad = runner.invoke(app, ["accounts", "import", str(csv_file), *base])
    assert bad.exit_code == 2 and "duplicate account id 'pto'" in bad.output
    assert (config_dir / "accounts.yaml").read_text() == before  # all or nothing
    csv_file.write_text(csv_file.read_text().replace("pto,x,@pto", "choir,x,@choir"))
    good = runner.invoke(app, ["accounts", "import", str(csv_file), *base])
    assert good.exit_code == 0, good.output
    ids = [a.id for a in load_config(config_dir).accounts]
    assert ids == ["acct-0", "pto", "band", "choir"]
    assert load_config(config_dir).account("pto").cron == "0 7 * * 1-5"
    bad = runner.invoke(
        app,
        add_args("x2", "x", "@x", "X", "61 * * * *", base),
    )
    assert bad.exit_code == 2 and "accounts[4].cron:" in bad.output


def test_problem_lines_never_echo_a_huge_value(config_dir: Path) -> None:
    """Issue 13 item 7: a bad value is shown cut short, so an error line stays one line."""
    text = (config_dir / "scanner.yaml").read_text()
    (config_dir / "scanner.yaml").write_text(text + f"timezone: [{', '.join(['x' * 50] * 2000)}]\n")
    with pytest.raises(ConfigError) as exc:
        load_config(config_dir)
    lines = str(exc.value).splitlines()
    assert lines and max(len(line) for line in lines) < 400


def test_a_literal_number_secret_is_never_printed(config_dir: Path) -> None:
    text = (config_dir / "scanner.yaml").read_text()
    (config_dir / "scanner.yaml").write_text(text + "roster_secret: 8675309123456789\n")
    with pytest.raises(ConfigError) as exc:
        load_config(config_dir)
    assert "8675309123456789" not in str(exc.value)


def test_accounts_add_works_on_the_shipped_config_with_relative_replay_paths(
    tmp_path: Path,
) -> None:
    """Issue 13 item 12: validation happens where the file lives, so the shipped config's
    `replay: ../cassettes/…` paths resolve and a valid change is written (comments kept)."""
    import shutil

    from typer.testing import CliRunner

    from scanner.cli.main import app
    from tests.support.paths import REPO

    shutil.copytree(REPO / "config", tmp_path / "config")
    shutil.copytree(REPO / "cassettes", tmp_path / "cassettes")
    before = (tmp_path / "config" / "accounts.yaml").read_text()
    result = CliRunner().invoke(
        app,
        [
            "accounts",
            "add",
            "--id",
            "mvhs-choir",
            "--platform",
            "x",
            "--handle",
            "@mvhschoir",
            "--site-name",
            "MVHS Choir on X",
            "--admin-name",
            "A",
            "--admin-email",
            "a@mvsd.k12.wa.us",
            "--sponsor-name",
            "S",
            "--sponsor-email",
            "s@mvsd.k12.wa.us",
            "--config",
            str(tmp_path / "config"),
        ],
    )  # fmt: skip  (one CLI call: the flags read best as they would be typed)
    assert result.exit_code == 0, result.output
    after = (tmp_path / "config" / "accounts.yaml").read_text()
    assert after.startswith(before.splitlines()[0]) and "mvhs-choir" in after
    assert "#" in after  # comments kept
    ids = [a.id for a in load_config(tmp_path / "config").accounts]
    assert ids[-1] == "mvhs-choir" and len(ids) == 6


@pytest.mark.parametrize(
    ("extra", "env", "expected"),
    [
        (
            "platforms: {reddit: {client_id: {$env: T_REDDIT_ID}, client_secret: {$env: T_REDDIT_SECRET}, user_agent: test/1}}\n",
            {"T_REDDIT_ID": "id"},
            "scanner.yaml: platforms.reddit.client_secret: $env:T_REDDIT_SECRET cannot be resolved",
        ),
        (
            "mail: {transport: smtp, host: localhost, from: s@mvsd.k12.wa.us, password: {$file: nope.txt}}\n",
            {},
            "scanner.yaml: mail.password: $file:nope.txt cannot be resolved",
        ),
    ],
)
def test_config_check_resolves_the_secrets_live_accounts_and_mail_need(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, env: dict, expected: str
) -> None:
    """Issue 13 item 11: `config check` fails (exit 2) naming the reference, never a value."""
    from typer.testing import CliRunner

    from scanner.cli.main import app

    for name in ("T_REDDIT_ID", "T_REDDIT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    folder = write_config(tmp_path / "c", accounts=[{"id": "live"}])
    text = (folder / "scanner.yaml").read_text()
    if extra.startswith("mail:"):
        text = "\n".join(line for line in text.splitlines() if not line.startswith("mail:")) + "\n"
    (folder / "scanner.yaml").write_text(text + extra)
    result = CliRunner().invoke(app, ["config", "check", "--config", str(folder)])
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output
