"""Replay and record of platform traffic with vcrpy (`scanner fetch --replay`, the demo, tests).

Matching is on method + host + path only: query strings and headers are ignored, a leading Graph
API version segment (`/v21.0`) and a trailing slash are ignored, and interactions are played in
recorded order, each at most once. Anything recorded is stripped of `Authorization`, cookies,
access tokens (query, form body and JSON body), client secrets and bearer credentials.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors import CONNECTORS
from connectors.base import FetchResult
from connectors.http import redact
from scanner.errors import ReplayError

_VERSION_SEGMENT = re.compile(r"^/v\d+(?:\.\d+)?(?=/|$)")

FILTERED_HEADERS = ["authorization", "proxy-authorization", "cookie", "x-api-key"]
FILTERED_QUERY = [
    "access_token",
    "client_secret",
    "appsecret_proof",
    "refresh_token",
    "fb_exchange_token",
    "input_token",
]
FILTERED_FORM = ["access_token", "client_secret", "refresh_token", "password", "code"]
_RESPONSE_HEADERS_DROPPED = {"set-cookie", "x-fb-debug", "x-connection-hash"}


def normalized_path(path: str) -> str:
    """The path used for matching: no Graph API version prefix, no trailing slash."""
    path = _VERSION_SEGMENT.sub("", path) or "/"
    return path.rstrip("/") or "/"


def _match_path(r1: Any, r2: Any) -> None:
    p1, p2 = normalized_path(r1.path), normalized_path(r2.path)
    assert p1 == p2, f"{p1} != {p2}"


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    response["headers"] = {  # a header may reflect a token (a Location with access_token=…)
        k: ([redact(str(x)) for x in v] if isinstance(v, list) else redact(str(v)))
        for k, v in headers.items()
        if k.lower() not in _RESPONSE_HEADERS_DROPPED
    }
    body = response.get("body") or {}
    data = body.get("string")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return response
        body["string"] = redact(text).encode("utf-8")
    elif isinstance(data, str):
        body["string"] = redact(data)
    return response


def _vcr(record: bool, exists: bool) -> Any:
    import vcr  # vcrpy loads only when a cassette is replayed (start-up speed)

    mode = ("new_episodes" if exists else "once") if record else "none"
    instance = vcr.VCR(
        record_mode=mode,
        match_on=["method", "host", "unversioned_path"],
        filter_headers=FILTERED_HEADERS,
        filter_query_parameters=FILTERED_QUERY,
        filter_post_data_parameters=FILTERED_FORM,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )
    instance.register_matcher("unversioned_path", _match_path)
    return instance


@contextmanager
def cassette(path: Path, *, record: bool = False) -> Iterator[Any]:
    """Replay (or, with `record=True`, record into) the vcrpy cassette at `path`.

    Replaying a file that does not exist raises `ReplayError`; a request the cassette cannot
    answer surfaces from the connector as `ReplayError` too (never as a vcrpy exception).
    """
    path = Path(path)
    exists = path.exists()
    if not record and not exists:
        raise ReplayError(f"replay cassette {path} does not exist")
    if record:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _vcr(record, exists).use_cassette(str(path), allow_playback_repeats=False) as recorded:
            yield recorded
    finally:
        if record and path.exists():
            path.chmod(0o600)  # recorded posts can carry students' names


@dataclass
class ReplayAccount:
    """The registry fields a connector reads, for fetching outside the registry."""

    id: str
    platform: str
    handle: str
    feed_url: str | None = None
    initial_posts: int = 100
    allow_http: bool = False
    comments: bool = False
    comments_recheck_days: int = 7
    comments_max: int = 200
    profile_disclaimer_counts: bool = False


def fetch_replayed(
    platform: str,
    handle: str,
    cassette_path: Path,
    *,
    feed_url: str | None = None,
    initial_posts: int = 100,
    cursor: str | None = None,
    state: dict[str, Any] | None = None,
    account_id: str | None = None,
    settings: Any = None,
) -> FetchResult:
    """Fetch one account of `platform` from a replay cassette, offline (for `scanner fetch`)."""

    connector_class = CONNECTORS.get(platform)
    connector = connector_class(settings or connector_class.Settings(), offline=True)
    account = ReplayAccount(
        id=account_id or handle,
        platform=platform,
        handle=handle,
        feed_url=feed_url,
        initial_posts=initial_posts,
    )
    with cassette(Path(cassette_path)):
        return connector.fetch(account, cursor, state)
