"""The connector protocol, `FetchResult` and the settings base every connector extends.

Connectors yield `scanner.records.Post` and map every platform library's exceptions to the
`scanner.errors.ConnectorError` tree at their boundary, so the pipeline never sees a praw,
tweepy, facebook-sdk or requests exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from scanner.records import AccountLike, ConnectorInfo, Post


@dataclass
class FetchResult:
    """What one `fetch` returns: posts, the cursor to store, the account's profile/about text.

    `state` carries small connector-owned values to persist on the account (e.g. X's resolved
    user id, the comments cursor); `notes` are human-readable remarks for the scan summary (e.g.
    a listing gap, comments the access level does not allow). `posts` holds the account's posts
    and, when the account monitors comments, comments (`Post.kind == "comment"`).
    `complete_threads`: posts whose whole comment thread was read this time, so a stored comment
    of theirs that is missing now was deleted.
    """

    posts: list[Post]
    cursor: str | None
    profile_text: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    complete_threads: list[str] = field(default_factory=list)


class ConnectorSettings(BaseModel):
    """Base of each connector's `platforms.<name>` settings block in scanner.yaml."""

    model_config = ConfigDict(extra="forbid")
    timeout_seconds: float = 30.0


@runtime_checkable
class Connector(Protocol):
    """A platform connector: pulls recent posts of one registered account."""

    name: ClassVar[str]
    info: ClassVar[ConnectorInfo]
    Settings: ClassVar[type[ConnectorSettings]]

    def fetch(
        self, account: AccountLike, cursor: str | None, state: Mapping[str, Any] | None = None
    ) -> FetchResult:
        """Fetch posts newer than `cursor` (or the first `initial_posts` when it is None)."""
        ...


@dataclass(frozen=True)
class Follower:
    """One follower or member of an account: only what the consent check matches on."""

    display_name: str
    handle: str
    user_id: str = ""


@dataclass
class FollowerPage:
    """What one `fetch_followers` returns. `complete`: the whole list was read (so a student
    missing from it has left); `url`: where the sponsor manages the followers, if anywhere."""

    followers: list[Follower]
    complete: bool = True
    url: str = ""
    notes: list[str] = field(default_factory=list)


@runtime_checkable
class FollowerSource(Protocol):
    """Optional capability: the account's followers/members, read with the account's own
    token. Registered per platform in `connectors.FOLLOWER_SOURCES`."""

    def fetch_followers(
        self, account: AccountLike, state: Mapping[str, Any] | None = None
    ) -> FollowerPage:
        """The followers (or members) of `account`; `state` is the account's stored state."""
        ...
