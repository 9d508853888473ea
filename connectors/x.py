"""X connector (tweepy `Client`, API v2): a user's tweets, incremental with `since_id`.

The handle is resolved to a user id once and kept in `state` (with the username and the bio, which
is the account's profile text). Tweets are read with `get_users_tweets`, following
`pagination_token`. An edit creates a new tweet id in the same `edit_history_tweet_ids`; the post's
`external_id` is the first id of that history, so an edited tweet replaces its earlier version.
Tweets seen within `recheck_hours` are looked up again in one `get_tweets` call, so deletions show.

Economy: the bio is the profile text only for accounts whose profile disclaimer counts; it comes
free with the user lookup and the timeline's author expansion, else one `get_user` at most once a
day. Replies (`connectors.x_comments`) only for accounts that monitor comments; they need the
Basic access level or higher (recent search); on the Free level the posts are still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from connectors import comments as cm
from connectors.base import ConnectorSettings, FetchResult, Follower, FollowerPage
from connectors.http import (
    HttpConnector,
    TimeoutSession,
    looks_like_html,
    mapped_errors,
    status_error,
    transport_error,
)
from connectors.util import iso, next_state, parse_time, resolve_secret
from connectors.x_comments import read_replies
from connectors.x_common import snowflake_time, tweet_text
from scanner.errors import AuthError, ConnectorError, NotFound, TransientError
from scanner.records import AccountLike, ConnectorInfo, Post
from scanner.secrets import Secret

TWEET_FIELDS = ["created_at", "edit_history_tweet_ids", "entities", "attachments", "author_id"]
MEDIA_FIELDS = ["type", "alt_text"]
USER_FIELDS = ["description", "username", "name"]
RECHECK_MAX = 100


class XSettings(ConnectorSettings):
    """`platforms.x` in scanner.yaml."""

    bearer_token: Secret | None = None
    recheck_hours: float = 48.0


class XConnector(HttpConnector[XSettings]):
    """Fetches tweets of one X account."""

    name: ClassVar[str] = "x"
    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        label="X",
        comment_action=(
            "Hide the reply from the account's post (the reply's menu > Hide reply), or report it "
            "to X; only its author can delete it."
        ),
    )
    Settings: ClassVar[type[ConnectorSettings]] = XSettings

    def _client(self) -> Any:
        import tweepy  # platform library loads on first fetch (start-up speed)

        token = resolve_secret(
            self.settings.bearer_token,
            platform="x",
            field="bearer_token",
            offline=self.offline,
            config_dir=self.config_dir,
        )
        client = tweepy.Client(bearer_token=token, wait_on_rate_limit=False)
        client.session = TimeoutSession(self.settings.timeout_seconds)
        return client

    def fetch(
        self, account: AccountLike, cursor: str | None, state: Mapping[str, Any] | None = None
    ) -> FetchResult:
        """Tweets newer than `cursor` (a tweet id), or the newest `initial_posts`."""
        username = account.handle.strip().lstrip("@")
        what = f"x @{username}"
        state = dict(state or {})
        bio: dict[str, Any] = {}  # the bio, when a request of this fetch brought it for free
        with mapped_errors(_map_error, what):
            client = self._client()
            if state.get("user_id") and state.get("handle") == username.lower():
                user_id, screen_name = str(state["user_id"]), str(state.get("username") or username)
            else:
                user = _data_or_raise(
                    client.get_user(username=username, user_fields=USER_FIELDS), what
                )
                user_id, screen_name = str(user["id"]), str(user.get("username") or username)
                bio["text"] = user.get("description")
            tweets, users, media = self._timeline(client, user_id, account, cursor)
            for user in users:
                if str(user.get("id")) == user_id:
                    screen_name = str(user.get("username") or screen_name)
                    if "description" in user:
                        bio["text"] = user["description"]
            posts = _merge_edits(tweets, media, screen_name, account.id)
            deleted = self._recheck(client, state, posts, screen_name, account.id)

        newest = max((int(t["id"]) for t in tweets), default=None)
        new_cursor = str(newest) if newest is not None else cursor
        new_state = next_state(
            state,
            user_id=user_id,
            handle=username.lower(),
            username=screen_name,
            recent=_recent(state, posts, deleted, self.settings.recheck_hours),
        )
        result = FetchResult(posts + deleted, new_cursor, None, new_state)
        now = cm.utcnow()
        self._profile(client, username, account, result, bio, now)
        if getattr(account, "comments", False):
            read_replies(client, user_id, screen_name, account, result, now, _map_error)
        return result

    def _profile(
        self,
        client: Any,
        username: str,
        account: AccountLike,
        result: FetchResult,
        bio: Mapping[str, Any],
        now: datetime,
    ) -> None:
        """The bio, only for accounts whose profile disclaimer counts: free when the user lookup
        or the timeline's author expansion brought it, else looked up at most once a day."""
        if not getattr(account, "profile_disclaimer_counts", False):
            result.state = next_state(result.state, description=None, profile_at=None)
            return
        due, cached = cm.cached_profile(result.state, now, key="description")
        text: str | None = cached
        if "text" in bio:
            text, due = (bio["text"] or None), False
            result.state = next_state(result.state, description=text, profile_at=iso(now))
        if due:
            try:
                user = _data_or_raise(
                    client.get_user(username=username, user_fields=USER_FIELDS), f"x @{username}"
                )
                text = user.get("description") or None
                result.state = next_state(result.state, description=text, profile_at=iso(now))
            except Exception as exc:
                error = cm.soft_error(exc, f"x @{username} profile", _map_error)
                result.notes.append(cm.profile_failed_note("x", error))
        result.profile_text = text

    def _timeline(
        self, client: Any, user_id: str, account: AccountLike, cursor: str | None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, dict[str, Any]]]:
        """All tweets newer than `cursor` (or the first `initial_posts`), following pages."""
        wanted = None if cursor else max(1, account.initial_posts)
        params: dict[str, Any] = {
            "tweet_fields": TWEET_FIELDS,
            "expansions": ["author_id", "attachments.media_keys"],
            "media_fields": MEDIA_FIELDS,
            "user_fields": USER_FIELDS,
            "max_results": 100 if wanted is None else min(100, max(5, wanted)),
        }
        if cursor:
            params["since_id"] = cursor
        tweets: list[dict[str, Any]] = []
        users: list[dict[str, Any]] = []
        media: dict[str, dict[str, Any]] = {}
        token = None
        while True:
            response = client.get_users_tweets(user_id, pagination_token=token, **params)
            if response.data is None and response.errors and not response.meta:
                raise _problem_error(response.errors, f"x user {user_id}")
            tweets.extend(t.data for t in response.data or [])
            includes = response.includes or {}
            users.extend(u.data for u in includes.get("users", []))
            media.update({m.data["media_key"]: m.data for m in includes.get("media", [])})
            token = (response.meta or {}).get("next_token")
            if not token or (wanted is not None and len(tweets) >= wanted):
                break
        if wanted is not None:
            tweets = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)[:wanted]
        return tweets, users, media

    def _recheck(
        self,
        client: Any,
        state: Mapping[str, Any],
        posts: list[Post],
        screen_name: str,
        account_id: str,
    ) -> list[Post]:
        """Deleted posts among the recently seen ones (looked up again in one call)."""
        recent: dict[str, list[str]] = dict(state.get("recent") or {})
        current = {p.external_id for p in posts}
        ids = [tid for tid in recent if tid not in current][:RECHECK_MAX]
        if not ids:
            return []
        response = client.get_tweets(ids, tweet_fields=["edit_history_tweet_ids"])
        gone = set()
        for error in response.errors or []:
            if str(error.get("type", "")).endswith("resource-not-found"):
                gone.add(str(error.get("resource_id") or error.get("value")))
        deleted = []
        for tid in ids:
            if tid in gone:
                created, latest = recent[tid]
                deleted.append(
                    Post(
                        platform="x",
                        account=account_id,
                        external_id=tid,
                        url=f"https://x.com/{screen_name}/status/{latest}",
                        author=screen_name,
                        created_at=parse_time(created),
                        text="",
                        deleted=True,
                        raw={"id": latest},
                    )
                )
        return deleted


def _data_or_raise(response: Any, what: str) -> dict[str, Any]:
    if response.data is None:
        raise _problem_error(response.errors or [], what)
    return response.data.data


def _problem_error(errors: list[dict[str, Any]], what: str) -> ConnectorError:
    """An X "problem" carried in a 200 response (unknown or suspended user) → error tree."""
    kinds = " ".join(str(e.get("type", "")) + " " + str(e.get("title", "")) for e in errors)
    if "not-authorized" in kinds or "Authorization Error" in kinds:
        return AuthError(f"{what}: not authorized to read this account")
    if "not-found" in kinds or "Not Found" in kinds:
        return NotFound(f"{what}: no such account")
    if "Forbidden" in kinds or "suspended" in kinds.lower():
        return NotFound(f"{what}: account suspended or unavailable")
    return ConnectorError(f"{what}: X reported a problem ({kinds.strip()[:120]})")


def _merge_edits(
    tweets: list[dict[str, Any]],
    media: Mapping[str, Mapping[str, Any]],
    screen_name: str,
    account_id: str,
) -> list[Post]:
    """One post per edit history, carrying the latest version's text."""
    latest: dict[str, dict[str, Any]] = {}
    for tweet in tweets:
        history = [str(i) for i in tweet.get("edit_history_tweet_ids") or [tweet["id"]]]
        original = history[0]
        if original not in latest or int(tweet["id"]) > int(latest[original]["id"]):
            latest[original] = tweet
    posts = []
    for original, tweet in latest.items():
        history = [str(i) for i in tweet.get("edit_history_tweet_ids") or [tweet["id"]]]
        version_time = (
            parse_time(tweet["created_at"]) if tweet.get("created_at") else None
        ) or snowflake_time(tweet["id"])
        edited = len(history) > 1 or str(tweet["id"]) != original
        posts.append(
            Post(
                platform="x",
                account=account_id,
                external_id=original,
                url=f"https://x.com/{screen_name}/status/{tweet['id']}",
                author=screen_name,
                created_at=snowflake_time(original) if edited else version_time,
                text=tweet_text(tweet, media),
                edited_at=version_time if edited else None,
                raw={
                    "id": str(tweet["id"]),
                    "edit_history_tweet_ids": history,
                    "media_types": [
                        (media.get(k) or {}).get("type")
                        for k in (tweet.get("attachments") or {}).get("media_keys", [])
                    ],
                },
            )
        )
    return posts


def _recent(
    state: Mapping[str, Any], posts: list[Post], deleted: list[Post], hours: float
) -> dict[str, list[str]] | None:
    """Ids seen within the recheck window: {original id: [created ISO, latest id]}."""
    if hours <= 0:
        return None
    cutoff = datetime.now(UTC) - timedelta(hours=hours)
    recent = {k: list(v) for k, v in (state.get("recent") or {}).items()}
    for post in posts:
        recent[post.external_id] = [iso(post.created_at), str(post.raw.get("id"))]
    for post in deleted:
        recent.pop(post.external_id, None)
    kept = {k: v for k, v in recent.items() if parse_time(v[0]) >= cutoff}
    newest = sorted(kept.items(), key=lambda kv: kv[1][0], reverse=True)[:RECHECK_MAX]
    return dict(newest) or None


def _map_error(exc: BaseException, what: str) -> ConnectorError | None:
    """tweepy/requests/vcrpy exception → error tree (None for programming errors)."""
    import tweepy  # platform library loads on first fetch (start-up speed)

    if isinstance(exc, tweepy.HTTPException):
        response = exc.response
        status = response.status_code
        if looks_like_html(response) and status < 400:
            return TransientError(f"{what}: an HTML page came back instead of API data")
        capped = False
        if status == 429:
            try:
                capped = str(response.json().get("type", "")).endswith("usage-capped")
            except ValueError:
                capped = False
        return status_error(status, what, response.headers, capped=capped)
    if isinstance(exc, tweepy.TweepyException):
        return ConnectorError(f"{what}: {type(exc).__name__}")
    mapped = transport_error(exc, what)
    if mapped is not None and "malformed JSON" in str(mapped):
        return TransientError(f"{what}: the response was not JSON (malformed or an HTML page)")
    return mapped


# --- followers (the consent check, policy item 3) --------------------------------------------

FOLLOWERS_PAGE = 1000  # the most the endpoint returns per request
FOLLOWERS_MAX = 10_000  # per check: 10 requests of the 15 per 15 minutes the endpoint allows


class XFollowers(XConnector):
    """The account's followers: `GET /2/users/:id/followers` (tweepy `get_users_followers`).

    Access: X removed the follows-lookup endpoints from the Basic and Pro tiers (tweepy's
    documentation, X API changelog 2023), so this needs Enterprise access; on a lower tier X
    answers 403 and the account's follower check shows that, while its posts are still
    scanned. Only `id`, `name` and `username` are read; at most `FOLLOWERS_MAX` per check.
    """

    def fetch_followers(
        self, account: AccountLike, state: Mapping[str, Any] | None = None
    ) -> FollowerPage:
        """The account's followers (display name, username, user id)."""
        username = account.handle.strip().lstrip("@")
        what = f"x @{username} followers"
        state = state or {}
        followers: list[Follower] = []
        complete = True
        try:
            client = self._client()
            if state.get("user_id") and state.get("handle") == username.lower():
                user_id = str(state["user_id"])
            else:
                user_id = str(_data_or_raise(client.get_user(username=username), what)["id"])
            token = None
            while True:
                response = client.get_users_followers(
                    user_id,
                    max_results=FOLLOWERS_PAGE,
                    pagination_token=token,
                    user_fields=["name", "username"],
                )
                if response.data is None and response.errors and not response.meta:
                    raise _problem_error(response.errors, what)
                followers.extend(
                    Follower(str(u.data.get("name") or ""), str(u.data.get("username") or ""))
                    for u in response.data or []
                )
                token = (response.meta or {}).get("next_token")
                if not token:
                    break
                if len(followers) >= FOLLOWERS_MAX:
                    complete = False
                    break
        except ConnectorError:
            raise
        except Exception as exc:
            mapped = _map_error(exc, what)
            if mapped is None:
                raise
            if isinstance(mapped, AuthError) and "403" in str(mapped):
                raise AuthError(
                    f"{what}: HTTP 403; reading followers needs X API Enterprise access "
                    "(not in the Basic or Pro tiers)"
                ) from None
            raise mapped from None
        notes = [] if complete else [f"only the first {len(followers)} followers were checked"]
        return FollowerPage(followers, complete, f"https://x.com/{username}/followers", notes)
