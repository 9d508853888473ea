"""Roster matching on keyed hashes, and its effect on the detector's findings."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from detectors.pii.roster import RosterIndex, name_forms, normalize_name
from scanner.records import DetectionContext, Post, RosterEntry

ROSTER = (
    RosterEntry("S1", "Zoë", "Okonkwo-Bell", grade="5", directory_opt_out=True),
    RosterEntry("S2", "William", "Tran", grade="3", preferred_name="Liam"),
    RosterEntry("S3", "Priya", "Natarajan", grade="7", media_consent=False),
    RosterEntry("S4", "Jonah", "Friedman", grade="6"),
)
SECRET = b"local-test-secret"


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Emma Johnson", "emma johnson"),
        ("  ZOË   Okonkwo-Bell ", "zoe okonkwo bell"),
        ("Liam O'Connor", "liam oconnor"),
        ("Liam O’Connor’s", "liam oconnor"),
        ("José Ramírez Jr.", "jose ramirez"),
        ("Emma J.", "emma j"),
        ("", ""),
    ],
)
def test_normalize_name(raw, normalized):
    assert normalize_name(raw) == normalized


def test_name_forms_cover_full_initial_and_preferred():
    assert name_forms(ROSTER[1]) == {"william tran", "william t", "liam tran", "liam t"}


def test_index_keeps_only_hashes():
    index = RosterIndex(ROSTER, SECRET)
    blob = pickle.dumps(index.__dict__)
    for entry in ROSTER:
        for value in (entry.first_name, entry.last_name, entry.student_id):
            assert value.encode() not in blob
            assert normalize_name(value).encode() not in blob or len(value) < 3
    assert all(len(d) == 32 for d in index.digests())


@pytest.mark.parametrize(
    ("written", "restricted"),
    [
        ("Zoe Okonkwo-Bell", True),
        ("ZOË OKONKWO BELL", True),
        ("Zoë O.", True),
        ("Liam Tran", False),
        ("William T.", False),
        ("Priya Natarajan's", True),
        ("Jonah Friedman", False),
    ],
)
def test_lookup_matches_normalized_forms(written, restricted):
    flags = RosterIndex(ROSTER, SECRET).lookup(written)
    assert flags is not None and flags.restricted is restricted


@pytest.mark.parametrize("written", ["Jonah", "Liam", "Jonah Smith", "Tran", ""])
def test_lookup_rejects_partial_or_other_names(written):
    assert RosterIndex(ROSTER, SECRET).lookup(written) is None


def test_other_secret_other_digests_and_empty_secret_refused():
    assert RosterIndex(ROSTER, SECRET).digests().isdisjoint(RosterIndex(ROSTER, b"x").digests())
    with pytest.raises(ValueError):
        RosterIndex(ROSTER, b"")


@pytest.fixture(scope="module")
def roster_detector(fixture_district):
    from detectors.pii import StudentPiiDetector

    district = replace(fixture_district, roster=ROSTER, roster_secret=SECRET)
    return StudentPiiDetector(StudentPiiDetector.Settings(), district)


def _findings(detector, text):
    p = Post("x", "a", "1", "u", None, datetime(2025, 1, 1, tzinfo=UTC), text)
    [findings] = detector.detect_batch([p], DetectionContext())
    return {text[f.start : f.end]: f for f in findings}


@pytest.mark.slow
def test_roster_match_raises_severity_and_explains(roster_detector):
    found = _findings(roster_detector, "Great game today by Zoe Okonkwo-Bell and Jonah Friedman!")
    zoe, jonah = found["Zoe Okonkwo-Bell"], found["Jonah Friedman"]
    assert zoe.severity == "high" and "roster match" in zoe.explanation
    assert "opt-out" in zoe.explanation
    assert jonah.severity == "medium" and "roster match" in jonah.explanation
    assert zoe.score == 1.0


@pytest.mark.slow
def test_roster_finds_initial_form_ner_misses(roster_detector):
    found = _findings(roster_detector, "Lost calculator with Zoë O. written on it.")
    assert "Zoë O" in found or "Zoë O." in found
    finding = found.get("Zoë O") or found["Zoë O."]
    assert finding.category == "STUDENT_NAME" and finding.severity == "high"


@pytest.mark.slow
def test_roster_name_with_staff_title_is_not_the_student(roster_detector):
    assert "Tran" not in _findings(roster_detector, "Mr. Liam Tran teaches 5th grade.")
    assert _findings(roster_detector, "Mr. Liam Tran teaches history.") == {}
