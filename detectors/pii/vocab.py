"""The student-PII detector's vocabulary: one word list per concept, as data files.

Each concept lives in exactly one file, `data/vocab/<concept>.txt` (one entry per line, `#`
comments). A district changes a list in `detectors.student_pii.vocabulary.<concept>` with the
same semantics everywhere: `add` entries, `remove` entries, or `replace` the whole list. Lists
that must never share an entry (a title that marks an adult cannot also be a student cue) are
checked when the detector is built; a contradiction is a config error naming both lists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from anyascii import anyascii
from pydantic import BaseModel, ConfigDict, Field

VOCAB_DIR = Path(__file__).parent / "data" / "vocab"
CONCEPTS = (
    "staff_titles",
    "adult_roles",
    "kin_child",
    "kin_adult",
    "student_cues",
    "student_words",
    "officer_roles",
    "adult_orgs",
    "figure_cues",
    "figure_suffixes",
    "public_figures",
    "place_words",
    "place_names",
    "org_words",
    "mascots",
    "school_names",
    "not_names",
    "word_names",
    "id_cues",
    "login_cues",
    "dob_cues",
    "event_words",
)
#: Pairs of concepts that must be disjoint: each says the opposite of the other about a name.
DISJOINT = (
    ("staff_titles", "student_cues"),
    ("adult_roles", "student_words"),
    ("adult_roles", "student_cues"),
    ("kin_child", "kin_adult"),
    ("kin_adult", "student_words"),
    ("dob_cues", "event_words"),
)


class VocabEdit(BaseModel):
    """How a district changes one list: add, remove, or replace it."""

    model_config = ConfigDict(extra="forbid")
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)
    replace: list[str] | None = None


class VocabularyError(ValueError):
    """Contradicting or unknown lists; the message names them (and never post text)."""


def fold_chars(text: str) -> str:
    """Lower case and accents folded character by character, same length as `text`
    ("Señora" → "senora"), so offsets found in the folded text are offsets into the text."""
    out = []
    for ch in text:
        low = ch.lower()
        if low.isascii():
            out.append(low if len(low) == 1 else " ")
        else:
            plain = anyascii(low)
            out.append(
                plain if len(plain) == 1 and plain.isalnum() else (low if len(low) == 1 else " ")
            )
    return "".join(out)


def normalize(entry: str) -> str:
    """The comparable form of an entry: folded, single spaces."""
    return " ".join(fold_chars(entry).split())


_WORD = re.compile(r"[a-z0-9]+|#")


def word_set(folded: str) -> frozenset[str]:
    """The words of a folded text, with plural endings also stripped ("coaches" → coache,
    coach), to test `Vocabulary.first_words` cheaply."""
    words = set(_WORD.findall(folded))
    for w in list(words):
        if w.endswith("es"):
            words.add(w[:-2])
        if w.endswith("s"):
            words.add(w[:-1])
    return frozenset(words)


def phrase_regex(entries: frozenset[str]) -> re.Pattern[str]:
    """One pattern for all entries (longest first) over folded text; word boundaries only
    where an entry starts or ends with a word character ("no." and "#" still match), a plural
    ending allowed after a final word ("volunteers", "coaches")."""
    worded: list[str] = []
    other: list[str] = []
    for entry in sorted(entries, key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in entry.split())
        tail = (
            r"(?:e?s)?(?!\w)"
            if entry[-1:].isalpha()
            else (r"(?!\w)" if entry[-1:].isalnum() else "")
        )
        (worded if entry[:1].isalnum() else other).append(body + tail)
    parts = ([r"(?<!\w)(?:" + "|".join(worded) + ")"] if worded else []) + other
    return re.compile("|".join(parts) or r"(?!x)x")


@cache
def _shipped(concept: str) -> tuple[str, ...]:
    path = VOCAB_DIR / f"{concept}.txt"
    if not path.is_file():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class Vocabulary:
    """Every concept's entries in their comparable form (and as written, for figures)."""

    lists: Mapping[str, frozenset[str]]
    raw: Mapping[str, tuple[str, ...]]

    def __getitem__(self, concept: str) -> frozenset[str]:
        return self.lists[concept]

    @cached_property
    def first_words(self) -> dict[str, frozenset[str]]:
        """Per concept, the first word of every entry (and its plural forms are matched by the
        pattern): a post without any of them cannot match, so the pattern is not run."""
        return {
            c: frozenset(_WORD.findall(e)[0] for e in entries if _WORD.findall(e))
            for c, entries in self.lists.items()
        }

    @cached_property
    def patterns(self) -> dict[str, re.Pattern[str]]:
        """A compiled phrase pattern per concept, for folded text (`fold_chars`)."""
        return {c: phrase_regex(entries) for c, entries in self.lists.items()}

    @classmethod
    def build(cls, edits: Mapping[str, VocabEdit] | None = None) -> Vocabulary:
        """The shipped lists with the district's edits applied; raises VocabularyError."""
        edits = dict(edits or {})
        unknown = sorted(set(edits) - set(CONCEPTS))
        if unknown:
            raise VocabularyError(
                f"unknown vocabulary list {', '.join(unknown)}; expected one of {', '.join(CONCEPTS)}"
            )
        raw: dict[str, tuple[str, ...]] = {}
        for concept in CONCEPTS:
            entries = list(_shipped(concept))
            edit = edits.get(concept)
            if edit is not None:
                if edit.replace is not None:
                    entries = list(edit.replace)
                gone = {normalize(e) for e in edit.remove}
                entries = [e for e in entries if normalize(e) not in gone] + list(edit.add)
            raw[concept] = tuple(entries)
        lists = {
            c: frozenset(normalize(e) for e in entries if e.strip()) for c, entries in raw.items()
        }
        for a, b in DISJOINT:
            both = sorted(lists[a] & lists[b])
            if both:
                raise VocabularyError(
                    f"vocabulary lists {a} and {b} contradict each other on {', '.join(both[:5])}"
                    f"; expected an entry in only one of them"
                )
        return cls(lists, raw)
