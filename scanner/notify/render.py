"""What an alert says: plain-text + HTML (Jinja2, HTML autoescaped) and the MIME message.

Everything rendered comes from outbox item payloads, which the pipeline wrote with PII already
masked (explanations never hold raw values, excerpts are masked); nothing here reads post text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from scanner.config.schema import Config
from scanner.notify.transports import WIRE_POLICY

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
DEFAULT_ACTION = "Review the post against the district policy and correct it if needed."
OFFICER_ACTION = "Review finding #{id} (`scanner findings show {id}`) and confirm or dismiss it."
ROLE_NAMES = {
    "sponsor": "sponsoring staff member",
    "privacy_officer": "privacy officer",
    "admin_cc": "administrator copied",
}
STATUS_NOTES = {
    "dismissed": "already dismissed on review",
    "confirmed": "confirmed on review",
}


@dataclass(frozen=True)
class AlertItem:
    """One outbox item to mention, with its finding's current status."""

    finding_id: int | None
    payload: Mapping[str, Any]
    status: str = "open"
    resolved_reason: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A rendered alert: subject, both bodies, and its counts."""

    subject: str
    text: str
    html: str
    counts: dict[str, int]


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("scanner", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed: safe for a header."""
    return " ".join(str(text).split())


def render(config: Config, recipient: str, delivery: str, items: Sequence[AlertItem]) -> Rendered:
    """An immediate alert (one account) or a digest (grouped by account) for `recipient`."""
    tz = ZoneInfo(config.scanner.timezone)
    accounts: dict[str, dict[str, Any]] = {}
    roles: set[str] = set()
    for item in items:
        p = item.payload
        acc = accounts.setdefault(
            str(p.get("account_id", "")),
            {
                "account_id": p.get("account_id", ""),
                "site_name": p.get("site_name", ""),
                "platform": p.get("platform", ""),
                "findings": [],
                "resolved": [],
            },
        )
        entry = _entry(item, tz)
        if p.get("resolved"):
            acc["resolved"].append(entry)
        else:
            acc["findings"].append(entry)
            roles.add(ROLE_NAMES.get(str(p.get("role")), "recipient"))
    for acc in accounts.values():
        acc["findings"].sort(key=lambda e: (SEVERITY_RANK.get(e["severity"], 9), e["sort"]))
        acc["resolved"].sort(key=lambda e: e["sort"])
    entries = [e for a in accounts.values() for e in a["findings"]]
    counts = {
        "findings": len(entries),
        "resolved": sum(len(a["resolved"]) for a in accounts.values()),
        **{sev: sum(e["severity"] == sev for e in entries) for sev in SEVERITY_RANK},
    }
    ordered = sorted(accounts.values(), key=lambda a: (a["site_name"], a["account_id"]))
    subject = _subject(delivery, counts, ordered)
    scanner = config.scanner
    context = {
        "kind": delivery,
        "subject": subject,
        "recipient": recipient,
        "district_name": scanner.district_name,
        "timezone": scanner.timezone,
        "report_url": scanner.report_url or "",
        "accounts": ordered,
        "counts": counts,
        "roles": " and ".join(sorted(roles)) or "sponsoring staff member",
    }
    env = _templates()
    return Rendered(
        subject,
        env.get_template("alert.txt.j2").render(context),
        env.get_template("alert.html.j2").render(context),
        counts,
    )


def _entry(item: AlertItem, tz: ZoneInfo) -> dict[str, Any]:
    p = item.payload
    posted_at = str(p.get("posted_at") or "")
    try:
        local = datetime.fromisoformat(posted_at).astimezone(tz)
        posted = f"{local:%a %d %b %Y, %H:%M} {local.tzname()}"
    except ValueError:
        posted = "unknown"
    category = str(p.get("category", ""))
    action = str(p.get("action") or DEFAULT_ACTION)
    if p.get("role") == "privacy_officer":
        action = OFFICER_ACTION.format(id=item.finding_id)
    status_note = ""
    if item.status != "open" and not p.get("resolved"):
        reason = item.resolved_reason or "resolved"
        status_note = STATUS_NOTES.get(item.status, f"already resolved ({reason})")
        if item.status in ("resolved", "dismissed"):
            action = "No action needed."
    url = str(p.get("url", ""))
    return {
        "finding_id": item.finding_id,
        "url": url,
        "link": url.startswith(("https://", "http://")),
        "posted": posted,
        "sort": posted_at,
        "category": category,
        "category_label": str(p.get("category_label") or "")
        or (category.replace("_", " ").capitalize() or "Finding"),
        "severity": str(p.get("severity", "")),
        "explanation": p.get("explanation", ""),
        "excerpt": p.get("excerpt", ""),
        "policy_item": p.get("policy_item", ""),
        "action": action,
        "status_note": status_note,
        "resolved_reason": p.get("resolved_reason", ""),
        "comment": p.get("post_kind") == "comment",
        "followers": p.get("post_kind") == "followers",  # the follower consent check
        "by_others": p.get("post_kind") == "comment" and p.get("author_role") != "account",
    }


def _subject(delivery: str, counts: dict[str, int], accounts: list[dict[str, Any]]) -> str:
    n = counts["findings"]
    plural = "" if n == 1 else "s"
    if delivery == "immediate":
        worst = next((sev for sev in SEVERITY_RANK if counts[sev]), "low")
        site = accounts[0]["site_name"] if accounts else ""
        return one_line(f"[Post scanner] {worst.upper()}: {n} new finding{plural} on {site}")
    by_sev = ", ".join(f"{counts[sev]} {sev}" for sev in SEVERITY_RANK if counts[sev])
    k = len(accounts)
    where = f"on {k} account{'' if k == 1 else 's'}"
    resolved = counts["resolved"]
    if n == 0:
        return f"[Post scanner] Digest: {resolved} finding{'' if resolved == 1 else 's'} resolved {where}"
    extra = f", {resolved} resolved" if resolved else ""
    return f"[Post scanner] Digest: {n} finding{plural} ({by_sev}){extra} {where}"


def build_message(
    config: Config,
    *,
    recipient: str,
    message_id: str,
    created_at: datetime,
    payload: Mapping[str, Any],
) -> EmailMessage:
    """The MIME message of an e-mail row: the same bytes on every attempt (Date = the row's
    creation, MIME boundary from the Message-ID)."""
    msg = EmailMessage()
    msg["Subject"] = one_line(payload["subject"])
    name = one_line(f"{config.scanner.district_name} post scanner")
    msg["From"] = formataddr((name, config.scanner.mail.sender))
    msg["To"] = recipient
    msg["Date"] = format_datetime(created_at.astimezone(UTC))
    msg["Message-ID"] = message_id
    if payload.get("in_reply_to"):
        msg["In-Reply-To"] = payload["in_reply_to"]
        msg["References"] = " ".join(payload.get("references") or [payload["in_reply_to"]])
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(payload["text"], cte="quoted-printable")
    msg.add_alternative(payload["html"], subtype="html", cte="quoted-printable")
    seed = hashlib.sha256(message_id.encode()).hexdigest()[:24]
    msg.set_boundary(f"=_alt_{seed}")
    msg.policy = WIRE_POLICY  # set after the bodies: they keep their short QP lines
    return msg
