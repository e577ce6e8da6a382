"""A partner's endpoint for the tests: a real HTTP server on 127.0.0.1 that checks each
request as a partner would (recomputes the HMAC-SHA256 over timestamp and body with its own
copy of the secret) and answers as told: fail (503), slow (answers after the sender gave up),
or ok (200)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    key: str
    timestamp: str
    signature_ok: bool
    body: dict
    answered: int


@dataclass
class FakePartner:
    secret: str
    # What to do with the next requests, in order; "ok" once they are used up.
    plan: list[str] = field(default_factory=list)
    slow_seconds: float = 2.5
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/zorggenoot"

    def verify(self, timestamp: str, raw: bytes, header: str) -> bool:
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest("sha256=" + expected, header)

    def start(self) -> FakePartner:
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                timestamp = self.headers.get("X-Zorggenoot-Timestamp", "")
                ok = partner.verify(timestamp, raw, self.headers.get("X-Zorggenoot-Signature", ""))
                with partner.lock:
                    step = partner.plan.pop(0) if partner.plan else "ok"
                status = 401 if not ok else {"fail": 503, "slow": 200, "ok": 200}[step]
                if step == "slow":
                    time.sleep(partner.slow_seconds)
                elif partner.delay:
                    time.sleep(partner.delay)
                with partner.lock:
                    partner.received.append(
                        Received(
                            key=self.headers.get("Idempotency-Key", ""),
                            timestamp=timestamp,
                            signature_ok=ok,
                            body=json.loads(raw or b"{}"),
                            answered=status,
                        )
                    )
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender stopped waiting

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)
