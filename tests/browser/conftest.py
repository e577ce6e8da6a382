"""Browser tests: the site served on a free local port, driven by Playwright in Debian's Chromium.

Where /usr/bin/chromium is missing, these tests are skipped and the run says so loudly;
with REQUIRE_BROWSER=1 (as `.ci/run` sets) a missing browser is a failure instead.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from app import db
from app.accounts import service as accounts
from app.accounts.models import Role
from tests.conftest import build_app, enrol_for_tests, second_step_code

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
        pytest.skip("Chromium is not installed at /usr/bin/chromium: browser tests did NOT run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def closing_body(app):
    """WSGI wrapper: the response body is closed even when the browser drops the connection
    half-way (it navigated on while a file was sent). werkzeug's development server skips the
    close then, and the open file would surface as a ResourceWarning in a later test."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)

        def chunks():
            try:
                yield from body
            finally:
                if hasattr(body, "close"):
                    body.close()

        return chunks()

    return wsgi


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, closing_body(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_app(tmp_path, database_url):
    """The app behind the live server (PUBLIC_BASE_URL is the server's own address)."""
    # A port is only known once the server is bound, so the app is built with a placeholder
    # and the public address is set right after binding.
    app = build_app(tmp_path, database_url)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def live_server(live_app):
    with LiveServer(live_app) as server:
        live_app.config["PUBLIC_BASE_URL"] = server.url
        yield server


@pytest.fixture(scope="session")
def site_server(tmp_path_factory):
    """One shared server for tests that only read public pages (starts once per run)."""
    from app import db
    from app.tables import metadata

    folder = tmp_path_factory.mktemp("site")
    url = f"sqlite:///{folder / 'site.db'}"
    engine = db.make_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    app = build_app(folder, url)
    with LiveServer(app) as server:
        app.config["PUBLIC_BASE_URL"] = server.url
        yield server
    app.extensions["db_engine"].dispose()


def _new_page(browser, **options):
    context = browser.new_context(locale="nl-NL", **options)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.requests = requests  # every URL the browser asked for, for third-party checks
    page.set_default_timeout(10_000)
    return context, page


PASSWORD = "een lange zin als wachtwoord"


def add_account(
    app, email: str, *, name: str = "Petra Privé", role: Role = Role.CAREGIVER, **fields
):
    """A verified account with PASSWORD, straight in the database (staff and administrators
    with the tests' authenticator app)."""
    with app.app_context():
        user = accounts.register_user(
            db.session(),
            name=name,
            email=email,
            password=PASSWORD,
            verified=True,
            role=role,
            **fields,
        )
        db.session().flush()
        enrol_for_tests(db.session(), user)
        db.session().commit()


def open_menu(page) -> None:
    """Open the header's "Menu" (below 1200 px) and "Mijn account" (logged in, from 1200 px)
    where they are shown and closed, as a visitor does before choosing a link in them."""
    for toggle in (".zg-menu__toggle", ".zg-account-menu__toggle"):
        summary = page.locator(toggle)
        if (
            summary.count()
            and summary.is_visible()
            and not summary.evaluate("s => s.parentElement.open")
        ):
            summary.click()


def log_in(page, url: str, email: str, *, next: str = "", banner: str = "") -> None:
    """Log in through the form; `banner` names the cookie-banner button to press first."""
    page.goto(url + "/inloggen" + (f"?next={next}" if next else ""))
    if banner:
        page.get_by_role("button", name=banner).click()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    # Logged in once the browser has left the login page (a test that goes elsewhere at once
    # would otherwise cancel the login on a busy machine).
    page.wait_for_url(lambda url: urlsplit(url).path != "/inloggen")
    if urlsplit(page.url).path == "/inloggen/code":  # staff and administrators
        page.get_by_label("Code").fill(second_step_code(email))
        page.get_by_role("button", name="Verder").click()
        # Either the next page, or the same page with a message (a code works once: a second
        # login within 30 seconds takes a recovery code).
        page.wait_for_function(
            "() => location.pathname !== '/inloggen/code'"
            " || document.querySelector('#foutoverzicht')"
        )
        if urlsplit(page.url).path == "/inloggen/code":
            page.get_by_label("Code").fill(second_step_code(email, fresh=False))
            page.get_by_role("button", name="Verder").click()
        page.wait_for_url(lambda url: urlsplit(url).path != "/inloggen/code")


@pytest.fixture
def page(browser, live_server):
    context, page = _new_page(browser, viewport={"width": 1024, "height": 800})
    yield page
    context.close()


@pytest.fixture
def site_page(browser, site_server):
    """A fresh browser tab on the shared read-only server."""
    context, page = _new_page(browser, viewport={"width": 1024, "height": 800})
    yield page
    context.close()


def accessibility_problems(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of the given impact on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page, options=options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in impacts
    ]


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the viewport (0 = no sideways scrolling), once
    the page a click may have asked for has loaded (a form posted without JavaScript)."""
    page.wait_for_load_state()
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
