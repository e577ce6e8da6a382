"""A small closed-loop HTTP load generator and server helpers for the benchmarks (loopback only).

Each of N simulated visitors sends one request at a time (a new TCP connection per request, as
gunicorn's sync workers close after each response) for a fixed duration, and sends back the
cookies it was given, as a browser does. Latencies are measured per request.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A wrk script giving every request its own address: `%s` is the address up to a counter the
# page ignores (e.g. "/robots.txt?meting="), so the page cache, keyed on the address, never answers.
NEW_ADDRESS = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "%s" .. counter)
end
"""


def flask(env: dict[str, str], *args: str) -> None:
    """Run `flask --app app.wsgi ARGS` in the project with `env` added, quietly; fails loudly."""
    command = [str(Path(sys.executable).with_name("flask")), "--app", "app.wsgi", *args]
    subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)


@dataclass
class Result:
    path: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    percentiles: dict[int, float] | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: int) -> float:
        if self.percentiles is not None:
            return self.percentiles.get(p, float("nan"))
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, int(round(p / 100 * (len(data) - 1))))]

    def line(self, baseline: Result | None = None) -> str:
        ratio = f"{self.rps / baseline.rps:6.1%}" if baseline else "   100%"
        return (
            f"{self.path:<32} {self.rps:8.0f} req/s  p50 {self.percentile(50):6.1f} ms  "
            f"p99 {self.percentile(99):6.1f} ms  errors {self.errors:<4} ratio {ratio}"
        )


async def _one(host: str, port: int, path: str, cookies: dict[str, str]) -> bool:
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
        f"User-Agent: bench\r\n" + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n"
    )
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request.encode())
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        if line.lower().startswith("set-cookie:"):
            name, _, value = line.split(":", 1)[1].strip().split(";", 1)[0].partition("=")
            cookies[name] = value
    return data.startswith(b"HTTP/1.1 200") or data.startswith(b"HTTP/1.0 200")


async def _run(host: str, port: int, path: str, connections: int, seconds: float) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        cookies: dict[str, str] = {}
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                ok = await _one(host, port, path, cookies)
            except OSError:
                ok = False
            if ok:
                latencies.append((time.perf_counter() - start) * 1000)
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return Result(path, len(latencies), errors, time.perf_counter() - started, latencies)


def load(
    port: int,
    path: str,
    connections: int = 32,
    seconds: float = 20.0,
    *,
    headers: dict[str, str] | None = None,
    script: str | None = None,
    label: str | None = None,
) -> Result:
    """Load one URL; uses wrk when it is installed (it needs far less CPU than Python, which
    matters on a 2-core machine where the load generator competes with the server).

    `headers` are sent with every request, `script` is a wrk Lua script (e.g. a `request`
    function that makes each address different); both need wrk. `label` names the result."""
    if shutil.which("wrk"):
        result = _wrk(port, path, connections, seconds, headers or {}, script)
    elif headers or script:
        raise SystemExit("Headers and scripts need wrk (apt-get install wrk).")
    else:
        result = asyncio.run(_run("127.0.0.1", port, path, connections, seconds))
    if label:
        result.path = label
    return result


def load_generator() -> str:
    return (
        "wrk" if shutil.which("wrk") else "a Python asyncio client (install wrk for less overhead)"
    )


def _wrk(
    port: int,
    path: str,
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    script: str | None = None,
) -> Result:
    url = f"http://127.0.0.1:{port}{path}"
    # One first visit gives the cookies a browser would send back on every later request.
    with urllib.request.urlopen(url, timeout=60) as first:
        cookies = [c.split(";", 1)[0] for c in first.headers.get_all("Set-Cookie") or []]
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "10s"]
    command += ["--latency", url]
    if cookies:
        command[1:1] = ["-H", "Cookie: " + "; ".join(cookies)]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        command[1:1] = ["-s", lua.name]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(lua.name)
    requests = int(found(r"(\d+) requests in", output).group(1))
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0
    duration = float(found(r"requests in ([\d.]+)s", output).group(1))
    percentiles = {
        int(p): _ms(v, unit)
        for p, v, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)$", output, re.M)
    }
    return Result(path, requests - errors, errors, duration, [], percentiles)


def found(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    """The match of `pattern` in a tool's report; stops the benchmark, with the report, if the
    report does not hold it."""
    match = re.search(pattern, text, flags)
    if match is None:
        raise SystemExit(f"{pattern!r} not found in:\n{text}")
    return match


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn <app>` with N sync workers on a free loopback port, stopped on exit.
    `Gunicorn.hello()`: the bare Flask "hello" the benchmarks take their ratios against."""

    @classmethod
    def hello(cls) -> Gunicorn:
        return cls("hello_app:app", chdir=ROOT / "bench")

    def __init__(
        self, app: str, workers: int = 2, env: dict | None = None, chdir: Path = ROOT
    ) -> None:
        self.port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--chdir",
                str(chdir),
                app,
            ],
            env={**os.environ, **(env or {})},
        )

    def wait(self, path: str = "/", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on {path}")

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
