"""The archive's chart of articles per month: geometry computed at build time, drawn as
inline SVG by archive.html. Bars carry their numbers and titles, so the chart reads
without colour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from digest.models import quick_repr
from digest.views import MONTHS

WIDTH = 640
HEIGHT = 180
TOP = 16  # room for the count above the tallest bar
BOTTOM = 20  # room for the year labels
LABEL_COUNTS_UP_TO = 24  # with more bars, counts are in each bar's title only


@quick_repr
@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    count: int
    url: str


@quick_repr
@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@quick_repr
@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    baseline: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    label_counts: bool
    first: str
    last: str
    peak: int
    peak_label: str
    description: str


def _months(first: date, last: date) -> list[tuple[int, int]]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly(counts: dict[tuple[int, int], int], url_of: dict[tuple[int, int], str]) -> Chart:
    """A bar per month from the first to the last with articles (empty months included)."""
    if not counts:
        return Chart(WIDTH, HEIGHT, HEIGHT - BOTTOM, (), (), False, "", "", 0, "", "")
    keys = sorted(counts)
    months = _months(date(*keys[0], 1), date(*keys[-1], 1))
    peak = max(counts.values())
    slot = WIDTH / len(months)
    baseline = HEIGHT - BOTTOM
    bars, ticks = [], []
    for i, (year, month) in enumerate(months):
        label = f"{MONTHS[month - 1]} {year}"
        count = counts.get((year, month), 0)
        height = round((baseline - TOP) * count / peak, 1)
        if count:
            bars.append(Bar(round(i * slot + slot * 0.1, 1), round(baseline - height, 1),
                            round(slot * 0.8, 1), height, label, count, url_of[(year, month)]))
        if month == 1 or i == 0:
            ticks.append(Tick(round(i * slot, 1), str(year)))
    peak_month = max(keys, key=lambda k: (counts[k], k))
    name = lambda k: f"{MONTHS[k[1] - 1]} {k[0]}"  # noqa: E731
    description = "; ".join(f"{name(k)}: {counts[k]}" for k in keys)
    return Chart(WIDTH, HEIGHT, baseline, tuple(bars), tuple(ticks),
                 len(months) <= LABEL_COUNTS_UP_TO, name(keys[0]), name(keys[-1]), peak,
                 name(peak_month), description)
