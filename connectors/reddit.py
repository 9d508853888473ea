"""Reddit connector (praw): a user's or a subreddit's new submissions, incremental by fullname.

`u/NAME` → the user's submissions (`/user/NAME/submitted`, sort new); `r/NAME` → the subreddit's
new listing. The cursor is the newest fullname seen (`t3_…`); later fetches walk the new listing
until they meet it, then keep reading `recheck_hours` further back so that edits and deletions of
recent posts are seen. Reddit listings stop near 1,000 items: a larger gap is reported in `notes`.

Economy: the about text (`/r/NAME/about`, `/user/NAME/about`) is requested only for accounts whose
profile disclaimer counts, at most once a day (cached in `state`); comments only for accounts that
monitor them (`connectors.reddit_comments`). Needs the `read` OAuth scope (app-only is enough).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from connectors import comments as cm
from connectors.base import ConnectorSettings, FetchResult, Follower, FollowerPage
from connectors.http import HttpConnector, mapped_errors, status_error, transport_error
from connectors.reddit_comments import read_comments
from connectors.util import from_epoch, iso, next_state, resolve_secret
from scanner.errors import AuthError, ConnectorError, NotFound, TransientError
from scanner.records import AccountLike, ConnectorInfo, Post
from scanner.secrets import Secret

LISTING_CAP = 1000
_DELETED_BODIES = {"[deleted]", "[removed]"}


class RedditSettings(ConnectorSettings):
    """`platforms.reddit` in scanner.yaml."""

    user_agent: str = "district-post-scanner/0.1 (school district policy monitor)"
    client_id: Secret | None = None
    client_secret: Secret | None = None
    refresh_token: Secret | None = None
    recheck_hours: float = 48.0
    # comment trees re-read per scan (one request each), newest posts first
    comment_threads_max: int = 10


def parse_handle(handle: str) -> tuple[str, str]:
    """("u" | "r", NAME) from a registry handle such as `u/NAME`, `/r/NAME` or `r/NAME/`."""
    text = handle.strip().strip("/")
    kind, _, name = text.partition("/")
    kind = kind.lower()
    if kind in ("u", "user") and name:
        return "u", name
    if kind == "r" and name:
        return "r", name
    raise ConnectorError(f"reddit handle {handle!r} must look like u/NAME or r/NAME")


class RedditConnector(HttpConnector[RedditSettings]):
    """Fetches new submissions of one Reddit user or subreddit."""

    name: ClassVar[str] = "reddit"
    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        label="Reddit",
        comment_action=(
            "Remove the comment as a moderator of the subreddit (Mod tools > Remove), or report "
            "it to the subreddit's moderators when the account does not moderate it."
        ),
    )
    Settings: ClassVar[type[ConnectorSettings]] = RedditSettings

    # --- client ---------------------------------------------------------------------------

    def _client(self) -> Any:
        import praw  # platform library loads on first fetch (start-up speed)

        def secret(field: str, required: bool = True) -> str | None:
            return resolve_secret(
                getattr(self.settings, field),
                platform="reddit",
                field=field,
                offline=self.offline,
                config_dir=self.config_dir,
                required=required,
            )

        kwargs: dict[str, Any] = {
            "client_id": secret("client_id"),
            "client_secret": secret("client_secret"),
            "user_agent": self.settings.user_agent,
            "check_for_updates": False,
            "check_for_async": False,
            "requestor_kwargs": {"timeout": self.settings.timeout_seconds},
        }
        refresh_token = secret("refresh_token", required=False)
        if refresh_token and self.settings.refresh_token is not None:
            kwargs["refresh_token"] = refresh_token
        return praw.Reddit(**kwargs)

    # --- fetch ----------------------------------------------------------------------------

    def fetch(
        self, account: AccountLike, cursor: str | None, state: Mapping[str, Any] | None = None
    ) -> FetchResult:
        """New submissions since `cursor` (the newest fullname seen), or the first page; then,
        when the account monitors them, comments (see `connectors.reddit_comments`)."""
        kind, name = parse_handle(account.handle)
        what = f"reddit {kind}/{name}"
        with mapped_errors(_map_error, what):
            reddit = self._client()
            if kind == "r":
                listing = reddit.subreddit(name).new
            else:
                listing = reddit.redditor(name).submissions.new
            result = self._collect(account, listing, cursor, state or {})
        now = cm.utcnow()
        self._profile(reddit, kind, name, account, result, now)
        if getattr(account, "comments", False):
            read_comments(
                reddit,
                kind,
                name,
                account,
                result,
                now,
                self.settings.comment_threads_max,
                _map_error,
            )
        return result

    def _profile(
        self,
        reddit: Any,
        kind: str,
        name: str,
        account: AccountLike,
        result: FetchResult,
        now: datetime,
    ) -> None:
        """The subreddit's (or user's) about text, only for accounts whose profile disclaimer
        counts, at most once a day (cached in the state); a failure leaves a note."""
        if not getattr(account, "profile_disclaimer_counts", False):
            return
        due, cached = cm.cached_profile(result.state, now)
        result.profile_text = cached
        if not due:
            return
        path = f"/r/{name}/about" if kind == "r" else f"/user/{name}/about"
        try:
            about = reddit.request(method="GET", path=path)
            data = (about or {}).get("data") or {}
            text = _profile_text(data if kind == "r" else (data.get("subreddit") or {}))
        except Exception as exc:
            error = cm.soft_error(exc, f"reddit {kind}/{name} about", _map_error)
            result.notes.append(cm.profile_failed_note("reddit", error))
            return
        result.profile_text = text
        result.state = next_state(result.state, profile_text=text, profile_at=iso(now))

    def _collect(
        self,
        account: AccountLike,
        listing: Callable[..., Iterable[Any]],
        cursor: str | None,
        state: Mapping[str, Any],
    ) -> FetchResult:
        posts: list[Post] = []
        notes: list[str] = []
        if cursor is None:
            for submission in listing(limit=account.initial_posts):
                posts.append(_to_post(submission, account.id))
            newer = posts
        else:
            cursor_time: float | None = state.get("cursor_created_utc")
            window = self.settings.recheck_hours * 3600
            found = False
            seen = 0
            newer = []
            for seen, submission in enumerate(listing(limit=None), start=1):  # noqa: B007
                data = vars(submission)
                created = float(data["created_utc"])
                if data.get("name") == cursor:
                    found = True
                    cursor_time = created if cursor_time is None else cursor_time
                behind = found or (cursor_time is not None and created < cursor_time)
                if (
                    behind
                    and cursor_time is not None  # set whenever `behind` is
                    and (window <= 0 or created < cursor_time - window)
                ):
                    break
                post = _to_post(submission, account.id)
                posts.append(post)
                if not behind:
                    newer.append(post)
            else:
                if not found and seen >= LISTING_CAP - 10:
                    notes.append(
                        f"reddit listing ended after {seen} posts without reaching the last "
                        "seen post; older new posts may be missing (listings stop near 1,000)"
                    )
        newest = max(newer, key=lambda p: p.created_at, default=None)
        if newest is None:
            return FetchResult(posts, cursor, None, next_state(state), notes)
        new_state = next_state(state, cursor_created_utc=newest.created_at.timestamp())
        return FetchResult(posts, newest.raw["name"], None, new_state, notes)


def _profile_text(about: Mapping[str, Any]) -> str | None:
    parts = [
        str(about.get(key) or "").strip() for key in ("title", "public_description", "description")
    ]
    text = "\n\n".join(dict.fromkeys(p for p in parts if p))
    return text or None


def _to_post(submission: Any, account_id: str) -> Post:
    """A `Post` from a praw Submission, reading only loaded attributes (no lazy fetches)."""
    data = vars(submission)
    title = str(data.get("title") or "")
    body = str(data.get("selftext") or "")
    removed_by = data.get("removed_by_category")
    deleted = body in _DELETED_BODIES or removed_by is not None
    parts = [title]
    if body and body not in _DELETED_BODIES:
        parts.append(body)
    if not data.get("is_self") and data.get("url"):
        parts.append(str(data["url"]))
    edited = data.get("edited")
    author = data.get("author")
    return Post(
        platform="reddit",
        account=account_id,
        external_id=str(data["name"]),
        url=f"https://www.reddit.com{data.get('permalink') or ''}",
        author=str(author) if author else None,
        created_at=from_epoch(data["created_utc"]),
        text="\n\n".join(p for p in parts if p),
        edited_at=from_epoch(edited) if isinstance(edited, int | float) and edited > 1 else None,
        deleted=deleted,
        raw={
            "name": data["name"],
            "subreddit": str(data.get("subreddit") or ""),
            "is_self": bool(data.get("is_self")),
            "edited": edited if isinstance(edited, int | float) else False,
            "removed_by_category": removed_by,
            "link_flair_text": data.get("link_flair_text"),
        },
    )


def _map_error(exc: BaseException, what: str) -> ConnectorError | None:
    """praw/prawcore/requests/vcrpy exception → error tree (None for programming errors)."""
    import praw.exceptions  # platform library loads on first fetch (start-up speed)
    import prawcore.exceptions as pce  # platform library loads on first fetch (start-up speed)

    if isinstance(exc, pce.RequestException):
        original = exc.original_exception
        return transport_error(original, what) or TransientError(
            f"{what}: request failed ({type(original).__name__})"
        )
    if isinstance(exc, pce.BadJSON):
        return TransientError(f"{what}: malformed JSON in the response")
    if isinstance(exc, pce.Redirect):
        return NotFound(f"{what}: not found (Reddit redirected to a search page)")
    if isinstance(exc, pce.OAuthException):
        return AuthError(f"{what}: Reddit rejected the app credentials ({exc.error})")
    if isinstance(exc, pce.ResponseException):
        response = exc.response
        if _is_html(response) and response.status_code < 400:
            return TransientError(f"{what}: an HTML page came back instead of API data")
        return status_error(response.status_code, what, response.headers)
    if isinstance(exc, KeyError) and exc.args in ((401,), (403,)):
        # prawcore looks up 401/403 without a www-authenticate header in a dict and fails.
        return status_error(exc.args[0], what)
    if isinstance(exc, pce.PrawcoreException | praw.exceptions.PRAWException):
        return ConnectorError(f"{what}: {type(exc).__name__}")
    return transport_error(exc, what)


def _is_html(response: Any) -> bool:
    return "html" in str(response.headers.get("content-type", "")).lower()


# --- followers (the consent check, policy item 3) --------------------------------------------

MEMBERS_MAX = 10_000  # approved users read per check (100 per request)


class RedditFollowers(RedditConnector):
    """Approved users of the account's subreddit: `GET /r/NAME/about/contributors`
    (praw `subreddit.contributor()`).

    Access: the app must act as a moderator of the subreddit with the `access` permission
    (`platforms.reddit.refresh_token` of that moderator, scope `read`); an app-only token gets
    403, shown as the account's follower-check status. Members of a private subreddit are
    exactly its approved users. Reddit exposes no follower list of a user (`u/NAME`), and
    gives only user names (no display names), so students are matched by the roster's handles.
    """

    def fetch_followers(
        self,
        account: AccountLike,
        state: Mapping[str, Any] | None = None,  # noqa: ARG002 - the protocol's signature
    ) -> FollowerPage:
        """The subreddit's approved users (user name, user id)."""
        kind, name = parse_handle(account.handle)
        what = f"reddit {kind}/{name} approved users"
        if kind != "r":
            raise ConnectorError(f"{what}: Reddit does not expose the followers of a user")
        members: list[Follower] = []
        with mapped_errors(_map_error, what):
            reddit = self._client()
            for user in reddit.subreddit(name).contributor(limit=MEMBERS_MAX):
                data = vars(user)
                members.append(Follower("", str(data.get("name") or ""), str(data.get("id", ""))))
        complete = len(members) < MEMBERS_MAX
        notes = [] if complete else [f"only the first {len(members)} approved users were checked"]
        url = f"https://www.reddit.com/r/{name}/about/contributors"
        return FollowerPage(members, complete, url, notes)
