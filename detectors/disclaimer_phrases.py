"""Vocabulary and phrase matching of the disclaimer detector (`detectors.disclaimer`).

* `LanguagePack` / `builtin_packs()`: one language's words and phrases (built-ins in
  data/disclaimer_languages.yaml); `expand()` turns "(a|b) [x]" patterns into folded phrasings.
* `FoldedText`: a post folded by `detectors.textnorm`, tokenized (unsplit hashtags segmented),
  with sentence and clause ids per token.
* `PhraseMatcher`: the rapidfuzz phrase finder over token windows (see the detector's docstring
  for why rapidfuzz and how near misses are kept out).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process

from detectors import textnorm

_SENTENCE_END = re.compile(r"[.!?]")
_CLAUSE_END = re.compile(r"[.!?,;:()\[\]|=\"-]")


# --- language packs ------------------------------------------------------------------------------

_PACKS_FILE = Path(__file__).parent / "data" / "disclaimer_languages.yaml"


class LanguagePack(BaseModel):
    """Vocabulary of one language (built-ins in data/disclaimer_languages.yaml). Phrases use
    "(a|b)" alternatives and "[x]" optional words; word lists may hold multi-word entries only
    where noted (retractions)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    may_change: tuple[str, ...] = ()  # element A
    official_pointer: tuple[str, ...] = ()  # element B on its own
    official_words: frozenset[str] = frozenset()  # "official" itself
    quality_words: frozenset[str] = frozenset()  # confirmed / accurate / latest … + info noun
    info_nouns: frozenset[str] = frozenset()
    site_nouns: frozenset[str] = frozenset()
    district_words: frozenset[str] = frozenset()
    pointer_verbs: frozenset[str] = frozenset()
    for_words: frozenset[str] = frozenset()
    cue_phrases: tuple[str, ...] = ()  # official-information sense without "official"
    negations: frozenset[str] = frozenset()  # negate within the clause, up to 5 words back
    weak_negations: frozenset[str] = frozenset()  # negate only up to 2 words back ("no")
    retractions: tuple[str, ...] = ()  # mockery right after a phrase ("jk", "yeah right")
    near_miss_words: frozenset[str] = frozenset()  # real words a fuzzy match must not absorb
    clause_words: frozenset[str] = frozenset()  # conjunctions that end a negation's reach
    owner_words: frozenset[str] = frozenset()  # "our club website" is not the district's
    glue_words: frozenset[str] = frozenset()  # small words inside unsplit hashtags

    def merged(self, other: LanguagePack) -> LanguagePack:
        """Both packs' vocabularies together (posts mix languages freely)."""
        values = {}
        for name in type(self).model_fields:
            mine, theirs = getattr(self, name), getattr(other, name)
            values[name] = mine | theirs if isinstance(mine, frozenset) else mine + theirs
        return LanguagePack(**values)


@lru_cache(maxsize=1)
def builtin_packs() -> dict[str, LanguagePack]:
    """The built-in languages (English, Spanish)."""
    raw = yaml.safe_load(_PACKS_FILE.read_text(encoding="utf-8"))
    return {lang: LanguagePack(**body) for lang, body in raw.items()}


def expand(pattern: str) -> list[str]:
    """All phrasings of a pattern: "(a|b)" alternatives and "[x]" optional words, folded."""
    parts = re.findall(r"\([^)]*\)|\[[^\]]*\]|[^\s()\[\]]+", pattern)
    options: list[list[str]] = []
    for part in parts:
        if part.startswith("("):
            options.append(part[1:-1].split("|"))
        elif part.startswith("["):
            options.append([part[1:-1], ""])
        else:
            options.append([part])
    out = {" ".join(w for w in combo if w) for combo in itertools.product(*options)}
    return sorted({textnorm.fold(p) for p in out if p})


# --- matching ------------------------------------------------------------------------------------


@dataclass
class FoldedText:
    """A folded text, its tokens, and sentence/clause ids per token."""

    folded: str
    words: list[str]
    tokens: list[textnorm.Token]
    sentence: list[int]
    clause: list[int]

    @classmethod
    def of(cls, text: str, clause_words: frozenset[str], vocabulary: frozenset[str]) -> FoldedText:
        """`text` folded and split into comparable words."""
        folded = textnorm.fold(text)
        toks = []
        for tok in textnorm.tokens(folded):  # unsplit hashtags: "#infomaychange"
            pieces = textnorm.segment(tok.text, vocabulary) if len(tok.text) >= 8 else [tok.text]
            toks += [textnorm.Token(p, tok.start, tok.end) for p in pieces]
        sentence, clause = [], []
        s = c = 0
        for i, tok in enumerate(toks):
            if i:
                gap = folded[toks[i - 1].end : tok.start]
                if _SENTENCE_END.search(gap):
                    s += 1
                if _CLAUSE_END.search(gap) or tok.text in clause_words:
                    c += 1
            sentence.append(s)
            clause.append(c)
        return cls(folded, [t.text for t in toks], toks, sentence, clause)

    def same(self, i: int, j: int) -> bool:
        """Are tokens i and j in the same sentence?"""
        return 0 <= j < len(self.words) and self.sentence[i] == self.sentence[j]

    def quoted(self, start: int, end: int) -> bool:
        """Is the token span [start, end) inside a short double-quoted span (a mention, not a
        use: 'the "may change" line', 'Sure, "information may change". Whatever.')?"""
        before = self.folded[: self.tokens[start].start]
        after = self.folded[self.tokens[end - 1].end :]
        if before.count('"') % 2 == 0 or '"' not in after:
            return False
        opened = before.rindex('"')
        closed = self.tokens[end - 1].end + after.index('"')
        return len(self.folded[opened:closed].split()) <= 8


@dataclass
class Hit:
    """A phrase found at token span [start, end) with its rapidfuzz score."""

    start: int
    end: int  # exclusive token index
    score: float


class PhraseMatcher:
    """Fuzzy phrase finder over token windows (rapidfuzz)."""

    def __init__(
        self,
        phrases: Iterable[str],
        threshold: float,
        min_chars: int,
        near_miss: frozenset[str],
        strict: frozenset[str],
    ):
        self.phrases = sorted(set(phrases))
        self.threshold = threshold
        self.min_chars = min_chars
        self.near_miss = near_miss
        self.by_len: dict[int, list[str]] = {}
        for p in self.phrases:
            self.by_len.setdefault(len(p.split()), []).append(p)
        self.strict = strict

    def find(self, text: FoldedText) -> list[Hit]:
        """Every phrase of this matcher found in `text`."""
        words, hits = text.words, []
        for n, phrases in self.by_len.items():
            for size in {n - 1, n, n + 1} - {0}:
                if size > len(words):
                    continue
                starts = range(len(words) - size + 1)
                windows = [" ".join(words[i : i + size]) for i in starts]
                cutoff = self.threshold if size == n else max(self.threshold, 90)
                matrix = process.cdist(
                    phrases, windows, scorer=fuzz.ratio, score_cutoff=cutoff, workers=1
                )
                for pi, wi in zip(*matrix.nonzero(), strict=True):
                    score = float(matrix[pi, wi])
                    phrase, window = phrases[pi], windows[wi]
                    if score < 100 and not self._fuzzy_ok(phrase, window):
                        continue
                    hits.append(Hit(int(wi), int(wi) + size, score))
        return hits

    def _fuzzy_ok(self, phrase: str, window: str) -> bool:
        """A typo may stand in for a content word, never for a negator or another real word."""
        if len(phrase) < self.min_chars:
            return False
        p_words, w_words = phrase.split(), window.split()
        if any(w in self.near_miss for w in w_words if w not in p_words):
            return False
        return all(w in w_words for w in p_words if w in self.strict)


def starts_with(words: Sequence[str], i: int, seq: tuple[str, ...]) -> bool:
    """Does `words` hold the word sequence `seq` at index i?"""
    return tuple(words[i : i + len(seq)]) == seq
