"""Matches per year as bars: the geometry of the web page's histogram over time, without links or text.

The counts are the search's year facet, so that a bar's count is exactly what its year's filter returns
(passages, or answers with one hit per answer). Every year from the first to the last that matches gets
a slot of the same width, an empty one where nothing matched, so that time reads evenly left to right.
Lengths are CSS pixels: the page draws the chart at its natural size (scrolling sideways if a narrow
screen needs it) rather than scaling it, so that its labels stay readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BAR_AREA = 72  # the tallest bar
COUNT_SPACE = 16  # above the bars: a count label over the tallest one
YEAR_SPACE = 16  # under the baseline: the year labels
MIN_BAR = 2  # a year with a match is never drawn flat, however tall the tallest is
DIGIT = 7  # how wide a digit of a label is (11px tabular figures, with room to spare)
YEAR_LABEL = 4 * DIGIT + 2  # a four-digit year and a little space before the next
SIDE = 6  # room at either end for half a year label wider than its slot
MIN_SLOT = 20
MAX_SLOT = 48
WIDTH = 640  # what the slots share when they are few enough to be wider than the narrowest
LABEL_STEPS = (1, 2, 5, 10)  # with narrow slots, years are written every 2nd, 5th or 10th year


@dataclass(frozen=True)
class Bar:
    """One year's slot: its bar (none for a year with no match) and where its labels go."""

    year: int
    count: int  # 0: a year between the first and the last with no match
    left: int  # the slot's left edge: the slot is the whole of the bar's column, labels included
    x: int  # the bar's left edge
    width: int  # the bar's width
    height: float  # 0 for an empty year; the tallest bar is BAR_AREA
    y: float  # the bar's top
    count_y: float  # the count label's text baseline, just over the bar
    center: float  # the middle of the slot, where its count and year are written
    labelled: bool  # whether its year is written under it


@dataclass(frozen=True)
class Histogram:
    bars: tuple[Bar, ...]  # one per year from the first to the last that matches, in order
    slot: int  # every slot's width (the first starts at SIDE)
    width: int
    height: int
    baseline: int  # where the bars stand
    year_y: int  # the year labels' text baseline
    tallest: int  # the largest count, drawn BAR_AREA high
    undated: int  # matches the year facet does not count: they have no date

    @property
    def first(self) -> int:
        return self.bars[0].year

    @property
    def last(self) -> int:
        return self.bars[-1].year


def year_histogram(year_counts: Mapping[str, int], total: int) -> Histogram | None:
    """The bars for a year facet (year as text → how many matched), of a search that matched ``total``.

    None when fewer than two years match: one bar says nothing the year facet and the total do not
    (and with a year filter set, only that year can match).
    """
    counts = {int(year): count for year, count in year_counts.items() if year.isdigit() and count > 0}
    if len(counts) < 2:
        return None
    first, last = min(counts), max(counts)
    years = last - first + 1
    tallest = max(counts.values())
    # Wide enough for the largest count's digits; wider, up to MAX_SLOT, while they fit in WIDTH.
    slot = max(MIN_SLOT, DIGIT * len(str(tallest)) + 4, min(MAX_SLOT, WIDTH // years))
    step = next((s for s in LABEL_STEPS if s * slot >= YEAR_LABEL), LABEL_STEPS[-1])
    gap = max(4, slot // 4)
    baseline = COUNT_SPACE + BAR_AREA
    bars = []
    for i, year in enumerate(range(first, last + 1)):
        count = counts.get(year, 0)
        height = max(MIN_BAR, round(BAR_AREA * count / tallest, 1)) if count else 0.0
        left = SIDE + i * slot
        bars.append(Bar(year=year, count=count, left=left, x=left + gap // 2, width=slot - gap, height=height,
                        y=round(baseline - height, 1), count_y=round(baseline - height - 4, 1),
                        center=left + slot / 2, labelled=year % step == 0))
    return Histogram(bars=tuple(bars), slot=slot, width=years * slot + 2 * SIDE, height=baseline + YEAR_SPACE,
                     baseline=baseline, year_y=baseline + YEAR_SPACE - 3, tallest=tallest,
                     undated=max(0, total - sum(counts.values())))
