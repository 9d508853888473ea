"""The local HMAC key (roster name hashes, allow-rules) kept in the state folder.

Reading never writes; only the commands that need a key create it (`ensure_local_key`), once,
readable by the owner only. A configured `roster_secret` always wins over the file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = "roster.key"


def key_path(state_dir: Path) -> Path:
    """Where the local key lives."""
    return state_dir / KEY_FILE


def read_local_key(state_dir: Path) -> bytes:
    """The local key, or b"" when none was made yet (or it cannot be read)."""
    try:
        return key_path(state_dir).read_text(encoding="ascii").strip().encode()
    except (OSError, UnicodeDecodeError):
        return b""


def ensure_local_key(state_dir: Path) -> bytes:
    """The local key, created (0600) when missing."""
    existing = read_local_key(state_dir)
    if existing:
        return existing
    path = key_path(state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32))
    return read_local_key(state_dir)
