"""Graph API client shared by the Facebook and Instagram connectors (facebook-sdk `GraphAPI`).

facebook-sdk 3.1.0 only accepts API versions 2.8–3.1 (long retired) and rejects "21.0", so the
instance's `version` attribute is set to the configured version after construction. The SDK does
not look at HTTP status codes, so a response hook remembers the last status and headers; errors are
mapped from the Graph error code first and the HTTP status second.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from connectors.base import ConnectorSettings
from connectors.http import (
    TimeoutSession,
    install_log_redaction,
    looks_like_html,
    retry_at_from_headers,
    status_error,
    transport_error,
)
from connectors.replay import normalized_path
from connectors.util import iso, next_state, parse_time, resolve_secret
from scanner.errors import AuthError, ConnectorError, NotFound, RateLimited, TransientError
from scanner.records import AccountLike, Post
from scanner.secrets import Secret

AUTH_CODES = {10, 102, 104, 190, 200, 210, 220, 230, 270, 298, 299}
RATE_CODES = {4, 17, 32, 341, 613, 80001, 80002, 80004, 80005, 80006, 80008}
TRANSIENT_CODES = {1, 2}
NOT_FOUND_CODES = {803}
RECHECK_MAX = 100
PROFILE_MAX_AGE = timedelta(days=1)


class GraphSettings(ConnectorSettings):
    """Settings shared by the Graph API connectors (`platforms.facebook`, `platforms.instagram`)."""

    access_token: Secret | None = None
    graph_version: str = "21.0"
    recheck_hours: float = 48.0


class GraphClient:
    """A thin, error-mapping wrapper around `facebook.GraphAPI`."""

    def __init__(self, access_token: str, version: str, timeout: float, what: str):
        import facebook  # platform library loads on first fetch (start-up speed)

        install_log_redaction()
        self.what = what
        self.session = TimeoutSession(timeout)
        self.session.hooks["response"].append(self._remember)
        self.last: requests.Response | None = None
        self.api = facebook.GraphAPI(
            access_token=access_token, timeout=timeout, session=self.session
        )
        self.api.version = "v" + version.lstrip("v")

    def _remember(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        self.last = response

    def get(self, path: str, **args: Any) -> dict[str, Any]:
        """GET `/{version}/{path}` with query `args`; errors mapped to the connector error tree."""
        self.last = None
        try:
            result = self.api.request(f"{self.api.version}/{path.lstrip('/')}", dict(args))
        except Exception as exc:
            raise self.map_error(exc) from None
        if not isinstance(result, dict):
            raise TransientError(f"{self.what}: unexpected Graph API response")
        return result

    def pages(self, path: str, **args: Any) -> Iterator[dict[str, Any]]:
        """Items of a collection edge, following `paging.next` until it ends."""
        for items, _more in self.page_lists(path, **args):
            yield from items

    def page_lists(self, path: str, **args: Any) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """(items, whether a next page exists) per page of a collection edge; the next page is
        requested only when the caller asks for more."""
        yield from self.follow(self.get(path, **args))

    def follow(self, page: Mapping[str, Any]) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """(items, more) of an edge already read (e.g. a nested `replies` edge), then of the
        pages its `paging.next` links name."""
        while True:
            following = (page.get("paging") or {}).get("next")
            yield list(page.get("data") or []), bool(following)
            if not following:
                return
            url = urlparse(str(following))
            path = normalized_path(url.path).lstrip("/")
            args = {k: v[-1] for k, v in parse_qs(url.query).items() if k != "access_token"}
            page = self.get(path, **args)

    def map_error(self, exc: BaseException) -> ConnectorError:
        """facebook-sdk/requests/vcrpy exception → error tree; never carries the token."""
        import facebook  # platform library loads on first fetch (start-up speed)

        what = self.what
        response = self.last
        status = response.status_code if response is not None else None
        headers = response.headers if response is not None else None
        if isinstance(exc, facebook.GraphAPIError):
            result = exc.result if isinstance(exc.result, dict) else {}
            raw_error = result.get("error")
            error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
            code, subcode = error.get("code"), error.get("error_subcode")
            detail = f"Graph error {code}" + (f"/{subcode}" if subcode else "")
            if code is None:
                if looks_like_html(response):
                    if status is not None and status >= 400:
                        return status_error(status, what, headers, detail="HTML error page")
                    return TransientError(f"{what}: an HTML page came back instead of API data")
                if status is not None and status >= 400:
                    return status_error(status, what, headers)
                return TransientError(f"{what}: unexpected Graph API response")
            if code == 100 and subcode == 33 or code in NOT_FOUND_CODES:
                return NotFound(f"{what}: object does not exist or was deleted ({detail})")
            if code in AUTH_CODES or str(error.get("type")) == "OAuthException" and code == 190:
                return AuthError(f"{what}: access token rejected or missing permission ({detail})")
            if code in RATE_CODES or status == 429:
                retry_at = retry_at_from_headers(headers)
                return RateLimited(f"{what}: rate limited ({detail})", retry_at)
            if code in TRANSIENT_CODES or error.get("is_transient"):
                return TransientError(f"{what}: temporary Graph API error ({detail})")
            if status is not None and status != 400:
                return status_error(status, what, headers, detail=detail)
            return ConnectorError(f"{what}: Graph API refused the request ({detail})")
        if isinstance(exc, KeyError) and exc.args == ("content-type",):
            if status is not None and status >= 400:
                return status_error(status, what, headers)
            return TransientError(f"{what}: response without a content type")
        mapped = transport_error(exc, what)
        if mapped is not None:
            if status is not None and status >= 400 and "malformed JSON" in str(mapped):
                return status_error(status, what, headers, detail="malformed JSON")
            return mapped
        return ConnectorError(f"{what}: {type(exc).__name__}")


def walk(
    items: Iterator[dict[str, Any]],
    *,
    time_key: str,
    cursor: str | None,
    initial_posts: int,
    recheck_hours: float,
) -> list[dict[str, Any]]:
    """Items of a newest-first edge to return: the first `initial_posts` when there is no cursor,
    else everything newer than the cursor time plus `recheck_hours` behind it."""
    out: list[dict[str, Any]] = []
    if cursor is None:
        for item in items:
            out.append(item)
            if len(out) >= initial_posts:
                break
        return out
    cursor_time = parse_time(cursor)
    floor = cursor_time - timedelta(hours=max(recheck_hours, 0))
    for item in items:
        created = parse_time(item[time_key])
        if created < floor or (recheck_hours <= 0 and created <= cursor_time):
            break
        out.append(item)
    return out


def recheck_deleted(
    client: GraphClient,
    state: Mapping[str, Any],
    seen: set[str],
    cursor: str | None,
    recheck_hours: float,
) -> list[tuple[str, str, str]]:
    """(id, created ISO, url) of recently seen objects that the edge no longer lists and that
    the Graph API reports as deleted (error 100, subcode 33)."""
    if cursor is None or recheck_hours <= 0:
        return []
    floor = parse_time(cursor) - timedelta(hours=recheck_hours)
    gone = []
    recent: Mapping[str, list[str]] = state.get("recent") or {}
    missing = [k for k, v in recent.items() if k not in seen and parse_time(v[0]) >= floor]
    for object_id in missing[:RECHECK_MAX]:
        try:
            client.get(object_id, fields="id")
        except NotFound:
            created, url = recent[object_id][:2]
            gone.append((object_id, created, url))
    return gone


def recent_state(
    state: Mapping[str, Any],
    entries: list[tuple[str, datetime, str]],
    deleted: list[str],
    cursor: str | None,
    recheck_hours: float,
) -> dict[str, list[str]] | None:
    """{id: [created ISO, url]} of objects within the recheck window behind the new cursor."""
    if recheck_hours <= 0 or cursor is None:
        return None
    recent = {k: list(v) for k, v in (state.get("recent") or {}).items() if k not in deleted}
    for object_id, created, url in entries:
        recent[object_id] = [iso(created), url]
    floor = parse_time(cursor) - timedelta(hours=recheck_hours)
    kept = sorted(
        ((k, v) for k, v in recent.items() if parse_time(v[0]) >= floor),
        key=lambda kv: kv[1][0],
        reverse=True,
    )
    return dict(kept[:RECHECK_MAX]) or None


def utcnow() -> datetime:
    """The current time (a seam for tests of the once-a-day profile cache)."""
    return datetime.now(UTC)


def profile_due(account: AccountLike, state: Mapping[str, Any], now: datetime) -> bool:
    """Whether to request the profile/about text: only for accounts whose profile disclaimer
    counts, and at most once a day (the text and its time are cached in the account state)."""
    if not account.profile_disclaimer_counts:
        return False
    try:
        return now - parse_time(str(state["profile_at"])) >= PROFILE_MAX_AGE
    except (KeyError, ValueError, TypeError):
        return True


def cached_profile(account: AccountLike, state: Mapping[str, Any]) -> str | None:
    """The profile text last read (None when the profile does not count or was never read)."""
    if not account.profile_disclaimer_counts:
        return None
    return str(state.get("profile_text") or "").strip() or None


def profile_note(label: str, exc: ConnectorError, cached: str | None) -> str:
    """The scan note for a failed profile request (the posts are fetched anyway)."""
    kept = "the last text read is used" if cached else "no profile text is known yet"
    return f"{label}: profile/about text not read ({type(exc).__name__}: {exc}); {kept}"


def graph_client(
    settings: GraphSettings,
    platform: str,
    what: str,
    *,
    offline: bool,
    config_dir: Path | None,
) -> GraphClient:
    """A `GraphClient` with the platform's access token (a placeholder when `offline`)."""
    token = resolve_secret(
        settings.access_token,
        platform=platform,
        field="access_token",
        offline=offline,
        config_dir=config_dir,
    )
    return GraphClient(token or "", settings.graph_version, settings.timeout_seconds, what)


def finish_fetch(
    platform: str,
    account_id: str,
    author: str | None,
    posts: list[Post],
    gone: list[tuple[str, str, str]],
    state: Mapping[str, Any],
    cursor: str | None,
    hours: float,
    **extra_state: Any,
) -> tuple[list[Post], str | None, dict[str, Any]]:
    """Posts plus deleted records for `gone`, the new cursor (newest live post if it moved
    forward) and the next state (`extra_state` then the refreshed `recent` window)."""
    posts = posts + [
        Post(
            platform=platform,
            account=account_id,
            external_id=object_id,
            url=url,
            author=author,
            created_at=parse_time(created),
            text="",
            deleted=True,
        )
        for object_id, created, url in gone
    ]
    newest = max((p.created_at for p in posts if not p.deleted), default=None)
    new_cursor = iso(newest) if newest and (not cursor or newest > parse_time(cursor)) else cursor
    recent = recent_state(
        state,
        [(p.external_id, p.created_at, p.url) for p in posts if not p.deleted],
        [g[0] for g in gone],
        new_cursor,
        hours,
    )
    return posts, new_cursor, next_state(state, **extra_state, recent=recent)
