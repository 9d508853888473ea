"""Security behaviour of the console: CSRF, sign-in limits, sessions, escaping, exports, audit."""

from __future__ import annotations

import csv
import io
import time

from sqlmodel import Session, select

from scanner.store import tables
from tests.scanner.web.conftest import (
    ADMIN,
    PASSWORD,
    PO,
    SPONSOR0,
    Site,
    csrf_from,
    sign_in,
)


def _events(site: Site, action: str) -> list[tables.AuditEvent]:
    with Session(site.engine) as s:
        return list(s.exec(select(tables.AuditEvent).where(tables.AuditEvent.action == action)))


def test_login_form_has_the_contract_fields_and_sets_a_safe_cookie(site: Site) -> None:
    client = site.client()
    page = client.get("/login")
    for field in ('name="email"', 'name="password"', 'name="csrf_token"'):
        assert field in page.text
    r = client.post(
        "/login", data={"email": PO, "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    )
    assert r.status_code == 303 and r.headers["location"] == "/findings"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # console.secure_cookies is off by default (plain HTTP)
    queue = client.get("/findings")
    assert queue.status_code == 200
    assert '<meta name="csrf-token" content="' in queue.text


def test_state_changes_without_the_csrf_token_are_refused(site: Site) -> None:
    client = site.client()
    token = sign_in(client, PO)
    fid = site.ids["p0"]
    assert client.post(f"/api/findings/{fid}/dismiss", json={"note": "x"}).status_code == 403
    bad = {"X-CSRF-Token": "not-the-token"}
    assert client.post(f"/api/findings/{fid}/dismiss", json={}, headers=bad).status_code == 403
    assert client.post(f"/findings/{fid}/status", data={"target": "dismissed"}).status_code == 403
    assert client.post(f"/findings/{fid}/reveal", data={"csrf_token": "x"}).status_code == 403
    assert client.get(f"/api/findings/{fid}").json()["status"] == "open"
    assert _events(site, "revealed") == []
    # the login form needs it too
    anon = site.client()
    anon.get("/login")
    r = anon.post("/login", data={"email": PO, "password": PASSWORD})
    assert r.status_code == 403
    ok = client.post(
        f"/api/findings/{fid}/dismiss",
        json={"note": "not a student"},
        headers={"X-CSRF-Token": token},
    )
    assert ok.status_code == 200 and ok.json()["status"] == "dismissed"
    assert ok.json()["reviewer"] == PO


def test_failed_sign_ins_are_limited_per_account_and_per_address(site: Site) -> None:
    client = site.client()
    token = csrf_from(client.get("/login").text)
    for _ in range(5):
        r = client.post(
            "/login", data={"email": ADMIN, "password": "wrong-password!", "csrf_token": token}
        )
        assert r.status_code == 400
    # the right password is refused now, for that account…
    r = client.post("/login", data={"email": ADMIN, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429
    # …and from that address, for any account
    r = client.post("/login", data={"email": PO, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429
    site.app.state.console.limiter._fails.pop("addr:testclient")
    r = client.post("/login", data={"email": PO, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    assert site.app.state.console.limiter.blocked(ADMIN, "elsewhere")


def test_idle_sessions_end_and_logout_ends_the_session(site: Site) -> None:
    client = site.client()
    token = sign_in(client, PO)
    site.app.state.console.idle_seconds = 0.5
    time.sleep(0.7)
    r = client.get("/findings")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/api/findings").status_code == 401
    site.app.state.console.idle_seconds = 1800
    token = sign_in(client, PO)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/api/findings").status_code == 401


def test_disabled_users_lose_their_session_at_once(site: Site) -> None:
    from scanner.web import users

    client = site.client()
    sign_in(client, PO)
    users.update_user(site.engine, PO, actor="test", disabled=True)
    assert client.get("/api/findings").status_code == 401


def test_post_text_is_escaped_in_pages_and_exports(site: Site) -> None:
    client = site.client()
    token = sign_in(client, PO)
    fid = site.ids["px"]
    page = client.post(f"/findings/{fid}/reveal", data={"csrf_token": token})
    assert page.status_code == 200
    assert "<script>" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'none'" in csp and "unsafe-inline" not in csp
    assert "<script" not in client.get("/findings").text


def test_reveal_is_audited_with_user_and_time(site: Site) -> None:
    client = site.client()
    token = sign_in(client, PO)
    fid = site.ids["p0"]
    masked = client.get(f"/findings/{fid}")
    assert "Emma Johnson" not in masked.text
    before = tables.utcnow()
    page = client.post(f"/findings/{fid}/reveal", data={"csrf_token": token})
    assert "<mark>Emma Johnson</mark>" in page.text
    events = _events(site, "revealed")
    assert len(events) == 1 and events[0].actor == PO and events[0].finding_id == fid
    assert events[0].at >= before.replace(microsecond=0)
    assert any(e["action"] == "revealed" for e in client.get(f"/api/audit?finding={fid}").json())


def test_csv_export_neutralises_formula_cells(site: Site) -> None:
    client = site.client()
    token = sign_in(client, PO)
    fid = site.ids["p0"]
    note = '=HYPERLINK("http://evil")'
    client.post(
        f"/api/findings/{fid}/confirm", json={"note": note}, headers={"X-CSRF-Token": token}
    )
    r = client.get("/findings/export.csv?status=confirmed")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["id"] for row in rows] == [str(fid)]
    assert rows[0]["note"] == "'" + note
    assert client.get("/findings/export.json?status=confirmed").json()[0]["note"] == note


def test_bulk_dismiss_changes_each_selected_finding_and_audits_it(site: Site) -> None:
    client = site.client()
    token = sign_in(client, PO)
    ids = [site.ids["p0"], site.ids["p1"]]
    r = client.post(
        "/findings/bulk",
        data={
            "csrf_token": token,
            "target": "dismissed",
            "note": "bulk",
            "ids": [str(i) for i in ids],
        },
    )
    assert r.status_code == 303
    for i in ids:
        assert client.get(f"/api/findings/{i}").json()["status"] == "dismissed"
    assert {e.finding_id for e in _events(site, "status_changed")} == set(ids)
    assert all(e.actor == PO for e in _events(site, "status_changed"))


def test_sponsor_recheck_rescans_the_account_and_attests_once_a_month(site: Site) -> None:
    client = site.client()
    token = sign_in(client, SPONSOR0)
    site.feed.put("acct-0", "p0", "Congrats to the team on the win!")  # the sponsor fixed it
    r = client.post("/accounts/acct-0/recheck", data={"csrf_token": token, "next": "/my"})
    assert r.status_code == 303 and r.headers["location"] == "/my"
    rescanner = site.app.state.console.rescanner
    rescanner.wait(30)
    assert rescanner.done and rescanner.done[-1].results[0].account_id == "acct-0"
    assert [e.actor for e in _events(site, "recheck_requested")] == [SPONSOR0]
    for _ in range(2):
        client.post("/my/accounts/acct-0/attest", data={"csrf_token": token})
    with Session(site.engine) as s:
        rows = list(s.exec(select(tables.Attestation)))
    assert len(rows) == 1 and rows[0].account_id == "acct-0" and rows[0].user_email == SPONSOR0
    assert "You attested this account" in client.get("/my").text
