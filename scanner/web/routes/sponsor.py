"""The sponsor's page: their accounts, open findings with what to do, re-check, attestation."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scanner.review import workflow
from scanner.store import tables
from scanner.store.engine import session_scope
from scanner.web.auth import authorize
from scanner.web.pages import flash, render
from scanner.web.policy import Action, sponsored_accounts
from scanner.web.routes.base import Routes, console, queue_rows, signed_in

route = Routes()
NOTE_LIMIT = 500


def this_month(request: Request) -> str:
    """The current month in the district's time zone, as YYYY-MM."""
    tz = ZoneInfo(console(request).config.scanner.timezone)
    return datetime.now(tz).strftime("%Y-%m")


def attestations(request: Request, account_ids: list[str]) -> dict[str, list[tables.Attestation]]:
    """Attestations per account, newest month first."""
    out: dict[str, list[tables.Attestation]] = {a: [] for a in account_ids}
    if not account_ids:
        return out
    with Session(console(request).engine) as s:
        rows = s.exec(
            select(tables.Attestation)
            .where(col(tables.Attestation.account_id).in_(account_ids))
            .order_by(col(tables.Attestation.month).desc())
        ).all()
    for row in rows:
        out.setdefault(row.account_id, []).append(row)
    return out


def account_cards(request: Request, account_ids: list[str]) -> list[dict[str, Any]]:
    """Each account with its open findings and attestation state (for the page and the API)."""
    cfg = console(request).config
    month = this_month(request)
    attested = attestations(request, account_ids)
    cards = []
    for account_id in account_ids:
        account = cfg.account(account_id)
        rows = queue_rows(request, workflow.FindingFilter(status=["open"], account=[account_id]))
        latest = attested.get(account_id) or []
        cards.append(
            {
                "id": account.id,
                "site_name": account.site_name,
                "platform": account.platform,
                "handle": account.handle,
                "school": account.school,
                "open_findings": rows,
                "attested_this_month": any(a.month == month for a in latest),
                "last_attestation": latest[0].month if latest else None,
            }
        )
    return cards


@route("/my", Action.SPONSOR_VIEW)
async def my_accounts(request: Request) -> Response:
    """The sponsor's accounts."""
    ids = sorted(sponsored_accounts(console(request).config, signed_in(request)))
    return render(
        request,
        "sponsor.html",
        {"cards": account_cards(request, ids), "month": this_month(request)},
    )


@route("/my/accounts/{account_id:str}/attest", Action.ATTEST, ("POST",))
async def attest(request: Request) -> Response:
    """ "I monitored this account this month" (policy item 4a), once per account and month."""
    account_id = request.path_params["account_id"]
    user = authorize(request, Action.ATTEST, account_id)
    form = await request.form()
    note = str(form.get("note") or "").strip()[:NOTE_LIMIT]
    month = this_month(request)
    try:
        with session_scope(console(request).engine) as s:
            s.add(
                tables.Attestation(
                    account_id=account_id, month=month, user_email=user.email, note=note
                )
            )
            s.add(
                tables.AuditEvent(
                    actor=user.email,
                    action="attested",
                    account_id=account_id,
                    detail={"month": month},
                )
            )
        flash(request, f"Thank you: {account_id} is attested for {month}.")
    except IntegrityError:
        flash(request, f"{account_id} was already attested for {month}.")
    return RedirectResponse("/my", status_code=303)
