"""Dutch text rules for search that the stemmer misses, in plain Python (no search engine here).

- `normalise(word)`: irregular plurals and word families the Snowball stemmer keeps apart
  (ziekenhuizen/ziekenhuis, mantelzorger/mantelzorg, financiën/financieel, kinderen/kind).
- `phrase_synonyms(words)`: abbreviations for multi-word names (persoonsgebonden budget = pgb).
- `Everyday`: the everyday words of `content/spreektaal.txt` for what the articles call
  otherwise (ik kan niet meer = overbelasting, halsalarm = personenalarmering); applied to what
  is searched, not to the index.
- `Decompounder`: splits long compounds into known parts from `content/zoekwoorden.txt`, with
  the Dutch linking letters (-s-, -e-, -en-), so "verlof" finds "zorgverlof".
Input words are already lower-case and without accents.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

NORMAL_FORMS = {
    "mantelzorger": "mantelzorg",
    "mantelzorgers": "mantelzorg",
    "financiele": "financien",
    "financieel": "financien",
    "financiering": "financien",
    "kinderen": "kind",
    "ouders": "ouder",
    "wijkverpleegkundige": "wijkverpleging",
    "wijkverpleegkundigen": "wijkverpleging",
    "verpleegkundige": "verpleging",
    "verpleegkundigen": "verpleging",
    "mantelzorgmakelaars": "mantelzorgmakelaar",
    "dement": "dementie",
    "demente": "dementie",
    "alzheimer": "dementie",
    "persoonsalarmering": "personenalarmering",
    "alarmknop": "personenalarmering",
    "noodknop": "personenalarmering",
    "belastingaangifte": "belasting",
    "oma": "grootouder",
    "opa": "grootouder",
    "moeder": "ouder",
    "vader": "ouder",
    "mama": "ouder",
    "papa": "ouder",
    "zoon": "kind",
    "dochter": "kind",
}

# Plural endings the stemmer leaves odd ("ziekenhuizen" -> "ziekenhuiz").
SUFFIX_FORMS = (("huizen", "huis"),)

PHRASES = {
    ("persoonsgebonden", "budget"): "pgb",
    ("wet", "maatschappelijke", "ondersteuning"): "wmo",
    ("wet", "langdurige", "zorg"): "wlz",
    ("centraal", "administratie", "kantoor"): "cak",
    ("centrum", "indicatiestelling", "zorg"): "ciz",
    ("sociale", "verzekeringsbank"): "svb",
    ("wet", "arbeid", "en", "zorg"): "wazo",
    ("eigen", "bijdrage"): "eigenbijdrage",
}

_BY_LAST_WORD: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _phrase, _short in PHRASES.items():
    _BY_LAST_WORD.setdefault(_phrase[-1], []).append((_phrase, _short))

LINKING = ("", "s", "e", "en")
MIN_PART = 4


def normalise(word: str) -> str:
    """The common form of a word, or the word itself."""
    if word in NORMAL_FORMS:
        return NORMAL_FORMS[word]
    for ending, replacement in SUFFIX_FORMS:
        if word.endswith(ending) and len(word) > len(ending):
            return word[: -len(ending)] + replacement
    return word


def phrase_synonyms(words: list[str]) -> list[str]:
    """Abbreviations of the known phrases that end with the last of `words`."""
    if not words:
        return []
    candidates = _BY_LAST_WORD.get(words[-1], ())
    return [short for phrase, short in candidates if tuple(words[-len(phrase) :]) == phrase]


class Everyday:
    """The everyday words and phrases of `content/spreektaal.txt` (lines `everyday words =
    content word`) for what the content calls otherwise. A phrase of several words is searched as
    its content word: most of its words are stop words, so "ik kan niet meer" would find nothing
    at all. A single word is searched as itself or its content words: "halsalarm" also finds
    "personenalarmering", and an article that says "halsalarm" is still found. Words are lower
    case without accents."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.phrases: dict[tuple[str, ...], str] = {}
        self.words: dict[str, tuple[str, ...]] = {}
        for everyday, content in pairs:
            words = tuple(everyday.split())
            if len(words) > 1:
                self.phrases[words] = content
            elif words:
                self.words[words[0]] = (*self.words.get(words[0], ()), content)
        self._longest = max(map(len, self.phrases), default=0)

    @classmethod
    def parse(cls, text: str) -> tuple[Everyday, list[int]]:
        """The rules of `text` (lines starting with # are notes), and the numbers of the lines
        that are not a rule, which are left out (the editors' check reports them)."""
        pairs, wrong = [], []
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            everyday, equals, content = (part.strip() for part in line.partition("="))
            if equals and everyday and content and " " not in content:
                pairs.append((everyday.lower(), content.lower()))
            else:
                wrong.append(number)
        return cls(pairs), wrong

    def synonyms(self, word: str) -> tuple[str, ...]:
        """The content words a single everyday word also stands for (none for most words)."""
        return self.words.get(word, ())

    def replace_phrases(self, words: list[str], folded: list[str]) -> list[str]:
        """`words` with each phrase (matched on `folded`, the same words folded) replaced by its
        content word, longest first."""
        result: list[str] = []
        position = 0
        while position < len(words):
            for length in range(min(self._longest, len(words) - position), 1, -1):
                replacement = self.phrases.get(tuple(folded[position : position + length]))
                if replacement:
                    result.append(replacement)
                    position += length
                    break
            else:
                result.append(words[position])
                position += 1
        return result


class Decompounder:
    """Splits a compound into known words from `content/zoekwoorden.txt`.

    A word is split only when it is made entirely of known words, optionally joined by the
    Dutch linking letters (levens-testament, personen-alarmering): zorgverlof gives zorg and
    verlof, but aanvragen stays whole because "aan" is not on the list. Parts shorter than four
    letters are never used.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if len(w) >= MIN_PART)
        self._memo: dict[str, list[str]] = {}

    def __getstate__(self) -> dict:
        # Pickled into the index with the schema: the word list, without the memory of splits.
        return {**self.__dict__, "_memo": {}}

    @classmethod
    def from_file(cls, path: Path) -> Decompounder:
        if not path.exists():
            return cls(())
        lines = path.read_text(encoding="utf-8").splitlines()
        return cls(line.strip() for line in lines if line.strip() and not line.startswith("#"))

    def parts(self, word: str) -> list[str]:
        """The known words `word` is made of (empty when it is not such a compound)."""
        if len(word) < 2 * MIN_PART:
            return []
        if word not in self._memo:
            if len(self._memo) > 200_000:
                self._memo.clear()
            found = self._split(word, depth=0)
            self._memo[word] = [p for p in found if p != word] if found else []
        return self._memo[word]

    def _split(self, word: str, depth: int) -> list[str] | None:
        """Known parts covering all of `word`, head (the last part) first; None if impossible."""
        if depth > 3:
            return None
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head = word[i:]
            if head not in self.words:
                continue
            for link in LINKING:
                modifier = word[:i]
                if link:
                    if not modifier.endswith(link):
                        continue
                    modifier = modifier[: -len(link)]
                if len(modifier) < MIN_PART:
                    continue
                if modifier in self.words:
                    return [head, modifier]
                deeper = self._split(modifier, depth + 1)
                if deeper:
                    return [head, modifier, *deeper]
        return None
