"""Reddit connector against cassettes in Reddit's listing shapes (replayed through praw)."""

from datetime import UTC, datetime

import pytest

from connectors.reddit import parse_handle
from scanner.errors import ConnectorError

H = "r/MapleValleyChess"


def test_first_fetch_reads_two_pages_with_profile(fetch):
    result = fetch("reddit", "first", H)
    assert [p.external_id for p in result.posts] == [
        "t3_1q0e5",
        "t3_1q0d4",
        "t3_1q0c3",
        "t3_1q0b2",
        "t3_1q0a1",
    ]
    assert result.cursor == "t3_1q0e5"
    assert result.state["cursor_created_utc"] == result.posts[0].created_at.timestamp()
    assert "Information in this post may change" in result.profile_text
    assert result.profile_text.startswith("Maple Valley Chess")
    first = result.posts[0]
    assert first.text == "Tournament results\n\nWe went 4-1 at the Kent open."
    assert first.url.startswith("https://www.reddit.com/r/MapleValleyChess/comments/1q0e5/")
    assert first.created_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert first.account == "acct-1" and first.platform == "reddit"


def test_edited_deleted_removed_and_link_posts(fetch):
    posts = {p.external_id: p for p in fetch("reddit", "first", H).posts}
    edited = posts["t3_1q0d4"]
    assert edited.edited_at == datetime(2026, 10, 22, 19, 40, tzinfo=UTC)
    assert posts["t3_1q0e5"].edited_at is None
    deleted = posts["t3_1q0c3"]
    assert deleted.deleted and deleted.author is None and deleted.text == "Snack schedule"
    assert posts["t3_1q0a1"].deleted  # removed by a moderator
    link = posts["t3_1q0b2"]
    assert link.text.endswith("https://photos.maplevalleysd.org/chess/2026") and not link.deleted


def test_initial_posts_caps_first_fetch(fetch):
    result = fetch("reddit", "first", H, initial_posts=2)
    assert [p.external_id for p in result.posts] == ["t3_1q0e5", "t3_1q0d4"]


def test_incremental_walks_pages_until_cursor_and_rechecks_window(fetch):
    result = fetch("reddit", "incremental", H, cursor="t3_1q0c3", recheck_hours=30)
    ids = [p.external_id for p in result.posts]
    # three new posts over two pages, the cursor post and the edit 25 h behind it; the walk
    # stops at the post 36 h behind the cursor.
    assert ids == ["t3_1q0h8", "t3_1q0g7", "t3_1q0f6", "t3_1q0c3", "t3_1q0b9"]
    assert result.cursor == "t3_1q0h8"
    edited = result.posts[-1]
    assert edited.edited_at == datetime(2026, 10, 26, 17, 0, tzinfo=UTC)
    assert result.notes == []


def test_incremental_without_recheck_stops_at_cursor(fetch):
    result = fetch("reddit", "incremental", H, cursor="t3_1q0c3", recheck_hours=0)
    assert [p.external_id for p in result.posts] == ["t3_1q0h8", "t3_1q0g7", "t3_1q0f6"]


def test_incremental_uses_stored_time_when_cursor_post_vanished(fetch):
    stored = datetime(2026, 10, 21, 22, 31, tzinfo=UTC).timestamp()
    result = fetch(
        "reddit",
        "incremental",
        H,
        cursor="t3_gone",
        recheck_hours=0,
        state={"cursor_created_utc": stored},
    )
    assert [p.external_id for p in result.posts] == ["t3_1q0h8", "t3_1q0g7", "t3_1q0f6"]
    assert result.state["cursor_created_utc"] > stored


def test_empty_result_keeps_cursor(fetch):
    result = fetch("reddit", "empty", H, cursor="t3_1q0c3", recheck_hours=0)
    assert result.posts == [] and result.cursor == "t3_1q0c3"
    assert result.profile_text


@pytest.mark.parametrize(
    ("handle", "expected"),
    [("u/spez", ("u", "spez")), ("/r/Chess/", ("r", "Chess")), ("user/x_y", ("u", "x_y"))],
)
def test_parse_handle(handle, expected):
    assert parse_handle(handle) == expected


@pytest.mark.parametrize("handle", ["spez", "r/", "t/abc"])
def test_bad_handle_is_a_connector_error(handle):
    with pytest.raises(ConnectorError):
        parse_handle(handle)
