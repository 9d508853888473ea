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


def test_markup_and_escapes_in_stored_text_print_as_data(monkeypatch) -> None:
    """Issue 13 item 5: Rich markup or a terminal escape in a platform error or a note is shown
    as written (escapes neutralised), never parsed and never a crash."""
    import io

    from rich.console import Console

    from scanner.cli import scan
    from scanner.scan.results import AccountResult, ScanSummary

    buf = io.StringIO()
    monkeypatch.setattr(scan, "console", Console(file=buf, width=200, markup=False))
    bad = AccountResult("a", "reddit", ok=False, error="AuthError: [/bold] \x1b[31mred")
    bad.notes = ["post [link=file:///etc]x[/link] quarantined"]
    scan.print_summary(ScanSummary(1, [bad, AccountResult("b", "x")]))
    out = buf.getvalue()
    assert "[/bold]" in out and "[link=file:///etc]x[/link]" in out
    assert "\x1b" not in out
