"""Fetching with a real connector while replaying a committed (or generated) cassette."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors import CONNECTORS
from connectors.base import FetchResult
from connectors.replay import ReplayAccount, cassette
from tests.support.paths import CASSETTES


def replay(
    platform: str,
    name: str,
    handle: str,
    *,
    cursor: str | None = None,
    state: dict[str, Any] | None = None,
    initial_posts: int = 100,
    feed_url: str | None = None,
    path: Path | None = None,
    account: dict[str, Any] | None = None,
    **settings: Any,
) -> FetchResult:
    """Fetch `handle` with the real connector while replaying cassettes/<platform>/<name>.yaml.

    `account`: more `ReplayAccount` fields (e.g. `{"comments": True}`)."""
    cls = CONNECTORS.get(platform)
    connector = cls(cls.Settings(**settings), offline=True)
    replay_account = ReplayAccount(
        id="acct-1",
        platform=platform,
        handle=handle,
        feed_url=feed_url,
        initial_posts=initial_posts,
        **(account or {}),
    )
    with cassette(path or CASSETTES / platform / f"{name}.yaml"):
        return connector.fetch(replay_account, cursor, state)
