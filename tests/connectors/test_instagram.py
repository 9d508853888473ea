"""Instagram connector against cassettes in Graph API shapes (through facebook-sdk)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scanner.records import AuthorRole, PostKind
from tests.connectors.graph_support import requested
from tests.support.cassette_kit import graph_get, graph_page, ig_media, write_cassette

H = "17841400000099999"
M9, M8, M5 = "18010000000000009", "18010000000000008", "18010000000000005"


def test_first_fetch_follows_cursor_paging_and_reads_biography(fetch):
    result = fetch("instagram", "first", H, account={"profile_disclaimer_counts": True})
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


# --- connector economy: the user/biography request --------------------------------------


@pytest.mark.parametrize(
    ("counts", "state", "user_request", "profile"),
    [
        (False, {}, False, None),  # the biography does not count: never asked for
        (True, {}, True, "Maple Valley chess club."),  # counts, never read: one request
        (True, {"profile_text": "Cached bio.", "profile_at": 2}, False, "Cached bio."),
        (True, {"profile_text": "Old bio.", "profile_at": 30}, True, "Maple Valley chess club."),
    ],
    ids=["not-counted", "first", "cached", "stale"],
)
def test_user_request_only_when_the_biography_counts(counts, state, user_request, profile):
    if "profile_at" in state:
        at = datetime.now(UTC) - timedelta(hours=state["profile_at"])
        state = {**state, "profile_at": at.isoformat()}
    result, paths = requested(
        "instagram", H, "first", state=state, profile_disclaimer_counts=counts
    )
    assert paths == [H] * user_request + [f"{H}/media", f"{H}/media"]
    assert len(result.posts) == 4 and result.posts[0].author == "mvchess"
    assert result.state["username"] == "mvchess"
    if profile is None:
        assert result.profile_text is None
    else:
        assert result.profile_text.startswith(profile)


def test_failed_biography_request_never_fails_the_posts(tmp_path):
    error = {"error": {"message": "(#4) Application request limit reached", "code": 4}}
    media = ig_media(M8, "Winter ladder!", "2026-10-27T19:00:00Z", "DBa8", username="mvchess")
    path = write_cassette(
        tmp_path / "c.yaml",
        [graph_get(H, error, status=429), graph_page(f"{H}/media", [media], None, "caption")],
    )
    result, _ = requested(
        "instagram", H, path, state={"profile_text": "Old bio."}, profile_disclaimer_counts=True
    )
    assert [p.external_id for p in result.posts] == [M8]
    assert result.profile_text == "Old bio."
    assert len(result.notes) == 1 and "RateLimited" in result.notes[0]
    assert "profile_at" not in result.state


# --- comments and replies -----------------------------------------------------------------


def test_comments_with_nested_replies_and_paging():
    result, paths = requested("instagram", H, "comments", comments=True)
    posts = [p.external_id for p in result.posts if p.kind == PostKind.POST]
    comments = [p for p in result.posts if p.kind == PostKind.COMMENT]
    assert posts == [M8, M5, "18010000000000001"]
    by_id = {c.external_id: c for c in comments}
    assert [c.external_id[-2:] for c in comments] == ["11", "13", "14", "12", "15", "16", "17"]
    assert by_id["17990000000000011"].parent_external_id == M8
    assert by_id["17990000000000013"].parent_external_id == "17990000000000011"
    assert by_id["17990000000000017"].parent_external_id == "17990000000000015"  # replies page 2
    assert {c.thread_external_id for c in comments} == {M8}
    own = {c.external_id[-2:] for c in comments if c.author_role == AuthorRole.ACCOUNT}
    assert own == {"13", "16", "17"}  # written by mvchess, the account itself
    assert (
        by_id["17990000000000014"].by_others and by_id["17990000000000014"].author == "kent_fan_2"
    )
    assert by_id["17990000000000011"].url == "https://www.instagram.com/p/DBa8/"
    assert by_id["17990000000000011"].created_at == datetime(2026, 10, 27, 20, 0, tzinfo=UTC)
    assert result.complete_threads == [M8, M5]  # the old media is outside the 7-day window
    assert paths == [
        f"{H}/media",
        f"{M8}/comments",
        f"{M8}/comments",
        "17990000000000015/replies",
        f"{M5}/comments",
    ]
    assert result.notes == []


def test_recheck_sees_edited_and_deleted_comments():
    threads = {
        M8: ["2026-10-27T19:00:00+00:00", "https://www.instagram.com/p/DBa8/", "2026-10-28T01:00Z"],
        M5: ["2026-10-25T00:30:00+00:00", "https://www.instagram.com/p/DBa5/", "2026-10-28T00:00Z"],
    }
    result, paths = requested(
        "instagram",
        H,
        "comments_recheck",
        cursor="2026-10-27T19:00:00+00:00",
        state={"username": "mvchess", "comment_threads": threads},
        comments=True,
    )
    assert [p.external_id for p in result.posts if p.kind == PostKind.POST] == [M9, M8]
    comments = {p.external_id: p for p in result.posts if p.kind == PostKind.COMMENT}
    assert comments["17990000000000011"].text == "Love this so much!"  # edited: new content
    assert "17990000000000012" not in comments  # deleted
    assert paths == [f"{H}/media", f"{M9}/comments", f"{M5}/comments", f"{M8}/comments"]
    assert sorted(result.complete_threads) == sorted([M9, M8, M5])
    assert comments["17990000000000016"].author_role == AuthorRole.ACCOUNT  # cached username


def test_comments_cap_counts_replies():
    result, paths = requested("instagram", H, "comments", comments=True, comments_max=2)
    comments = [p.external_id for p in result.posts if p.kind == PostKind.COMMENT]
    assert comments == ["17990000000000011", "17990000000000013"]  # the page is cut at 2
    assert result.complete_threads == [] and paths == [f"{H}/media", f"{M8}/comments"]
    assert "capped at 2" in result.notes[0]
