"""Words of a post for the acceptable-use matcher, with offsets into the original text.

Folding keeps one character per character (offsets stay valid): lower case, accents folded.
Each word gets a comparable form: apostrophes dropped ("you're" → youre), leetspeak folded when
that yields a lexicon word ("sh1t", "a$$"), runs of a repeated letter squeezed ("fuuuck"), a
starred word matched against the one-word profanity entries ("f*ck", "sh**"), letters spaced
out merged ("f u c k", "s.h.i.t"). An @handle is the word "@".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from anyascii import anyascii

_WORD = re.compile(r"@\w+|[\w$@*!'’]+(?:-[\w$@*!'’]+)*")  # "dumb-founded" is one word
_EDGE = "'’!@$-"
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i", "|": "l"})  # fmt: skip
_REPEAT3 = re.compile(r"([a-z])\1{2,}")
_REPEAT2 = re.compile(r"([a-z])\1+")
_SENTENCE_END = re.compile(r"(?<!\bmr)(?<!\bms)(?<!\bmrs)(?<!\bdr)[.!?\n]+|\s[-–—]\s")
_CLAUSE_END = re.compile(r"[,;:()\[\]]|\bbut\b|\bbecause\b|\bso that\b")
_QUOTES = '"“”«»'
_SPACER = set(" .-_")
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "coach", "principal", "mx", "sr", "sra"})
NAMES_FILE = Path(__file__).parents[1] / "pii" / "data" / "first_names.tsv"
QUOTE_REACH = 300
MAX_SPACED = 16  # letters in a spaced-out word ("f u c k i n g")
MIN_NAME_BUCKET = 3  # common given names only ("Homework" is no name)


def fold(text: str) -> str:
    """Lower case with accents folded, one character for one ("Señor" → "senor")."""
    out = []
    for ch in text:
        low = ch.lower()
        if len(low) != 1:
            out.append(" ")
        elif low.isascii():
            out.append(low)
        else:
            plain = anyascii(low)
            out.append(plain if len(plain) == 1 and plain.isalnum() else low)
    return "".join(out)


@cache
def given_names() -> frozenset[str]:
    """Common given names (the PII detector's gazetteer, shipped data; read once)."""
    if not NAMES_FILE.is_file():
        return frozenset()
    names = set()
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        name, _, bucket = line.partition("\t")
        if bucket.strip().isdigit() and int(bucket) >= MIN_NAME_BUCKET:
            names.add(name)
    return frozenset(names)


@dataclass
class Word:
    """One word: its span in the post, its comparable form, where it stands."""

    start: int
    end: int
    form: str
    sentence: int
    clause: int
    name: bool = False  # a capitalised given name, or the name after a title


def _canonical(raw: str, known: Callable[[str], bool]) -> str:
    """The comparable form of one folded word (see the module docstring)."""
    if raw.startswith("@") and len(raw) > 1:
        return "@"
    plain = raw.replace("'", "").replace("’", "").replace("-", "")
    candidates = [plain]
    if any(c in plain for c in "0134570@$!|") and any(c.isalpha() for c in plain):
        candidates.append(plain.translate(_LEET))
    for c in list(candidates):
        candidates += [_REPEAT3.sub(r"\1\1", c), _REPEAT3.sub(r"\1", c), _REPEAT2.sub(r"\1", c)]
    return next((c for c in candidates if known(c)), plain)


def _starred(form: str, singles: frozenset[str]) -> str | None:
    """The one profanity entry a starred word spells ("f*ck", "sh**"), or None."""
    if "*" not in form or not form[0].isalpha():
        return None
    rx = re.compile(re.escape(form).replace(r"\*", "[a-z]") + "(?:ing|in|ed|s)?")
    hits = sorted(s for s in singles if rx.fullmatch(s) or rx.fullmatch(s + "ing"))
    return hits[0] if hits else None  # any hit will do: every candidate is profanity


def words_of(text: str, known: Callable[[str], bool], singles: frozenset[str]) -> list[Word]:
    """The words of `text` with comparable forms, sentence and clause numbers, name flags."""
    folded = fold(text)
    boundaries = sorted(
        [(m.start(), "s") for m in _SENTENCE_END.finditer(folded)]
        + [(m.start(), "c") for m in _CLAUSE_END.finditer(folded)]
    )
    out: list[Word] = []
    b = sentence = clause = 0
    names = given_names()
    for m in _WORD.finditer(folded):
        start, end = m.start(), m.end()
        while start < end and folded[start] in _EDGE and not folded[start:end].startswith("@"):
            start += 1
        while end > start and folded[end - 1] in _EDGE and folded[start] != "@":
            end -= 1
        if start < end and folded[start] == "*":  # *emphasis*
            start, end = start + 1, end - (folded[end - 1] == "*")
        if start >= end:
            continue
        while b < len(boundaries) and boundaries[b][0] < start:
            clause += 1
            sentence += boundaries[b][1] == "s"
            b += 1
        raw = folded[start:end]
        form = _canonical(raw, known)
        starred = _starred(form, singles)
        form = starred or form
        orig = text[start:end]
        is_name = orig[:1].isupper() and not orig.isupper() and form in names
        if out and out[-1].form in TITLES and orig[:1].isupper() and out[-1].clause == clause:
            is_name = True
        out.append(Word(start, end, form, sentence, clause, is_name))
    return _merge_spaced(text, out, singles)


def _merge_spaced(text: str, words: list[Word], singles: frozenset[str]) -> list[Word]:
    """Runs of single letters spelling a one-word profanity entry become that word (the
    longest such run from each letter, at most `MAX_SPACED` letters)."""
    out: list[Word] = []
    i = 0
    while i < len(words):
        joined, hit, j = words[i].form, None, i
        while (
            j + 1 < len(words)
            and j - i < MAX_SPACED
            and len(words[j].form) == 1
            and len(words[j + 1].form) == 1
            and words[j + 1].start - words[j].end == 1
            and text[words[j].end] in _SPACER
        ):
            j += 1
            joined += words[j].form
            if j - i >= 2 and (joined in singles or joined.removesuffix("ing") in singles):
                hit = (j, joined.removesuffix("ing") if joined not in singles else joined)
        if hit:
            first, last = words[i], words[hit[0]]
            out.append(Word(first.start, last.end, hit[1], first.sentence, first.clause))
            i = hit[0] + 1
            continue
        out.append(words[i])
        i += 1
    return out


def quoted(text: str, start: int, end: int) -> bool:
    """Whether [start, end) stands between quotation marks within its line (looking at most
    `QUOTE_REACH` characters either side)."""
    line_start = text.rfind("\n", max(0, start - QUOTE_REACH), start) + 1
    line_start = max(line_start, start - QUOTE_REACH)
    line_end = text.find("\n", end, end + QUOTE_REACH)
    line_end = min(len(text), end + QUOTE_REACH) if line_end < 0 else line_end
    before = sum(text.count(q, line_start, start) for q in _QUOTES)
    after = sum(text.count(q, end, line_end) for q in _QUOTES)
    if before % 2 == 1 and after:
        return True
    # single quotes used as quotation marks: ' at a word start before, ' at a word end after
    left = re.findall(r"(?:^|[\s(])['‘]\w", text[line_start:start])
    right = re.search(r"\w['’](?:[\s.,!?;:)]|$)", text[end - 1 : line_end])
    return len(left) % 2 == 1 and right is not None
