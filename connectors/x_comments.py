"""Replies to an X account's posts (tweepy, API v2 recent search), incremental and capped.

Two kinds of search (`GET /2/tweets/search/recent`, which needs the **Basic** access level or
higher; the Free level answers 403 `client-not-enrolled`):

- new replies addressed to the account: `to:NAME -from:NAME -is:retweet` with `since_id` = the
  comments cursor kept in the account's state (one request a scan when nothing is new);
- the whole conversation of each post created within `comments_recheck_days` (at most 7 days:
  recent search reaches back 7 days): `(conversation_id:A OR conversation_id:B …)`, up to ten
  posts a request, no `since_id`, so edits and deletions there show (`complete_threads`).

The account's own replies are excluded (`-from:NAME`): its timeline already returns them as posts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from connectors import comments as cm
from connectors.base import FetchResult
from connectors.util import next_state, parse_time
from connectors.x_common import snowflake_time, tweet_text
from scanner.errors import AuthError, ConnectorError
from scanner.records import AccountLike, AuthorRole, Post, PostKind

REPLY_FIELDS = [
    "created_at",
    "edit_history_tweet_ids",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "author_id",
    "entities",
]
SEARCH_DAYS = 7  # recent search reaches back seven days
THREADS_PER_QUERY = 10  # conversation_id clauses per query (a Basic query is at most 512 chars)
MAX_PAGES = 10
ACCESS_NOTE = (
    "X replies need the API's recent search, which this app's access level does not include "
    "(Basic or higher is needed; the Free level cannot read replies)."
)


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self.left = self.limit


def read_replies(
    client: Any,
    user_id: str,
    screen_name: str,
    account: AccountLike,
    result: FetchResult,
    now: datetime,
    mapper: Callable[[BaseException, str], ConnectorError | None],
) -> None:
    """Add replies to the account's posts to `result`, in place. A failed search never fails
    the fetch: the posts stay, a note says why (the comments cursor does not move)."""
    state = result.state
    days = min(float(account.comments_recheck_days), SEARCH_DAYS)
    threads = cm.recent_threads(state, result.posts, days, now)
    aliases = _aliases(p for p in result.posts if p.kind == PostKind.POST)
    budget = _Budget(account.comments_max)
    replies: list[dict[str, Any]] = []
    users: dict[str, str] = {}
    cursor_update: dict[str, Any] = {}
    complete: list[str] = []
    notes: list[str] = []
    name = screen_name
    try:
        new, cursor, left, more = _search_new(client, name, state.get("comments_cursor"), budget)
        replies += new["tweets"]
        users |= new["users"]
        if cursor:
            cursor_update = {"comments_cursor": cursor}
        if left:
            notes.append(cm.cap_note("x", budget.limit, left))
        elif more:
            notes.append(
                f"x comments: the first read took the newest {budget.limit} replies "
                "(comments_max); older ones were not read"
            )
        ids = list(threads)
        for start in range(0, len(ids), THREADS_PER_QUERY):
            chunk = ids[start : start + THREADS_PER_QUERY]
            if budget.left <= 0:
                notes.append(
                    f"x comments: capped at {budget.limit} per scan (comments_max); "
                    f"{len(ids) - start} recent conversations were not re-read this scan"
                )
                break
            found, whole = _search_threads(client, name, chunk, budget)
            replies += found["tweets"]
            users |= found["users"]
            if whole:
                complete += chunk
    except Exception as exc:
        notes.append(_failure_note(exc, f"x @{name} replies", mapper))
        if not cursor_update:
            replies = []  # the new-replies search failed: nothing read, the cursor stays
    comments = _to_comments(replies, users, aliases, user_id, account.id, screen_name)
    result.posts.extend(cm.dedupe(comments))
    result.complete_threads.extend(complete)
    result.notes.extend(notes)
    result.state = next_state(state, comment_threads=threads or None, **cursor_update)


def _failure_note(
    exc: BaseException, what: str, mapper: Callable[[BaseException, str], ConnectorError | None]
) -> str:
    if _not_enrolled(exc):
        return cm.comments_failed_note(
            "x", AuthError(f"{what}: HTTP 403, client-not-enrolled"), ACCESS_NOTE
        )
    return cm.comments_failed_note("x", cm.soft_error(exc, what, mapper))


def _not_enrolled(exc: BaseException) -> bool:
    """True for X's 403 saying the app's access level does not include the endpoint."""
    response = getattr(exc, "response", None)
    if response is None or getattr(response, "status_code", None) != 403:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, Mapping):
        return False
    kinds = f"{body.get('reason', '')} {body.get('type', '')} {body.get('title', '')}"
    return "client-not-enrolled" in kinds or "client-forbidden" in kinds


def _search(
    client: Any, query: str, since_id: str | None, max_pages: int
) -> tuple[dict[str, Any], bool]:
    """Run one search, following pages; ({"tweets", "users"}, whether pages remained)."""
    tweets: list[dict[str, Any]] = []
    users: dict[str, str] = {}
    token = None
    for _ in range(max_pages):
        response = client.search_recent_tweets(
            query,
            since_id=since_id,
            next_token=token,
            max_results=100,
            tweet_fields=REPLY_FIELDS,
            expansions=["author_id"],
            user_fields=["username"],
        )
        tweets.extend(t.data for t in response.data or [])
        for user in (response.includes or {}).get("users", []):
            users[str(user.data["id"])] = str(user.data.get("username") or "")
        token = (response.meta or {}).get("next_token")
        if not token:
            return {"tweets": tweets, "users": users}, False
    return {"tweets": tweets, "users": users}, True


def _search_new(
    client: Any, name: str, cursor: str | None, budget: _Budget
) -> tuple[dict[str, Any], str | None, int, bool]:
    """Replies addressed to the account since the cursor: (found, new cursor, left out by the
    cap, more exist on a first read). With a cursor, the oldest `comments_max` are kept."""
    query = f"to:{name} -from:{name} -is:retweet"
    pages = MAX_PAGES if cursor else max(1, -(-budget.limit // 100))
    found, more = _search(client, query, cursor, pages)
    tweets = sorted(found["tweets"], key=lambda t: int(t["id"]))  # oldest first
    left = 0
    if cursor and len(tweets) > budget.left:
        left = len(tweets) - budget.left
        tweets = tweets[: budget.left]
    elif not cursor:
        tweets = tweets[-budget.left :]  # the newest on a first read
    budget.left -= len(tweets)
    newest = max((int(t["id"]) for t in tweets), default=None)
    found["tweets"] = tweets
    return found, (str(newest) if newest is not None else cursor), left, more and not cursor


def _search_threads(
    client: Any, name: str, chunk: list[str], budget: _Budget
) -> tuple[dict[str, Any], bool]:
    """Every reply in these conversations (no since_id); whether all of them were read."""
    clauses = " OR ".join(f"conversation_id:{tid}" for tid in chunk)
    found, more = _search(client, f"({clauses}) -from:{name} -is:retweet", None, 3)
    tweets = found["tweets"]
    whole = not more and len(tweets) <= budget.left
    found["tweets"] = tweets[: budget.left]
    budget.left -= len(found["tweets"])
    return found, whole


def _aliases(posts: Iterable[Post]) -> dict[str, str]:
    """{any version id: the original id} from the posts' edit histories."""
    out: dict[str, str] = {}
    for post in posts:
        for version in post.raw.get("edit_history_tweet_ids") or []:
            out[str(version)] = post.external_id
    return out


def _to_comments(
    tweets: list[dict[str, Any]],
    users: Mapping[str, str],
    aliases: Mapping[str, str],
    user_id: str,
    account_id: str,
    screen_name: str = "",
) -> list[Post]:
    """One comment per edit history (the latest version), parents mapped to original ids.

    A reply's text starts with the "@account" X adds to every reply to the account; it is
    dropped, as X's own reader hides it ("Replying to @account"), so the account's own handle is
    never judged as a name in a reply. Other mentions stay: they may be a student's handle."""
    latest: dict[str, dict[str, Any]] = {}
    known = dict(aliases)
    for tweet in tweets:
        history = [str(i) for i in tweet.get("edit_history_tweet_ids") or [tweet["id"]]]
        for version in history:
            known[version] = history[0]
        if history[0] not in latest or int(tweet["id"]) > int(latest[history[0]]["id"]):
            latest[history[0]] = tweet
    out = []
    for original, tweet in latest.items():
        parent = next(
            (
                str(ref["id"])
                for ref in tweet.get("referenced_tweets") or []
                if ref.get("type") == "replied_to"
            ),
            None,
        )
        conversation = str(tweet.get("conversation_id") or "") or None
        author_id = str(tweet.get("author_id") or "")
        username = users.get(author_id) or None
        created = parse_time(tweet["created_at"]) if tweet.get("created_at") else None
        edited = str(tweet["id"]) != original
        path = f"{username}/status" if username else "i/web/status"
        out.append(
            Post(
                platform="x",
                account=account_id,
                external_id=original,
                url=f"https://x.com/{path}/{tweet['id']}",
                author=username,
                created_at=snowflake_time(original) if edited or not created else created,
                text=_without_reply_prefix(tweet_text(tweet, {}), screen_name),
                edited_at=(created or snowflake_time(tweet["id"])) if edited else None,
                raw={
                    "id": str(tweet["id"]),
                    "edit_history_tweet_ids": [
                        str(i) for i in tweet.get("edit_history_tweet_ids") or [tweet["id"]]
                    ],
                    "conversation_id": conversation,
                },
                kind=PostKind.COMMENT,
                parent_external_id=known.get(parent, parent) if parent else conversation,
                thread_external_id=known.get(conversation, conversation) if conversation else None,
                author_role=AuthorRole.ACCOUNT if author_id == user_id else AuthorRole.OTHER,
            )
        )
    return out


def _without_reply_prefix(text: str, screen_name: str) -> str:
    """`text` without a leading "@screen_name" (X's reply prefix to the account)."""
    prefix = f"@{screen_name}"
    if screen_name and text[: len(prefix)].lower() == prefix.lower():
        rest = text[len(prefix) :]
        if not rest or not (rest[0].isalnum() or rest[0] == "_"):
            return rest.lstrip()
    return text
