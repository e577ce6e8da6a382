"""The search engine facade: the only module that imports Whoosh.

Everything else speaks in `SearchDocument`s and `SearchResults`. Replacing Whoosh means
rewriting this module only. The index holds published content and catalogue, never anything
personal. One process writes at a time (Whoosh's lock); readers keep serving the last commit.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path

from whoosh import index
from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, Or, Prefix, Term
from whoosh.scoring import BM25F, bm25
from whoosh.support.charset import accent_map
from whoosh.writing import CLEAR

from app.search.dutch import LINKING, Decompounder, Everyday, normalise, phrase_synonyms

FOLD = {code: v if isinstance(v, str) else chr(v) for code, v in accent_map.items()}
# Only the one-to-one foldings, so positions in a folded text match the original.
FOLD_ONE = {code: v for code, v in FOLD.items() if len(v) == 1}
# A document matches when every word occurs in `content` (title, summary, tags and body, the
# summary and tags counted twice). A word in the title adds TITLE_BOOST times its title score:
# the title field is short, so that costs little, and it is what ranks "Pgb of zorg in natura"
# first for "pgb".
FIELD_WEIGHTS = {"title": 1, "summary": 2, "tags": 2, "body": 1}
TITLE_BOOST = 3.0
MAX_WORDS = 12
PARALLEL_FROM = 500
PREFIX_FROM = 3
# A searched word that no document holds ("invalidenparkeerkaart", "incontinentiespullen":
# everyday compounds the content never uses) also matches its longest head and its longest
# modifier that documents do hold, each at least KNOWN_PART letters with as much left beside it.
# A word longer than LONGEST_COMPOUND letters is no compound anyone types: not looked into.
KNOWN_PART = 6
LONGEST_COMPOUND = 40
SNIPPET_SOURCE = 3000
SNIPPET_CONTEXT = 80
WORD = re.compile(r"\w+")
# The rest of a word from where it starts: letters and digits, as str.isalnum.
WORD_TAIL = re.compile(r"[^\W_]*")
NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Whoosh keeps the schema (with our analyser classes) inside the index; bump this when they
# change, so an upgraded site builds a fresh index instead of reading one it cannot understand.
INDEX_NAME = "zoeken_v1"
TOC_NAME = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")  # one file per commit, as Whoosh names them


@dataclass(frozen=True)
class SearchDocument:
    """One thing that can be found: an article, video, page or product."""

    kind: str
    slug: str
    url: str
    title: str
    summary: str
    body: str
    tags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    published: date | None = None
    # How people ask for it (an editor's list); only the sentence encoder reads them.
    questions: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.slug}"

    @property
    def fingerprint(self) -> str:
        parts = [
            self.kind,
            self.slug,
            self.url,
            self.title,
            self.summary,
            self.body,
            ",".join(self.tags),
            ",".join(self.topics),
            str(self.published),
            *self.questions,
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Hit:
    kind: str
    slug: str
    url: str
    title: str
    summary: str
    snippet: str  # HTML: escaped text with <mark> around matched words
    topics: tuple[str, ...]


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    page: int
    pages: int
    kinds: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    matched_all_words: bool = True


# --- analysis -------------------------------------------------------------------------------


class _Dutch(Filter):
    """The whole Dutch treatment of a word in one step, remembered per word.

    Lower case, accents folded, hyphenated words split, stop words dropped; then the stem of
    the word plus the forms the stemmer alone would miss: the common form (ziekenhuizen ->
    ziekenhuis), the known parts of a compound (zorgverlof -> verlof, zorg) and the abbreviation
    that ends a known phrase (persoonsgebonden budget -> pgb). One filter instead of a chain
    keeps indexing fast in pure Python."""

    def __init__(self, decompounder: Decompounder) -> None:
        self.decompounder = decompounder
        self.stop = frozenset(stopwords_for_language("nl"))
        self.stem = stemmer_for_language("nl")
        self._cache: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._alternatives: dict[str, tuple[tuple[str, ...], ...]] = {}

    def __getstate__(self) -> dict:
        # Whoosh stores the schema, and so this filter, in every commit's table of contents,
        # which each open of the index reads back: the memory of analysed words stays out.
        return {**self.__dict__, "_cache": {}, "_alternatives": {}}

    def _terms(self, raw: str) -> tuple[str, tuple[str, ...]]:
        """(the folded word, its index terms)."""
        found = self._cache.get(raw)
        if found is None:
            word = raw.lower().translate(FOLD)
            # Hyphenated words (Wmo-aanvraag, pgb-budget) count as the whole and as each part.
            pieces = (
                [word.replace("-", "").replace("'", ""), *word.split("-")]
                if "-" in word
                else [word]
            )
            forms = []
            for piece in pieces:
                forms += [piece, normalise(piece), *self.decompounder.parts(piece)]
            terms = tuple(dict.fromkeys(self.stem(f) for f in forms if f not in self.stop))
            found = (word, terms)
            if len(self._cache) > 300_000:
                self._cache.clear()
            self._cache[raw] = found
        return found

    def alternatives(self, raw: str) -> tuple[tuple[str, ...], ...]:
        """What a searched word may match, each alternative a set of index terms that must all
        occur: the word itself (or its common form), or all the parts of a compound. So
        "woonzorgcentrum" finds documents with the compound, or with woonzorg and centrum, but
        not every document that mentions "zorg". Remembered per word: searches share most of
        their words."""
        found = self._alternatives.get(raw)
        if found is None:
            found = self._alternatives_of(raw)
            if len(self._alternatives) > 100_000:
                self._alternatives.clear()
            self._alternatives[raw] = found
        return found

    def _alternatives_of(self, raw: str) -> tuple[tuple[str, ...], ...]:
        word = raw.lower().translate(FOLD)
        pieces = word.split("-") if "-" in word else []
        whole = word.replace("-", "").replace("'", "") if pieces else word
        options = [(self.stem(f),) for f in dict.fromkeys((whole, normalise(whole)))]
        for parts in (pieces, self.decompounder.parts(whole)):
            terms = tuple(dict.fromkeys(self.stem(p) for p in parts if p and p not in self.stop))
            if terms:
                options.append(terms)
        return tuple(o for o in dict.fromkeys(options) if whole not in self.stop)

    def __call__(self, tokens):
        window: list[str] = []
        for token in tokens:
            word, terms = self._terms(token.text)
            window = (window + [word])[-4:]
            for term in (*terms, *phrase_synonyms(window)):
                token.text = term
                yield token


def dutch_analyzer(decompounder: Decompounder):
    return RegexTokenizer(r"\w+(?:[-']\w+)*") | _Dutch(decompounder)


def spelling_analyzer():
    """No stemming: suggestions must be real words ("dagbesteding", not "dagbested")."""
    return RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter() | CharsetFilter(accent_map)


def make_schema(decompounder: Decompounder) -> Schema:
    dutch = dutch_analyzer(decompounder)
    return Schema(
        key=ID(stored=True, unique=True, sortable=True),
        kind=ID(stored=True, sortable=True),
        slug=ID(stored=True),
        url=STORED(),
        # Columns: an update reads these for every document, without unpacking the bodies.
        fingerprint=ID(sortable=True),
        title=TEXT(analyzer=dutch, stored=True, phrase=False),
        summary=STORED(),
        body=STORED(),
        # No positions (phrase=False): queries never ask for phrases, and they cost build time.
        content=TEXT(analyzer=dutch, phrase=False),
        topics=KEYWORD(stored=True, commas=True, sortable=True),
        spell=TEXT(analyzer=spelling_analyzer(), phrase=False, spelling=True),
        published=DATETIME(stored=True),
    )


# --- the index ------------------------------------------------------------------------------


class SearchIndex:
    """A Whoosh index in one folder, with one searcher per process that follows new commits.

    Whether another process has committed is looked at (a directory listing) at most every
    `recheck_seconds`, the interval the content store uses for the files; a commit made by this
    object is seen at once."""

    def __init__(
        self,
        folder: Path,
        decompounder: Decompounder,
        *,
        everyday: Everyday | None = None,
        recheck_seconds: float = 0.0,
    ) -> None:
        self.folder = folder
        self.everyday = everyday or Everyday(())
        self.recheck_seconds = recheck_seconds
        self.schema = make_schema(decompounder)
        self.analyzer = self.schema["content"].analyzer
        self.dutch: _Dutch = self.analyzer.items[-1]
        self._searcher = None
        self._searcher_generation = -1
        self._checked_at = float("-inf")
        self._readable_generation = -1
        self._lock = threading.Lock()
        self._form_cache: dict[str, frozenset[str]] = {}
        self._postings_cached: _Postings | None = None
        self._speller_for = None
        self._speller_cached: _Speller | None = None

    # writing

    def exists(self) -> bool:
        """True when a readable index is there (an unreadable one counts as missing).

        Free while the searcher is fresh; otherwise a directory listing, and the index is
        opened only for a commit not seen readable before."""
        if self._searcher is not None and not self._recheck_due():
            return True
        generation = self._generation()
        if generation < 0:
            return False
        if generation == self._readable_generation:
            return True
        try:
            readable = index.exists_in(str(self.folder), indexname=INDEX_NAME)
        except Exception:  # noqa: BLE001 - a damaged or foreign index is rebuilt, never fatal
            return False
        if readable:
            self._readable_generation = generation
        return readable

    def _generation(self) -> int:
        """The number of the latest commit in the folder (-1 when there is none)."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return -1
        found = (TOC_NAME.match(name) for name in names)
        return max((int(m.group(1)) for m in found if m), default=-1)

    def _recheck_due(self) -> bool:
        return time.monotonic() - self._checked_at >= self.recheck_seconds

    def _committed(self) -> None:
        """This object wrote a commit: the next search looks for it without waiting."""
        self._checked_at = float("-inf")

    def _open(self):
        if not self.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            return index.create_in(str(self.folder), self.schema, indexname=INDEX_NAME)
        return index.open_dir(str(self.folder), indexname=INDEX_NAME, schema=self.schema)

    def rebuild(self, documents: Iterable[SearchDocument], timeout: float = 30.0) -> int:
        """Write the index afresh with exactly `documents`; returns how many. Readers keep
        seeing the previous commit until the new one replaces it whole. Raises `IndexBusy`
        when another process is writing."""
        documents = list(documents)
        ix = self._open()
        # Analysis is pure Python: for a large set, two processes halve the build time.
        procs = min(2, os.cpu_count() or 1) if len(documents) >= PARALLEL_FROM else 1
        writer = self._writer(ix, timeout, procs=procs, multisegment=procs > 1, limitmb=256)
        for doc in documents:
            writer.add_document(**_fields(doc))
        writer.commit(mergetype=CLEAR)  # the old segments go only now
        ix.close()
        self._committed()
        return len(documents)

    @staticmethod
    def _writer(ix, timeout: float, **options):
        try:
            return ix.writer(timeout=timeout, **options)
        except LockError:
            ix.close()
            raise IndexBusy from None

    def update(self, documents: Iterable[SearchDocument], timeout: float = 30.0) -> dict[str, int]:
        """Add, change and remove documents so the index holds exactly `documents`, touching only
        those whose content changed. Raises `IndexBusy` when another process is writing."""
        ix = self._open()
        with ix.searcher() as searcher:
            keys = searcher.reader().column_reader("key")
            prints = searcher.reader().column_reader("fingerprint")
            stored = {_text(keys[n]): _text(prints[n]) for n in searcher.reader().all_doc_ids()}
        wanted = {doc.key: doc for doc in documents}
        changed = [d for k, d in wanted.items() if stored.get(k) != d.fingerprint]
        removed = [k for k in stored if k not in wanted]
        counts = {
            "added": sum(k not in stored for k in wanted),
            "changed": 0,
            "removed": len(removed),
        }
        counts["changed"] = len(changed) - counts["added"]
        if changed or removed:
            writer = self._writer(ix, timeout)
            for key in removed:
                writer.delete_by_term("key", key)
            for doc in changed:
                writer.update_document(**_fields(doc))
            writer.commit()
            self._committed()
        ix.close()
        return counts

    # reading

    def searcher(self):
        """The process's searcher, replaced when a writer has committed since (looked at at
        most every `recheck_seconds`, at once after a commit of this object)."""
        searcher = self._searcher
        if searcher is not None and not self._recheck_due():
            return searcher
        with self._lock:
            generation = self._generation()
            if self._searcher is None or generation != self._searcher_generation:
                # A new searcher, not refresh(): a refreshed searcher reuses the old segment
                # readers and misses deletions made in those segments.
                if self._searcher is not None:
                    self._searcher.close()
                self._searcher = self._open().searcher()
                # Read before opening: a commit in between only causes one more opening later.
                self._searcher_generation = generation
            self._checked_at = time.monotonic()
            return self._searcher

    def generation(self) -> int:
        """The commit that searches are answered from now (-1 when there is no index): pages
        made from search results may be kept as long as it stays the same."""
        if not self.exists():
            return -1
        self.searcher()
        return self._searcher_generation

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
                self._checked_at = float("-inf")

    def hits(self, keys: Iterable[str]) -> list[Hit]:
        """The documents of `keys` (in that order) as hits without a snippet; keys that are
        not in the index are left out."""
        searcher = self.searcher()
        postings = self._postings(searcher)
        found = []
        for key in keys:
            docnum = searcher.document_number(key=key)
            if docnum is not None:
                found.append(postings.shown(docnum).hit)
        return found

    def word_forms(self, words: list[str]) -> list[tuple[tuple[str, ...], ...]]:
        """Per word of `words` but the stop words: what it may match, as a search matches it
        (the word itself or its common form, or all the parts of a compound)."""
        postings = self._postings(self.searcher())
        return [found for word in words if (found := self.alternatives(word, postings))]

    def alternatives(
        self, word: str, postings: _Postings | None = None
    ) -> tuple[tuple[str, ...], ...]:
        """What a searched word may match (`_Dutch.alternatives`), and what its content words in
        `spreektaal.txt` may match ("halsalarm" also matches "personenalarmering"); with the
        `postings` of a commit, for a word no document holds, its known head and modifier
        (KNOWN_PART). A stop word matches nothing."""
        options = self.dutch.alternatives(word)
        synonyms = self.everyday.synonyms(_fold(word)) if options else ()
        for synonym in synonyms:
            options += self.dutch.alternatives(synonym)
        if synonyms:
            return tuple(dict.fromkeys(options))
        if options and postings is not None:
            options += postings.known_parts(_fold(word), options, self.dutch)
        return options

    def share_held(
        self, forms: list[tuple[tuple[str, ...], ...]], keys: Iterable[str]
    ) -> dict[str, float]:
        """Per key: the share of the words of `forms` (`word_forms`) the document holds
        anywhere (0 for keys not in the index)."""
        searcher = self.searcher()
        numbers = {key: searcher.document_number(key=key) for key in keys}
        held = dict.fromkeys(numbers, 0)
        for options in forms:
            query = _any([_all([Term("content", t) for t in terms]) for terms in options])
            matched = set(searcher.docs_for_query(query))
            for key, number in numbers.items():
                held[key] += number is not None and number in matched
        return {key: count / len(forms) if forms else 0.0 for key, count in held.items()}

    def share_in(self, forms: list[tuple[tuple[str, ...], ...]], text: str) -> float:
        """The share of the words of `forms` (`word_forms`) that `text` holds."""
        if not forms:
            return 0.0
        held = self._forms(text)
        return sum(any(set(terms) <= held for terms in options) for options in forms) / len(forms)

    def words(self, text: str) -> list[str]:
        """The user's words, lower-cased, everyday phrases in the content's words (`Everyday`),
        up to the MAX_WORDS-th that is not a stop word (never parsed as query syntax). Stop
        words are kept for the text of a correction but not counted: a question such as "mn
        moeder komt de trap niet meer op, betaalt de gemeente een traplift?" is searched with
        its last word."""
        tokenizer = RegexTokenizer(r"[^\W_]+(?:-[^\W_]+)*")
        kept: list[str] = []
        counted = 0
        typed = [t.text.lower() for t in tokenizer(text)]
        for word in self.everyday.replace_phrases(typed, [_fold(w) for w in typed]):
            if counted == MAX_WORDS:
                break
            kept.append(word)
            counted += word.translate(FOLD) not in self.dutch.stop
        return kept

    def search(
        self,
        words: list[str],
        *,
        kind: str | None = None,
        topic: str | None = None,
        page: int = 1,
        per_page: int = 10,
        prefix_last: bool = False,
        snippets: bool = True,
        partial: bool = True,
    ) -> SearchResults:
        """Find `words` (all of them if possible, else, with `partial`, those documents that hold
        the most of them), filtered by kind and topic.

        Every word is matched on arrays of document numbers and BM25F scores (`_Postings`),
        read once per commit: the work of a query is a few set operations on them, however
        many documents match. The facet counts are for the query without the kind and topic
        filters, so every choice stays visible."""
        import numpy as np

        searcher = self.searcher()
        postings = self._postings(searcher)
        # The unfinished last word while typing is matched as the start of a title word too,
        # and never on known parts (it is not a word the content lacks, only an unfinished one).
        last = len(words) - 1
        typed = _fold(words[-1]) if prefix_last and words else None
        typed = typed if typed and len(typed) >= PREFIX_FROM else None
        options = [
            self.alternatives(word, None if typed and i == last else postings)
            for i, word in enumerate(words)
        ]
        per_word = []
        for i, found in enumerate(options):
            scored = self._scored_word(postings, found, typed if i == last else None)
            if scored is not None:
                per_word.append(scored)
        if not per_word:
            return SearchResults(hits=[], total=0, page=1, pages=1)
        matched, scores = postings.intersection([scored for _, scored in per_word])
        matched_all = True
        if not len(matched) and len(per_word) > 1 and partial:
            # No document has every word: show those with the most of them, ranked by the sum
            # of their words' scores (each of them holds as many of the words).
            held, counts = np.unique(
                np.concatenate([scored[0] for _, scored in per_word]), return_counts=True
            )
            if len(held):
                _, summed = postings.union([scored for _, scored in per_word])
                most = counts == counts.max()
                matched, scores, matched_all = held[most], summed[most], False
        kinds, topics = postings.facets(matched)
        allowed = postings.keep(matched, kind, topic)
        total = len(allowed)
        pages = max(1, -(-total // per_page))
        page = max(1, min(page, pages))
        hits = []
        if total:
            ranked = postings.top(allowed, matched, scores, page * per_page)
            marks = self._marks(words, prefix_last, options) if snippets else None
            hits = [
                self._hit(postings.shown(docnum), marks)
                for docnum in ranked[(page - 1) * per_page : page * per_page]
            ]
        return SearchResults(
            hits=hits,
            total=total,
            page=page,
            pages=pages,
            kinds=kinds,
            topics=topics,
            matched_all_words=matched_all,
        )

    def _hit(self, shown: _Shown, marks: _Marks | None) -> Hit:
        if marks is None:
            return shown.hit
        hit = shown.hit
        snippet = self._snippet(shown.text, marks, shown.folded) or self._snippet(
            hit.summary, marks
        )
        return Hit(hit.kind, hit.slug, hit.url, hit.title, hit.summary, snippet, hit.topics)

    def _postings(self, searcher) -> _Postings:
        postings = self._postings_cached
        if postings is None or postings.searcher is not searcher:
            postings = _Postings(searcher)
            self._postings_cached = postings
        return postings

    def _scored_word(
        self, postings: _Postings, options: tuple[tuple[str, ...], ...], typed: str | None
    ):
        """(the documents a word requires, the same scored with its title bonus), or None for a
        stop word; made once per commit for the same `options` and `typed` (searches share
        most of their words)."""
        key = (options, typed)
        found = postings.words.get(key, False)
        if found is False:
            required, bonus = self._word_sets(postings, options, typed)
            found = None if required is None else (required, postings.and_maybe(required, bonus))
            postings.keep_word(key, found)
        return found

    def _word_sets(
        self, postings: _Postings, options: tuple[tuple[str, ...], ...], typed: str | None
    ):
        """(required, bonus) of one word: any of its `options` (`alternatives`) in `content`,
        the same in the title times TITLE_BOOST as a bonus; `typed`, the unfinished last word
        while typing (folded), also as the start of a title word. (None, None) for a word with
        no options (a stop word). What Whoosh's own query objects would find and score
        (`tests/search/test_engine.py` builds those and compares the rankings)."""
        if not options and not typed:
            return None, None
        required = [
            postings.intersection([postings.term("content", t) for t in terms]) for terms in options
        ]
        bonus = [
            postings.intersection([postings.term("title", t, TITLE_BOOST) for t in terms])
            for terms in options
        ]
        if typed:
            required.append(postings.prefix("title", typed))
            bonus.append(postings.prefix("title", typed, TITLE_BOOST))
        return postings.union(required), postings.union(bonus)

    # snippets

    def _marks(
        self, words: list[str], prefix_last: bool, options: list[tuple[tuple[str, ...], ...]]
    ) -> _Marks:
        """The analysed terms to mark (those of the words and of what they matched, their
        `options`: a known part such as "parkeerkaart" too), (while typing) the prefix of the
        last word, and the first letters of each (made once for all the hits), which the words
        that may be one of them hold."""
        searched = [*words, *(s for w in words for s in self.everyday.synonyms(_fold(w)))]
        terms = frozenset(t for word in searched for t in self._forms(word)) | {
            term for alternatives in options for option in alternatives for term in option
        }
        prefixes = (
            (_fold(words[-1]),) if prefix_last and words and len(words[-1]) >= PREFIX_FROM else ()
        )
        needles = {t[:5] for t in terms if len(t) >= 3} | {p[:5] for p in prefixes}
        return _Marks(terms, prefixes, tuple(sorted(needles)))

    def _forms(self, word: str) -> frozenset[str]:
        """What a word, or a short text such as a title with its summary, becomes in the index
        (cached: the vocabulary and the titles repeat a lot)."""
        forms = self._form_cache.get(word)
        if forms is None:
            forms = frozenset(t.text for t in self.analyzer(word))
            if len(self._form_cache) > 100_000:
                self._form_cache.clear()
            self._form_cache[word] = forms
        return forms

    def _snippet(self, text: str, marks: _Marks, folded: str | None = None) -> str:
        """Up to two short passages of `text` around matched words, HTML-escaped, with the
        matches in <mark>. Empty when no word matches. `folded`: the start of `text` as
        `_fold_text` makes it, when already known.

        The passages are those around the first six matches (a match close to the one before
        lengthens its passage); words are checked in the order of the text only until no later
        one could still be part of the second passage."""
        terms, prefixes, seen = marks.terms, marks.prefixes, marks.seen
        if not marks.needles:
            return ""
        source = text[:SNIPPET_SOURCE]
        if folded is None:
            folded = _fold_text(source)
        # Candidates are the words holding the first letters of a term (found with str.find, in
        # the order of the text); each is checked properly, once.
        starts = []
        for needle in marks.needles:
            found = folded.find(needle)
            while found != -1:
                starts.append(found)
                found = folded.find(needle, found + 1)
        starts.sort()
        matches: list[tuple[int, int]] = []
        passages: list[tuple[int, int]] = []
        checked_to = 0
        for start in starts:
            if start < checked_to:
                continue
            while start > 0 and folded[start - 1].isalnum():
                start -= 1
            if (
                len(passages) == 2
                and start - SNIPPET_CONTEXT > passages[1][1]
                and text.rfind(" ", 0, start - SNIPPET_CONTEXT) + 1 > passages[1][1]
            ):
                break  # this word's passage, and every later one's, would be a third
            end = WORD_TAIL.match(folded, start).end()  # type: ignore[union-attr]
            checked_to = end
            word = source[start:end]
            hit = seen.get(word)
            if hit is None:
                lower = word.lower()
                hit = not self._forms(lower).isdisjoint(terms) or bool(
                    prefixes and _fold(lower).startswith(prefixes)
                )
                seen[word] = hit
            if not hit:
                continue
            matches.append((start, end))
            if not passages or start >= passages[-1][1]:
                lo = max(0, text.rfind(" ", 0, max(0, start - SNIPPET_CONTEXT)) + 1)
                hi = text.find(" ", end + SNIPPET_CONTEXT)
                hi = len(text) if hi == -1 else hi
                if passages and lo <= passages[-1][1]:
                    # Close to the previous passage: one longer passage, never the same text
                    # twice.
                    passages[-1] = (passages[-1][0], hi)
                elif len(passages) == 2:
                    break
                else:
                    passages.append((lo, hi))
            if len(matches) == 6:
                break
        if not passages:
            return ""
        # Element content: only &, < and > need escaping, and most texts hold none of them.
        plain = "&" not in text and "<" not in text and ">" not in text
        html_of = str if plain else _element_text
        parts = []
        for lo, hi in passages:
            html, cursor = [], lo
            for s, e in matches:
                if lo <= s and e <= hi:
                    html.append(f"{html_of(text[cursor:s])}<mark>{html_of(text[s:e])}</mark>")
                    cursor = e
            html.append(html_of(text[cursor:hi]))
            parts.append("".join(html))
        # One "…" wherever text is left out: before, between and after the passages.
        before = "… " if passages[0][0] > 0 else ""
        return before + " … ".join(parts) + (" …" if passages[-1][1] < len(text) else "")

    def _speller(self, searcher) -> _Speller:
        speller = self._speller_cached
        if speller is None or self._speller_for is not searcher:
            speller = _Speller(searcher.reader(), self.dutch.stop)
            self._speller_cached, self._speller_for = speller, searcher
        return speller

    def suggest(self, words: list[str]) -> str | None:
        """Corrections for words that occur nowhere in the content, from the unstemmed words of
        titles, summaries and tags; None when every word is known or nothing better is found.
        A stop word ("onder", "omdat") is never searched for, so never corrected either."""
        searcher = self.searcher()
        reader = searcher.reader()
        speller = self._speller(searcher)
        corrected = []
        for word in words:
            folded = _fold(word)
            forms = self._forms(word)
            known = (
                len(folded) <= 3
                or not forms
                or bool(self.everyday.synonyms(folded))
                or any(("content", f) in reader for f in forms)
            )
            corrected.append(word if known else speller.suggest(folded) or word)
        return " ".join(corrected) if corrected != words else None


class _Speller:
    """The words of the spelling field grouped by first letter, with how often each occurs,
    read once per searcher. A suggestion starts with the same letter, is at most two edits
    away (Levenshtein) and is the most frequent such word (on a tie, the last alphabetically):
    what Whoosh's own corrector answers, computed by rapidfuzz's C++ instead of a Levenshtein
    automaton built in Python for every word. Stop words are never suggested: they are not
    searched for, so "hooi" corrected to "hoe" would only lose the word."""

    MAX_EDITS = 2

    def __init__(self, reader, stop: frozenset[str] = frozenset()) -> None:
        groups: dict[str, tuple[list[str], list[int]]] = {}
        for raw in reader.lexicon("spell"):
            word = _text(raw)
            if word in stop:
                continue
            words, counts = groups.setdefault(word[:1], ([], []))
            words.append(word)
            counts.append(reader.frequency("spell", word) or 1)
        self._groups = groups

    def suggest(self, word: str) -> str | None:
        # Imported here: it takes a tenth of a second, which every start would pay otherwise.
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import extract

        words, counts = self._groups.get(word[:1], ((), ()))
        close = extract(
            word,
            words,
            scorer=Levenshtein.distance,
            score_cutoff=self.MAX_EDITS,
            limit=None,
        )
        if not close:
            return None
        return max((counts[i], found) for found, _, i in close)[1]


@dataclass(frozen=True)
class _Marks:
    terms: frozenset[str]
    prefixes: tuple[str, ...]
    needles: tuple[str, ...]
    # Whether a word (as the text has it) is to be marked, once worked out: the hits of one
    # search share many words.
    seen: dict[str, bool] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class _Shown:
    """What a list of results needs of one document: its hit without a snippet, the start of its
    body, and the part of it where matches are looked for as `_fold_text` makes it."""

    hit: Hit
    text: str
    folded: str


class _Postings:
    """What one searcher (one commit) knows, as numpy arrays indexed by document number: the
    documents and BM25F scores of each term asked for (read from the index once, a block of
    postings at a time, and kept while the commit is current), and the kind and topics of every
    document for the facets and filters.

    A scored set is a pair (document numbers, sorted and unique; their scores). The scores are
    Whoosh's own: the BM25F formula of the searcher's weighting with its idf and average field
    length, a term's boost multiplied in, a sum over the words and forms that match;
    `tests/search/test_engine.py` compares the rankings with Whoosh's."""

    MAX_POSTINGS = 2_000_000
    # Searched words remembered (most find few documents or none, so their postings alone do
    # not bound how many there are).
    MAX_WORDS = 20_000
    # Documents kept ready to show (the stored fields are unpickled and the body folded once,
    # not for every results list): at most this many, some 6 kB each.
    MAX_SHOWN = 2_000

    def __init__(self, searcher) -> None:
        import numpy as np

        self.np = np
        self.searcher = searcher
        self.weighting = searcher.weighting
        if not isinstance(self.weighting, BM25F):
            raise TypeError("the scores are computed for BM25F only")
        self._terms: dict[tuple[str, str, float], tuple] = {}
        # Per searched word (its alternatives, and the start typed): SearchIndex._scored_word.
        self.words: dict[tuple, tuple | None] = {}
        self._postings = 0
        self._lengths: dict[str, list] = {}
        self._lock = threading.Lock()
        self._shown: dict[int, _Shown] = {}
        self._parts: dict[str, tuple[tuple[str, ...], ...]] = {}
        # Kind and topics from their columns (the stored fields would unpack every body).
        reader = searcher.reader()
        kind_column, topic_column = reader.column_reader("kind"), reader.column_reader("topics")
        kinds: list[str] = []
        topic_names: list[str] = []
        kind_codes = np.empty(searcher.doc_count_all(), dtype=np.int32)
        topic_rows: list[tuple[int, int]] = []
        for docnum in range(len(kind_codes)):
            name = _text(kind_column[docnum])
            if name not in kinds:
                kinds.append(name)
            kind_codes[docnum] = kinds.index(name)
            for topic in _split(_text(topic_column[docnum])):
                if topic not in topic_names:
                    topic_names.append(topic)
                topic_rows.append((docnum, topic_names.index(topic)))
        topic_matrix = np.zeros((len(kind_codes), max(1, len(topic_names))), dtype=bool)
        for docnum, column in topic_rows:
            topic_matrix[docnum, column] = True
        self.kinds, self.kind_codes = kinds, kind_codes
        self.topic_names, self.topic_matrix = topic_names, topic_matrix
        self.empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
        # Per leaf (segment): which documents are not deleted, or None when none is.
        self._alive: list = []
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            alive = None
            if reader.has_deletions():
                alive = np.zeros(reader.doc_count_all(), dtype=bool)
                alive[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
            self._alive.append(alive)

    # reading

    def term(self, fieldname: str, text: str, boost: float = 1.0):
        key = (fieldname, text, boost)
        found = self._terms.get(key)
        if found is None:
            found = self._keep(key, self._read(fieldname, text, boost))
        return found

    def shown(self, docnum: int) -> _Shown:
        """Document `docnum` as a list of results shows it (kept while the commit is current)."""
        found = self._shown.get(docnum)
        if found is None:
            stored = self.searcher.stored_fields(docnum)
            # Matches are looked for in the first SNIPPET_SOURCE characters; a passage may
            # run on a little past them.
            text = stored["body"][: SNIPPET_SOURCE + 1000]
            hit = Hit(
                kind=stored["kind"],
                slug=stored["slug"],
                url=stored["url"],
                title=stored["title"],
                summary=stored["summary"],
                topics=tuple(_split(stored.get("topics"))),
                snippet="",
            )
            found = _Shown(hit, text, _fold_text(text[:SNIPPET_SOURCE]))
            with self._lock:
                if len(self._shown) >= self.MAX_SHOWN:
                    self._shown.clear()
                self._shown[docnum] = found
        return found

    def _keep(self, key: tuple[str, str, float], found: tuple):
        """Remember a read term; past MAX_POSTINGS remembered postings (16 bytes each), those
        of the words too, start afresh, so a worker's memory stays bounded however many
        different words are asked."""
        with self._lock:
            self._count(len(found[0]))
            self._terms[key] = found
        return found

    def keep_word(self, key: tuple, found: tuple | None) -> None:
        """Remember the scored sets of a searched word (counted like a term's postings)."""
        with self._lock:
            self._count(sum(len(part[0]) for part in found) if found else 0)
            self.words[key] = found

    def _count(self, size: int) -> None:
        if self._postings + size > self.MAX_POSTINGS or len(self.words) >= self.MAX_WORDS:
            self._terms.clear()
            self.words.clear()
            self._postings = 0
        self._postings += size

    def _read(self, fieldname: str, text: str, boost: float):
        np = self.np
        parts_ids, parts_scores = [], []
        for (leaf, offset), alive, lengths in zip(
            self.searcher.leaf_searchers(), self._alive, self._field_lengths(fieldname), strict=True
        ):
            reader = leaf.reader()
            if (fieldname, text) not in reader:
                continue
            matcher = reader.postings(fieldname, text)
            if isinstance(matcher, FilterMatcher):  # the segment's deletions: `alive` below
                matcher = matcher.child
            ids, weights = _block_postings(matcher)
            if alive is not None:
                keep = alive[ids]
                ids, weights = ids[keep], weights[keep]
            scorer = self.weighting.scorer(leaf, fieldname, text)
            scores = bm25(scorer.idf, weights, lengths[ids], scorer.avgfl, scorer.B, scorer.K1)
            parts_ids.append(ids + offset)
            parts_scores.append(scores * boost if boost != 1.0 else scores)
        if not parts_ids:
            return self.empty
        return np.concatenate(parts_ids), np.concatenate(parts_scores)

    def known_parts(
        self, word: str, options: tuple[tuple[str, ...], ...], dutch: _Dutch
    ) -> tuple[tuple[str, ...], ...]:
        """For a word (folded) of which no document holds any of its `options`: its longest
        head and its longest modifier (the Dutch linking letters left off) that documents hold,
        each KNOWN_PART letters or more with as many beside it, as single-term options; else
        nothing. Remembered per word while this commit is current."""
        found = self._parts.get(word)
        if found is None:
            reader = self.searcher.reader()

            def held(part: str) -> str | None:
                term = dutch.stem(part)
                known = part not in dutch.stop and ("content", term) in reader
                return term if known else None

            found = ()
            if len(word) <= LONGEST_COMPOUND and not any(
                all(("content", t) in reader for t in terms) for terms in options
            ):
                ends = range(KNOWN_PART, len(word) - KNOWN_PART + 1)
                head = next((t for i in ends if (t := held(word[i:]))), None)
                modifier = next(
                    (
                        t
                        for i in reversed(ends)
                        for link in LINKING
                        if word[:i].endswith(link)
                        and i - len(link) >= KNOWN_PART
                        and (t := held(word[: i - len(link)]))
                    ),
                    None,
                )
                found = tuple((t,) for t in dict.fromkeys((head, modifier)) if t)
            if len(self._parts) > 10_000:
                self._parts.clear()
            self._parts[word] = found
        return found

    def _field_lengths(self, fieldname: str) -> list:
        """Per leaf: the length of `fieldname` in each document, as the scorer reads it."""
        found = self._lengths.get(fieldname)
        if found is None:
            np = self.np
            found = []
            for leaf, _ in self.searcher.leaf_searchers():
                reader = leaf.reader()
                count = reader.doc_count_all()
                lengths = (reader.doc_field_length(d, fieldname, 1) for d in range(count))
                found.append(np.fromiter(lengths, dtype=np.float64, count=count))
            self._lengths[fieldname] = found
        return found

    def prefix(self, fieldname: str, start: str, boost: float = 1.0):
        """The documents with a word in `fieldname` that begins with `start`, scored by Whoosh's
        own matcher (a prefix that expands to one word scores as that word, one that expands to
        several as their weights): titles are short and few, so this stays cheap."""
        key = (fieldname, start + "*", boost)
        found = self._terms.get(key)
        if found is None:
            np = self.np
            matcher = Prefix(fieldname, start, boost=boost).matcher(
                self.searcher, self.searcher.context()
            )
            ids: list[int] = []
            scores: list[float] = []
            while matcher.is_active():
                ids.append(matcher.id())
                scores.append(matcher.score())
                matcher.next()
            found = self._keep(
                key, (np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64))
            )
        return found

    # combining

    def union(self, parts: list):
        """Documents in any part; the scores of the parts that hold it, added."""
        np = self.np
        parts = [p for p in parts if len(p[0])]
        if not parts:
            return self.empty
        if len(parts) == 1:
            return parts[0]
        held, where = np.unique(np.concatenate([p[0] for p in parts]), return_inverse=True)
        return held, np.bincount(where, np.concatenate([p[1] for p in parts]), len(held))

    def intersection(self, parts: list):
        """Documents in every part; their scores added."""
        if not parts:
            return self.empty
        ids, scores = parts[0]
        for other_ids, other_scores in parts[1:]:
            ids, here, there = self.np.intersect1d(
                ids, other_ids, assume_unique=True, return_indices=True
            )
            scores = scores[here] + other_scores[there]
        return ids, scores

    def and_maybe(self, required, bonus):
        """The documents of `required`, with the score of `bonus` added where it matches too."""
        ids, scores = required
        _, here, there = self.np.intersect1d(ids, bonus[0], assume_unique=True, return_indices=True)
        scores = scores.copy()
        scores[here] += bonus[1][there]
        return ids, scores

    # results

    def facets(self, matched) -> tuple[dict[str, int], dict[str, int]]:
        np = self.np
        kinds = np.bincount(self.kind_codes[matched], minlength=len(self.kinds))
        topics = self.topic_matrix[matched].sum(axis=0)
        return (
            {name: int(n) for name, n in zip(self.kinds, kinds, strict=True) if n},
            {name: int(n) for name, n in zip(self.topic_names, topics, strict=False) if n},
        )

    def keep(self, matched, kind: str | None, topic: str | None):
        """`matched` without the documents of another kind or without `topic`."""
        if kind:
            code = self.kinds.index(kind) if kind in self.kinds else -2
            matched = matched[self.kind_codes[matched] == code]
        if topic:
            if topic not in self.topic_names:
                return matched[:0]
            matched = matched[self.topic_matrix[matched, self.topic_names.index(topic)]]
        return matched

    def top(self, allowed, matched, scores, limit: int) -> list[int]:
        """The `limit` best of `allowed` (a part of `matched`): highest score first, and on equal
        scores the lower document number, as Whoosh orders them."""
        np = self.np
        if len(allowed) != len(matched):
            scores = scores[np.searchsorted(matched, allowed)]
        order = np.lexsort((allowed, -scores))[:limit]
        return [int(d) for d in allowed[order]]


def _block_postings(matcher):
    """The document numbers and weights of a term in one segment, as arrays, read a block at
    a time (Whoosh's matcher would go one posting at a time, in Python)."""
    import numpy as np

    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        matcher._next_block()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


class IndexBusy(Exception):
    """Another process holds the index's write lock."""


def _fields(doc: SearchDocument) -> dict[str, str | datetime]:
    published = (
        datetime(doc.published.year, doc.published.month, doc.published.day)
        if doc.published
        else None
    )
    tags = " ".join(doc.tags).replace("-", " ")
    fields: dict[str, str | datetime] = {
        "key": doc.key,
        "kind": doc.kind,
        "slug": doc.slug,
        "url": doc.url,
        "fingerprint": doc.fingerprint,
        "title": doc.title,
        "summary": doc.summary,
        "body": doc.body,
        "content": " ".join(
            [doc.title] * FIELD_WEIGHTS["title"]
            + [doc.summary] * FIELD_WEIGHTS["summary"]
            + [tags] * FIELD_WEIGHTS["tags"]
            + [doc.body]
        ),
        "topics": ",".join(doc.topics),
        "spell": " ".join([doc.title, doc.summary, tags]),
    }
    if published:
        fields["published"] = published
    return fields


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _any(queries: list):
    return Or(queries) if len(queries) > 1 else queries[0]


def _all(queries: list):
    return And(queries) if len(queries) > 1 else queries[0]


def _element_text(text: str) -> str:
    """`text` escaped for the content of an HTML element (not for an attribute)."""
    return escape(text, quote=False)


def _fold(word: str) -> str:
    return word.lower().translate(FOLD)


def _fold_text(text: str) -> str:
    """Lower case with accents folded one to one (positions stay those of `text`). Only the
    runs of non-ASCII letters go through the table: translating every letter costs far more."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return NON_ASCII.sub(lambda run: run.group().translate(FOLD_ONE), lowered)


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]
