"""The one policy, exercised through every route × role, and sponsor isolation by id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.routing import Route

from scanner.web.policy import RULES, Action, Decision, decide
from scanner.web.users import Role, User
from tests.scanner.web.conftest import (
    ROLE_USERS,
    SPONSOR1,
    Site,
    build_site,
    csrf_from,
    sign_in,
)

ROLES = ("anonymous", "privacy_officer", "sponsor", "admin")


def _routes() -> list[tuple[str, str, Action]]:
    """(method, path template, action) of every guarded route of the app."""
    from scanner.web.routes import all_routes

    out = []
    from scanner.web.app import STATIC

    for r in all_routes(STATIC):
        if isinstance(r, Route):
            action = getattr(r.endpoint, "action", None)
            assert action is not None, f"{r.path} is not behind the policy"
            for method in sorted(r.methods or []):
                if method != "HEAD":
                    out.append((method, r.path, action))
    return out


ROUTES = _routes()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    mp = pytest.MonkeyPatch()  # the real detector registry: /admin/detectors/{name} needs one
    from tests.support.review import KEY_ENV

    mp.setenv(KEY_ENV, "0123456789abcdef" * 4)
    site = build_site(tmp_path_factory.mktemp("policy"))
    yield site
    site.engine.dispose()
    mp.undo()


def _path(site: Site, template: str) -> str:
    from scanner.web import users

    target = users.find_user(site.engine, SPONSOR1)
    assert target is not None
    values = {
        "finding_id": str(site.ids["p0"]),  # acct-0: the sponsor's own account
        "account_id": "acct-0",
        "entry_id": "acct-1",
        "name": "disclaimer",
        "fmt": "csv",
        "verb": "confirm",
        "user_id": str(target.id),
    }
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], template)


def test_every_route_declares_one_action() -> None:
    assert len(ROUTES) >= 30
    assert {a for _, _, a in ROUTES} == set(Action)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template", "action"), ROUTES, ids=lambda v: str(v))
def test_route_by_role(shared: Site, role: str, method: str, template: str, action: Action) -> None:
    client = shared.client()
    token = csrf_from(client.get("/login").text)
    if role != "anonymous":
        token = sign_in(client, ROLE_USERS[role])
    path = _path(shared, template)
    if method == "GET":
        r = client.get(path)
    elif template.startswith("/api/"):
        r = client.post(path, json={"note": "policy test"}, headers={"X-CSRF-Token": token})
    else:
        r = client.post(path, data={"csrf_token": token, "note": "n", "reason": "policy test"})
    if action is Action.PUBLIC and "oidc" in template:
        assert r.status_code == 404  # no OIDC provider configured here (see test_oidc)
    elif action is Action.PUBLIC:
        assert r.status_code not in (401, 403, 404), r.text[:300]
    elif role == "anonymous":
        if template.startswith("/api/"):
            assert r.status_code == 401
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    elif Role(role) in RULES[action]:
        assert r.status_code not in (401, 403, 404), (
            f"{role} refused {method} {path}: {r.text[:300]}"
        )
    else:
        assert r.status_code == 403, f"{role} allowed {method} {path}"


def test_sponsor_gets_404_for_another_accounts_finding(site: Site) -> None:
    client = site.client()
    token = sign_in(client, ROLE_USERS["sponsor"])  # sponsors acct-0 only
    other = site.ids["p1"]  # acct-1
    own = site.ids["p0"]
    assert client.get(f"/api/findings/{other}").status_code == 404
    assert client.get(f"/api/findings/{own}").status_code == 200
    assert client.get(f"/findings/{other}").status_code == 404
    assert client.get("/api/findings/999999").status_code == 404
    for path in (f"/api/findings/{other}/reveal", f"/api/findings/{other}/dismiss"):
        assert client.post(path, json={}, headers={"X-CSRF-Token": token}).status_code == 404
    form = {"csrf_token": token}
    assert client.post("/accounts/acct-1/recheck", data=form).status_code == 404
    assert client.post("/my/accounts/acct-1/attest", data=form).status_code == 404
    # own account, but sponsors may not decide, reveal or allow
    assert (
        client.post(f"/api/findings/{own}/reveal", headers={"X-CSRF-Token": token}).status_code
        == 403
    )
    assert client.post(f"/findings/{own}/allow", data=form | {"reason": "x"}).status_code == 403
    listed = client.get("/api/findings").json()
    assert listed and {r["account"] for r in listed} == {"acct-0"}
    assert client.get("/api/findings?account=acct-1").json() == []
    assert "acct-1" not in client.get("/my").text


def test_api_findings_has_the_cli_json_fields(site: Site) -> None:
    from scanner.review import workflow

    client = site.client()
    sign_in(client, ROLE_USERS["privacy_officer"])
    rows = client.get("/api/findings").json()
    cli = workflow.list_findings(site.engine)
    assert {r["id"] for r in rows} == {r["id"] for r in cli}
    assert all(set(r) == set(cli[0]) for r in rows)
    assert client.get(f"/api/findings/{site.ids['p1']}").json()["account"] == "acct-1"


def test_decide_refuses_disabled_users_and_unknown_accounts_for_sponsors() -> None:
    from scanner.config.schema import Config, ScannerFile

    config = Config(Path("."), ScannerFile(version=1), [])
    sponsor = User(1, "s@x.org", Role.SPONSOR, False, True)
    assert decide(sponsor, Action.VIEW_FINDINGS, config, "acct-9") is Decision.NOT_FOUND
    assert decide(sponsor, Action.MANAGE_USERS, config) is Decision.FORBIDDEN
    disabled = User(2, "a@x.org", Role.ADMIN, True, True)
    assert decide(disabled, Action.MANAGE_USERS, config) is Decision.SIGN_IN
    assert decide(None, Action.PUBLIC, config) is Decision.ALLOW
