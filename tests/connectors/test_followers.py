"""Followers and members for the consent check (policy item 3), replayed from cassettes built by
tests/support/make_cassettes.py: X followers (two pages), Reddit approved users, failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors import FOLLOWER_SOURCES
from connectors.base import FollowerPage, FollowerSource
from connectors.replay import ReplayAccount, cassette
from scanner.errors import AuthError, ConnectorError, TransientError
from tests.support.cassette_kit import Ix, reddit_token, write_cassette
from tests.support.make_cassettes import SUB, XUID, XUSER
from tests.support.paths import CASSETTES


def followers(
    platform: str, handle: str, path: Path, state: dict[str, Any] | None = None
) -> FollowerPage:
    cls = FOLLOWER_SOURCES.get(platform)
    source = cls(cls.Settings(), offline=True)
    assert isinstance(source, FollowerSource)
    with cassette(path):
        return source.fetch_followers(ReplayAccount("acct-1", platform, handle), state)


def test_x_followers_follow_pages_and_keep_only_names_and_handles() -> None:
    page = followers("x", f"@{XUSER['username']}", CASSETTES / "x" / "followers.yaml")
    assert [(f.display_name, f.handle) for f in page.followers] == [
        ("Maya Chen 🎨", "mayac_draws"),
        ("Jefferson Art Boosters", "jhsartboosters"),
        ("Kevin Ng", "kev_ng_photo"),
    ]
    assert page.complete and page.url == f"https://x.com/{XUSER['username']}/followers"


def test_x_followers_reuse_the_user_id_the_post_fetch_stored(tmp_path: Path) -> None:
    only_pages = tmp_path / "pages.yaml"
    full = (CASSETTES / "x" / "followers.yaml").read_text()
    # the same cassette without its user lookup: a stored user id makes that call unnecessary
    head, _, rest = full.partition("- request:")
    _, _, rest = rest.partition("- request:")
    only_pages.write_text(head + "- request:" + rest)
    state = {"user_id": XUID, "handle": XUSER["username"].lower()}
    page = followers("x", XUSER["username"], only_pages, state)
    assert len(page.followers) == 3


def test_x_without_enterprise_access_is_a_clear_auth_error() -> None:
    with pytest.raises(AuthError, match="needs X API Enterprise access"):
        followers("x", XUSER["username"], CASSETTES / "x" / "followers_403.yaml")


def test_reddit_approved_users_of_a_subreddit() -> None:
    page = followers("reddit", f"r/{SUB}", CASSETTES / "reddit" / "followers.yaml")
    assert [(f.display_name, f.handle, f.user_id) for f in page.followers] == [
        ("", "mayac_draws", "t2_8h3k1m"),
        ("", "chess_parent_42", "t2_9q2w7e"),
    ]
    assert page.url.endswith(f"/r/{SUB}/about/contributors")


def test_reddit_users_expose_no_followers(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="does not expose the followers of a user"):
        followers("reddit", "u/someone", write_cassette(tmp_path / "c.yaml", []))


@pytest.mark.parametrize(
    ("status", "error"), [(403, AuthError), (404, ConnectorError), (500, TransientError)]
)
def test_reddit_failures_map_to_the_error_tree(tmp_path: Path, status: int, error: type) -> None:
    failed = Ix(
        "GET",
        f"https://oauth.reddit.com/r/{SUB}/about/contributors/",
        {"message": "Forbidden", "error": status},
        status=status,
        headers={"www-authenticate": 'Bearer realm="reddit", error="insufficient_scope"'},
    )
    retries = 3 if status >= 500 else 1  # prawcore retries a server error
    path = write_cassette(tmp_path / "c.yaml", [reddit_token(), *[failed] * retries])
    with pytest.raises(error):
        followers("reddit", f"r/{SUB}", path)


def test_the_registry_lists_only_platforms_that_expose_followers() -> None:
    assert FOLLOWER_SOURCES.names() == ["x", "reddit"]
