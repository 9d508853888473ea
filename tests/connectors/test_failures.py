"""The shared failure table, run against all five connectors.

Each case writes a vcrpy cassette into tmp_path in which the first page of posts succeeds and the
next request fails, then replays it through the real client library (praw, tweepy, facebook-sdk,
requests + feedparser). The fetch must raise the right `ConnectorError` subclass — never return
the posts of the first page — and its message must carry no credential.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from scanner.errors import (
    AuthError,
    ConnectorError,
    NotFound,
    RateLimited,
    ReplayError,
    TransientError,
)
from tests.support.cassette_kit import (
    Ix,
    atom_feed,
    feed_get,
    graph_get,
    graph_page,
    reddit_page,
    reddit_post,
    reddit_token,
    tweet,
    write_cassette,
    x_tweets_page,
)
from tests.support.make_cassettes import X_PAGE_2
from tests.support.replay import replay

SUB, UID, PAGE, IG = (
    "MapleValleyChess",
    "1587654321098765432",
    "104857600099999",
    "17841400000099999",
)
FEED = "https://blogs.mvsd.k12.wa.us/chess/feed"
X_STATE = {"user_id": UID, "handle": "mvchessclub", "username": "MVChessClub"}
HANDLES = {
    "reddit": "r/MapleValleyChess",
    "x": "@MVChessClub",
    "facebook": PAGE,
    "instagram": IG,
    "blog": "chess",
}
PLATFORMS = list(HANDLES)
HTML = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def preamble(platform: str) -> list[Ix]:
    """The successful requests before the failing one (including a first page of posts)."""
    if platform == "reddit":
        posts = [reddit_post(SUB, "1q0e5", "Results", "2026-10-25T00:30:00Z")]
        return [
            reddit_token(),
            reddit_token(),
            reddit_token(),
            reddit_page(SUB, posts, after="t3_1q0e5"),
        ]
    if platform == "x":
        return [
            x_tweets_page(
                UID,
                [tweet("1850000000000000001", "hi", "2026-10-25T00:30:00Z")],
                next_token=X_PAGE_2,
            )
        ]
    if platform in ("facebook", "instagram"):
        ref, edge = (PAGE, "posts") if platform == "facebook" else (IG, "media")
        item = {
            "id": f"{ref}_1",
            "message": "hi",
            "caption": "hi",
            "created_time": "2026-10-25T00:30:00+0000",
            "timestamp": "2026-10-25T00:30:00+0000",
        }
        return [
            graph_get(ref, {"id": ref, "name": "Chess", "username": "mvchess"}),
            graph_page(f"{ref}/{edge}", [item], "QVFIUk5aYm1sN2F", "message"),
        ]
    entry = {
        "id": "urn:1",
        "title": "Hi",
        "link": "https://blogs.mvsd.k12.wa.us/chess/1/",
        "published": "2026-10-25T00:30:00Z",
        "updated": "2026-10-25T00:30:00Z",
        "author": "Coach",
        "html": "<p>hi</p>",
    }
    return [feed_get(FEED, atom_feed(FEED, "Chess", "club", [entry], next_url=FEED + "?paged=2"))]


def target(platform: str) -> str:
    return {
        "reddit": f"https://oauth.reddit.com/r/{SUB}/new",
        "x": f"https://api.twitter.com/2/users/{UID}/tweets",
        "facebook": f"https://graph.facebook.com/v21.0/{PAGE}/posts",
        "instagram": f"https://graph.facebook.com/v21.0/{IG}/media",
        "blog": FEED,
    }[platform]


def error_body(platform: str, status: int) -> tuple[str | dict, dict[str, str], str]:
    """(body, headers, content type) the platform sends for an error status."""
    if platform == "blog":
        return f"<html><body><h1>{status}</h1></body></html>", {}, "text/html; charset=UTF-8"
    if platform == "reddit":
        headers = {}
        if status == 401:
            headers["www-authenticate"] = 'Bearer realm="reddit", error="invalid_token"'
        return {"message": "error", "error": status}, headers, "application/json; charset=UTF-8"
    if platform == "x":
        body = {"title": "Error", "type": "about:blank", "status": status, "detail": "Error"}
        return body, {}, "application/json; charset=utf-8"
    code = {401: 190, 403: 200, 404: 803, 429: 4, 500: 1, 503: 2}[status]
    body = {
        "error": {
            "message": f"(#{code}) error",
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AqZr5mXo3Yb9kQ2f1TnCv8w",
        }
    }
    return body, {}, "application/json; charset=UTF-8"


def reset_headers(platform: str) -> dict[str, str]:
    """Headers that say when a rate limit lifts, as each platform sends them."""
    if platform == "reddit":
        return {
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "1000",
            "x-ratelimit-reset": "120",
        }
    if platform == "x":
        return {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()) + 900)}
    if platform in ("facebook", "instagram"):
        usage = '{"104857600099999":[{"type":"pages","call_count":100,"total_cputime":30,'
        usage += '"total_time":40,"estimated_time_to_regain_access":15}]}'
        return {"x-business-use-case-usage": usage}
    return {"Retry-After": "900"}


def status_case(platform: str, status: int, with_reset: bool = False) -> list[Ix]:
    body, headers, ctype = error_body(platform, status)
    if with_reset:
        headers = {**headers, **reset_headers(platform)}
    failing = Ix("GET", target(platform), body, status=status, headers=headers, content_type=ctype)
    return [failing] * 3  # prawcore retries 401 and 5xx twice; the others stop at the first


def raw_case(platform: str, status: int, body: str, ctype: str) -> list[Ix]:
    return [Ix("GET", target(platform), body, status=status, content_type=ctype)] * 3


def malformed(platform: str) -> list[Ix]:
    if platform == "blog":
        text = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Cut'
        return raw_case(platform, 200, text, "application/atom+xml")
    return raw_case(platform, 200, '{"data": [{"id": "1", "text": "cut', "application/json")


CASES = {
    "401": (lambda p: status_case(p, 401), AuthError),
    "403": (lambda p: status_case(p, 403), AuthError),
    "404": (lambda p: status_case(p, 404), NotFound),
    "429 with reset": (lambda p: status_case(p, 429, with_reset=True), RateLimited),
    "429 without reset": (lambda p: status_case(p, 429), RateLimited),
    "500": (lambda p: status_case(p, 500), TransientError),
    "503": (lambda p: status_case(p, 503), TransientError),
    "malformed JSON": (malformed, TransientError),
    "HTML error page": (lambda p: raw_case(p, 502, HTML, "text/html"), TransientError),
    "HTML page with 200": (
        lambda p: raw_case(p, 200, HTML, "text/html; charset=utf-8"),
        TransientError,
    ),
    "missing interaction": (lambda p: [], ReplayError),
}


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    """prawcore sleeps up to 4 s between its retries; the retries still happen, only faster."""
    import prawcore.sessions

    monkeypatch.setattr(prawcore.sessions.FiniteRetryStrategy, "_sleep_seconds", lambda self: None)


def run(platform: str, path):
    state = X_STATE if platform == "x" else None
    feed = FEED if platform == "blog" else None
    return replay(platform, "", HANDLES[platform], path=path, state=state, feed_url=feed)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("platform", PLATFORMS)
def test_failure_table(platform, case, tmp_path):
    build, expected = CASES[case]
    path = write_cassette(tmp_path / "c.yaml", preamble(platform) + build(platform))
    with pytest.raises(ConnectorError) as info:
        run(platform, path)
    assert type(info.value) is expected or isinstance(info.value, expected), repr(info.value)
    message = str(info.value)
    for secret in ("replay-", "<ACCESS_TOKEN>", "access_token=", "Bearer "):
        assert secret not in message
    if case == "429 with reset":
        retry_at = info.value.retry_at
        assert retry_at is not None
        assert datetime.now(UTC) + timedelta(seconds=60) < retry_at
        assert retry_at < datetime.now(UTC) + timedelta(hours=1)
        assert not info.value.capped
    if case == "429 without reset":
        assert info.value.retry_at is None


def test_x_usage_capped_is_not_retryable(tmp_path):
    body = {
        "title": "UsageCapExceeded",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": "https://api.x.com/2/problems/usage-capped",
        "period": "Monthly",
        "scope": "Product",
    }
    cap = Ix("GET", target("x"), body, status=429)
    path = write_cassette(tmp_path / "c.yaml", preamble("x") + [cap])
    with pytest.raises(RateLimited) as info:
        run("x", path)
    assert info.value.capped and not info.value.retryable


def test_facebook_deleted_object_is_not_found(tmp_path):
    from tests.support.cassette_kit import graph_deleted

    path = write_cassette(tmp_path / "c.yaml", [graph_deleted(PAGE)])
    with pytest.raises(NotFound, match="100/33"):
        run("facebook", path)


@pytest.fixture
def blackhole(monkeypatch):
    """A local proxy that accepts connections and never answers; every client is sent to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, url)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield url
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_connection_timeout(platform, blackhole):
    from connectors import CONNECTORS
    from connectors.replay import ReplayAccount

    cls = CONNECTORS.get(platform)
    connector = cls(cls.Settings(timeout_seconds=0.3), offline=True)
    account = ReplayAccount(
        "acct-1", platform, HANDLES[platform], FEED if platform == "blog" else None
    )
    started = time.monotonic()
    with pytest.raises(TransientError):
        connector.fetch(account, None, X_STATE if platform == "x" else None)
    assert time.monotonic() - started < 10


# --- the same table on the comment requests (Graph API) --------------------------------------
# The posts succeed, then the request for the first post's comments fails: the posts must come
# back intact, with one note that says the comments were not read and why (never a credential).

GRAPH_COMMENT_PLATFORMS = ["facebook", "instagram"]


def comment_target(platform: str) -> str:
    ref = PAGE if platform == "facebook" else IG
    return f"https://graph.facebook.com/v21.0/{ref}_1/comments"


def comment_preamble(platform: str) -> list[Ix]:
    """The posts of `preamble`, on one page (no next page), so the comments come next."""
    ref, edge = (PAGE, "posts") if platform == "facebook" else (IG, "media")
    first_page = preamble(platform)[-1]
    items = first_page.body["data"]
    return [*preamble(platform)[:-1], graph_page(f"{ref}/{edge}", items, None, "message")]


def run_with_comments(platform: str, path):
    return replay(platform, "", HANDLES[platform], path=path, account={"comments": True})


def assert_posts_kept_and_noted(result, platform: str, expected: type) -> None:
    ref = PAGE if platform == "facebook" else IG
    assert [p.external_id for p in result.posts] == [f"{ref}_1"]  # the post, no comment
    assert result.complete_threads == [] and result.cursor == "2026-10-25T00:30:00+00:00"
    assert len(result.notes) == 1, result.notes
    note = result.notes[0]
    assert "comments" in note and "not read" in note and expected.__name__ in note, note
    for secret in ("replay-", "<ACCESS_TOKEN>", "access_token=", "Bearer "):
        assert secret not in note


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("platform", GRAPH_COMMENT_PLATFORMS)
def test_comment_failure_table_keeps_posts(platform, case, tmp_path):
    build, expected = CASES[case]
    failing = [dataclasses.replace(ix, uri=comment_target(platform)) for ix in build(platform)]
    path = write_cassette(tmp_path / "c.yaml", comment_preamble(platform) + failing)
    result = run_with_comments(platform, path)
    assert_posts_kept_and_noted(result, platform, expected)


@pytest.mark.parametrize("platform", GRAPH_COMMENT_PLATFORMS)
def test_comment_timeout_keeps_posts(platform, tmp_path, monkeypatch):
    import requests

    from connectors.http import TimeoutSession

    original = TimeoutSession.request

    def slow_comments(self, method, url, *args, **kwargs):
        if "/comments" in str(url):
            raise requests.exceptions.ReadTimeout("read timed out")
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(TimeoutSession, "request", slow_comments)
    path = write_cassette(tmp_path / "c.yaml", comment_preamble(platform))
    result = run_with_comments(platform, path)
    assert_posts_kept_and_noted(result, platform, TransientError)
    assert "timed out" in result.notes[0]


# --- comment requests of reddit, x and blog ("rxb", issue 15): a failure there never fails the
# fetch or loses the posts; the comments cursor does not move.

RXB_COMMENT_PLATFORMS = ["reddit", "x", "blog"]


def rxb_comment_preamble(platform: str) -> list[Ix]:
    """A complete, successful read of the posts (one page) before the comment request."""
    if platform == "reddit":
        posts = [reddit_post(SUB, "1q0e5", "Results", "2026-10-25T00:30:00Z")]
        return [reddit_token(), reddit_token(), reddit_token(), reddit_page(SUB, posts)]
    if platform == "x":
        return [x_tweets_page(UID, [tweet("1850000000000000001", "hi", "2026-10-25T00:30:00Z")])]
    entry = {
        "id": "urn:1",
        "title": "Hi",
        "link": "https://blogs.mvsd.k12.wa.us/chess/1/",
        "published": "2026-10-25T00:30:00Z",
        "updated": "2026-10-25T00:30:00Z",
        "author": "Coach",
        "html": "<p>hi</p>",
    }
    return [feed_get(FEED, atom_feed(FEED, "Chess", "club", [entry]))]


def rxb_comment_target(platform: str) -> str:
    return {
        "reddit": f"https://oauth.reddit.com/r/{SUB}/comments",
        "x": "https://api.twitter.com/2/tweets/search/recent",
        "blog": "https://blogs.mvsd.k12.wa.us/chess/comments/feed/atom/",
    }[platform]


def rxb_comment_status(platform: str, status: int, with_reset: bool = False) -> list[Ix]:
    body, headers, ctype = error_body(platform, status)
    if with_reset:
        headers = {**headers, **reset_headers(platform)}
    url = rxb_comment_target(platform)
    return [Ix("GET", url, body, status=status, headers=headers, content_type=ctype)] * 3


def rxb_comment_raw(platform: str, status: int, body: str, ctype: str) -> list[Ix]:
    return [Ix("GET", rxb_comment_target(platform), body, status=status, content_type=ctype)] * 3


def rxb_comment_malformed(platform: str) -> list[Ix]:
    if platform == "blog":
        text = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Cut'
        return rxb_comment_raw(platform, 200, text, "application/atom+xml")
    return rxb_comment_raw(platform, 200, '{"data": [{"id": "1", "text": "cut', "application/json")


RXB_COMMENT_CASES = {
    "401": lambda p: rxb_comment_status(p, 401),
    "403": lambda p: rxb_comment_status(p, 403),
    "404": lambda p: rxb_comment_status(p, 404),
    "429 with reset": lambda p: rxb_comment_status(p, 429, with_reset=True),
    "500": lambda p: rxb_comment_status(p, 500),
    "503": lambda p: rxb_comment_status(p, 503),
    "malformed": rxb_comment_malformed,
    "HTML error page": lambda p: rxb_comment_raw(p, 502, HTML, "text/html"),
    "HTML page with 200": lambda p: rxb_comment_raw(p, 200, HTML, "text/html; charset=utf-8"),
    "missing interaction": lambda p: [],
}


def rxb_run_with_comments(platform: str, path, state=None):
    state = {**(X_STATE if platform == "x" else {}), **(state or {})}
    feed = FEED if platform == "blog" else None
    return replay(
        platform,
        "",
        HANDLES[platform],
        path=path,
        state=state,
        feed_url=feed,
        account={"comments": True},
    )


def rxb_assert_posts_kept(result) -> None:
    assert [p.kind for p in result.posts] == ["post"]  # the posts, and no half-read comments
    assert result.complete_threads == []
    assert "comments_cursor" not in result.state  # the cursor does not move
    (note,) = [n for n in result.notes if "comments were not read" in n]
    assert "the posts were read" in note
    for secret in ("replay-", "<ACCESS_TOKEN>", "access_token=", "Bearer "):
        assert secret not in note


@pytest.mark.parametrize("case", list(RXB_COMMENT_CASES))
@pytest.mark.parametrize("platform", RXB_COMMENT_PLATFORMS)
def test_rxb_comment_failure_table(platform, case, tmp_path):
    ixs = rxb_comment_preamble(platform) + RXB_COMMENT_CASES[case](platform)
    result = rxb_run_with_comments(platform, write_cassette(tmp_path / "c.yaml", ixs))
    rxb_assert_posts_kept(result)


@pytest.mark.parametrize("platform", RXB_COMMENT_PLATFORMS)
def test_rxb_comment_timeout_keeps_posts(platform, tmp_path, monkeypatch):
    import requests

    original = requests.Session.request
    path_part = rxb_comment_target(platform).split("://", 1)[1].split("/", 1)[1]

    def request(self, method, url, *args, **kwargs):
        if path_part.rstrip("/") in str(url):
            raise requests.exceptions.ReadTimeout("read timed out")
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", request)
    path = write_cassette(tmp_path / "c.yaml", rxb_comment_preamble(platform))
    result = rxb_run_with_comments(platform, path)
    rxb_assert_posts_kept(result)
    assert "timed out" in " ".join(result.notes)
