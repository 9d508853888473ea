"""`scanner.errors`: one error tree under ScannerError, mapped to exit codes in one place."""

from __future__ import annotations

import inspect

import pytest

from scanner import errors
from scanner.cli.common import ExitCode, exit_code_for
from scanner.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    NotFound,
    Problem,
    RateLimited,
    ReplayError,
    ScannerError,
    SendError,
    TransientError,
)

DEFINED = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if cls.__module__ == errors.__name__ and issubclass(cls, BaseException)
]


def test_the_module_defines_the_error_tree() -> None:
    names = {cls.__name__ for cls in DEFINED}
    assert {"ScannerError", "ConfigError", "ConnectorError", "SendError", "ReviewError"} <= names


@pytest.mark.parametrize("cls", DEFINED, ids=lambda cls: cls.__name__)
def test_every_exception_is_a_scanner_error(cls: type[BaseException]) -> None:
    assert issubclass(cls, ScannerError)


@pytest.mark.parametrize(
    "exc",
    [
        ConnectorError("unknown connector failure"),
        AuthError("401 from reddit"),
        NotFound("404 from reddit"),
        RateLimited("429 from reddit"),
        RateLimited("usage capped", capped=True),
        TransientError("HTTP 503 from reddit"),
        ReplayError("no recorded answer"),
        SendError("451 4.3.0 try later"),
        SendError("550 5.1.1 user unknown", permanent=True),
    ],
    ids=lambda e: f"{type(e).__name__}:{e}",
)
def test_platform_and_mail_failures_exit_1(exc: ScannerError) -> None:
    assert exit_code_for(exc) is ExitCode.PARTIAL_FAILURE
    assert exit_code_for(exc) == 1


def test_a_config_error_exits_2() -> None:
    exc = ConfigError([Problem("scanner.yaml", "timezone", "unknown time zone 'Mars/Olympus'")])
    assert exit_code_for(exc) is ExitCode.USAGE
    assert exit_code_for(exc) == 2
