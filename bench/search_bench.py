"""Search speed at 1 000, 5 000 and 20 000 synthetic Dutch documents of about 600 words.

Usage: .venv/bin/python bench/search_bench.py [--sizes 1000 5000 20000] [--queries 200]

The documents are drawn from the real vocabulary of the starter content (Zipf-distributed, with
its compounds, stop words and domain terms), so the analyser does its real work. Reported per size:
full build time, one-document incremental update, and p50/p95 latency of
- realistic queries (1–3 mid-frequency words),
- worst-case queries (the most common domain words, found in nearly every document),
- prefix queries as sent while typing (3–5 letters),
- the complete results page as served (/zoeken through Flask: facets, snippets, suggestion).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.search.engine import SearchDocument  # noqa: E402

TOPICS = ["wonen", "zorg", "financien", "juridisch", "balans", "werk"]


def vocabulary() -> tuple[list[str], list[float]]:
    text = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "content").rglob("*.md"))
    words = re.findall(r"[a-zà-ÿ]{2,}", text.lower())
    counts = Counter(words).most_common()
    ranked = [w for w, _ in counts]
    weights = [1 / (rank + 1) for rank in range(len(ranked))]  # Zipf
    return ranked, weights


def make_documents(n: int, rng: random.Random) -> list[SearchDocument]:
    words, weights = vocabulary()
    docs = []
    for i in range(n):
        body = rng.choices(words, weights, k=600)
        docs.append(
            SearchDocument(
                kind=rng.choice(["article", "article", "article", "video", "product"]),
                slug=f"doc-{i}",
                url=f"/x/doc-{i}",
                title=" ".join(rng.choices(words[50:3000], k=5)).capitalize(),
                summary=" ".join(rng.choices(words, weights, k=25)),
                body=" ".join(body),
                tags=tuple(rng.sample(words[100:1500], 3)),
                topics=tuple(rng.sample(TOPICS, 2)),
            )
        )
    return docs


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"p50 {statistics.median(ordered):6.1f} ms  p95 {p95:6.1f} ms"


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def run(size: int, n_queries: int) -> None:
    from app import create_app
    from app.search import service

    rng = random.Random(size)
    docs = make_documents(size, rng)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "APP_ENV": "test",
                "INSTANCE_DIR": folder,
                "SEARCH_BUILD_ON_START": False,
                "DATABASE_URL": f"sqlite:///{folder}/bench.db",
                "PAGE_CACHE": False,
            }
        )
        # Search only the synthetic documents.
        app.extensions["search_providers"] = {}
        service.register_provider(app, lambda: docs, lambda: size)
        with app.app_context():
            index = service.engine()
            start = time.perf_counter()
            index.rebuild(docs)
            build = time.perf_counter() - start
            app.extensions["search_state"] = service.state()

            changed = [SearchDocument(**{**docs[0].__dict__, "title": "Gewijzigde titel"})] + docs[
                1:
            ]
            start = time.perf_counter()
            index.update(changed)
            update_ms = (time.perf_counter() - start) * 1000

            counts = Counter(w for d in docs[:500] for w in set(d.body.split()))
            common = [w for w, c in counts.most_common(200) if len(w) > 4][:60]
            mid = [w for w, c in counts.items() if 2 <= c <= 30 and len(w) > 4]
            realistic = [" ".join(rng.sample(mid, rng.randint(1, 3))) for _ in range(n_queries)]
            worst = [" ".join(rng.sample(common, rng.randint(1, 3))) for _ in range(n_queries)]
            prefixes = [rng.choice(mid)[: rng.randint(3, 5)] for _ in range(n_queries)]

            def query(text: str, live: bool = False) -> None:
                index.search(index.words(text), page=1, per_page=10, prefix_last=live)

            for text in realistic[:10]:
                query(text)
            r = timed(query, realistic)
            w = timed(query, worst)
            p = timed(lambda t: query(t, live=True), prefixes)
        client = app.test_client()
        pages = timed(lambda t: client.get("/zoeken", query_string={"q": t}), realistic)
        app.extensions["search_index"].close()
        app.extensions["db_engine"].dispose()

    print(f"\n{size} documents")
    print(f"  full build               {build:7.1f} s")
    print(f"  one-document update      {update_ms:7.1f} ms")
    print(f"  realistic queries        {percentiles(r)}")
    print(f"  worst-case queries       {percentiles(w)}")
    print(f"  prefix (as you type)     {percentiles(p)}")
    print(f"  complete results page    {percentiles(pages)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    for size in args.sizes:
        run(size, args.queries)


if __name__ == "__main__":
    main()
