"""Whatever a visitor sends, the site never answers with a server error (5xx).

Every route of the app (`app.url_map`) gets generated requests: for its path variables, its
query string and, for a POST, its form (always with a valid CSRF token). The field names and
sensible values come from the running site itself: a crawl as each role collects every form
(with its fields, their types and options) and every link. Values are drawn from classes that
break parsers: empty, very long, any Unicode, control characters and NUL, numbers written in
other scripts (`²`, `①`, `٣`), huge numbers, dates that do not exist, e-mail look-alikes,
markup and injection strings, repeated keys, a file where text was expected, and JSON instead
of a form. Each request is sent as an anonymous visitor, a caregiver, staff or an editor.

The Mollie webhook talks to Mollie (here the sandbox, over real HTTP): it is fuzzed like any
other route, and also gets a real payment id among its values, so a known payment is fetched
from the sandbox too. The sandbox itself is a separate app standing in for Mollie, not a route
of the site. Hypothesis runs derandomised, so CI sees the same examples every time; the
explicit cases for the bugs this found are in tests/test_malformed_input.py.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_from_bytes, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from app.payments.models import PaymentRow
from tests.conftest import build_app
from tests.crawl import Crawl, by_view, crawl
from tests.populated import SEEDS, PopulatedSite, module_database, populated_site

ROLES = ("anonymous", "caregiver", "staff", "editor")
# Each route gets a few examples, and more for each input it has (path variable or field).
EXAMPLES_BASE, EXAMPLES_PER_INPUT, EXAMPLES_MAX = 3, 3, 20
VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _routes() -> list[tuple[str, str, str]]:
    """(rule, method, endpoint) for every route, read from a freshly built app."""
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder), f"sqlite:///{folder}/routes.db")
        rules = [
            (rule.rule, method, rule.endpoint)
            for rule in app.url_map.iter_rules()
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        ]
        app.extensions["db_engine"].dispose()
    return sorted(rules)


ROUTES = _routes()

# --- values -------------------------------------------------------------------------------

ODD_NUMBERS = [
    "²",
    "①",
    "٣",
    "١٢",
    "½",
    "Ⅻ",
    "１２",
    "𝟗",
    "1e3",
    "-1",
    "-0",
    "+5",
    "0x1f",
    "1_000",
    " 7 ",
    "7.5",
    "7,5",
    "NaN",
    "inf",
    "00000000001",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "9" * 5000,
]
ODD_DATES = ["2026-02-30", "99999-01-01", "0000-01-01", "2026-13-01", "1-1-1", "31-12-2026"]
ODD_EMAILS = [
    "a@b",
    "@",
    "caregiver@example.nl",
    "CAREGIVER@EXAMPLE.NL",
    "caregiver@ＥＸＡＭＰＬＥ.nl",
    "ä@ÄÖ.nl",
    "a" * 300 + "@example.nl",
    "x@example.nl\r\nBcc: y@example.nl",
]
ODD_TEXT = [
    "\x00",
    "a\x00b",
    "\x00pc:x\x00",
    "\x00pc:csrf_token\x00",
    "\r\nSet-Cookie: x=y",
    "\u202eevil",
    "\ufeff",
    "\U0010ffff",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "' OR 1=1 --",
    "%s%s%n",
    "../../etc/passwd",
    "javascript:alert(1)",
    "//elders.example/",
    "https://elders.example/",
    "true",
    "null",
    "[]",
    '{"a": 1}',
]

empty = st.sampled_from(["", " ", "\t", "\n", "\u00a0", "\u200b", "\u3000"])
huge = st.tuples(
    st.sampled_from(["a", "9", "é", "€", "\x00", "😀"]), st.sampled_from([300, 5_000, 70_000])
).map(lambda pair: pair[0] * pair[1])
# Control characters, NUL most of all (PostgreSQL refuses it in text), among ordinary letters.
control = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(
        st.sampled_from("\x00\x01\x08\x1b\x1f\x7f\x85\u2028\u202e\ufeffab"), min_size=1, max_size=6
    ),
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=8),
)
any_unicode = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
# Digits that str.isdigit() accepts but int() refuses ('²', '①'), and other scripts' decimal
# digits that int() reads ('٣'): the classic traps of a number parser.
NOT_DECIMAL = sorted(chr(c) for c in range(0x20000) if chr(c).isdigit() and not chr(c).isdecimal())
OTHER_DECIMAL = sorted(chr(c) for c in range(128, 0x20000) if chr(c).isdecimal())


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of `choices`, each drawn `weight` times as often (st.one_of treats a strategy given
    twice as once)."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(
        lambda strategy: strategy
    )


digit_traps = st.tuples(
    st.text(st.sampled_from("0123456789"), max_size=2),
    weighted((2, st.sampled_from(NOT_DECIMAL)), (1, st.sampled_from(OTHER_DECIMAL))),
    st.text(st.sampled_from("0123456789"), max_size=2),
).map("".join)
numbers = weighted(
    (3, digit_traps),
    (1, st.sampled_from(ODD_NUMBERS)),
    (1, st.integers(min_value=-(2**70), max_value=2**70).map(str)),
)


@dataclass
class FieldInfo:
    """What the crawl learnt about one field name of one route."""

    values: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)


def value_for(info: FieldInfo | None) -> st.SearchStrategy[str]:
    """Values for one field: its own sensible values sometimes (to get past the first check),
    every odd class, and mostly the class that fits its type (number, date, e-mail)."""
    kinds = info.kinds if info else set()
    own = [(2, st.sampled_from(sorted(info.values)))] if info and info.values else []
    odd = [
        (1, empty),
        (1, huge),
        (2, control),
        (1, any_unicode),
        (1, numbers),
        (1, st.sampled_from(ODD_TEXT)),
    ]
    if kinds & {"number", "numeric", "decimal"}:
        return weighted((24, numbers), *own, *odd)
    if "date" in kinds:
        return weighted((24, st.sampled_from(ODD_DATES)), *own, *odd)
    if "email" in kinds:
        return weighted((24, st.sampled_from(ODD_EMAILS)), *own, *odd)
    return weighted(*own, *odd)


# --- what the crawl tells about each route -------------------------------------------------


@dataclass
class RouteInfo:
    rule: str
    method: str
    endpoint: str
    fields: dict[str, FieldInfo] = field(default_factory=dict)


@dataclass
class Plan:
    site: PopulatedSite
    routes: dict[tuple[str, str], RouteInfo]
    path_values: dict[str, set[str]]
    vocabulary: list[str]
    targets: list[str]
    roles_of: dict[str, tuple[str, ...]]

    def examples(self, route: RouteInfo) -> int:
        inputs = len(VARIABLE.findall(route.rule)) + len(set(route.fields) - {"csrf_token"})
        return min(EXAMPLES_MAX, EXAMPLES_BASE + EXAMPLES_PER_INPUT * inputs)


def _harvest(site, crawls: dict[str, Crawl]) -> Plan:
    app = site.app
    adapter = app.url_map.bind("localhost")
    routes = {(r, m): RouteInfo(r, m, e) for r, m, e in ROUTES}
    path_values: dict[str, set[str]] = {}
    targets: set[str] = set()

    def note(method: str, url: str) -> RouteInfo | None:
        parts = urlsplit(url)
        try:
            rule, args = adapter.match(parts.path, method=method.upper(), return_rule=True)
        except Exception:  # noqa: BLE001 - a redirect or a 404 teaches nothing here
            return None
        for name, value in args.items():
            path_values.setdefault(name, set()).add(str(value))
        return routes.get((rule.rule, method.upper()))

    for result in crawls.values():
        for url in result.statuses:
            note("GET", url)  # downloads and redirects have path values too
        for resource in result.resources:
            if resource.url.startswith("/static/"):
                note("GET", resource.url)
        for url, page in result.pages.items():
            targets |= page.targets
            route = note("GET", url)
            query = urlsplit(url).query
            if route is not None and query:
                for name, value in parse_qsl(query, keep_blank_values=True):
                    info = route.fields.setdefault(name, FieldInfo())
                    info.values.add(value)
        for form in result.forms:
            target = urlsplit(form.action).path or form.page
            route = note(form.method, target)
            if route is None:
                continue
            for f in form.fields:
                info = route.fields.setdefault(f.name, FieldInfo())
                info.values |= {f.value, *f.options} - {""}
                info.kinds |= {f.type, *f.attrs.values()}
    with site.session() as s:
        payment_ids = set(s.exec(select(PaymentRow.mollie_id)).all())
    routes[("/betalen/webhook", "POST")].fields["id"] = FieldInfo(values=payment_ids)
    vocabulary = sorted({name for r in routes.values() for name in r.fields} - {"csrf_token"})
    roles_of = {}
    for route in routes.values():
        # A view for some roles only is fuzzed as those roles (and as a visitor).
        required = getattr(app.view_functions[route.endpoint], "required_roles", None)
        allowed = {role.value for role in required or ()}
        roles = tuple(r for r in ROLES if r in allowed or r == "anonymous")
        roles_of[route.endpoint] = roles if len(roles) > 1 else ROLES
    return Plan(site, routes, path_values, vocabulary, sorted(targets), roles_of)


@pytest.fixture(scope="module")
def plan(tmp_path_factory, external_engine):
    folder = tmp_path_factory.mktemp("fuzz")
    with (
        module_database(folder, external_engine) as url,
        populated_site(folder, url, RATELIMIT_ENABLED=False) as site,
    ):
        same = by_view(
            site.app, each_address=("profile.step",)
        )  # every view once is enough to learn its forms and links
        crawls = {role: crawl(site.clients[role], SEEDS[role], same=same) for role in ROLES}
        yield _harvest(site, crawls)


# --- one generated request --------------------------------------------------------------


@dataclass
class Generated:
    role: str
    method: str
    path: str
    query: str
    fields: list[tuple[str, str]]
    body: str  # "form", "multipart" or "json"
    headers: dict[str, str]

    def __str__(self) -> str:
        shown = [(k, v if len(v) < 80 else f"{v[:20]!r}… ({len(v)} chars)") for k, v in self.fields]
        query = self.query if len(self.query) < 200 else self.query[:200] + "…"
        path = self.path[:200]
        return f"{self.role}: {self.method} {path}?{query} {self.body} {shown} {self.headers}"


def _encode_path_value(value: str, converter: str | None) -> str:
    return quote(value, safe="/" if converter == "path" else "")


@st.composite
def generated(draw, plan: Plan, route: RouteInfo) -> Generated:
    role = draw(st.sampled_from(plan.roles_of[route.endpoint]))

    def path_part(match: re.Match) -> str:
        name, converter = match.group("name"), match.group("converter")
        known = sorted(plan.path_values.get(name, ()))
        odd = weighted((2, control), (1, value_for(None)))
        if converter == "int":
            huge_ids = st.integers(min_value=2**31 - 2, max_value=2**70).map(str)
            odd = weighted((2, huge_ids), (1, numbers), (1, odd))
        choices = [st.sampled_from(known), odd] if known else [odd]
        raw_bytes = st.binary(min_size=1, max_size=6).map(quote_from_bytes)
        if draw(st.integers(0, 9)) == 0:
            return draw(raw_bytes)
        return _encode_path_value(draw(st.one_of(choices)), converter)

    path = VARIABLE.sub(path_part, route.rule)
    # Every field the route's forms have (most of the time), some other names of the site,
    # odd names, and some keys twice.
    known = sorted(set(route.fields) - {"csrf_token"})
    keys = [k for k in known if draw(st.integers(0, 5))]
    keys += draw(st.lists(st.sampled_from(plan.vocabulary) | st.text(max_size=10), max_size=3))
    if keys and draw(st.booleans()):
        keys += draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3))
    fields = [(k, draw(value_for(route.fields.get(k)))) for k in keys]
    query = ""
    if route.method == "GET":
        if draw(st.integers(0, 7)) == 0:
            query = "&".join(
                f"{quote(k)}={quote_from_bytes(draw(st.binary(max_size=8)))}" for k, _ in fields
            )
        else:
            query = urlencode(fields)
        fields = []
    body = draw(st.sampled_from(["form"] * 6 + ["multipart", "json"]))
    headers = draw(
        st.sampled_from(
            [
                {},
                {},
                {"HX-Request": "true"},
                {"HX-Request": "true", "HX-Boosted": "true"},
                {"HX-Request": "true", "HX-History-Restore-Request": "true"},
            ]
        )
    )
    if headers and plan.targets and draw(st.booleans()):
        # Header values are Latin-1 without line breaks (HTTP cannot carry anything else).
        in_header = st.text(
            st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_categories=["Cc"])
        )
        headers = {**headers, "HX-Target": draw(st.sampled_from(plan.targets) | in_header)}
    return Generated(role, route.method, path, query, fields, body, headers)


def send(plan: Plan, request: Generated):
    site = plan.site
    client = site.clients[request.role]
    if request.role != "anonymous":
        with client.session_transaction() as session:
            logged_in = "_user_id" in session
        if not logged_in:
            site.login(request.role)
    url = request.path + (f"?{request.query}" if request.query else "")
    if request.method == "GET":
        return client.get(url, headers=request.headers)
    token = client.csrf_token("/")
    headers = {**request.headers, "X-CSRFToken": token}
    if request.body == "json":
        payload: dict = {}
        for key, value in request.fields:
            payload.setdefault(key, []).append(value)
        document = {k: v[0] if len(v) == 1 else v for k, v in payload.items()}
        document["getal"] = 2**70
        return client.post(
            url, data=json.dumps(document), content_type="application/json", headers=headers
        )
    data: MultiDict[str, Any] = MultiDict(request.fields)
    data.add("csrf_token", token)
    if request.body == "multipart" and request.fields:
        name = request.fields[-1][0]  # a file where text was expected
        data.setlist(name, [(BytesIO(b"\x00\xff" * 100), "bestand.bin")])
        return client.post(url, data=data, headers=headers, content_type="multipart/form-data")
    return client.post(url, data=data, headers=headers)


@pytest.mark.parametrize(
    ("rule", "method"), [(r, m) for r, m, _ in ROUTES], ids=[f"{m} {r}" for r, m, _ in ROUTES]
)
def test_no_request_gets_a_server_error(plan, rule, method):
    route = plan.routes[(rule, method)]

    @settings(
        max_examples=plan.examples(route),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def check(data):
        request = data.draw(generated(plan, route), label="request")
        response = send(plan, request)
        response.close()
        assert response.status_code < 500, f"{response.status_code} for {request}"

    check()


def test_every_route_of_the_running_app_is_fuzzed(plan):
    live = {
        (rule.rule, method)
        for rule in plan.site.app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert live == set(plan.routes)
    # The crawl found the forms: without their fields the fuzzing would stay at the surface.
    assert {"aantal", "product"} <= set(plan.routes[("/winkel/mandje", "POST")].fields)
    assert "tag" in plan.routes[("/artikelen/", "GET")].fields
    assert plan.path_values["export_id"] and plan.path_values["number"]
    total = sum(plan.examples(route) for route in plan.routes.values())
    assert 300 <= total <= 1500, total  # some hundreds of requests in all (1003 in Dec 2026)
