"""Comments on a blog's entries: the WordPress REST API when the blog offers it, else the site's
comments feed; incremental by time, capped, never leaving the feed's own site (https).

- REST (the feed's response carries WordPress's `Link: <…/wp-json/>; rel="https://api.w.org/"`):
  `GET /wp-json/wp/v2/comments?after=…&order=asc` for new comments (one request a scan when
  fewer than 100 are new), and `?post=ID,ID…` for the entries created within
  `comments_recheck_days` (one request; a thread read whole is listed in `complete_threads`).
- feed: `GET /comments/feed/atom/` (WordPress's site-wide comments feed, RFC 4685
  `thr:in-reply-to` for the parent); only the newest comments are in it, so no thread is ever
  known complete and a possible gap is noted.

Comment ids follow WordPress's comment guid (`<entry guid>#comment-N`), the same in both sources.
Only approved comments are public; a comment held for moderation is not seen. "The account" is a
registered user of the blog (REST `author` ≠ 0) or, in the feed, an author of the account's entries.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urljoin
from xml.etree import ElementTree

import requests

from connectors import comments as cm
from connectors.base import FetchResult
from connectors.html_text import html_to_text
from connectors.http import transport_error
from connectors.util import from_epoch, iso, next_state, parse_time
from scanner.errors import TransientError
from scanner.records import AccountLike, AuthorRole, Post, PostKind

THR = "{http://purl.org/syndication/thread/1.0}in-reply-to"
ATOM = "{http://www.w3.org/2005/Atom}"
_API_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="https://api\.w\.org/"')
_POST_ID = re.compile(r"[?&]p=(\d+)")

Getter = Callable[[str, dict[str, str], str], requests.Response]
Parser = Callable[[requests.Response, str, str], Any]


def comments_source(
    feed_url: str,
    response: requests.Response | None,
    feed: Mapping[str, Any],
    state: Mapping[str, Any],
    same_site: Callable[[str, str], bool],
) -> dict[str, str]:
    """{"api": wp-json root} when the blog advertises the WordPress REST API on its own site,
    else {"feed": comments feed URL}; from this response, else the stored state."""
    if response is not None:
        match = _API_LINK.search(response.headers.get("Link", ""))
        if match and same_site(feed_url, urljoin(feed_url, match.group(1))):
            return {"api": urljoin(feed_url, match.group(1))}
        home = str(feed.get("link") or "")
        if not home or not same_site(feed_url, home):
            home = re.sub(r"/feed(/(atom|rss2?|rdf))?/?$", "/", feed_url)
        return {"feed": urljoin(home.rstrip("/") + "/", "comments/feed/atom/")}
    stored = state.get("comments_source")
    if isinstance(stored, Mapping) and stored:
        return {str(k): str(v) for k, v in stored.items()}
    home = re.sub(r"/feed(/(atom|rss2?|rdf))?/?$", "/", feed_url)
    return {"feed": urljoin(home.rstrip("/") + "/", "comments/feed/atom/")}


def read_blog_comments(
    account: AccountLike,
    result: FetchResult,
    feed_url: str,
    source: dict[str, str],
    get: Getter,
    parse: Parser,
    same_site: Callable[[str, str], bool],
    now: datetime,
) -> None:
    """Add the blog's new comments (and re-read recent entries' comments) to `result`."""
    state = result.state
    threads = cm.recent_threads(state, result.posts, account.comments_recheck_days, now)
    authors = {p.author for p in result.posts if p.kind == PostKind.POST and p.author}
    limit = max(1, account.comments_max)
    what = f"blog {account.id} comments"
    found: list[Post] = []
    complete: list[str] = []
    notes: list[str] = []
    cursor_update: dict[str, Any] = {}
    url = source.get("api") or source.get("feed") or ""
    if not same_site(feed_url, url):
        result.notes.append(f"{what}: the comments source is on another host; not read")
        return
    try:
        if "api" in source:
            rest = _Rest(source["api"], get, account.id, what)
            found, cursor_update = rest.new(state.get("comments_cursor"), limit, notes)
            budget = limit - len(found)
            if threads and budget > 0:
                more, complete = rest.threads(threads, budget, notes)
                found += more
        else:
            found, cursor_update = _feed(
                source["feed"], get, parse, account.id, authors, state, limit, notes, what
            )
    except Exception as exc:
        notes.append(cm.comments_failed_note("blog", cm.soft_error(exc, what, transport_error)))
    result.posts.extend(cm.dedupe(found))
    result.complete_threads.extend(complete)
    result.notes.extend(notes)
    result.state = next_state(
        state, comment_threads=threads or None, comments_source=source, **cursor_update
    )


class _Rest:
    """The WordPress REST API's comments collection (`/wp/v2/comments`)."""

    def __init__(self, api: str, get: Getter, account_id: str, what: str):
        self.base = urljoin(api.rstrip("/") + "/", "wp/v2/comments")
        self.get, self.account_id, self.what = get, account_id, what
        self.home = re.sub(r"/wp-json/?$", "/", api.rstrip("/") + "/").rstrip("/")
        self.guids: dict[str, str] = {}

    def _page(self, params: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
        response = self.get(f"{self.base}?{urlencode(params)}", {}, self.what)
        data = response.json()
        if not isinstance(data, list):
            raise TransientError(f"{self.what}: the REST API did not return a list")
        return data, int(response.headers.get("X-WP-TotalPages") or 1)

    def new(
        self, cursor: str | None, limit: int, notes: list[str]
    ) -> tuple[list[Post], dict[str, Any]]:
        if cursor is None:  # the first read: the newest `limit`
            items, pages = self._page(
                {"per_page": min(100, limit), "orderby": "date_gmt", "order": "desc"}
            )
            if pages > 1:
                notes.append(
                    f"blog comments: the first read took the newest {len(items)} comments "
                    "(comments_max); older ones were not read"
                )
        else:  # oldest first after the cursor (a day's margin for the blog's time zone)
            after = iso(parse_time(cursor) - timedelta(days=1)).replace("+00:00", "")
            items, pages = self._page(
                {"per_page": 100, "orderby": "date_gmt", "order": "asc", "after": after}
            )
            items = [c for c in items if _gmt(c) > parse_time(cursor)]
            if len(items) > limit or pages > 1:
                notes.append(cm.cap_note("blog", limit, max(1, len(items) - limit)))
            items = items[:limit]
        posts = [self._to_post(c) for c in items]
        newest = max((_gmt(c) for c in items), default=None)
        return posts, ({"comments_cursor": iso(newest)} if newest else {})

    def threads(
        self, threads: Mapping[str, str], budget: int, notes: list[str]
    ) -> tuple[list[Post], list[str]]:
        ids = {m.group(1): guid for guid in threads if (m := _POST_ID.search(guid))}
        if not ids:
            return [], []
        self.guids.update(ids)
        items, pages = self._page({"post": ",".join(ids), "per_page": 100})
        whole = pages <= 1 and len(items) <= budget
        if not whole:
            notes.append(
                "blog comments: the recent entries have more comments than one request or "
                "comments_max reads; the rest are read on later scans"
            )
        return [self._to_post(c) for c in items[:budget]], (list(ids.values()) if whole else [])

    def _guid(self, post_id: Any) -> str:
        return self.guids.get(str(post_id)) or f"{self.home}/?p={int(post_id)}"

    def _to_post(self, item: Mapping[str, Any]) -> Post:
        thread = self._guid(item["post"])
        parent = int(item.get("parent") or 0)
        html = str((item.get("content") or {}).get("rendered") or "")
        return Post(
            platform="blog",
            account=self.account_id,
            external_id=f"{thread}#comment-{int(item['id'])}",
            url=str(item.get("link") or thread),
            author=str(item.get("author_name") or "") or None,
            created_at=_gmt(item),
            text=html_to_text(html),
            raw={"id": int(item["id"]), "post": int(item["post"]), "parent": parent},
            kind=PostKind.COMMENT,
            parent_external_id=f"{thread}#comment-{parent}" if parent else thread,
            thread_external_id=thread,
            author_role=AuthorRole.ACCOUNT if int(item.get("author") or 0) else AuthorRole.OTHER,
        )


def _gmt(item: Mapping[str, Any]) -> datetime:
    return parse_time(str(item["date_gmt"]) + "+00:00")


def _feed(
    url: str,
    get: Getter,
    parse: Parser,
    account_id: str,
    authors: set[str],
    state: Mapping[str, Any],
    limit: int,
    notes: list[str],
    what: str,
) -> tuple[list[Post], dict[str, Any]]:
    """New comments from the site's comments feed (it holds only the newest ones)."""
    response = get(url, {}, what)
    parsed = parse(response, url, what)
    parents = _in_reply_to(response.content)
    cursor = state.get("comments_cursor")
    cursor_time = parse_time(str(cursor)) if cursor else None
    items: list[tuple[Post, datetime]] = []
    for entry in parsed.get("entries", []):
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if not stamp:
            raise TransientError(f"{what}: a comment without a date")
        created = from_epoch(calendar.timegm(stamp))
        guid = str(entry.get("id") or entry.get("link") or "")
        thread = guid.split("#comment-")[0]
        body = " ".join(str(c.get("value") or "") for c in entry.get("content") or [])
        author = str(entry.get("author") or "") or None
        post = Post(
            platform="blog",
            account=account_id,
            external_id=guid,
            url=str(entry.get("link") or thread),
            author=author,
            created_at=created,
            text=html_to_text(body or str(entry.get("summary") or "")),
            raw={"id": guid},
            kind=PostKind.COMMENT,
            parent_external_id=parents.get(guid) or thread,
            thread_external_id=thread,
            author_role=AuthorRole.ACCOUNT if author in authors else AuthorRole.OTHER,
        )
        items.append((post, created))
    items.sort(key=lambda pc: pc[1])  # oldest first
    new = [pc for pc in items if cursor_time is None or pc[1] > cursor_time]
    if cursor_time is not None and items and len(new) == len(items):
        notes.append(
            f"blog comments: all {len(items)} comments in the comments feed are new; the feed "
            "holds only the newest ones, so some comments may have been missed"
        )
    if len(new) > limit:
        notes.append(cm.cap_note("blog", limit, len(new) - limit, later=cursor_time is not None))
        new = new[:limit] if cursor_time is not None else new[-limit:]
    newest = max((stamp for _, stamp in new), default=None)
    return [p for p, _ in new], ({"comments_cursor": iso(newest)} if newest else {})


def _in_reply_to(content: bytes) -> dict[str, str]:
    """{comment guid: what it answers} from RFC 4685 `thr:in-reply-to` elements."""
    if b"in-reply-to" not in content:
        return {}
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return {}
    out = {}
    for entry in root.iter(f"{ATOM}entry"):
        guid, reply = entry.find(f"{ATOM}id"), entry.find(THR)
        if guid is not None and guid.text and reply is not None and reply.get("ref"):
            out[guid.text.strip()] = str(reply.get("ref"))
    return out
