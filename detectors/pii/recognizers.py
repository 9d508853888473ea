"""Presidio recognizers for school posts: street addresses and roster names.

Each recognizer returns raw candidates; deciding whether a candidate is *student* PII (and
suppressing staff, public figures, buildings and official contacts) is `detector.py`'s job,
where the whole post and the district resources are at hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from typing_extensions import override

STREET_ADDRESS = "STREET_ADDRESS"
ROSTER_NAME = "ROSTER_NAME"


class RegexRecognizer(EntityRecognizer):
    """A recognizer from compiled regexes; the reported span is group `value` (or the match)."""

    def __init__(self, entity: str, patterns: list[re.Pattern[str]], score: float):
        self._patterns = patterns
        self._score = score
        super().__init__(supported_entities=[entity], name=f"{entity.title()}Recognizer")

    def load(self) -> None:  # noqa: D102 - nothing to load
        pass

    @override
    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Every match of every pattern, as a result of this recognizer's entity."""
        entity = self.supported_entities[0]
        results = []
        for pattern in self._patterns:
            for match in pattern.finditer(text):
                group = "value" if "value" in pattern.groupindex else 0
                start, end = match.span(group)
                if start < end:
                    results.append(RecognizerResult(entity, start, end, self._score))
        return results


def street_address_recognizer() -> RegexRecognizer:
    """US street addresses: number, optional direction, street name words, street type."""
    street_type = (
        r"(?:st(?:reet)?|ave(?:nue)?|rd|road|dr(?:ive)?|ln|lane|ct|court|way|blvd|boulevard|pl"
        r"|place|cir(?:cle)?|ter(?:race)?|pkwy|parkway|hwy|highway|loop|trl|trail)\.?"
    )
    word = r"(?:\d{1,3}(?:st|nd|rd|th)|[A-Z][A-Za-z'’-]+)"
    direction = r"(?:[NSEW]{1,2}|North|South|East|West)"
    pattern = re.compile(
        rf"(?P<value>\b\d{{2,6}}\s+(?:{direction}\s+)?(?:{word}\s+){{1,4}}(?i:{street_type})"
        rf"(?:\s+{direction}\b)?"
        rf"(?:,?\s+(?:apt|unit|#)\s*\w+)?"
        rf"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?(?:,\s*(?:WA|Washington|[A-Z]{{2}}))?(?:\s+\d{{5}})?)?)"
        r"(?![\w])"
    )
    return RegexRecognizer(STREET_ADDRESS, [pattern], 0.6)


_CAP_WORD = re.compile(r"[A-Z\u00C0-\u00DE][\w'’\u00C0-\u024F-]*\.?")


class RosterRecognizer(EntityRecognizer):
    """Capitalised 1–3-word runs whose normalized form's keyed hash is a roster name form."""

    def __init__(self, lookup: Callable[[str], object | None]):
        self._lookup = lookup
        super().__init__(supported_entities=[ROSTER_NAME], name="RosterRecognizer")

    def load(self) -> None:  # noqa: D102 - nothing to load
        pass

    @override
    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Longest roster match starting at each capitalised word."""
        words = [m for m in _CAP_WORD.finditer(text)]
        results: list[RecognizerResult] = []
        covered_until = -1
        for i, first in enumerate(words):
            if first.start() < covered_until:
                continue
            for n in (3, 2):
                run = words[i : i + n]
                if len(run) < n or any(
                    text[a.end() : b.start()] not in (" ", "\u00a0")
                    for a, b in zip(run, run[1:], strict=False)
                ):
                    continue
                start, end = run[0].start(), run[-1].end()
                if self._lookup(text[start:end]) is not None:
                    results.append(RecognizerResult(ROSTER_NAME, start, end, 1.0))
                    covered_until = end
                    break
        return results
