"""Small X helpers shared by the posts and the replies code: tweet times and tweet text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

SNOWFLAKE_EPOCH_MS = 1288834974657


def snowflake_time(tweet_id: str | int) -> datetime:
    """When a tweet id was minted (X ids are snowflakes carrying milliseconds since 2010-11-04)."""
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, UTC)


def tweet_text(tweet: Mapping[str, Any], media: Mapping[str, Mapping[str, Any]]) -> str:
    """The tweet as a reader sees it: t.co links expanded, image descriptions appended."""
    text = str(tweet.get("text") or "")
    for url in (tweet.get("entities") or {}).get("urls", []):
        short, expanded = url.get("url"), url.get("expanded_url")
        if short and expanded and not url.get("media_key"):
            text = text.replace(short, expanded)
    for key in (tweet.get("attachments") or {}).get("media_keys", []):
        alt = (media.get(key) or {}).get("alt_text")
        if alt:
            text += f"\n[image description] {alt}"
    return text
