"""The one error tree: every error the scanner raises on purpose is a `ScannerError`.

Library exceptions (praw, tweepy, facebook-sdk, requests, SQLAlchemy, smtplib, pydantic) are
mapped to these classes at the boundary where they are caught, so callers above never see them.
Messages are one line, never carry post text, secrets or roster values, and say what to do. The
command line maps the classes to exit codes in one place (`scanner.cli.common.exit_code_for`).
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


class ScannerError(Exception):
    """Root of every deliberate error."""


def code_locations(exc: BaseException) -> str:
    """Where `exc` was raised, as file:line in function frames, for debug logs: never its
    message or any value, which could quote post text or a student's name."""
    frames = traceback.extract_tb(exc.__traceback__)
    return (
        type(exc).__name__
        + " at "
        + " <- ".join(
            f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in reversed(frames)
        )
    )


# --- configuration and plugins ---------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one config file: `file: key.path: what is wrong; expected …`."""

    file: str
    path: str
    problem: str
    expected: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}: " if self.path else f"{self.file}: "
        return f"{where}{self.problem}" + (f"; expected {self.expected}" if self.expected else "")


class ConfigError(ScannerError):
    """A config folder with one or more problems; `str()` lists them one per line."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RegistryError(ScannerError):
    """A duplicate or unknown plugin name."""


class SecretError(ScannerError):
    """A secret reference that cannot be resolved. The message names the reference only."""


class InputError(ScannerError):
    """A line of user input (`scanner detect`, `scanner eval`) that cannot be used; the message
    never repeats the post text."""


# --- storage ---------------------------------------------------------------------------------


class DatabaseError(ScannerError):
    """The database cannot be reached or migrated. The message masks any password."""


# --- platforms -------------------------------------------------------------------------------


class ConnectorError(ScannerError):
    """Base of every error a connector raises. Messages never contain tokens or post text."""

    retryable: bool = False  # a class default; an instance may override it (usage caps)


class AuthError(ConnectorError):
    """Credentials rejected or missing permission (401/403)."""


class NotFound(ConnectorError):
    """The account, page or feed does not exist or is not visible (404)."""


class RateLimited(ConnectorError):
    """The platform asked us to slow down (429). `retry_at` is when to try again, if known.

    `capped` marks a usage cap (X `problems/usage-capped`): not retried until an operator acts.
    """

    retryable = True

    def __init__(self, message: str, retry_at: datetime | None = None, capped: bool = False):
        super().__init__(message)
        self.retry_at = retry_at
        self.capped = capped
        if capped:
            self.retryable = False


class TransientError(ConnectorError):
    """Server error, timeout, malformed or HTML response: try again on the next run."""

    retryable = True


class MalformedResponse(TransientError):
    """The platform answered with data the connector cannot read (a missing field, a wrong
    type, a number out of range): nothing of the fetch is used; tried again on the next run."""


class ReplayError(ConnectorError):
    """A replayed cassette has no recorded answer for a request (or cannot be read)."""


# --- e-mail ----------------------------------------------------------------------------------

MAX_SEND_ERROR_CHARS = 300


class SendError(ScannerError):
    """A message was not accepted. `permanent` means retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message[:MAX_SEND_ERROR_CHARS])
        self.permanent = permanent


# --- review and retention --------------------------------------------------------------------


class ReviewError(ScannerError):
    """A refused review action; the message is one line a reviewer can act on."""


class UnknownFinding(ReviewError):
    """No finding with that id."""


class InvalidTransition(ReviewError):
    """The status change is not allowed from the finding's current status."""


class InvalidInput(ReviewError):
    """A note, reason or reviewer that cannot be stored."""


class RetentionError(ScannerError):
    """The retention config cannot be applied as it stands; nothing was changed."""


# --- review console --------------------------------------------------------------------------


class ConsoleError(ScannerError):
    """A refused console or `scanner users` request (unknown user, bad role, weak password);
    the message never repeats a password or post text."""
