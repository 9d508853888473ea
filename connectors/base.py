"""Connector protocol, the `Post` record every connector yields, and the connector error tree.

Every platform library's exceptions are mapped to this tree at the connector boundary, so the
pipeline never sees a praw, tweepy, facebook-sdk or requests exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class Post:
    """One post as the reader sees it, normalised across platforms."""

    platform: str
    account: str
    external_id: str
    url: str
    author: str | None
    created_at: datetime
    text: str
    edited_at: datetime | None = None
    deleted: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class FetchResult:
    """What one `fetch` returns: posts, the cursor to store, the account's profile/about text.

    `state` carries small connector-owned values to persist on the account (e.g. X's resolved
    user id); `notes` are human-readable remarks for the scan summary (e.g. a listing gap).
    """

    posts: list[Post]
    cursor: str | None
    profile_text: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@runtime_checkable
class AccountLike(Protocol):
    """The registry fields a connector may read (satisfied by `scanner.config.schema.AccountConfig`)."""

    id: str
    platform: str
    handle: str
    feed_url: str | None
    initial_posts: int


class ConnectorSettings(BaseModel):
    """Base of each connector's `platforms.<name>` settings block in scanner.yaml."""

    model_config = ConfigDict(extra="forbid")
    timeout_seconds: float = 30.0


@runtime_checkable
class Connector(Protocol):
    """A platform connector: pulls recent posts of one registered account."""

    name: ClassVar[str]
    Settings: ClassVar[type[ConnectorSettings]]

    def fetch(
        self, account: AccountLike, cursor: str | None, state: Mapping[str, Any] | None = None
    ) -> FetchResult:
        """Fetch posts newer than `cursor` (or the first `initial_posts` when it is None)."""
        ...


# --- error tree -------------------------------------------------------------------------------
