"""CLI plumbing: logging survives the stderr it was set up with being closed."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from scanner.cli.common import setup_logging


def test_log_handler_follows_the_current_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    temporary = io.StringIO()
    monkeypatch.setattr(sys, "stderr", temporary)
    setup_logging()
    temporary.close()  # what a test runner does with its capture after a CLI invocation
    current = io.StringIO()
    monkeypatch.setattr(sys, "stderr", current)
    logging.getLogger("scanner.test").warning("after the capture closed")
    out = current.getvalue()
    assert "Logging error" not in out
    assert out.rstrip().endswith("WARNING scanner.test: after the capture closed")
