"""Helpers the connectors share for comments and profile economy (issue 15).

- the clock (`utcnow`, patched by tests so that recheck windows do not drift with the date);
- the comment threads an account keeps re-reading (`comment_threads` in the account's state);
- the per-scan comment cap;
- the once-a-day profile/about cache (`profile_text`, `profile_at` in the account's state);
- the note a failed comment or profile request leaves (the posts are kept).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.http import PARSE_ERRORS
from connectors.util import iso, parse_time
from scanner.errors import ConnectorError, MalformedResponse
from scanner.records import Post, PostKind

PROFILE_TTL = timedelta(days=1)
THREADS_KEPT = 200  # at most this many recent posts are remembered for comment rechecks


def utcnow() -> datetime:
    """Now, in UTC (one place for tests to patch)."""
    return datetime.now(UTC)


# --- threads ------------------------------------------------------------------------------


def recent_threads(
    state: Mapping[str, Any], posts: Iterable[Post], days: float, now: datetime
) -> dict[str, str]:
    """{post external id: created ISO} of the account's posts created within `days` of `now`:
    the stored ones (state `comment_threads`) plus the live posts of this fetch; deleted posts
    and posts outside the window are dropped."""
    threads = {str(k): str(v) for k, v in (state.get("comment_threads") or {}).items()}
    for post in posts:
        if post.kind != PostKind.POST:
            continue
        if post.deleted:
            threads.pop(post.external_id, None)
        else:
            threads[post.external_id] = iso(post.created_at)
    cutoff = now - timedelta(days=days)
    kept = [(k, v) for k, v in threads.items() if days > 0 and parse_time(v) >= cutoff]
    kept.sort(key=lambda kv: kv[1], reverse=True)
    return dict(kept[:THREADS_KEPT])


def capped(comments: list[Post], limit: int) -> tuple[list[Post], int]:
    """(the first `limit` comments, how many were left out)."""
    limit = max(1, limit)
    return comments[:limit], max(0, len(comments) - limit)


def cap_note(platform: str, limit: int, left: int, later: bool = True) -> str:
    """The scan-summary note for comments left out by the per-scan cap."""
    when = "they are read on the next scans" if later else "older ones were not read"
    return (
        f"{platform} comments: capped at {limit} per scan (comments_max); "
        f"{left} more were left out, {when}"
    )


def comments_failed_note(platform: str, exc: BaseException, hint: str = "") -> str:
    """The note for comments that could not be read; the posts of the scan are kept."""
    reason = str(exc) if isinstance(exc, ConnectorError) else type(exc).__name__
    extra = f" {hint}" if hint else ""
    return (
        f"{platform} comments were not read this scan ({type(exc).__name__}: {reason}); the "
        f"posts were read; comments are tried again on the next scan.{extra}"
    )


def dedupe(comments: Iterable[Post]) -> list[Post]:
    """Comments by external id, the last one read winning, in first-seen order."""
    seen: dict[str, Post] = {}
    for comment in comments:
        seen[comment.external_id] = comment
    return list(seen.values())


# --- profile ------------------------------------------------------------------------------


def cached_profile(
    state: Mapping[str, Any], now: datetime, key: str = "profile_text"
) -> tuple[bool, str | None]:
    """(whether the profile is due for a refresh, the cached text). Due when never read or
    read more than `PROFILE_TTL` ago."""
    text = state.get(key)
    read_at = state.get("profile_at")
    try:
        fresh = bool(read_at) and now - parse_time(str(read_at)) < PROFILE_TTL
    except ValueError:
        fresh = False
    return not fresh, (str(text) if text else None)


def profile_failed_note(platform: str, exc: BaseException) -> str:
    """The note for a failed profile/about request (the posts are kept)."""
    return (
        f"{platform} profile/about text was not read this scan ({type(exc).__name__}); the last "
        "stored text is used; tried again on the next scan"
    )


def soft_error(
    exc: BaseException, what: str, mapper: Callable[[BaseException, str], ConnectorError | None]
) -> ConnectorError:
    """`exc` as an error-tree exception, for a note (a programming error is raised again)."""
    if isinstance(exc, ConnectorError):
        return exc
    mapped = mapper(exc, what)
    if mapped is not None:
        return mapped
    if isinstance(exc, PARSE_ERRORS):  # the message may quote the payload: only its type
        return MalformedResponse(f"{what}: the response was not understood ({type(exc).__name__})")
    raise exc
