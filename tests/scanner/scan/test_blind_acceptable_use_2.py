"""The blind acceptable-use corpus 2 stays frozen and well formed.

The digest check keeps tests/data/blind_acceptable_use_2/acceptable_use.jsonl as it was written.
The shape checks parse each line but never print text: a failure names ids and fields only.
"""

from __future__ import annotations

import json

from tests.support.frozen import listed, sha256_of
from tests.support.paths import DATA

CORPUS_DIR = DATA / "blind_acceptable_use_2"
CORPUS = CORPUS_DIR / "acceptable_use.jsonl"
DOCS = {"SHA256SUMS", "README.md"}  # about the corpus, not frozen
LABELS = {"profanity", "harassment", "threat", "self_harm"}
KEYS = {"id", "kind", "author_role", "text", "acceptable_use"}


def records() -> list[dict]:
    rows = []
    for number, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            raise AssertionError(f"line {number} is not valid JSON") from None
    return rows


def test_sha256sums_lists_every_corpus_file() -> None:
    sums = listed(CORPUS_DIR)
    assert set(sums) == {"acceptable_use.jsonl"}
    on_disk = {p.name for p in CORPUS_DIR.iterdir() if p.is_file() and p.name not in DOCS}
    assert on_disk == set(sums)
    assert all(len(d) == 64 and set(d) <= set("0123456789abcdef") for d in sums.values())


def test_blind_corpus_matches_sha256sums() -> None:
    expected = listed(CORPUS_DIR)
    actual = {name: sha256_of(CORPUS_DIR / name) for name in expected}
    assert actual == expected, "the frozen blind corpus was changed; restore it from git"


def test_every_line_has_valid_fields() -> None:
    rows = records()
    assert 200 <= len(rows) <= 300
    bad = []
    for number, row in enumerate(rows, start=1):
        ok = (
            isinstance(row, dict)
            and set(row) == KEYS
            and row["id"] == f"au2-{number:03d}"
            and row["kind"] in {"post", "comment"}
            and row["author_role"] in {"account", "other"}
            and isinstance(row["text"], str)
            and row["text"].strip() != ""
            and isinstance(row["acceptable_use"], list)
            and set(row["acceptable_use"]) <= LABELS
            and len(set(row["acceptable_use"])) == len(row["acceptable_use"])
        )
        if not ok:
            bad.append(row.get("id", f"line {number}") if isinstance(row, dict) else number)
    assert not bad, f"malformed records: {bad}"


def test_every_label_and_the_acceptable_class_are_represented() -> None:
    rows = records()
    counts = {label: sum(label in row["acceptable_use"] for row in rows) for label in LABELS}
    clean = sum(not row["acceptable_use"] for row in rows)
    assert all(n >= 30 for n in counts.values()), counts
    assert clean >= 100
    assert len({row["text"] for row in rows}) == len(rows), "duplicate texts"
