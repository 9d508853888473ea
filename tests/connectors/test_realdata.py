"""Cassettes converted from recordings this project did not write (praw, tweepy,
python-facebook; see cassettes/PROVENANCE.md), replayed through the real client libraries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.replay import cassette
from tests.support.paths import CASSETTES
from tests.support.replay import replay


def offline_reddit():  # type: ignore[no-untyped-def]
    """The connector's own praw client for replays: placeholder credentials, never a secret."""
    from connectors.reddit import RedditConnector

    return RedditConnector(RedditConnector.Settings(), offline=True)._client()


def test_praw_user_submissions_listing():
    result = replay("reddit", "realdata_spez_submissions", "u/spez")
    assert len(result.posts) == 100
    assert all(p.external_id.startswith("t3_") for p in result.posts)
    assert all(p.created_at.tzinfo is UTC for p in result.posts)
    times = [p.created_at for p in result.posts]
    assert times == sorted(times, reverse=True)  # /new order, as recorded
    assert result.cursor == result.posts[0].external_id
    assert result.posts[0].created_at.year == 2016
    assert any(p.edited_at for p in result.posts)  # the recording has edited posts (2016)
    assert {p.author for p in result.posts} == {"spez"}
    first = result.posts[0]
    assert first.url.startswith("https://www.reddit.com/r/") and first.text


@pytest.mark.parametrize(
    ("name", "deleted", "edited", "text"),
    [
        (
            "realdata_submission_edit",
            False,
            datetime(2016, 3, 20, 3, 36, 59, tzinfo=UTC),
            "A Test from PRAWCORE.\n\nNew text",
        ),
        (
            "realdata_submission_delete",
            True,
            datetime(2016, 3, 20, 3, 36, 59, tzinfo=UTC),
            "A Test from PRAWCORE.",
        ),
    ],
)
def test_praw_edited_and_deleted_submission(name, deleted, edited, text):
    from connectors.reddit import _to_post

    reddit = offline_reddit()
    with cassette(CASSETTES / "reddit" / f"{name}.yaml"):
        submission = reddit.submission("4b1tfm")
        submission._fetch()
    post = _to_post(submission, "acct")
    assert post.deleted is deleted
    assert post.edited_at == edited
    assert post.text == text
    assert (post.author is None) is deleted


def test_tweepy_user_lookup_and_users_tweets_default_fields():
    # Recorded without tweet_fields: no created_at, so the time comes from the snowflake id.
    result = replay("x", "realdata_tweepy_users_tweets", "Twitter", initial_posts=2)
    assert [p.external_id for p in result.posts] == ["1577730467436138524", "1565318587736285184"]
    assert result.state["user_id"] == "783214"
    assert result.posts[0].created_at.date().isoformat() == "2022-10-05"
    assert result.posts[0].url == "https://x.com/Twitter/status/1577730467436138524"
    assert result.posts[1].text.startswith("if you see an edited Tweet")
    assert result.cursor == "1577730467436138524"


def test_python_twitter_timeline_with_created_at():
    result = replay("x", "realdata_pytwitter_timeline", "TwitterDev", initial_posts=5)
    assert len(result.posts) == 5
    assert result.posts[0].created_at == datetime(2021, 2, 23, 18, 7, 7, tzinfo=UTC)
    assert result.posts[0].author == "TwitterDev"


def test_python_facebook_feed_pages():
    result = replay("facebook", "realdata_pyfacebook_feed", "19292868552")
    assert len(result.posts) == 10  # 5 + 5 over two pages, following paging.next
    first = result.posts[0]
    assert first.external_id == "19292868552_10158349356748553"
    assert first.created_at == datetime(2021, 7, 9, 19, 9, 52, tzinfo=UTC)
    assert first.edited_at == datetime(2021, 7, 12, 1, 3, 23, tzinfo=UTC)
    assert first.text.startswith("Singaporean logistics company Ninja Van")
    assert first.url == "https://www.facebook.com/19292868552/posts/10158349356748553/"
    assert result.cursor == "2021-07-09T19:09:52+00:00"


def test_python_facebook_instagram_medias():
    result = replay("instagram", "realdata_pyfacebook_medias", "17841406338772941")
    assert [p.external_id for p in result.posts] == [
        "17895731045244887",
        "17896622936197745",
        "17896129349106152",
        "17893085207160254",
    ]
    assert result.posts[0].text == ""  # no caption
    assert result.posts[2].text == "ALBUM" and result.posts[2].raw["media_type"] == "CAROUSEL_ALBUM"
    assert result.posts[0].created_at == datetime(2021, 8, 13, 8, 25, 28, tzinfo=UTC)


def test_praw_recorded_comment_tree_as_comments():
    """praw's recorded `/comments/4b1tfm` tree: a deleted top-level comment with a reply."""
    from connectors.reddit_comments import to_comment

    reddit = offline_reddit()
    with cassette(CASSETTES / "reddit" / "realdata_submission_edit.yaml"):
        submission = reddit.submission("4b1tfm")
        submission._fetch()
    forest = submission.comments
    assert forest.replace_more(limit=0) == []
    comments = {c.external_id: c for c in (to_comment(x, "r", "x", "a") for x in forest.list())}
    assert set(comments) == {"t1_d1616q2", "t1_d1680wu", "t1_d1628v0", "t1_d162ara"}
    deleted = comments["t1_d1616q2"]
    assert deleted.deleted and deleted.text == "" and deleted.author is None
    reply = comments["t1_d1680wu"]
    assert reply.parent_external_id == "t1_d1616q2" and reply.thread_external_id == "t3_4b1tfm"
    assert reply.text == "Comment reply" and reply.kind == "comment"
    assert reply.url.startswith("https://www.reddit.com/r/") and reply.url.endswith("/d1680wu/")
