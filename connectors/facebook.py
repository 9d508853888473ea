"""Facebook pages connector (Graph API via facebook-sdk): a page's posts, incremental by time.

`/{page}/posts` with message, times, permalink and attachment titles/descriptions, following
`paging.next`. The cursor is the newest `created_time` seen (ISO-8601 UTC). Later fetches re-read
`recheck_hours` behind the cursor, so edits (`updated_time`) are re-scanned, and recently seen posts
that vanished are looked up: error 100/33 marks them deleted.

Requests per scan: the page id and name are resolved once and cached in the state; the page's
about/description (the profile text) is read only for accounts whose profile disclaimer counts,
at most once a day (cached), and a failure there never fails the posts. With `comments`, each due
post's `/{post-id}/comments?filter=stream` (replies flattened, each with its `parent`) is read —
see `connectors.graph_comments`; that needs `pages_read_engagement` and `pages_read_user_content`
on a Page access token (without them `from` is missing or the request is refused).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from connectors.base import ConnectorSettings, FetchResult
from connectors.graph import (
    GraphClient,
    GraphSettings,
    cached_profile,
    finish_fetch,
    graph_client,
    profile_due,
    profile_note,
    recheck_deleted,
    utcnow,
    walk,
)
from connectors.graph_comments import Reader, Thread, with_comments
from connectors.http import HttpConnector
from connectors.util import from_epoch, iso, parse_time
from scanner.errors import ConnectorError
from scanner.records import AccountLike, AuthorRole, ConnectorInfo, Post, PostKind

POST_FIELDS = (
    "id,message,story,created_time,updated_time,permalink_url,scheduled_publish_time,"
    "attachments{title,description}"
)
PAGE_FIELDS = "id,name,username,about,description"
ID_FIELDS = "id,name"
COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url"
PERMISSIONS = "pages_read_engagement and pages_read_user_content (a Page access token)"


class FacebookSettings(GraphSettings):
    """`platforms.facebook` in scanner.yaml."""


class FacebookConnector(HttpConnector[FacebookSettings]):
    """Fetches posts (and, when asked, comments and replies) of one Facebook page."""

    name: ClassVar[str] = "facebook"
    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        label="Facebook page",
        comment_action="Hide or delete the comment on the page (Meta Business Suite → Comments)",
    )
    Settings: ClassVar[type[ConnectorSettings]] = FacebookSettings

    def fetch(
        self, account: AccountLike, cursor: str | None, state: Mapping[str, Any] | None = None
    ) -> FetchResult:
        """Posts created after `cursor` (plus the recheck window), or the newest page of posts;
        then comments of the due posts when the account monitors comments."""
        state = state or {}
        page_ref = account.handle.strip().lstrip("@")
        label = f"facebook page {page_ref}"
        client = graph_client(
            self.settings, "facebook", label, offline=self.offline, config_dir=self.config_dir
        )
        now = utcnow()
        notes: list[str] = []
        page_id = str(state.get("page_id") or "") or None
        author = state.get("page_name")
        profile = cached_profile(account, state)
        updates: dict[str, Any] = {}
        if profile_due(account, state, now):
            try:
                page = client.get(page_ref, fields=PAGE_FIELDS)
            except ConnectorError as exc:
                notes.append(profile_note(label, exc, profile))
            else:
                profile = _profile(page)
                page_id = str(page.get("id") or page_id or page_ref)
                author = str(page.get("name") or "") or author
                updates = {"profile_text": profile or "", "profile_at": iso(now)}
        if page_id is None or author is None:  # once per account: errors fail the fetch
            page = client.get(page_id or page_ref, fields=ID_FIELDS)
            page_id = str(page.get("id") or page_id or page_ref)
            author = str(page.get("name") or "")
        hours = self.settings.recheck_hours
        first = min(100, max(1, account.initial_posts))
        args: dict[str, Any] = {"fields": POST_FIELDS, "limit": first if cursor is None else 100}
        if cursor is not None:
            args["since"] = int(parse_time(cursor).timestamp() - max(hours, 0) * 3600)
        items = walk(
            client.pages(f"{page_id}/posts", **args),
            time_key="created_time",
            cursor=cursor,
            initial_posts=account.initial_posts,
            recheck_hours=hours,
        )
        name = author or None
        posts = [_to_post(item, account.id, name) for item in items]
        gone = recheck_deleted(client, state, {p.external_id for p in posts}, cursor, hours)
        posts, new_cursor, new_state = finish_fetch(
            "facebook",
            account.id,
            name,
            posts,
            gone,
            state,
            cursor,
            hours,
            page_id=page_id,
            page_name=author,
            **updates,
        )
        result = FetchResult(posts, new_cursor, profile, new_state, notes)
        if account.comments:
            client.what = f"{label} comments"
            reader = _reader(client, account.id, page_id)
            with_comments(
                result, account, state, reader=reader, label=label, permissions=PERMISSIONS, now=now
            )
        return result


def _reader(client: GraphClient, account_id: str, page_id: str) -> Reader:
    """The thread reader: `/{post-id}/comments`, replies flattened (filter=stream), newest first."""

    def read(thread: Thread, limit: int) -> Iterator[tuple[list[Post], bool]]:
        pages = client.page_lists(
            f"{thread.post_id}/comments",
            fields=COMMENT_FIELDS,
            filter="stream",
            order="reverse_chronological",
            limit=limit,
        )
        for items, more in pages:
            yield [_to_comment(item, account_id, page_id, thread) for item in items], more

    return read


def _to_comment(item: Mapping[str, Any], account_id: str, page_id: str, thread: Thread) -> Post:
    comment_id = str(item["id"])
    author = item.get("from") or {}  # only with pages_read_user_content
    parent = item.get("parent") or {}
    own = str(author.get("id") or "") == page_id
    local = comment_id.rsplit("_", 1)[-1]
    return Post(
        platform="facebook",
        account=account_id,
        external_id=comment_id,
        url=str(item.get("permalink_url") or f"{thread.url}?comment_id={local}"),
        author=str(author.get("name") or "") or None,
        created_at=parse_time(item["created_time"]),
        text=str(item.get("message") or ""),
        raw={"id": comment_id, "post_id": thread.post_id},
        kind=PostKind.COMMENT,
        parent_external_id=str(parent.get("id") or thread.post_id),
        thread_external_id=thread.post_id,
        author_role=AuthorRole.ACCOUNT if own else AuthorRole.OTHER,
    )


def _profile(page: Mapping[str, Any]) -> str | None:
    parts = [str(page.get(k) or "").strip() for k in ("about", "description")]
    return "\n\n".join(dict.fromkeys(p for p in parts if p)) or None


def _to_post(item: Mapping[str, Any], account_id: str, author: str | None) -> Post:
    created = parse_time(item["created_time"])
    updated = parse_time(item["updated_time"]) if item.get("updated_time") else None
    parts = [str(item.get("message") or item.get("story") or "")]
    for attachment in (item.get("attachments") or {}).get("data", []):
        for key in ("title", "description"):
            value = str(attachment.get(key) or "").strip()
            if value and value not in parts[0] and value not in parts:
                parts.append(value)
    raw: dict[str, Any] = {"id": item["id"], "updated_time": item.get("updated_time")}
    if item.get("scheduled_publish_time"):
        raw["scheduled"] = True
        raw["scheduled_publish_time"] = iso(from_epoch(float(item["scheduled_publish_time"])))
    post_id = str(item["id"])
    return Post(
        platform="facebook",
        account=account_id,
        external_id=post_id,
        url=str(item.get("permalink_url") or f"https://www.facebook.com/{post_id}"),
        author=author,
        created_at=created,
        text="\n\n".join(p for p in parts if p),
        edited_at=updated if updated and updated > created else None,
        raw=raw,
    )
