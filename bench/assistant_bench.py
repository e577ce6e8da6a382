"""The assistant on the starter content: index build time with and without vectors, the extra
memory of the loaded sentence encoder, and the time to answer a question (p50/p95), hybrid and
BM25 alone.

Usage: .venv/bin/python bench/assistant_bench.py [--rounds 3] [--docs 5000] [--encoder e5]

`--docs N` adds N generated articles (made from the starter articles' paragraphs, as
bench/search_shop_bench.py does) in a temporary folder.

The questions are those of tests/assistant_quality/questions.toml (caregiver and off-topic). The
first build encodes every document ("cold"); a second full build finds every vector in the cache
("warm"). `--encoder`: the sentence encoder the site is set to (SEARCH_ENCODER, default use).
Figures only: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--docs", type=int, default=0, help="add this many generated articles")
    parser.add_argument("--encoder", default="use", help="use or e5 (SEARCH_ENCODER)")
    args = parser.parse_args()

    from app import create_app
    from app.assistant import service as assistant
    from app.search import semantic, service

    # Every question is encoded: the process's memory of recent queries (which a repeated
    # question would find) is off here.
    semantic.QUERIES_KEPT = 0
    data = tomllib.loads(
        (ROOT / "tests" / "assistant_quality" / "questions.toml").read_text(encoding="utf-8")
    )
    questions = [q["q"] for q in data["vraag"] + data["off_topic"]]

    with tempfile.TemporaryDirectory() as folder:
        content = {}
        if args.docs:
            from search_shop_bench import generated_content

            generated_content(Path(folder) / "content", args.docs)
            content = {"CONTENT_DIR": f"{folder}/content"}

        def make(semantic_on: bool, name: str):
            return create_app(
                {
                    "APP_ENV": "test",
                    "INSTANCE_DIR": f"{folder}/{name}",
                    "SEARCH_INDEX_DIR": f"{folder}/{name}/index",
                    "SEARCH_BUILD_ON_START": False,
                    "SEARCH_SEMANTIC": semantic_on,
                    "SEARCH_ENCODER": args.encoder,
                    "DATABASE_URL": f"sqlite:///{folder}/{name}.db",
                    **content,
                }
            )

        plain, hybrid = make(False, "plain"), make(True, "hybrid")
        with plain.app_context():
            start = time.perf_counter()
            service.reindex(full=True)
            bm25_build = time.perf_counter() - start
            documents = len(service.documents())
        before = rss_mb()
        start = time.perf_counter()
        semantic.encoder(args.encoder)
        load = time.perf_counter() - start
        extra = rss_mb() - before
        with hybrid.app_context():
            start = time.perf_counter()
            cold = service.reindex(full=True)
            cold_build = time.perf_counter() - start
            start = time.perf_counter()
            service.reindex(full=True)
            warm_build = time.perf_counter() - start
        extra_docs = f" with {args.docs} generated articles" if args.docs else ""
        print(f"{documents} documents: the starter content{extra_docs}; encoder {args.encoder}")
        print(f"index build, BM25 only:            {bm25_build:6.2f} s")
        print(f"index build with vectors, cold:    {cold_build:6.2f} s ({cold['encoded']} encoded)")
        print(f"index build with vectors, warm:    {warm_build:6.2f} s (0 encoded, from the cache)")
        print(f"encoder load (import + first call): {load:5.2f} s, extra RSS {extra:.0f} MB")

        for label, app in (("BM25 only", plain), ("hybrid", hybrid)):
            times: list[float] = []
            with app.test_request_context():
                assistant.reply(questions[0])  # the matrix is read once per index generation
                for _ in range(args.rounds):
                    for question in questions:
                        start = time.perf_counter()
                        assistant.reply(question)
                        times.append((time.perf_counter() - start) * 1000)
            print(
                f"answer, {label:9}: p50 {statistics.median(times):6.1f} ms, "
                f"p95 {percentile(times, 0.95):6.1f} ms over {len(times)} replies"
            )
        with hybrid.test_request_context():
            model = service.encoder()
            if model is None:
                raise SystemExit("the sentence encoder did not load")
            times = []
            for question in questions:
                start = time.perf_counter()
                model.encode([question], query=True)
                times.append((time.perf_counter() - start) * 1000)
        print(
            f"query encoding alone: p50 {statistics.median(times):.1f} ms, "
            f"p95 {percentile(times, 0.95):.1f} ms"
        )


if __name__ == "__main__":
    main()
