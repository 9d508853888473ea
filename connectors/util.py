"""Small helpers shared by the connectors: secrets, timestamps, state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.errors import AuthError, SecretError
from scanner.secrets import Secret


def resolve_secret(
    secret: Secret | None,
    *,
    platform: str,
    field: str,
    offline: bool,
    config_dir: Path | None,
    required: bool = True,
) -> str | None:
    """The secret's value; a placeholder when replaying offline; AuthError naming the reference.

    The value itself never appears in a message.
    """
    if offline:
        return f"replay-{field.replace('_', '-')}" if (secret or required) else None
    if secret is None:
        if not required:
            return None
        raise AuthError(
            f"{platform}: {field} is not configured; set it in scanner.yaml "
            f'platforms.{platform}.{field} as {{"$env": "NAME"}}'
        )
    try:
        return secret.reveal(config_dir)
    except SecretError as exc:
        if secret.env:
            raise AuthError(f"{platform} {field}: {secret.reference} is not set") from None
        raise AuthError(f"{platform} {field}: {exc}") from None


def from_epoch(seconds: float) -> datetime:
    """A UTC datetime from epoch seconds; ValueError when out of range (year 1 to 9999)."""
    try:
        return datetime.fromtimestamp(float(seconds), UTC)
    except (OverflowError, OSError) as exc:  # OSError: beyond the platform's time_t
        raise ValueError("epoch seconds out of range") from exc


def parse_time(value: str) -> datetime:
    """A UTC datetime from the ISO-8601 forms the platforms use (`Z`, `+0000`, `+00:00`)."""
    text = value.strip()
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso(value: datetime) -> str:
    """The canonical cursor form of a timestamp: ISO-8601 UTC with `+00:00`."""
    return value.astimezone(UTC).isoformat()


def next_state(state: Mapping[str, Any] | None, **updates: Any) -> dict[str, Any]:
    """A copy of the stored state with `updates` applied (None values remove keys)."""
    merged = dict(state or {})
    for key, value in updates.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
