"""Who hears about a finding, and whether at once or in the daily digest."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.config.schema import AccountConfig, Config

PII_DETECTOR = "student_pii"

#: The policy item each detector enforces (quoted in alerts).
POLICY_ITEMS = {
    "student_pii": "Policy item 4(b): confidentiality of personally identifiable student information",
    "disclaimer": "Policy item 2: disclaimer that information may change and official "
    "information is on district sites",
    "posting_time": "Policy: electronic communication at times that do not disrupt class",
}


@dataclass(frozen=True)
class Route:
    """One recipient of one finding."""

    recipient: str
    role: str  # sponsor | privacy_officer | admin_cc
    delivery: str  # immediate | digest


def _delivery(config: Config, recipient: str, severity: str) -> str | None:
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


def routes_for(config: Config, account: AccountConfig, detector: str, severity: str) -> list[Route]:
    """Sponsor always; the privacy officer for student-PII findings; admin CCs by severity."""
    wanted: list[tuple[str, str]] = [(account.sponsor.email, "sponsor")]
    officer = config.scanner.privacy_officer
    if detector == PII_DETECTOR and officer is not None:
        wanted.append((officer.email, "privacy_officer"))
    for email in config.scanner.notifications.admin_cc.get(severity, []):  # type: ignore[call-overload]
        wanted.append((email, "admin_cc"))
    routes: dict[str, Route] = {}
    for email, role in wanted:
        key = email.lower()
        delivery = _delivery(config, key, severity)
        if delivery is not None and key not in routes:
            routes[key] = Route(key, role, delivery)
    return list(routes.values())
