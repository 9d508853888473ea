"""The privacy officer's pages: the queue, a finding, reveal, review actions, export, audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scanner.errors import ReviewError, UnknownFinding
from scanner.records import FindingStatus
from scanner.review import export, workflow
from scanner.store import tables
from scanner.store.engine import session_scope
from scanner.web.auth import authorize
from scanner.web.pages import flash, render
from scanner.web.policy import Action, visible_accounts
from scanner.web.routes.base import (
    Routes,
    console,
    finding_for,
    findings_filter,
    queue_rows,
    safe_next,
    signed_in,
)

route = Routes()
TARGETS = ("confirmed", "dismissed", "resolved", "open")
VERBS = {"confirmed": "confirm", "dismissed": "dismiss", "resolved": "resolve", "open": "reopen"}
AUDIT_LIMIT = 500


def record_reveal(request: Request, detail: workflow.FindingDetail) -> None:
    """Write the audit event for a look at raw post text: who, when, which finding."""
    user = signed_in(request)
    f = detail.finding
    with session_scope(console(request).engine) as s:
        s.add(
            tables.AuditEvent(
                actor=user.email,
                action="revealed",
                finding_id=f.id,
                account_id=f.account_id,
                detail={"via": "console", "role": user.role.value},
            )
        )


def change(request: Request, finding_id: int, target: str, note: str | None) -> str | None:
    """One status change through the review service; the refusal reason, or None when done."""
    user = signed_in(request)
    try:
        finding_for(request, Action.REVIEW, finding_id)
        workflow.change_status(
            console(request).engine,
            finding_id,
            target,
            reviewer=user.email,
            note=note,
            reopen=True,  # the console offers each move explicitly; the audit says if it reopened
        )
    except HTTPException:
        return f"finding {finding_id}: not found"
    except ReviewError as exc:
        return str(exc)
    return None


def _filter_options(request: Request) -> dict[str, list[str]]:
    cfg = console(request).config
    visible = visible_accounts(cfg, signed_in(request))
    accounts = [a for a in cfg.accounts if visible is None or a.id in visible]
    cats = sorted({c for d in cfg.detectors.values() for c in getattr(d, "categories", [])})
    return {
        "schools": sorted({a.school for a in accounts if a.school}),
        "accounts": [a.id for a in accounts],
        "categories": cats,
        "statuses": ["any", *FindingStatus],
    }


@route("/findings", Action.VIEW_FINDINGS)
async def queue(request: Request) -> Response:
    """The queue: open findings by default, newest and most severe first, masked."""
    flt, form = findings_filter(request, request.query_params)
    rows = queue_rows(request, flt)
    options = _filter_options(request)
    options["categories"] = sorted({*options["categories"], *(r["category"] for r in rows)})
    query = str(request.url.query)
    return render(
        request,
        "queue.html",
        {"rows": rows, "form": form, "options": options, "query": query, "targets": TARGETS},
    )


@route("/findings/export.{fmt:str}", Action.EXPORT)
async def export_findings(request: Request) -> Response:
    """The current filter as CSV (formula cells neutralised) or JSON."""
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "json"):
        raise HTTPException(404)
    flt, _ = findings_filter(request, request.query_params)
    rows = queue_rows(request, flt)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body, media = export.to_csv(rows, export.EXPORT_FIELDS), "text/csv; charset=utf-8"
    else:
        body, media = export.to_json(rows), "application/json"
    headers = {"Content-Disposition": f'attachment; filename="findings-{stamp}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)


@route("/findings/bulk", Action.REVIEW, ("POST",))
async def bulk(request: Request) -> Response:
    """One action on the selected findings; each is checked and changed on its own."""
    form = await request.form()
    target = str(form.get("target") or "")
    note = str(form.get("note") or "") or None
    ids = [int(str(v)) for v in form.getlist("ids") if str(v).isdigit()]
    back = safe_next(form.get("next"), "/findings")
    if target not in TARGETS or not ids:
        flash(request, "Choose findings and an action first.", "error")
        return RedirectResponse(back, status_code=303)
    refused = [msg for i in ids if (msg := change(request, i, target, note))]
    done = len(ids) - len(refused)
    flash(request, f"{VERBS[target].capitalize()}: {done} of {len(ids)} findings changed.")
    for msg in refused[:5]:
        flash(request, msg, "error")
    return RedirectResponse(back, status_code=303)


def _finding_page(
    request: Request, detail: workflow.FindingDetail, revealed: bool, status: int = 200
) -> Response:
    f = detail.finding
    cfg = console(request).config
    try:
        account = cfg.account(f.account_id)
    except KeyError:
        account = None
    text = detail.post.text if detail.post is not None and revealed else ""
    span = None
    if revealed and detail.text_current and f.start is not None and f.end is not None:
        span = (text[: f.start], text[f.start : f.end], text[f.end :])
    return render(
        request,
        "finding.html",
        {
            "f": f,
            "detail": detail,
            "account": account,
            "revealed": revealed,
            "text": text,
            "span": span,
            "targets": [t for t in TARGETS if t != f.status],
            "verbs": VERBS,
            "history": [workflow.audit_row(e) for e in detail.history],
        },
        status,
    )


@route("/findings/{finding_id:int}", Action.VIEW_FINDINGS)
async def finding_page(request: Request) -> Response:
    """One finding, masked; its history; the actions the user may take."""
    detail = finding_for(request, Action.VIEW_FINDINGS, request.path_params["finding_id"])
    return _finding_page(request, detail, revealed=False)


@route("/findings/{finding_id:int}/reveal", Action.REVEAL, ("POST",))
async def reveal(request: Request) -> Response:
    """The raw post text with the span highlighted; the look is written to the audit log."""
    detail = finding_for(request, Action.REVEAL, request.path_params["finding_id"])
    record_reveal(request, detail)
    detail = workflow.get_finding(console(request).engine, request.path_params["finding_id"])
    return _finding_page(request, detail, revealed=True)


@route("/findings/{finding_id:int}/status", Action.REVIEW, ("POST",))
async def set_status(request: Request) -> Response:
    """Confirm, dismiss, resolve or reopen with a note."""
    finding_id = request.path_params["finding_id"]
    finding_for(request, Action.REVIEW, finding_id)
    form = await request.form()
    target = str(form.get("target") or "")
    if target not in TARGETS:
        flash(request, "Choose an action.", "error")
    else:
        refused = change(request, finding_id, target, str(form.get("note") or "") or None)
        flash(request, refused or f"Finding {finding_id}: {target}.", "error" if refused else "ok")
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)


@route("/findings/{finding_id:int}/allow", Action.ALLOW, ("POST",))
async def allow(request: Request) -> Response:
    """ "Allow this value": an allow-rule from the flagged text (the finding is dismissed)."""
    finding_id = request.path_params["finding_id"]
    finding_for(request, Action.ALLOW, finding_id)
    form = await request.form()
    state = console(request)
    try:
        rule = workflow.add_allow_rule(
            state.config,
            state.engine,
            finding_id,
            reason=str(form.get("reason") or ""),
            reviewer=signed_in(request).email,
        )
        flash(request, f"Allow-rule {rule.id} added; the finding is dismissed.")
    except UnknownFinding:
        raise HTTPException(404) from None
    except ReviewError as exc:
        flash(request, str(exc), "error")
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)


@route("/accounts/{account_id:str}/recheck", Action.RECHECK, ("POST",))
async def recheck(request: Request) -> Response:
    """ "Fixed, please re-check": queue a re-scan of the account through the scan pipeline."""
    account_id = request.path_params["account_id"]
    user = authorize(request, Action.RECHECK, account_id)
    state = console(request)
    try:
        state.config.account(account_id)
    except KeyError:
        raise HTTPException(404) from None
    form = await request.form()
    queued = state.rescanner.request(account_id) if state.rescanner else False
    with session_scope(state.engine) as s:
        s.add(
            tables.AuditEvent(
                actor=user.email,
                action="recheck_requested",
                account_id=account_id,
                detail={"queued": queued},
            )
        )
    flash(request, f"Re-check of {account_id} {'started' if queued else 'already queued'}.")
    return RedirectResponse(safe_next(form.get("next"), "/"), status_code=303)


@route("/audit", Action.VIEW_AUDIT)
async def audit(request: Request) -> Response:
    """The audit log, newest first, filtered by action, actor, finding and date."""
    q = request.query_params
    form = {k: str(q.get(k) or "") for k in ("action", "actor", "finding", "since", "until")}
    tz = ZoneInfo(console(request).config.scanner.timezone)

    def day(value: str, end: bool) -> datetime | None:
        try:
            d = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            return None
        return datetime.combine(d + timedelta(days=1 if end else 0), time(), tz)

    rows = workflow.list_audit(
        console(request).engine,
        finding_id=int(form["finding"]) if form["finding"].isdigit() else None,
        action=form["action"] or None,
        actor=form["actor"].strip() or None,
        since=day(form["since"], False),
        until=day(form["until"], True),
        limit=AUDIT_LIMIT,
    )
    if request.query_params.get("format") == "json":
        return Response(export.to_json(rows), media_type="application/json")
    return render(request, "audit.html", {"rows": rows, "form": form})
