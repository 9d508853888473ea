"""Facebook pages connector (Graph API via facebook-sdk): a page's posts, incremental by time.

`/{page}/posts` with message, times, permalink and attachment titles/descriptions, following
`paging.next`. The cursor is the newest `created_time` seen (ISO-8601 UTC). Later fetches re-read
`recheck_hours` behind the cursor, so edits (`updated_time`) are re-scanned, and recently seen posts
that vanished are looked up: error 100/33 marks them deleted. The page's about/description is the
account's profile text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from connectors.base import ConnectorSettings, FetchResult
from connectors.graph import GraphSettings, finish_fetch, graph_client, recheck_deleted, walk
from connectors.http import HttpConnector
from connectors.util import from_epoch, iso, parse_time
from scanner.records import AccountLike, ConnectorInfo, Post

POST_FIELDS = (
    "id,message,story,created_time,updated_time,permalink_url,scheduled_publish_time,"
    "attachments{title,description}"
)
PAGE_FIELDS = "id,name,username,about,description"


class FacebookSettings(GraphSettings):
    """`platforms.facebook` in scanner.yaml."""


class FacebookConnector(HttpConnector[FacebookSettings]):
    """Fetches posts of one Facebook page."""

    name: ClassVar[str] = "facebook"
    info: ClassVar[ConnectorInfo] = ConnectorInfo(label="Facebook page")
    Settings: ClassVar[type[ConnectorSettings]] = FacebookSettings

    def fetch(
        self, account: AccountLike, cursor: str | None, state: Mapping[str, Any] | None = None
    ) -> FetchResult:
        """Posts created after `cursor` (plus the recheck window), or the newest page of posts."""
        state = state or {}
        page_ref = account.handle.strip().lstrip("@")
        client = graph_client(
            self.settings,
            "facebook",
            f"facebook page {page_ref}",
            offline=self.offline,
            config_dir=self.config_dir,
        )
        page = client.get(page_ref, fields=PAGE_FIELDS)
        page_id = str(page.get("id") or page_ref)
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
        author = page.get("name")
        posts = [_to_post(item, account.id, author) for item in items]
        gone = recheck_deleted(client, state, {p.external_id for p in posts}, cursor, hours)
        posts, new_cursor, new_state = finish_fetch(
            "facebook", account.id, author, posts, gone, state, cursor, hours, page_id=page_id
        )
        return FetchResult(posts, new_cursor, _profile(page), new_state)


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
