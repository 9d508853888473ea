"""PII masking for alerts: the raw value never survives."""

from __future__ import annotations

import pytest

from scanner.scan.masking import mask_email, mask_name, mask_phone, mask_span, mask_text, mask_value


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Emma Johnson", "E*** J******"),
        ("Mary-Kate O'Neil", "M******** O*****"),
        ("Zoë", "Z**"),
        ("José Ramírez Jr.", "J*** R****** J*."),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("425-555-4567", "***-***-4567"),
        ("(206) 555-0147", "***-***-0147"),
        ("425.555.0129", "***-***-0129"),
        ("+1 253 555 0182", "***-***-0182"),
        ("555", "***-***-****"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_email_keeps_domain_only():
    assert mask_email("asilva27@students.mvsd.k12.wa.us") == "a*******@students.mvsd.k12.wa.us"
    assert mask_email("not an email") == "*** ** *****"


@pytest.mark.parametrize(
    ("value", "category", "masked"),
    [
        ("204455", "STUDENT_ID", "******"),
        ("S-0923841", "STUDENT_ID", "*-*******"),
        ("04/22/2006", "STUDENT_DOB", "**/**/****"),
        ("age 6", "STUDENT_DOB", "*** *"),
        ("253-555-0182", "STUDENT_CONTACT", "***-***-0182"),
        ("sofia@gmail.com", "STUDENT_CONTACT", "s****@gmail.com"),
        ("1420 Maplewood Ave", "STUDENT_CONTACT", "**** ********* ***"),
        ("Emma Johnson", "STUDENT_NAME", "E*** J******"),
        ("whatever 12", "OTHER", "******** **"),
    ],
)
def test_mask_value_by_category(value, category, masked):
    assert mask_value(value, category) == masked


def test_mask_span_and_text():
    text = "Congrats Emma Johnson! Student ID 204455, mom 253-555-0182."
    assert mask_span(text, 9, 21, "STUDENT_NAME") == "E*** J******"
    assert mask_span(text, 5, 5, "STUDENT_NAME") == ""
    masked = mask_text(
        text, [(34, 40, "STUDENT_ID"), (9, 21, "STUDENT_NAME"), (46, 58, "STUDENT_CONTACT")]
    )
    assert masked == "Congrats E*** J******! Student ID ******, mom ***-***-0182."
    for raw in ("Emma", "Johnson", "204455", "555-0182"):
        assert raw not in masked
