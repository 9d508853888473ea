"""The acceptable-use detector: each category fires, each kind of false friend does not, spans,
obfuscation, district list edits, bounded work on huge input, the frozen test set's hash."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from detectors import DETECTORS
from detectors.acceptable_use import AcceptableUseDetector, AcceptableUseSettings
from scanner.records import Category, DetectionContext, District, Post, Severity
from tests.support.frozen import listed, sha256_of
from tests.support.paths import DATA

DETECTOR = AcceptableUseDetector(AcceptableUseSettings(), District())


def cats(text: str, detector: AcceptableUseDetector = DETECTOR) -> set[str]:
    return {f.category for f in detector.detect_text(text)}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("this schedule is bullshit", "profanity"),
        ("what the fuck happened", "profanity"),
        ("Damn, the line is long", "profanity"),
        ("who the hell planned this", "profanity"),
        ("you're such a loser", "harassment"),
        ("shut up you idiot", "harassment"),
        ("Tyler is a fat loser", "harassment"),
        ("Ms. Hart is a useless teacher and a joke", "harassment"),
        ("@jk_22 ur so ugly", "harassment"),
        ("nobody likes you", "harassment"),
        ("kys", "harassment"),
        ("I'm going to kill you after school", "threat"),
        ("imma stab that kid", "threat"),
        ("gonna shoot up the school tomorrow", "threat"),
        ("watch your back", "threat"),
        ("there's going to be a bomb in the gym", "threat"),
        ("i want to die", "self_harm"),
        ("i'm going to kill myself", "self_harm"),
        ("everyone would be better off without me", "self_harm"),
        ("been cutting myself again", "self_harm"),
        ("my friend said she wants to kill herself", "self_harm"),
    ],
)
def test_each_category_fires(text: str, category: str) -> None:
    assert category in cats(text)


@pytest.mark.parametrize(
    "text",
    [
        # idioms with violent or morbid words
        "Our runners killed it at the meet!",
        "Shoot for the stars, seniors!",
        "We crushed the competition at the invitational",
        "My son is dying to see the new gym",
        "I bombed the test but it's fine",
        "What a sick play by number 12",
        "Varsity beat Central 3-1",
        "Hang in there, Hawks!",
        "Take a shot at the scholarship",
        "lol I'm dead 💀",
        "this homework is killing me",
        # sports, science, names, mascots, reading lists
        "Jaylen placed 2nd in shot put",
        "Chemistry: Dead Sea water is 34% salt",
        "Go Killer Bees!",
        "English 11 is reading Moby Dick",
        "Join us at Dick's Sporting Goods night",
        "Students read To Kill a Mockingbird",
        "Band camp Hell Week starts Monday",
        "14 seniors graduated summa cum laude",
        "Our Scunthorpe exchange students arrive Monday",
        "We're going to destroy them on the court Friday",
        # "send" and competition
        "I'll shoot you an email about carpool",
        "Shoot me a text when practice ends",
        # negation
        "You are not stupid for asking",
        "I don't want to die of boredom at the meeting",
        "He never said she was ugly",
        # quoting and talk about abuse (anti-bullying and health posts)
        "Name-calling like 'loser' or 'stupid' hurts.",
        'If someone says "kill yourself", tell an adult.',
        "Warning signs such as talking about wanting to die need a response.",
        "Suicide Prevention Month: call or text 988.",
        # hyphenated words and plain school text
        "He's so dumb-founded by the new math",
        "Lunch: chicken nuggets, green beans, fruit cup.",
    ],
)
def test_false_friends_do_not_fire(text: str) -> None:
    assert cats(text) == set()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # self-harm: wanting to die, burden, hopelessness, goodbye, self-injury, slang
        ("honestly i just want it all to end", "self_harm"),
        ("i hope i don't wake up tomorrow", "self_harm"),
        ("i feel like such a burden to my family", "self_harm"),
        ("everyone would be happier without me", "self_harm"),
        ("i can't do this anymore", "self_harm"),
        ("life isn't worth living", "self_harm"),
        ("what's the point anymore", "self_harm"),
        ("this is goodbye. i love you all", "self_harm"),
        ("by the time you read this i'll be gone", "self_harm"),
        ("would anyone even notice if i disappeared", "self_harm"),
        ("started cutting again", "self_harm"),
        ("my sister has been cutting herself", "self_harm"),
        ("gonna unalive myself fr", "self_harm"),
        ("thinking about sewerslide", "self_harm"),
        ("i've been having suicidal thoughts", "self_harm"),
        ("im worthless", "self_harm"),
        # threats: veiled, conditional, against the school, weapon + place or time
        ("you won't make it to Friday", "threat"),
        ("your days are numbered", "threat"),
        ("sleep with one eye open", "threat"),
        ("everyone who laughed at me will pay", "threat"),
        ("people are gonna get hurt tomorrow", "threat"),
        ("don't come to school on Monday", "threat"),
        ("bringing my dad's gun tomorrow", "threat"),
        ("got a knife in my backpack", "threat"),
        ("imma fuck you up", "threat"),
        ("I'll burn this school down", "threat"),
        ("catch these hands", "threat"),
        # harassment: body shaming, exclusion, telling someone to die, slurs, more names
        ("you look like a whale", "harassment"),
        ("your face is so disgusting", "harassment"),
        ("nobody wants you here", "harassment"),
        ("no one wants to sit with you", "harassment"),
        ("you have no friends", "harassment"),
        ("go hang yourself", "harassment"),
        ("i hope you die", "harassment"),
        ("just die already", "harassment"),
        ("you clown", "harassment"),
        # profanity: abbreviations and spellings
        ("i'm tired af", "profanity"),
        ("gtfo", "profanity"),
        ("idgaf", "profanity"),
        ("this is fkn nonsense", "profanity"),
        ("what tf", "profanity"),
        ("fml", "profanity"),
        ("phucking ridiculous", "profanity"),
    ],
)
def test_new_kinds_fire(text: str, category: str) -> None:
    assert category in cats(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm dead 😂😂 that assembly skit",
        "this exam is killing me lol",
        "dying to see you all at homecoming!",
        "Break a leg to the cast of Grease!",
        "Last one out, kill the lights please",
        "Bomb pops for everyone at field day!",
        "The Killers concert was insane",
        "Hunting season opener is Saturday",
        "Mental health awareness: if someone says 'I want to die', listen.",
        "Warning signs of self-harm include talking about being a burden.",
        "I can't go on the field trip Friday",
        "I can't keep going to practice at 6am",
        "I'll cut you some slack this time",
        "my kid is gonna knock out that science fair project",
        "watch out for ice in the parking lot tomorrow",
        "we're bringing the knife set to the culinary class",
        "The pig roast fundraiser is Sunday",
        "the clown at the carnival was great",
        "Nobody wants to miss the pep rally!",
        "lmao the mascot fell over",
        "Go Hornets, AFJROTC cadets marched in the parade",
        "I don't wanna die on this hill",
        "I could just die, that picture of her in her cap and gown!",
    ],
)
def test_new_false_friends_do_not_fire(text: str) -> None:
    assert cats(text) == set()


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("ok this is bullshit honestly", "bullshit"),
        ("I'm going to kill you after school", "going to kill you"),
        ("well, you're such a loser lol", "you're such a loser"),
        ("sometimes i just want to die.", "i just want to die"),
        ("The f u c k i n g parking lot", "f u c k i n g"),
    ],
)
def test_spans_cover_the_offending_words(text: str, span: str) -> None:
    (finding,) = DETECTOR.detect_text(text)
    assert text[finding.start : finding.end] == span or span in text[finding.start : finding.end]
    assert text[finding.start : finding.end].endswith(span.split()[-1])


@pytest.mark.parametrize(
    "text",
    ["sh1t", "f*ck this", "f***", "s.h.i.t", "f u c k", "fuuuuck", "a$$hole", "SH!T", "*shit*"],
)
def test_obfuscated_profanity(text: str) -> None:
    assert cats(text) == {"profanity"}


def test_severity_explanation_and_routing_flags() -> None:
    findings = {f.category: f for f in DETECTOR.detect_text("damn. i want to die")}
    assert findings["profanity"].severity == Severity.LOW
    assert findings["self_harm"].severity == Severity.HIGH
    assert "counselor" in findings["self_harm"].explanation
    assert "damn" not in findings["profanity"].explanation.lower()  # masked: d***
    assert "d***" in findings["profanity"].explanation
    info = AcceptableUseDetector.info
    assert Category.SELF_HARM in info.urgent_categories and info.masks_spans
    assert info.comments_by_others and info.comments_by_account
    assert set(info.categories) == {"profanity", "harassment", "threat", "self_harm"}
    assert DETECTORS.get("acceptable_use") is AcceptableUseDetector


def test_detect_batch_one_list_per_post_and_deleted_posts_skipped() -> None:
    def post(text: str, deleted: bool = False) -> Post:
        when = datetime(2025, 1, 6, tzinfo=UTC)
        return Post("x", "a", text, "", None, when, text, deleted=deleted)

    out = DETECTOR.detect_batch([post("kys"), post("hello"), post("kys", True)], DetectionContext())
    assert [len(fs) for fs in out] == [1, 0, 0]


def test_district_adds_removes_and_replaces_entries() -> None:
    settings = AcceptableUseSettings.model_validate(
        {
            "lists": {
                "profanity": {"remove": ["damn"], "add": ["frick* | medium"]},
                "insult": {"add": ["nerd"]},
                "threat": {"replace": ["<intent> egg <victim>"]},
            },
            "severity": {"harassment": "high"},
        }
    )
    d = AcceptableUseDetector(settings, District())
    assert cats("damn it", d) == set()
    (frick,) = d.detect_text("fricking snow")
    assert (frick.category, frick.severity) == ("profanity", Severity.MEDIUM)
    (nerd,) = d.detect_text("you're a nerd")
    assert (nerd.category, nerd.severity) == ("harassment", Severity.HIGH)
    assert cats("i will egg you", d) == {"threat"}
    assert cats("I'm going to kill you", d) == set()  # replaced


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"lists": {"slurs": {"add": ["x"]}}}, "unknown list slurs"),
        ({"lists": {"threat": {"add": ["<nope> you"]}}}, "unknown word class <nope>"),
        ({"lists": {"profanity": {"add": ["heck | severe"]}}}, "severity must be one of"),
        ({"lists": {"profanity": {"add": ["x"], "bogus": 1}}}, "bogus"),
        ({"severity": {"profanity": "urgent"}}, "profanity"),
    ],
)
def test_bad_district_settings_are_config_errors(block: dict, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        AcceptableUseSettings.model_validate(block)
    assert message in str(exc.value)


def test_huge_input_is_bounded() -> None:
    text = "you idiot shit " * 60_000 + "a" * 300_000
    start = time.perf_counter()
    findings = DETECTOR.detect_text(text)
    assert len(findings) == DETECTOR.settings.max_findings_per_post
    assert time.perf_counter() - start < 20  # quadratic work took minutes


def test_frozen_test_set_is_unchanged() -> None:
    folder = DATA / "acceptable_use"
    expected = listed(folder)
    assert expected, "SHA256SUMS lists the frozen files"
    assert {name: sha256_of(folder / name) for name in expected} == expected
