"""OpenID Connect sign-in against a local provider on 127.0.0.1 (never a real one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from scanner.store.engine import open_database
from scanner.web import users
from scanner.web.app import create_app
from tests.scanner.web.conftest import PO, seed
from tests.scanner.web.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider
from tests.scanner.web.server import serving
from tests.support.review import env  # noqa: F401


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider()
    with serving(p.app()) as url:
        p.issuer = url
        yield p


@pytest.fixture
def oidc_client(
    tmp_path: Path,
    provider: Provider,
    env: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[TestClient]:
    folder = tmp_path / "config"
    engine = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    seed(folder, engine)
    monkeypatch.setenv("TEST_OIDC_SECRET", CLIENT_SECRET)
    with (folder / "scanner.yaml").open("a") as fh:
        fh.write(
            "console:\n  oidc:\n"
            f"    issuer: {provider.issuer}\n    client_id: {CLIENT_ID}\n"
            '    client_secret: {"$env": "TEST_OIDC_SECRET"}\n'
        )
    users.add_user(engine, PO, "privacy_officer", None)  # district sign-in only
    app = create_app(folder, engine=engine)
    yield TestClient(app, base_url="http://testserver", follow_redirects=False)
    engine.dispose()


def _round_trip(client: TestClient) -> httpx.Response:
    start = client.get("/login/oidc")
    assert start.status_code == 302
    answer = httpx.get(start.headers["location"], follow_redirects=False)  # the real provider
    assert answer.status_code == 302
    callback = answer.headers["location"]
    assert callback.startswith("http://testserver/login/oidc/callback?")
    return client.get(callback.removeprefix("http://testserver"))  # type: ignore[return-value]


def test_oidc_sign_in_maps_the_verified_email_to_the_console_user(
    oidc_client: TestClient, provider: Provider
) -> None:
    assert "/login/oidc" in oidc_client.get("/login").text
    provider.claims = {"email": PO.upper(), "email_verified": True}
    r = _round_trip(oidc_client)
    assert r.status_code == 303 and r.headers["location"] == "/findings"
    assert provider.token_requests == 1
    me = oidc_client.get("/api/me").json()
    assert me == {"email": PO, "role": "privacy_officer"}


def test_oidc_refuses_unverified_and_unknown_emails(
    oidc_client: TestClient, provider: Provider
) -> None:
    provider.claims = {"email": PO, "email_verified": False}
    assert _round_trip(oidc_client).status_code == 400
    provider.claims = {"email": "stranger@mvsd.k12.wa.us", "email_verified": True}
    assert _round_trip(oidc_client).status_code == 403
    assert oidc_client.get("/api/me").status_code == 401


def test_an_id_token_signed_by_another_key_is_refused(
    oidc_client: TestClient, provider: Provider
) -> None:
    from joserfc.jwk import RSAKey

    provider.claims = {"email": PO, "email_verified": True}
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
    r = _round_trip(oidc_client)
    assert r.status_code == 400 and "failed" in r.text
    assert oidc_client.get("/api/me").status_code == 401
