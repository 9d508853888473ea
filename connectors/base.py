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
    user id); `notes` are human-readable remarks for the scan summary (e.g. a listing gap).
    """

    posts: list[Post]
    cursor: str | None
    profile_text: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


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
