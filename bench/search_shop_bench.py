"""Throughput of search and the shop catalogue under gunicorn (2 workers), next to Flask 'hello'.

Usage: .venv/bin/python bench/search_shop_bench.py [--seconds 10] [--rounds 3]
           [--connections 32] [--docs 5000]

Measured, in turn and round after round, each against the hello of its own round:

- /zoeken?q=respijtzorg, the whole page, and the same address as the as-you-type fragment
  (the htmx headers the search field sends); a visitor who is not logged in gets these from the
  page cache once the first one has been made;
- the same two with a different address for every request (the query varies over everyday
  searches and unfinished words, and a counter the page ignores is added), so every request
  runs the search engine and renders the page: what a caregiver typing causes. The queries
  come round again, so the sentence encoder's vector of each is kept after its first use
  (app/search/semantic.py, QUERIES_KEPT): a query no one asked lately and that finds fewer than
  three documents costs one encoding more (about 1.6 ms on the machine it was written on);
- /winkel, the catalogue;
- for reference (no target): /robots.txt with a new address every request, the cheapest page
  that passes all of the site's per-request work (session, login, consent, limiter, headers,
  the page cache's bookkeeping) without the cache answering: what is left for search and
  rendering is the distance between this one and the search lines.

The summary gives per endpoint the median requests/s, the worst p99 of the rounds and the
median ratio to hello with the lowest and highest, and the target of issue 20 where it has one.

--docs N builds a temporary content folder with the starter content plus N generated articles
(the starter articles' paragraphs recombined under varied titles, so the text is real Dutch and
the analyser does its real work) and its own index; content/ is never touched. Needs wrk.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import NEW_ADDRESS, ROOT, Gunicorn, Result, flask, load, load_generator  # noqa: E402

SEARCH = "/zoeken?q=respijtzorg"
SHOP = "/winkel"
# What the search field sends while typing (htmx 2 sets HX-Trigger to the field's id).
TYPING = {
    "HX-Request": "true",
    "HX-Trigger": "zoekveld",
    "HX-Target": "zoekresultaten",
    "HX-Current-URL": "http://127.0.0.1/zoeken",
}
QUERIES = [
    "respijtzorg",
    "mantelzorgwoning",
    "zorgverlof aanvragen",
    "pgb",
    "dementie",
    "ik kan niet meer",
    "keukentafelgesprek",
    "dagbesteding kosten",
    "mantelzorgcompliment",
    "wmo",
    "eigen bijdrage",
    "werk en zorg",
    "levenstestament",
    "logeeropvang",
    "parkinson",
    "overbelast",
]
TYPED = [
    "res",
    "resp",
    "respij",
    "mant",
    "mantelz",
    "zorgv",
    "zorgverl",
    "deme",
    "dementi",
    "dagbe",
    "keuken",
    "levens",
    "logeer",
    "pgb",
    "wmo a",
    "wmo aanv",
]
# Each request takes the next query and a counter the page ignores: every address is new, so
# neither the page cache nor anything else can answer without searching.
VARYING = """
queries = {%s}
counter = 0
request = function()
  counter = counter + 1
  local q = queries[(counter %% #queries) + 1]
  return wrk.format(nil, "/zoeken?q=" .. q .. "&meting=" .. counter)
end
"""
# The same for the reference line: a page that does almost nothing itself.
FLOOR = NEW_ADDRESS % "/robots.txt?meting="
TARGETS = {
    "/zoeken full page": 0.25,
    "/zoeken fragment": 0.25,
    "/zoeken full, new address": 0.25,
    "/zoeken fragment, new address": 0.25,
    "/winkel": 0.4,
}
TARGETS_LARGE = {key: 0.15 for key in TARGETS if key.startswith("/zoeken")} | {"/winkel": 0.4}
TITLE_ENDINGS = [
    "voor werkende mantelzorgers",
    "als je ver weg woont",
    "in de eerste weken",
    "stap voor stap",
    "wat je moet weten",
    "met een kleine beurs",
    "voor jonge mantelzorgers",
    "bij dementie",
    "samen met broers en zussen",
    "als het even niet meer gaat",
    "na een ziekenhuisopname",
    "als je naaste alleen woont",
]


def lua_list(items: list[str]) -> str:
    return ", ".join('"' + item.replace(" ", "+") + '"' for item in items)


def endpoints() -> list[tuple[str, str, dict[str, str], str | None]]:
    """(label, address, headers, wrk script) of everything measured besides hello."""
    return [
        ("/zoeken full page", SEARCH, {}, None),
        ("/zoeken fragment", SEARCH, TYPING, None),
        ("/zoeken full, new address", SEARCH, {}, VARYING % lua_list(QUERIES)),
        ("/zoeken fragment, new address", SEARCH, TYPING, VARYING % lua_list(TYPED)),
        ("/winkel", SHOP, {}, None),
        ("reference: robots, new address", "/robots.txt", {}, FLOOR),
    ]


def generated_content(target: Path, count: int) -> None:
    """The starter content plus `count` articles made from the starter articles' paragraphs."""
    shutil.copytree(ROOT / "content", target)
    rng = random.Random(count)
    articles = []
    for path in sorted((ROOT / "content" / "artikelen").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        paragraphs = [p for p in body.split("\n\n") if p.strip()]
        articles.append((path.stem, front, paragraphs))
    for number in range(count):
        stem, front, paragraphs = articles[number % len(articles)]
        others = rng.sample(articles, 2)
        mixed = paragraphs[: rng.randint(3, len(paragraphs))]
        for _, _, more in others:
            start = rng.randrange(len(more))
            mixed += more[start : start + rng.randint(2, 5)]
        # In another order, so that no two begin alike (as real articles do not): the encoder
        # reads a document's beginning, and equal beginnings would be encoded once.
        rng.shuffle(mixed)
        title = re.search(r'^title: "(.*)"$', front, re.M).group(1)  # type: ignore[union-attr]
        ending = TITLE_ENDINGS[rng.randrange(len(TITLE_ENDINGS))]
        day = 1 + number % 28
        lines = [
            line
            for line in front.splitlines()
            if not line.startswith(("title:", "published:", "updated:", "featured:"))
        ]
        lines += [
            f'title: "{title.split(":")[0]}: {ending}"',
            f"published: 2026-0{1 + number % 9}-{day:02d}",
            "featured: false",
        ]
        text = "---\n" + "\n".join(lines) + "\n---\n\n" + "\n\n".join(mixed) + "\n"
        (target / "artikelen" / f"{stem}-{number}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--docs", type=int, default=0, help="add this many generated articles")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("This benchmark needs wrk (apt-get install wrk).")

    with tempfile.TemporaryDirectory() as scratch:
        env = {
            "APP_ENV": "development",
            "INSTANCE_DIR": str(Path(scratch) / "instance"),
            "SMTP_URL": "",
            "REDIS_URL": "",
        }
        if args.docs:
            content = Path(scratch) / "content"
            started = time.perf_counter()
            generated_content(content, args.docs)
            env["CONTENT_DIR"] = str(content)
            # Each worker reads every article once on its first request, which takes longer
            # than gunicorn's default 30 s worker timeout at this size.
            env["GUNICORN_CMD_ARGS"] = "--timeout 900"
            took = time.perf_counter() - started
            print(f"{args.docs} generated articles written in {took:.0f} s")
        flask(env, "db", "upgrade")
        started = time.perf_counter()
        flask(env, "search", "reindex", "--full")
        print(f"search index built in {time.perf_counter() - started:.0f} s")
        with (
            Gunicorn.hello() as hello,
            Gunicorn("app.wsgi:app", env=env) as site,
        ):
            hello.wait("/hello")
            site.wait(SEARCH, timeout=1800)
            for _, path, headers, script in endpoints():  # every worker reads content and index
                load(site.port, path, 4, 3, headers=headers, script=script)
            print(
                f"gunicorn, 2 sync workers each, {args.connections} connections, "
                f"{args.seconds:.0f} s per endpoint and round, {args.rounds} rounds, loopback, "
                f"load from {load_generator()}, "
                f"{'starter content' if not args.docs else f'starter content + {args.docs}'}\n"
            )
            labels = [label for label, *_ in endpoints()]
            results: dict[str, list[Result]] = {label: [] for label in ["/hello", *labels]}
            ratios: dict[str, list[float]] = {label: [] for label in labels}
            for number in range(1, args.rounds + 1):
                print(f"round {number}")
                baseline = load(hello.port, "/hello", args.connections, args.seconds)
                results["/hello"].append(baseline)
                print(baseline.line())
                for label, path, headers, script in endpoints():
                    result = load(
                        site.port,
                        path,
                        args.connections,
                        args.seconds,
                        headers=headers,
                        script=script,
                        label=label,
                    )
                    results[label].append(result)
                    ratios[label].append(result.rps / baseline.rps)
                    print(result.line(baseline))
            print()
            summary(results, ratios, TARGETS_LARGE if args.docs >= 5000 else TARGETS)


def summary(
    results: dict[str, list[Result]], ratios: dict[str, list[float]], targets: dict[str, float]
) -> None:
    print(
        f"{'endpoint':<32} {'median req/s':>12}  {'worst p99':>9}  "
        f"{'median ratio':>12}  {'lowest':>7}  {'highest':>7}  target"
    )
    for path, runs in results.items():
        rps = statistics.median(r.rps for r in runs)
        p99 = max(r.percentile(99) for r in runs)
        errors = sum(r.errors for r in runs)
        line = f"{path:<32} {rps:12.0f}  {p99:6.1f} ms"
        if path in ratios:
            median = statistics.median(ratios[path])
            line += f"  {median:12.1%}  {min(ratios[path]):7.1%}  {max(ratios[path]):7.1%}"
            if path in targets:
                verdict = "met" if median >= targets[path] else "NOT met"
                line += f"  >= {targets[path]:.0%}: {verdict}"
        if errors:
            line += f"  ({errors} errors)"
        print(line)


if __name__ == "__main__":
    main()
