"""Robust text folding shared by the text detectors: `fold(text)` → plain lower-case ASCII.

NFKC, invisible characters removed, homoglyphs folded (confusable-homoglyphs), other non-ASCII
transliterated (anyascii), hashtags opened, quotes/dashes/apostrophes and whitespace normalised.
Offsets are not kept: users of this module report whole-post findings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from confusable_homoglyphs import confusables

_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_APOS = re.compile(r"(?<=\w)'s\b|'")
_SPACE = re.compile(r"\s+")
# word tokens; inner dots/slashes are kept, so "mvsd.k12.wa.us/news" stays one token
_TOKEN = re.compile(r"[a-z0-9]+(?:[./@:_-][a-z0-9]+)*(?:/[^\s\"')\]]*)?")


@dataclass(frozen=True)
class Token:
    """A word (or domain/URL) of folded text with its character span in that folded text."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Fold one non-ASCII character to ASCII (homoglyph first, transliteration second)."""
    if unicodedata.category(ch) == "Cf":
        return ""
    if ch.isspace():
        return " "
    name = unicodedata.name(ch, "")
    if ch.isalpha() and not name.startswith("LATIN"):
        latin = _latin_homoglyph(ch)
        if latin:
            return latin
    category = unicodedata.category(ch)
    if category.startswith(("L", "M", "N")) or category in ("Pd", "Pi", "Pf", "Po", "Ps", "Pe"):
        return anyascii(ch)
    return " "  # emoji, arrows and other symbols separate words


def _latin_homoglyph(ch: str) -> str:
    """The ASCII Latin letter `ch` is visually confusable with, or ''."""

    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=["latin"])
    if not found:
        return ""
    for glyph in found[0]["homoglyphs"]:
        c = glyph["c"]
        if len(c) == 1 and c.isascii() and c.isalpha():
            return c
    return ""


def _open_hashtag(match: re.Match[str]) -> str:
    body = match.group(1).replace("_", " ")
    return " " + _CAMEL.sub(" ", body)


def fold(text: str) -> str:
    """Fold `text` for matching: NFKC, no zero-width characters, homoglyphs and accents folded,
    hashtags opened, lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch if ch.isascii() else _fold_char(ch) for ch in text)
    text = _HASHTAG.sub(_open_hashtag, text)
    text = text.replace("`", "'")
    text = _APOS.sub("", text.casefold())
    return _SPACE.sub(" ", text).strip()


def tokens(folded: str) -> list[Token]:
    """Word tokens of already folded text (domains and URLs stay one token)."""
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(folded)]


def segment(word: str, vocabulary: frozenset[str] | set[str], min_piece: int = 2) -> list[str]:
    """Split an unspaced word ("infomaychange", "#officialinfo") into vocabulary words, fewest
    pieces first; `[word]` when it is itself a vocabulary word or cannot be split completely."""
    if word in vocabulary or not word.isalnum():
        return [word]
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 20), end - min_piece + 1):
            prefix = best[start]
            piece = word[start:end]
            if prefix is not None and piece in vocabulary:
                candidate = [*prefix, piece]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    found = best[len(word)]
    return found if found and len(found) > 1 else [word]


def squash(text: str) -> str:
    """Letters and digits only: for comparing a phrase with an unsplit hashtag."""
    return re.sub(r"[^a-z0-9]", "", text)
