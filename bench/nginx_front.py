"""Debian's nginx with deploy/nginx.conf in front of gunicorn, on this machine: how much the
proxy cache gives for anonymous pages, and that it keeps what it must apart.

Usage: .venv/bin/python bench/nginx_front.py [--seconds 5] [--connections 32] [--skip-wait]

Needs `nginx` and `wrk` (apt-get install nginx wrk). Everything lives in a temporary folder:
an instance folder (migrated, demo accounts), a copy of content/ (the script adds and edits an
article in it), and nginx's config, cache, logs and pid. The config is deploy/nginx.conf with
the lines marked `tls` left out (the https server then listens on a local port without TLS) and
its paths and upstream pointed at the temporary folder and gunicorn (2 sync workers).

Prints (a) requests/s and p99 for each page through nginx and from gunicorn alone (wrk, no
cookies, as a first visit), with what nginx did (X-Cache); (b) checks: a logged-in caregiver
never gets a stored page and no visitor gets theirs, the consent cookie chooses the stored copy,
and a new and a changed article appear once the stored copy's minute is over (the longest
part: about a minute; `--skip-wait` leaves it out).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import ROOT, Gunicorn, flask, found, free_port  # noqa: E402

CONFIG = ROOT / "deploy" / "nginx.conf"
CAREGIVER = ("mantelzorger@example.nl", "zorgen-voor-mama-2026")
LOGGED_IN = "Uitloggen"
PAGES = ["/feed.xml", "/sitemap.xml", "/artikelen/respijtzorg", "/"]
CACHE_SECONDS = 60  # the app's max-age for public pages (app/httpcache.py)


# --- nginx -------------------------------------------------------------------------------------


def nginx_config(folder: Path, port: int, upstream: int) -> Path:
    """deploy/nginx.conf without TLS, on `port`, in front of gunicorn on `upstream`."""
    lines = [
        line for line in CONFIG.read_text().splitlines() if not line.rstrip().endswith("# tls")
    ]
    site = "\n".join(lines)
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
    site = site.replace("/var/cache/nginx/zorggenoot", str(folder / "cache"))
    site = site.replace("/var/log/nginx/", f"{folder}/")
    site, count = re.subn(
        r"server \{\n", f"server {{\n    listen 127.0.0.1:{port};\n", site, count=1
    )
    if count != 1:
        raise SystemExit("deploy/nginx.conf has no server block without the tls marker")
    for name in ("cache", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir()
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    if user:
        for path in [folder, *folder.iterdir()]:
            shutil.chown(path, "nobody", "nogroup")
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    include /etc/nginx/mime.types;\n"
        f"    client_body_temp_path {folder}/body;\n    proxy_temp_path {folder}/proxy;\n"
        f"    fastcgi_temp_path {folder}/fastcgi;\n    uwsgi_temp_path {folder}/uwsgi;\n"
        f"    scgi_temp_path {folder}/scgi;\n{site}\n}}\n"
    )
    return config


class Nginx:
    def __init__(self, config: Path) -> None:
        self.prefix = config.parent
        subprocess.run(["nginx", "-t", "-q", "-c", str(config), "-p", str(self.prefix)], check=True)
        self.process = subprocess.Popen(
            ["nginx", "-c", str(config), "-p", str(self.prefix), "-g", "daemon off;"]
        )

    def __enter__(self) -> Nginx:
        return self

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGQUIT)
        self.process.wait(timeout=30)


# --- a small client that sends exactly the cookies it is told to --------------------------------


class Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = response.headers
        self.body = response.read().decode("utf-8", "replace")
        self.cookies = {
            value.split("=", 1)[0]: value.split("=", 1)[1].split(";", 1)[0]
            for value in response.headers.get_all("Set-Cookie") or []
        }

    @property
    def cache(self) -> str:
        return self.headers.get("X-Cache", "-")


def ask(port: int, path: str, cookies: dict[str, str] | None = None, form: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "localhost"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if form is None:
        connection.request("GET", path, headers=headers)
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Sec-Fetch-Site"] = "same-origin"  # as a browser says of a form of the site
        connection.request("POST", path, body=urlencode(form), headers=headers)
    try:
        return Answer(connection.getresponse())
    finally:
        connection.close()


def csrf_of(html: str) -> str:
    """The form's CSRF token; empty for a visitor without a session (no token is shown)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return found.group(1) if found else ""


def log_in(port: int, remember: bool) -> dict[str, str]:
    cookies: dict[str, str] = {}
    page = ask(port, "/inloggen")
    cookies.update(page.cookies)
    form = {"csrf_token": csrf_of(page.body), "email": CAREGIVER[0], "password": CAREGIVER[1]}
    if remember:
        form["remember"] = "y"
    answer = ask(port, "/inloggen", cookies, form)
    cookies.update(answer.cookies)
    if answer.status not in (302, 303):
        raise SystemExit(f"logging in answered {answer.status}")
    return cookies


# --- load --------------------------------------------------------------------------------------


def wrk(port: int, path: str, connections: int, seconds: float) -> tuple[float, float]:
    """requests/s and p99 in ms, without cookies (every request a first visit)."""
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--latency"]
        + ["-H", "Accept-Encoding: gzip", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(found(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    if p99 is None:  # no request finished
        return rps, float("nan")
    return rps, float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]


# --- checks ------------------------------------------------------------------------------------


class Checks:
    def __init__(self) -> None:
        self.failed = 0

    def __call__(self, ok: bool, what: str) -> None:
        self.failed += not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")


def check_logged_in(port: int, check: Checks) -> None:
    for page in PAGES:  # stored copies for a first visitor, where the app allows them
        ask(port, page)
        ask(port, page)
    for remember in (False, True):
        cookies = log_in(port, remember)
        kinds = [("session and remember-me cookies" if remember else "session cookie", cookies)]
        if remember:
            only = {"remember_token": cookies["remember_token"]}
            kinds.append(("only the remember-me cookie", only))
        for label, jar in kinds:
            for page in [*PAGES, "/account"]:
                answer = ask(port, page, jar)
                personal = page.endswith(".xml") or LOGGED_IN in answer.body
                check(
                    answer.cache in ("BYPASS", "-") and personal,
                    f"caregiver with {label}: {page} from the app, not stored "
                    f"(X-Cache {answer.cache}, status {answer.status})",
                )
    for page in PAGES:
        answer = ask(port, page)
        check(
            LOGGED_IN not in answer.body and "remember_token" not in answer.cookies,
            f"a visitor without cookies after the caregiver: {page} is not theirs "
            f"(X-Cache {answer.cache})",
        )


def check_consent(port: int, check: Checks) -> None:
    first = ask(port, "/artikelen/respijtzorg")
    check('id="cookiebanner"' in first.body, "without a consent cookie: the cookie banner")
    for choice in ("alles", "niets"):
        jar = dict(first.cookies)
        answer = ask(
            port,
            "/cookies/keuze",
            jar,
            {"csrf_token": csrf_of(first.body), "keuze": choice, "next": "/feed.xml"},
        )
        consent = {"zg_toestemming": answer.cookies.get("zg_toestemming", "")}
        check(bool(consent["zg_toestemming"]), f"choice '{choice}' sets the consent cookie")
        for page in ("/artikelen/respijtzorg", "/feed.xml", "/feed.xml"):
            seen = ask(port, page, consent)
            banner = 'id="cookiebanner"' in seen.body
            check(
                not banner,
                f"choice '{choice}', only its consent cookie: {page} without the banner "
                f"(X-Cache {seen.cache})",
            )
    again = ask(port, "/artikelen/respijtzorg")
    check('id="cookiebanner"' in again.body, "a visitor without a choice still gets the banner")


def check_fresh(port: int, content: Path, check: Checks) -> None:
    """A new article in the feed, an edited one on its page, once the stored copy expired."""
    ask(port, "/feed.xml")
    stored = ask(port, "/feed.xml")
    page = "/artikelen/respijtzorg"
    ask(port, page)
    source = (content / "artikelen/respijtzorg.md").read_text(encoding="utf-8")
    (content / "artikelen/logeren-nieuw.md").write_text(
        '---\ntitle: "Nieuw: logeren voor mantelzorgers"\n'
        'summary: "Een artikel dat er net bij kwam, om te zien wanneer het verschijnt."\n'
        f"topics: [zorg]\ntags: [respijtzorg]\naudience: [intensief]\npublished: {date.today()}\n"
        'author: "Redactie Zorggenoot"\n---\n\nEen korte tekst.\n',
        encoding="utf-8",
    )
    edited = source.replace("even vrij van de zorg", "even vrij van de zorg (bijgewerkt)")
    (content / "artikelen/respijtzorg.md").write_text(edited, encoding="utf-8")
    changed_at = time.monotonic()
    print(f"  (feed stored: X-Cache {stored.cache}; new and edited article written)")
    seen: dict[str, float | None] = {"feed": None, "page": None}
    while time.monotonic() - changed_at < CACHE_SECONDS + 30 and None in seen.values():
        if seen["feed"] is None and "Nieuw: logeren" in ask(port, "/feed.xml").body:
            seen["feed"] = time.monotonic() - changed_at
        if seen["page"] is None and "(bijgewerkt)" in ask(port, page).body:
            seen["page"] = time.monotonic() - changed_at
        time.sleep(0.5)
    limit = CACHE_SECONDS + 5
    for name, label in (("feed", "the new article in /feed.xml"), ("page", f"the edit on {page}")):
        after = seen[name]
        check(
            after is not None and after <= limit,
            f"{label} after {after:.1f} s (at most the stored minute and the app's recheck)"
            if after is not None
            else f"{label} not seen within {CACHE_SECONDS + 30} s",
        )


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--skip-wait", action="store_true")
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: apt-get install -y nginx wrk")

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        content = folder / "content"
        shutil.copytree(ROOT / "content", content)
        env = {
            "APP_ENV": "development",
            "INSTANCE_DIR": str(folder / "instance"),
            "CONTENT_DIR": str(content),
            "SMTP_URL": "",
        }
        flask(env, "db", "upgrade")
        flask(env, "demo", "load")
        # nginx's workers run as nobody when this runs as root: a folder of their own that
        # they can reach (the instance folder stays closed to them).
        nginx_folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        nginx_folder.chmod(0o755)
        with Gunicorn("app.wsgi:app", env=env) as site:
            site.wait("/feed.xml")
            port = free_port()
            with Nginx(nginx_config(nginx_folder, port, site.port)):
                time.sleep(0.5)
                print(
                    f"(a) wrk, {args.connections} connections, {args.seconds:.0f} s per row, "
                    "no cookies, Accept-Encoding: gzip; gunicorn 2 sync workers\n"
                )
                print(f"{'page':<26} {'gunicorn alone':>22} {'through nginx':>22}  X-Cache")
                missed = False
                for page in PAGES:
                    direct = wrk(site.port, page, args.connections, args.seconds)
                    ask(port, page)
                    cache = ask(port, page).cache
                    front = wrk(port, page, args.connections, args.seconds)
                    missed = missed or cache != "HIT"
                    print(
                        f"{page:<26} {direct[0]:8.0f} req/s p99 {direct[1]:5.1f} ms"
                        f" {front[0]:8.0f} req/s p99 {front[1]:5.1f} ms  {cache}"
                    )
                if missed:
                    print(
                        "\nMISS on a page: nginx did not store it; the app sent it with a "
                        "cookie or without `public`."
                    )
                check = Checks()
                print("\n(b) a logged-in caregiver")
                check_logged_in(port, check)
                print("\n(b) the consent choice")
                check_consent(port, check)
                if not args.skip_wait:
                    print("\n(b) new and changed content")
                    check_fresh(port, content, check)
                print(f"\n{check.failed} checks failed" if check.failed else "\nall checks passed")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
