"""Comments and replies on a Reddit account's submissions (praw), incremental and capped.

`r/NAME`: the subreddit's comment listing (`/r/NAME/comments`, newest first, 100 a request) down to
the comments cursor kept in the account's state; then the comment tree of each submission created
within `comments_recheck_days` (`/comments/ID`, one request each, `replace_more(limit=0)`: no
"load more" requests), which also shows edits and deletions there. `u/NAME`: the trees only (Reddit
has no listing of comments on one user's submissions).

Who is "the account": for `u/NAME` the user itself; for `r/NAME` a comment distinguished as the
subreddit's moderators' voice. Everyone else is "other".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors import comments as cm
from connectors.base import FetchResult
from connectors.util import from_epoch, next_state
from scanner.errors import ConnectorError
from scanner.records import AccountLike, AuthorRole, Post, PostKind

LISTING_CAP = 1000
_DELETED_BODIES = {"[deleted]", "[removed]"}


@dataclass
class _Read:
    comments: list[Post] = field(default_factory=list)
    complete: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)


def read_comments(
    reddit: Any,
    kind: str,
    name: str,
    account: AccountLike,
    result: FetchResult,
    now: datetime,
    threads_max: int,
    mapper: Callable[[BaseException, str], ConnectorError | None],
) -> None:
    """Add the account's new comments (and re-read recent threads) to `result`, in place.

    A failed comment request never fails the fetch: the posts stay, a note says why the comments
    were not read, and the comments cursor stays where it was."""
    state = result.state
    threads = cm.recent_threads(state, result.posts, account.comments_recheck_days, now)
    limit = max(1, account.comments_max)
    read = _Read()
    if kind == "r":
        try:
            _listing(reddit.subreddit(name), state, limit, account.id, name, read)
        except Exception as exc:
            error = cm.soft_error(exc, f"reddit r/{name} comments", mapper)
            read.notes.append(cm.comments_failed_note("reddit", error))
            read.cursor = {}
    budget = limit - len(read.comments)
    wanted = list(threads)[: max(0, threads_max)]
    for position, fullname in enumerate(wanted):
        if budget <= 0:
            read.notes.append(
                f"reddit comments: capped at {limit} per scan (comments_max); "
                f"{len(wanted) - position} recent threads were not re-read this scan"
            )
            break
        try:
            budget -= _tree(reddit, fullname, kind, name, account.id, budget, read)
        except Exception as exc:
            error = cm.soft_error(exc, f"reddit thread {fullname}", mapper)
            read.notes.append(cm.comments_failed_note("reddit", error))
            break
    result.posts.extend(cm.dedupe(read.comments))
    result.complete_threads.extend(read.complete)
    result.notes.extend(read.notes)
    result.state = next_state(state, comment_threads=threads or None, **read.cursor)


def _listing(
    subreddit: Any, state: Mapping[str, Any], limit: int, account_id: str, name: str, read: _Read
) -> None:
    """New comments of the subreddit since the comments cursor (the oldest `limit` of them)."""
    cursor = state.get("comments_cursor")
    cursor_utc = state.get("comments_cursor_utc")
    items: list[Any] = []
    if cursor is None:
        items = list(subreddit.comments(limit=limit))
        if len(items) >= limit:
            read.notes.append(
                f"reddit comments: the first read took the newest {limit} comments "
                "(comments_max); older ones were not read"
            )
    else:
        for comment in subreddit.comments(limit=None):
            data = vars(comment)
            created = float(data["created_utc"])
            if data.get("name") == cursor or (cursor_utc is not None and created < cursor_utc):
                break
            items.append(comment)
            if len(items) >= LISTING_CAP:
                read.notes.append(
                    "reddit comments: the listing stops near 1,000 comments; older new "
                    "comments may be missing"
                )
                break
        if len(items) > limit:
            read.notes.append(cm.cap_note("reddit", limit, len(items) - limit))
            items = items[-limit:]  # the oldest first: the next scan continues from there
    read.comments.extend(to_comment(c, "r", name, account_id) for c in items)
    if items:
        newest = vars(items[0])
        read.cursor = {
            "comments_cursor": str(newest["name"]),
            "comments_cursor_utc": float(newest["created_utc"]),
        }


def _tree(
    reddit: Any, fullname: str, kind: str, name: str, account_id: str, budget: int, read: _Read
) -> int:
    """Read one submission's comment tree in one request; returns how many comments it took."""
    submission = reddit.submission(id=fullname.removeprefix("t3_"))
    submission.comment_sort = "new"
    forest = submission.comments
    dropped = forest.replace_more(limit=0)  # no extra "load more" requests
    flat = forest.list()
    taken = flat[:budget]
    read.comments.extend(to_comment(c, kind, name, account_id) for c in taken)
    if not dropped and len(taken) == len(flat):
        read.complete.append(fullname)
    elif len(taken) < len(flat):
        read.notes.append(
            f"reddit comments: capped per scan (comments_max); {len(flat) - len(taken)} "
            f"comments of {fullname} were left out this scan"
        )
    return len(taken)


def to_comment(comment: Any, kind: str, name: str, account_id: str) -> Post:
    """A `Post` (kind comment) from a praw Comment, reading only loaded attributes."""
    data = vars(comment)
    body = str(data.get("body") or "")
    author = data.get("author")
    author_name = str(author) if author and str(author) != "[deleted]" else None
    link_id = str(data.get("link_id") or "")
    comment_id = str(data.get("id") or str(data["name"]).removeprefix("t1_"))
    fullname = str(data.get("name") or f"t1_{comment_id}")
    sub = str(data.get("subreddit") or name)
    permalink = data.get("permalink") or f"/r/{sub}/comments/{link_id[3:]}/_/{comment_id}/"
    edited = data.get("edited")
    deleted = body in _DELETED_BODIES
    if kind == "u":
        mine = author_name is not None and author_name.lower() == name.lower()
    else:
        mine = data.get("distinguished") == "moderator"
    return Post(
        platform="reddit",
        account=account_id,
        external_id=fullname,
        url=f"https://www.reddit.com{permalink}",
        author=author_name,
        created_at=from_epoch(data["created_utc"]),
        text="" if deleted else body,
        edited_at=from_epoch(edited) if isinstance(edited, int | float) and edited > 1 else None,
        deleted=deleted,
        raw={
            "name": fullname,
            "link_id": link_id,
            "parent_id": str(data.get("parent_id") or link_id),
            "subreddit": sub,
            "edited": edited if isinstance(edited, int | float) else False,
            "distinguished": data.get("distinguished"),
        },
        kind=PostKind.COMMENT,
        parent_external_id=str(data.get("parent_id") or link_id),
        thread_external_id=link_id or None,
        author_role=AuthorRole.ACCOUNT if mine else AuthorRole.OTHER,
    )
