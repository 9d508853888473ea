"""Shared fixtures of the connector tests: replaying committed cassettes offline."""

from __future__ import annotations

import pytest

from tests.support.replay import replay


@pytest.fixture
def fetch():
    return replay
