"""How long the site takes to start: `flask --app app.wsgi --help`, and a gunicorn worker until
it has served its first page; with `python -X importtime`, what the import of the app spends.

Usage: .venv/bin/python bench/startup_bench.py [--runs 5] [--before REV] [--page PATH]

Measures this working tree; with `--before REV` also that commit (exported with `git archive`
into a temporary folder and run with the same virtualenv), the two in turn, run after run, so a
busy machine weighs on both alike. Each tree gets its own temporary instance folder (migrated
first) and one unmeasured start (bytecode written, the catalogue synced once). Prints the
median and the best run: wall time, and CPU time (user + system of every process started),
which a machine shared with other work disturbs less.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import ROOT, free_port  # noqa: E402

BIN = Path(sys.executable).parent


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Tree:
    """A checkout of the project with an instance folder of its own."""

    def __init__(self, label: str, path: Path, instance: Path) -> None:
        self.label = label
        self.path = path
        # Bytecode is written and used, as after `pip install` (which compiles it): a shell
        # with PYTHONDONTWRITEBYTECODE would otherwise compile the whole app at every start.
        inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env = {
            **inherited,
            "APP_ENV": "development",
            "INSTANCE_DIR": str(instance),
            "CONTENT_DIR": str(path / "content"),
            "SMTP_URL": "",
            # The tree's own `app` before the installed (editable) one.
            "PYTHONPATH": str(path),
        }
        self.cli: list[tuple[float, float]] = []
        self.first: list[tuple[float, float]] = []

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "flask"), "--app", "app.wsgi", *args],
            cwd=self.path,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )

    def measure_cli(self) -> None:
        cpu, start = _cpu(), time.perf_counter()
        self.run("--help")
        self.cli.append((time.perf_counter() - start, _cpu() - cpu))

    def measure_first_request(self, page: str) -> None:
        """From starting gunicorn (one sync worker) to the first complete 200 for `page`."""
        port = free_port()
        cpu, start = _cpu(), time.perf_counter()
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}"]
            + ["--log-level", "warning", "app.wsgi:app"],
            cwd=self.path,
            env=self.env,
        )
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=30) as r:
                        r.read()
                        break
                except OSError:
                    if process.poll() is not None:
                        raise RuntimeError(f"{self.label}: gunicorn stopped") from None
                    time.sleep(0.01)
            wall = time.perf_counter() - start
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        # The CPU of gunicorn's processes is counted once they have ended.
        self.first.append((wall, _cpu() - cpu))

    def importtime(self, top: int) -> None:
        """The slowest imports made by the app's own modules, and what `import app.wsgi` costs
        in all (it runs `create_app`)."""
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import app.wsgi"],
            cwd=self.path,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        rows = []
        for line in result.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own_us, total_us, name = line[len("import time:") :].split("|")
            depth = (len(name) - len(name.lstrip())) // 2
            rows.append((int(own_us), int(total_us), depth, name.strip()))
        entries = []
        for i, (_own, total, depth, name) in enumerate(rows):
            # importtime lists a module after everything it imported, one level deeper.
            parent = next((r[3] for r in rows[i + 1 :] if r[2] < depth), "")
            if parent.startswith("app") and not name.startswith("app"):
                entries.append((total, name, parent))
        whole = next(total for _own, total, _d, name in rows if name == "app.wsgi")
        app_own = sum(own for own, _t, _d, name in rows if name.startswith("app"))
        print(f"  import app.wsgi: {whole / 1e6:.2f} s, of which the app's own modules (their")
        print(f"  class definitions, and create_app in app.wsgi) {app_own / 1e6:.2f} s")
        print("  slowest libraries the app imports:")
        for total, name, parent in sorted(entries, reverse=True)[:top]:
            print(f"    {total / 1000:7.1f} ms  {name:<34} by {parent}")


def _line(label: str, runs: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _c in runs], [c for _w, c in runs]
    return (
        f"{label:<48} wall median {statistics.median(walls):5.2f} s, best {min(walls):5.2f} s;"
        f"  CPU median {statistics.median(cpus):5.2f} s, best {min(cpus):5.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", help="a commit to compare with, e.g. 9f3b8d2")
    parser.add_argument("--page", default="/artikelen/respijtzorg")
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()

    with ExitStack() as stack:
        temp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        trees = []
        if args.before:
            before = temp / "before"
            before.mkdir()
            archive = subprocess.run(
                ["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
            trees.append(Tree(f"before ({args.before})", before, temp / "instance-before"))
        trees.append(Tree("now (working tree)", ROOT, temp / "instance-now"))
        for tree in trees:
            tree.run("db", "upgrade")
            tree.measure_first_request(args.page)  # unmeasured: bytecode, catalogue sync
            tree.first.clear()
        for _ in range(args.runs):
            for tree in trees:
                tree.measure_cli()
                tree.measure_first_request(args.page)
        print(f"{args.runs} runs each, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}\n")
        for tree in trees:
            print(tree.label)
            print(_line("  flask --app app.wsgi --help", tree.cli))
            print(_line(f"  gunicorn start to first {args.page}", tree.first))
            tree.importtime(args.top)
            print()


if __name__ == "__main__":
    main()
