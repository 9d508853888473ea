"""The JSON API under /api/: the same data and actions as the pages, behind the same policy.

`GET /api/findings` has exactly the fields of `scanner findings list --json` (both come from
`scanner.review.workflow.list_findings`). Changes need the session's token in `X-CSRF-Token`.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from scanner.errors import ReviewError
from scanner.review import workflow
from scanner.review.report import collect, csv_rows
from scanner.web.policy import Action, sponsored_accounts
from scanner.web.routes.base import (
    Routes,
    console,
    finding_for,
    findings_filter,
    queue_rows,
    signed_in,
)
from scanner.web.routes.findings import record_reveal
from scanner.web.routes.sponsor import account_cards

route = Routes()
API_TARGETS = {
    "confirm": "confirmed",
    "dismiss": "dismissed",
    "resolve": "resolved",
    "reopen": "open",
}


def _json(data: Any, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status)


def _one(request: Request, finding_id: int) -> dict[str, Any]:
    detail = finding_for(request, Action.VIEW_FINDINGS, finding_id)
    return workflow.finding_row(detail.finding, detail.post, detail.account)


@route("/api/me", Action.SIGNED_IN)
async def me(request: Request) -> Response:
    """Who is signed in."""
    user = signed_in(request)
    return _json({"email": user.email, "role": user.role.value})


@route("/api/findings", Action.VIEW_FINDINGS)
async def findings(request: Request) -> Response:
    """The findings the user may see (any status unless `status` is given), queue order."""
    flt, _ = findings_filter(request, request.query_params, default_status="")
    return _json(queue_rows(request, flt))


@route("/api/findings/{finding_id:int}", Action.VIEW_FINDINGS)
async def finding(request: Request) -> Response:
    """One finding; 404 when it does not exist or is not the user's to see."""
    return _json(_one(request, request.path_params["finding_id"]))


@route("/api/findings/{finding_id:int}/reveal", Action.REVEAL, ("POST",))
async def reveal(request: Request) -> Response:
    """The raw post text and span (audited like the page's reveal)."""
    detail = finding_for(request, Action.REVEAL, request.path_params["finding_id"])
    record_reveal(request, detail)
    post = detail.post
    text = post.text if post is not None and post.text_purged_at is None else None
    return _json(
        {
            "id": detail.finding.id,
            "text": text,
            "start": detail.finding.start,
            "end": detail.finding.end,
            "text_current": detail.text_current,
        }
    )


@route("/api/findings/{finding_id:int}/{verb:str}", Action.REVIEW, ("POST",))
async def change(request: Request) -> Response:
    """confirm | dismiss | resolve | reopen with JSON {"note": …}."""
    finding_id, verb = request.path_params["finding_id"], request.path_params["verb"]
    finding_for(request, Action.REVIEW, finding_id)
    if verb not in API_TARGETS:
        raise HTTPException(404)
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return _json({"error": "the body is not JSON"}, 400)
    note = body.get("note") if isinstance(body, dict) else None
    if note is not None and not isinstance(note, str):
        return _json({"error": "note must be a string"}, 400)
    try:
        workflow.change_status(
            console(request).engine,
            finding_id,
            API_TARGETS[verb],
            reviewer=signed_in(request).email,
            note=note,
            reopen=True,
        )
    except ReviewError as exc:
        return _json({"error": str(exc)}, 409)
    return _json(_one(request, finding_id))


@route("/api/audit", Action.VIEW_AUDIT)
async def audit(request: Request) -> Response:
    """The newest audit events (filter by finding or action)."""
    q = request.query_params
    finding_id = q.get("finding")
    return _json(
        workflow.list_audit(
            console(request).engine,
            finding_id=int(finding_id) if finding_id and finding_id.isdigit() else None,
            action=q.get("action") or None,
            limit=500,
        )
    )


@route("/api/my/accounts", Action.SPONSOR_VIEW)
async def my_accounts(request: Request) -> Response:
    """The sponsor's accounts with open findings and this month's attestation."""
    cards = account_cards(
        request, sorted(sponsored_accounts(console(request).config, signed_in(request)))
    )
    return _json(cards)


@route("/api/compliance", Action.VIEW_COMPLIANCE)
async def compliance(request: Request) -> Response:
    """The compliance report's per-account rows."""
    state = console(request)
    return _json(csv_rows(collect(state.config, state.engine)))
