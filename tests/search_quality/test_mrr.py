"""Search quality: mean reciprocal rank of realistic Dutch queries over the starter content."""

import tomllib
from pathlib import Path

from app.search import service

QUERIES = tomllib.loads((Path(__file__).parent / "queries.toml").read_text(encoding="utf-8"))[
    "query"
]


def reciprocal_rank(slugs: list[str], expected: list[str]) -> float:
    for rank, slug in enumerate(slugs[:3], start=1):
        if slug in expected:
            return 1 / rank
    return 0.0


def test_at_least_40_queries():
    assert len(QUERIES) >= 40


def test_mean_reciprocal_rank_is_at_least_0_8(search_app, summary):
    ranks, misses = [], []
    with search_app.app_context():
        for query in QUERIES:
            outcome = service.search(query["q"], kind=None, topic=None, page=1, live=False)
            slugs = [hit.slug for hit in outcome.results.hits] if outcome.results else []
            ranks.append(reciprocal_rank(slugs, query["expect"]))
            if ranks[-1] < 1:
                misses.append(f"{query['q']!r} -> {slugs[:3]}")
    mrr = sum(ranks) / len(ranks)
    summary(
        "search quality",
        [f"MRR {mrr:.3f} over {len(ranks)} queries", f"not ranked first: {misses or 'none'}"],
    )
    assert mrr >= 0.8
