"""Helpers the route modules share: declaring a route with its policy action, filters, lookups."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from scanner.errors import UnknownFinding
from scanner.records import FindingStatus, Severity
from scanner.review import workflow
from scanner.web.auth import Endpoint, authorize, current_user, guarded
from scanner.web.policy import Action, scope_filter
from scanner.web.state import Console
from scanner.web.users import User

SEVERITY_RANK = {s.value: i for i, s in enumerate(Severity)}  # high, medium, low
QUEUE_LIMIT = 500
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Routes:
    """A module's routes, each declared with the one policy action it needs."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def __call__(
        self, path: str, action: Action, methods: tuple[str, ...] = ("GET",)
    ) -> Callable[[Endpoint], Endpoint]:
        """Decorator: register `endpoint` at `path` behind `guarded(action, …)`."""

        def add(endpoint: Endpoint) -> Endpoint:
            scoped = "{finding_id" in path or "{account_id" in path
            wrapped = guarded(action, endpoint, scoped=scoped)
            self.routes.append(Route(path, wrapped, methods=list(methods)))
            return endpoint

        return add


def console(request: Request) -> Console:
    """The app's shared state."""
    state: Console = request.app.state.console
    return state


def signed_in(request: Request) -> User:
    """The signed-in user (the guard has already refused anonymous requests)."""
    user = current_user(request)
    if user is None:  # pragma: no cover - guarded routes never get here without a user
        raise HTTPException(401)
    return user


def finding_for(request: Request, action: Action, finding_id: int) -> workflow.FindingDetail:
    """The finding, when the user may take `action` on it; 404 when absent or not theirs."""
    try:
        detail = workflow.get_finding(console(request).engine, finding_id)
    except UnknownFinding:
        raise HTTPException(404) from None
    authorize(request, action, detail.finding.account_id)
    return detail


def _day(value: str, tz: ZoneInfo, end: bool) -> datetime | None:
    if not DAY_RE.match(value or ""):
        return None
    try:
        day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
    except ValueError:
        return None
    return datetime.combine(day, time(), tz)


def findings_filter(
    request: Request, params: QueryParams | FormData, default_status: str = "open"
) -> tuple[workflow.FindingFilter | None, dict[str, str]]:
    """The queue's filter from query parameters, cut to what the user may see.

    Returns (None, form) when the user can see no account at all (a sponsor of nothing).
    """
    cfg = console(request).config
    form = {
        k: str(params.get(k) or "") for k in ("school", "account", "category", "since", "until")
    }
    form["status"] = str(params.get("status", default_status) or "")
    tz = ZoneInfo(cfg.scanner.timezone)
    accounts = scope_filter(cfg, signed_in(request), [form["account"]])
    if accounts == []:
        return None, form
    status = form["status"] if form["status"] in tuple(FindingStatus) else ""
    form["status"] = status or "any"
    flt = workflow.FindingFilter(
        status=[status] if status else [],
        category=[form["category"]] if form["category"] else [],
        account=accounts or [],
        school=form["school"] or None,
        since=_day(form["since"], tz, end=False),
        until=_day(form["until"], tz, end=True),
        limit=QUEUE_LIMIT,
    )
    return flt, form


def queue_rows(request: Request, flt: workflow.FindingFilter | None) -> list[dict[str, Any]]:
    """Findings for the filter: newest day first, then most severe, then newest."""
    if flt is None:
        return []
    rows = workflow.list_findings(console(request).engine, flt, console(request).config)
    return sorted(
        rows,
        key=lambda r: (
            -date.fromisoformat(r["found_at"][:10]).toordinal(),
            SEVERITY_RANK.get(r["severity"], 9),
            -datetime.fromisoformat(r["found_at"]).timestamp(),
            -(r["id"] or 0),
        ),
    )


def safe_next(value: Any, default: str) -> str:
    """A local path to go back to (never another site)."""
    text = str(value or "")
    if text.startswith("/") and not text.startswith("//") and "\\" not in text:
        return text
    return default
