"""The console's ASGI app (Starlette): middleware, security headers, routes, error pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scanner.config.loader import AccountsCheck, load_config
from scanner.config.schema import Config, parse_duration
from scanner.store.engine import open_database, resolve_url
from scanner.web.auth import SignInLimiter, session_key
from scanner.web.oidc import OidcClient
from scanner.web.pages import http_error
from scanner.web.rescan import Rescanner
from scanner.web.routes import all_routes
from scanner.web.state import Console

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "scanner_session"
SESSION_MAX_AGE = 12 * 3600  # a hard cap; the idle timeout usually ends a session first
CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
SECURITY_HEADERS = {
    b"content-security-policy": CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """Adds the CSP and friends to every response; signed-in pages are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for key, value in SECURITY_HEADERS.items():
                    if key not in names:
                        headers.append((key, value))
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    config_dir: Path,
    *,
    checks: Sequence[AccountsCheck] = (),
    engine: Engine | None = None,
    rescanner_factory: Callable[[Config, Engine], Rescanner] | None = None,
) -> Starlette:
    """The console for the config folder (its database migrated); raises ConfigError/DatabaseError."""
    config = load_config(config_dir, checks=checks)
    engine = engine or open_database(resolve_url(config.scanner.database.url, config.state_dir))
    settings = config.scanner.console
    console = Console(
        config_dir=config.dir,
        config=config,
        engine=engine,
        checks=checks,
        limiter=SignInLimiter(
            settings.max_failed_signins, parse_duration(settings.failed_signin_window)
        ),
        idle_seconds=parse_duration(settings.idle_timeout),
    )
    console._stamp = console.files_stamp()
    console.rescanner = (rescanner_factory or Rescanner)(config, engine)
    if settings.oidc is not None:
        console.oidc = OidcClient(settings.oidc, config.dir)
    routes: list[BaseRoute] = all_routes(STATIC)
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=session_key(config.state_dir),
            session_cookie=SESSION_COOKIE,
            max_age=SESSION_MAX_AGE,
            same_site="lax",
            https_only=settings.secure_cookies,
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: http_error},
    )
    app.state.console = console
    return app
