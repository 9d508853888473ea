"""Replaying Graph API cassettes while recording which requests the connector made."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import patch

from connectors import CONNECTORS
from connectors.graph import GraphClient
from connectors.replay import ReplayAccount, cassette
from tests.support.paths import CASSETTES


def requested(
    platform: str,
    handle: str,
    name: str | Path,
    *,
    cursor: str | None = None,
    state: dict[str, Any] | None = None,
    **account: Any,
) -> tuple[Any, list[str]]:
    """Fetch with the real connector over a cassette, recording each Graph API request's path."""
    cls = CONNECTORS.get(platform)
    connector = cls(cls.Settings(), offline=True)
    acct = ReplayAccount(id="acct-1", platform=platform, handle=handle, **account)
    path = CASSETTES / platform / f"{name}.yaml" if isinstance(name, str) else name
    paths: list[str] = []
    original = GraphClient.get

    def spy(self: GraphClient, path: str, **args: Any) -> dict[str, Any]:
        paths.append(path)
        return original(self, path, **args)

    with patch.object(GraphClient, "get", spy), cassette(path):
        result = connector.fetch(acct, cursor, state)
    return result, paths
