"""The blind comments corpora stay frozen and well-formed.

`tests/data/blind_comments/` holds two blind corpora (student PII in comments; acceptable use).
They are hashed against SHA256SUMS and checked for structure only: failures name files, line
numbers and fields, never the text, so nobody working on the detectors sees its content.
"""

from __future__ import annotations

import json

import pytest

from tests.support.frozen import listed, sha256_of
from tests.support.paths import DATA

BLIND = DATA / "blind_comments"
DOCS = {"SHA256SUMS", "README.md", "STATS.md"}  # about the corpora, not frozen
PII = "pii_comments.jsonl"
AUP = "acceptable_use.jsonl"

PII_LABELS = {"STUDENT_NAME", "STUDENT_ID", "STUDENT_CONTACT", "STUDENT_DOB"}
AUP_CATEGORIES = ("profanity", "harassment", "threat", "self_harm")
PLATFORMS = {"facebook", "instagram", "x", "reddit", "blog"}
ROLES = {"account", "other"}


def records(name: str) -> list[dict]:
    rows = []
    lines = (BLIND / name).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"{name}:{number}: not valid JSON")
        assert isinstance(rec, dict), f"{name}:{number}: not a JSON object"
        rows.append(rec)
    return rows


def test_sha256sums_lists_every_corpus_file() -> None:
    sums = listed(BLIND)
    assert set(sums) == {PII, AUP}
    on_disk = {p.name for p in BLIND.iterdir() if p.is_file() and p.name not in DOCS}
    assert on_disk == set(sums)
    assert all(len(d) == 64 and set(d) <= set("0123456789abcdef") for d in sums.values())


def test_blind_comments_match_sha256sums() -> None:
    expected = listed(BLIND)
    actual = {name: sha256_of(BLIND / name) for name in expected}
    assert actual == expected, "a frozen blind comments corpus was changed; restore it from git"


def test_pii_comments_are_well_formed() -> None:
    rows = records(PII)
    assert len(rows) >= 150
    ids = [rec.get("id") for rec in rows]
    assert len(set(ids)) == len(ids), f"{PII}: duplicate ids"
    with_pii = 0
    for number, rec in enumerate(rows, 1):
        where = f"{PII}:{number}"
        keys = {"id", "platform", "account", "kind", "author_role", "text", "spans"}
        assert set(rec) == keys, f"{where}: fields"
        assert isinstance(rec["id"], str) and rec["id"].startswith("pc-"), f"{where}: id"
        assert rec["platform"] in PLATFORMS, f"{where}: platform"
        assert isinstance(rec["account"], str) and rec["account"], f"{where}: account"
        assert rec["kind"] == "comment", f"{where}: kind"
        assert rec["author_role"] in ROLES, f"{where}: author_role"
        text = rec["text"]
        assert isinstance(text, str) and text.strip(), f"{where}: text"
        assert isinstance(rec["spans"], list), f"{where}: spans"
        previous_end = 0
        for span in sorted(rec["spans"], key=lambda s: (s.get("start", -1), s.get("end", -1))):
            assert set(span) == {"start", "end", "label"}, f"{where}: span fields"
            start, end = span["start"], span["end"]
            assert isinstance(start, int) and isinstance(end, int), f"{where}: span offsets"
            assert 0 <= start < end <= len(text), f"{where}: span out of range"
            assert start >= previous_end, f"{where}: overlapping spans"
            assert span["label"] in PII_LABELS, f"{where}: span label"
            value = text[start:end]
            assert value == value.strip(), f"{where}: span has edge whitespace"
            previous_end = end
        with_pii += bool(rec["spans"])
    # both student PII and trap-only lines are present
    assert 0 < with_pii < len(rows)


def test_acceptable_use_lines_are_well_formed() -> None:
    rows = records(AUP)
    assert len(rows) >= 200
    ids = [rec.get("id") for rec in rows]
    assert len(set(ids)) == len(ids), f"{AUP}: duplicate ids"
    seen = {category: 0 for category in AUP_CATEGORIES}
    acceptable = 0
    for number, rec in enumerate(rows, 1):
        where = f"{AUP}:{number}"
        assert set(rec) == {"id", "kind", "author_role", "text", "acceptable_use"}, (
            f"{where}: fields"
        )
        assert isinstance(rec["id"], str) and rec["id"].startswith("au-b-"), f"{where}: id"
        assert rec["kind"] in {"post", "comment"}, f"{where}: kind"
        assert rec["author_role"] in ROLES, f"{where}: author_role"
        assert isinstance(rec["text"], str) and rec["text"].strip(), f"{where}: text"
        categories = rec["acceptable_use"]
        assert isinstance(categories, list), f"{where}: acceptable_use"
        assert set(categories) <= set(AUP_CATEGORIES), f"{where}: unknown category"
        assert len(set(categories)) == len(categories), f"{where}: repeated category"
        for category in categories:
            seen[category] += 1
        acceptable += not categories
    assert all(count > 0 for count in seen.values()), seen
    assert acceptable > 0
