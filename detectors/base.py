"""Detector protocol, the `Finding` record, and what a detector may know about the district.

Detectors are pure: no I/O, no database, no network. Heavy engines are built once in the
detector's constructor (from its settings and the `District` resources) and reused per batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from connectors.base import Post

Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")


@dataclass(frozen=True)
class Finding:
    """One policy problem found in one post. `explanation` never contains the raw PII value."""

    detector: str
    category: str
    severity: Severity
    start: int | None
    end: int | None
    score: float
    explanation: str


@dataclass(frozen=True)
class StaffMember:
    """A row of the staff directory (staff names are not student PII)."""

    first_name: str
    last_name: str
    title: str = ""
    email: str = ""


@dataclass(frozen=True)
class RosterEntry:
    """A roster row as given in the CSV. Detectors must keep only keyed hashes of names."""

    student_id: str
    first_name: str
    last_name: str
    grade: str = ""
    school: str = ""
    directory_opt_out: bool = False
    media_consent: bool = True
    preferred_name: str = ""


@dataclass(frozen=True)
class District:
    """District-wide resources from scanner.yaml and its CSVs, given to detector constructors."""

    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    district_domains: tuple[str, ...] = ()
    official_contacts: tuple[tuple[str, str], ...] = ()  # (kind, value): phone|email|domain
    staff: tuple[StaffMember, ...] = ()
    roster: tuple[RosterEntry, ...] | None = None
    roster_secret: bytes = b""  # HMAC key for roster name hashes
    config_dir: Path = field(default_factory=Path.cwd)


@dataclass(frozen=True)
class AccountInfo:
    """What detectors know about the account a post came from."""

    id: str = ""
    school: str = ""
    district_officer: bool = False
    profile_disclaimer_counts: bool = False
    profile_text: str | None = None
    scheduled_posts_exempt: bool = False


DEFAULT_ACCOUNT = AccountInfo()


@dataclass(frozen=True)
class DetectionContext:
    """Per-batch context: the accounts of the posts. Unknown accounts get `DEFAULT_ACCOUNT`
    (a registered non-officer account with no profile disclaimer)."""

    accounts: Mapping[str, AccountInfo] = field(default_factory=dict)

    def account(self, account_id: str) -> AccountInfo:
        """The account's info, or the default for posts without a registered account."""
        return self.accounts.get(account_id, DEFAULT_ACCOUNT)


class DetectorSettings(BaseModel):
    """Base of each detector's `detectors.<name>` settings block in scanner.yaml."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True


@runtime_checkable
class Detector(Protocol):
    """A detector: flags policy problems in a batch of posts."""

    name: ClassVar[str]
    Settings: ClassVar[type[DetectorSettings]]

    def detect_batch(self, posts: Sequence[Post], ctx: DetectionContext) -> list[list[Finding]]:
        """One list of findings per post, in the posts' order."""
        ...
