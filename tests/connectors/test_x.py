"""X connector against cassettes in API v2 shapes (replayed through tweepy)."""

from datetime import UTC, datetime

from connectors.x import snowflake_time

H = "@MVChessClub"
STATE = {"user_id": "1587654321098765432", "handle": "mvchessclub", "username": "MVChessClub"}


def ids():
    from tests.support.make_cassettes import x_ids

    return x_ids()


def test_first_fetch_resolves_user_and_follows_pagination(fetch):
    i = ids()
    result = fetch("x", "first", H)
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
    result = fetch("x", "incremental", H, cursor=i["e"], state={**STATE, "recent": recent})
    live = [p for p in result.posts if not p.deleted]
    assert [p.external_id for p in live] == [i["h"], i["g"], i["f"]]
    (gone,) = [p for p in result.posts if p.deleted]
    assert gone.external_id == i["b"] and gone.text == ""
    assert gone.created_at == datetime(2026, 10, 21, 2, 0, tzinfo=UTC)
    assert result.cursor == i["h"]
    assert result.state["user_id"] == STATE["user_id"]
    assert result.profile_text  # the bio comes with the tweets (author expansion)
    assert i["b"] not in (result.state.get("recent") or {})


def test_empty_result_keeps_cursor_and_profile(fetch):
    state = {**STATE, "description": "Stored bio"}
    result = fetch("x", "empty", H, cursor="1850000000000000000", state=state)
    assert result.posts == [] and result.cursor == "1850000000000000000"
    assert result.profile_text == "Stored bio"


def test_snowflake_time():
    # id and created_at of a real tweet (realdata/x/pytwitter_timeline_tweets.json)
    minted = snowflake_time("1364275610764201984")
    assert minted.replace(microsecond=0) == datetime(2021, 2, 23, 18, 7, 7, tzinfo=UTC)
