"""Sessions, CSRF, the failed-sign-in limiter and the `guarded` wrapper every route goes through.

The session lives in a signed cookie (Starlette's SessionMiddleware, itsdangerous): the user id,
the CSRF token and when the user was last seen. The user row is read again on every request, so
disabling a user or changing a role takes effect at once.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from scanner.web import users
from scanner.web.policy import Action, Decision, decide
from scanner.web.users import User

SESSION_KEY_FILE = "console-session.key"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Endpoint = Callable[[Request], Awaitable[Response]]


def session_key(state_dir: Path) -> str:
    """The session-signing key kept (0600) in the state folder, created on first use."""
    path = state_dir / SESSION_KEY_FILE
    try:
        existing = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        existing = ""
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()


class SignInLimiter:
    """Failed sign-ins per account and per address in a sliding window (in this process)."""

    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit, self.window = limit, window_seconds
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, email: str, address: str) -> bool:
        """True while either the account or the address has `limit` recent failures."""
        now = time.monotonic()
        with self._lock:
            return any(
                len(self._recent(k, now)) >= self.limit
                for k in (f"acct:{email.strip().lower()}", f"addr:{address}")
            )

    def failed(self, email: str, address: str) -> None:
        """Count one failed sign-in against the account and the address."""
        now = time.monotonic()
        with self._lock:
            for key in (f"acct:{email.strip().lower()}", f"addr:{address}"):
                self._recent(key, now).append(now)

    def succeeded(self, email: str) -> None:
        """A good sign-in clears the account's count (not the address's)."""
        with self._lock:
            self._fails.pop(f"acct:{email.strip().lower()}", None)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """403 unless the request carries the session's token (header, or form field)."""
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not (
        isinstance(expected, str)
        and given
        and hmac.compare_digest(expected.encode(), given.encode())
    ):
        raise HTTPException(403, "the form has expired or did not come from this site; reload it")


def sign_in(request: Request, user: User, method: str) -> None:
    """Start a fresh session for `user` (a new CSRF token: no session fixation)."""
    request.session.clear()
    request.session.update({"uid": user.id, "at": time.time(), "seen": time.time(), "via": method})
    csrf_token(request)


def current_user(request: Request) -> User | None:
    """The signed-in, enabled user, or None; an idle session is ended here."""
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    console = request.app.state.console
    user: User | None = None
    uid, seen = request.session.get("uid"), request.session.get("seen")
    if isinstance(uid, int) and isinstance(seen, int | float):
        if time.time() - seen > console.idle_seconds:
            request.session.clear()
            request.state.idle = True
        else:
            found = users.get_user(console.engine, uid)
            if found is not None and not found.disabled:
                user = found
                request.session["seen"] = time.time()
            else:
                request.session.clear()
    request.state.user = user
    return user


def is_api(request: Request) -> bool:
    """True for /api/… requests (JSON answers, 401 rather than a redirect)."""
    return request.url.path.startswith("/api/")


def guarded(action: Action, endpoint: Endpoint, *, scoped: bool = False) -> Endpoint:
    """`endpoint` behind the policy and, for changes, the CSRF check.

    A `scoped` route acts on one account's resource: here only the sign-in is checked, and the
    endpoint asks `authorize` with the account, so another account's resource is a 404 before
    any 403 (ids of other accounts' findings tell a sponsor nothing).
    """

    async def wrapper(request: Request) -> Response:
        request.app.state.console.refresh_quietly()
        user = current_user(request)
        decision = decide(
            user, Action.SIGNED_IN if scoped else action, request.app.state.console.config
        )
        if decision is Decision.SIGN_IN:
            if is_api(request):
                return JSONResponse({"error": "sign in first"}, status_code=401)
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if decision is not Decision.ALLOW:
            raise HTTPException(int(decision))
        if request.method not in SAFE_METHODS:
            await check_csrf(request)
        return await endpoint(request)

    wrapper.action = action  # type: ignore[attr-defined]  # read by the policy tests
    wrapper.__name__ = getattr(endpoint, "__name__", "endpoint")
    wrapper.__doc__ = endpoint.__doc__
    return wrapper


def authorize(request: Request, action: Action, account_id: str) -> User:
    """The user, when `action` on `account_id` is allowed; else 404/403 (never a hint)."""
    user = current_user(request)
    decision = decide(user, action, request.app.state.console.config, account_id)
    if decision is not Decision.ALLOW or user is None:
        raise HTTPException(404 if decision is Decision.NOT_FOUND else int(decision))
    return user
