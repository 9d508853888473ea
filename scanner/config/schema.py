"""The config schema: `scanner.yaml` and `accounts.yaml` (version 1) as strict pydantic models.

No I/O here; `scanner.config.loader` reads the files. Secrets are only ever `{"$env": NAME}` /
`{"$file": path}` references (`scanner.secrets.Secret`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scanner.records import District, Severity
from scanner.secrets import Secret

SCANNER_FILE = "scanner.yaml"
ACCOUNTS_FILE = "accounts.yaml"
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
DURATION_RE = re.compile(r"^(\d+)\s*(s|m|h|d)$")


def parse_duration(text: str) -> int:
    """Seconds in a duration such as "90s", "30m", "6h" or "1d"."""
    match = DURATION_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration; expected e.g. 30m, 6h, 1d")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


class Strict(BaseModel):
    """Base for every config block: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Contact(Strict):
    """A named person with an e-mail address."""

    name: str = Field(min_length=1)
    email: str = Field(pattern=EMAIL_RE)


class AccountConfig(Strict):
    """One registered account (policy item 1: site name and administrator/contact identified)."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    platform: str
    handle: str = Field(min_length=1)
    site_name: str = Field(min_length=1)
    school: str = ""
    admin_contact: Contact
    sponsor: Contact
    district_officer: bool = False
    profile_disclaimer_counts: bool = False
    scheduled_posts_exempt: bool = False
    interval: str | None = None
    cron: str | None = None  # e.g. "0 7 * * 1-5" in the district timezone; not with interval
    initial_posts: int = Field(default=100, ge=1, le=1000)
    allow_http: bool = False  # a feed over plain http (default: https only)
    comments: bool = True  # also comments and replies on the account's posts (policy item 4a)
    comments_recheck_days: int = Field(default=7, ge=0, le=90)
    comments_max: int = Field(default=200, ge=1, le=5000)
    feed_url: str | None = None
    replay: str | None = None
    # policy item 3: an exported member list (CSV `display_name,handle`, relative to the config
    # folder) for platforms that do not expose followers to the account's token
    members_csv: str | None = None
    followers_check: bool = True  # match followers/members against the roster and consents
    enabled: bool = True

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        # The handle is shown in status, reports and e-mails: never a URL with a password.
        if "@" in value and "://" in value:
            raise ValueError("holds a user name or password; expected a label (blog: feed_url)")
        return value

    @field_validator("feed_url")
    @classmethod
    def _feed_url(cls, value: str | None, info: Any) -> str | None:  # info: ValidationInfo
        if value is None:
            return value
        parts = urlsplit(value)
        try:
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise ValueError("the port is not a number; expected an https:// URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not a web address; expected an https:// URL")
        if parts.scheme == "http" and not info.data.get("allow_http"):
            raise ValueError(
                "plain http is refused; expected an https:// URL, or `allow_http: true` "
                "on the account when the site has no https"
            )
        return value

    @field_validator("members_csv")
    @classmethod
    def _members_csv(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value.strip() or "\x00" in value or "://" in value:
            raise ValueError("not a file path; expected a CSV path relative to the config folder")
        if not value.strip().lower().endswith(".csv"):
            raise ValueError("not a .csv file; expected a CSV with display_name,handle columns")
        return value.strip()

    @field_validator("interval")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @field_validator("cron")
    @classmethod
    def _crontab(cls, value: str | None, info: Any) -> str | None:  # info: ValidationInfo
        if value is None:
            return value
        if info.data.get("interval") is not None:
            raise ValueError("set together with interval; expected either interval or cron")
        return value  # the expression itself is checked by scanner.schedule.cron.cron_problems


class AccountsFile(Strict):
    """accounts.yaml."""

    version: Literal[1]
    accounts: list[AccountConfig] = Field(default_factory=list)


class DatabaseConfig(Strict):
    """Where findings are stored; SCANNER_DATABASE_URL overrides `url`.

    Unset: SQLite `scanner.db` in the state folder; a relative SQLite path is relative to it.
    """

    url: str | None = None


class ScheduleConfig(Strict):
    """Defaults for `scanner run`."""

    interval: str = "1h"
    jitter_seconds: int = Field(default=60, ge=0)
    notify_interval: str = "5m"
    purge_interval: str = "1d"
    # Detector time one account may use per scan; the rest of its posts wait for the next scan,
    # so one account (a backlog, pathological text) cannot starve the others.
    account_budget: str = "5m"
    # How often each account's followers/members are checked against the consent register
    # (slower than posts: follower lists are large and their rate limits tight).
    followers_interval: str = "1d"

    @field_validator(
        "interval", "notify_interval", "purge_interval", "account_budget", "followers_interval"
    )
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class MailConfig(Strict):
    """How alerts leave: SMTP, or .eml files written into `folder` (the demo's default)."""

    transport: Literal["smtp", "file"] = "file"
    host: str = "localhost"
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password: Secret | None = None
    sender: str = Field(default="scanner@localhost", alias="from", pattern=EMAIL_RE)
    folder: str = "outbox"  # relative to the state folder
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)


class NotificationsConfig(Strict):
    """Who hears about what, and when."""

    immediate_severities: list[Severity] = Field(default_factory=lambda: [Severity.HIGH])
    digest_time: str = "07:00"
    admin_cc: dict[Severity, list[str]] = Field(default_factory=dict)
    recipients: dict[str, RecipientPrefs] = Field(default_factory=dict)

    @field_validator("digest_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        time.fromisoformat(value)
        return value


class RecipientPrefs(Strict):
    """Per-recipient override of which severities are sent at once; the rest go to the digest."""

    immediate_severities: list[Severity] | None = None
    digest: bool = True


class RetentionConfig(Strict):
    """How long post text and audit detail are kept (None = forever)."""

    post_text_days: int | None = Field(default=None, ge=1)
    finding_days: int | None = Field(default=None, ge=1)


class OidcConfig(Strict):
    """OpenID Connect sign-in (Google Workspace, Microsoft Entra): the secret is a reference."""

    issuer: str = Field(pattern=r"^https?://")
    client_id: str = Field(min_length=1)
    client_secret: Secret
    label: str = "Sign in with your district account"


class ConsoleConfig(Strict):
    """`scanner serve`: sessions, sign-in limits and optional OpenID Connect."""

    secure_cookies: bool = False  # true behind an HTTPS reverse proxy
    idle_timeout: str = "30m"
    max_failed_signins: int = Field(default=5, ge=1)
    failed_signin_window: str = "15m"
    public_url: str | None = None  # e.g. https://scanner.example.org behind a proxy
    eval_corpora: list[str] = Field(default_factory=list)  # labelled JSON lines for "preview"
    oidc: OidcConfig | None = None

    @field_validator("idle_timeout", "failed_signin_window")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class ScannerFile(Strict):
    """scanner.yaml."""

    version: Literal[1]
    state_dir: str | None = None  # relative to the config folder; default: <config>/var
    district_name: str = "School District"
    timezone: str = "America/New_York"
    district_domains: list[str] = Field(default_factory=list)
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    mail: MailConfig = Field(default_factory=MailConfig)
    privacy_officer: Contact | None = None
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    official_contacts: str | None = None
    staff_directory: str | None = None
    student_roster: str | None = None
    roster_secret: Secret | None = None
    report_url: str | None = None
    platforms: dict[str, dict[str, Any]] = Field(default_factory=dict)
    detectors: dict[str, dict[str, Any]] = Field(default_factory=dict)
    console: ConsoleConfig = Field(default_factory=ConsoleConfig)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; expected e.g. America/Chicago"
            ) from None
        return value


@dataclass
class Config:
    """A validated config folder."""

    dir: Path
    scanner: ScannerFile
    accounts: list[AccountConfig]
    platforms: dict[str, Any] = field(default_factory=dict)  # name -> connector Settings
    detectors: dict[str, Any] = field(default_factory=dict)  # name -> detector Settings
    district: District = field(default_factory=District)
    state_dir: Path = field(default_factory=Path)  # absolute once loaded

    def account(self, account_id: str) -> AccountConfig:
        """The registered account with this id (KeyError if none)."""
        for account in self.accounts:
            if account.id == account_id:
                return account
        raise KeyError(account_id)

    def resolve(self, path: str) -> Path:
        """A path from the config, absolute or relative to the config folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.dir / p

    def state_path(self, path: str | Path) -> Path:
        """A runtime-state path, absolute or relative to the state folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.state_dir / p
