"""Pages of a logged-in caregiver under gunicorn (2 workers), next to a bare Flask 'hello'.

Usage: .venv/bin/python bench/logged_in_bench.py [--seconds 10] [--rounds 3] [--connections 32]
           [--profile 300]

Sets up as a browser would: a fresh database with the demo accounts, the demo caregiver logs in
and answers the questionnaire (with consent to personal recommendations), and the cookies she
then holds are sent with every request, with a browser's user agent. Each page is checked once
to really be her page (the logout button, and "Aanbevolen voor jou" where it belongs) before it
is loaded.

Measured in turn, round after round, each against the hello of its own round (issue 19,
point 6: the logged-in article page at 0.3 x hello or more): an article (which also notes the
topics she reads), the start page, the article list and the shop's catalogue with her
recommendations.

--profile N then asks the article page N times in-process with Flask's test client, logged in
as the same caregiver, and prints cProfile's top entries by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import http.cookiejar
import os
import pstats
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import Gunicorn, Result, flask, load, load_generator  # noqa: E402
from hub_bench import summary  # noqa: E402

EMAIL, PASSWORD = "mantelzorger@example.nl", "zorgen-voor-mama-2026"
# The questionnaire as a caregiver fills it in (tests/profile/conftest.py uses the same answers).
QUESTIONNAIRE: list[dict[str, str | list[str]]] = [
    {"relatie": "ouder", "woonsituatie": "zelfstandig", "personalisation": "y"},
    {"uren": "20", "duur": "kort"},
    {"leeftijd": "25-64", "bezigheden": ["werk"]},
    {"onderwerpen": ["financien", "werk"], "gemeente": "Zwolle"},
]
# (page, text that shows it is her page with her recommendations)
PAGES = [
    ("/artikelen/respijtzorg", "Uitloggen"),
    ("/", "Aanbevolen voor jou"),
    ("/artikelen/?weergave=voor-jou", "Aanbevolen voor jou"),
    ("/winkel", "Aanbevolen voor jou"),
]
# A form posted by a browser from this site says so (the app checks it instead of a token).
FROM_THIS_SITE = {"Sec-Fetch-Site": "same-origin"}
# Sent with every request, as a browser does (wrk sends none): the site names the device of a
# login session after it, and checks on each request that the session is used from it.
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


class Browser:
    """Just enough of a browser: keeps cookies, posts forms from this site, no redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        no_redirects = type(
            "NoRedirects",
            (urllib.request.HTTPRedirectHandler,),
            {"redirect_request": lambda *args: None},
        )
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), no_redirects
        )

    def open(self, path: str, form: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        headers = {**FROM_THIS_SITE, "User-Agent": USER_AGENT}
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def headers(self) -> dict[str, str]:
        """What wrk sends to be this browser: its cookies and its user agent."""
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        return {"Cookie": cookies, "User-Agent": USER_AGENT}


def log_in_and_answer(browser: Browser) -> None:
    status, _ = browser.open("/inloggen", {"email": EMAIL, "password": PASSWORD})
    if status != 303:
        raise SystemExit(f"logging in gave {status}")
    for number, answers in enumerate(QUESTIONNAIRE, start=1):
        status, _ = browser.open(f"/profiel/vragenlijst/{number}", answers)
        if status != 303:
            raise SystemExit(f"questionnaire step {number} gave {status}")


def check(browser: Browser) -> None:
    for page, sign in PAGES:
        status, html = browser.open(page)
        if status != 200 or sign not in html or "Uitloggen" not in html:
            raise SystemExit(f"{page} is not the caregiver's page ({status})")


def profile(env: dict[str, str], requests: int) -> None:
    """The article page, logged in, in-process: where the time goes."""
    os.environ.update(env)
    from app import create_app

    app = create_app()
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    sent = client.post(
        "/inloggen", data={"email": EMAIL, "password": PASSWORD}, headers=FROM_THIS_SITE
    )
    if sent.status_code != 303:
        raise SystemExit(f"logging in (in-process) gave {sent.status_code}")
    page = PAGES[0][0]
    if "Uitloggen" not in client.get(page).get_data(as_text=True):
        raise SystemExit(f"{page} is not the caregiver's page (in-process)")
    for _ in range(20):  # warm up
        client.get(page)
    started = time.perf_counter()
    for _ in range(requests):
        client.get(page)
    took = (time.perf_counter() - started) / requests * 1000
    print(f"\n{page}, logged in, in-process: {took:.2f} ms per request (no profiler)")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(page)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        print(f"\ncProfile, {requests} requests, by {order}:")
        pstats.Stats(profiler).sort_stats(order).print_stats(22)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, help="profile this many requests")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance:
        env = {"APP_ENV": "development", "INSTANCE_DIR": instance, "SMTP_URL": "", "REDIS_URL": ""}
        flask(env, "db", "upgrade")
        flask(env, "demo", "load")
        with (
            Gunicorn.hello() as hello,
            Gunicorn("app.wsgi:app", env=env) as site,
        ):
            hello.wait("/hello")
            site.wait("/")
            browser = Browser(f"http://127.0.0.1:{site.port}")
            log_in_and_answer(browser)
            check(browser)
            cookies = browser.headers()
            for page, _ in PAGES:  # every worker reads content and index
                load(site.port, page, 4, 2, headers=cookies)
            print(
                f"gunicorn, 2 sync workers each, {args.connections} connections, "
                f"{args.seconds:.0f} s per endpoint and round, {args.rounds} rounds, loopback, "
                f"load from {load_generator()}, logged in as the demo caregiver\n"
            )
            results: dict[str, list[Result]] = {p: [] for p in ["/hello", *(p for p, _ in PAGES)]}
            ratios: dict[str, list[float]] = {p: [] for p, _ in PAGES}
            for number in range(1, args.rounds + 1):
                print(f"round {number}")
                baseline = load(hello.port, "/hello", args.connections, args.seconds)
                results["/hello"].append(baseline)
                print(baseline.line())
                for page, _ in PAGES:
                    result = load(site.port, page, args.connections, args.seconds, headers=cookies)
                    results[page].append(result)
                    ratios[page].append(result.rps / baseline.rps)
                    print(result.line(baseline))
            check(browser)  # still logged in: nothing above was a login page
            print()
            summary(results, ratios)
            print("\ngoal (issue 19, point 6): the logged-in article page at 30.0 % of hello")
        if args.profile:
            profile(env, args.profile)


if __name__ == "__main__":
    main()
