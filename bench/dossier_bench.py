"""How fast staff find a client and open a big dossier.

Usage: .venv/bin/python bench/dossier_bench.py [--dossiers 10000] [--rounds 200]
           [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/dossier_bench]

Fills a database of its own (on PostgreSQL by default: the database named in the URL is
dropped and made again) with `--dossiers` fictional dossiers, made through the dossier service
itself (sealed with a data key each, with their keyed search hashes), then prints:

- the client search (name, name prefix, e-mail, phone, dossier number): p50 and p95 in ms of
  `dossier.search`, the service the staff search page calls, over `--rounds` searches each;
- the dossier page of a client with 200 contact moments and 50 documents, asked through the
  app as a logged-in makelaar: p50 and p95 in ms over 100 requests.

The goals (issue 15): search p95 <= 50 ms over 10,000 dossiers, the big page p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIRST = [
    "Anna",
    "Bram",
    "Carla",
    "Daan",
    "Emma",
    "Fleur",
    "Gijs",
    "Hanna",
    "Iris",
    "Joost",
    "Kees",
    "Lotte",
    "Mila",
    "Noor",
    "Oscar",
    "Pim",
    "Ria",
    "Sanne",
    "Thijs",
    "Yusuf",
]
LAST = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "Demir",
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# A bench-only account in a database made for this run.
PASSWORD = secrets.token_urlsafe(24)


def fresh_database(url: str) -> None:
    import sqlalchemy as sa

    if not url.startswith("postgresql"):
        return
    base, name = url.rsplit("/", 1)
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--profile", action="store_true", help="print where the dossier page spends its time"
    )
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/dossier_bench"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as name:
        run(options, Path(name))


def run(options: argparse.Namespace, folder: Path) -> None:
    fresh_database(options.database_url)
    os.environ.update(
        DATABASE_URL=options.database_url
        if options.database_url.startswith("postgresql")
        else f"sqlite:///{folder / 'bench.db'}",
        INSTANCE_DIR=str(folder),
        KEY_STORE_URL=f"sqlite:///{folder / 'keys.db'}",
    )

    import pyotp

    from app import create_app, db
    from app.accounts import service as accounts
    from app.accounts import two_factor
    from app.accounts.models import Role
    from app.helpline import dossier
    from app.helpline.models import Channel
    from app.tables import metadata

    app = create_app()
    metadata.create_all(app.extensions["db_engine"])
    rng = random.Random(7)
    with app.app_context():
        session = db.session()
        staff = accounts.register_user(
            session,
            name="Mara Makelaar",
            email="mara@example.nl",
            password=PASSWORD,
            role=Role.STAFF,
            verified=True,
        )
        session.flush()
        secret = pyotp.random_base32()
        two_factor.enrol_with(session, staff, secret)
        session.commit()
        started = time.perf_counter()
        people = []
        for i in range(options.dossiers):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            email = f"client{i}@example.nl"
            phone = f"06 {10_000_000 + i:08d}"
            made = dossier.create(session, dossier.Details(name, phone, email), staff=staff)
            people.append((made.id, name, email, phone))
            if i % 500 == 499:
                session.commit()
        session.commit()
        print(
            f"{options.dossiers} dossiers made in {time.perf_counter() - started:.1f} s "
            f"on {app.extensions['db_engine'].dialect.name}"
        )

        kinds = {
            "name": lambda p: p[1].split()[-1],
            "name prefix": lambda p: p[1].split()[0][:4],
            "first and last name": lambda p: p[1],
            "e-mail": lambda p: p[2],
            "phone": lambda p: p[3].replace(" ", ""),
            "dossier number": lambda p: dossier.number(p[0]),
        }
        print(f"\nclient search over {options.dossiers} dossiers ({options.rounds} searches each)")
        for kind, make in kinds.items():
            times, found = [], []
            for _ in range(options.rounds):
                person = rng.choice(people)
                query = make(person)
                began = time.perf_counter()
                result = dossier.search(session, query)
                times.append((time.perf_counter() - began) * 1000)
                found.append(any(c.id == person[0] for c in result))
                session.rollback()
            print(
                f"  {kind:<20} p50 {statistics.median(times):6.1f} ms   "
                f"p95 {percentile(times, 0.95):6.1f} ms   found {sum(found)}/{len(found)}"
            )

        big = dossier.create(
            session, dossier.Details("Groot Dossier", "0612345678", "groot@example.nl"), staff=staff
        )
        question = dossier.add_question(
            session, big, staff=staff, topic="zorg", description="Een lange vraag. " * 20
        )
        for i in range(200):
            dossier.add_contact(
                session,
                big,
                staff=staff,
                channel=Channel.PHONE,
                at=datetime.now(UTC),
                minutes=15,
                summary=f"Gesprek {i}: " + "samenvatting voor de cliënt. " * 8,
                notes="Interne aantekening. " * 5,
                question_id=question.id,
                follow_up=None,
            )
        for i in range(50):
            dossier.add_document(
                session, big, PDF, f"document-{i}.pdf", staff=staff, uploader_id=staff.id
            )
        session.commit()
        big_id = big.id

    client = app.test_client()
    # A browser says its form comes from this site; a visitor has no session token to send.
    from_this_site = {"Sec-Fetch-Site": "same-origin"}
    login = {"email": "mara@example.nl", "password": PASSWORD}
    client.post("/inloggen", data=login, headers=from_this_site)
    code = pyotp.TOTP(secret).now()
    client.post("/inloggen/code", data={"code": code}, headers=from_this_site)
    url = f"/staff/hulplijn/dossiers/{big_id}"
    first = client.get(url)
    if first.status_code != 200:
        raise SystemExit(f"{url} answered {first.status_code}")
    if options.profile:
        import cProfile
        import pstats

        with cProfile.Profile() as profiler:
            for _ in range(20):
                client.get(url)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    times = []
    for _ in range(100):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    print(
        f"\ndossier page with 200 contact moments and 50 documents ({len(first.data) // 1024} kB):"
        f" p50 {statistics.median(times):.1f} ms   p95 {percentile(times, 0.95):.1f} ms"
    )


if __name__ == "__main__":
    main()
