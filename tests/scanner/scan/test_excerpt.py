"""Excerpts around findings: detected PII and sensitive spans masked, the finding marked,
undetected digit runs and e-mails scrubbed."""

from __future__ import annotations

import pytest

from scanner.scan.excerpt import MARK_CLOSE, MARK_OPEN, masked_excerpt, scrub, sensitive_masker

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
        ("born 3/14/2015", "born */**/****"),
        ("class of 2027", "class of 2027"),
        ("mail ty.j@students.mvsd.k12.wa.us", "mail t***@students.mvsd.k12.wa.us"),
    ],
)
def test_scrub(raw: str, expected: str) -> None:
    assert scrub(raw) == expected


# A finding ("Maya Chen") with a neighbour the detector did not report; the neighbour is one of
# the sensitive spans (as a detector's `sensitive_spans` would return it) and must not appear raw.
NEIGHBOURS = [
    # kind, text, the neighbour, how it is masked
    ("neighbouring name", "Maya Chen and Theo Lindquist won the relay!", "Lindquist", "L********"),
    ("lower-case name", "Maya Chen and theo won the relay!", "theo", "t***"),
    ("possessive name", "Maya Chen and Theo's sister won!", "Theo's", "T*****"),
    ("handle", "Maya Chen (@theo.runs) won the relay!", "@theo.runs", "@****.****"),
    ("hashtag", "Maya Chen won! #GoTheoLindquist", "#GoTheoLindquist", "#**************"),
    ("login", "Maya Chen: log in as mchen2031 to vote", "mchen2031", "*********"),
    ("phone", "Maya Chen, call 425-555-0142 today", "425-555-0142", "***-***-****"),
    ("date", "Maya Chen was born 3/14/2015 in Tacoma", "3/14/2015", "*/**/****"),
    (
        "URL path",
        "Maya Chen: see site.org/kids/theo-lindquist",
        "/kids/theo-lindquist",
        "/****/****-*********",
    ),
]


@pytest.mark.parametrize(
    ("kind", "text", "raw", "masked"), NEIGHBOURS, ids=[n[0] for n in NEIGHBOURS]
)
def test_sensitive_neighbours_never_appear_raw(kind, text, raw, masked) -> None:
    start = text.index("Maya Chen")
    finding = [(start, start + 9, "STUDENT_NAME")]
    at = text.index(raw)
    out = masked_excerpt(text, start, start + 9, finding, sensitive=[(at, at + len(raw))])
    assert raw.lower() not in out.lower()
    assert f"{MARK_OPEN}M*** C***{MARK_CLOSE}" in out  # the finding itself stays findable
    assert masked in out
    # without the sensitive span the neighbour would travel; scrub alone catches only numbers
    unmasked = masked_excerpt(text, start, start + 9, finding)
    assert (raw.lower() in unmasked.lower()) == (kind not in ("phone", "date"))


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("Lindquist", "L********"),
        ("O'Neil", "O*****"),
        ("Sun-hee", "S******"),
        ("St.", "S*."),
        ("@theo.runs", "@****.****"),
        ("#GoTheo", "#******"),
        ("mchen2031", "*********"),
        ("/kids/theo", "/****/****"),
        ("12", "**"),
    ],
)
def test_sensitive_spans_keep_initials_only_for_words(value: str, masked: str) -> None:
    assert sensitive_masker(value)(value) == masked


def test_overlaps_keep_the_findings_own_mask() -> None:
    text = "Go Theo-Maya Chen! Call 425-555-0142 now, or 425-555-0199."
    start = text.index("Maya Chen")
    phone, other = text.index("425"), text.rindex("425")
    findings = [(start, start + 9, "STUDENT_NAME"), (phone, phone + 12, "STUDENT_CONTACT")]
    # sensitive spans overlapping the finding and the phone, one cut by the window's edge
    sensitive = [(text.index("Theo"), start + 4), (phone + 4, phone + 12), (other, other + 12)]
    out = masked_excerpt(text, start, start + 9, findings, window=30, sensitive=sensitive)
    assert out == "Go T***-[M*** C***]! Call ***-***-0142 now, or **…"


def test_words_cut_at_the_window_edge_are_masked_in_full() -> None:
    text = "Lindquist " + "x" * 30 + " Maya Chen " + "y" * 30 + " Okonkwo"
    start = text.index("Maya")
    spans = [(0, 9), (len(text) - 7, len(text))]
    out = masked_excerpt(text, start, start + 9, [], window=36, sensitive=spans)
    # "uist" is cut from "Lindquist": its "u" is no initial; a detector that does not mask its
    # own spans still gets its finding marked
    assert out == "…**** " + "x" * 30 + " [Maya Chen] " + "y" * 30 + " O***…"
