"""OpenID Connect sign-in (Google Workspace, Microsoft Entra, any compliant issuer) via Authlib.

The ID token is checked by Authlib (signature from the issuer's JWKS, issuer, audience, expiry,
nonce). The console then needs a verified e-mail: `email_verified: true`, or, for issuers that do
not send that claim (Entra), an address in one of the district's `district_domains`. The e-mail
must belong to an enabled console user; the user's role comes from the console, not the issuer.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.starlette_client import OAuth
from starlette.requests import Request
from starlette.responses import Response

from scanner.config.schema import OidcConfig
from scanner.errors import ConsoleError

log = logging.getLogger(__name__)
DISCOVERY = "/.well-known/openid-configuration"


class OidcClient:
    """One configured OpenID Connect provider."""

    def __init__(self, settings: OidcConfig, config_dir: Path) -> None:
        self.label = settings.label
        self.oauth = OAuth()
        self.client = self.oauth.register(
            name="district",
            server_metadata_url=settings.issuer.rstrip("/") + DISCOVERY,
            client_id=settings.client_id,
            client_secret=settings.client_secret.reveal(config_dir),
            client_kwargs={"scope": "openid email profile"},
        )

    async def redirect(self, request: Request, redirect_uri: str) -> Response:
        """Send the browser to the provider's sign-in page."""
        response: Response = await self.client.authorize_redirect(request, redirect_uri)
        return response

    async def verified_email(self, request: Request, district_domains: list[str]) -> str:
        """The verified e-mail from the provider's answer; ConsoleError if there is none."""
        try:
            token: dict[str, Any] = await self.client.authorize_access_token(request)
        except OAuthError as exc:
            raise ConsoleError(f"sign-in with the district account failed ({exc.error})") from None
        except Exception as exc:  # a bad signature, an expired or foreign token (joserfc errors)
            log.warning("OIDC sign-in refused: %s", type(exc).__name__)
            raise ConsoleError(
                "sign-in with the district account failed (invalid ID token)"
            ) from None
        claims = token.get("userinfo") or {}
        email = str(claims.get("email") or "").strip().lower()
        if not email:
            raise ConsoleError("the district account has no e-mail address")
        verified = claims.get("email_verified")
        domain = email.rsplit("@", 1)[-1]
        in_district = domain in {d.lower() for d in district_domains}
        if verified is True or (verified is None and in_district):
            return email
        raise ConsoleError("the district account's e-mail address is not verified")
