"""Instagram connector against cassettes in Graph API shapes (through facebook-sdk)."""

from datetime import UTC, datetime

H = "17841400000099999"


def test_first_fetch_follows_cursor_paging_and_reads_biography(fetch):
    result = fetch("instagram", "first", H)
    assert [p.external_id for p in result.posts] == [
        "18010000000000005",
        "18010000000000004",
        "18010000000000003",
        "18010000000000002",
    ]
    assert result.cursor == "2026-10-25T00:30:00+00:00"
    assert result.profile_text.startswith("Maple Valley chess club.")
    post = result.posts[0]
    assert post.url == "https://www.instagram.com/p/DBa5/" and post.author == "mvchess"
    assert post.created_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert result.posts[2].text == ""  # media without a caption
    assert result.posts[3].raw["media_type"] == "VIDEO"


def test_incremental_recheck_sees_edited_caption_and_deleted_media(fetch):
    recent = {
        "18010000000000004": ["2026-10-22T16:05:00+00:00", "u4"],
        "18010000000000003": ["2026-10-21T02:00:00+00:00", "https://www.instagram.com/p/DBa3/"],
    }
    result = fetch(
        "instagram",
        "incremental",
        H,
        cursor="2026-10-22T16:05:00+00:00",
        state={"recent": recent},
    )
    ids = [p.external_id for p in result.posts]
    assert ids == [
        "18010000000000008",
        "18010000000000007",
        "18010000000000006",
        "18010000000000004",
        "18010000000000003",
    ]
    assert result.posts[3].text == "Practice board setup (room C210)"
    gone = result.posts[4]
    assert gone.deleted and gone.url == "https://www.instagram.com/p/DBa3/"
    assert result.cursor == "2026-10-27T19:00:00+00:00"


def test_incremental_without_recheck_returns_only_newer(fetch):
    result = fetch(
        "instagram", "incremental", H, cursor="2026-10-22T16:05:00+00:00", recheck_hours=0
    )
    assert len(result.posts) == 3 and not any(p.deleted for p in result.posts)


def test_empty_result_keeps_cursor(fetch):
    result = fetch("instagram", "empty", H, cursor="2026-10-27T19:00:00+00:00")
    assert result.posts == [] and result.cursor == "2026-10-27T19:00:00+00:00"
