"""Shared, session-scoped detector fixtures (building spaCy + Presidio takes seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.records import District
from tests.support.district import district_from_csvs

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def fixture_district() -> District:
    """Maple Valley School District: staff directory and official contacts from tests/data."""
    return district_from_csvs(DATA / "district")


@pytest.fixture(scope="session")
def pii_detector(fixture_district: District):
    """One StudentPiiDetector with default settings, shared by all tests."""
    from detectors.pii import StudentPiiDetector

    return StudentPiiDetector(StudentPiiDetector.Settings(), fixture_district)
