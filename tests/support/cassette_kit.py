"""Builders for vcrpy cassettes in the platforms' real response shapes.

Used by `make_cassettes.py` (which writes the committed cassettes under `cassettes/`) and by the
failure table (which writes error cassettes into `tmp_path` at test time). The shapes follow the
recordings in `../shared/realdata/` (praw, tweepy, python-facebook); see cassettes/PROVENANCE.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import yaml

JSON = "application/json; charset=UTF-8"
REASONS = {
    200: "OK",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
REDDIT_RATE = {
    "x-ratelimit-remaining": "996.0",
    "x-ratelimit-used": "4",
    "x-ratelimit-reset": "300",
}


@dataclass
class Ix:
    """One recorded request/response pair."""

    method: str
    uri: str
    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = JSON
    request_body: str | None = None

    def as_vcr(self, recorded: datetime) -> dict[str, Any]:
        if self.body is None:
            text = ""
        elif isinstance(self.body, str | bytes):
            text = self.body
        else:
            text = json.dumps(self.body, ensure_ascii=False, separators=(",", ":"))
        headers = {"Date": [format_datetime(recorded, usegmt=True)]}
        if self.content_type:
            headers["Content-Type"] = [self.content_type]
        headers.update({k: [v] for k, v in self.headers.items()})
        return {
            "request": {
                "body": self.request_body,
                "headers": {"User-Agent": ["district-post-scanner/0.1"]},
                "method": self.method,
                "uri": self.uri,
            },
            "response": {
                "body": {"string": text},
                "headers": headers,
                "status": {"code": self.status, "message": REASONS.get(self.status, "")},
            },
        }


def write_cassette(path: Path, interactions: list[Ix], recorded: datetime | None = None) -> Path:
    """Write `interactions` as a vcrpy (version 1) YAML cassette."""
    recorded = recorded or datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
    data = {"interactions": [ix.as_vcr(recorded) for ix in interactions], "version": 1}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )
    return path


def pt(local: str) -> str:
    """UTC `...Z` text for a Pacific wall-clock time such as `2026-10-19 11:15`."""
    from zoneinfo import ZoneInfo

    when = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("America/Los_Angeles"))
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ts(text: str) -> datetime:
    """A UTC datetime from `2026-10-14T15:05:00Z`-style text."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# --- reddit -------------------------------------------------------------------------------


def reddit_token() -> Ix:
    body = {"access_token": "<ACCESS_TOKEN>", "token_type": "bearer", "expires_in": 86400}
    body["scope"] = "*"
    return Ix(
        "POST",
        "https://www.reddit.com/api/v1/access_token",
        body,
        request_body="grant_type=client_credentials",
    )


def reddit_post(
    sub: str,
    pid: str,
    title: str,
    created: str,
    *,
    selftext: str = "",
    author: str = "jhs_robotics_club",
    edited: str | None = None,
    url: str | None = None,
    removed_by_category: str | None = None,
    flair: str | None = None,
) -> dict[str, Any]:
    """A `t3` child as Reddit's listings return it (the fields praw and we read)."""
    slug = "_".join(re.sub(r"[^a-z0-9 ]", "", title.lower()).split()[:6])
    permalink = f"/r/{sub}/comments/{pid}/{slug}/"
    return {
        "kind": "t3",
        "data": {
            "subreddit": sub,
            "subreddit_name_prefixed": f"r/{sub}",
            "subreddit_id": "t5_8xk2m1",
            "selftext": selftext,
            "title": title,
            "author": author,
            "author_fullname": None if author == "[deleted]" else "t2_5q1wq8",
            "name": f"t3_{pid}",
            "id": pid,
            "created_utc": ts(created).timestamp(),
            "edited": ts(edited).timestamp() if edited else False,
            "is_self": url is None,
            "url": url or f"https://www.reddit.com{permalink}",
            "domain": f"self.{sub}" if url is None else url.split("/")[2],
            "permalink": permalink,
            "link_flair_text": flair,
            "removed_by_category": removed_by_category,
            "num_comments": 0,
            "score": 1,
            "over_18": False,
            "stickied": False,
        },
    }


def reddit_listing(children: list[dict[str, Any]], after: str | None = None) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {
            "after": after,
            "dist": len(children),
            "modhash": "",
            "geo_filter": "",
            "children": children,
            "before": None,
        },
    }


def reddit_about(sub: str, title: str, public_description: str, description: str = "") -> Ix:
    body = {
        "kind": "t5",
        "data": {
            "display_name": sub,
            "display_name_prefixed": f"r/{sub}",
            "title": title,
            "public_description": public_description,
            "description": description,
            "subscribers": 214,
            "name": "t5_8xk2m1",
            "url": f"/r/{sub}/",
        },
    }
    return Ix("GET", f"https://oauth.reddit.com/r/{sub}/about", body, headers=REDDIT_RATE)


def reddit_page(sub: str, children: list[dict[str, Any]], after: str | None = None) -> Ix:
    return Ix(
        "GET",
        f"https://oauth.reddit.com/r/{sub}/new",
        reddit_listing(children, after),
        headers=REDDIT_RATE,
    )


def reddit_comment(
    sub: str,
    post_id: str,
    cid: str,
    body: str,
    created: str,
    *,
    parent: str | None = None,
    author: str = "mv_parent_42",
    edited: str | None = None,
    distinguished: str | None = None,
    replies: list[dict[str, Any]] | None = None,
    link_title: str = "",
) -> dict[str, Any]:
    """A `t1` child as Reddit returns it in `/r/SUB/comments` and in `/comments/ID` trees (the
    shape of praw's recorded `test_edit` tree, plus today's `permalink`)."""
    deleted = body in ("[deleted]", "[removed]")
    data: dict[str, Any] = {
        "subreddit_id": "t5_8xk2m1",
        "subreddit": sub,
        "link_id": f"t3_{post_id}",
        "link_title": link_title,
        "replies": (
            {"kind": "Listing", "data": {"children": replies, "after": None, "before": None}}
            if replies
            else ""
        ),
        "id": cid,
        "name": f"t1_{cid}",
        "author": "[deleted]" if deleted and body == "[deleted]" else author,
        "parent_id": parent or f"t3_{post_id}",
        "body": body,
        "body_html": f'<div class="md"><p>{body}</p>\n</div>',
        "edited": ts(edited).timestamp() if edited else False,
        "created_utc": ts(created).timestamp(),
        "permalink": f"/r/{sub}/comments/{post_id}/_/{cid}/",
        "distinguished": distinguished,
        "is_submitter": False,
        "score": 1,
        "stickied": False,
    }
    return {"kind": "t1", "data": data}


def reddit_comments_page(sub: str, children: list[dict[str, Any]], after: str | None = None) -> Ix:
    """One page of the subreddit's comment listing (`/r/SUB/comments`, newest first)."""
    return Ix(
        "GET",
        f"https://oauth.reddit.com/r/{sub}/comments",
        reddit_listing(children, after),
        headers=REDDIT_RATE,
    )


def reddit_thread(post: dict[str, Any], comments: list[dict[str, Any]]) -> Ix:
    """A submission with its comment tree (`/comments/ID`: [listing of t3, listing of t1])."""
    body = [reddit_listing([post]), reddit_listing(comments)]
    return Ix(
        "GET", f"https://oauth.reddit.com/comments/{post['data']['id']}", body, headers=REDDIT_RATE
    )


def reddit_user_page(user: str, children: list[dict[str, Any]], after: str | None = None) -> Ix:
    return Ix(
        "GET",
        f"https://oauth.reddit.com/user/{user}/submitted",
        reddit_listing(children, after),
        headers=REDDIT_RATE,
    )


# --- x ----------------------------------------------------------------------------------------

X_API = "https://api.twitter.com/2"


def x_rate(remaining: int = 1497) -> dict[str, str]:
    return {
        "x-rate-limit-limit": "1500",
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": "1795201200",
        "api-version": "2.125",
    }


def x_user(username: str, uid: str, name: str, description: str) -> Ix:
    body = {"data": {"id": uid, "name": name, "username": username, "description": description}}
    return Ix("GET", f"{X_API}/users/by/username/{username}", body, headers=x_rate(299))


def tweet(
    tid: str, text: str, created: str, *, history: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """A tweet object with the fields asked for (`created_at`, `edit_history_tweet_ids`, …)."""
    return {
        "edit_history_tweet_ids": history or [tid],
        "id": tid,
        "text": text,
        "created_at": ts(created).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "author_id": extra.pop("author_id", "1598000000000000001"),
        **extra,
    }


def x_meta(tweets: list[dict[str, Any]], next_token: str | None) -> dict[str, Any]:
    """The `meta` of a v2 page of tweets: count, newest and oldest id, next token."""
    meta: dict[str, Any] = {"result_count": len(tweets)}
    if tweets:
        meta["newest_id"] = max(tweets, key=lambda t: int(t["id"]))["id"]
        meta["oldest_id"] = min(tweets, key=lambda t: int(t["id"]))["id"]
    if next_token:
        meta["next_token"] = next_token
    return meta


def x_tweets_page(
    uid: str,
    tweets: list[dict[str, Any]],
    *,
    next_token: str | None = None,
    user: dict[str, Any] | None = None,
    media: list[dict[str, Any]] | None = None,
) -> Ix:
    body: dict[str, Any] = {"meta": x_meta(tweets, next_token)}
    if tweets:
        body = {"data": tweets, **body}
        includes: dict[str, Any] = {}
        if user:
            includes["users"] = [user]
        if media:
            includes["media"] = media
        if includes:
            body["includes"] = includes
    return Ix("GET", f"{X_API}/users/{uid}/tweets", body, headers=x_rate())


def x_snowflake(when: str, seq: int = 0) -> str:
    """A tweet id minted at `when` (X ids are snowflakes)."""
    ms = int(ts(when).timestamp() * 1000) - 1288834974657
    return str((ms << 22) + 0x1A4000 + seq)


def x_reply(
    tid: str,
    text: str,
    created: str,
    *,
    conversation: str,
    parent: str,
    author_id: str,
    to_user: str,
    history: list[str] | None = None,
) -> dict[str, Any]:
    """A reply as recent search returns it with `conversation_id`, `referenced_tweets`, …"""
    return tweet(
        tid,
        text,
        created,
        history=history,
        author_id=author_id,
        conversation_id=conversation,
        in_reply_to_user_id=to_user,
        referenced_tweets=[{"type": "replied_to", "id": parent}],
    )


def x_search_page(
    tweets: list[dict[str, Any]],
    users: list[dict[str, Any]] | None = None,
    next_token: str | None = None,
) -> Ix:
    """One page of `GET /2/tweets/search/recent` (expansions=author_id)."""
    body: dict[str, Any] = {"meta": x_meta(tweets, next_token)}
    if tweets:
        body = {"data": tweets, "includes": {"users": users or []}, **body}
    return Ix("GET", f"{X_API}/tweets/search/recent", body, headers=x_rate(449))


def x_not_enrolled(path: str = "tweets/search/recent") -> Ix:
    """X's 403 for an endpoint the app's access level (e.g. Free) does not include."""
    body = {
        "client_id": "28409374",
        "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use "
        "keys and tokens from a Twitter developer App that is attached to a Project. You can "
        "create a project via the developer portal.",
        "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
        "title": "Client Forbidden",
        "required_enrollment": "Appropriate Level of API Access",
        "reason": "client-not-enrolled",
        "type": "https://api.twitter.com/2/problems/client-forbidden",
    }
    return Ix("GET", f"{X_API}/{path}", body, status=403)


# --- graph (facebook, instagram) ------------------------------------------------------------

GRAPH = "https://graph.facebook.com/v21.0"


def graph_get(path: str, body: Any, status: int = 200, **headers: str) -> Ix:
    hdrs = {
        "facebook-api-version": "v21.0",
        "x-app-usage": '{"call_count":2,"total_cputime":1,"total_time":1}',
    }
    hdrs.update(headers)
    return Ix("GET", f"{GRAPH}/{path}", body, status=status, headers=hdrs)


def graph_page(path: str, items: list[dict[str, Any]], after: str | None, fields: str) -> Ix:
    """One page of a collection edge with cursor paging, like the python-facebook recordings."""
    paging: dict[str, Any] = {
        "cursors": {"before": "QVFIUmJlZAm9yZAQ", "after": after or "QVFIUmVuZAA"}
    }
    if after:
        paging["next"] = (
            f"{GRAPH}/{path}?access_token=<ACCESS_TOKEN>&pretty=0&fields={fields}"
            f"&limit=25&after={after}"
        )
    return graph_get(path, {"data": items, "paging": paging})


def graph_deleted(object_id: str) -> Ix:
    body = {
        "error": {
            "message": (
                f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot "
                "be loaded due to missing permissions, or does not support this operation."
            ),
            "type": "GraphMethodException",
            "code": 100,
            "error_subcode": 33,
            "fbtrace_id": "AqZr5mXo3Yb9kQ2f1TnCv8w",
        }
    }
    return graph_get(object_id, body, status=400)


def fb_post(
    page_id: str, pid: str, message: str, created: str, *, updated: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": f"{page_id}_{pid}",
        "message": message,
        "created_time": ts(created).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "updated_time": ts(updated or created).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "permalink_url": f"https://www.facebook.com/{page_id}/posts/{pid}/",
        **extra,
    }


def ig_media(
    mid: str, caption: str | None, created: str, code: str, **extra: Any
) -> dict[str, Any]:
    item = {
        "id": mid,
        "media_type": extra.pop("media_type", "IMAGE"),
        "permalink": f"https://www.instagram.com/p/{code}/",
        "timestamp": ts(created).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "username": extra.pop("username", "jeffersonhs_art"),
        **extra,
    }
    if caption is not None:
        item["caption"] = caption
    return item


def fb_comment(
    page_id: str,
    post_id: str,
    cid: str,
    message: str,
    created: str,
    *,
    author: tuple[str, str] | None = ("Jordan Avery", "2711636948859886"),
    parent: str | None = None,
) -> dict[str, Any]:
    """A comment of `/{post}/comments?filter=stream` with the fields asked for (python-facebook's
    `comment_by_parent` and `comments_p1` recordings): ids `{post-object}_{comment}`, a reply
    carries `parent`, `from` only with pages_read_user_content (`author=None`: absent)."""
    pid = post_id.rsplit("_", 1)[-1]
    link = f"https://www.facebook.com/{page_id}/posts/{pid}/?comment_id="
    item: dict[str, Any] = {
        "id": f"{pid}_{cid}",
        "created_time": ts(created).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "message": message,
        "permalink_url": link
        + (f"{parent.rsplit('_', 1)[-1]}&reply_comment_id={cid}" if parent else cid),
    }
    if author is not None:
        item["from"] = {"name": author[0], "id": author[1]}
    if parent is not None:
        item["parent"] = {"id": parent}
    return item


def ig_comment(
    cid: str,
    text: str,
    created: str,
    username: str,
    replies: list[dict[str, Any]] | None = None,
    replies_after: str | None = None,
) -> dict[str, Any]:
    """A comment of `/{media}/comments` with nested `replies{…}` (python-facebook's
    `comment_default_p1` recording); `replies_after` adds a `paging.next` to the replies edge."""
    item: dict[str, Any] = {
        "id": cid,
        "text": text,
        "timestamp": ts(created).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "username": username,
    }
    if replies is not None:
        edge: dict[str, Any] = {"data": replies}
        if replies_after:
            edge["paging"] = {
                "cursors": {"after": replies_after},
                "next": f"{GRAPH}/{cid}/replies?access_token=<ACCESS_TOKEN>&pretty=0"
                f"&fields=id%2Ctext%2Ctimestamp%2Cusername&limit=25&after={replies_after}",
            }
        item["replies"] = edge
    return item


# --- blog -----------------------------------------------------------------------------------


def atom_feed(
    feed_url: str,
    title: str,
    subtitle: str,
    entries: list[dict[str, str]],
    tombstones: list[dict[str, str]] | None = None,
    next_url: str | None = None,
) -> str:
    """An Atom 1.0 document; entries carry id, title, link, published, updated, author, html."""
    from xml.sax.saxutils import escape

    updated = max([e["updated"] for e in entries] + ["2026-10-01T00:00:00Z"])
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:at="http://purl.org/atompub/tombstones/1.0" xml:lang="en-US">',
        f"  <title>{escape(title)}</title>",
        f"  <subtitle>{escape(subtitle)}</subtitle>",
        f'  <link rel="self" type="application/atom+xml" href="{feed_url}"/>',
        f'  <link rel="alternate" type="text/html" href="{feed_url.rsplit("/feed", 1)[0]}/"/>',
        f"  <id>{feed_url.rsplit('/feed', 1)[0]}/</id>",
        f"  <updated>{updated}</updated>",
        "  <generator>WordPress</generator>",
    ]
    if next_url:
        out.append(f'  <link rel="next" href="{escape(next_url)}"/>')
    for t in tombstones or []:
        out.append(f'  <at:deleted-entry ref="{t["ref"]}" when="{t["when"]}">')
        out.append(f'    <link href="{t["link"]}"/>')
        out.append("  </at:deleted-entry>")
    for e in entries:
        out += [
            "  <entry>",
            f"    <author><name>{escape(e['author'])}</name></author>",
            f'    <title type="html">{escape(e["title"])}</title>',
            f'    <link rel="alternate" type="text/html" href="{e["link"]}"/>',
            f"    <id>{e['id']}</id>",
            f"    <updated>{e['updated']}</updated>",
            f"    <published>{e['published']}</published>",
            f'    <content type="html">{escape(e["html"])}</content>',
            "  </entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def feed_get(url: str, xml_text: str, status: int = 200, **headers: str) -> Ix:
    return Ix(
        "GET",
        url,
        xml_text,
        status=status,
        headers=headers,
        content_type="application/atom+xml; charset=UTF-8",
    )


def wp_comment(
    cid: int,
    post: int,
    post_link: str,
    html: str,
    created: str,
    *,
    parent: int = 0,
    author_name: str = "Chess Parent",
    author: int = 0,
) -> dict[str, Any]:
    """A comment as WordPress's REST API returns it (`/wp-json/wp/v2/comments`, view context)."""
    return {
        "id": cid,
        "post": post,
        "parent": parent,
        "author": author,
        "author_name": author_name,
        "author_url": "",
        "date": ts(created).strftime("%Y-%m-%dT%H:%M:%S"),  # the site's time zone (here UTC)
        "date_gmt": ts(created).strftime("%Y-%m-%dT%H:%M:%S"),
        "content": {"rendered": html},
        "link": f"{post_link}#comment-{cid}",
        "status": "approved",
        "type": "comment",
        "author_avatar_urls": {},
        "meta": [],
    }


def wp_comments_get(api: str, items: list[dict[str, Any]], total_pages: int = 1) -> Ix:
    headers = {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(total_pages)}
    return Ix("GET", f"{api}wp/v2/comments", items, headers=headers)


def atom_comments_feed(url: str, title: str, comments: list[dict[str, str]]) -> str:
    """WordPress's Atom comments feed: entries carry id (the comment guid), link, author,
    published, updated, html and `thr:in-reply-to` (the post's or the parent comment's guid)."""
    from xml.sax.saxutils import escape

    updated = max([c["updated"] for c in comments] + ["2026-10-01T00:00:00Z"])
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:thr="http://purl.org/syndication/thread/1.0" xml:lang="en-US">',
        f'  <title type="text">Comments for {escape(title)}</title>',
        f'  <link rel="self" type="application/atom+xml" href="{url}"/>',
        f"  <id>{url}</id>",
        f"  <updated>{updated}</updated>",
        "  <generator>WordPress</generator>",
    ]
    for c in comments:
        out += [
            "  <entry>",
            f'    <title type="html">{escape(c["title"])}</title>',
            f'    <link rel="alternate" href="{c["link"]}" type="text/html"/>',
            f"    <author><name>{escape(c['author'])}</name></author>",
            f"    <id>{c['id']}</id>",
            f"    <updated>{c['updated']}</updated>",
            f"    <published>{c['published']}</published>",
            f'    <content type="html">{escape(c["html"])}</content>',
            f'    <thr:in-reply-to ref="{c["in_reply_to"]}" href="{c["link"]}" type="text/html"/>',
            "  </entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


# --- followers (the consent check, policy item 3) ---------------------------------------------


def x_followers_page(
    uid: str, users: list[tuple[str, str, str]], next_token: str | None = None
) -> Ix:
    """`GET /2/users/:id/followers` with `user.fields=name,username`: (id, name, username)."""
    meta: dict[str, Any] = {"result_count": len(users)}
    if next_token:
        meta["next_token"] = next_token
    body: dict[str, Any] = {"meta": meta}
    if users:
        body = {"data": [{"id": i, "name": n, "username": u} for i, n, u in users], **body}
    return Ix("GET", f"{X_API}/users/{uid}/followers", body, headers=x_rate(14))


def reddit_contributors(sub: str, users: list[tuple[str, str]], after: str | None = None) -> Ix:
    """`GET /r/NAME/about/contributors`: approved users as (user id, name), a Listing of the
    relationship objects Reddit returns (`date`, `rel_id`, `name`, `id`)."""
    children = [
        {"date": 1788000000.0 + k, "rel_id": f"rb_{k:05d}", "name": name, "id": uid}
        for k, (uid, name) in enumerate(users)
    ]
    return Ix(
        "GET",
        f"https://oauth.reddit.com/r/{sub}/about/contributors/",
        reddit_listing(children, after),
        headers=REDDIT_RATE,
    )
