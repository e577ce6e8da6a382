"""A line chart of a published table, laid out here and drawn as SVG by a template (no
JavaScript). Held-back cells leave a gap in their line; the table beside it has every number."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.dashboard.service import Table, month_label

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
# Colours that keep a contrast of 3:1 or more on white, each with its own dash pattern, so a
# line is told apart without colour too.
STYLES = (
    ("#1f5f8b", ""),
    ("#b5470b", "8 4"),
    ("#2e7d32", "2 3"),
    ("#6a3d9a", "10 3 2 3"),
    ("#8a6d00", "4 4"),
    ("#c2185b", "12 4"),
    ("#37474f", "1 2"),
)


@dataclass
class Line:
    label: str
    colour: str
    dash: str
    segments: list[list[tuple[float, float]]] = field(default_factory=list)

    @property
    def points(self) -> list[tuple[float, float]]:
        return [point for segment in self.segments for point in segment]


@dataclass
class Chart:
    width: int
    height: int
    left: int
    bottom: float
    right: float
    ticks: list[tuple[float, int]]
    labels: list[tuple[float, str]]
    lines: list[Line]


def _nice_top(value: int) -> int:
    for step in (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return (value // 10000 + 1) * 10000


def layout(table: Table) -> Chart:
    """Where every point, tick and label goes."""
    values = [c.value for c in table.cells.values() if c.value is not None]
    top = _nice_top(max(values, default=0))
    months = table.months
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (span_x / 2 if len(months) == 1 else span_x * index / (len(months) - 1))

    def y(value: int) -> float:
        return TOP + span_y * (1 - value / top)

    lines = []
    for number, (key, label) in enumerate(table.categories):
        colour, dash = STYLES[number % len(STYLES)]
        line = Line(label, colour, dash)
        segment: list[tuple[float, float]] = []
        for index, month in enumerate(months):
            value = table.cell(month, key).value
            if value is None:
                if segment:
                    line.segments.append(segment)
                segment = []
            else:
                segment.append((round(x(index), 1), round(y(value), 1)))
        if segment:
            line.segments.append(segment)
        lines.append(line)
    every = max(1, len(months) // 6)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        bottom=HEIGHT - BOTTOM,
        right=WIDTH - RIGHT,
        ticks=[(round(y(top * i // 4), 1), top * i // 4) for i in range(5)],
        labels=[(round(x(i), 1), month_label(m)) for i, m in enumerate(months) if i % every == 0],
        lines=lines,
    )
