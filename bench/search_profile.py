"""Where a search that is not in the page cache spends its time, in-process.

Usage: .venv/bin/python bench/search_profile.py [--requests 300] [--fragment] [--top 25]

Runs the site's own app (the instance folder and index of `make run`) with Flask's test client,
asks /zoeken with a different query each time (everyday searches and unfinished words, with a
counter the page ignores, so the page cache never answers), prints the milliseconds per request
and then cProfile's top entries by cumulative time. --fragment asks the as-you-type fragment
(the htmx headers the search field sends). Figures vary with the machine; the shares matter.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_shop_bench import QUERIES, TYPED, TYPING  # noqa: E402

from app import create_app  # noqa: E402

# The everyday searches and unfinished words of the throughput bench, and two typos.
ASKED = [*QUERIES, *TYPED, "dementei", "mantelzrg"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--fragment", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="cumulative or tottime")
    options = parser.parse_args()

    app = create_app()
    client = app.test_client()
    headers = TYPING if options.fragment else {}
    counter = itertools.count()

    def ask(times: int) -> None:
        for i in range(times):
            query = ASKED[i % len(ASKED)]
            response = client.get(f"/zoeken?q={query}&n={next(counter)}", headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"/zoeken?q={query} answered {response.status_code}")

    ask(50)  # the searcher, the speller and the templates are made once per process
    started = time.perf_counter()
    ask(options.requests)
    elapsed = time.perf_counter() - started
    what = "fragment" if options.fragment else "page"
    print(f"/zoeken {what}, a new address each time: {elapsed / options.requests * 1000:.2f} ms")
    profile = cProfile.Profile()
    profile.enable()
    ask(options.requests)
    profile.disable()
    pstats.Stats(profile).sort_stats(options.sort).print_stats(options.top)


if __name__ == "__main__":
    main()
