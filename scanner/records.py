"""Shared records: what connectors yield, what detectors return and what both may know.

A leaf module: it imports nothing from the product, so connectors, detectors and every core
package can use it. Storage rows live in `scanner.store.tables` under other names (`PostRow`,
`FindingRow`, `AccountRow`), so no alias is ever needed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

_STORED_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, LF, CR kept
_SURROGATE = re.compile(r"[\ud800-\udfff]")


#: Control characters shown to people (terminal escapes, NUL): tab and line feed are kept.
DISPLAY_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def neutralise_controls(text: str) -> str:
    """`text` with control characters shown as U+FFFD (same length, so offsets stay valid):
    for terminals and spreadsheets."""
    return DISPLAY_CONTROLS.sub("\ufffd", text)


def clean_text(text: str) -> str:
    """NFC text without NUL or other control characters (except tab and line breaks) and
    without unpaired surrogates (replaced by U+FFFD), safe for every database and library."""
    text = _SURROGATE.sub("\ufffd", text)
    return unicodedata.normalize("NFC", _STORED_CONTROLS.sub(" ", text))


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {clean_text(str(k)): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


# Text the detectors see: spaCy refuses texts over 1,000,000 characters and its tokenizer takes
# time quadratic in a run of prefix/suffix characters without spaces ("((((…"), so detectors get
# at most MAX_DETECT_CHARS characters, with a space every MAX_RUN characters of a longer run.
# Offsets stay valid (cut at the end; characters replaced one for one).
MAX_DETECT_CHARS = 500_000
MAX_RUN = 100
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")


def _break(match: re.Match[str]) -> str:
    run = match.group(0)
    return "".join(" " if i and i % MAX_RUN == 0 else ch for i, ch in enumerate(run))


def bounded_for_detection(text: str) -> str:
    """`text` cut to `MAX_DETECT_CHARS` with long runs broken (same offsets)."""
    return _LONG_RUN.sub(_break, text[:MAX_DETECT_CHARS])


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
    PROFANITY = "profanity"
    HARASSMENT = "harassment"
    THREAT = "threat"
    SELF_HARM = "self_harm"
    FOLLOWER_WITHOUT_CONSENT = "FOLLOWER_WITHOUT_CONSENT"


class PostKind(StrEnum):
    """What a `Post` is: the account's own post, or a comment/reply on one of them."""

    POST = "post"
    COMMENT = "comment"
    FOLLOWERS = "followers"  # the stored stand-in for an account's follower list (no text)


class AuthorRole(StrEnum):
    """Who wrote a post or comment: the registered account itself, or anyone else."""

    ACCOUNT = "account"
    OTHER = "other"


def kind_and_role(kind: object = None, role: object = None) -> tuple[str, str]:
    """The `kind` and `author_role` of an input line (`scanner detect`, `scanner eval`): a post
    by default, and a comment is someone else's unless the line says the account wrote it.
    ValueError (naming the field) for anything else, the followers stand-in included."""
    kind = kind or PostKind.POST
    if kind not in (PostKind.POST, PostKind.COMMENT):
        raise ValueError('kind is not "post" or "comment"')
    role = role or (AuthorRole.OTHER if kind == PostKind.COMMENT else AuthorRole.ACCOUNT)
    if role not in tuple(AuthorRole):
        raise ValueError('author_role is not "account" or "other"')
    return str(kind), str(role)


@dataclass(frozen=True)
class Post:
    """One post (or comment) as the reader sees it, normalised across platforms.

    A comment carries `kind="comment"`, the external id of what it answers
    (`parent_external_id`: the post or another comment) and of the account's post its thread
    hangs under (`thread_external_id`), and `author_role="other"` unless the account wrote it.
    """

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
    kind: str = PostKind.POST
    parent_external_id: str | None = None
    author_role: str = AuthorRole.ACCOUNT
    thread_external_id: str | None = None

    @property
    def by_others(self) -> bool:
        """A comment someone other than the account wrote (the account's rules do not apply)."""
        return self.kind == PostKind.COMMENT and self.author_role != AuthorRole.ACCOUNT

    def __post_init__(self) -> None:
        # The connector boundary: whatever a platform sent, what is stored and scanned is
        # clean Unicode (no NUL, no lone surrogate, no control characters; NFC).
        for name in (
            "external_id",
            "url",
            "author",
            "text",
            "parent_external_id",
            "thread_external_id",
        ):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, clean_text(value))
        object.__setattr__(self, "raw", _clean_json(self.raw))


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
    allow_http: bool  # a feed may use plain http (blogs; default https only)
    comments: bool  # also fetch comments and replies on the account's posts
    comments_recheck_days: int  # re-read the comments of posts this recent (new ones arrive)
    comments_max: int  # at most this many comments per scan
    profile_disclaimer_counts: bool  # the profile/about text matters (else never fetched)


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
    handles: tuple[str, ...] = ()  # optional platform handles (roster column `handles`)


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
    `urgent_categories`: findings of these categories go at once to the sponsor, the privacy
    officer and every admin CC, whatever the severity settings (e.g. self-harm language).
    `eval_labels_field`: a corpus field listing the categories the detector should flag in the
    post (`[]`: none), scored per category at post level.
    `comments_by_others`: it also judges comments written by others than the account (false
    for the rules that bind the account's own posts: disclaimer, posting time);
    `comments_by_account`: it judges the account's own comments and replies.
    """

    policy_item: str
    action: str
    categories: Mapping[str, str]
    masks_spans: bool = False
    privacy_officer: bool = False
    needs_created_at: bool = False
    eval_spans: bool = False
    eval_flag_field: str | None = None
    urgent_categories: frozenset[str] = frozenset()
    eval_labels_field: str | None = None
    comments_by_others: bool = True
    comments_by_account: bool = True

    def judges(self, post: Post) -> bool:
        """Whether the detector applies to `post` (a post, or whose comment it is)."""
        if post.kind != PostKind.COMMENT:
            return True
        return self.comments_by_others if post.by_others else self.comments_by_account


@dataclass(frozen=True)
class ConnectorInfo:
    """What the core checks about accounts of a platform; each connector declares it."""

    label: str
    required_account_fields: tuple[str, ...] = ()
    # What the sponsor can do about a comment by someone else on this platform.
    comment_action: str = "Hide or delete the comment on the platform."
