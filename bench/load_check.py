"""The load check: 64 connections for 30 s over a mix of public pages, gunicorn on PostgreSQL.

Usage:
    .venv/bin/python bench/load_check.py --database-url postgresql://postgres@127.0.0.1:5432/x
    DATABASE_URL=postgresql://… .venv/bin/python bench/load_check.py [--connections 64]
        [--seconds 30] [--runs 1] [--keep]

The server named in the URL is used; the database name in it is not: the script creates its own
database (`zorggenoot_load_check`, dropped first if it is left from an earlier run, and dropped
again at the end unless --keep), migrates it, loads the demo accounts, the shop catalogue and
the search index, and starts gunicorn with 2 sync workers on a loopback port. Then wrk
(/usr/bin/wrk) holds the connections for the given time, each request taking the next page of
the mix, and the script prints per run: errors (non-2xx/3xx answers and socket errors),
requests/s, p50 and p99. Loopback only; it stops by itself.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import Gunicorn, _ms, flask, found  # noqa: E402

DATABASE = "zorggenoot_load_check"
PAGES = [
    "/",
    "/artikelen/",
    "/artikelen/respijtzorg",
    "/artikelen/?pagina=2",
    "/videos/",
    "/videos/wat-is-respijtzorg",
    "/onderwerpen/",
    "/winkel",
    "/winkel/personenalarm-met-valdetectie",
    "/zoeken?q=respijtzorg",
    "/zoeken?q=mantelzorgwoning",
    "/privacy-verklaring",
    "/cookies",
    "/inloggen",
    "/registreren",
]
# Each wrk request takes the next page of the mix (per thread; one thread here).
MIX_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def server_url(given: str, database: str) -> str:
    """`given` (any postgresql URL) pointing at `database`, for psycopg and for the app."""
    url = make_url(given)
    if not url.drivername.startswith("postgresql"):
        raise SystemExit("The load check runs against PostgreSQL: give a postgresql:// URL.")
    return url.set(drivername="postgresql", database=database).render_as_string(hide_password=False)


def recreate(given: str, database: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(server_url(given, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{database}"')


def run_wrk(port: int, connections: int, seconds: float, cookies: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(MIX_SCRIPT % ", ".join(f'"{p}"' for p in PAGES))
    try:
        command = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds:.0f}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            script.name,
            "-H",
            f"Cookie: {cookies}",
            f"http://127.0.0.1:{port}/",
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    percentiles = {
        int(float(p)): _ms(v, unit)
        for p, v, unit in re.findall(
            r"^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)\s*(us|ms|s)\s*$", output, re.M
        )
    }
    if 99 not in percentiles:
        print(output)  # wrk's own report, when its latency lines could not be read
    return {
        "requests": int(found(r"(\d+) requests in", output).group(1)),
        "seconds": float(found(r"requests in ([\d.]+)(m?s)", output).group(1)),
        "rps": float(found(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "bad_status": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
        "p50": percentiles.get(50, float("nan")),
        "p99": percentiles.get(99, float("nan")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("Give the PostgreSQL server: --database-url or DATABASE_URL.")
    if not shutil.which("wrk"):
        raise SystemExit("The load check needs wrk (apt-get install wrk).")

    recreate(args.database_url, DATABASE)
    try:
        with tempfile.TemporaryDirectory() as instance:
            env = {
                "APP_ENV": "development",
                "DATABASE_URL": server_url(args.database_url, DATABASE),
                "INSTANCE_DIR": instance,
                "SMTP_URL": "",
                "REDIS_URL": "",
            }
            for command in (("db", "upgrade"), ("demo", "load"), ("shop", "sync")):
                flask(env, *command)
            flask(env, "search", "reindex", "--full")
            with Gunicorn("app.wsgi:app", workers=2, env=env) as site:
                site.wait("/")
                cookies = ""
                for page in PAGES:  # every page answers, and every worker has read the content
                    for _ in range(4):
                        with urllib.request.urlopen(
                            f"http://127.0.0.1:{site.port}{page}", timeout=30
                        ) as response:
                            if response.status != 200:
                                raise SystemExit(f"{page} answered {response.status}")
                            if page == "/" and not cookies:
                                cookies = "; ".join(
                                    c.split(";", 1)[0]
                                    for c in response.headers.get_all("Set-Cookie") or []
                                )
                print(
                    f"gunicorn, 2 sync workers, PostgreSQL, {args.connections} connections for "
                    f"{args.seconds:.0f} s, wrk over {len(PAGES)} public pages in turn, loopback"
                )
                for number in range(1, args.runs + 1):
                    r = run_wrk(site.port, args.connections, args.seconds, cookies)
                    errors = r["bad_status"] + r["socket_errors"]
                    print(
                        f"run {number}: {r['requests']} requests, errors {errors} "
                        f"(non-2xx/3xx {r['bad_status']}, socket {r['socket_errors']}), "
                        f"{r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms"
                    )
    finally:
        if not args.keep:
            recreate(args.database_url, DATABASE, drop_only=True)


if __name__ == "__main__":
    main()
