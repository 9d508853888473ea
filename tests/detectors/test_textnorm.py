"""Text folding: the tricks a sponsor's post (or an evasive one) may contain."""

from __future__ import annotations

import pytest

from detectors.textnorm import fold, segment, squash, tokens

ZW = "\u200b"


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Subject To Change", "subject to change"),
        (f"sub{ZW}ject\u2060 to\u00adchange", "subject tochange"),  # ZWSP/WJ/soft hyphen gone
        ("Ѕubјеct tо сhаngе", "subject to change"),  # Cyrillic look-alikes
        ("οfficial", "official"),  # Greek omicron
        ("ＳＵＢＪＥＣＴ ｔｏ ｃｈａｎｇｅ", "subject to change"),  # full width (NFKC)
        ("𝐒𝐮𝐛𝐣𝐞𝐜𝐭 𝐭𝐨 𝐜𝐡𝐚𝐧𝐠𝐞", "subject to change"),  # mathematical bold (NFKC)
        ("Información oficial", "informacion oficial"),  # accents dropped
        ("#InfoMayChange #subject_to_change", "info may change subject to change"),
        ("#MVSDNews", "mvsd news"),
        ("#official #mvsd.k12.wa.us", "official mvsd.k12.wa.us"),
        ("info may\n\nchange\r\n", "info may change"),  # line breaks
        ("won’t change, district’s site", "wont change, district site"),
        ("“quoted”", '"quoted"'),
        ("go 🦅 eagles", "go eagles"),  # emoji separate words
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_tokens_keep_domains_and_urls_whole() -> None:
    text = fold("Official info: https://www.MVSD.k12.wa.us/news. Thanks!")
    assert [t.text for t in tokens(text)] == [
        "official",
        "info",
        "https",
        "www.mvsd.k12.wa.us/news",  # the sentence's full stop is not part of it
        "thanks",
    ]
    for tok in tokens(text):
        assert text[tok.start : tok.end] == tok.text


@pytest.mark.parametrize(
    ("word", "pieces"),
    [
        ("infomaychange", ["info", "may", "change"]),
        ("officialinfo", ["official", "info"]),
        ("official", ["official"]),  # a vocabulary word stays whole
        ("eaglesrock", ["eaglesrock"]),  # cannot be split completely
        ("mvsd2026", ["mvsd2026"]),  # "2026" is no vocabulary word
        ("infoatmvsdk12waus", ["info", "at", "mvsdk12waus"]),
    ],
)
def test_segment(word: str, pieces: list[str]) -> None:
    vocab = frozenset({"info", "may", "change", "official", "eagles", "at", "mvsdk12waus"})
    assert segment(word, vocab) == pieces


def test_squash() -> None:
    assert squash("mvsd.k12.wa.us") == "mvsdk12waus"
