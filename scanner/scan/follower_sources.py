"""Where an account's followers come from: the platform (`connectors.FOLLOWER_SOURCES`) or the
account's exported member list (`members_csv`). Used by `scanner.scan.followers`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors import FOLLOWER_SOURCES
from connectors.base import Follower, FollowerPage
from scanner.config.district import read_csv
from scanner.config.schema import AccountConfig, Config
from scanner.errors import InputError, Problem

MEMBER_COLUMNS = ("display_name", "handle")
PLATFORM, MEMBERS_CSV = "platform", "members_csv"
FollowersFn = Callable[[Config, AccountConfig, dict[str, Any]], FollowerPage]


def follower_source(account: AccountConfig) -> str | None:
    """Where the account's followers come from: its exported member list, the platform's API,
    or nowhere (None). An account replaying a cassette (demo, tests) uses only a member list."""
    if not account.followers_check:
        return None
    if account.members_csv:
        return MEMBERS_CSV
    if account.replay is None and account.platform in FOLLOWER_SOURCES.names():
        return PLATFORM
    return None


def read_member_list(config: Config, account: AccountConfig) -> FollowerPage:
    """The exported member list (`display_name,handle`); an unreadable file is an InputError
    that names the file and the problem, never a cell."""
    assert account.members_csv is not None
    path = config.resolve(account.members_csv)
    if not path.is_file():
        raise InputError(f"accounts.yaml: {account.id}.members_csv: no file {path.name}")
    problems: list[Problem] = []
    rows = read_csv(path, "header", MEMBER_COLUMNS, problems)
    if problems:
        raise InputError("; ".join(str(p) for p in problems))
    members = [Follower(r["display_name"], r["handle"]) for r in rows]
    return FollowerPage(members, complete=True)


def fetch_followers(config: Config, account: AccountConfig, state: dict[str, Any]) -> FollowerPage:
    """The account's followers or members from its source (see `follower_source`)."""
    source = follower_source(account)
    if source == MEMBERS_CSV:
        return read_member_list(config, account)
    if source is None:
        raise InputError(f"account {account.id}: no follower source")
    cls = FOLLOWER_SOURCES.get(account.platform)
    settings = config.platforms.get(account.platform) or cls.Settings()
    return cls(settings, config_dir=config.dir).fetch_followers(account, state)
