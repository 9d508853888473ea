"""Instagram connector (Graph API via facebook-sdk): an Instagram professional account's media.

`/{ig-user-id}/media?fields=caption,timestamp,permalink,media_type`, cursor paging. The cursor is
the newest `timestamp` seen (ISO-8601 UTC); later fetches re-read `recheck_hours` behind it (the
API has no edit time, so a changed caption shows as changed text) and look up recently seen media
that vanished (error 100/33 → deleted). The biography is the account's profile text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from connectors.base import ConnectorSettings, FetchResult
from connectors.graph import GraphSettings, finish_fetch, graph_client, recheck_deleted, walk
from connectors.http import HttpConnector
from connectors.util import parse_time
from scanner.records import AccountLike, ConnectorInfo, Post

MEDIA_FIELDS = "id,caption,timestamp,permalink,media_type,username"
USER_FIELDS = "id,username,name,biography,website"


class InstagramSettings(GraphSettings):
    """`platforms.instagram` in scanner.yaml."""


class InstagramConnector(HttpConnector[InstagramSettings]):
    """Fetches media captions of one Instagram professional account."""

    name: ClassVar[str] = "instagram"
    info: ClassVar[ConnectorInfo] = ConnectorInfo(label="Instagram business account")
    Settings: ClassVar[type[ConnectorSettings]] = InstagramSettings

    def fetch(
        self, account: AccountLike, cursor: str | None, state: Mapping[str, Any] | None = None
    ) -> FetchResult:
        """Media posted after `cursor` (plus the recheck window), or the newest media."""
        state = state or {}
        user_id = account.handle.strip().lstrip("@")
        client = graph_client(
            self.settings,
            "instagram",
            f"instagram user {user_id}",
            offline=self.offline,
            config_dir=self.config_dir,
        )
        user = client.get(user_id, fields=USER_FIELDS)
        hours = self.settings.recheck_hours
        limit = min(100, max(1, account.initial_posts)) if cursor is None else 100
        items = walk(
            client.pages(f"{user_id}/media", fields=MEDIA_FIELDS, limit=limit),
            time_key="timestamp",
            cursor=cursor,
            initial_posts=account.initial_posts,
            recheck_hours=hours,
        )
        author = user.get("username")
        posts = [_to_post(item, account.id, author) for item in items]
        gone = recheck_deleted(client, state, {p.external_id for p in posts}, cursor, hours)
        posts, new_cursor, new_state = finish_fetch(
            "instagram", account.id, author, posts, gone, state, cursor, hours
        )
        profile = str(user.get("biography") or "").strip() or None
        return FetchResult(posts, new_cursor, profile, new_state)


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
