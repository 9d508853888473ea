"""Rendering pages: the autoescaped templates, flash messages and error pages."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from scanner.web.auth import csrf_token, current_user, is_api


def templates() -> Jinja2Templates:
    """The page templates, autoescaped (post text is hostile input)."""
    env = Environment(
        loader=PackageLoader("scanner.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


TEMPLATES = templates()


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    """A page with the user, the CSRF token and flash messages in its context."""
    user = current_user(request)
    flashes = request.session.pop("flash", []) if "flash" in request.session else []
    ctx = {
        "user": user,
        "csrf": csrf_token(request),
        "flashes": flashes,
        "district": request.app.state.console.config.scanner.district_name,
        "oidc": request.app.state.console.oidc,
        **(context or {}),
    }
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A one-time message shown on the next page."""
    request.session.setdefault("flash", [])
    request.session["flash"] = [*request.session["flash"], {"kind": kind, "text": message}][-5:]


async def http_error(request: Request, exc: Exception) -> Response:
    """Errors as JSON for the API and as a page otherwise (no detail beyond a short reason)."""
    assert isinstance(exc, HTTPException)
    reason = {401: "Sign in first.", 403: "Not allowed.", 404: "Not found."}.get(
        exc.status_code, str(exc.detail)
    )
    if exc.status_code == 403 and exc.detail and "expired" in str(exc.detail):
        reason = str(exc.detail)
    if is_api(request):
        return JSONResponse({"error": reason}, status_code=exc.status_code)
    return render(
        request, "error.html", {"status": exc.status_code, "reason": reason}, exc.status_code
    )
