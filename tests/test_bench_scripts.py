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
