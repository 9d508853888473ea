"""Storage tables (SQLModel). Schema changes go through Alembic (scanner/migrations)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    inspect,
)
from sqlmodel import Field, SQLModel
from typing_extensions import override


def utcnow() -> datetime:
    """Timezone-aware now in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns timezone-aware UTC datetimes (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    @override
    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def core_table(model: type[SQLModel]) -> Table:
    """The Core `Table` behind a table model (its `__table__`, which SQLModel's hints omit)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


def _ts(nullable: bool = True, index: bool = False) -> Any:
    """A timezone-aware timestamp column."""
    return Field(
        default=None,
        sa_column_kwargs={"nullable": nullable},
        sa_type=UTCDateTime,
        index=index,
    )


class AccountRow(SQLModel, table=True):
    """A registered account's scan state (its registry entry lives in accounts.yaml)."""

    __tablename__ = "account"

    id: str = Field(primary_key=True, max_length=100)
    platform: str = Field(max_length=40)
    handle: str = Field(max_length=300)
    site_name: str = Field(default="", max_length=300)
    school: str = Field(default="", max_length=300)
    sponsor_email: str = Field(default="", max_length=320)
    cursor: str | None = Field(default=None, max_length=300)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    profile_text: str | None = Field(default=None, sa_column=Column(Text))
    last_scan_at: datetime | None = _ts()
    last_success_at: datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    consecutive_failures: int = 0
    next_scan_at: datetime | None = _ts(index=True)
    retry_at: datetime | None = _ts()
    capped: bool = False
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_until: datetime | None = _ts()


class PostRow(SQLModel, table=True):
    """A post as last fetched; `content_hash` decides whether detectors run again."""

    __tablename__ = "post"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_post_platform_ext"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=40)
    external_id: str = Field(max_length=300)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=100)
    url: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)
    edited_at: datetime | None = _ts()
    deleted: bool = False
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    scanned_hash: str | None = Field(default=None, max_length=64)
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    text_purged_at: datetime | None = _ts()
    # comments and replies (records.Post): what they answer and the post their thread is under
    kind: str = Field(default="post", max_length=10)
    parent_external_id: str | None = Field(default=None, max_length=300)
    thread_external_id: str | None = Field(default=None, max_length=300, index=True)
    author_role: str = Field(default="account", max_length=10)


class FindingRow(SQLModel, table=True):
    """One stored finding. `fingerprint` makes re-detection idempotent."""

    __tablename__ = "finding"

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(max_length=64, unique=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=100)
    detector: str = Field(max_length=60, index=True)
    category: str = Field(max_length=60)
    severity: str = Field(max_length=10)
    start: int | None = None
    end: int | None = None
    score: float = 0.0
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    masked_excerpt: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    content_hash: str = Field(max_length=64)
    status: str = Field(default="open", max_length=12, index=True)
    reviewer: str | None = Field(default=None, max_length=320)
    note: str | None = Field(default=None, sa_column=Column(Text))
    resolved_reason: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScanRun(SQLModel, table=True):
    """One pass of `scanner scan` / one scheduler tick, with its counts and errors."""

    __tablename__ = "scan_run"

    id: int | None = Field(default=None, primary_key=True)
    worker: str = Field(default="", max_length=200)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = _ts()
    accounts_ok: int = 0
    accounts_failed: int = 0
    posts_new: int = 0
    posts_changed: int = 0
    findings_new: int = 0
    errors: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Outbox(SQLModel, table=True):
    """A notification to deliver: one row per (finding, recipient) item, and one per e-mail.

    `kind` "item" rows are written in the scan transaction; the notifier groups due items into
    "email" rows (payload = the rendered message with a stable Message-ID) and sends those.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "kind", "sent_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    recipient: str = Field(max_length=320, index=True)
    kind: str = Field(max_length=20)
    delivery: str = Field(default="digest", max_length=20)
    finding_id: int | None = Field(default=None, foreign_key="finding.id", index=True)
    email_id: int | None = Field(default=None, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime | None = _ts()
    sent_at: datetime | None = _ts()
    dead_at: datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    message_id: str | None = Field(default=None, max_length=300)
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_until: datetime | None = _ts()


class AuditEvent(SQLModel, table=True):
    """Who did what, when: status changes, alerts sent, purges, allow-rules."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(default="scanner", max_length=320)
    action: str = Field(max_length=60, index=True)
    finding_id: int | None = Field(default=None, index=True)
    account_id: str | None = Field(default=None, max_length=100)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ConsoleUser(SQLModel, table=True):
    """A console user: local (argon2 `password_hash`) or OIDC-only (no hash); one role each."""

    __tablename__ = "console_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    role: str = Field(max_length=20)
    password_hash: str | None = Field(default=None, sa_column=Column(Text))
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = _ts()


class Attestation(SQLModel, table=True):
    """A sponsor's monthly "I monitored this account this month" (policy item 4a)."""

    __tablename__ = "attestation"
    __table_args__ = (UniqueConstraint("account_id", "month", name="uq_attestation_month"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(max_length=100, index=True)
    month: str = Field(max_length=7)
    user_email: str = Field(max_length=320)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class ConsentRow(SQLModel, table=True):
    """Written parental permission for a student to follow an account (policy item 3).

    `account_id` None: every account. The register is replaced as a whole by
    `scanner consents import` (audited); `filed_at` says where the paper is filed.
    """

    __tablename__ = "consent"

    id: int | None = Field(default=None, primary_key=True)
    student_id: str = Field(max_length=100, index=True)
    account_id: str | None = Field(default=None, max_length=100)
    granted_on: date
    filed_at: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    expires_on: date | None = None
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    source: str = Field(default="", max_length=300)


class FollowerCheckRow(SQLModel, table=True):
    """The last follower/member check of an account: counts and times only, never the list."""

    __tablename__ = "follower_check"

    account_id: str = Field(primary_key=True, max_length=100)
    source: str = Field(default="", max_length=40)  # "platform" | "members_csv"
    checked_at: datetime | None = _ts()
    next_check_at: datetime | None = _ts()
    followers: int = 0
    students: int = 0
    without_consent: int = 0
    complete: bool = True
    last_error: str | None = Field(default=None, sa_column=Column(Text))
