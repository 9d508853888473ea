"""Config for the follower consent check: `members_csv`, `schedule.followers_interval` and the
roster's optional `handles` column."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.config.loader import load_config
from scanner.errors import ConfigError
from tests.support.config import ACCOUNT_YAML, write_config

ACCOUNT = ACCOUNT_YAML.format(
    id="art",
    platform="instagram",
    handle="17841400000000001",
    site_name="Art",
    sponsor="a@mvsd.k12.wa.us",
)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("members.csv", None),
        ("exports/art members.csv", None),
        ("https://example.org/members.csv", "not a file path"),
        ("members.xlsx", "not a .csv file"),
        ('""', "not a file path"),
    ],
)
def test_members_csv(tmp_path: Path, value: str, problem: str | None) -> None:
    accounts = f"version: 1\naccounts:\n{ACCOUNT}    members_csv: {value}\n"
    folder = write_config(tmp_path / "c", accounts_yaml=accounts)
    if problem is None:
        assert load_config(folder).account("art").members_csv == value
        return
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    assert "accounts[0].members_csv" in str(caught.value) and problem in str(caught.value)


def test_followers_interval_is_a_duration(tmp_path: Path) -> None:
    ok = write_config(tmp_path / "ok", scanner_extra="schedule: {followers_interval: 12h}\n")
    assert load_config(ok).scanner.schedule.followers_interval == "12h"
    bad = write_config(tmp_path / "bad", scanner_extra="schedule: {followers_interval: weekly}\n")
    with pytest.raises(ConfigError, match="followers_interval"):
        load_config(bad)


def test_roster_handles_column_is_optional(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "c", scanner_extra="student_roster: students.csv\n")
    header = "student_id,first_name,last_name,grade,school,directory_opt_out,media_consent"
    (folder / "students.csv").write_text(
        f"{header},handles\nS1,Maya,Chen,11,JHS,no,yes,@mayac.draws; u/maya_c\nS2,Ty,Jones,9,JHS,no,yes,\n"
    )
    roster = load_config(folder).district.roster
    assert roster is not None and [e.handles for e in roster] == [
        ("@mayac.draws", "u/maya_c"),
        (),
    ]
    (folder / "students.csv").write_text(f"{header}\nS1,Maya,Chen,11,JHS,no,yes\n")
    roster = load_config(folder).district.roster
    assert roster is not None and roster[0].handles == ()
