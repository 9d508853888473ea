"""Excerpts around findings: detected PII masked, undetected digit runs and e-mails scrubbed."""

from __future__ import annotations

import pytest

from scanner.scan.excerpt import masked_excerpt, scrub

TEXT = "Congrats to Maya Chen (Grade 11)! Questions? Call 425-555-0142 or maya.chen@gmail.com"


def test_whole_post_findings_have_no_excerpt() -> None:
    assert masked_excerpt(TEXT, None, None, []) == ""


def test_detected_name_masked_and_undetected_contacts_scrubbed() -> None:
    start = TEXT.index("Maya")
    out = masked_excerpt(TEXT, start, start + 9, [(start, start + 9, "STUDENT_NAME")], window=200)
    assert "Maya" not in out and "Chen" not in out.split("@")[0]
    assert "0142" not in out and "maya.chen@" not in out
    assert "Grade 11" in out  # short numbers stay readable


def test_window_is_short_and_marked() -> None:
    text = "x" * 100 + "Maya Chen" + "y" * 100
    out = masked_excerpt(text, 100, 109, [(100, 109, "STUDENT_NAME")], window=10)
    assert out.startswith("…") and out.endswith("…") and len(out) < 40


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ID 204455", "ID ******"),
        ("call (425) 555-0142", "call (***) ***-****"),
        ("class of 2027", "class of 2027"),
        ("mail ty.j@students.mvsd.k12.wa.us", "mail t***@students.mvsd.k12.wa.us"),
    ],
)
def test_scrub(raw: str, expected: str) -> None:
    assert scrub(raw) == expected
