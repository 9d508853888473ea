"""Shared records: what connectors yield, what detectors return and what both may know.

A leaf module: it imports nothing from the product, so connectors, detectors and every core
package can use it. Storage rows live in `scanner.store.tables` under other names (`PostRow`,
`FindingRow`, `AccountRow`), so no alias is ever needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo


class Severity(StrEnum):
    """How urgent a finding is; high findings are e-mailed at once by default."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class FindingStatus(StrEnum):
    """Where a finding is in review: open → confirmed | dismissed | resolved (and reopen)."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    RESOLVED = "resolved"


class Category(StrEnum):
    """The categories of the built-in detectors (a plugin may add its own strings)."""

    STUDENT_NAME = "STUDENT_NAME"
    STUDENT_ID = "STUDENT_ID"
    STUDENT_CONTACT = "STUDENT_CONTACT"
    STUDENT_DOB = "STUDENT_DOB"
    MISSING_DISCLAIMER = "missing_disclaimer"
    INSTRUCTIONAL_TIME = "instructional_time"


@dataclass(frozen=True)
class Post:
    """One post as the reader sees it, normalised across platforms."""

    platform: str
    account: str
    external_id: str
    url: str
    author: str | None
    created_at: datetime
    text: str
    edited_at: datetime | None = None
    deleted: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict)


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


@runtime_checkable
class AccountLike(Protocol):
    """The registry fields a connector may read (satisfied by the config's `AccountConfig`)."""

    id: str
    platform: str
    handle: str
    feed_url: str | None
    initial_posts: int


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


@dataclass(frozen=True)
class DetectorInfo:
    """What the core prints and decides about a detector's findings; each detector declares it.

    `policy_item` is quoted in alerts, `action` tells the sponsor what to do, `categories` maps
    each category to a label. `masks_spans`: its spans are sensitive values, masked in every
    excerpt. `privacy_officer`: its findings also go to the district privacy officer.
    `needs_created_at`: it judges the posting time (skipped when the time is unknown).
    `eval_spans`: scored against the gold "spans" of a labelled corpus; `eval_flag_field`: a
    corpus boolean field that is false exactly when the detector should flag the post.
    """

    policy_item: str
    action: str
    categories: Mapping[str, str]
    masks_spans: bool = False
    privacy_officer: bool = False
    needs_created_at: bool = False
    eval_spans: bool = False
    eval_flag_field: str | None = None


@dataclass(frozen=True)
class ConnectorInfo:
    """What the core checks about accounts of a platform; each connector declares it."""

    label: str
    required_account_fields: tuple[str, ...] = ()
