"""Throughput and latency of the hub under gunicorn (2 workers), next to a bare Flask 'hello'.

Usage: .venv/bin/python bench/hub_bench.py [--seconds 10] [--rounds 3] [--connections 32]

Starts both servers on loopback ports, warms them up, then loads each page for the given time
with a fixed number of concurrent connections, and prints requests/s, p50 and p99 latency and
the ratio to the hello endpoint. On a small machine the load generator shares the cores with the
servers, so the figures wander from one run to the next: hello and the pages are measured in
turn, round after round, each page's ratio is taken against the hello of its own round, and the
summary gives the median ratio with the lowest and highest next to it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import Gunicorn, Result, flask, load, load_generator  # noqa: E402

# The feed is what the app now marks public for a first visitor: it comes from the layer in front
# of the app (app/core/front.py); the HTML pages give a first visitor a session (CSRF token).
PAGES = ["/artikelen/respijtzorg", "/artikelen/", "/", "/feed.xml"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance:
        env = {"APP_ENV": "development", "INSTANCE_DIR": instance, "SMTP_URL": ""}
        flask(env, "db", "upgrade")
        with (
            Gunicorn.hello() as hello,
            Gunicorn("app.wsgi:app", env=env) as site,
        ):
            hello.wait("/hello")
            for page in PAGES:
                site.wait(page)
            for page in PAGES:  # warm every worker's content cache
                load(site.port, page, connections=4, seconds=2)
            print(
                f"gunicorn, 2 sync workers each, {args.connections} connections, "
                f"{args.seconds:.0f} s per endpoint and round, {args.rounds} rounds, loopback, "
                f"load from {load_generator()}\n"
            )
            results: dict[str, list[Result]] = {path: [] for path in ["/hello", *PAGES]}
            ratios: dict[str, list[float]] = {page: [] for page in PAGES}
            for number in range(1, args.rounds + 1):
                print(f"round {number}")
                baseline = load(hello.port, "/hello", args.connections, args.seconds)
                results["/hello"].append(baseline)
                print(baseline.line())
                for page in PAGES:
                    result = load(site.port, page, args.connections, args.seconds)
                    results[page].append(result)
                    ratios[page].append(result.rps / baseline.rps)
                    print(result.line(baseline))
            print()
            summary(results, ratios)


def summary(results: dict[str, list[Result]], ratios: dict[str, list[float]]) -> None:
    print(
        f"{'endpoint':<32} {'median req/s':>12}  {'worst p99':>9}  "
        f"{'median ratio':>12}  {'lowest':>7}  {'highest':>7}"
    )
    for path, runs in results.items():
        rps = statistics.median(r.rps for r in runs)
        p99 = max(r.percentile(99) for r in runs)
        line = f"{path:<32} {rps:12.0f}  {p99:6.1f} ms"
        if path in ratios:
            line += (
                f"  {statistics.median(ratios[path]):12.1%}  {min(ratios[path]):7.1%}"
                f"  {max(ratios[path]):7.1%}"
            )
        print(line)


if __name__ == "__main__":
    main()
