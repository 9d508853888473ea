"""Admin pages: registry validation (as `config check`), detector preview, users, compliance."""

from __future__ import annotations

import textwrap

from scanner.config.loader import load_config
from tests.scanner.web.conftest import ADMIN, Site, sign_in

GOOD = {
    "id": "jhs-chess",
    "platform": "reddit",
    "handle": "r/JeffersonChess",
    "site_name": "Chess club",
    "school": "Jefferson High School",
    "admin_name": "Dana Parker",
    "admin_email": "dparker@mvsd.k12.wa.us",
    "sponsor_name": "Ann Lee",
    "sponsor_email": "alee@mvsd.k12.wa.us",
}


def test_registry_form_shows_every_problem_and_writes_nothing(site: Site) -> None:
    client = site.client()
    token = sign_in(client, ADMIN)
    before = (site.folder / "accounts.yaml").read_text()
    bad_email = GOOD | {"sponsor_email": "not-an-email"}
    r = client.post("/admin/registry/new", data=bad_email | {"csrf_token": token})
    assert r.status_code == 400
    assert 'id="r-sponsor_email-err"' in r.text and 'aria-invalid="true"' in r.text
    bad = GOOD | {"platform": "myspace", "id": "acct-0"}
    r = client.post("/admin/registry/new", data=bad | {"csrf_token": token})
    assert r.status_code == 400
    assert "unknown platform" in r.text and "duplicate account id" in r.text
    assert 'id="r-platform-err"' in r.text and 'id="r-id-err"' in r.text
    assert (site.folder / "accounts.yaml").read_text() == before


def test_registry_add_edit_disable(site: Site) -> None:
    client = site.client()
    token = sign_in(client, ADMIN)
    r = client.post("/admin/registry/new", data=GOOD | {"csrf_token": token})
    assert r.status_code == 303
    assert load_config(site.folder).account("jhs-chess").sponsor.email == "alee@mvsd.k12.wa.us"
    edit = GOOD | {"site_name": "Chess & Go club", "csrf_token": token}
    assert client.post("/admin/registry/jhs-chess/edit", data=edit).status_code == 303
    assert (
        client.post("/admin/registry/jhs-chess/toggle", data={"csrf_token": token}).status_code
        == 303
    )
    account = load_config(site.folder).account("jhs-chess")
    assert account.site_name == "Chess & Go club" and account.enabled is False
    assert "Chess &amp; Go club" in client.get("/admin/registry").text


def test_detector_preview_shows_before_and_after_and_save_validates(
    site_with_detectors: Site,
) -> None:
    site = site_with_detectors
    corpus = site.folder / "corpus.jsonl"
    corpus.write_text(
        '{"id": "a", "text": "Game at 7! Info may change; for official information visit mvsd.k12.wa.us.", "disclaimer_ok": true}\n'
        '{"id": "b", "text": "Partido a las 7. La informacion puede cambiar; para informacion oficial visite mvsd.k12.wa.us.", "disclaimer_ok": true}\n'
        '{"id": "c", "text": "Game at 7!", "disclaimer_ok": false}\n'
    )
    with (site.folder / "scanner.yaml").open("a") as fh:
        fh.write("console:\n  eval_corpora: [corpus.jsonl]\n")
    client = site.client()
    token = sign_in(client, ADMIN)
    page = client.get("/admin/detectors")
    assert page.status_code == 200 and 'name="settings"' in page.text
    r = client.post(
        "/admin/detectors/disclaimer",
        data={"csrf_token": token, "do": "preview", "settings": "languages: [en]\n"},
    )
    assert r.status_code == 200, r.text[:500]
    assert "Preview on 3 labelled posts" in r.text
    assert 'class="changed"' in r.text  # without Spanish, post b is flagged: a figure moved
    bad = client.post(
        "/admin/detectors/disclaimer",
        data={"csrf_token": token, "do": "save", "settings": "languages: [xx]\n"},
    )
    assert bad.status_code == 400 and "detectors.disclaimer" in bad.text
    assert "languages" not in (load_config(site.folder).scanner.detectors.get("disclaimer") or {})
    ok = client.post(
        "/admin/detectors/disclaimer",
        data={"csrf_token": token, "do": "save", "settings": "languages: [en]\n"},
    )
    assert ok.status_code == 303
    assert load_config(site.folder).scanner.detectors["disclaimer"] == {"languages": ["en"]}


def test_admin_adds_and_disables_users_but_not_themselves(site: Site) -> None:
    from scanner.web import users

    client = site.client()
    token = sign_in(client, ADMIN)
    r = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "new@mvsd.k12.wa.us",
            "role": "sponsor",
            "password": "",
        },
    )
    assert r.status_code == 303
    new = users.find_user(site.engine, "new@mvsd.k12.wa.us")
    assert new is not None and not new.local and new.role.value == "sponsor"
    client.post(f"/admin/users/{new.id}", data={"csrf_token": token, "do": "disable"})
    assert users.find_user(site.engine, "new@mvsd.k12.wa.us").disabled  # type: ignore[union-attr]
    me = users.find_user(site.engine, ADMIN)
    assert me is not None
    client.post(f"/admin/users/{me.id}", data={"csrf_token": token, "do": "disable"})
    assert not users.find_user(site.engine, ADMIN).disabled  # type: ignore[union-attr]


def test_compliance_page_renders_the_report(site: Site) -> None:
    client = site.client()
    sign_in(client, ADMIN)
    page = client.get("/admin/compliance")
    assert page.status_code == 200
    assert "<svg" in page.text and "acct-0" in page.text and "Club 1" in page.text
    assert "style=" not in page.text  # nothing the CSP would block
    assert textwrap.dedent("x") == "x"
