"""Facebook pages connector against cassettes in Graph API shapes (through facebook-sdk)."""

from datetime import UTC, datetime

H = "MVChessParents"
PAGE = "104857600099999"


def test_first_fetch_follows_paging_and_reads_about(fetch):
    result = fetch("facebook", "first", H)
    assert [p.external_id for p in result.posts] == [
        f"{PAGE}_5005",
        f"{PAGE}_5004",
        f"{PAGE}_5003",
        f"{PAGE}_5002",
    ]
    assert result.cursor == "2026-10-25T00:30:00+00:00"
    assert result.profile_text.startswith("Parents of the chess club.")
    assert result.state["page_id"] == PAGE
    post = result.posts[0]
    assert post.author == "MV Chess Parents"
    assert post.url == f"https://www.facebook.com/{PAGE}/posts/5005/"


def test_edited_attachment_and_scheduled_posts(fetch):
    posts = {p.external_id: p for p in fetch("facebook", "first", H).posts}
    edited = posts[f"{PAGE}_5004"]
    assert edited.edited_at == datetime(2026, 10, 22, 19, 40, tzinfo=UTC)
    assert edited.text == "Practice moved to Thursday.\n\nPractice calendar\n\nRoom C210, 3:30 pm"
    assert posts[f"{PAGE}_5005"].edited_at is None
    assert posts[f"{PAGE}_5003"].raw["scheduled"] is True
    assert "scheduled" not in posts[f"{PAGE}_5005"].raw


def test_initial_posts_caps_first_fetch(fetch):
    assert len(fetch("facebook", "first", H, initial_posts=3).posts) == 3


def test_incremental_pages_recheck_window_and_deleted_post(fetch):
    recent = {
        f"{PAGE}_5004": ["2026-10-22T16:05:00+00:00", "u4"],
        f"{PAGE}_5003": ["2026-10-21T02:00:00+00:00", "https://www.facebook.com/p/5003"],
    }
    result = fetch(
        "facebook",
        "incremental",
        H,
        cursor="2026-10-22T16:05:00+00:00",
        state={"recent": recent},
    )
    ids = [p.external_id for p in result.posts]
    assert ids == [f"{PAGE}_5008", f"{PAGE}_5007", f"{PAGE}_5006", f"{PAGE}_5004", f"{PAGE}_5003"]
    edited = result.posts[3]
    assert edited.text == "Practice moved to Thursday, room C210."
    assert edited.edited_at == datetime(2026, 10, 26, 17, 0, tzinfo=UTC)
    gone = result.posts[4]
    assert gone.deleted and gone.url == "https://www.facebook.com/p/5003" and gone.text == ""
    assert result.cursor == "2026-10-27T19:00:00+00:00"
    assert f"{PAGE}_5003" not in result.state["recent"]
    assert f"{PAGE}_5008" in result.state["recent"]


def test_empty_result_keeps_cursor(fetch):
    result = fetch("facebook", "empty", H, cursor="2026-10-27T19:00:00+00:00")
    assert result.posts == [] and result.cursor == "2026-10-27T19:00:00+00:00"
    assert result.profile_text
