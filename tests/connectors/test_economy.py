"""Connector economy (issue 15 item 5): the API requests one scan makes, counted from the
cassettes' played interactions, with and without comments and profile text.

    .venv/bin/python -m tests.connectors.test_economy   # prints the table
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest

from connectors import CONNECTORS
from connectors.replay import ReplayAccount, cassette
from tests.support.paths import CASSETTES

NOW = datetime(2026, 10, 26, 12, 0, tzinfo=UTC)  # the scenario cassettes' week
FEED = "https://blogs.mvsd.k12.wa.us/chess/feed"
X_STATE = {"user_id": "1587654321098765432", "handle": "mvchessclub", "username": "MVChessClub"}

# (platform, cassette, handle, state): one scan each; the recheck window (2 days) holds one post
SCANS = [
    ("reddit", "comments_first", "r/MapleValleyChess", {}),
    ("reddit", "comments_user", "u/mvchess_coach", {}),
    ("x", "comments_first", "@MVChessClub", X_STATE),
    ("blog", "comments_feed", "chess", {}),
    ("blog", "comments_rest", "chess", {}),
]
# extra requests per scan with comments on: (comment listing/search/feed, recent threads)
EXTRA = {
    ("reddit", "comments_first"): 2,  # /r/NAME/comments + /comments/ID of the one recent post
    ("reddit", "comments_user"): 1,  # u/NAME: the recent post's tree only
    ("x", "comments_first"): 2,  # to:NAME search + (conversation_id:…) search
    ("blog", "comments_feed"): 1,  # /comments/feed/atom/
    ("blog", "comments_rest"): 2,  # /wp-json/wp/v2/comments?after=… + ?post=…
}


def requests_of(
    platform: str, name: str, handle: str, state: dict[str, Any], **account: Any
) -> tuple[int, Any]:
    """(API requests played, the FetchResult) for one scan; Reddit's OAuth token not counted."""
    cls = CONNECTORS.get(platform)
    connector = cls(cls.Settings(), offline=True)
    acct = ReplayAccount(
        "acct-1",
        platform,
        handle,
        feed_url=FEED if platform == "blog" else None,
        comments_recheck_days=2,
        **account,
    )
    with (
        mock.patch("connectors.comments.utcnow", lambda: NOW),
        cassette(CASSETTES / platform / f"{name}.yaml") as played,
    ):
        result = connector.fetch(acct, None, dict(state))
        tokens = sum(
            1 for r in played.requests[: played.play_count] if r.path.endswith("/access_token")
        )
        return played.play_count - tokens, result


@pytest.mark.parametrize(("platform", "name", "handle", "state"), SCANS)
def test_extra_requests_for_comments(platform, name, handle, state):
    without, plain = requests_of(platform, name, handle, state)
    with_comments, result = requests_of(platform, name, handle, state, comments=True)
    assert with_comments - without == EXTRA[(platform, name)]
    assert result.notes == [] and any(p.kind == "comment" for p in result.posts)
    assert all(p.kind == "post" for p in plain.posts)


def test_reddit_about_only_when_the_profile_counts_and_once_a_day():
    without, plain = requests_of("reddit", "profile", "r/MapleValleyChess", {})
    assert without == 1 and plain.profile_text is None  # the listing only: no about
    counted, result = requests_of(
        "reddit", "profile", "r/MapleValleyChess", {}, profile_disclaimer_counts=True
    )
    assert counted == 2 and result.profile_text  # + /r/NAME/about
    again, cached = requests_of(
        "reddit", "profile", "r/MapleValleyChess", result.state, profile_disclaimer_counts=True
    )
    assert again == 1 and cached.profile_text == result.profile_text  # cached for a day


def main() -> None:
    print(f"{'platform':8} {'cassette':16} {'posts only':>10} {'+comments':>10}")
    for platform, name, handle, state in SCANS:
        without, _ = requests_of(platform, name, handle, state)
        with_comments, _ = requests_of(platform, name, handle, state, comments=True)
        print(f"{platform:8} {name:16} {without:>10} {with_comments:>10}")


if __name__ == "__main__":
    main()
