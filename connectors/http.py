"""HTTP helpers shared by the connectors: timeouts, status → error mapping, retry times, redaction.

Every connector funnels its library's exceptions through `status_error` / `transport_error`, so
the same HTTP situation becomes the same `ConnectorError` subclass on every platform, and no
message ever carries a token.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import requests
from typing_extensions import override

from connectors.base import ConnectorSettings, FetchResult
from scanner.errors import (
    AuthError,
    ConnectorError,
    MalformedResponse,
    NotFound,
    RateLimited,
    ReplayError,
    TransientError,
    code_locations,
)
from scanner.records import AccountLike

S = TypeVar("S", bound=ConnectorSettings)
log = logging.getLogger(__name__)

_SECRET_PATTERNS = [
    (
        re.compile(
            r"(?i)\b(access_token|refresh_token|client_secret|appsecret_proof|password|code)"
            r"(=|%3D)[^&\s\"'<>]+"
        ),
        r"\1\2<REDACTED>",
    ),
    (
        re.compile(r"(?i)(\"(?:access_token|refresh_token|client_secret)\"\s*:\s*)\"[^\"]*\""),
        r'\1"<REDACTED>"',
    ),
    (re.compile(r"(?i)\b(bearer|basic|oauth)\s+[A-Za-z0-9._~+/=%-]{8,}"), r"\1 <REDACTED>"),
]


def redact(text: str) -> str:
    """`text` with access tokens, client secrets and bearer credentials replaced."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class _RedactingFilter(logging.Filter):
    """Rewrites log records of HTTP libraries so that URLs and headers carry no credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_REDACTED_LOGGERS = (
    "urllib3.connectionpool",
    "requests_oauthlib.oauth1_auth",
    "tweepy.client",
    "prawcore",
    "praw",
    "vcr.cassette",
    "vcr.stubs",
)
_FILTER = _RedactingFilter()


def install_log_redaction() -> None:
    """Attach the redacting filter to the loggers of the HTTP libraries (idempotent)."""
    for name in _REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


#: What reading an unexpected payload raises (a missing key, a wrong type, a bad number).
PARSE_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError, OverflowError)


@contextmanager
def mapped_errors(
    mapper: Callable[[BaseException, str], ConnectorError | None], what: str
) -> Iterator[None]:
    """Inside, a platform library's exception becomes its `ConnectorError` (`mapper`); errors
    already in the tree, and anything the mapper does not know, pass through unchanged."""
    try:
        yield
    except ConnectorError:
        raise
    except Exception as exc:
        mapped = mapper(exc, what)
        if mapped is None:
            raise
        raise mapped from None


def _guarded(fetch: Callable[..., FetchResult]) -> Callable[..., FetchResult]:
    """`fetch`, with any parse error of the platform's data mapped to `MalformedResponse`."""

    @functools.wraps(fetch)
    def guarded(self: Any, account: AccountLike, *args: Any, **kwargs: Any) -> FetchResult:
        try:
            return fetch(self, account, *args, **kwargs)
        except ConnectorError:
            raise
        except PARSE_ERRORS as exc:  # the message may quote the payload: only its type
            log.debug("%s response not understood: %s", self.name, code_locations(exc))
            raise MalformedResponse(
                f"{self.name} account {account.id}: the platform's response was not "
                f"understood ({type(exc).__name__}); tried again on the next scan"
            ) from None

    return guarded


class HttpConnector(Generic[S]):
    """Shared connector constructor: keeps settings, `offline` and `config_dir`, and installs the
    log redaction filter. Subclasses still declare their own `name` and `Settings`.

    Every subclass's `fetch` is wrapped so that a payload it cannot read (hostile or changed
    data) is one `MalformedResponse`, never a stray `TypeError` (issue 13)."""

    name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "fetch" in cls.__dict__:
            setattr(cls, "fetch", _guarded(cls.__dict__["fetch"]))  # noqa: B010

    def __init__(self, settings: S, *, offline: bool = False, config_dir: Path | None = None):
        self.settings = settings
        self.offline = offline
        self.config_dir = config_dir
        install_log_redaction()


class TimeoutSession(requests.Session):
    """A `requests.Session` that applies a default timeout to every request."""

    def __init__(self, timeout: float, user_agent: str | None = None):
        super().__init__()
        self.timeout = timeout
        if user_agent:
            self.headers["User-Agent"] = user_agent

    @override
    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)


def retry_at_from_headers(
    headers: Mapping[str, str] | None, now: datetime | None = None
) -> datetime | None:
    """When a rate limit lifts, from the headers the platforms send, or None when unknown.

    Understands X's `x-rate-limit-reset` (epoch seconds), Reddit's `x-ratelimit-reset` (seconds
    from now), the standard `Retry-After` (seconds or an HTTP date) and Meta's
    `x-business-use-case-usage` `estimated_time_to_regain_access` (minutes).
    """
    if not headers:
        return None
    now = now or datetime.now(UTC)
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    try:
        if "x-rate-limit-reset" in lower:
            return datetime.fromtimestamp(int(float(lower["x-rate-limit-reset"])), UTC)
        if "retry-after" in lower:
            value = lower["retry-after"].strip()
            if value.isdigit():
                return now + timedelta(seconds=int(value))
            return parsedate_to_datetime(value).astimezone(UTC)
        if "x-ratelimit-reset" in lower:
            return now + timedelta(seconds=float(lower["x-ratelimit-reset"]))
        if "x-business-use-case-usage" in lower:
            usage = json.loads(lower["x-business-use-case-usage"])
            minutes = [
                float(item.get("estimated_time_to_regain_access") or 0)
                for items in usage.values()
                for item in items
            ]
            if minutes and max(minutes) > 0:
                return now + timedelta(minutes=max(minutes))
    except (ValueError, TypeError, AttributeError, OverflowError):
        return None
    return None


def status_error(
    status: int,
    what: str,
    headers: Mapping[str, str] | None = None,
    *,
    detail: str | None = None,
    capped: bool = False,
) -> ConnectorError:
    """The error-tree exception for an HTTP status. `what` names the request (no secrets)."""
    suffix = f": {redact(detail)}" if detail else ""
    if status in (401, 403):
        return AuthError(f"{what}: HTTP {status}, credentials rejected or not permitted{suffix}")
    if status in (404, 410):
        return NotFound(f"{what}: HTTP {status}, not found or not visible{suffix}")
    if status == 429:
        retry_at = retry_at_from_headers(headers)
        when = f", retry after {retry_at.isoformat()}" if retry_at else ""
        kind = "usage cap reached" if capped else "rate limited"
        return RateLimited(f"{what}: HTTP 429, {kind}{when}{suffix}", retry_at, capped=capped)
    if status >= 500 or status == 408:
        return TransientError(f"{what}: HTTP {status}, server error{suffix}")
    return ConnectorError(f"{what}: HTTP {status}{suffix}")


def transport_error(exc: BaseException, what: str) -> ConnectorError | None:
    """Map a transport-level exception (timeout, connection, bad JSON, replay miss), else None."""
    # vcrpy loads only when a cassette is replayed (start-up speed)
    from vcr.errors import CannotOverwriteExistingCassetteException

    if isinstance(exc, CannotOverwriteExistingCassetteException):
        request = exc.failed_request
        return ReplayError(
            f"{what}: the replay cassette has no unplayed recorded response for "
            f"{request.method} {request.host}{request.path}"
        )
    if isinstance(exc, requests.exceptions.JSONDecodeError | json.JSONDecodeError):
        return TransientError(f"{what}: malformed JSON in the response")
    if isinstance(exc, requests.exceptions.Timeout):
        return TransientError(f"{what}: timed out")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return TransientError(f"{what}: connection failed ({type(exc).__name__})")
    if isinstance(exc, requests.exceptions.RequestException):
        return TransientError(f"{what}: request failed ({type(exc).__name__})")
    return None


def looks_like_html(response: requests.Response | None) -> bool:
    """True when a response is an HTML page (a proxy or error page) rather than API data."""
    if response is None:
        return False
    content_type = response.headers.get("content-type", "").lower()
    return "html" in content_type or response.text.lstrip()[:15].lower().startswith(
        ("<!doctype html", "<html")
    )
