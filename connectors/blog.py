"""Blog connector (feedparser): RSS/Atom entries, incremental by time, with conditional GET.

The feed is downloaded with requests (timeout, user agent, `If-None-Match`/`If-Modified-Since`
from `state`) and parsed with feedparser. Entry text is the title plus the content or summary with
HTML reduced to text; the id is the guid (else the link); `updated` after `published` is an edit.
The cursor is the newest published/updated time seen. Atom tombstones (RFC 6721
`at:deleted-entry`) become deleted posts. The feed's subtitle/description is the profile text.
"""

from __future__ import annotations

import calendar
import ipaddress
import socket
import xml.sax
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import requests

from connectors import comments as cm
from connectors.base import ConnectorSettings, FetchResult
from connectors.blog_comments import comments_source, read_blog_comments
from connectors.html_text import html_to_text
from connectors.http import HttpConnector, status_error, transport_error
from connectors.util import from_epoch, iso, next_state, parse_time
from scanner.errors import ConnectorError, NotFound, TransientError
from scanner.records import AccountLike, ConnectorInfo, Post

TOMBSTONE = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"


class BlogSettings(ConnectorSettings):
    """`platforms.blog` in scanner.yaml."""

    user_agent: str = "district-post-scanner/0.1 (school district policy monitor)"
    strict_xml: bool = True
    max_pages: int = 10


class BlogConnector(HttpConnector[BlogSettings]):
    """Fetches entries of one RSS or Atom feed."""

    name: ClassVar[str] = "blog"
    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        label="Blog (RSS/Atom)",
        required_account_fields=("feed_url",),
        comment_action=(
            "Unapprove the comment, or move it to the trash, in the blog's admin "
            "(WordPress: Comments > Unapprove or Trash)."
        ),
    )
    Settings: ClassVar[type[ConnectorSettings]] = BlogSettings

    def fetch(
        self, account: AccountLike, cursor: str | None, state: Mapping[str, Any] | None = None
    ) -> FetchResult:
        """Entries published or updated after `cursor`, or the newest `initial_posts`."""
        state = state or {}
        url = account.feed_url or account.handle
        allowed = (
            ("http://", "https://") if getattr(account, "allow_http", False) else ("https://",)
        )
        if not url.startswith(allowed) or not valid_url(url):
            raise ConnectorError(
                f"blog account {account.id}: feed_url must be an https:// URL"
                " (plain http only with `allow_http: true` on the account)"
            )
        what = f"blog feed {redact_url(url)}"
        self._check_target(url, what)
        headers = {"User-Agent": self.settings.user_agent}
        if cursor is not None and state.get("etag"):
            headers["If-None-Match"] = str(state["etag"])
        if cursor is not None and state.get("modified"):
            headers["If-Modified-Since"] = str(state["modified"])
        cursor_time = parse_time(cursor) if cursor is not None else None
        wanted = max(1, account.initial_posts)
        entries: list[tuple[Post, datetime]] = []
        notes: list[str] = []
        tombstones: list[Post] = []
        first_response: requests.Response | None = None
        feed: Mapping[str, Any] = {}
        page_url: str | None = url
        for _ in range(self.settings.max_pages):
            response = self._get(page_url or url, headers, what)
            if response.status_code == 304 and first_response is None:
                result = FetchResult([], cursor, state.get("subtitle"), next_state(state))
                return self._comments(account, url, result, None, {})
            parsed = self._parse(response, page_url or url, what)
            if first_response is None:
                first_response, feed = response, parsed.get("feed", {})
                headers = {"User-Agent": self.settings.user_agent}
            author = feed.get("author") or feed.get("title")
            page = [_entry(e, account.id, author) for e in parsed.get("entries", [])]
            entries += page
            tombstones += _tombstones(response.content, account.id, cursor)
            page_url = _next_link(parsed.get("feed", {}))
            if page_url and not same_site(url, page_url):
                notes.append("the feed's next-page link points to another host; not followed")
                page_url = None
            if not page or not page_url:
                break
            if cursor_time is None and len(entries) >= wanted:
                break
            if cursor_time is not None and min(stamp for _, stamp in page) <= cursor_time:
                break
        entries.sort(key=lambda pt: pt[1], reverse=True)
        if cursor_time is None:
            chosen = entries[:wanted]
        else:
            chosen = [(post, stamp) for post, stamp in entries if stamp > cursor_time]
        posts = [post for post, _ in chosen] + tombstones
        stamps = [stamp for _, stamp in chosen]
        new_cursor = iso(max(stamps)) if stamps else cursor
        subtitle = html_to_text(str(feed.get("subtitle") or feed.get("description") or ""))
        assert first_response is not None
        new_state = next_state(
            state,
            etag=first_response.headers.get("ETag"),
            modified=first_response.headers.get("Last-Modified"),
            subtitle=subtitle or None,
        )
        result = FetchResult(posts, new_cursor, subtitle or None, new_state, notes=notes)
        return self._comments(account, url, result, first_response, feed)

    def _comments(
        self,
        account: AccountLike,
        url: str,
        result: FetchResult,
        response: requests.Response | None,
        feed: Mapping[str, Any],
    ) -> FetchResult:
        """`result` with the blog's comments added when the account monitors them (see
        `connectors.blog_comments`); a failure there is a note, never a failed fetch."""
        if not getattr(account, "comments", False):
            return result
        source = comments_source(url, response, feed, result.state, same_site)
        user_agent = self.settings.user_agent

        def get(target: str, headers: dict[str, str], what: str) -> requests.Response:
            return self._get(target, {"User-Agent": user_agent, **headers}, what)

        read_blog_comments(account, result, url, source, get, self._parse, same_site, cm.utcnow())
        return result

    def _check_target(self, url: str, what: str) -> None:
        """Refuse a feed or page URL on a loopback, private, link-local or reserved address (the
        host is resolved unless replaying a cassette, which touches no network)."""
        host = urlsplit(url).hostname or ""
        addresses = [host] if _is_ip(host) else ([] if self.offline else _resolve(host))
        if host.lower() in ("localhost", "localhost.localdomain") or any(
            _internal(a) for a in addresses
        ):
            raise ConnectorError(f"{what}: refused, the host is an internal address")

    def _get(self, url: str, headers: dict[str, str], what: str) -> requests.Response:
        """GET one feed document, following redirects only on the feed's own site; transport and
        HTTP errors mapped to the error tree."""
        for _ in range(MAX_REDIRECTS + 1):
            self._check_target(url, what)
            try:
                response = requests.get(
                    url,
                    headers=headers,
                    timeout=self.settings.timeout_seconds,
                    allow_redirects=False,
                )
            except Exception as exc:
                mapped = transport_error(exc, what)
                if mapped is None:
                    raise
                raise mapped from None
            location = response.headers.get("Location")
            if response.status_code in (301, 302, 303, 307, 308) and location:
                target = urljoin(url, location)
                if not same_site(url, target):
                    raise ConnectorError(f"{what}: redirect to another host refused")
                url = target
                continue
            break
        if response.status_code >= 400:
            raise status_error(response.status_code, what, response.headers)
        if 300 <= response.status_code < 400 and response.status_code != 304:
            raise NotFound(f"{what}: HTTP {response.status_code} without a feed")
        return response

    def _parse(self, response: requests.Response, url: str, what: str) -> Any:
        """feedparser's result; TransientError for HTML pages and (strict) broken XML."""
        import feedparser  # platform library loads on first fetch (start-up speed)

        parsed = feedparser.parse(
            response.content,
            response_headers={k.lower(): v for k, v in response.headers.items()}
            | {"content-location": url},
        )
        if not parsed.get("version"):
            raise TransientError(f"{what}: the response is not an RSS or Atom feed (HTML page?)")
        problem = parsed.get("bozo_exception")
        if self.settings.strict_xml and isinstance(problem, xml.sax.SAXException):
            raise TransientError(f"{what}: the feed is not well-formed XML (truncated?)")
        return parsed


MAX_REDIRECTS = 5


def valid_url(url: str) -> bool:
    """True when `url` is an http(s) URL with a host and a numeric port, if any."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def same_site(base: str, other: str) -> bool:
    """True when `other` is on the same host and port as `base`, not downgraded to http."""
    if not (valid_url(base) and valid_url(other)):
        return False
    a, b = urlsplit(base), urlsplit(other)
    if a.scheme == "https" and b.scheme != "https":
        return False
    return (a.hostname, a.port) == (b.hostname, b.port)


def redact_url(url: str) -> str:
    """The URL without a user name or password (for messages, logs and reports)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<invalid URL>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = host + (f":{port}" if port else "")
    return parts._replace(netloc=netloc).geturl()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast


def _resolve(host: str) -> list[str]:
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError):
        return []  # the request itself will report the failure


def _next_link(feed: Mapping[str, Any]) -> str | None:
    """The RFC 5005 `rel="next"` link of a paged feed, if any."""
    for link in feed.get("links", []):
        if link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


def _when(entry: Mapping[str, Any], key: str) -> datetime | None:
    value = entry.get(f"{key}_parsed")
    return from_epoch(calendar.timegm(value)) if value else None


def _entry(entry: Mapping[str, Any], account_id: str, feed_author: str | None) -> tuple[Post, Any]:
    published = _when(entry, "published")
    updated = _when(entry, "updated")
    created = published or updated
    if created is None:
        raise TransientError("blog entry without a published or updated date")
    body = ""
    if entry.get("content"):
        body = " ".join(str(c.get("value") or "") for c in entry["content"])
    elif entry.get("summary"):
        body = str(entry["summary"])
    title = html_to_text(str(entry.get("title") or ""))
    text = "\n\n".join(part for part in (title, html_to_text(body)) if part)
    link = str(entry.get("link") or "")
    external_id = str(entry.get("id") or link or title)
    edited = updated if published and updated and updated > published else None
    post = Post(
        platform="blog",
        account=account_id,
        external_id=external_id,
        url=link,
        author=entry.get("author") or feed_author,
        created_at=created,
        text=text,
        edited_at=edited,
        raw={
            "id": external_id,
            "link": link,
            "tags": [t.get("term") for t in entry.get("tags", [])],
        },
    )
    return post, max(created, edited or created)


def _tombstones(content: bytes, account_id: str, cursor: str | None) -> list[Post]:
    """Deleted entries announced with RFC 6721 tombstones (after the cursor, if any)."""
    if b"deleted-entry" not in content:
        return []
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return []
    posts = []
    for element in root.iter(TOMBSTONE):
        ref, when = element.get("ref"), element.get("when")
        if not ref or not when:
            continue
        deleted_at = parse_time(when)
        if cursor is not None and deleted_at <= parse_time(cursor):
            continue
        link = element.find("{http://www.w3.org/2005/Atom}link")
        posts.append(
            Post(
                platform="blog",
                account=account_id,
                external_id=ref,
                url=link.get("href", "") if link is not None else "",
                author=None,
                created_at=deleted_at,
                text="",
                deleted=True,
                raw={"id": ref, "deleted_at": iso(deleted_at)},
            )
        )
    return posts
