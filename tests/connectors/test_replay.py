"""The vcrpy wrapper: matching rules, missing cassettes, secret filters when recording."""

from __future__ import annotations

import json
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from connectors.replay import cassette, fetch_replayed, normalized_path
from scanner.errors import ReplayError
from tests.support.cassette_kit import Ix, write_cassette
from tests.support.make_cassettes import build
from tests.support.paths import CASSETTES


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v21.0/123/posts", "/123/posts"),
        ("/v6.0/1/media/", "/1/media"),
        ("/2/users/1/tweets", "/2/users/1/tweets"),
        ("/vintage/posts", "/vintage/posts"),
        ("/v21.0", "/"),
        ("/r/x/new/", "/r/x/new"),
    ],
)
def test_normalized_path(path, expected):
    assert normalized_path(path) == expected


def test_matching_ignores_query_headers_and_graph_version_and_keeps_order(tmp_path):
    path = write_cassette(
        tmp_path / "c.yaml",
        [
            Ix("GET", "https://graph.facebook.com/v10.0/1/posts?limit=5", {"page": 1}),
            Ix("GET", "https://graph.facebook.com/v10.0/1/posts", {"page": 2}),
        ],
    )
    with cassette(path):
        first = requests.get("https://graph.facebook.com/v21.0/1/posts?after=x", timeout=5)
        second = requests.get(
            "https://graph.facebook.com/v22.0/1/posts", headers={"A": "b"}, timeout=5
        )
        assert (first.json(), second.json()) == ({"page": 1}, {"page": 2})
        with pytest.raises(Exception, match="all been played back"):
            requests.get("https://graph.facebook.com/v21.0/1/posts", timeout=5)


def test_missing_cassette_is_a_replay_error(tmp_path):
    with pytest.raises(ReplayError, match="does not exist"), cassette(tmp_path / "nope.yaml"):
        pass


class _Leaky(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(
            {
                "access_token": "EAAB-live-token",
                "refresh_token": "r-live",
                "next": "https://x.test/p?access_token=EAAB-live-token&after=a",
            }
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", "session=s3cr3t-cookie")
        self.send_header("Location", "https://x.test/next?access_token=EAAB-live-token")
        self.end_headers()
        self.wfile.write(body.encode())

    do_POST = do_GET

    def log_message(self, *args):
        pass


def test_recording_strips_credentials(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Leaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    path = tmp_path / "rec.yaml"
    try:
        with cassette(path, record=True):
            requests.get(
                f"{base}/v21.0/1/posts?access_token=EAAB-live-token&fields=id",
                headers={"Authorization": "Bearer AAAA-live-bearer", "Cookie": "c=s3cr3t-cookie"},
                timeout=5,
            )
            requests.post(
                f"{base}/api/v1/access_token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": "r-live",
                    "client_secret": "cs-live",
                },
                timeout=5,
            )
    finally:
        server.shutdown()
    text = path.read_text()
    for secret in ("EAAB-live-token", "AAAA-live-bearer", "s3cr3t-cookie", "r-live", "cs-live"):
        assert secret not in text
    assert "fields=id" in text and "grant_type=refresh_token" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # recorded posts are personal data
    with cassette(path):  # and the recording replays
        again = requests.get(f"{base}/v22.0/1/posts", timeout=5).json()
    assert again["access_token"] == "<REDACTED>"


def test_fetch_replayed_for_the_cli():
    result = fetch_replayed(
        "blog",
        "library-blog",
        CASSETTES / "demo" / "blog.yaml",
        feed_url="https://blogs.mvsd.k12.wa.us/library/feed",
    )
    assert len(result.posts) == 3
    assert any("Ethan Brooks" in p.text for p in result.posts)


@pytest.mark.parametrize(
    ("platform", "handle", "count"),
    [
        ("reddit", "r/JeffersonRobotics", 5),
        ("x", "@JeffersonHSAthletics", 5),
        ("facebook", "MapleValleyPTO", 5),  # posts only (comments are not asked for)
        ("instagram", "17841400000000001", 4),
        ("blog", "library-blog", 3),
    ],
)
def test_demo_cassettes_replay(platform, handle, count):
    feed = "https://blogs.mvsd.k12.wa.us/library/feed" if platform == "blog" else None
    result = fetch_replayed(
        platform, handle, CASSETTES / "demo" / f"{platform}.yaml", feed_url=feed
    )
    assert len(result.posts) == count
    assert all(p.created_at.year == 2026 and p.created_at.month in (10, 11) for p in result.posts)


def test_cassettes_are_reproducible(tmp_path):
    """The committed cassettes are exactly what make_cassettes.py writes."""
    realdata = CASSETTES.parents[1] / "shared" / "realdata"
    build(tmp_path, realdata if realdata.is_dir() else None)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.yaml"))
    assert written
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (CASSETTES / rel).read_bytes(), rel
    committed = {p.relative_to(CASSETTES) for p in CASSETTES.rglob("*.yaml")}
    if realdata.is_dir():
        assert committed == set(written)
    assert isinstance(Path, type)
