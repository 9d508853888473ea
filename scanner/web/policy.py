"""The console's one authorization policy: every route and API call asks `decide`.

Roles: privacy officers and admins see every account; sponsors see only the accounts whose
registry `sponsor.email` is theirs, and a resource of any other account is reported as not
found (404), never as forbidden, so ids of other accounts' findings leak nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, StrEnum

from scanner.config.schema import Config
from scanner.web.users import Role, User


class Action(StrEnum):
    """Everything a route can do; each route declares exactly one."""

    PUBLIC = "public"  # sign-in page, health check, static files
    SIGNED_IN = "signed_in"  # home, sign-out
    VIEW_FINDINGS = "view_findings"  # the queue, a finding page, the findings API
    REVIEW = "review"  # confirm, dismiss, resolve, reopen (single or bulk)
    REVEAL = "reveal"  # raw post text (audited)
    ALLOW = "allow"  # "allow this value" (allow-rules)
    EXPORT = "export"  # CSV/JSON export of the current filter
    VIEW_AUDIT = "view_audit"
    SPONSOR_VIEW = "sponsor_view"  # "my accounts"
    RECHECK = "recheck"  # "fixed, please re-check": a re-scan of one account
    ATTEST = "attest"  # the monthly attestation of one account
    VIEW_COMPLIANCE = "view_compliance"
    MANAGE_REGISTRY = "manage_registry"
    MANAGE_DETECTORS = "manage_detectors"
    MANAGE_USERS = "manage_users"


PO, SPONSOR, ADMIN = Role.PRIVACY_OFFICER, Role.SPONSOR, Role.ADMIN
#: Which roles may take each action at all (the account scope is checked separately).
RULES: dict[Action, frozenset[Role]] = {
    Action.PUBLIC: frozenset(Role),
    Action.SIGNED_IN: frozenset(Role),
    Action.VIEW_FINDINGS: frozenset({PO, SPONSOR, ADMIN}),
    Action.REVIEW: frozenset({PO, ADMIN}),
    Action.REVEAL: frozenset({PO, ADMIN}),
    Action.ALLOW: frozenset({PO, ADMIN}),
    Action.EXPORT: frozenset({PO, ADMIN}),
    Action.VIEW_AUDIT: frozenset({PO, ADMIN}),
    Action.SPONSOR_VIEW: frozenset({SPONSOR}),
    Action.RECHECK: frozenset({SPONSOR, PO, ADMIN}),
    Action.ATTEST: frozenset({SPONSOR}),
    Action.VIEW_COMPLIANCE: frozenset({PO, ADMIN}),
    Action.MANAGE_REGISTRY: frozenset({ADMIN}),
    Action.MANAGE_DETECTORS: frozenset({ADMIN}),
    Action.MANAGE_USERS: frozenset({ADMIN}),
}


class Decision(IntEnum):
    """The answer, as the HTTP status a refusal gets."""

    ALLOW = 200
    SIGN_IN = 401
    FORBIDDEN = 403
    NOT_FOUND = 404


def sponsored_accounts(config: Config, user: User) -> set[str]:
    """Ids of the registered accounts whose sponsor e-mail is the user's."""
    email = user.email.lower()
    return {a.id for a in config.accounts if a.sponsor.email.strip().lower() == email}


def visible_accounts(config: Config, user: User) -> set[str] | None:
    """The account ids the user may see; None means every account (officers and admins)."""
    if user.role is Role.SPONSOR:
        return sponsored_accounts(config, user)
    return None


def decide(
    user: User | None, action: Action, config: Config, account_id: str | None = None
) -> Decision:
    """May `user` take `action` (on a resource of `account_id`, when the route has one)?"""
    if action is Action.PUBLIC:
        return Decision.ALLOW
    if user is None or user.disabled:
        return Decision.SIGN_IN
    if account_id is not None:
        visible = visible_accounts(config, user)
        if visible is not None and account_id not in visible:
            return Decision.NOT_FOUND
    return Decision.ALLOW if user.role in RULES[action] else Decision.FORBIDDEN


def scope_filter(config: Config, user: User, requested: Iterable[str]) -> list[str] | None:
    """The account filter for a findings query: the requested ids cut to what the user may see.

    Returns None for "no account filter" (officers/admins asking for all) and [] when nothing is
    visible, which callers must treat as "no rows" rather than "no filter".
    """
    asked = [a for a in requested if a]
    visible = visible_accounts(config, user)
    if visible is None:
        return asked or None
    return sorted(visible & set(asked)) if asked else sorted(visible)
