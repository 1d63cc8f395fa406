"""Where the scorer reads a segment's postings: one interface over two stores.

A term with at least index/columns.py's MIN_POSTINGS postings in a segment has them there as plain
arrays (passages, frequencies, positions); any other term is read whole from Whoosh's postings,
through its public matcher API, into the same arrays. Either way a caller gets the live passages
only (deleted ones dropped), ascending, as numpy arrays: nothing downstream knows which store
answered. Numeric fields (year, date) likewise give each passage's value.
"""

from __future__ import annotations

import datetime
import weakref
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from whoosh.reading import TermNotFound
from whoosh.util.numeric import to_sortable
from whoosh.util.times import datetime_to_long

from svar.index import whoosh_compat
from svar.index.columns import segment_columns

if TYPE_CHECKING:
    import numpy as np

class Postings(NamedTuple):
    """A term's live passages in one segment (ascending) and its frequency in each. (The records here
    are named tuples, not dataclasses, for the reason search/plan.py gives.)"""

    docs: np.ndarray  # int64 array
    tf: np.ndarray  # float64 array


class Positions(NamedTuple):
    """A term's live passages, and its positions in each: ``positions[starts[i]:starts[i] + counts[i]]``."""

    docs: np.ndarray  # int64
    counts: np.ndarray  # int64
    starts: np.ndarray  # int64
    positions: np.ndarray  # uint16 (from the columns) or int64


class SegmentSource:
    """One segment of an open index, as the scorer reads it. Made once per segment reader."""

    def __init__(self, reader, offset: int) -> None:
        self.reader = reader
        self.offset = offset  # the segment's first passage's number in the whole index
        self.count = reader.doc_count_all()
        self.columns = segment_columns(reader)
        self.deleted_set: frozenset[int] = (whoosh_compat.deleted_docs(reader) if reader.has_deletions()
                                            else frozenset())
        self._length_bytes: dict[str, bytes] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._scratch: list[tuple[np.ndarray, np.ndarray]] = []

    @cached_property
    def deleted(self) -> np.ndarray:
        """The deleted passages, ascending (int64)."""
        import numpy as np

        return np.array(sorted(self.deleted_set), dtype=np.int64)

    @cached_property
    def live(self) -> np.ndarray:
        """Whether each passage is live (bool)."""
        import numpy as np

        live = np.ones(self.count, dtype=bool)
        live[self.deleted] = False
        return live

    def scratch(self) -> tuple[np.ndarray, np.ndarray]:
        """A float64 array of zeros and a bool array of False, a passage each, lent until
        ``give_back``: per-passage accumulators that cost no allocation (a large segment's pages
        mapped afresh for every search cost more than the scoring)."""
        try:
            return self._scratch.pop()  # one pair per evaluation in progress (threads search at once)
        except IndexError:
            import numpy as np

            return np.zeros(self.count), np.zeros(self.count, dtype=bool)

    def give_back(self, pair: tuple[np.ndarray, np.ndarray], touched: np.ndarray) -> None:
        """Return a scratch pair whose entries at ``touched`` (and only there) were changed."""
        values, flags = pair
        values[touched] = 0.0
        flags[touched] = False
        self._scratch.append(pair)

    # -- terms -------------------------------------------------------------------------------------

    def btext(self, field: str, text: str) -> bytes:
        return self.reader.schema[field].to_bytes(text)

    def postings(self, field: str, text: str) -> Postings:
        import numpy as np

        btext = self.btext(field, text)
        if self.columns is not None:
            stored = self.columns.postings(field, btext)
            if stored is not None:
                docs, tf = stored
                docs = docs.astype(np.int64)
                tf = tf.astype(np.float64)
                if self.deleted_set:
                    keep = self.live[docs]
                    docs, tf = docs[keep], tf[keep]
                return Postings(docs, tf)
        ids, weights = self._whoosh_postings(field, btext)
        return Postings(np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64))

    def _whoosh_postings(self, field: str, btext: bytes) -> tuple[list[int], list[float]]:
        try:
            m = self.reader.postings(field, btext)  # deleted passages already filtered out
        except TermNotFound:
            return [], []
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        return ids, weights

    def positions(self, field: str, text: str) -> Positions:
        import numpy as np

        btext = self.btext(field, text)
        if self.columns is not None:
            stored = self.columns.positions(field, btext)
            if stored is not None:
                docs, counts, flat = stored
                docs = docs.astype(np.int64)
                counts = counts.astype(np.int64)
                starts = np.cumsum(counts) - counts
                if self.deleted_set:
                    keep = self.live[docs]
                    docs, counts, starts = docs[keep], counts[keep], starts[keep]
                return Positions(docs, counts, starts, flat)  # uint16, widened where gathered
        ids, counts_list, flat_list = self._whoosh_positions(field, btext)
        counts_array = np.array(counts_list, dtype=np.int64)
        return Positions(np.array(ids, dtype=np.int64), counts_array, np.cumsum(counts_array) - counts_array,
                         np.array(flat_list, dtype=np.int64))

    def _whoosh_positions(self, field: str, btext: bytes) -> tuple[list[int], list[int], list[int]]:
        try:
            m = self.reader.postings(field, btext)  # deleted passages already filtered out
        except TermNotFound:
            return [], [], []
        ids, counts, flat = [], [], []
        while m.is_active():
            mine = m.value_as("positions")
            ids.append(m.id())
            counts.append(len(mine))
            flat.extend(mine)
            m.next()
        return ids, counts, flat

    def lengths(self, field: str) -> np.ndarray:
        """Each passage's length byte in ``field`` (uint8, deleted passages too)."""
        found = self._lengths.get(field)
        if found is None:
            import numpy as np

            found = self._lengths[field] = np.frombuffer(self.length_bytes(field), dtype=np.uint8)
        return found

    def length_bytes(self, field: str) -> bytes:
        """``lengths`` as bytes."""
        found = self._length_bytes.get(field)
        if found is None:
            found = whoosh_compat.length_bytes(self.reader, field)
            if found is None:  # not a whoosh3 segment: Whoosh's own lookup, a passage at a time
                found = bytes(_length_byte(self.reader.doc_field_length(n, field, 0)) for n in range(self.count))
            self._length_bytes[field] = found
        return found

    # -- filters -----------------------------------------------------------------------------------

    def term_docs(self, field: str, text: str) -> np.ndarray:
        """The live passages that hold a term of a keyword or ID field (no frequencies needed)."""
        return self.postings(field, text).docs

    def values(self, field: str) -> tuple[np.ndarray, np.ndarray]:
        """(values, present): each passage's value of a numeric field, in the order-preserving integer
        form Whoosh sorts numbers by, and whether it has one (deleted passages: False)."""
        import numpy as np

        stored = self.columns.values(field) if self.columns is not None else None
        if stored is not None:
            values, present = stored
            return values, present & self.live
        fieldobj = self.reader.schema[field]
        values = np.zeros(self.count, dtype=np.uint64)
        present = np.zeros(self.count, dtype=bool)
        for docnum, stored_fields in self.reader.iter_docs():  # live passages only
            value = stored_fields.get(field)
            if value is not None:
                values[docnum] = sortable(fieldobj, value)
                present[docnum] = True
        return values, present

def sortable(fieldobj, value) -> int:
    """A numeric field's value (a date: a datetime) as the unsigned integer its index terms sort by."""
    if isinstance(value, datetime.datetime):
        value = datetime_to_long(value)  # as DATETIME indexes it, and as DateRange holds its ends
    return to_sortable(fieldobj.numtype, fieldobj.bits, fieldobj.signed, fieldobj.prepare_number(value))


def _length_byte(length: int) -> int:
    from whoosh.util.numeric import length_to_byte

    return length_to_byte(length)


_SOURCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def segment_sources(searcher) -> list[SegmentSource]:
    """The searcher's segments, each read once per segment reader (a refreshed searcher keeps the
    readers of the segments that did not change, and with them what was read of them)."""
    sources = []
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        source = _SOURCES.get(reader)
        if source is None or source.offset != offset:
            source = _SOURCES[reader] = SegmentSource(reader, offset)
        sources.append(source)
    return sources
