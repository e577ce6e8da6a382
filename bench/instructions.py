"""Instructions per request of a page, in-process, counted by callgrind (valgrind).

Usage: .venv/bin/python bench/instructions.py [--requests 160] [PAGE ...]

PAGE is one or more of:

- search: /zoeken with a new address every request (the queries of search_shop_bench.py and a
  counter the page ignores), so neither cache answers: what a search costs;
- fragment: the same as the as-you-type fragment (the unfinished words, with the htmx headers);
- robots: /robots.txt with a new address every request, the cheapest page that passes all of
  the site's per-request work (the reference line of search_shop_bench.py);
- article-logged-in: /artikelen/respijtzorg as the demo caregiver with her questionnaire
  answered (the set-up of logged_in_bench.py), with her cookies and browser's user agent.

Requests per second move with whatever else the machine does (runs of the same code on this
kind of machine differ by a fifth); the instructions a request executes do not: the same code
gives the same count within a few tenths of a percent, so the effect of a change of some
percent shows, which wrk's ratio to hello cannot. The count leaves out the server (gunicorn's
parsing and socket writes, the same for every page) and the kernel's work, so it says how much
of the site's own work a change removed, not the throughput it gives: measure that with the
other benchmarks.

Each page runs in its own process under `valgrind --tool=callgrind`: the app is made on a
fresh database with the demo content and accounts, warmed up with 200 requests (every query
searched, every page kept that would be), and only the next `--requests` requests are counted
(callgrind's client requests, from a small C helper compiled with gcc on the spot). Needs
valgrind and gcc (apt-get install valgrind gcc).
"""

from __future__ import annotations

import argparse
import ctypes
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import ROOT, flask  # noqa: E402

PAGES = ("search", "fragment", "robots", "article-logged-in")
WARM_UP = 200
HELPER = """
#include <valgrind/callgrind.h>
void counting_starts(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void counting_ends(void) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT("counted"); }
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", metavar="PAGE", default=list(PAGES))
    parser.add_argument("--requests", type=int, default=160)
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    parser.add_argument("--helper", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        return count_inside(args.inner, args.requests, args.helper)
    if unknown := set(args.pages) - set(PAGES):
        raise SystemExit(
            f"unknown page {', '.join(sorted(unknown))}: choose from {', '.join(PAGES)}"
        )
    if not shutil.which("valgrind") or not shutil.which("gcc"):
        raise SystemExit("Needs valgrind and gcc: apt-get install valgrind gcc")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        helper = work / "counting.so"
        source = work / "counting.c"
        source.write_text(HELPER, encoding="utf-8")
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", helper, source], check=True)
        env = {"APP_ENV": "development", "INSTANCE_DIR": str(work / "instance")}
        env |= {"SMTP_URL": "", "REDIS_URL": ""}
        for step in (("db", "upgrade"), ("demo", "load"), ("search", "reindex")):
            flask(env, *step)
        print(f"instructions per request, {args.requests} requests after {WARM_UP} to warm up")
        for page in args.pages:
            out = work / f"{page}.callgrind"
            command = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
            command += [f"--callgrind-out-file={out}", sys.executable, __file__]
            command += ["--inner", page, "--requests", str(args.requests), "--helper", str(helper)]
            done = subprocess.run(
                command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"{page} failed:\n{done.stderr[-3000:]}")
            print(f"  {page:18s} {counted(work, page) / args.requests / 1e6:7.3f} million")


def counted(work: Path, page: str) -> int:
    """The instructions of the dump callgrind made at the end of the counted requests."""
    for dump in work.glob(f"{page}.callgrind*"):
        text = dump.read_text(encoding="utf-8", errors="replace")
        if "Trigger: Client Request: counted" in text:
            return int(re.search(r"^totals: (\d+)", text, re.MULTILINE).group(1))  # type: ignore[union-attr]
    raise SystemExit(f"callgrind left no count for {page}")


def count_inside(page: str, requests: int, helper: str) -> None:
    """Under callgrind: make the app, warm it up, and count `requests` requests."""
    from logged_in_bench import EMAIL, FROM_THIS_SITE, PASSWORD, QUESTIONNAIRE, USER_AGENT
    from search_shop_bench import QUERIES, TYPED, TYPING

    from app import create_app

    app = create_app()
    base = {
        "REQUEST_METHOD": "GET",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if page == "article-logged-in":
        browser = app.test_client()
        browser.environ_base["HTTP_USER_AGENT"] = USER_AGENT
        login = {"email": EMAIL, "password": PASSWORD}
        if browser.post("/inloggen", data=login, headers=FROM_THIS_SITE).status_code != 303:
            raise SystemExit("logging in failed")
        for number, answers in enumerate(QUESTIONNAIRE, start=1):
            browser.post(f"/profiel/vragenlijst/{number}", data=answers, headers=FROM_THIS_SITE)
        cookies = "; ".join(f"{c.key}={c.value}" for c in (browser._cookies or {}).values())
        base |= {"HTTP_COOKIE": cookies, "HTTP_USER_AGENT": USER_AGENT}

    def address(number: int) -> tuple[str, str, dict[str, str]]:
        if page == "search":
            return "/zoeken", f"q={QUERIES[number % len(QUERIES)]}&meting={number}", {}
        if page == "fragment":
            return "/zoeken", f"q={TYPED[number % len(TYPED)]}&meting={number}", TYPING
        if page == "robots":
            return "/robots.txt", f"meting={number}", {}
        return "/artikelen/respijtzorg", "", {}

    def answered(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        if not status.startswith("200"):
            raise SystemExit(f"{page} answered {status}")
        return lambda data: None

    def run(first: int, count: int) -> bytes:
        body = b""
        for number in range(first, first + count):
            path, query, headers = address(number)
            environ = {**base, "PATH_INFO": path, "QUERY_STRING": query.replace(" ", "+")}
            environ |= {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
            environ["wsgi.input"] = io.BytesIO()
            body = b"".join(app(environ, answered))
        return body

    last = run(0, WARM_UP)
    if page == "article-logged-in" and b"Uitloggen" not in last:
        raise SystemExit("the article is not the caregiver's page")
    counting = ctypes.CDLL(helper)
    counting.counting_starts()
    run(WARM_UP, requests)
    counting.counting_ends()


if __name__ == "__main__":
    main()
