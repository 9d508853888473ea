"""Console users: local accounts with argon2 hashes, OIDC-only accounts, roles, disabling.

Used by `scanner users …` and by sign-in. E-mail addresses are stored lower-case; a user without
a password hash can only sign in with OpenID Connect. Every change is an audit event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scanner.errors import ConsoleError
from scanner.store import tables
from scanner.store.engine import session_scope

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_HASHER = PasswordHasher()
#: Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-0000")


class Role(StrEnum):
    """What a console user may do (decided by `scanner.web.policy`)."""

    PRIVACY_OFFICER = "privacy_officer"
    SPONSOR = "sponsor"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    """A signed-in (or listed) console user, detached from the database session."""

    id: int
    email: str
    role: Role
    disabled: bool
    local: bool
    last_login_at: datetime | None = None


def _user(row: tables.ConsoleUser) -> User:
    assert row.id is not None
    return User(
        row.id,
        row.email,
        Role(row.role),
        row.disabled,
        bool(row.password_hash),
        row.last_login_at,
    )


def normalise_email(email: str) -> str:
    """The e-mail as stored: trimmed and lower-case; ConsoleError when it is not an address."""
    value = (email or "").strip().lower()
    if not EMAIL_RE.match(value) or len(value) > 320:
        raise ConsoleError("the e-mail address is not valid; expected name@district.org")
    return value


def check_role(role: str) -> Role:
    """`role` as a Role; ConsoleError naming the choices otherwise."""
    try:
        return Role(role)
    except ValueError:
        raise ConsoleError(
            f"unknown role {role!r}; expected one of {', '.join(r.value for r in Role)}"
        ) from None


def hash_password(password: str) -> str:
    """An argon2id hash; ConsoleError when the password is too short or long."""
    if len(password) < MIN_PASSWORD:
        raise ConsoleError(f"the password is shorter than {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ConsoleError(f"the password is longer than {MAX_PASSWORD} characters")
    return _HASHER.hash(password)


def _audit(s: Session, actor: str, action: str, email: str, **detail: object) -> None:
    s.add(tables.AuditEvent(actor=actor, action=action, detail={"user": email, **detail}))


def add_user(
    engine: Engine, email: str, role: str, password: str | None, *, actor: str = "scanner"
) -> User:
    """Create a user (no password: OIDC sign-in only); ConsoleError when the e-mail exists."""
    email, checked = normalise_email(email), check_role(role)
    hashed = hash_password(password) if password is not None else None
    with session_scope(engine) as s:
        if s.exec(select(tables.ConsoleUser).where(tables.ConsoleUser.email == email)).first():
            raise ConsoleError(f"a user with the e-mail {email} already exists")
        row = tables.ConsoleUser(email=email, role=checked.value, password_hash=hashed)
        s.add(row)
        _audit(s, actor, "user_added", email, role=checked.value, local=hashed is not None)
        s.flush()
        return _user(row)


def list_users(engine: Engine) -> list[User]:
    """Every user, by e-mail."""
    with Session(engine) as s:
        rows = s.exec(select(tables.ConsoleUser).order_by(col(tables.ConsoleUser.email))).all()
        return [_user(r) for r in rows]


def get_user(engine: Engine, user_id: int) -> User | None:
    """The user with this id, or None."""
    with Session(engine) as s:
        row = s.get(tables.ConsoleUser, user_id)
        return _user(row) if row else None


def find_user(engine: Engine, email: str) -> User | None:
    """The user with this e-mail (any case), or None."""
    with Session(engine) as s:
        row = s.exec(
            select(tables.ConsoleUser).where(tables.ConsoleUser.email == email.strip().lower())
        ).first()
        return _user(row) if row else None


def update_user(
    engine: Engine,
    email: str,
    *,
    actor: str,
    disabled: bool | None = None,
    role: str | None = None,
    password: str | None = None,
) -> User:
    """Disable/enable a user, change the role or set a password; ConsoleError if unknown."""
    email = normalise_email(email)
    with session_scope(engine) as s:
        row = s.exec(select(tables.ConsoleUser).where(tables.ConsoleUser.email == email)).first()
        if row is None:
            raise ConsoleError(f"no user with the e-mail {email}")
        changes: dict[str, object] = {}
        if disabled is not None and disabled != row.disabled:
            row.disabled = changes["disabled"] = disabled
        if role is not None and check_role(role).value != row.role:
            row.role = changes["role"] = check_role(role).value
        if password is not None:
            row.password_hash = hash_password(password)
            changes["password"] = "set"
        if changes:
            s.add(row)
            _audit(s, actor, "user_changed", email, **changes)
        s.flush()
        return _user(row)


def verify_password(engine: Engine, email: str, password: str) -> User | None:
    """The enabled local user whose password this is, or None (same cost for unknown e-mails)."""
    email = (email or "").strip().lower()
    with session_scope(engine) as s:
        row = s.exec(select(tables.ConsoleUser).where(tables.ConsoleUser.email == email)).first()
        hashed = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
        try:
            _HASHER.verify(hashed, password[:MAX_PASSWORD])
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None or not row.password_hash or row.disabled:
            return None
        if _HASHER.check_needs_rehash(row.password_hash):
            row.password_hash = _HASHER.hash(password)
        row.last_login_at = tables.utcnow()
        s.add(row)
        s.flush()
        return _user(row)


def touch_login(engine: Engine, user_id: int) -> None:
    """Record a successful (OIDC) sign-in time."""
    with session_scope(engine) as s:
        row = s.get(tables.ConsoleUser, user_id)
        if row is not None:
            row.last_login_at = tables.utcnow()
            s.add(row)
