"""Presidio recognizers for school posts: student IDs, home addresses, birth dates, ages, roster.

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

STUDENT_ID_NUMBER = "STUDENT_ID_NUMBER"
STREET_ADDRESS = "STREET_ADDRESS"
BIRTH_DATE = "BIRTH_DATE"
AGE = "AGE"
ROSTER_NAME = "ROSTER_NAME"

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?:19|20)\d\d)?"
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d\d|(?:19|20)\d\d-\d\d-\d\d|\d{1,2}/\d{1,2})"
)


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


def student_id_recognizer() -> RegexRecognizer:
    """Student/lunch/library numbers, only after a keyword that says what they are."""
    key = (
        r"(?:\b(?:student|lunch|library|cafeteria|school)[\s-]*(?:id|pin|number|no\.?|num|#|card)"
        r"|\bID\s*(?:#|no\.?|number|num)|\bstudent\s*#|\bPIN\b|\bID\b)"
    )
    value = r"(?P<value>(?<![\w$#.-])(?:[A-Z]{1,2}-?)?\d{4,10}(?![\w%$]|[.,/-]\d))"
    pattern = re.compile(rf"{key}[^\n\d]{{0,40}}?{value}", re.IGNORECASE)
    ssn = re.compile(
        r"\b(?:ssn|social security)(?:\s*(?:#|no\.?|number))?\D{0,12}"
        r"(?P<value>\d{3}-?\d{2}-?\d{4})\b",
        re.IGNORECASE,
    )
    return RegexRecognizer(STUDENT_ID_NUMBER, [pattern, ssn], 0.9)


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


def birth_date_recognizer() -> RegexRecognizer:
    """Dates introduced as a birth date ("born March 3, 2012", "DOB: 6/3/2013")."""
    patterns = [
        re.compile(rf"\bborn(?:\s+on)?\s+(?P<value>{_DATE})", re.IGNORECASE),
        re.compile(
            rf"\b(?:dob|d\.o\.b\.|date of birth|birth\s?date|birthday(?:\s+is)?|b-day)\s*[:=-]?\s*"
            rf"(?P<value>{_DATE})",
            re.IGNORECASE,
        ),
    ]
    return RegexRecognizer(BIRTH_DATE, patterns, 0.85)


def age_recognizer() -> RegexRecognizer:
    """Age expressions; the detector keeps them only when tied to a name."""
    patterns = [
        re.compile(
            r"\b(?:age[ds]?\s+\d{1,2}(?!\s*[-–+]\s*\d|\+)"
            r"|\d{1,2}\s+(?:years?|yrs?)\s+old\b"
            r"|\d{1,2}[-\s](?:years?|yr)[-\s]old(?!s)\b"
            r"|turn(?:s|ed|ing)\s+\"?\d{1,2}\"?(?!\s*(?:years?\s+)?(?:ago|percent|%|points))"
            r"|\d{1,2}(?:st|nd|rd|th)\s+birthday"
            r"|sweet\s+(?:16|sixteen)"
            r"|\d{1,2}\s+today\b)",
            re.IGNORECASE,
        ),
        # "Isabella (9)" — a bare number in parentheses right after a capitalised word
        re.compile(r"(?<=[A-Za-z\u00C0-\u024F] \()(?P<value>\d{1,2})(?=\))"),
    ]
    return RegexRecognizer(AGE, patterns, 0.5)


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
