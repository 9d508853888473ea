"""Frozen test corpora: a folder's `SHA256SUMS` (`sha256sum` output) and the files it lists.

Only digests are compared, never content, so a failure names files, not a blind corpus's text.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_of(path: Path) -> str:
    """The hex SHA-256 digest of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def listed(folder: Path) -> dict[str, str]:
    """File name -> expected digest, from `folder/SHA256SUMS` ("<hex>  <name>" per line)."""
    sums = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="ascii").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest.lower()
    return sums
