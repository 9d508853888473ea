"""X connector against cassettes in API v2 shapes (replayed through tweepy)."""

from datetime import UTC, datetime

import pytest

from connectors.x import snowflake_time

H = "@MVChessClub"
STATE = {"user_id": "1587654321098765432", "handle": "mvchessclub", "username": "MVChessClub"}


def ids():
    from tests.support.make_cassettes import x_ids

    return x_ids()


PROFILE = {"profile_disclaimer_counts": True}
NOW = datetime(2026, 10, 26, 12, 0, tzinfo=UTC)
COMMENTS = {"comments": True, "comments_recheck_days": 2}


@pytest.fixture
def clock(monkeypatch):
    """The comment recheck window and the profile cache are relative to now: pin it."""
    monkeypatch.setattr("connectors.comments.utcnow", lambda: NOW)
    return NOW


def test_first_fetch_resolves_user_and_follows_pagination(fetch):
    i = ids()
    result = fetch("x", "first", H, account=PROFILE)
    assert [p.external_id for p in result.posts] == [i["e"], i["d"], i["c"], i["b"], i["a"]]
    assert result.cursor == i["e"]
    assert result.state["user_id"] == "1587654321098765432"
    assert result.state["handle"] == "mvchessclub"
    assert "Information in this post may change" in result.profile_text
    assert result.state["description"] == result.profile_text
    post = result.posts[0]
    assert post.url == f"https://x.com/MVChessClub/status/{i['e']}"
    assert post.created_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert post.text.endswith("[image description] Club members around a chess board")
    assert post.raw["media_types"] == ["photo"]


def test_tco_links_are_expanded(fetch):
    posts = {p.external_id: p for p in fetch("x", "first", H).posts}
    assert (
        posts[ids()["d"]].text
        == "Practice moves to Thursday. Details: https://mvsd.k12.wa.us/chess"
    )


def test_edit_replaces_the_earlier_version(fetch):
    i = ids()
    posts = [p for p in fetch("x", "first", H).posts if p.external_id == i["c"]]
    assert len(posts) == 1
    edited = posts[0]
    assert edited.text == "Snack schedule is up (fixed the date)"
    assert edited.raw["id"] == i["c2"] and edited.url.endswith(i["c2"])
    assert edited.created_at == datetime(2026, 10, 21, 22, 30, tzinfo=UTC)
    assert edited.edited_at == datetime(2026, 10, 21, 22, 41, tzinfo=UTC)


def test_initial_posts_caps_first_fetch(fetch):
    result = fetch("x", "first", H, initial_posts=2)
    assert [p.external_id for p in result.posts] == [ids()["e"], ids()["d"]]


def test_incremental_uses_stored_user_and_reports_deleted(fetch):
    i = ids()
    recent = {
        i["d"]: ["2026-10-22T16:05:00+00:00", i["d"]],
        i["b"]: ["2026-10-21T02:00:00+00:00", i["b"]],
    }
    result = fetch(
        "x", "incremental", H, cursor=i["e"], state={**STATE, "recent": recent}, account=PROFILE
    )
    live = [p for p in result.posts if not p.deleted]
    assert [p.external_id for p in live] == [i["h"], i["g"], i["f"]]
    (gone,) = [p for p in result.posts if p.deleted]
    assert gone.external_id == i["b"] and gone.text == ""
    assert gone.created_at == datetime(2026, 10, 21, 2, 0, tzinfo=UTC)
    assert result.cursor == i["h"]
    assert result.state["user_id"] == STATE["user_id"]
    assert result.profile_text  # the bio comes with the tweets (author expansion)
    assert i["b"] not in (result.state.get("recent") or {})


def test_empty_result_keeps_cursor_and_cached_profile(fetch, clock):
    state = {**STATE, "description": "Stored bio", "profile_at": "2026-10-26T01:00:00+00:00"}
    result = fetch("x", "empty", H, cursor="1850000000000000000", state=state, account=PROFILE)
    assert result.posts == [] and result.cursor == "1850000000000000000"
    assert result.profile_text == "Stored bio" and result.notes == []


def test_stale_profile_lookup_failure_is_a_note(fetch, clock):
    state = {**STATE, "description": "Stored bio", "profile_at": "2026-10-20T01:00:00+00:00"}
    result = fetch("x", "empty", H, cursor="1850000000000000000", state=state, account=PROFILE)
    assert result.profile_text == "Stored bio"  # the cassette has no user lookup: a note
    (note,) = result.notes
    assert "profile/about text was not read" in note


def test_profile_not_counting_keeps_no_bio(fetch):
    result = fetch("x", "first", H)
    assert result.profile_text is None and "description" not in result.state


def test_snowflake_time():
    # id and created_at of a real tweet (realdata/x/pytwitter_timeline_tweets.json)
    minted = snowflake_time("1364275610764201984")
    assert minted.replace(microsecond=0) == datetime(2021, 2, 23, 18, 7, 7, tzinfo=UTC)


# --- replies (issue 15) ---------------------------------------------------------------------


def test_replies_from_search_with_parents_edits_and_roles(fetch, clock):
    i = ids()
    result = fetch("x", "comments_first", H, account=COMMENTS)
    kinds = [p.kind for p in result.posts]
    assert kinds == ["post", "post", "comment", "comment", "comment", "comment"]
    replies = {p.text: p for p in result.posts if p.kind == "comment"}
    congrats = replies["Congrats to the whole team!"]  # X's "@account" reply prefix dropped
    assert congrats.parent_external_id == i["e"] and congrats.thread_external_id == i["e"]
    assert congrats.author == "MVChessParent" and congrats.author_role == "other"
    assert congrats.url == f"https://x.com/MVChessParent/status/{congrats.external_id}"
    edited = replies["@MVChessParent @MVChessClub Great games at Kent (fixed typo)"]
    assert edited.parent_external_id == congrats.external_id  # a reply to a reply
    assert edited.external_id == edited.raw["edit_history_tweet_ids"][0] and edited.edited_at
    room = replies["Which room?"]
    assert room.thread_external_id == i["d"]  # an older post: found by the to: search
    assert result.complete_threads == [i["e"]]
    newest = max(int(p.external_id) for p in result.posts if p.kind == "comment")
    assert result.state["comments_cursor"] == str(newest)
    assert list(result.state["comment_threads"]) == [i["e"]]
    assert result.notes == []


def test_free_access_level_keeps_posts_and_says_why(fetch, clock):
    result = fetch("x", "comments_not_enrolled", H, account=COMMENTS)
    assert [p.kind for p in result.posts] == ["post", "post"]
    (note,) = result.notes
    assert "client-not-enrolled" in note and "Basic or higher" in note
    assert "posts were read" in note
    assert "comments_cursor" not in result.state and result.complete_threads == []


def test_reply_cap_notes_and_keeps_the_oldest(fetch, clock):
    state = {**STATE, "comments_cursor": "1"}
    result = fetch("x", "comments_first", H, state=state, account={**COMMENTS, "comments_max": 2})
    replies = [p for p in result.posts if p.kind == "comment"]
    assert len(replies) == 2
    assert any("capped at 2 per scan" in n for n in result.notes)
    assert result.complete_threads == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@MVChessClub Congrats!", "Congrats!"),
        ("@mvchessclub congrats", "congrats"),  # handles are case-insensitive
        ("@MVChessClubFan congrats", "@MVChessClubFan congrats"),  # another account
        ("@maya_c22 @MVChessClub congrats", "@maya_c22 @MVChessClub congrats"),  # kept: a handle
        ("Congrats @MVChessClub", "Congrats @MVChessClub"),
    ],
)
def test_only_the_reply_prefix_to_the_account_is_dropped(text: str, expected: str) -> None:
    from connectors.x_comments import _without_reply_prefix

    assert _without_reply_prefix(text, "MVChessClub") == expected
