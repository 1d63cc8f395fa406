"""Each segment's common terms as plain arrays (passages, weights) beside its Whoosh postings.

Whoosh keeps a field's term frequencies in pickled, zlib-compressed blocks together with its
positions: reading one posting back costs about 1.5 µs in Python, and a question of common words
has hundreds of thousands of them. Here a term with at least MIN_POSTINGS postings in a segment
(of any indexed field: text fields are scored from them, filter fields such as party and year
make filters) is also written as two arrays that a reader maps whole; rarer terms are read from
Whoosh.

A term of the field with positions (exact: every word as written) also gets its positions, so that
a phrase is matched with array operations rather than by decoding every candidate's positions.
A numeric field (year, date, ...) holding one value a passage also gets every passage's value, so
that a range (--since, --until) is one comparison rather than the union of thousands of terms.

File layout (little-endian): MAGIC, then per term its passages (uint32), weights (uint16: only
terms whose weights are all whole numbers below 65,536 get columns) and, with code POSITIONS, its
positions (uint16, each passage's in order, as many as its weight). A field's values (code VALUES):
per passage its value as the field's lowest precision term spells it (uint64, big-endian bytes
read as a number: the terms' order), then whether it has one (uint8). Then the directory: the
keys (field name, a zero byte, the term's bytes; a one byte instead for a field's values), sorted,
one after another; a record a key (_RECORD: where its key starts and its length, then offset,
count, code and number of positions of its arrays) in the keys' order; and last _TAIL: where the
keys start, where the records start, and how many there are. A search looks its terms up by
bisection in the mapped file, so opening a segment reads nothing but the tail (unmarshalling a
directory of 30,000 terms took a cold `svar search` 50 ms a segment). Every index of the current
schema version was written in this layout; the earlier ones (SVARCOL1, SVARCOL2) belong to indexes
svar refuses to open ("run `svar index --rebuild`").
"""

from __future__ import annotations

import mmap
import os
import struct
import sys
import weakref
from array import array
from bisect import bisect_left
from itertools import chain

from . import whoosh_compat

MAGIC = b"SVARCOL3"
EXTENSION = ".cols"
# Fewer postings than this are cheaper to read from Whoosh than to list in the directory.
MIN_POSTINGS = 64
# A term's encoding, kept in the directory: whole weights; whole weights and positions.
WHOLE, POSITIONS, VALUES = 0, 1, 2
_TAIL = struct.Struct("<QQQ")  # keys start, records start, record count
_RECORD = struct.Struct("<QIQIBQ")  # key start (from the keys' start), key length, offset, count, code, positions


def temporary_name(segment_id: str) -> str:
    # Not "<segment id>.…": Whoosh would pack a file with that prefix into the compound segment.
    # Whoosh's clean-up removes this name if the writer dies before renaming it.
    return f"{segment_id}cols.tmp"


def final_name(segment_id: str) -> str:
    # Named like the segment's own files, so Whoosh deletes it together with its segment.
    return f"{segment_id}{EXTENSION}"


class ColumnWriter:
    """Writes the columns of one segment as its terms arrive in order."""

    def __init__(self, path: str, fields: frozenset[str], positioned: frozenset[str] = frozenset(),
                 numeric: frozenset[str] = frozenset()) -> None:
        self.fields = fields
        self.positioned = positioned  # fields in Whoosh's Positions format: their positions too
        self.numeric = numeric  # Whoosh NUMERIC fields (DATETIME too): each passage's value
        self._file = open(path, "wb")
        self._file.write(MAGIC)
        self._offset = len(MAGIC)
        self._directory: dict[tuple[str, bytes | None], tuple[int, int, int, int]] = {}
        self._values: dict[str, list[tuple[int, array]]] = {}  # field → (value, passages) a term

    def add(self, fieldname: str, btext: bytes, docnums: array, weights: array,
            values: list[bytes] | None = None) -> None:
        """One term's postings: ascending document numbers (array "I"), their weights (array "d")
        and, for a field in Whoosh's Positions format, their encoded values (positions)."""
        count = len(docnums)
        if count < MIN_POSTINGS:
            return
        import numpy as np

        ids = np.frombuffer(docnums, dtype=np.uint32).astype("<u4", copy=False)
        w = np.frombuffer(weights, dtype=np.float64)
        if not bool(np.all((w >= 0) & (w < 65536) & (w == np.floor(w)))):
            # Whoosh reads some blocks' weights back as 32-bit floats: only whole numbers are the
            # same either way, so other terms are read from Whoosh.
            return
        packed = w.astype("<u2")
        positions = _positions(values, packed) if values is not None else None
        code = WHOLE if positions is None else POSITIONS
        self._directory[(fieldname, btext)] = (self._offset, count, code, 0 if positions is None else len(positions))
        self._file.write(ids.tobytes())
        self._file.write(packed.tobytes())
        self._offset += ids.nbytes + packed.nbytes
        if positions is not None:
            self._file.write(positions.tobytes())
            self._offset += positions.nbytes

    def add_value(self, fieldname: str, value: int, docnums: array) -> None:
        """The passages whose value of numeric field ``fieldname`` is ``value`` (its lowest precision
        term's bytes after the precision byte, read big-endian)."""
        self._values.setdefault(fieldname, []).append((value, docnums))

    def _write_values(self, doc_count: int) -> None:
        # Plain arrays, not numpy: a segment of one new answer has no term with columns, and
        # importing numpy for its values alone was a fifth of `svar index`'s time for one answer.
        # (A bulk segment's values take about a second this way, of a build's many minutes.)
        for fieldname, terms in self._values.items():
            values = array("Q", bytes(8 * doc_count))
            present = bytearray(doc_count)
            try:
                for value, docnums in terms:
                    for docnum in docnums:
                        if present[docnum]:
                            raise ValueError("two values")
                        values[docnum] = value
                        present[docnum] = 1
            except (ValueError, IndexError, OverflowError):
                continue  # a passage with two values (or out of range): the terms serve this field
            if sys.byteorder == "big":
                values.byteswap()
            self._directory[(fieldname, None)] = (self._offset, doc_count, VALUES, 0)
            self._file.write(values.tobytes())
            self._file.write(present)
            self._offset += 9 * doc_count

    def close(self, doc_count: int = 0) -> None:
        """Finish the file; ``doc_count``: the segment's passages, for the numeric fields' values."""
        self._write_values(doc_count)
        keyed = sorted((_key(fieldname, btext), entry) for (fieldname, btext), entry in self._directory.items())
        keys, records, start = [], [], 0
        for key, (offset, count, code, positions) in keyed:
            keys.append(key)
            records.append(_RECORD.pack(start, len(key), offset, count, code, positions))
            start += len(key)
        self._file.write(b"".join(keys))
        self._file.write(b"".join(records))
        self._file.write(_TAIL.pack(self._offset, self._offset + start, len(records)))
        self._file.close()

    def discard(self) -> None:
        self._file.close()


def _positions(values: list[bytes], weights):
    """A term's positions, passage after passage (uint16), from Whoosh's encoded values; None when
    a passage's count of positions is not its weight (a field boost) or a position is past 65,535."""
    import numpy as np

    deltas = whoosh_compat.position_deltas(values)
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    if not np.array_equal(counts, weights):
        return None
    flat = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(counts.sum()))
    # Each passage's positions are deltas from its previous one: a running sum started afresh.
    running = np.cumsum(flat)
    before = np.concatenate(([0], running))[np.cumsum(counts) - counts]
    absolute = running - np.repeat(before, counts)
    if len(absolute) and (absolute.min() < 0 or absolute.max() > 65535):
        return None
    return absolute.astype("<u2")


def _key(fieldname: str, btext: bytes | None) -> bytes:
    # Field names are identifiers: the byte after the name tells a term from the field's values.
    return fieldname.encode("utf-8") + (b"\x01" if btext is None else b"\x00" + btext)


class _SortedKeys:
    """The directory's keys as a sequence, read from the map as bisection asks for them."""

    __slots__ = ("_map", "_keys", "_records", "_count")

    def __init__(self, map_: mmap.mmap, keys: int, records: int, count: int) -> None:
        self._map, self._keys, self._records, self._count = map_, keys, records, count

    def __len__(self) -> int:
        return self._count

    def record(self, i: int) -> tuple[int, int, int, int, int, int]:
        return _RECORD.unpack_from(self._map, self._records + i * _RECORD.size)

    def __getitem__(self, i: int) -> bytes:
        start, length = self.record(i)[:2]
        start += self._keys
        return self._map[start:start + length]


class SegmentColumns:
    """The columns of one segment, mapped read-only."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        size = len(self._map)
        magic = self._map[:len(MAGIC)]
        self._found: dict[tuple[str, bytes | None], tuple | None] = {}  # lookups so far, misses too
        if magic != MAGIC or size < len(MAGIC) + _TAIL.size:
            raise ValueError(f"{path}: not a column file")
        keys, records, count = _TAIL.unpack(self._map[-_TAIL.size:])
        if not (len(MAGIC) <= keys <= records and records + count * _RECORD.size == size - _TAIL.size):
            raise ValueError(f"{path}: damaged column file")
        self._sorted = _SortedKeys(self._map, keys, records, count)
        self._end = keys  # where the arrays end: each entry is checked against it when looked up
        self._keys_end = records

    def entries(self):
        """Every (field, term bytes or None for its values) with its (offset, count, code, positions)."""
        keys = self._sorted
        for i in range(len(keys)):
            fieldname, separator, btext = keys[i].partition(b"\x00")
            if not separator:
                fieldname, btext = fieldname[:-1], None
            yield (fieldname.decode("utf-8"), btext), keys.record(i)[2:]

    def _lookup(self, fieldname: str, btext: bytes | None):
        key = _key(fieldname, btext)
        keys = self._sorted
        i = bisect_left(keys, key)
        if i == len(keys) or keys[i] != key:
            return None
        start, length, offset, count, code, positions = keys.record(i)
        if keys._keys + start + length > self._keys_end:
            return None
        return offset, count, code, positions

    def _entry(self, fieldname: str, btext: bytes | None) -> tuple[int, int, int, int] | None:
        try:
            return self._found[(fieldname, btext)]
        except KeyError:
            pass
        entry = self._found[(fieldname, btext)] = self._checked(self._lookup(fieldname, btext))
        return entry

    def _checked(self, entry) -> tuple[int, int, int, int] | None:
        if entry is None:
            return None
        try:
            offset, count, code, positions = entry if len(entry) == 4 else (*entry, 0)
        except (TypeError, ValueError):
            return None
        # A term's arrays must lie inside the file: a damaged entry is ignored, never misread.
        size = 9 * count if code == VALUES else 6 * count + 2 * positions
        if code not in (WHOLE, POSITIONS, VALUES) or not len(MAGIC) <= offset <= offset + size <= self._end:
            return None
        return offset, count, code, positions

    def postings(self, fieldname: str, btext: bytes):
        """(document numbers, weights) as numpy arrays, or None when the term has no columns here."""
        entry = self._entry(fieldname, btext)
        if entry is None:
            return None
        import numpy as np

        offset, count, code, _ = entry
        if code == VALUES:
            return None
        ids = np.frombuffer(self._map, dtype="<u4", count=count, offset=offset)
        weights = np.frombuffer(self._map, dtype="<u2", count=count, offset=offset + 4 * count)
        return ids, weights

    def values(self, fieldname: str):
        """(values, present) of a numeric field, a passage each (uint64 as in add_value, bool);
        None when this segment has no values of it."""
        entry = self._entry(fieldname, None)
        if entry is None or entry[2] != VALUES:
            return None
        import numpy as np

        offset, count, _, _ = entry
        values = np.frombuffer(self._map, dtype="<u8", count=count, offset=offset)
        present = np.frombuffer(self._map, dtype=np.bool_, count=count, offset=offset + 8 * count)
        return values, present

    def positions(self, fieldname: str, btext: bytes):
        """(document numbers, weights, positions): each passage's positions in turn, as many as its
        weight; None when the term has no positions here."""
        entry = self._entry(fieldname, btext)
        if entry is None or entry[2] != POSITIONS:
            return None
        import numpy as np

        offset, count, _, total = entry
        ids = np.frombuffer(self._map, dtype="<u4", count=count, offset=offset)
        weights = np.frombuffer(self._map, dtype="<u2", count=count, offset=offset + 4 * count)
        positions = np.frombuffer(self._map, dtype="<u2", count=total, offset=offset + 6 * count)
        return ids, weights, positions


_OPEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def segment_columns(reader) -> SegmentColumns | None:
    """The columns of a Whoosh segment reader's segment; None when it has none (an index written
    before they existed, or one kept in memory)."""
    if reader in _OPEN:
        return _OPEN[reader]
    columns = None
    folder, segment_id = whoosh_compat.segment_folder(reader), whoosh_compat.segment_id(reader)
    if folder and segment_id:
        path = os.path.join(folder, final_name(segment_id))
        if os.path.exists(path):
            try:
                columns = SegmentColumns(path)
            except (OSError, ValueError, EOFError, TypeError, struct.error):
                columns = None  # a damaged column file: the segment is searched through Whoosh alone
    _OPEN[reader] = columns
    return columns
