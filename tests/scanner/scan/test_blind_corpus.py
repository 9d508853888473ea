"""The blind student-PII test corpus stays frozen: every file matches tests/data/blind/SHA256SUMS.

The corpus is never read here, only hashed: nobody working on the detector may see its text, so
a failure names files and digests, never content.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.support.paths import DATA

BLIND = DATA / "blind"
DOCS = {"SHA256SUMS", "README.md", "BRIEF.md", "STATS.md"}  # about the corpus, not frozen


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def listed() -> dict[str, str]:
    """File name -> expected digest, from `sha256sum` output ("<hex>  <name>" per line)."""
    sums = {}
    for line in (BLIND / "SHA256SUMS").read_text(encoding="ascii").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest.lower()
    return sums


def test_sha256sums_lists_every_corpus_file() -> None:
    sums = listed()
    assert {"pii_test.jsonl", "roster.csv", "staff.csv"} <= set(sums)
    on_disk = {p.name for p in BLIND.iterdir() if p.is_file() and p.name not in DOCS}
    assert on_disk == set(sums)
    assert all(len(d) == 64 and set(d) <= set("0123456789abcdef") for d in sums.values())


def test_blind_corpus_matches_sha256sums() -> None:
    expected = listed()
    actual = {name: sha256_of(BLIND / name) for name in expected}
    assert actual == expected, "the frozen blind corpus was changed; restore it from git"
