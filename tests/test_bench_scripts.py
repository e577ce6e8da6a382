"""The benchmark scripts still run against today's code, at a tiny size (two of them had stopped
working after a change elsewhere without anyone noticing). Only that they finish and print their
figures is checked; the figures themselves mean nothing at this size and are never asserted.

The scripts that need gunicorn and wrk (hub, logged-in, search-and-shop, nginx, start-up, load)
take half a minute each and are left to be run by hand."""

import os
import subprocess
import sys

import pytest

from tests.conftest import EXTERNAL_DB, PROJECT_ROOT

# The scripts make their own SQLite databases (the test sets DATABASE_URL to one of its own).
pytestmark = pytest.mark.skipif(
    bool(EXTERNAL_DB), reason="uses no shared database: it runs once, in the SQLite pass"
)

SCRIPTS = [
    pytest.param(
        ["search_bench.py", "--sizes", "100", "--queries", "5"],
        "complete results page",
        id="search_bench",
    ),
    pytest.param(
        ["search_profile.py", "--requests", "5", "--top", "3"],
        "a new address each time",
        id="search_profile",
    ),
    pytest.param(
        ["newsletter_bench.py", "--recipients", "5"], "sent: 5, failed: 0", id="newsletter"
    ),
    pytest.param(
        ["dossier_bench.py", "--dossiers", "5", "--rounds", "1", "--database-url", "sqlite://"],
        "dossier page with 200 contact moments",
        id="dossier_bench",
    ),
]


@pytest.mark.parametrize(("arguments", "printed"), SCRIPTS)
def test_the_benchmark_script_runs(arguments, printed, tmp_path):
    environment = dict(os.environ)
    # Whatever a script leaves behind goes to this test's folder, on SQLite.
    environment.update(
        INSTANCE_DIR=str(tmp_path / "instance"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'bench.db'}",
        TMPDIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / arguments[0]), *arguments[1:]],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert printed in output, output[-3000:]


def test_the_sampling_profile_counts_each_function_once_per_stack():
    """bench/sample_worker.py sums py-spy's raw stacks: a function counts once per sample for
    inclusive time (also when it recurses), from the request's frame down and only in a
    request, and the last frame alone for own time."""
    import importlib.util

    path = PROJECT_ROOT / "bench" / "sample_worker.py"
    spec = importlib.util.spec_from_file_location("sample_worker", path)
    assert spec and spec.loader
    sys.path.insert(0, str(path.parent))
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    raw = "\n".join(
        [
            "run (a.py:1);render (b.py:5);render (b.py:9);escape (c.py:2) 3",
            "run (a.py:1);write (d.py:7) 1",
            "run (a.py:2) 2",
            "main (w.py:1);SyncWorker.handle_request (gunicorn/workers/sync.py:9);run (a.py:1) 4",
            "",
        ]
    )
    total, inclusive, own = module.summed(raw)
    assert total == 10
    assert inclusive == {"SyncWorker.handle_request (gunicorn/workers/sync.py)": 4, "run (a.py)": 4}
    assert own == {"escape (c.py)": 3, "write (d.py)": 1, "run (a.py)": 6}
