"""Reddit connector against cassettes in Reddit's listing shapes (replayed through praw)."""

from datetime import UTC, datetime

import pytest

from connectors.reddit import parse_handle
from scanner.errors import ConnectorError

H = "r/MapleValleyChess"
NOW = datetime(2026, 10, 26, 12, 0, tzinfo=UTC)
COMMENTS = {"comments": True, "comments_recheck_days": 2}


@pytest.fixture
def clock(monkeypatch):
    """The comment recheck window is relative to now: pin it to the cassettes' week."""
    monkeypatch.setattr("connectors.comments.utcnow", lambda: NOW)
    return NOW


def test_first_fetch_reads_two_pages_without_profile_request(fetch):
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
    assert result.profile_text is None and "profile_at" not in result.state  # not asked for
    assert result.notes == [] and all(p.kind == "post" for p in result.posts)
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
    assert result.profile_text is None


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


# --- profile economy (issue 15 item 5) ------------------------------------------------------


def test_profile_is_read_when_it_counts_and_cached_for_a_day(fetch, clock):
    result = fetch("reddit", "profile", H, account={"profile_disclaimer_counts": True})
    assert result.profile_text.startswith("Maple Valley Chess")
    assert "Information in this post may change" in result.profile_text
    assert result.state["profile_at"] == "2026-10-26T12:00:00+00:00"
    # within a day: the cached text, no request (first.yaml has no about interaction)
    again = fetch(
        "reddit", "first", H, state=result.state, account={"profile_disclaimer_counts": True}
    )
    assert again.profile_text == result.profile_text and again.notes == []


def test_failed_profile_request_keeps_posts_and_the_cached_text(fetch, clock):
    stale = {"profile_text": "Old about", "profile_at": "2026-10-24T00:00:00+00:00"}
    result = fetch("reddit", "first", H, state=stale, account={"profile_disclaimer_counts": True})
    assert len(result.posts) == 5 and result.profile_text == "Old about"
    (note,) = result.notes
    assert "profile/about text was not read" in note and "ReplayError" in note
    assert result.state["profile_at"] == stale["profile_at"]  # tried again next scan


# --- comments (issue 15 item 1) --------------------------------------------------------------


def test_first_comments_from_listing_and_recent_thread(fetch, clock):
    result = fetch("reddit", "comments_first", H, account=COMMENTS)
    posts = [p for p in result.posts if p.kind == "post"]
    comments = {p.external_id: p for p in result.posts if p.kind == "comment"}
    assert [p.external_id for p in posts] == ["t3_1q0e5", "t3_1q0d4"]
    assert result.posts[: len(posts)] == posts  # posts first, then comments
    assert set(comments) == {"t1_k1c4", "t1_k1c3", "t1_k1c2", "t1_k1c1", "t1_k1c5"}
    reply = comments["t1_k1c3"]
    assert reply.parent_external_id == "t1_k1c2" and reply.thread_external_id == "t3_1q0e5"
    assert reply.author_role == "account"  # distinguished as the moderators' voice
    assert comments["t1_k1c2"].author_role == "other" and comments["t1_k1c2"].by_others
    assert comments["t1_k1c2"].parent_external_id == "t3_1q0e5"
    assert reply.url == "https://www.reddit.com/r/MapleValleyChess/comments/1q0e5/_/k1c3/"
    edited = comments["t1_k1c4"]  # the tree (read after the listing) has the edit
    assert edited.text == "Congrats to the whole team!!" and edited.edited_at is not None
    gone = comments["t1_k1c5"]
    assert gone.deleted and gone.text == "" and gone.author is None
    assert result.complete_threads == ["t3_1q0e5"]  # 1q0d4 is outside the 2-day window
    assert result.state["comments_cursor"] == "t1_k1c4"
    assert set(result.state["comment_threads"]) == {"t3_1q0e5"}
    assert result.notes == []


def test_incremental_comments_walk_to_the_cursor(fetch, clock):
    first = fetch("reddit", "comments_first", H, account=COMMENTS)
    result = fetch(
        "reddit",
        "comments_incremental",
        H,
        cursor=first.cursor,
        state=first.state,
        account=COMMENTS,
    )
    comments = {p.external_id: p for p in result.posts if p.kind == "comment"}
    assert set(comments) == {"t1_k1c7", "t1_k1c6", "t1_k1c4", "t1_k1c2", "t1_k1c3"}
    assert result.complete_threads == ["t3_1q0e5"]  # k1c5 is missing there now: deleted
    assert result.state["comments_cursor"] == "t1_k1c7"


def test_comment_cap_takes_the_oldest_new_comments_and_notes_it(fetch, clock):
    state = {"comments_cursor": "t1_k1c4", "comments_cursor_utc": 1761408600.0}
    result = fetch(
        "reddit",
        "comments_incremental",
        H,
        cursor="t3_1q0e5",
        state=state,
        account={**COMMENTS, "comments_max": 1},
    )
    comments = [p.external_id for p in result.posts if p.kind == "comment"]
    assert comments == ["t1_k1c6"]  # the older of the two new ones; k1c7 comes next scan
    assert result.state["comments_cursor"] == "t1_k1c6"
    assert result.complete_threads == []
    assert any("capped at 1 per scan" in n for n in result.notes)


def test_user_account_reads_trees_of_its_recent_submissions(fetch, clock):
    result = fetch("reddit", "comments_user", "u/mvchess_coach", account=COMMENTS)
    comments = {p.external_id: p for p in result.posts if p.kind == "comment"}
    assert comments["t1_k1u1"].author_role == "other"
    assert comments["t1_k1u2"].author_role == "account"  # the user answering
    assert comments["t1_k1u2"].parent_external_id == "t1_k1u1"
    assert result.complete_threads == ["t3_1q0u1"]
    assert "comments_cursor" not in result.state


def test_comments_off_reads_no_comment_requests(fetch, clock):
    result = fetch("reddit", "comments_first", H)
    assert all(p.kind == "post" for p in result.posts) and result.complete_threads == []
