"""Throughput and latency of the hub under gunicorn (2 workers), next to a bare Flask 'hello'.

Usage: .venv/bin/python bench/hub_bench.py [--seconds 20] [--connections 32]

Starts both servers on loopback ports, warms them up, then loads each page for the given time
with a fixed number of concurrent connections, and prints requests/s, p50 and p99 latency and
the ratio to the hello endpoint measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import ROOT, Gunicorn, load, load_generator  # noqa: E402

PAGES = ["/artikelen/respijtzorg", "/artikelen/", "/"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance:
        env = {"APP_ENV": "development", "INSTANCE_DIR": instance, "SMTP_URL": ""}
        flask = Path(sys.executable).with_name("flask")
        subprocess.run(
            [str(flask), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
        with (
            Gunicorn("hello_app:app", chdir=ROOT / "bench") as hello,
            Gunicorn("wsgi:app", env=env) as site,
        ):
            hello.wait("/hello")
            for page in PAGES:
                site.wait(page)
            for page in PAGES:  # warm every worker's content cache
                load(site.port, page, connections=4, seconds=2)
            print(
                f"gunicorn, 2 sync workers each, {args.connections} connections, "
                f"{args.seconds:.0f} s per endpoint, loopback, load from {load_generator()}\n"
            )
            baseline = load(hello.port, "/hello", args.connections, args.seconds)
            print(baseline.line())
            for page in PAGES:
                print(load(site.port, page, args.connections, args.seconds).line(baseline))


if __name__ == "__main__":
    main()
