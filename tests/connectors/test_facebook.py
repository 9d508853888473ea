"""Facebook pages connector against cassettes in Graph API shapes (through facebook-sdk)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner.records import AuthorRole, PostKind
from tests.connectors.graph_support import requested
from tests.support.cassette_kit import fb_post, graph_get, graph_page, write_cassette

H = "MVChessParents"
PAGE = "104857600099999"
P5, P4, P6 = f"{PAGE}_5005", f"{PAGE}_5004", f"{PAGE}_5006"
KNOWN = {"page_id": PAGE, "page_name": "MV Chess Parents"}


def played(
    name: str | Path,
    *,
    cursor: str | None = None,
    state: dict[str, Any] | None = None,
    **account: Any,
) -> tuple[Any, list[str]]:
    """(fetch result, the Graph API paths it requested, in order) for cassettes/facebook/NAME."""
    return requested("facebook", H, name, cursor=cursor, state=state, **account)


def test_first_fetch_follows_paging_and_reads_about_when_it_counts(fetch):
    result = fetch("facebook", "first", H, account={"profile_disclaimer_counts": True})
    assert [p.external_id for p in result.posts] == [P5, P4, f"{PAGE}_5003", f"{PAGE}_5002"]
    assert result.cursor == "2026-10-25T00:30:00+00:00"
    assert result.profile_text.startswith("Parents of the chess club.")
    assert result.state["page_id"] == PAGE
    assert result.state["profile_text"] == result.profile_text
    post = result.posts[0]
    assert post.author == "MV Chess Parents" and post.kind == PostKind.POST
    assert post.url == f"https://www.facebook.com/{PAGE}/posts/5005/"


def test_edited_attachment_and_scheduled_posts(fetch):
    posts = {p.external_id: p for p in fetch("facebook", "first", H).posts}
    edited = posts[P4]
    assert edited.edited_at == datetime(2026, 10, 22, 19, 40, tzinfo=UTC)
    assert edited.text == "Practice moved to Thursday.\n\nPractice calendar\n\nRoom C210, 3:30 pm"
    assert posts[P5].edited_at is None
    assert posts[f"{PAGE}_5003"].raw["scheduled"] is True
    assert "scheduled" not in posts[P5].raw


def test_initial_posts_caps_first_fetch(fetch):
    assert len(fetch("facebook", "first", H, initial_posts=3).posts) == 3


def test_incremental_pages_recheck_window_and_deleted_post(fetch):
    recent = {
        P4: ["2026-10-22T16:05:00+00:00", "u4"],
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
    assert ids == [f"{PAGE}_5008", f"{PAGE}_5007", P6, P4, f"{PAGE}_5003"]
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
    assert result.profile_text is None  # the profile does not count for this account


# --- connector economy: the page request ------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "state", "requests", "profile"),
    [
        # first scan: the page id and name are resolved once (id,name only)
        (False, {}, [H, f"{PAGE}/posts", f"{PAGE}/posts"], None),
        # ids cached, profile does not count: posts only
        (False, KNOWN, [f"{PAGE}/posts", f"{PAGE}/posts"], None),
        # profile counts, read less than a day ago: the cached text, no page request
        (
            True,
            {**KNOWN, "profile_text": "Cached about.", "profile_at": "NOW-2h"},
            [f"{PAGE}/posts", f"{PAGE}/posts"],
            "Cached about.",
        ),
        # profile counts, read over a day ago: one page request (by the cached id)
        (
            True,
            {**KNOWN, "profile_text": "Old about.", "profile_at": "NOW-25h"},
            [H, f"{PAGE}/posts", f"{PAGE}/posts"],
            "Parents of the chess club.",
        ),
    ],
    ids=["resolve-once", "cached-ids", "profile-cached", "profile-stale"],
)
def test_page_request_only_when_needed(counts, state, requests, profile):
    now = datetime.now(UTC)
    if "profile_at" in state:
        hours = int(state["profile_at"][4:-1])
        state = {**state, "profile_at": (now - timedelta(hours=hours)).isoformat()}
    result, paths = played("first", state=state, profile_disclaimer_counts=counts)
    assert paths == requests
    assert len(result.posts) == 4 and result.posts[0].author == "MV Chess Parents"
    if profile is None:
        assert result.profile_text is None
    else:
        assert result.profile_text.startswith(profile)


@pytest.mark.parametrize("known", [True, False], ids=["ids-cached", "ids-unknown"])
def test_failed_profile_request_never_fails_the_posts(tmp_path, known):
    error = {"error": {"message": "(#2) Service temporarily unavailable", "code": 2}}
    ixs = [graph_get(H, error, status=503)]
    if not known:  # the id is still needed for the posts: resolved with id,name
        ixs.append(graph_get(H, {"id": PAGE, "name": "MV Chess Parents"}))
    post = fb_post(PAGE, "5005", "Tournament results", "2026-10-25T00:30:00Z")
    ixs.append(graph_page(f"{PAGE}/posts", [post], None, "message"))
    path = write_cassette(tmp_path / "c.yaml", ixs)
    state = {**KNOWN, "profile_text": "Old about."} if known else {}
    result, _ = played(path, state=state, profile_disclaimer_counts=True)
    assert [p.external_id for p in result.posts] == [P5]
    assert result.profile_text == ("Old about." if known else None)
    assert len(result.notes) == 1 and "profile/about text not read" in result.notes[0]
    assert "TransientError" in result.notes[0] and "replay-" not in result.notes[0]
    assert "profile_at" not in result.state or result.state["profile_at"] == state.get("profile_at")


# --- comments and replies -----------------------------------------------------------------


def test_comments_replies_flattened_with_parents_and_page_reply():
    result, paths = played("comments", comments=True)
    posts = [p for p in result.posts if p.kind == PostKind.POST]
    comments = [p for p in result.posts if p.kind == PostKind.COMMENT]
    assert [p.external_id for p in posts] == [P5, P4, f"{PAGE}_5001"]
    assert result.posts[:3] == posts  # posts first, then comments
    assert [c.external_id for c in comments] == ["5005_9004", "5005_9003", "5005_9002", "5005_9001"]
    by_id = {c.external_id: c for c in comments}
    assert by_id["5005_9001"].parent_external_id == P5  # top level: answers the post
    assert by_id["5005_9003"].parent_external_id == "5005_9001"  # a reply: answers the comment
    assert {c.thread_external_id for c in comments} == {P5}
    assert by_id["5005_9004"].author_role == AuthorRole.ACCOUNT  # from.id is the page
    assert by_id["5005_9004"].author == "MV Chess Parents" and not by_id["5005_9004"].by_others
    assert by_id["5005_9003"].author_role == AuthorRole.OTHER and by_id["5005_9003"].by_others
    assert by_id["5005_9002"].author is None  # no `from` without pages_read_user_content
    assert by_id["5005_9002"].author_role == AuthorRole.OTHER
    assert by_id["5005_9001"].text == "So proud of the club!"
    assert by_id["5005_9001"].created_at == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)
    assert by_id["5005_9003"].url.endswith("?comment_id=9001&reply_comment_id=9003")
    # both threads in the 7-day window read to the end (one over two pages); 5001 is older
    assert result.complete_threads == [P5, P4]
    assert paths == [H, f"{PAGE}/posts", f"{P5}/comments", f"{P5}/comments", f"{P4}/comments"]
    threads = result.state["comment_threads"]
    assert set(threads) == {P5, P4} and all(t[2] for t in threads.values())
    assert result.notes == []


def test_without_comments_no_comment_request():
    result, paths = played("comments")
    assert all(p.kind == PostKind.POST for p in result.posts) and result.complete_threads == []
    assert paths == [H, f"{PAGE}/posts"]


THREADS = {
    P5: ["2026-10-25T00:30:00+00:00", "u5", "2026-10-25T20:00:00+00:00"],
    P4: ["2026-10-22T16:05:00+00:00", "u4", "2026-10-25T19:00:00+00:00"],
}


def test_recheck_reads_new_and_recent_threads_edits_and_deletions():
    result, paths = played(
        "comments_recheck",
        cursor="2026-10-25T00:30:00+00:00",
        state={**KNOWN, "comment_threads": THREADS},
        comments=True,
    )
    posts = [p.external_id for p in result.posts if p.kind == PostKind.POST]
    assert posts == [P6, P5]  # the posts walk stops 48 h behind the cursor
    comments = {p.external_id: p for p in result.posts if p.kind == PostKind.COMMENT}
    assert comments["5005_9003"].text == "Congrats to all the players and coaches!"  # edited
    assert "5005_9002" not in comments  # deleted: the pipeline marks it, the thread is complete
    assert comments["5006_9010"].parent_external_id == P6
    # never-read thread first, then the longest unread; 5004 comes from the state
    assert paths == [f"{PAGE}/posts", f"{P6}/comments", f"{P4}/comments", f"{P5}/comments"]
    assert sorted(result.complete_threads) == sorted([P6, P5, P4])


def test_recheck_window_limits_the_threads_read():
    result, paths = played(
        "comments_recheck",
        cursor="2026-10-25T00:30:00+00:00",
        state={**KNOWN, "comment_threads": THREADS},
        comments=True,
        comments_recheck_days=1,
    )
    assert paths == [f"{PAGE}/posts", f"{P6}/comments"]
    assert result.complete_threads == [P6]
    assert set(result.state["comment_threads"]) == {P6}  # older threads leave the window


@pytest.mark.parametrize(
    ("cap", "ids", "requests"),
    [
        (2, ["5005_9004", "5005_9003"], 3),  # a full first page: the second is never asked for
        (3, ["5005_9004", "5005_9003", "5005_9002"], 4),  # cut inside the second page
    ],
)
def test_comments_cap_per_scan(cap, ids, requests):
    result, paths = played("comments", comments=True, comments_max=cap)
    assert [p.external_id for p in result.posts if p.kind == PostKind.COMMENT] == ids
    assert result.complete_threads == []  # a capped thread is not complete
    assert len(paths) == requests and f"{P4}/comments" not in paths
    assert len(result.notes) == 1 and f"capped at {cap}" in result.notes[0]
    # the unread threads stay in the state, never read, so they come first next time
    assert {k: v[2] for k, v in result.state["comment_threads"].items()} == {P5: "", P4: ""}


def test_deleted_post_completes_its_thread(fetch):
    recent = {f"{PAGE}_5003": ["2026-10-21T02:00:00+00:00", "https://www.facebook.com/p/5003"]}
    result = fetch(
        "facebook",
        "incremental",
        H,
        cursor="2026-10-22T16:05:00+00:00",
        state={"recent": recent},
        account={"comments": True, "comments_recheck_days": 0},
    )
    assert f"{PAGE}_5003" in result.complete_threads  # gone with its comments


def test_unreadable_comment_payload_keeps_posts_and_is_noted(tmp_path):
    post = fb_post(PAGE, "5005", "Tournament results", "2026-10-25T00:30:00Z")
    broken = {"id": "5005_1", "message": "no time"}  # created_time missing
    path = write_cassette(
        tmp_path / "c.yaml",
        [
            graph_page(f"{PAGE}/posts", [post], None, "message"),
            graph_page(f"{P5}/comments", [broken], None, "message"),
        ],
    )
    result, _ = played(path, state=KNOWN, comments=True)
    assert [p.external_id for p in result.posts] == [P5] and result.complete_threads == []
    assert "not understood" in result.notes[0] and "no time" not in result.notes[0]


def test_broken_comment_state_is_ignored_not_fatal():
    state = {**KNOWN, "comment_threads": {P4: "not a list", "x": [None, 1]}}
    result, paths = played("comments", state=state, comments=True)
    assert paths[-1] == f"{P4}/comments" and result.complete_threads == [P5, P4]
