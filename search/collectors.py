"""What a search makes of its scored passages: the page in the asked order, one hit per answer,
facet counts. Each collector reads the same scored matches (search/scorer.py), so asking for
facets or another order never changes which passages match or what they score.

Orders, all total: relevance is score (highest first), then dnr, then the passage's place in its
answer; newest / oldest put the answer's date first (undated answers last either way), then
relevance. One hit per answer keeps each answer's best passage (the first in that order).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from whoosh.columns import ColumnReader


from .sources import SegmentSource

if TYPE_CHECKING:
    import numpy as np


@dataclass
class Matches:
    """Every passage a search matched, over the whole index: global passage numbers (ascending)
    and scores."""

    docs: np.ndarray  # int64
    scores: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.docs)


class Columns:
    """The per-passage values the orders need (dnr, date), read once per segment reader."""

    def __init__(self, searcher, sources: list[SegmentSource]) -> None:
        self.searcher = searcher
        self.sources = sources
        self._dnr: ColumnReader | None = None

    def dnr(self, docnum: int) -> str:
        if self._dnr is None:
            self._dnr = _column(self.searcher, "dnr")
        return self._dnr[docnum]

    def dnrs(self, docs: np.ndarray) -> list[str]:
        return [self.dnr(d) for d in docs.tolist()]

    def dates(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(value, present) of each passage's date (global passage numbers, ascending)."""
        import numpy as np

        values = np.zeros(len(docs), dtype=np.uint64)
        present = np.zeros(len(docs), dtype=bool)
        for source in self.sources:
            low, high = np.searchsorted(docs, [source.offset, source.offset + source.count])
            if low == high:
                continue
            local = docs[low:high] - source.offset
            segment_values, segment_present = source.values("date")
            values[low:high] = segment_values[local]
            present[low:high] = segment_present[local]
        return values, present


_COLUMNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _column(searcher, fieldname: str) -> ColumnReader:
    """A sortable field's column over the whole index, opened once per reader (opening reads
    every segment's offsets)."""
    reader = searcher.reader()
    per_reader = _COLUMNS.setdefault(reader, {})
    if fieldname not in per_reader:
        per_reader[fieldname] = reader.column_reader(fieldname)
    return per_reader[fieldname]


def ordered(matches: Matches, columns: Columns, sort: str, start: int, stop: int) -> list[int]:
    """Indexes into ``matches`` of the entries ranked [start, stop) in ``sort`` order."""
    import numpy as np

    n = len(matches)
    stop = min(stop, n)
    if start >= stop:
        return []
    scores = matches.scores
    if sort == "relevance":
        if stop < n:
            # Only what can reach the page: every entry scoring at least the stop-th best.
            kth = np.partition(scores, n - stop)[n - stop]
            candidates = np.flatnonzero(scores >= kth)
        else:
            candidates = np.arange(n)
        keys = [(-float(scores[i]), i) for i in candidates.tolist()]
        keys.sort()
        order = [i for _, i in keys]
        return _break_ties(order, [(-float(scores[i]),) for i in order], matches.docs, columns, start, stop)
    values, present = columns.dates(matches.docs)
    last = np.iinfo(np.uint64).max  # an undated passage's key: after every date, either way
    primary = np.where(present, last - values if sort == "newest" else values, last)
    # lexsort: the last key is the primary one; the passage number makes the order total.
    order = np.lexsort((matches.docs, -scores, ~present, primary)).tolist()
    date_keys = [(bool(not present[i]), int(primary[i]), -float(scores[i])) for i in order]
    return _break_ties(order, date_keys, matches.docs, columns, start, stop)


def _break_ties(order: list[int], keys: list[tuple], docs: np.ndarray, columns: Columns,
                start: int, stop: int) -> list[int]:
    """``order`` (indexes into ``docs``, global passage numbers) with each run of equal keys that
    reaches into [start, stop) sorted by dnr, then passage: the same answers in the same order
    however the index was built."""
    low, high = start, min(stop, len(order))
    while low > 0 and keys[low - 1] == keys[low]:
        low -= 1
    while high < len(order) and keys[high] == keys[high - 1]:
        high += 1
    run_start = low
    result = order[:]
    while run_start < high:
        run_end = run_start + 1
        while run_end < high and keys[run_end] == keys[run_start]:
            run_end += 1
        if run_end - run_start > 1:
            run = order[run_start:run_end]
            # Within an answer, passages are numbered in the order they were written.
            run.sort(key=lambda i: (columns.dnr(int(docs[i])), int(docs[i])))
            result[run_start:run_end] = run
        run_start = run_end
    return result[start:stop]


def best_per_answer(matches: Matches, columns: Columns, sort: str,
                    dnrs: list[str] | None = None) -> tuple[Matches, list[int]]:
    """One entry per answer, its best passage in ``sort`` order, and how many of its passages matched.
    ``dnrs``: each match's answer, when the caller has read them already (reading costs µs a passage)."""
    import numpy as np

    order = ordered(matches, columns, sort, 0, len(matches))
    if dnrs is None:
        dnrs = columns.dnrs(matches.docs[order]) if order else []
    else:
        dnrs = [dnrs[i] for i in order]
    first: dict[str, int] = {}
    counts: dict[str, int] = {}
    for i, dnr in zip(order, dnrs):
        if dnr not in first:
            first[dnr] = i
            counts[dnr] = 0
        counts[dnr] += 1
    kept = np.array(sorted(first.values()), dtype=np.int64)
    best = Matches(matches.docs[kept], matches.scores[kept])
    by_doc = {int(matches.docs[i]): counts[dnr] for dnr, i in first.items()}
    return best, [by_doc[int(d)] for d in best.docs.tolist()]


def count_within(matches: Matches, selected: np.ndarray, answers: np.ndarray | None = None) -> int:
    """How many matches are among ``selected`` (global passage numbers, ascending); with ``answers``
    (each match's answer as a number), how many answers have a match among them."""
    import numpy as np

    if not len(selected) or not len(matches):
        return 0
    at = np.minimum(np.searchsorted(selected, matches.docs), len(selected) - 1)
    inside = selected[at] == matches.docs
    if answers is None:
        return int(np.count_nonzero(inside))
    from .arrays import distinct

    return int(distinct(answers[inside]).size)
