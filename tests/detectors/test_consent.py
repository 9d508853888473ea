"""Matching followers against the roster on keyed hashes (policy item 3): name forms, handles,
and an index that keeps no name or handle in plaintext."""

from __future__ import annotations

import pickle

import pytest

from detectors.consent import handle_as_name, match_followers, name_candidates
from detectors.pii.roster import StudentIndex, normalize_handle
from scanner.records import RosterEntry

ROSTER = (
    RosterEntry("S1", "Zoë", "Okonkwo-Bell", handles=("@zoe.draws", "u/zob_art")),
    RosterEntry("S2", "William", "Tran", preferred_name="Liam"),
    RosterEntry("S3", "Maya", "Chen"),
    RosterEntry("S4", "Maya", "Chen"),  # two students share a name
)
INDEX = StudentIndex(ROSTER, b"local-test-secret")


@pytest.mark.parametrize(
    ("display_name", "handle", "expected"),
    [
        ("Zoe Okonkwo-Bell", "", {"S1": "name"}),
        ("ZOË OKONKWO BELL 🎨", "", {"S1": "name"}),
        ("Zoë O.", "", {"S1": "name"}),
        ("Art club fan", "@Zoe.Draws", {"S1": "handle"}),
        ("", "zob_art", {"S1": "handle"}),
        ("Liam Tran | JHS '27", "", {"S2": "name"}),
        ("Coach William Tran", "", {"S2": "name"}),
        ("William Q Tran", "", {"S2": "name"}),
        ("", "liam_tran09", {"S2": "name"}),
        ("Maya Chen", "", {"S3": "name", "S4": "name"}),
        ("Liam", "liam", {}),  # one word is never a match
        ("Tran William", "", {}),
        ("Jefferson Art Boosters", "jhsartboosters", {}),
        ("", "", {}),
    ],
)
def test_match_followers(display_name: str, handle: str, expected: dict[str, str]) -> None:
    assert match_followers([(display_name, handle)], INDEX) == expected


def test_a_handle_match_wins_over_a_name_match() -> None:
    found = match_followers([("Zoe Okonkwo-Bell", ""), ("", "@zoe.draws")], INDEX)
    assert found == {"S1": "handle"}


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("@Maya_Chen", "maya_chen"), ("u/maya_chen", "maya_chen"), ("/user/X ", "x"), ("", "")],
)
def test_normalize_handle(raw: str, normalized: str) -> None:
    assert normalize_handle(raw) == normalized


def test_name_candidates_and_handles_as_names() -> None:
    assert name_candidates("Maya Lin Chen") == [
        "maya lin chen",
        "maya lin",
        "maya chen",
        "lin chen",
    ]
    assert handle_as_name("maya.chen_07") == "maya chen"
    assert handle_as_name("mchen") == ""


def test_the_index_keeps_ids_but_no_name_or_handle() -> None:
    blob = pickle.dumps(INDEX.__dict__)
    for entry in ROSTER:
        for value in (entry.first_name, entry.last_name, *entry.handles):
            assert value.encode() not in blob
            assert normalize_handle(value).encode() not in blob
    assert b"S1" in blob  # roster ids, in memory only, are what a match yields
