"""Where one gunicorn worker spends its time under load: a sampling profile, made with py-spy.

Usage: .venv/bin/python bench/sample_worker.py PAGE [--logged-in] [--new-address] [--typing]
           [--seconds 10] [--connections 8] [--top 30]

cProfile (the --profile of the other benchmarks) times every Python call it sees, which makes
code with many small calls (SQLAlchemy, Werkzeug's context proxies, Jinja) look far costlier than
it is, and it leaves out what a worker does outside Python's calls. This script starts the site
under gunicorn with one sync worker on a fresh database with the demo accounts, drives PAGE with
wrk, and meanwhile samples the worker's stack a thousand times a second with py-spy (a dev
dependency), which reads the process from outside, so the worker runs at full speed. It prints
per function the share of the samples spent in it and in what it calls (inclusive) and in it
alone (own). Needs wrk, and the right to read another process's memory (root, or ptrace allowed
by the kernel's Yama setting).

--logged-in: as the demo caregiver with her questionnaire answered (the set-up of
logged_in_bench.py). --new-address: a counter the page ignores is added to every address
(`meting=N`), so the page cache never answers. --typing: with the htmx headers the search
field sends.

Example: .venv/bin/python bench/sample_worker.py '/zoeken?q=respijtzorg' --new-address
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import NEW_ADDRESS, Gunicorn, flask, load  # noqa: E402
from logged_in_bench import Browser, check, log_in_and_answer  # noqa: E402
from search_shop_bench import TYPING  # noqa: E402

# Where a request starts in a sync worker's stack: inclusive shares are counted from here down
# (the frames above it hold every sample and say nothing). A stack without it is the worker
# waiting for or accepting a connection, or one py-spy could not read whole.
REQUEST = "SyncWorker.handle_request ("


def summed(raw: str) -> tuple[int, collections.Counter[str], collections.Counter[str]]:
    """All samples; per function (`name (file)`) the samples of requests in it or under it;
    and per function the samples in it alone, from py-spy's raw output (one line per stack:
    frames joined by ';', then a count)."""
    total = 0
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [frame.rsplit(":", 1)[0] + ")" for frame in stack.split(";") if frame.strip()]
        if not frames:
            continue
        total += int(count)
        own[frames[-1]] += int(count)
        start = next((i for i, frame in enumerate(frames) if frame.startswith(REQUEST)), None)
        for frame in set(frames[start:] if start is not None else ()):
            inclusive[frame] += int(count)
    return total, inclusive, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="the address to load, e.g. /artikelen/respijtzorg")
    parser.add_argument("--logged-in", action="store_true")
    parser.add_argument("--new-address", action="store_true")
    parser.add_argument("--typing", action="store_true")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists() or not shutil.which("wrk"):
        raise SystemExit("Needs py-spy (make test installs it) and wrk (apt-get install wrk).")
    headers = dict(TYPING) if args.typing else {}
    script = None
    if args.new_address:
        joined = args.page + ("&" if "?" in args.page else "?") + "meting="
        script = NEW_ADDRESS % joined.replace('"', '\\"')

    with tempfile.TemporaryDirectory() as instance:
        env = {"APP_ENV": "development", "INSTANCE_DIR": instance, "SMTP_URL": "", "REDIS_URL": ""}
        flask(env, "db", "upgrade")
        flask(env, "demo", "load")
        with Gunicorn("app.wsgi:app", workers=1, env=env) as site:
            site.wait("/")
            if args.logged_in:
                browser = Browser(f"http://127.0.0.1:{site.port}")
                log_in_and_answer(browser)
                check(browser)
                headers.update(browser.headers())
            load(site.port, args.page, 4, 2, headers=headers, script=script)  # warm up
            found = subprocess.run(
                ["pgrep", "-P", str(site.process.pid)], capture_output=True, text=True
            )
            worker = found.stdout.split()[0]
            out = Path(instance) / "samples.txt"
            sampling = subprocess.Popen(
                [str(spy), "record", "--pid", worker, "--rate", "1000", "--format", "raw"]
                + ["--output", str(out), "--nonblocking", "--duration", f"{args.seconds + 1:.0f}"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            time.sleep(0.5)
            result = load(
                site.port, args.page, args.connections, args.seconds, headers=headers, script=script
            )
            _, error = sampling.communicate(timeout=args.seconds + 60)
            if sampling.returncode != 0 or not out.exists():
                raise SystemExit(f"py-spy could not sample the worker:\n{error}")
            raw = out.read_text(encoding="utf-8")
    total, inclusive, own = summed(raw)
    print(f"{args.page}: {result.rps:.0f} req/s on one worker, {total} samples of it\n")
    for title, counts in (("inclusive", inclusive), ("own", own)):
        within = " (in a request, from its frame down)" if title == "inclusive" else ""
        print(f"share of the samples, {title}{within}:")
        for frame, count in counts.most_common(args.top):
            print(f"  {100 * count / total:5.1f} %  {frame}")
        print()


if __name__ == "__main__":
    main()
