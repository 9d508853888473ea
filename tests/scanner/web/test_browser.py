"""The console in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

Required when CI is set (a missing Chromium fails the run); skipped with the reason elsewhere.
Every main page is screenshotted at desktop (1280) and phone (390) widths into
test-output/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scanner.web.conftest import ADMIN, PASSWORD, PO, SPONSOR0, Site, build_site
from tests.scanner.web.server import serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[3] / "test-output" / "screenshots"
CORPUS = (
    '{"id": "a", "text": "Game at 7! Info may change; for official information visit mvsd.k12.wa.us.", "disclaimer_ok": true}\n'
    '{"id": "b", "text": "Partido a las 7. La informacion puede cambiar; para informacion oficial visite mvsd.k12.wa.us.", "disclaimer_ok": true}\n'
    '{"id": "c", "text": "Game at 7!", "disclaimer_ok": false}\n'
)

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(
            f"{CHROMIUM} is missing; CI needs Debian's chromium (see .ci/run)", pytrace=False
        )
    pytest.skip(
        f"{CHROMIUM} not installed (apt-get install chromium); browser tests run in CI",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    mp = pytest.MonkeyPatch()
    from tests.support.review import KEY_ENV

    mp.setenv(KEY_ENV, "0123456789abcdef" * 4)
    site = build_site(tmp_path_factory.mktemp("browser"))
    (site.folder / "corpus.jsonl").write_text(CORPUS)
    with (site.folder / "scanner.yaml").open("a") as fh:
        fh.write("console:\n  eval_corpora: [corpus.jsonl]\n")
    with serving(site.app) as url:
        yield site, url
    site.engine.dispose()
    mp.undo()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    yield pg
    context.close()


def shoot(page: Page, name: str) -> None:
    """Desktop and phone screenshots of the current page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in (("desktop", 1280), ("phone", 390)):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def login(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_page_and_a_wrong_password(page: Page, live: tuple[Site, str]) -> None:
    _, url = live
    page.goto(f"{url}/findings")
    expect(page).to_have_url(f"{url}/login?next=%2Ffindings")
    shoot(page, "login")
    page.get_by_label("E-mail").fill(PO)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")


@pytest.mark.parametrize(
    ("email", "landing", "heading"),
    [
        (PO, "/findings", "Review queue"),
        (SPONSOR0, "/my", "My accounts"),
        (ADMIN, "/findings", "Review queue"),
    ],
)
def test_sign_in_per_role(
    page: Page, live: tuple[Site, str], email: str, landing: str, heading: str
) -> None:
    _, url = live
    login(page, url, email)
    expect(page).to_have_url(f"{url}{landing}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    nav = page.get_by_role("navigation", name="Main")
    if email == ADMIN:
        expect(nav.get_by_role("link", name="Users")).to_be_visible()
    else:
        expect(nav.get_by_role("link", name="Users")).to_have_count(0)


def test_queue_reveal_is_audited_and_hostile_text_runs_nothing(
    page: Page, live: tuple[Site, str]
) -> None:
    site, url = live
    login(page, url, PO)
    expect(page.locator("table.findings tbody tr")).to_have_count(4)
    shoot(page, "queue")
    page.get_by_label("Account").select_option("acct-1")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.findings tbody tr")).to_have_count(2)
    fid = site.ids["px"]
    page.goto(f"{url}/findings/{fid}")
    expect(page.locator("#post-text")).not_to_contain_text("Emma Johnson")
    page.get_by_role("button", name="Reveal the raw text").click()
    expect(page.locator("#post-text mark")).to_have_text("Emma Johnson")
    expect(page.locator("#post-text")).to_contain_text('<script>alert("x")</script>')
    assert page.dialogs == []  # type: ignore[attr-defined]
    assert page.locator("#post-text script, #post-text img").count() == 0
    shoot(page, "finding-revealed")
    page.goto(f"{url}/audit?action=revealed")
    row = page.locator("table.audit tbody tr").first
    expect(row).to_contain_text(PO)
    expect(row).to_contain_text(f"#{fid}")
    shoot(page, "audit")
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_confirm_then_dismiss_with_notes(page: Page, live: tuple[Site, str]) -> None:
    site, url = live
    login(page, url, PO)
    fid = site.ids["p1:STUDENT_CONTACT"]
    page.goto(f"{url}/findings/{fid}")
    page.get_by_label("Note").fill("phone number of a student")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("h1 .status")).to_have_text("confirmed")
    expect(page.locator(".history")).to_contain_text("phone number of a student")
    shoot(page, "finding")
    page.get_by_label("Note").fill("actually the school office")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("h1 .status")).to_have_text("dismissed")


def test_bulk_action_on_a_selection(page: Page, live: tuple[Site, str]) -> None:
    site, url = live
    login(page, url, PO)
    a, b = site.ids["p0"], site.ids["p1:STUDENT_NAME"]
    page.get_by_label(f"Select finding {a}", exact=True).check()
    page.get_by_label(f"Select finding {b}", exact=True).check()
    page.get_by_label("Action").select_option("resolved")
    page.get_by_label("Note", exact=True).fill("taken down")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("status").first).to_contain_text("2 of 2 findings changed")
    page.goto(f"{url}/findings?status=resolved")
    expect(page.locator("table.findings tbody tr")).to_have_count(2)


def test_sponsor_sees_only_their_accounts(page: Page, live: tuple[Site, str]) -> None:
    site, url = live
    login(page, url, SPONSOR0)
    expect(page.locator("section.account")).to_have_count(1)
    expect(page.locator("section.account h2")).to_have_text("Club 0")
    page.get_by_role("button", name="I monitored this account").click()
    expect(page.locator("section.account")).to_contain_text("You attested this account")
    shoot(page, "sponsor")
    page.goto(f"{url}/findings/{site.ids['p1']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("404: Not found.")
    page.goto(f"{url}/findings/{site.ids['px']}")
    expect(page.get_by_role("button", name="Reveal the raw text")).to_have_count(0)
    page.goto(f"{url}/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("403: Not allowed.")


def test_a_forged_csrf_token_is_refused(page: Page, live: tuple[Site, str]) -> None:
    site, url = live
    login(page, url, PO)
    fid = site.ids["px"]
    page.goto(f"{url}/findings/{fid}")
    page.locator("form[action$='/status'] input[name=csrf_token]").evaluate(
        "el => el.value = 'forged'"
    )
    page.get_by_label("Note").fill("should not be stored")
    response = None
    with page.expect_response(lambda r: r.url.endswith("/status")) as info:
        page.get_by_role("button", name="Confirm").click()
    response = info.value
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("403")
    page.goto(f"{url}/findings/{fid}")
    expect(page.locator("h1 .status")).to_have_text("open")


def test_registry_form_shows_validation_errors(page: Page, live: tuple[Site, str]) -> None:
    _, url = live
    login(page, url, ADMIN)
    page.goto(f"{url}/admin/registry")
    shoot(page, "registry")
    page.get_by_role("link", name="Register an account").click()
    for label, value in (
        ("Account id", "acct-0"),
        ("Platform", "myspace"),
        ("Handle", "r/x"),
        ("Site name", "X"),
        ("Administrator name", "Dana"),
        ("Administrator e-mail", "dparker@mvsd.k12.wa.us"),
        ("Sponsor name", "Ann"),
        ("Sponsor e-mail", "alee@mvsd.k12.wa.us"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("unknown platform")
    expect(alert).to_contain_text("duplicate account id")
    expect(page.get_by_label("Platform", exact=True)).to_have_attribute("aria-invalid", "true")
    shoot(page, "registry-errors")


def test_detector_preview_shows_before_and_after(page: Page, live: tuple[Site, str]) -> None:
    _, url = live
    login(page, url, ADMIN)
    page.goto(f"{url}/admin/detectors")
    page.get_by_label("Settings (YAML)").nth(1).fill("languages: [en]\n")
    page.locator("form[action='/admin/detectors/disclaimer']").get_by_role(
        "button", name="Preview"
    ).click()
    table = page.locator("table.preview-table")
    expect(table).to_be_visible()
    expect(page.locator(".preview h3")).to_have_text("Preview on 3 labelled posts")
    expect(table.locator("tr.changed").first).to_be_visible()
    shoot(page, "detectors-preview")


def test_admin_pages_render(page: Page, live: tuple[Site, str]) -> None:
    _, url = live
    login(page, url, ADMIN)
    page.goto(f"{url}/admin/compliance")
    expect(page.locator(".chart svg rect").first).to_be_visible()
    shoot(page, "compliance")
    page.goto(f"{url}/admin/users")
    expect(page.locator("table.users tbody tr")).to_have_count(4)
    shoot(page, "users")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]  # type: ignore[attr-defined]
