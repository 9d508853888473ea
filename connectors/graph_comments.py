"""Comments and replies on the account's Facebook page posts and Instagram media (Graph API).

A *thread* is one of the account's posts with every comment and reply under it. Each scan reads
the threads of posts created within `comments_recheck_days` of the account's newest post (new
comments keep arriving on older posts; re-reading a whole thread also shows edited and deleted
comments), remembered in the account state as `comment_threads: {post id: [created, url, last
read]}`. Threads never read come first, then the longest unread; at most `comments_max` comments
per scan, and a thread cut by that cap is not reported complete. Only threads read to the end go
into `FetchResult.complete_threads`. A failing comment request never fails the posts: reading
stops (or, for a post that is gone, skips it) and a note says what was not read and why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connectors.base import FetchResult
from connectors.http import PARSE_ERRORS
from connectors.util import iso, next_state, parse_time
from scanner.errors import AuthError, ConnectorError, NotFound, code_locations
from scanner.records import AccountLike, Post, PostKind

log = logging.getLogger(__name__)

STATE_KEY = "comment_threads"
MAX_THREADS = 100
PAGE_SIZE = 100


@dataclass(frozen=True)
class Thread:
    """One of the account's posts whose comments are read."""

    post_id: str
    created: datetime
    url: str
    last_read: str = ""  # ISO time the whole thread was last read; "" when never


#: Reads one thread: yields (comments of one page, whether more pages follow); the int is a
#: page-size hint (at most what the cap still allows).
Reader = Callable[[Thread, int], Iterator[tuple[list[Post], bool]]]


@dataclass
class CommentsRead:
    """What reading the comment threads of one fetch gave."""

    comments: list[Post] = field(default_factory=list)
    complete_threads: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    state: dict[str, list[str]] | None = None


def _known(state: Mapping[str, Any]) -> dict[str, Thread]:
    """The threads remembered in the state (entries that do not parse are dropped)."""
    raw = state.get(STATE_KEY)
    out: dict[str, Thread] = {}
    if not isinstance(raw, Mapping):
        return out
    for post_id, entry in raw.items():
        try:
            created, url = parse_time(str(entry[0])), str(entry[1])
            last = str(entry[2]) if len(entry) > 2 else ""
        except PARSE_ERRORS:
            continue
        out[str(post_id)] = Thread(str(post_id), created, url, last)
    return out


def threads_due(
    posts: Sequence[Post], state: Mapping[str, Any], anchor: str | None, days: int
) -> list[Thread]:
    """Threads to read, in reading order: this fetch's live posts and the remembered ones,
    created within `days` of `anchor` (the newest post's time); never-read first (newest post
    first), then the longest unread."""
    if anchor is None:
        return []
    floor = parse_time(anchor) - timedelta(days=max(days, 0))
    known = _known(state)
    gone = {p.external_id for p in posts if p.deleted}
    threads = {k: t for k, t in known.items() if t.created >= floor and k not in gone}
    for post in posts:
        if post.kind == PostKind.POST and not post.deleted and post.created_at >= floor:
            last = known[post.external_id].last_read if post.external_id in known else ""
            threads[post.external_id] = Thread(post.external_id, post.created_at, post.url, last)
    never = sorted((t for t in threads.values() if not t.last_read), key=lambda t: t.created)
    seen = sorted((t for t in threads.values() if t.last_read), key=lambda t: t.last_read)
    return [*reversed(never), *seen]


def read_comments(
    threads: Sequence[Thread],
    reader: Reader,
    *,
    max_comments: int,
    label: str,
    permissions: str,
    now: datetime,
) -> CommentsRead:
    """Read `threads` with `reader` until done, capped, or a request fails (see module doc)."""
    out = CommentsRead()
    left = max(max_comments, 0)
    read_at: dict[str, str] = {}
    dropped: set[str] = set()
    for index, thread in enumerate(threads):
        if left <= 0:
            out.notes.append(
                f"{label}: comments capped at {max_comments} this scan; the comments of "
                f"{len(threads) - index} more post(s) are read on the next scan"
            )
            break
        got: list[Post] = []
        whole = cut = False
        try:
            for items, more in reader(thread, min(PAGE_SIZE, left)):
                taken = items[:left]
                got.extend(taken)
                left -= len(taken)
                if len(taken) < len(items) or (more and left <= 0):
                    cut = True
                    break
                if not more:
                    whole = True
                    break
        except NotFound as exc:
            out.comments.extend(got)
            dropped.add(thread.post_id)
            out.notes.append(
                f"{label}: comments of post {thread.post_id} not read, skipped "
                f"({_reason(exc, label)}); the posts were scanned"
            )
            continue
        except ConnectorError as exc:
            out.comments.extend(got)
            hint = f"; the token needs {permissions}" if isinstance(exc, AuthError) else ""
            out.notes.append(
                f"{label}: comments not read for {len(threads) - index} post(s) "
                f"({_reason(exc, label)}){hint}; the posts were scanned"
            )
            break
        except PARSE_ERRORS as exc:  # the message may quote the payload: only its type
            log.debug("comments not understood: %s", code_locations(exc))
            out.comments.extend(got)
            out.notes.append(
                f"{label}: comments not read for {len(threads) - index} post(s) (the response "
                f"was not understood: {type(exc).__name__}); the posts were scanned"
            )
            break
        out.comments.extend(got)
        if whole:
            out.complete_threads.append(thread.post_id)
            read_at[thread.post_id] = iso(now)
        if cut:
            out.notes.append(
                f"{label}: comments capped at {max_comments} this scan; post "
                f"{thread.post_id} and {len(threads) - index - 1} more are read on the next scan"
            )
            break
    kept = sorted(
        (t for t in threads if t.post_id not in dropped), key=lambda t: t.created, reverse=True
    )[:MAX_THREADS]
    out.state = {
        t.post_id: [iso(t.created), t.url, read_at.get(t.post_id, t.last_read)] for t in kept
    } or None
    return out


def _reason(exc: ConnectorError, label: str) -> str:
    """`Class: message` of a comment request's error, without repeating the account label."""
    return f"{type(exc).__name__}: {str(exc).removeprefix(f'{label} comments: ')}"


def comments_of(
    posts: Sequence[Post],
    state: Mapping[str, Any],
    anchor: str | None,
    *,
    days: int,
    max_comments: int,
    reader: Reader,
    label: str,
    permissions: str,
    now: datetime,
) -> CommentsRead:
    """Comments of the due threads; deleted posts count as complete (empty) threads."""
    threads = threads_due(posts, state, anchor, days)
    read = read_comments(
        threads,
        reader,
        max_comments=max_comments,
        label=label,
        permissions=permissions,
        now=now,
    )
    read.complete_threads += [p.external_id for p in posts if p.deleted]
    return read


def with_comments(
    result: FetchResult,
    account: AccountLike,
    state: Mapping[str, Any],
    *,
    reader: Reader,
    label: str,
    permissions: str,
    now: datetime,
) -> FetchResult:
    """`result` (the posts of one fetch) with the account's due comments added, their
    complete threads and notes, and the threads' state: the one comment step of every Graph
    connector."""
    read = comments_of(
        result.posts,
        state,
        result.cursor,
        days=account.comments_recheck_days,
        max_comments=account.comments_max,
        reader=reader,
        label=label,
        permissions=permissions,
        now=now,
    )
    result.posts = result.posts + read.comments
    result.complete_threads = read.complete_threads
    result.notes += read.notes
    result.state = next_state(result.state, **{STATE_KEY: read.state})
    return result
