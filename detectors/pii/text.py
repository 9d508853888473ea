"""Text helpers of the student-PII detector: word tokens with offsets, zones, name-part splitting.

No spaCy here: everything is regular expressions and set look-ups, cheap enough to run on every
post and on every alert excerpt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from detectors.pii.gazetteer import Gazetteer, fold

#: A word: letters (any script) with inner hyphens/apostrophes ("García-López", "O'Neil").
WORD = re.compile(r"[^\W\d_]+(?:(?:['’](?![sS]\b)|-)[^\W\d_]+)*")  # "Sofia's" → Sofia
#: URLs, e-mail addresses, @handles and #hashtags: tokens whose inside is not prose.
ZONE = re.compile(
    r"(?P<url>https?://\S+|\bwww\.\S+)"
    r"|(?P<email>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<handle>(?<![\w@])@[\w.]*\w)"
    r"|(?P<hashtag>(?<![\w#&])#[^\W\d_][\w]*)"
)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_SLUG_PART = re.compile(r"[^\W\d_]+")
_LOGIN = re.compile(r"\b(?=[\w.]*\d)(?=[\w.]*[^\W\d_])[\w.]*\w")  # letters + digits: mchen2031
_NUMBER = re.compile(r"\d(?:[\d/.\-]*\d)?")
#: Very frequent function words that are also recorded as given names or surnames ("An", "So").
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "is",
        "it",
        "its",
        "be",
        "we",
        "he",
        "she",
        "his",
        "her",
        "our",
        "you",
        "your",
        "me",
        "my",
        "no",
        "nor",
        "or",
        "if",
        "so",
        "up",
        "do",
        "go",
        "us",
        "am",
        "are",
        "was",
        "were",
        "has",
        "had",
        "not",
        "but",
        "all",
        "any",
        "can",
    ]
)


@dataclass(frozen=True)
class Token:
    """A word of the text with its offsets."""

    text: str
    start: int
    end: int

    @cached_property
    def shape(self) -> str:
        """'upper' (ALL CAPS, 2+ letters), 'title' (Capitalised), 'lower', or 'mixed'."""
        letters = [c for c in self.text if c.isalpha()]
        if len(letters) > 1 and all(c.isupper() for c in letters):
            return "upper"
        if letters and letters[0].isupper():
            return "title"
        if all(c.islower() for c in letters):
            return "lower"
        return "mixed"


def words(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word tokens of `text[start:end]`, with offsets into `text`."""
    return [
        Token(m.group(0), m.start(), m.end())
        for m in WORD.finditer(text, start, len(text) if end is None else end)
    ]


def zones(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every URL, e-mail address, @handle and #hashtag."""
    return [(str(m.lastgroup), m.start(), m.end()) for m in ZONE.finditer(text)]


def name_parts(token: str) -> Iterator[tuple[int, int]]:
    """Offsets of the word parts inside a handle, hashtag or URL slug: camelCase humps and the
    pieces between separators ("GetWellSoonAvaPatel" → Get Well Soon Ava Patel)."""
    for piece in _SLUG_PART.finditer(token):
        for hump in _CAMEL.finditer(piece.group(0)):
            if not hump.group(0).isdigit():
                yield piece.start() + hump.start(), piece.start() + hump.end()


def split_joined(word: str, gaz: Gazetteer) -> tuple[int, int] | None:
    """Where a run of lower-case letters splits into a given name and a surname
    ("mayachen" → (0, 4)), or None. Both parts need at least 3 letters."""
    low = word.lower()
    for cut in range(3, len(low) - 2):
        if gaz.first_bucket(low[:cut]) and gaz.last_bucket(low[cut:]):
            return 0, cut
    return None


def sensitive_spans(text: str, gaz: Gazetteer, english: frozenset[str]) -> list[tuple[int, int]]:
    """Every span that might identify someone, whatever a detector decided: known given names
    and surnames in any case (also as a part of a hyphenated word, before a possessive "'s", or
    joined in lower case: "Sun-hee", "Maya's", "zoe-martin", "priyankarao"), capitalised words
    that are not ordinary English words nor their plurals or verb forms (a sentence's first word
    included: "K. Okonkwo"), handles, hashtags and e-mail addresses, URL paths (with or without
    a scheme), letter+digit logins, and numbers of 2+ digits.
    Used to mask alert excerpts; recall over precision."""
    spans: list[tuple[int, int]] = []
    covered = zones(text)
    for kind, start, end in covered:
        if kind == "url":
            slash = text.find("/", text.find("//", start) + 2, end)
            if slash != -1:
                spans.append((slash, end))
        else:
            spans.append((start, end))
    for tok in words(text):
        if any(a <= tok.start < b for _, a, b in covered):
            continue
        base = _CLITIC.sub("", tok.text)
        key = fold(base)
        if not key or key in FUNCTION_WORDS:
            continue
        if _name_like(base, tok.shape, key, gaz, english) or (
            tok.shape in ("title", "upper", "mixed") and not _english(key, english)
        ):
            spans.append((tok.start, tok.end))
    for m in _PATH.finditer(text):
        if any(a <= m.start() < b for _, a, b in covered):
            continue
        start, end = m.span(1)
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        spans.append((start, end))
    spans.extend(m.span() for m in _LOGIN.finditer(text))
    spans.extend(m.span() for m in _NUMBER.finditer(text) if m.end() - m.start() > 1)
    return sorted(spans)


#: A possessive or contraction ending, dropped before look-ups ("Maya's", "Chris'", "Bo’ll").
_CLITIC = re.compile(r"['’](?:s|d|ll|m|re|ve)?$", re.IGNORECASE)
#: A path after a bare domain, or a bare path ("site.org/gallery/zoe-martin", "/gallery/ava"):
#: group 1, from the first slash. URLs with a scheme are zones (their path is masked there).
_PATH = re.compile(r"(?<![\w/:])(?:[\w-]+\.)*[\w-]*(/[\w%~.+-]*[^\W_]\S*)")
_TRAILING = ".,;:!?)]}\"'’”"
#: Plural, third-person and past/participle endings tried when a word is not itself English.
_ENDINGS = (("ies", "y"), ("es", ""), ("s", ""), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"))


def _name_like(base: str, shape: str, key: str, gaz: Gazetteer, english: frozenset[str]) -> bool:
    """A known name part: the word, one of its hyphenated parts ("Sun-hee", "zoe-martin"), or a
    lower-case run that splits into a given name and a surname ("priyankarao")."""
    if gaz.is_name_part(base):
        return True
    for part in base.split("-"):
        if len(part) >= 2 and fold(part) not in FUNCTION_WORDS and gaz.is_name_part(part):
            return True
    return (
        shape == "lower"
        and len(key) >= 6
        and key not in english
        and split_joined(key, gaz) is not None
    )


def _english(key: str, english: frozenset[str]) -> bool:
    """An ordinary English word, or a plural/verb form of one ("questions", "families")."""
    if key in english:
        return True
    return any(
        key.endswith(end) and len(key) - len(end) >= 3 and key[: -len(end)] + add in english
        for end, add in _ENDINGS
    )
