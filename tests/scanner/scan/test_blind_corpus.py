"""The blind student-PII test corpus stays frozen: every file matches tests/data/blind/SHA256SUMS.

The corpus is never read here, only hashed: nobody working on the detector may see its text, so
a failure names files and digests, never content.
"""

from __future__ import annotations

from tests.support.frozen import listed, sha256_of
from tests.support.paths import DATA

BLIND = DATA / "blind"
DOCS = {"SHA256SUMS", "README.md", "BRIEF.md", "STATS.md"}  # about the corpus, not frozen


def test_sha256sums_lists_every_corpus_file() -> None:
    sums = listed(BLIND)
    assert {"pii_test.jsonl", "roster.csv", "staff.csv"} <= set(sums)
    on_disk = {p.name for p in BLIND.iterdir() if p.is_file() and p.name not in DOCS}
    assert on_disk == set(sums)
    assert all(len(d) == 64 and set(d) <= set("0123456789abcdef") for d in sums.values())


def test_blind_corpus_matches_sha256sums() -> None:
    expected = listed(BLIND)
    actual = {name: sha256_of(BLIND / name) for name in expected}
    assert actual == expected, "the frozen blind corpus was changed; restore it from git"
