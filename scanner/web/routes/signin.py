"""Sign-in (local password or OpenID Connect), sign-out, the home redirect and /healthz."""

from __future__ import annotations

from sqlalchemy import text
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from scanner.errors import ConsoleError
from scanner.web import users
from scanner.web.auth import sign_in
from scanner.web.pages import flash, render
from scanner.web.policy import Action
from scanner.web.routes.base import Routes, console, safe_next, signed_in
from scanner.web.users import Role

route = Routes()
BAD_SIGN_IN = "That e-mail and password do not match an active account."
LIMITED = "Too many failed sign-ins. Wait a few minutes and try again."


def _home(role: Role) -> str:
    return "/my" if role is Role.SPONSOR else "/findings"


@route("/healthz", Action.PUBLIC)
async def healthz(request: Request) -> Response:
    """For load balancers: 200 when the database answers."""
    try:
        with console(request).engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@route("/", Action.SIGNED_IN)
async def home(request: Request) -> Response:
    """Sponsors go to their accounts, everyone else to the queue."""
    return RedirectResponse(_home(signed_in(request).role), status_code=303)


@route("/login", Action.PUBLIC)
async def login_form(request: Request) -> Response:
    """The sign-in form (fields email, password, csrf_token)."""
    idle = getattr(request.state, "idle", False)
    return render(
        request,
        "login.html",
        {"next": safe_next(request.query_params.get("next"), ""), "email": "", "idle": idle},
    )


@route("/login", Action.PUBLIC, ("POST",))
async def login(request: Request) -> Response:
    """Check the password (rate-limited per account and per address); start the session."""
    form = await request.form()
    email = str(form.get("email") or "").strip()[:320]
    password = str(form.get("password") or "")
    address = request.client.host if request.client else "unknown"
    state = console(request)
    error = None
    if state.limiter.blocked(email, address):
        error, status = LIMITED, 429
    else:
        user = users.verify_password(state.engine, email, password)
        if user is None:
            state.limiter.failed(email, address)
            error, status = BAD_SIGN_IN, 400
    if error:
        ctx = {"error": error, "email": email, "next": safe_next(form.get("next"), "")}
        return render(request, "login.html", ctx, status)
    assert user is not None
    state.limiter.succeeded(email)
    sign_in(request, user, "password")
    return RedirectResponse(safe_next(form.get("next"), _home(user.role)), status_code=303)


@route("/logout", Action.SIGNED_IN, ("POST",))
async def logout(request: Request) -> Response:
    """End the session."""
    request.session.clear()
    flash(request, "You are signed out.")
    return RedirectResponse("/login", status_code=303)


@route("/login/oidc", Action.PUBLIC)
async def oidc_start(request: Request) -> Response:
    """Off to the district's identity provider."""
    client = console(request).oidc
    if client is None:
        raise HTTPException(404)
    base = console(request).config.scanner.console.public_url
    callback = (
        (base.rstrip("/") + "/login/oidc/callback")
        if base
        else str(request.url_for("oidc_callback"))
    )
    response: Response = await client.redirect(request, callback)
    return response


@route("/login/oidc/callback", Action.PUBLIC)
async def oidc_callback(request: Request) -> Response:
    """Back from the provider: map the verified e-mail to an enabled console user."""
    state = console(request)
    if state.oidc is None:
        raise HTTPException(404)
    try:
        email = await state.oidc.verified_email(request, state.config.scanner.district_domains)
    except ConsoleError as exc:
        return render(request, "login.html", {"error": str(exc), "email": "", "next": ""}, 400)
    user = users.find_user(state.engine, email)
    if user is None or user.disabled:
        msg = "Your district account is not a console user here; ask the district admin."
        return render(request, "login.html", {"error": msg, "email": "", "next": ""}, 403)
    users.touch_login(state.engine, user.id)
    sign_in(request, user, "oidc")
    return RedirectResponse(_home(user.role), status_code=303)
