"""Who hears about a finding, and whether at once or in the daily digest."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.config.schema import AccountConfig, Config
from scanner.records import Severity


@dataclass(frozen=True)
class Route:
    """One recipient of one finding."""

    recipient: str
    role: str  # sponsor | privacy_officer | admin_cc
    delivery: str  # immediate | digest


def _delivery(config: Config, recipient: str, severity: Severity) -> str | None:
    notifications = config.scanner.notifications
    prefs = notifications.recipients.get(recipient.lower())
    immediate = notifications.immediate_severities
    if prefs is not None and prefs.immediate_severities is not None:
        immediate = prefs.immediate_severities
    if severity in immediate:
        return "immediate"
    if prefs is not None and not prefs.digest:
        return None
    return "digest"


def routes_for(
    config: Config,
    account: AccountConfig,
    severity: Severity,
    *,
    privacy_officer: bool,
    urgent: bool = False,
) -> list[Route]:
    """Sponsor always; the privacy officer when the detector asks for it; admin CCs by severity.

    `urgent` (a category the detector declares urgent, e.g. self-harm): the sponsor, the privacy
    officer and the admin CCs of every severity, all at once, whatever their preferences."""
    wanted: list[tuple[str, str]] = [(account.sponsor.email, "sponsor")]
    officer = config.scanner.privacy_officer
    if (privacy_officer or urgent) and officer is not None:
        wanted.append((officer.email, "privacy_officer"))
    admin_cc = config.scanner.notifications.admin_cc
    for email in (
        [e for emails in admin_cc.values() for e in emails]
        if urgent
        else admin_cc.get(severity, [])
    ):
        wanted.append((email, "admin_cc"))
    routes: dict[str, Route] = {}
    for email, role in wanted:
        key = email.lower()
        delivery = "immediate" if urgent else _delivery(config, key, severity)
        if delivery is not None and key not in routes:
            routes[key] = Route(key, role, delivery)
    return list(routes.values())
