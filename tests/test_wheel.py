"""The installed package runs on its own: built as a wheel, installed into a fresh virtual
environment, started from a folder outside the checkout, it serves /healthz, an article and the
article's stylesheets and scripts."""

import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXTERNAL_DB, PROJECT_ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(EXTERNAL_DB), reason="uses no shared database: it runs once, in the SQLite pass"
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), "."],
        cwd=PROJECT_ROOT,
        check=True,
        timeout=600,
    )
    (built,) = out.glob("zorggenoot-*.whl")
    return built


def test_the_wheel_holds_what_the_site_needs_and_no_development_tools(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "app/templates/base.html",
        "app/static/css/site.css",
        "app/static/vendor/htmx/htmx.min.js",
        "app/migrations/env.py",
        "app/migrations/script.py.mako",
        "app/accounts/common_passwords.txt",
        "app/wsgi.py",
    ):
        assert needed in names, needed
    assert any(n.startswith("app/migrations/versions/") for n in names)
    assert not any(n.startswith(("tools/", "tests/", "bench/")) for n in names)
    assert not any("sandbox" in n for n in names)


def test_the_installed_package_serves_from_outside_the_checkout(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site_packages = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        timeout=300,
    )
    # The dependencies come from the test environment (a path entry, not its .pth files, so the
    # checkout's editable install of the site itself is not seen).
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    deploy = tmp_path / "deploy"
    deploy.mkdir()
    shutil.copytree(PROJECT_ROOT / "content", deploy / "content")
    env = {
        "PATH": os.environ["PATH"],
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{deploy / 'site.db'}",
        "PYTHONPATH": "",
    }
    where = subprocess.check_output(
        [str(python), "-c", "import app; print(app.__file__)"], cwd=deploy, env=env, text=True
    )
    assert where.startswith(str(site_packages))
    flask = [str(python), "-m", "flask", "--app", "app.wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=deploy, env=env, check=True, timeout=120)

    port = free_port()
    log = (deploy / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [str(python), "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
        + ["app.wsgi:app"],
        cwd=deploy,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(base + "/artikelen/respijtzorg", timeout=10) as response:
            page = response.read().decode()
        assert response.status == 200 and "Respijtzorg" in page
        with urllib.request.urlopen(base + "/static/css/site.css", timeout=10) as response:
            assert response.status == 200
        # The page's own stylesheets and scripts, under fingerprinted names, compressed.
        assets = re.findall(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.(?:css|js))"', page)
        assert len(assets) >= 3, assets
        for asset in assets:
            request = urllib.request.Request(base + asset, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
                assert "immutable" in response.headers["Cache-Control"]
                assert response.headers["Content-Encoding"] == "gzip"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
