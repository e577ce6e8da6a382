"""Disclosure control for the public figures: no published number rests on 1 to 9 people.

Per period (a row of a series): a cell of 1 to 9 is shown as "< 10"; when the cells held back
add up to less than 10, the smallest other cells are held back too (shown as "x"), so the total
minus the published cells never reveals a small group. Published counts are rounded to 5, and
the published total is the sum of the rounded published cells plus the rounded sum of the
cells held back, so that difference is always 10 or more. A row whose total is 1 to 9 is
held back whole. A count of 0 rests on no one and is published as 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

THRESHOLD = 10
STEP = 5
SMALL = "< 10"
COMPLEMENT = "x"


@dataclass(frozen=True)
class Cell:
    """A published number, or None with the mark that says why it is held back."""

    value: int | None
    mark: str = ""

    @property
    def shown(self) -> str:
        return self.mark if self.value is None else str(self.value)


def round_to_step(count: int) -> int:
    """Round to the nearest multiple of 5 (halves up); 10 to 12 become 10, 13 becomes 15."""
    return (count + STEP // 2) // STEP * STEP


def protect(counts: Mapping[str, int]) -> tuple[dict[str, Cell], Cell]:
    """The published cells of one row, and its published total."""
    total = sum(counts.values())
    if 0 < total < THRESHOLD:
        return {key: Cell(None, SMALL) for key in counts}, Cell(None, SMALL)
    small = {key for key, value in counts.items() if 0 < value < THRESHOLD}
    held = set(small)
    while held and sum(counts[key] for key in held) < THRESHOLD:
        smallest = min(
            (key for key, value in counts.items() if key not in held and value > 0),
            key=lambda key: (counts[key], key),
        )
        held.add(smallest)
    cells = {
        key: (
            Cell(None, SMALL if key in small else COMPLEMENT)
            if key in held
            else Cell(round_to_step(value))
        )
        for key, value in counts.items()
    }
    published = sum(cell.value for cell in cells.values() if cell.value is not None)
    hidden = sum(counts[key] for key in held)
    return cells, Cell(published + (round_to_step(hidden) if held else 0))
