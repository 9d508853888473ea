"""Blog connector against Atom cassettes (through requests + feedparser)."""

from datetime import UTC, datetime

import pytest

from connectors.blog import html_to_text

FEED = "https://blogs.mvsd.k12.wa.us/chess/feed"
P = "https://blogs.mvsd.k12.wa.us/chess/?p="


def test_first_fetch_follows_next_link(fetch):
    result = fetch("blog", "first", "chess", feed_url=FEED)
    assert [p.external_id for p in result.posts] == [f"{P}{n}" for n in (105, 104, 103, 102, 101)]
    assert result.cursor == "2026-10-25T00:30:00+00:00"
    assert result.profile_text == "News from the Maple Valley chess club"
    assert result.state["etag"] == '"5f1c-2026-10-24"'
    post = result.posts[0]
    assert post.text == "Tournament results\n\nWe went 4-1 at the Kent open."
    assert post.author == "Coach Alvarez"
    assert post.url == "https://blogs.mvsd.k12.wa.us/chess/2026/10/105/"


def test_html_is_reduced_to_text_and_updates_are_edits(fetch):
    posts = {p.external_id: p for p in fetch("blog", "first", "chess", feed_url=FEED).posts}
    edited = posts[f"{P}104"]
    assert edited.text == "Practice moved\n\nPractice moves to Thursday\xa0& room C210.\n3:30 pm"
    assert edited.edited_at == datetime(2026, 10, 22, 19, 40, tzinfo=UTC)
    assert "the team" in posts[f"{P}103"].text  # image alt text is part of what readers see


def test_initial_posts_caps_first_fetch_without_reading_page_two(fetch):
    result = fetch("blog", "first", "chess", feed_url=FEED, initial_posts=2)
    assert [p.external_id for p in result.posts] == [f"{P}105", f"{P}104"]


def test_incremental_edits_and_tombstones(fetch):
    result = fetch(
        "blog", "incremental", "chess", feed_url=FEED, cursor="2026-10-22T19:40:00+00:00"
    )
    by_id = {p.external_id: p for p in result.posts}
    assert set(by_id) == {f"{P}108", f"{P}107", f"{P}103", f"{P}106"}
    assert by_id[f"{P}103"].text.startswith("Photo day (new date)")
    assert by_id[f"{P}103"].edited_at == datetime(2026, 10, 25, 16, 0, tzinfo=UTC)
    assert by_id[f"{P}106"].deleted and by_id[f"{P}106"].text == ""
    assert result.cursor == "2026-10-27T19:00:00+00:00"


def test_not_modified_is_an_empty_result(fetch):
    state = {"etag": '"5f1c-2026-10-24"', "subtitle": "News"}
    result = fetch(
        "blog", "empty", "chess", feed_url=FEED, cursor="2026-10-25T00:30:00+00:00", state=state
    )
    assert result.posts == [] and result.cursor == "2026-10-25T00:30:00+00:00"
    assert result.profile_text == "News"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a</p><p>b</p>", "a\nb"),
        ("x &amp; y<script>alert(1)</script>", "x & y"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html) == text


# --- issue 13 item 4: the feed's own site only, never an internal address -------------------

ENTRY = {
    "id": "https://blogs.mvsd.k12.wa.us/chess/?p=1",
    "title": "Hello",
    "link": "https://blogs.mvsd.k12.wa.us/chess/1/",
    "published": "2026-10-20T10:00:00Z",
    "updated": "2026-10-20T10:00:00Z",
    "author": "Coach",
    "html": "<p>Practice today</p>",
}


@pytest.mark.parametrize(
    "next_url",
    [
        "http://127.0.0.1:8080/feed?page=2",
        "https://evil.example.org/feed",
        "http://blogs.mvsd.k12.wa.us/chess/feed?page=2",
    ],
)
def test_a_next_link_off_site_is_not_followed_and_the_first_page_is_kept(tmp_path, next_url):
    from tests.support.cassette_kit import atom_feed, feed_get, write_cassette
    from tests.support.replay import replay

    doc = atom_feed(FEED, "Chess", "News", [ENTRY], next_url=next_url)
    path = write_cassette(tmp_path / "c.yaml", [feed_get(FEED, doc)])
    result = replay("blog", "x", "chess", feed_url=FEED, path=path)
    assert [p.external_id for p in result.posts] == [ENTRY["id"]]
    assert any("another host" in n for n in result.notes)


def test_a_redirect_to_another_host_is_refused(tmp_path):
    from scanner.errors import ConnectorError
    from tests.support.cassette_kit import feed_get, write_cassette
    from tests.support.replay import replay

    path = write_cassette(
        tmp_path / "c.yaml", [feed_get(FEED, "", status=302, Location="http://169.254.169.254/")]
    )
    with pytest.raises(ConnectorError, match="redirect to another host refused"):
        replay("blog", "x", "chess", feed_url=FEED, path=path)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost:8000/feed",
        "https://10.0.0.5/feed",
        "http://[::1]/feed",
        "http://169.254.169.254/latest",
    ],
)
def test_internal_addresses_are_refused(url):
    from connectors.blog import BlogConnector
    from connectors.replay import ReplayAccount
    from scanner.errors import ConnectorError

    connector = BlogConnector(BlogConnector.Settings(), offline=True)
    account = ReplayAccount("a", "blog", "b", feed_url=url, initial_posts=5, allow_http=True)
    with pytest.raises(ConnectorError, match="internal address"):
        connector.fetch(account, None, {})


@pytest.mark.parametrize(
    ("url", "allow_http", "refused"),
    [
        ("http://blogs.mvsd.k12.wa.us/chess/feed", False, True),
        ("http://blogs.mvsd.k12.wa.us/chess/feed", True, False),
        ("https://blogs.mvsd.k12.wa.us:abc/chess/feed", True, True),
        ("ftp://blogs.mvsd.k12.wa.us/chess/feed", True, True),
        (FEED, False, False),
    ],
    ids=["http refused", "http allowed by the account", "bad port", "not web", "https"],
)
def test_feeds_are_https_unless_the_account_allows_http(tmp_path, url, allow_http, refused):
    from connectors.blog import BlogConnector
    from connectors.replay import ReplayAccount
    from scanner.errors import ConnectorError
    from tests.support.cassette_kit import atom_feed, feed_get, write_cassette
    from tests.support.replay import cassette

    doc = atom_feed(url, "Chess", "News", [ENTRY])
    path = write_cassette(tmp_path / "c.yaml", [feed_get(url, doc)]) if not refused else None
    connector = BlogConnector(BlogConnector.Settings(), offline=True)
    account = ReplayAccount("a", "blog", "b", feed_url=url, initial_posts=5, allow_http=allow_http)
    if refused:
        with pytest.raises(ConnectorError, match="must be an https:// URL"):
            connector.fetch(account, None, {})
    else:
        assert path is not None
        with cassette(path):
            assert len(connector.fetch(account, None, {}).posts) == 1


def test_a_password_in_the_feed_url_never_reaches_a_message():
    from connectors.blog import redact_url

    assert (
        redact_url("https://user:s3cret@blogs.example.org/feed") == "https://blogs.example.org/feed"
    )
    assert redact_url(FEED) == FEED
    assert redact_url("https://user:s3cret@blogs.example.org:abc/feed") == "<invalid URL>"


# --- comments (issue 15) --------------------------------------------------------------------

NOW = datetime(2026, 10, 26, 12, 0, tzinfo=UTC)
COMMENTS = {"comments": True, "comments_recheck_days": 2}


@pytest.fixture
def clock(monkeypatch):
    """The comment recheck window is relative to now: pin it to the cassettes' week."""
    monkeypatch.setattr("connectors.comments.utcnow", lambda: NOW)
    return NOW


@pytest.mark.parametrize("source", ["comments_feed", "comments_rest"])
def test_comments_with_parents_from_feed_or_rest(fetch, clock, source):
    result = fetch("blog", source, "chess", feed_url=FEED, account=COMMENTS)
    assert [p.kind for p in result.posts][:2] == ["post", "post"]
    comments = {p.external_id: p for p in result.posts if p.kind == "comment"}
    assert set(comments) == {f"{P}105#comment-31", f"{P}105#comment-30", f"{P}104#comment-29"}
    reply = comments[f"{P}105#comment-31"]
    assert reply.parent_external_id == f"{P}105#comment-30"
    assert reply.thread_external_id == f"{P}105" and reply.author_role == "account"
    top = comments[f"{P}105#comment-30"]
    assert top.parent_external_id == f"{P}105" and top.author_role == "other"
    assert top.text == "Congrats! When is the next meet?" and top.author == "Chess Parent"
    assert top.url == "https://blogs.mvsd.k12.wa.us/chess/2026/10/105/#comment-30"
    assert result.state["comments_cursor"] == "2026-10-25T15:00:00+00:00"
    assert result.notes == []
    # only the REST API can list one entry's whole thread
    assert result.complete_threads == ([f"{P}105"] if source == "comments_rest" else [])
    assert ("api" in result.state["comments_source"]) is (source == "comments_rest")


def test_comments_feed_after_the_cursor_only(fetch, clock):
    state = {"comments_cursor": "2026-10-25T14:50:00+00:00"}
    result = fetch(
        "blog",
        "comments_feed",
        "chess",
        feed_url=FEED,
        cursor="2026-10-25T00:30:00+00:00",
        state=state,
        account=COMMENTS,
    )
    comments = [p.external_id for p in result.posts if p.kind == "comment"]
    assert comments == [f"{P}105#comment-31"]


def test_comments_off_makes_no_comment_request(fetch):
    result = fetch("blog", "comments_rest", "chess", feed_url=FEED)
    assert all(p.kind == "post" for p in result.posts) and "comments_source" not in result.state
