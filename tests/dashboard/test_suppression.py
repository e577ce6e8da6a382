"""Disclosure control: no published number rests on 1 to 9 people, and none can be found by
subtracting published numbers from a published total."""

from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.statistics import Series
from app.dashboard.models import TOTAL
from app.dashboard.service import protected
from app.dashboard.suppression import COMPLEMENT, SMALL, THRESHOLD, protect, round_to_step

# Populations: a row of up to 8 categories, most counts small, some large, zeros included.
counts = st.one_of(st.integers(0, 12), st.integers(0, 400))
rows = st.dictionaries(st.sampled_from("abcdefgh"), counts, min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(rows)
def test_no_published_cell_or_difference_rests_on_fewer_than_ten(row):
    cells, total = protect(row)
    assert set(cells) == set(row)
    published = {key: cell.value for key, cell in cells.items() if cell.value is not None}
    held = [key for key, cell in cells.items() if cell.value is None]
    for key, value in published.items():
        # A published cell is 0 (it rests on no one) or 10 or more, rounded to 5.
        assert value == 0 or value >= THRESHOLD, (row, cells)
        assert value % 5 == 0
        assert value == round_to_step(row[key])
    if total.value is None:
        # The whole row is held back: its total is 1 to 9, so every cell is too.
        assert 0 < sum(row.values()) < THRESHOLD
        assert not published
        return
    difference = total.value - sum(published.values())
    if held:
        # What the held-back cells add up to, as far as the published numbers tell.
        assert difference >= THRESHOLD, (row, cells, total)
        assert sum(row[key] for key in held) >= THRESHOLD
    else:
        assert difference == 0
    # Every cell of 1 to 9 is held back.
    assert all(cells[key].value is None for key, value in row.items() if 0 < value < THRESHOLD)


def test_small_cells_say_less_than_ten_and_their_complement_says_x():
    cells, total = protect({"ouder": 120, "partner": 4, "kind": 31, "naaste": 0})
    assert cells["partner"].shown == SMALL
    assert cells["kind"].shown == COMPLEMENT  # 4 alone could be found from the total
    assert cells["ouder"].shown == "120" and cells["naaste"].shown == "0"
    assert total.shown == "155"  # 120 + round(4 + 31 = 35)


@pytest.mark.parametrize(
    ("row", "shown"),
    [
        ({"a": 3, "b": 4}, {"a": SMALL, "b": SMALL, "total": SMALL}),
        ({"a": 0, "b": 0}, {"a": "0", "b": "0", "total": "0"}),
        ({"a": 12, "b": 13}, {"a": "10", "b": "15", "total": "25"}),
        ({"a": 6, "b": 7, "c": 50}, {"a": SMALL, "b": SMALL, "c": "50", "total": "65"}),
    ],
)
def test_rows(row, shown):
    cells, total = protect(row)
    assert {**{k: c.shown for k, c in cells.items()}, "total": total.shown} == shown


# A population: each person falls in one category in one month.
people = st.lists(
    st.tuples(st.sampled_from(["2026-09", "2026-10", "2026-11"]), st.sampled_from("abcde")),
    max_size=300,
)


@settings(max_examples=200, deadline=None)
@given(people)
def test_a_population_is_published_without_groups_below_ten(population):
    series = Series(
        key="s",
        title="t",
        description="d",
        unit="mensen",
        categories=tuple((c, c.upper()) for c in "abcde"),
        cells=Counter(population),
    )
    for month, cells in protected(series, since=date(2026, 1, 1)).items():
        truth = Counter(c for m, c in population if m == f"{month:%Y-%m}")
        total = cells.pop(TOTAL)
        shown = {key: cell.value for key, cell in cells.items() if cell.value is not None}
        assert all(value == 0 or value >= THRESHOLD for value in shown.values())
        assert all(value == round_to_step(truth[key]) for key, value in shown.items())
        if total.value is None:
            assert 0 < sum(truth.values()) < THRESHOLD and not shown
        elif len(shown) < len(cells):
            assert total.value - sum(shown.values()) >= THRESHOLD
            assert sum(truth[key] for key in cells if key not in shown) >= THRESHOLD
        else:
            assert total.value == sum(shown.values())
