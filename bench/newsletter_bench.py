"""Sending one newsletter edition to 10 000 subscribers over SMTP, to a local aiosmtpd server.

Usage: .venv/bin/python bench/newsletter_bench.py [--recipients 10000] [--rate 0] [--postgres URL]

The subscribers are address-only subscriptions with the newsletter and one topic in the consent
log, as the confirmation link leaves them. The sender is the real one (`sending.send`): a claim
per recipient in the send log, the consent gate, rendering, one SMTP connection, marking it sent.
The SMTP server runs in its own process (aiosmtpd, a counting sink) so it does not share the
sender's CPU time slice. Printed: mails per second, the server's count, and the sender's peak
memory (resident set size of the process, and the growth during the send).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = """
import signal, sys, time
from aiosmtpd.controller import Controller

class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"

controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
def stop(*_):
    print(Count.n, flush=True)
    controller.stop()
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    time.sleep(1)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def add_subscribers(app, count: int) -> None:
    import sqlalchemy as sa

    from app.consent.models import ConsentRecord
    from app.db import table_of, utcnow
    from app.newsletter import service
    from app.newsletter.models import Subscriber, SubscriberStatus

    now = utcnow()
    subscribers, consents = [], []
    for n in range(count):
        consent_id = str(uuid.uuid4())
        subscribers.append(
            {
                "email": f"lezer{n}@example.nl",
                "consent_id": consent_id,
                "status": SubscriberStatus.ACTIVE.value,
                "objects_open_tracking": n % 10 == 0,
                "created_at": now,
                "confirmed_at": now,
            }
        )
        for scope in ("newsletter", "newsletter:zorg"):
            consents.append(
                {
                    "at": now,
                    "consent_id": consent_id,
                    "user_id": None,
                    "scope": scope,
                    "accepted": scope,
                    "refused": "",
                    "method": service.CONFIRMATION_METHOD,
                    "policy_version": service.CONSENT_VERSION,
                    "text_hash": "0" * 64,
                }
            )
    engine = app.extensions["db_engine"]
    with engine.begin() as connection:
        connection.execute(sa.insert(table_of(Subscriber)), subscribers)
        connection.execute(sa.insert(table_of(ConsentRecord)), consents)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=0.0, help="mails per second, 0: no limit")
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL instead of SQLite")
    args = parser.parse_args()

    from app import create_app, db
    from app.newsletter import editions, sending
    from app.tables import metadata

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)], stdout=subprocess.PIPE, text=True
    )
    if server.stdout is None or server.stdout.readline().strip() != "ready":
        raise SystemExit("the SMTP server did not start")
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = args.postgres or f"sqlite:///{folder}/bench.db"
            engine = db.make_engine(url)
            metadata.drop_all(engine)
            metadata.create_all(engine)
            engine.dispose()
            app = create_app(
                {
                    "APP_ENV": "test",
                    "INSTANCE_DIR": folder,
                    "DATABASE_URL": url,
                    "SMTP_URL": f"smtp://127.0.0.1:{port}",
                    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
                    "SEARCH_BUILD_ON_START": False,
                    "SHOP_SYNC_ON_START": False,
                }
            )
            add_subscribers(app, args.recipients)
            with app.app_context():
                edition = editions.current().by_slug["2026-12-winter"]
                before = peak_rss_mb()
                started = time.perf_counter()
                report = sending.send(db.session(), edition, rate=args.rate)
                seconds = time.perf_counter() - started
                after = peak_rss_mb()
            if args.postgres:
                metadata.drop_all(app.extensions["db_engine"])
            app.extensions["db_engine"].dispose()
    finally:
        server.send_signal(signal.SIGTERM)
        received = server.communicate(timeout=30)[0].strip()
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}")
    print(f"recipients: {args.recipients}, sent: {report.sent}, failed: {report.failed}")
    print(f"the SMTP server received: {received}")
    print(f"time: {seconds:.1f} s, rate: {report.sent / seconds:.0f} mails/s")
    print(
        f"peak memory (RSS) of the sender: {after:.0f} MB "
        f"({after - before:+.0f} MB during the send)"
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs visible")


if __name__ == "__main__":
    main()
