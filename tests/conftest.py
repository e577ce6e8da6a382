"""Shared fixtures: an app with a fresh database per test, clients, factories and helpers.

The suite runs on SQLite by default. With DATABASE_URL set to a PostgreSQL URL (as `.ci/run`
does in its second pass) every test runs against that server instead; the tables are created
once and emptied after each test.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from app import create_app, db
from app.accounts import service as accounts
from app.accounts import two_factor
from app.accounts.models import Role, User
from app.core import personal_data
from app.jobs import service as jobs
from app.tables import metadata
from tests.crawl import Crawl, by_view, crawl, local

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _own_database(url: str) -> str:
    """With the tests spread over processes (pytest-xdist, `make test`), each process on
    PostgreSQL gets a database of its own next to DATABASE_URL's (`test_gw0`, `test_gw1`, ...),
    created when missing: the tests empty the tables after themselves, and two processes in the
    same tables would see each other's rows."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    given = sa.engine.make_url(db.normalise_url(url))
    name = f"{given.database}_{worker}"
    server = db.make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        known = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not known:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    address, _, options = url.partition("?")
    return address.rpartition("/")[0] + f"/{name}" + (f"?{options}" if options else "")


EXTERNAL_DB = _own_database(os.environ.get("DATABASE_URL", "").strip())
# Parsed content shared by the apps of this test run: each test builds its own app, and parsing
# the same unchanged files again for each would only make the suite slower.
CONTENT_MEMO: dict = {}
# The prepared static files (fingerprinted, compressed) likewise: built once for the whole run.
STATIC_BUILD_DIR = PROJECT_ROOT / ".pytest_cache" / "static-build"
# The sentence encoder is off in tests (BM25 alone) unless a test asks for it: the shared
# starter indexes of the search and assistant tests do, and keep the vectors of the starter
# content here across runs (by content hash, as a server keeps them next to its index).
VECTOR_CACHES = PROJECT_ROOT / ".pytest_cache"  # search-vectors-<encoder>.npz
DEFAULT_PASSWORD = "een lange zin als wachtwoord"
TEST_FERNET_KEY = "ZmRmZGZkZmRmZGZkZmRmZGZkZmRmZGZkZmRmZGZkZmQ="


def _compile_url_builders_once() -> None:
    """Each test builds its own app, and for each of its some 130 URL rules Werkzeug writes and
    compiles two small Python functions that build the rule's URL: the same code for the same
    rule in every app, a third of the time it takes to create one. Here each is compiled once
    for the run and bound to every new rule as Werkzeug binds it (the function reaches its rule
    only through that binding). Tests only: a server creates its app once."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple, Callable[..., tuple[str, str]]] = {}

    def once(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        defaults = sorted((rule.defaults or {}).items(), key=lambda item: item[0])
        key = (
            rule.rule,
            rule.subdomain,
            rule.host,
            tuple(rule._trace),
            repr(defaults),
            append_unknown,
        )
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = once  # type: ignore[method-assign, assignment]


_compile_url_builders_once()


@pytest.fixture(scope="session")
def external_engine():
    """On PostgreSQL: create the schema once for the whole run."""
    if not EXTERNAL_DB:
        yield None
        return
    engine = db.make_engine(EXTERNAL_DB)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def empty_all_tables(engine: sa.Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def build_app(tmp_path: Path, database_url: str, **overrides) -> Flask:
    settings = {
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "CONTENT_DIR": str(PROJECT_ROOT / "content"),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-signing",
        "ENCRYPTION_KEYS": TEST_FERNET_KEY,
        "PUBLIC_BASE_URL": "http://localhost",
        "SMTP_URL": "",
        "REDIS_URL": "",
        "CONTENT_RECHECK_SECONDS": 0,
        "SEARCH_BUILD_ON_START": False,
        "SEARCH_SEMANTIC": False,
        "SHOP_SYNC_ON_START": False,
        "CONTENT_MEMO": CONTENT_MEMO,
        "STATIC_BUILD_DIR": str(STATIC_BUILD_DIR),
    }
    settings.update(overrides)
    return create_app(settings)


def build_starter_index(folder: Path, *, semantic: bool = True, encoder: str = "use") -> Path:
    """An index of the starter content in `folder`/index (with the vectors of `encoder` when
    `semantic`), built once per test run by the search and assistant fixtures."""
    from app.search import semantic as vectors
    from app.search import service

    index = folder / "index"
    app = build_app(
        folder,
        f"sqlite:///{folder / 'unused.db'}",
        SEARCH_INDEX_DIR=str(index),
        SEARCH_SEMANTIC=semantic,
        SEARCH_ENCODER=encoder,
    )
    cached = VECTOR_CACHES / f"search-vectors-{encoder}.npz"
    if semantic and cached.exists():
        index.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, index / vectors.CACHE)
    with app.app_context():
        service.reindex(full=True)
    if semantic and (index / vectors.CACHE).exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: another test process may be copying it at this moment.
        aside = cached.with_name(f"{cached.name}.{os.getpid()}")
        shutil.copyfile(index / vectors.CACHE, aside)
        os.replace(aside, cached)
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()
    return index


@pytest.fixture(scope="session")
def empty_sqlite_database(tmp_path_factory, external_engine) -> Path | None:
    """On SQLite: a database file with every table and nothing in them, made once for the run;
    each test gets a copy (creating the tables again would cost each test 30 ms)."""
    if external_engine is not None:
        return None
    path = tmp_path_factory.mktemp("schema") / "empty.db"
    engine = db.make_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(tmp_path, external_engine, empty_sqlite_database) -> Iterator[str]:
    if external_engine is not None:
        yield EXTERNAL_DB
        empty_all_tables(external_engine)
        return
    shutil.copyfile(empty_sqlite_database, tmp_path / "test.db")
    yield f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app(tmp_path, database_url):
    # No app context is held open here: each test-client request must get its own (and its
    # own `g` and database session), exactly as in production.
    app = build_app(tmp_path, database_url)
    app.test_client_class = Client
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def renders(app):
    """The names of the templates rendered, in order."""
    from flask import template_rendered

    names: list[str] = []

    def note(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(note, app)
    yield names
    template_rendered.disconnect(note, app)


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class FreshSession(Session):
    """A session for assertions: every query first forgets what it loaded before, so a test
    always sees what the requests in between committed."""

    def exec(self, *args, **kwargs):
        self.expire_all()
        return super().exec(*args, **kwargs)

    def get(self, *args, **kwargs):
        self.expire_all()
        return super().get(*args, **kwargs)


@pytest.fixture
def session(app):
    """A database session outside any request, for arranging data and checking results."""
    with FreshSession(app.extensions["db_engine"], expire_on_commit=False) as db_session:
        yield db_session


# What a browser says of a form sent from a page of the same site.
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


class Client(FlaskClient):
    """A test client that can fill in forms the way a browser does. Its plain `post` is a
    script's: no word of where it comes from, so only a CSRF token gets it accepted."""

    def csrf_token(self, page: str = "/") -> str:
        """The page's CSRF token; empty when the visitor has no session (no token is shown)."""
        html = self.get(page).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'"X-CSRFToken": "([^"]+)"', html
        )
        return match.group(1) if match else ""

    def submit(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        """POST `data` to `url` as a browser sends a form of `page` (default: `url`): with the
        page's CSRF token, if it shows one, and saying it comes from this site."""
        payload = dict(data or {})
        payload["csrf_token"] = self.csrf_token(page or url)
        kwargs["headers"] = {**SAME_ORIGIN, **(kwargs.get("headers") or {})}
        return self.post(url, data=payload, **kwargs)


@pytest.fixture
def make_user(app):
    """Factory: make_user(role=Role.STAFF, email=..., password=..., verified=True) -> User."""
    counter = iter(range(1, 10_000))

    def make(
        *,
        role: Role = Role.CAREGIVER,
        email: str | None = None,
        name: str = "Test Gebruiker",
        password: str = DEFAULT_PASSWORD,
        verified: bool = True,
        phone: str | None = None,
        second_step: bool = True,
    ) -> User:
        with app.app_context():
            session = db.session()
            user = accounts.register_user(
                session,
                name=name,
                email=email or f"gebruiker{next(counter)}@example.nl",
                password=password,
                role=role,
                verified=verified,
                phone=phone,
            )
            session.flush()
            if second_step:
                enrol_for_tests(session, user)
            session.commit()
        return user

    return make


# Staff and administrators made by the tests have an authenticator app with this secret (unless
# made with `second_step=False`); their recovery codes are kept here, by e-mail address.
TEST_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RECOVERY: dict[str, list[str]] = {}


def enrol_for_tests(session, user: User) -> None:
    if two_factor.needed(user):
        RECOVERY[user.email] = two_factor.enrol_with(session, user, TEST_SECRET)


def second_step_code(email: str, *, fresh: bool = True) -> str:
    """The app's code of now, or (when that one was used already) a recovery code."""
    return pyotp.TOTP(TEST_SECRET).now() if fresh else RECOVERY[email].pop()


class AuthActions:
    def __init__(self, client: Client) -> None:
        self.client = client

    def login(self, email: str, password: str = DEFAULT_PASSWORD, **extra):
        """Log in; for staff and administrators also through the second step, as they do."""
        response = self.client.submit("/inloggen", {"email": email, "password": password, **extra})
        if response.headers.get("Location", "").startswith("/inloggen/code"):
            page = response.headers["Location"]
            for fresh in (True, False):  # a code works once: a second login in 30 s needs another
                response = self.client.submit(page, {"code": second_step_code(email, fresh=fresh)})
                if response.status_code != 422:
                    break
        return response

    def logout(self):
        return self.client.submit("/uitloggen", page="/")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(make_user, auth):
    """Create an account with `role` and log the test client in as it; returns the user."""

    def login(role: Role = Role.CAREGIVER, **kwargs) -> User:
        user = make_user(role=role, **kwargs)
        response = auth.login(user.email, kwargs.get("password", DEFAULT_PASSWORD))
        assert response.status_code == 303, response.get_data(as_text=True)
        return user

    return login


def htmx_headers(
    target: str | None = None, *, boosted: bool = False, restore: bool = False
) -> dict:
    """The headers htmx sends: a targeted swap, a boosted navigation or a history restore."""
    headers = {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}
    if target:
        headers["HX-Target"] = target
    if boosted:
        headers["HX-Boosted"] = "true"
    if restore:
        headers["HX-History-Restore-Request"] = "true"
    return headers


class Outbox:
    """The e-mail this test's app sent: the queue's worker runs first (as `flask jobs work`
    would), then the .eml files it wrote to the outbox folder are read."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.folder = Path(app.config["OUTBOX_DIR"])

    def deliver(self) -> None:
        with self.app.app_context():
            jobs.run_due()

    def messages(self) -> list[EmailMessage]:
        self.deliver()
        if not self.folder.exists():
            return []
        return [
            email.message_from_bytes(
                path.read_bytes(), _class=EmailMessage, policy=email.policy.default
            )
            for path in sorted(self.folder.glob("*.eml"))
        ]

    def last(self) -> EmailMessage:
        messages = self.messages()
        assert messages, "no e-mail was sent"
        return messages[-1]

    @staticmethod
    def text(message: EmailMessage) -> str:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None, "the message has no plain-text part"
        return body.get_content()

    def last_link(self, to: str | None = None) -> str:
        messages = [m for m in self.messages() if to is None or m["To"] == to]
        assert messages, f"no e-mail to {to}"
        match = re.search(r"https?://\S+", self.text(messages[-1]))
        assert match, "no link in the e-mail"
        return match.group(0)


@pytest.fixture
def outbox(app) -> Outbox:
    return Outbox(app)


def database_files(app: Flask) -> dict[str, bytes]:
    """SQLite: the bytes of the database file and of its -wal and -shm files, read as they lie
    on disk. Nothing is checkpointed first: what the log still holds must count."""
    path = app.extensions["db_engine"].url.database
    files = {}
    for name in (path, f"{path}-wal", f"{path}-shm"):
        if os.path.exists(name):
            with open(name, "rb") as raw:
                files[name] = raw.read()
    return files


def pg_dump(url: str) -> str:
    """What a backup of the PostgreSQL database holds (plain SQL from the real pg_dump)."""
    result = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", "--dbname", url],
        capture_output=True,
        check=True,
        text=True,
        timeout=120,
    )
    return result.stdout


def registered(app: Flask) -> list:
    """The personal-data categories `app` registered (app.core.personal_data)."""
    with app.app_context():
        return personal_data.categories()


def registered_category(app: Flask, table: str):
    with app.app_context():
        return personal_data.category_for(table)


def database_dump(app: Flask) -> str:
    """What someone reading the database would see: on SQLite the raw bytes of the database
    file and its -wal and -shm files as they are (decoded leniently, so stored text shows up),
    on PostgreSQL the output of pg_dump where it is installed; then every row of every table."""
    engine = app.extensions["db_engine"]
    if EXTERNAL_DB:
        parts = [pg_dump(EXTERNAL_DB)] if shutil.which("pg_dump") else []
        select_row = 'SELECT CAST(t AS text) FROM "{}" t'
    else:
        # The files first: the connection that reads the rows below must not change them.
        parts = [raw.decode("utf-8", errors="replace") for raw in database_files(app).values()]
        select_row = 'SELECT * FROM "{}"'
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(sa.text(select_row.format(table.name))):
                parts.append(" | ".join(str(value) for value in row))
    return "\n".join(parts)


def local_path(url: str) -> str:
    """`http://localhost/bevestigen/abc` -> `/bevestigen/abc` (for the test client)."""
    return re.sub(r"^https?://[^/]+", "", url)


def confirm_registration(
    client: Client, outbox: Outbox, password: str, *, to: str | None = None, **kwargs
):
    """Follow the link of the registration e-mail and type the password again, as the new
    caregiver does after registering through the form; the client is then logged in."""
    link = local_path(outbox.last_link(to=to))
    assert "/account-bevestigen/" in link, link
    return client.submit(link, {"password": password}, **kwargs)


@dataclass
class SiteCrawl:
    """What crawling the populated site as every role found, and the text of each stylesheet
    its pages link to (by the address used)."""

    crawls: dict[str, Crawl]  # by role
    stylesheets: dict[str, str]


@pytest.fixture(scope="session")
def site_crawl(tmp_path_factory, external_engine) -> SiteCrawl:
    """A site with something in it for every role (`tests/populated.py`), crawled once per run
    as a visitor (every public page) and as each account (every view once: an article stands
    for all articles, they differ from the visitor's only in the header). The HTML checker and
    the crawled promises read the same crawl. The site and its data are gone before the first
    test reads it."""
    # Imported here: tests.populated imports this module.
    from tests.populated import ROLES, SEEDS, module_database, populated_site

    folder = tmp_path_factory.mktemp("crawl")
    with module_database(folder, external_engine) as url, populated_site(folder, url) as site:
        same = by_view(site.app, each_address=("profile.step",))
        crawls: dict[str, Crawl] = {
            role: crawl(site.clients[role], SEEDS[role], same=None if role == "anonymous" else same)
            for role in ROLES
        }
        stylesheets: dict[str, str] = {}
        client = site.clients["anonymous"]
        for page in (page for each in crawls.values() for page in each.pages.values()):
            for resource in page.resources:
                if resource.tag == "link" and resource.url not in stylesheets:
                    target = local(page.url, resource.url)
                    if target and target.endswith(".css"):
                        response = client.get(target)
                        stylesheets[resource.url] = response.get_data(as_text=True)
                        response.close()
    return SiteCrawl(crawls, stylesheets)


@pytest.fixture
def summary(record_property) -> Callable[[str, list[str]], None]:
    """`summary(section, lines)`: lines printed under `section` at the end of the run, whatever
    the verbosity (the quality figures `make test` shows). They travel with the test's report,
    so they reach the summary also when the tests run in worker processes."""

    def add(section: str, lines: list[str]) -> None:
        record_property(SUMMARY_PREFIX + section, list(lines))

    return add


SUMMARY_PREFIX = "summary: "


def _summaries(terminalreporter) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue  # the setup's and teardown's reports carry the same lines
            for name, lines in getattr(report, "user_properties", ()):
                if isinstance(name, str) and name.startswith(SUMMARY_PREFIX):
                    sections.setdefault(name.removeprefix(SUMMARY_PREFIX), []).extend(lines)
    return sections


def pytest_configure(config):
    """TEST_CLOCK="2027-03-28 00:30+00:00" runs the tests with the clock moved to that moment
    (and ticking), in every worker: bugs that depend on the hour (the Dutch day against the UTC
    day, the change to summer time) show only in some hours of the year."""
    moment = os.environ.get("TEST_CLOCK")
    if moment and not hasattr(config, "_moved_clock"):
        import time_machine

        config._moved_clock = time_machine.travel(moment, tick=True)
        config._moved_clock.start()


def pytest_terminal_summary(terminalreporter):
    for section, lines in sorted(_summaries(terminalreporter).items()):
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)
    if not Path("/usr/bin/chromium").exists():
        line = "!" * 78
        terminalreporter.write_line(line, red=True, bold=True)
        terminalreporter.write_line(
            "BROWSER TESTS DID NOT RUN: /usr/bin/chromium is missing (apt-get install chromium).",
            red=True,
            bold=True,
        )
        terminalreporter.write_line(line, red=True, bold=True)
