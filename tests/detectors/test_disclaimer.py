"""Disclaimer detector: elements A and B judged like a careful human would."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from detectors.disclaimer import DisclaimerDetector, DisclaimerSettings, expand
from scanner.records import AccountInfo, DetectionContext, District, Post
from scanner.scan.evaluate import evaluate
from tests.support.paths import DATA

DOMAINS = ("mvsd.k12.wa.us", "maplevalleysd.org")
CORPUS = DATA / "disclaimer_corpus.jsonl"
ZW = "\u200b"


def make(**settings: Any) -> DisclaimerDetector:
    return DisclaimerDetector(
        DisclaimerSettings.model_validate(settings), District(district_domains=DOMAINS)
    )


@pytest.fixture(scope="module")
def det() -> DisclaimerDetector:
    return make()


def post(text: str, account: str = "", **kw: Any) -> Post:
    return Post("facebook", account, "1", "", None, datetime(2025, 3, 11, tzinfo=UTC), text, **kw)


# (text, element A present, element B present)
ELEMENTS = [
    # paraphrases
    ("Info may change. For official info visit mvsd.k12.wa.us", True, True),
    ("Everything above could be revised later; official updates: maplevalleysd.org", True, True),
    ("Schedule is preliminary. The district website has the official version.", True, True),
    (
        "Heads up, times might shift! For anything official go to the district's web page.",
        True,
        True,
    ),
    (
        "Changes may occur. Verified information lives on the Maple Valley School District website.",
        True,
        True,
    ),
    ("Plans can change; check the district site for the latest.", True, True),
    # abbreviations
    ("Info subj. to chg. Official: mvsd.k12.wa.us", True, True),
    ("info subj to change / official info @ maplevalleysd.org", True, True),
    # hashtags and line breaks
    ("Go Eagles! #InfoMayChange #OfficialInfo mvsd.k12.wa.us", True, True),
    ("Go Eagles!\n#subjecttochange\n#officialinfo\n#maplevalleysd.org", True, True),
    ("Field day\n\nthis info\nmay\nchange\n\nofficial info\nat the district\nwebsite", True, True),
    # zero-width and homoglyph tricks
    (f"In{ZW}fo ma{ZW}y chan{ZW}ge. Offi{ZW}cial info: mvsd.k12.wa.us", True, True),
    ("Іnfо mаy сhаngе. Оffiсiаl іnfо: mvsd.k12.wa.us", True, True),  # Cyrillic letters
    ("ɪɴꜰᴏ ᴍᴀʏ ᴄʜᴀɴɢᴇ. Official info: maplevalleysd.org", True, True),  # small capitals
    # typos
    ("Info subjetc to chnage. Oficial info at mvsd.k12.wa.us", True, True),
    # Spanish
    ("La información está sujeta a cambios. Información oficial: mvsd.k12.wa.us", True, True),
    (
        "Los detalles podrían cambiar; visite la página web del distrito para datos oficiales.",
        True,
        True,
    ),
    ("Fechas provisionales. Consulte el sitio oficial del distrito.", True, True),
    ("Esta información no es definitiva.", True, False),
    ("Información oficial en mvsd.k12.wa.us", False, True),
    # negations and mockery
    ("This will NEVER change. Official info: mvsd.k12.wa.us", False, True),
    ("Our schedule is not subject to change. Official info: mvsd.k12.wa.us", False, True),
    ("Nothing in this post is subject to change!", False, False),
    ("The times can't change now.", False, False),
    ("Info may change... just kidding, it's final.", False, False),
    ('Sure, "information may change". Whatever.', False, False),
    ("Esto no está sujeto a cambios.", False, False),
    ("Tentative? Not at all, nothing tentative here.", False, False),
    ("Info may not be final yet and may change.", True, False),
    # half disclaimers
    ("Concert at 7. Info may change.", True, False),
    ("Concert at 7. For official info visit the district website.", False, True),
    ("This is not an official district page.", False, False),
    # bare links and non-district pointers
    ("Sign up: mvsd.k12.wa.us/signup", False, False),
    ("Info may change. Sign up: mvsd.k12.wa.us/signup", True, False),
    ("Info may change. Pictures on the district website!", True, False),
    ("Info may change. Official rules: wiaa.com", True, False),
    ("Info may change. Official info on our club website.", True, False),
    ("Info may change. For official info see mvsd.k12.wa.us.example.net", True, False),
    ("Info may change. Official merch at maplevalleysd.org/store", True, False),
    ("Info may change; see jhs.mvsd.k12.wa.us for official details.", True, True),  # subdomain
    ("We may charge a fee. Official info: mvsd.k12.wa.us", False, True),  # not a typo of change
    ("Exchange night! Official info: mvsd.k12.wa.us", False, True),
    ("Route may be moved. Official route: maplevalleysd.org/route", True, True),  # label colon
    ("Subject to change... said nobody ever! Official info: mvsd.k12.wa.us", False, True),
    ("Go team #subjecttochange #officialinfoatmvsdk12waus", True, True),  # unsplit, digits
]


@pytest.mark.parametrize(("text", "a", "b"), ELEMENTS)
def test_elements(det: DisclaimerDetector, text: str, a: bool, b: bool) -> None:
    judged = det.judge(text)
    assert (judged.a, judged.b) == (a, b)


@pytest.mark.parametrize(
    ("text", "explanation", "score"),
    [
        (
            "Go Eagles!",
            "elements A (information may change) and B (official-information pointer) missing",
            0.95,
        ),
        ("Info may change.", "element B (official-information pointer) missing", 0.95),
        ("Official info: mvsd.k12.wa.us", "element A (information may change) missing", 0.95),
        (
            "Info will NOT change. Official info: mvsd.k12.wa.us",
            "element A (information may change) missing",
            0.95,
        ),
        (
            "Not subject to change. Official info: mvsd.k12.wa.us",
            "element A (information may change) missing; a negated, mocked or quoted wording was found and not counted",
            0.7,
        ),
        ("Info may change. Official info: mvsd.k12.wa.us", None, None),
    ],
)
def test_findings(
    det: DisclaimerDetector, text: str, explanation: str | None, score: float | None
) -> None:
    [findings] = det.detect_batch([post(text)], DetectionContext())
    if explanation is None:
        assert findings == []
        return
    [f] = findings
    assert (f.detector, f.category, f.severity, f.start, f.end) == (
        "disclaimer",
        "missing_disclaimer",
        "medium",
        None,
        None,
    )
    assert (f.explanation, f.score) == (explanation, score)


PROFILE_BOTH = "Jefferson High Robotics. Posts may change; official info: mvsd.k12.wa.us"
PROFILE_A = "Jefferson High Robotics. Posts may change."


@pytest.mark.parametrize(
    ("account", "text", "flagged"),
    [
        (AccountInfo(id="a", district_officer=True), "Go Eagles!", False),
        (
            AccountInfo(id="a", profile_disclaimer_counts=True, profile_text=PROFILE_BOTH),
            "Go Eagles!",
            False,
        ),
        (
            AccountInfo(id="a", profile_disclaimer_counts=False, profile_text=PROFILE_BOTH),
            "Go Eagles!",
            True,
        ),
        (
            AccountInfo(id="a", profile_disclaimer_counts=True, profile_text=None),
            "Go Eagles!",
            True,
        ),
        (
            AccountInfo(id="a", profile_disclaimer_counts=True, profile_text="Go Eagles!"),
            "Go Eagles!",
            True,
        ),
        (
            AccountInfo(id="a", profile_disclaimer_counts=True, profile_text=PROFILE_A),
            "Go Eagles!",
            True,
        ),
        # profile gives A, the post gives B: the reader sees both
        (
            AccountInfo(id="a", profile_disclaimer_counts=True, profile_text=PROFILE_A),
            "Official info: maplevalleysd.org",
            False,
        ),
        (AccountInfo(id="a"), "Go Eagles!", True),
    ],
)
def test_exemptions(
    det: DisclaimerDetector, account: AccountInfo, text: str, flagged: bool
) -> None:
    [findings] = det.detect_batch([post(text, "a")], DetectionContext({"a": account}))
    assert bool(findings) == flagged


def test_unknown_account_is_a_registered_non_officer(det: DisclaimerDetector) -> None:
    ctx = DetectionContext({"officer": AccountInfo(id="officer", district_officer=True)})
    out = det.detect_batch([post("Go!", "officer"), post("Go!", "someone-else")], ctx)
    assert [bool(f) for f in out] == [False, True]


def test_deleted_posts_get_no_finding(det: DisclaimerDetector) -> None:
    assert det.detect_batch([post("Go Eagles!", deleted=True)], DetectionContext()) == [[]]


def test_district_adds_phrasings_and_languages() -> None:
    text = "Plans are written in pencil. The real scoop lives at the district office web portal."
    assert make().judge(text).a is False
    custom = make(
        phrases={
            "en": {
                "may_change": ["written in pencil"],
                "official_pointer": ["the real scoop lives at"],
            }
        }
    )
    assert (custom.judge(text).a, custom.judge(text).b) == (True, True)
    fr = make(
        languages=["en", "fr"],
        phrases={
            "fr": {
                "may_change": ["(peut|peuvent) changer"],
                "official_pointer": ["informations officielles sur le site du district"],
            }
        },
    )
    judged = fr.judge(
        "Les horaires peuvent changer. Informations officielles sur le site du district."
    )
    assert (judged.a, judged.b) == (True, True)


def test_spanish_can_be_switched_off() -> None:
    text = "Sujeto a cambios. Información oficial: mvsd.k12.wa.us"
    assert make().judge(text).a is True
    assert make(languages=["en"]).judge(text).a is False


def test_district_names_and_domain_aliases() -> None:
    text = "Info may change. Official info: Maple Valley SD web page."
    assert make().judge(text).b is False
    assert make(district_names=["Maple Valley SD"]).judge(text).b is True
    assert make().judge("Info may change. Official info: MVSD website.").b is True  # domain label


def test_fuzzy_threshold() -> None:
    text = "Info subjetc to chnage. Official info: mvsd.k12.wa.us"
    assert make().judge(text).a is True
    assert make(fuzzy_threshold=100).judge(text).a is False


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"languages": ["en", "xx"]}, "neither built in"),
        ({"fuzzy_threshold": 120}, "less than or equal"),
        ({"phrases": {"en": {"may_change": [], "typo": []}}}, "Extra inputs"),
        ({"langs": ["en"]}, "Extra inputs"),
    ],
)
def test_settings_validation(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DisclaimerSettings.model_validate(raw)


def test_expand() -> None:
    assert expand("(may|might) [still] change") == [
        "may change",
        "may still change",
        "might change",
        "might still change",
    ]


def test_corpus_accuracy(det: DisclaimerDetector) -> None:
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    assert len(records) >= 100
    assert {"id", "text", "platform", "disclaimer_ok"} <= set(records[0])
    result = evaluate(records, {"disclaimer": det}, vanilla_model=None)
    flags = result.flags["disclaimer"]
    assert flags.total == len(records)
    assert flags.accuracy >= 0.95, flags.misses
