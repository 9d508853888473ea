"""One post as the candidate stage sees it: folded text, words, zones, lines, spaCy PERSON spans,
and the questions every rule asks ("is there a student cue right before this span?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from detectors.pii.text import Token, words, zones
from detectors.pii.vocab import Vocabulary, fold_chars, word_set

_BREAK = re.compile(r"[.!?\n]")
_LINE = re.compile(r"[^\n]*")
_SCHOOL_POST = re.compile(
    r"\b(?:school|class|classroom|teacher|students?|grade|pto|pta|coach|principal|district|"
    r"library|recess|homework|escuela|maestra|maestro|kinder\w*|campus|semester|quarter)\b"
)


@dataclass
class PostText:
    """A post's text prepared once for every rule."""

    text: str
    vocab: Vocabulary
    person_spans: list[tuple[int, int]] = field(default_factory=list)  # spaCy PERSON

    def __post_init__(self) -> None:
        self.folded = fold_chars(self.text)
        self.tokens: list[Token] = words(self.text)
        self.zones = zones(self.text)
        self.lines = [
            (m.start(), m.end()) for m in _LINE.finditer(self.text) if m.end() > m.start()
        ]
        self._matches: dict[str, list[tuple[int, int]]] = {}
        self._words = word_set(self.folded)

    # --- vocabulary look-ups ---------------------------------------------------------------

    def matches(self, concept: str) -> list[tuple[int, int]]:
        """Spans of every phrase of `concept` in the post (computed once per concept)."""
        found = self._matches.get(concept)
        if found is None:
            if self._words.isdisjoint(self.vocab.first_words[concept]):
                found = []
            else:
                found = [m.span() for m in self.vocab.patterns[concept].finditer(self.folded)]
            self._matches[concept] = found
        return found

    def ends_before(self, concept: str, start: int, *, max_words: int = 2) -> str | None:
        """The `concept` phrase that ends at most `max_words` words before `start` in the same
        sentence (only spaces and light punctuation between), or None."""
        best = None
        for a, b in self.matches(concept):
            if b > start or start - b > 40:
                continue
            between = self.text[b:start]
            if between.startswith("."):  # an abbreviation's dot: "Mrs. Parker", "No. 12"
                between = between[1:]
            if _BREAK.search(between) or len(words(between)) > max_words:
                continue
            best = self.text[a:b]
        return best

    def starts_after(self, concept: str, end: int, *, max_words: int = 2) -> str | None:
        """The `concept` phrase that starts at most `max_words` words after `end` in the same
        sentence, or None."""
        for a, b in self.matches(concept):
            if a < end or a - end > 40:
                continue
            between = self.text[end:a]
            if _BREAK.search(between) or len(words(between)) > max_words:
                continue
            return self.text[a:b]
        return None

    def near(self, concept: str, start: int, end: int, window: int) -> str | None:
        """A `concept` phrase within `window` characters of [start, end) (not inside it)."""
        for a, b in self.matches(concept):
            if (start - window <= b <= start) or (end <= a <= end + window):
                return self.text[a:b]
        return None

    def inside(self, concept: str, start: int, end: int) -> bool:
        """True when a `concept` phrase lies within [start, end)."""
        return any(start <= a and b <= end for a, b in self.matches(concept))

    @cached_property
    def school_post(self) -> bool:
        """True when the post uses any school vocabulary (computed once per post)."""
        return bool(
            self.matches("student_words")
            or self.matches("student_cues")
            or _SCHOOL_POST.search(self.folded)
        )

    # --- structure -------------------------------------------------------------------------

    def line_of(self, offset: int) -> tuple[int, int]:
        """The (start, end) of the line holding `offset`."""
        for a, b in self.lines:
            if a <= offset <= b:
                return a, b
        return offset, offset

    def sentence_start(self, offset: int) -> bool:
        """True when only spaces, quotes, bullets or emoji stand between the start of the text,
        a line or a sentence and `offset`: there a capital letter says nothing about a name."""
        i = offset
        while i > 0 and not self.text[i - 1].isalnum() and self.text[i - 1] not in ".!?\n:":
            i -= 1
        return i == 0 or self.text[i - 1] in ".!?\n"

    def zone_at(self, start: int, end: int) -> str | None:
        """The kind of zone (url, email, handle, hashtag) that contains [start, end)."""
        for kind, a, b in self.zones:
            if a <= start and end <= b:
                return kind
        return None

    def in_zone(self, start: int, end: int) -> bool:
        """True when [start, end) overlaps any zone."""
        return any(a < end and start < b for _, a, b in self.zones)

    def person(self, start: int, end: int) -> bool:
        """True when spaCy tagged a PERSON overlapping [start, end)."""
        return any(a < end and start < b for a, b in self.person_spans)
