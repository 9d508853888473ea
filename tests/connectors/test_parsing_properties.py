"""Property-based tests of every connector's response parsing (issue 13): a recorded response
with one value replaced by anything JSON can carry — hostile text, a wrong type, a huge number —
either parses into clean posts or fails with one `ConnectorError`; no other exception escapes.

Each example takes a committed cassette (`cassettes/<platform>/first.yaml`), replaces one value
of one JSON response body, and replays it through the real connector (praw, tweepy,
facebook-sdk, requests) offline.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.errors import ConnectorError
from tests.support.paths import CASSETTES
from tests.support.replay import replay

ACCOUNTS = {  # platform: (handle, feed_url)
    "reddit": ("r/MapleValleyChess", None),
    "x": ("@MVChessClub", None),
    "facebook": ("MVChessParents", None),
    "instagram": ("17841400000099999", None),
}

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["\ud800", "\x00", "\x1b[31m", "9" * 400, "(" * 20_000, "1e999", ""]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside a JSON document (containers included)."""
    if at:
        yield at
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*at, i))


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _json_bodies(platform: str) -> tuple[dict[str, Any], list[tuple[int, Any, list[Any]]]]:
    """The cassette, and (interaction index, parsed body, value paths) of its JSON bodies."""
    data = yaml.safe_load((CASSETTES / platform / "first.yaml").read_text(encoding="utf-8"))
    bodies = []
    for i, ix in enumerate(data["interactions"]):
        try:
            body = json.loads(ix["response"]["body"]["string"])
        except (TypeError, ValueError):
            continue
        bodies.append((i, body, list(_paths(body))))
    return data, bodies


def _check(result_posts: list[Any]) -> None:
    for post in result_posts:
        post.text.encode("utf-8")  # no lone surrogate
        assert "\x00" not in post.text and "\x1b" not in post.text
        assert post.created_at.tzinfo is not None
        json.dumps(dict(post.raw))


@pytest.mark.parametrize("platform", sorted(ACCOUNTS))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_value_in_a_response_parses_or_is_a_connector_error(
    platform: str, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    cassette, bodies = _json_bodies(platform)
    index, body, paths = data.draw(st.sampled_from(bodies))
    path = data.draw(st.sampled_from(paths))
    _replace(body, path, data.draw(HOSTILE))
    cassette["interactions"][index]["response"]["body"]["string"] = json.dumps(body)
    file = Path(tmp_path_factory.mktemp("c")) / "c.yaml"
    file.write_text(yaml.safe_dump(cassette, allow_unicode=False), encoding="utf-8")
    handle, feed_url = ACCOUNTS[platform]
    try:
        result = replay(platform, "x", handle, path=file, feed_url=feed_url)
    except ConnectorError as exc:
        assert "\n" not in str(exc)
        return
    _check(result.posts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from(["title", "link", "id", "published", "updated", "author", "summary"]),
    value=st.one_of(
        st.text(max_size=60), st.sampled_from(["\ud800", "<![CDATA[", "]]>", "&#0;", "9" * 400])
    ),
)
def test_any_value_in_a_feed_entry_parses_or_is_a_connector_error(
    tmp_path_factory: pytest.TempPathFactory, field: str, value: str
) -> None:
    from xml.sax.saxutils import escape

    feed = "https://blogs.mvsd.k12.wa.us/chess/feed"
    text = (CASSETTES / "blog" / "first.yaml").read_text(encoding="utf-8")
    cassette = yaml.safe_load(text)
    ix = cassette["interactions"][0]
    body = ix["response"]["body"]["string"]
    tag = f"<{field}>"
    if tag in body:
        start = body.index(tag) + len(tag)
        end = body.index(f"</{field}>", start)
        safe = escape(value.encode("utf-8", "replace").decode("utf-8"))
        body = body[:start] + safe + body[end:]
    ix["response"]["body"]["string"] = body
    file = Path(tmp_path_factory.mktemp("c")) / "c.yaml"
    file.write_text(yaml.safe_dump(cassette, allow_unicode=False), encoding="utf-8")
    try:
        result = replay("blog", "x", "chess", path=file, feed_url=feed)
    except ConnectorError as exc:
        assert "\n" not in str(exc)
        return
    _check(result.posts)


@pytest.mark.parametrize("seconds", [67_768_036_191_676_796, -(10**15), 1e308])
def test_an_epoch_out_of_range_is_a_value_error(seconds: float) -> None:
    """Found by the property above: a huge `scheduled_publish_time` raised OSError."""
    from connectors.util import from_epoch

    with pytest.raises(ValueError, match="out of range"):
        from_epoch(seconds)
