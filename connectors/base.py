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
    """The registry fields a connector may read (satisfied by `scanner.config.AccountConfig`)."""

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


class ConnectorError(Exception):
    """Base of every error a connector raises. Messages never contain tokens or post text."""

    retryable: ClassVar[bool] = False


class AuthError(ConnectorError):
    """Credentials rejected or missing permission (401/403)."""


class NotFound(ConnectorError):
    """The account, page or feed does not exist or is not visible (404)."""


class RateLimited(ConnectorError):
    """The platform asked us to slow down (429). `retry_at` is when to try again, if known.

    `capped` marks a usage cap (X `problems/usage-capped`): not retried until an operator acts.
    """

    retryable = True

    def __init__(self, message: str, retry_at: datetime | None = None, capped: bool = False):
        super().__init__(message)
        self.retry_at = retry_at
        self.capped = capped
        if capped:
            self.retryable = False


class TransientError(ConnectorError):
    """Server error, timeout, malformed or HTML response: try again on the next run."""

    retryable = True
