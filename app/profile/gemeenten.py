"""The Dutch municipalities (`gemeenten.tsv`, from CBS), and finding one in what someone typed:
case, accents, hyphens and spaces do not matter, common names work ("Den Haag", "Den Bosch"),
and "Bergen" asks which of the two is meant."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SOURCE = Path(__file__).with_name("gemeenten.tsv")
# What people call a municipality, next to its CBS name.
ALSO_CALLED = {
    "den haag": "'s-Gravenhage",
    "the hague": "'s-Gravenhage",
    "den bosch": "'s-Hertogenbosch",
    "hertogenbosch": "'s-Hertogenbosch",
    "nuenen": "Nuenen, Gerwen en Nederwetten",
    "bergen limburg": "Bergen (L.)",
    "bergen noord holland": "Bergen (NH.)",
}
PROVINCE_NAMES = {"l": "Limburg", "nh": "Noord-Holland"}


class Ambiguous(Exception):
    """More than one municipality has this name; `names` are the candidates."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(names)
        self.names = names


def key(text: str) -> str:
    """Lower case, no accents, apostrophes or punctuation, single spaces; "gemeente" dropped."""
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c)).replace("'", "")
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    if words[:1] == ["gemeente"]:
        words = words[1:]
    return " ".join(words)


@dataclass
class Municipalities:
    names: list[str]
    by_key: dict[str, list[str]] = field(default_factory=dict)

    def find(self, text: str) -> str | None:
        """The CBS name of the municipality meant by `text`, or None; raises Ambiguous."""
        found = self.by_key.get(key(text), [])
        if len(found) > 1:
            raise Ambiguous(found)
        return found[0] if found else None


@cache
def municipalities(path: Path = SOURCE) -> Municipalities:
    names = [
        line.split("\t", 1)[1].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    known = Municipalities(names=names)

    def add(alias: str, name: str) -> None:
        entries = known.by_key.setdefault(key(alias), [])
        if name not in entries:
            entries.append(name)

    for name in names:
        add(name, name)
        base = re.sub(r"\s*\(.*\)$", "", name)
        if base != name:  # "Bergen (L.)" is also "Bergen" (ambiguous) and "Bergen L"
            add(base, name)
    for alias, name in ALSO_CALLED.items():
        add(alias, name)
    return known


def province_hint(name: str) -> str:
    """ "Bergen (L.)" -> "Bergen (L.), in Limburg"."""
    match = re.search(r"\((\w+)\.\)$", name)
    province = PROVINCE_NAMES.get(match.group(1).lower()) if match else None
    return f"{name}, in {province}" if province else name
