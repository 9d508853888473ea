"""Fixtures for the console tests: a config with two accounts, real findings made by the real
pipeline (fake detector and platform), one user per role, and a signed-in TestClient."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from scanner.config.loader import load_config
from scanner.store.engine import open_database
from scanner.web import users
from scanner.web.app import create_app
from scanner.web.rescan import Rescanner
from tests.support.fakes import FakePlatform
from tests.support.review import env, make_config, new_feed, pipeline  # noqa: F401

PASSWORD = "correct horse battery"
PO = "po@mvsd.k12.wa.us"
ADMIN = "admin@mvsd.k12.wa.us"
SPONSOR0 = "sponsor0@mvsd.k12.wa.us"  # sponsors acct-0
SPONSOR1 = "sponsor1@mvsd.k12.wa.us"  # sponsors acct-1
ROLE_USERS = {"privacy_officer": PO, "admin": ADMIN, "sponsor": SPONSOR0}
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)> Emma Johnson'
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    """The console under test and what it was built from."""

    folder: Path
    engine: Engine
    feed: FakePlatform
    app: Starlette
    ids: dict[str, int]  # finding ids by post external id

    def client(self) -> TestClient:
        """A fresh browser-like client (own cookie jar)."""
        return TestClient(self.app, base_url="http://testserver", follow_redirects=False)


def seed(folder: Path, engine: Engine) -> tuple[FakePlatform, dict[str, int]]:
    """Two accounts' posts scanned by the real pipeline; finding ids by post."""
    config = make_config(folder, accounts=2)
    feed = new_feed()
    feed.put("acct-0", "p0", "Congrats to Emma Johnson on the win!")
    feed.put("acct-0", "px", XSS)
    feed.put("acct-1", "p1", "Call Liam Smith at (555) 123-4567")
    pipeline(config, engine, feed).scan()
    from sqlmodel import Session, select

    from scanner.store import tables

    with Session(engine) as s:
        rows = s.exec(select(tables.FindingRow, tables.PostRow).join(tables.PostRow)).all()
    ids: dict[str, int] = {}
    for f, p in rows:
        ids.setdefault(p.external_id, f.id or 0)
        ids[f"{p.external_id}:{f.category}"] = f.id or 0
    return feed, ids


def build_site(tmp_path: Path) -> Site:
    """Seeded database, users per role, the app."""
    folder = tmp_path / "config"
    engine = open_database(f"sqlite:///{tmp_path / 'console.db'}")
    feed, ids = seed(folder, engine)
    for email, role in (
        (PO, "privacy_officer"),
        (ADMIN, "admin"),
        (SPONSOR0, "sponsor"),
        (SPONSOR1, "sponsor"),
    ):
        users.add_user(engine, email, role, PASSWORD)
    app = create_app(
        folder,
        engine=engine,
        rescanner_factory=lambda c, e: Rescanner(
            c, e, make_pipeline=lambda c2, e2: pipeline(c2, e2, feed)
        ),
    )
    return Site(folder, engine, feed, app, ids)


@pytest.fixture
def site(tmp_path: Path, env: None) -> Iterator[Site]:  # noqa: F811
    s = build_site(tmp_path)
    yield s
    s.engine.dispose()


def csrf_from(html: str) -> str:
    """The CSRF token of a page (meta tag when signed in, else the form field)."""
    found = CSRF_META.search(html) or CSRF_INPUT.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; the session's CSRF token."""
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
    )
    assert r.status_code == 303, r.text
    return csrf_from(client.get("/findings" if "sponsor" not in email else "/my").text)


@pytest.fixture
def as_role(site: Site) -> Callable[[str], tuple[TestClient, str]]:
    """A client signed in as a role's user (or anonymous for "anonymous"), and its token."""

    def make(role: str) -> tuple[TestClient, str]:
        client = site.client()
        if role == "anonymous":
            return client, csrf_from(client.get("/login").text)
        return client, sign_in(client, ROLE_USERS[role])

    return make


def reload(site: Site):  # type: ignore[no-untyped-def]
    """The config as the app sees it now."""
    return load_config(site.folder)


@pytest.fixture
def site_with_detectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """`site` with the real detector registry (detector settings and preview need it)."""
    from tests.support.review import KEY_ENV

    monkeypatch.setenv(KEY_ENV, "0123456789abcdef" * 4)
    s = build_site(tmp_path)
    yield s
    s.engine.dispose()
