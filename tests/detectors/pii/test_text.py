"""`sensitive_spans`: every span that might identify someone, model-free (gazetteer and regular
expressions), whatever the detector decided; the core masks these in alert excerpts."""

from __future__ import annotations

import pytest

from detectors.pii import gazetteer
from detectors.pii.text import sensitive_spans

# A few ordinary English words (the detector uses spaCy's vocabulary; no model is built here).
ENGLISH = frozenset(
    [
        "question",
        "student",
        "family",
        "welcome",
        "thanks",
        "great",
        "job",
        "ran",
        "relay",
        "win",
        "won",
        "the",
        "log",
        "vote",
        "call",
        "today",
        "born",
        "see",
        "gallery",
        "link",
        "sister",
        "mom",
        "choir",
        "bass",
        "soprano",
        "park",
    ]
)


@pytest.fixture(scope="module")
def gaz() -> gazetteer.Gazetteer:
    return gazetteer.load()


def covered(text: str, value: str, spans: list[tuple[int, int]]) -> bool:
    at = text.index(value)
    return all(
        any(a <= i < b for a, b in spans) for i in range(at, at + len(value)) if text[i].isalnum()
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Maya Chen and Theo Lindquist won the relay", "Lindquist"),  # neighbouring name
        ("great job theo and maya!", "theo"),  # lower-case name
        ("Maya's mom ran the relay", "Maya"),  # possessive, first word of the text
        ("Choir:\n• Sun-hee Park, Soprano 2", "Sun-hee"),  # hyphenated, first word of a line
        ("Thanks to K. Okonkwo for the ride", "Okonkwo"),  # rare surname after an initial
        ("Follow @theo.runs for updates", "@theo.runs"),  # handle
        ("Way to go! #GoTheoLindquist", "#GoTheoLindquist"),  # hashtag
        ("Log in as mchen2031 to vote", "mchen2031"),  # letter+digit login
        ("Questions? Call 425-555-0142 today", "425-555-0142"),  # phone
        ("She was born 3/14/2015", "3/14/2015"),  # date
        ("see sandstonelynx.org/gallery/zoe-martin-art", "/gallery/zoe-martin-art"),  # bare URL
        ("art by /gallery/ava-patel, link fixed", "/gallery/ava-patel"),  # bare path
        ("message priyankarao with questions", "priyankarao"),  # joined lower-case name
    ],
)
def test_sensitive_spans_cover_what_might_identify_someone(
    gaz: gazetteer.Gazetteer, text: str, value: str
) -> None:
    assert covered(text, value, sensitive_spans(text, gaz, ENGLISH))


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Questions? Ask us.", "Questions"),  # a plural of an English word, first word
        ("Students welcome!", "Students"),
        ("Thanks, families!", "Thanks"),
    ],
)
def test_ordinary_words_stay_readable(gaz: gazetteer.Gazetteer, text: str, word: str) -> None:
    at = text.index(word)
    assert not any(a <= at < b for a, b in sensitive_spans(text, gaz, ENGLISH))
