"""Instagram connector (Graph API via facebook-sdk): an Instagram professional account's media.

`/{ig-user-id}/media?fields=caption,timestamp,permalink,media_type,username`, cursor paging. The
cursor is the newest `timestamp` seen (ISO-8601 UTC); later fetches re-read `recheck_hours` behind
it (the API has no edit time, so a changed caption shows as changed text) and look up recently
seen media that vanished (error 100/33 → deleted).

Requests per scan: the biography (the profile text) is read only for accounts whose profile
disclaimer counts, at most once a day (cached in the state), and a failure there never fails the
posts; the account's username comes from the media (cached). With `comments`, each due media's
`/{media-id}/comments` with its nested `replies` is read — see `connectors.graph_comments`; that
needs `instagram_basic` and `instagram_manage_comments`.
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
from connectors.util import iso, parse_time
from scanner.errors import ConnectorError
from scanner.records import AccountLike, AuthorRole, ConnectorInfo, Post, PostKind

MEDIA_FIELDS = "id,caption,timestamp,permalink,media_type,username"
USER_FIELDS = "id,username,name,biography,website"
REPLY_FIELDS = "id,text,timestamp,username"
COMMENT_FIELDS = f"{REPLY_FIELDS},replies{{{REPLY_FIELDS}}}"
PERMISSIONS = "instagram_basic and instagram_manage_comments"


class InstagramSettings(GraphSettings):
    """`platforms.instagram` in scanner.yaml."""


class InstagramConnector(HttpConnector[InstagramSettings]):
    """Fetches media captions (and, when asked, comments and replies) of one Instagram
    professional account."""

    name: ClassVar[str] = "instagram"
    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        label="Instagram business account",
        comment_action=(
            "Hide or delete the comment on Instagram (the comment's menu in the app, or "
            "Meta Business Suite → Comments)"
        ),
    )
    Settings: ClassVar[type[ConnectorSettings]] = InstagramSettings

    def fetch(
        self, account: AccountLike, cursor: str | None, state: Mapping[str, Any] | None = None
    ) -> FetchResult:
        """Media posted after `cursor` (plus the recheck window), or the newest media; then
        comments of the due media when the account monitors comments."""
        state = state or {}
        user_id = account.handle.strip().lstrip("@")
        label = f"instagram user {user_id}"
        client = graph_client(
            self.settings, "instagram", label, offline=self.offline, config_dir=self.config_dir
        )
        now = utcnow()
        notes: list[str] = []
        username = str(state.get("username") or "") or None
        profile = cached_profile(account, state)
        updates: dict[str, Any] = {}
        if profile_due(account, state, now):
            try:
                user = client.get(user_id, fields=USER_FIELDS)
            except ConnectorError as exc:
                notes.append(profile_note(label, exc, profile))
            else:
                profile = str(user.get("biography") or "").strip() or None
                username = str(user.get("username") or "") or username
                updates = {"profile_text": profile or "", "profile_at": iso(now)}
        hours = self.settings.recheck_hours
        limit = min(100, max(1, account.initial_posts)) if cursor is None else 100
        items = walk(
            client.pages(f"{user_id}/media", fields=MEDIA_FIELDS, limit=limit),
            time_key="timestamp",
            cursor=cursor,
            initial_posts=account.initial_posts,
            recheck_hours=hours,
        )
        username = username or next((str(i["username"]) for i in items if i.get("username")), None)
        posts = [_to_post(item, account.id, username) for item in items]
        gone = recheck_deleted(client, state, {p.external_id for p in posts}, cursor, hours)
        posts, new_cursor, new_state = finish_fetch(
            "instagram",
            account.id,
            username,
            posts,
            gone,
            state,
            cursor,
            hours,
            username=username,
            **updates,
        )
        result = FetchResult(posts, new_cursor, profile, new_state, notes)
        if account.comments:
            client.what = f"{label} comments"
            reader = _reader(client, account.id, username)
            with_comments(
                result, account, state, reader=reader, label=label, permissions=PERMISSIONS, now=now
            )
        return result


def _reader(client: GraphClient, account_id: str, username: str | None) -> Reader:
    """The thread reader: `/{media-id}/comments` with nested `replies` (followed when paged)."""

    def read(thread: Thread, limit: int) -> Iterator[tuple[list[Post], bool]]:
        pages = client.page_lists(f"{thread.post_id}/comments", fields=COMMENT_FIELDS, limit=limit)
        for items, more in pages:
            out = []
            for item in items:
                comment = _to_comment(item, account_id, username, thread, thread.post_id)
                out.append(comment)
                for replies, _more in client.follow(item.get("replies") or {}):
                    out += [
                        _to_comment(r, account_id, username, thread, comment.external_id)
                        for r in replies
                    ]
            yield out, more

    return read


def _to_comment(
    item: Mapping[str, Any],
    account_id: str,
    username: str | None,
    thread: Thread,
    parent: str,
) -> Post:
    comment_id = str(item["id"])
    author = str(item.get("username") or "") or None
    own = bool(author and username and author.lower() == username.lower())
    return Post(
        platform="instagram",
        account=account_id,
        external_id=comment_id,
        url=thread.url,  # Instagram has no public link to one comment
        author=author,
        created_at=parse_time(item["timestamp"]),
        text=str(item.get("text") or ""),
        raw={"id": comment_id, "media_id": thread.post_id},
        kind=PostKind.COMMENT,
        parent_external_id=parent,
        thread_external_id=thread.post_id,
        author_role=AuthorRole.ACCOUNT if own else AuthorRole.OTHER,
    )


def _to_post(item: Mapping[str, Any], account_id: str, author: str | None) -> Post:
    media_id = str(item["id"])
    return Post(
        platform="instagram",
        account=account_id,
        external_id=media_id,
        url=str(item.get("permalink") or f"https://www.instagram.com/{author or ''}"),
        author=str(item.get("username") or author or "") or None,
        created_at=parse_time(item["timestamp"]),
        text=str(item.get("caption") or ""),
        raw={"id": media_id, "media_type": item.get("media_type")},
    )
