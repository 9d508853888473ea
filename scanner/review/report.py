"""Compliance report: per-account counts (HTML with a weekly chart, and CSV) for a records request.

The report holds counts, dates and account registry data only — no post text, excerpts or notes —
so a district can hand it over as it is. The chart is an inline SVG (no plotting library): findings
per week of posting, stacked by detector, in the district's time zone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scanner.config.schema import Config
from scanner.files import write_private_text
from scanner.records import FindingStatus
from scanner.review.export import to_csv
from scanner.store import tables

STATUSES = tuple(FindingStatus)
MAX_WEEKS = 26
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 720, 240, 40, 40, 10


@dataclass
class AccountSummary:
    """One account's line in the report."""

    account_id: str
    site_name: str = ""
    school: str = ""
    platform: str = ""
    handle: str = ""
    sponsor_email: str = ""
    admin_contact_email: str = ""
    registered: bool = True
    enabled: bool = True
    posts_scanned: int = 0
    posts_text_purged: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_detector: Counter[str] = field(default_factory=Counter)
    last_scan_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None

    @property
    def findings_total(self) -> int:
        """All findings ever stored for the account."""
        return sum(self.by_status.values())


@dataclass
class ReportData:
    """Everything the report shows."""

    district_name: str
    generated_at: datetime
    timezone: str
    accounts: list[AccountSummary]
    detectors: list[str]
    weeks: list[date]
    weekly: dict[date, Counter[str]]
    scan_runs: int
    first_scan: datetime | None
    last_scan: datetime | None
    audit_counts: dict[str, int]
    retention: dict[str, int | None]


def collect(config: Config, engine: Engine, now: datetime | None = None) -> ReportData:
    """Gather the report's counts from the database and the registry."""
    tz = ZoneInfo(config.scanner.timezone)
    now = now or tables.utcnow()
    accounts: dict[str, AccountSummary] = {}
    for a in config.accounts:
        accounts[a.id] = AccountSummary(
            a.id,
            a.site_name,
            a.school,
            a.platform,
            a.handle,
            a.sponsor.email,
            a.admin_contact.email,
            registered=True,
            enabled=a.enabled,
        )
    weekly: dict[date, Counter[str]] = defaultdict(Counter)
    detectors: set[str] = set(config.detectors)
    with Session(engine) as s:
        for row in s.exec(select(tables.AccountRow)).all():
            summary = accounts.get(row.id)
            if summary is None:  # stored findings of an account no longer registered
                summary = accounts[row.id] = AccountSummary(
                    row.id,
                    row.site_name,
                    row.school,
                    row.platform,
                    row.handle,
                    row.sponsor_email,
                    registered=False,
                    enabled=False,
                )
            summary.last_scan_at, summary.last_success_at = row.last_scan_at, row.last_success_at
            summary.last_error = row.last_error
        for account_id, n, purged in s.exec(
            select(
                tables.PostRow.account_id,
                func.count(),
                func.count(col(tables.PostRow.text_purged_at)),
            ).group_by(col(tables.PostRow.account_id))
        ).all():
            if account_id in accounts:
                accounts[account_id].posts_scanned = n
                accounts[account_id].posts_text_purged = purged
        for account_id, detector, status, n in s.exec(
            select(
                tables.FindingRow.account_id,
                tables.FindingRow.detector,
                tables.FindingRow.status,
                func.count(),
            ).group_by(
                col(tables.FindingRow.account_id),
                col(tables.FindingRow.detector),
                col(tables.FindingRow.status),
            )
        ).all():
            detectors.add(detector)
            summary = accounts.get(account_id)
            if summary is not None:
                summary.by_status[status] += n
                summary.by_detector[detector] += n
        for detector, posted in s.exec(
            select(tables.FindingRow.detector, tables.PostRow.created_at).join(
                tables.PostRow, col(tables.PostRow.id) == col(tables.FindingRow.post_id)
            )
        ).all():
            local = posted.astimezone(tz).date()
            weekly[local - timedelta(days=local.weekday())][detector] += 1
        runs = s.exec(
            select(
                func.count(),
                func.min(tables.ScanRun.started_at),
                func.max(tables.ScanRun.started_at),
            )
        ).one()
        audit_counts = dict(
            s.exec(
                select(tables.AuditEvent.action, func.count()).group_by(
                    col(tables.AuditEvent.action)
                )
            ).all()
        )
    first = _aware(runs[1])
    last = _aware(runs[2])
    return ReportData(
        district_name=config.scanner.district_name,
        generated_at=now,
        timezone=config.scanner.timezone,
        accounts=sorted(accounts.values(), key=lambda a: (not a.registered, a.account_id)),
        detectors=sorted(detectors),
        weeks=_week_range(weekly),
        weekly=dict(weekly),
        scan_runs=runs[0] or 0,
        first_scan=first,
        last_scan=last,
        audit_counts=dict(sorted(audit_counts.items())),
        retention=config.scanner.retention.model_dump(),
    )


def _aware(value: Any) -> datetime | None:
    """Aggregates bypass the column type on SQLite: make them UTC-aware again."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return tables.UTCDateTime().process_result_value(value, None)


def _week_range(weekly: dict[date, Counter[str]]) -> list[date]:
    """Every week from the first with findings to the last (at most the last MAX_WEEKS)."""
    if not weekly:
        return []
    first, last = min(weekly), max(weekly)
    first = max(first, last - timedelta(weeks=MAX_WEEKS - 1))
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def chart(data: ReportData) -> dict[str, Any]:
    """Geometry of the stacked weekly bar chart (rendered as inline SVG by the template)."""
    colors = {d: PALETTE[i % len(PALETTE)] for i, d in enumerate(data.detectors)}
    totals = [sum(data.weekly.get(w, Counter()).values()) for w in data.weeks]
    peak = max(totals, default=0) or 1
    plot_w, plot_h = CHART_W - PAD_L - 10, CHART_H - PAD_B - PAD_T
    slot = plot_w / max(len(data.weeks), 1)
    bars, labels = [], []
    for i, week in enumerate(data.weeks):
        x = PAD_L + i * slot + slot * 0.15
        y: float = PAD_T + plot_h
        for detector in data.detectors:
            n = data.weekly.get(week, Counter()).get(detector, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            bars.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "w": round(slot * 0.7, 1),
                    "h": round(h, 1),
                    "color": colors[detector],
                    "title": f"week of {week.isoformat()}: {n} {detector}",
                }
            )
        if len(data.weeks) <= 13 or i % 2 == 0:
            labels.append({"x": round(x + slot * 0.35, 1), "text": week.strftime("%m-%d")})
    return {
        "width": CHART_W,
        "height": CHART_H,
        "bars": bars,
        "labels": labels,
        "peak": peak,
        "pad_l": PAD_L,
        "pad_t": PAD_T,
        "base": PAD_T + plot_h,
        "label_y": PAD_T + plot_h + 16,
        "legend": [{"name": d, "color": c} for d, c in colors.items()],
    }


def csv_fields(data: ReportData) -> list[str]:
    """Columns of compliance.csv."""
    return [
        "account_id",
        "site_name",
        "school",
        "platform",
        "handle",
        "sponsor_email",
        "admin_contact_email",
        "registered",
        "enabled",
        "posts_scanned",
        "posts_text_purged",
        "findings_total",
        *STATUSES,
        *(f"{d}_findings" for d in data.detectors),
        "last_scan_at",
        "last_success_at",
        "last_error",
    ]


def csv_rows(data: ReportData) -> list[dict[str, Any]]:
    """One dict per account for compliance.csv."""
    rows = []
    for a in data.accounts:
        row: dict[str, Any] = {
            "account_id": a.account_id,
            "site_name": a.site_name,
            "school": a.school,
            "platform": a.platform,
            "handle": a.handle,
            "sponsor_email": a.sponsor_email,
            "admin_contact_email": a.admin_contact_email,
            "registered": a.registered,
            "enabled": a.enabled,
            "posts_scanned": a.posts_scanned,
            "posts_text_purged": a.posts_text_purged,
            "findings_total": a.findings_total,
            "last_scan_at": a.last_scan_at.isoformat() if a.last_scan_at else "",
            "last_success_at": a.last_success_at.isoformat() if a.last_success_at else "",
            "last_error": a.last_error or "",
        }
        row.update({s: a.by_status.get(s, 0) for s in STATUSES})
        row.update({f"{d}_findings": a.by_detector.get(d, 0) for d in data.detectors})
        rows.append(row)
    return rows


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("scanner", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["dt"] = lambda v, tz: (
        v.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if v else "never"
    )
    return env


def render_html(data: ReportData) -> str:
    """The HTML report."""
    return (
        _env()
        .get_template("report.html.j2")
        .render(data=data, chart=chart(data), statuses=STATUSES)
    )


def write_report(
    config: Config, engine: Engine, html_path: Path, csv_path: Path | None = None
) -> None:
    """Write the HTML compliance report (and the per-account CSV when `csv_path` is given)."""
    data = collect(config, engine)
    write_private_text(html_path, render_html(data))  # 0600, like every file of student data
    if csv_path is not None:
        write_private_text(csv_path, to_csv(csv_rows(data), csv_fields(data)))
