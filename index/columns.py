"""Each segment's common terms as plain arrays (passages, weights) beside its Whoosh postings.

Whoosh keeps a field's term frequencies in pickled, zlib-compressed blocks together with its
positions: reading one posting back costs about 1.5 µs in Python, and a question of common words
has hundreds of thousands of them. Here a term with at least MIN_POSTINGS postings in a segment
(of any indexed field: text fields are scored from them, filter fields such as party and year
make filters) is also written as two arrays that a reader maps whole; rarer terms are read from
Whoosh.

File layout (little-endian): MAGIC, then per term its passages (uint32) and weights (uint16: only
terms whose weights are all whole numbers below 65,536 get columns), then a marshalled directory
{(field, term bytes): (offset, count, weight code)}, then the directory's offset (uint64).
"""

from __future__ import annotations

import marshal
import mmap
import os
import struct
import weakref
from array import array

MAGIC = b"SVARCOL1"
EXTENSION = ".cols"
# Fewer postings than this are cheaper to read from Whoosh than to list in the directory.
MIN_POSTINGS = 64
_WHOLE = 0  # the weights' encoding, kept in the directory so another can be added
_TAIL = struct.Struct("<Q")


def temporary_name(segment_id: str) -> str:
    # Not "<segment id>.…": Whoosh would pack a file with that prefix into the compound segment.
    # Whoosh's clean-up removes this name if the writer dies before renaming it.
    return f"{segment_id}cols.tmp"


def final_name(segment_id: str) -> str:
    # Named like the segment's own files, so Whoosh deletes it together with its segment.
    return f"{segment_id}{EXTENSION}"


class ColumnWriter:
    """Writes the columns of one segment as its terms arrive in order."""

    def __init__(self, path: str, fields: frozenset[str]) -> None:
        self.fields = fields
        self._file = open(path, "wb")
        self._file.write(MAGIC)
        self._offset = len(MAGIC)
        self._directory: dict[tuple[str, bytes], tuple[int, int, int]] = {}

    def add(self, fieldname: str, btext: bytes, docnums: array, weights: array) -> None:
        """One term's postings: ascending document numbers (array "I") and their weights (array "d")."""
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
        code, packed = _WHOLE, w.astype("<u2")
        self._directory[(fieldname, btext)] = (self._offset, count, code)
        self._file.write(ids.tobytes())
        self._file.write(packed.tobytes())
        self._offset += ids.nbytes + packed.nbytes

    def close(self) -> None:
        self._file.write(marshal.dumps(self._directory))
        self._file.write(_TAIL.pack(self._offset))
        self._file.close()

    def discard(self) -> None:
        self._file.close()


class SegmentColumns:
    """The columns of one segment, mapped read-only."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        size = len(self._map)
        if size < len(MAGIC) + _TAIL.size or self._map[:len(MAGIC)] != MAGIC:
            raise ValueError(f"{path}: not a column file")
        (start,) = _TAIL.unpack(self._map[-_TAIL.size:])
        if not len(MAGIC) <= start <= size - _TAIL.size:
            raise ValueError(f"{path}: damaged column file")
        directory = marshal.loads(self._map[start:-_TAIL.size])
        # Every term's arrays must lie inside the file: a damaged file is ignored, never misread.
        if not isinstance(directory, dict) or any(offset + 6 * count > start for offset, count, _ in directory.values()):
            raise ValueError(f"{path}: damaged column file")
        self._directory = directory

    def postings(self, fieldname: str, btext: bytes):
        """(document numbers, weights) as numpy arrays, or None when the term has no columns here."""
        entry = self._directory.get((fieldname, btext))
        if entry is None:
            return None
        import numpy as np

        offset, count, code = entry
        ids = np.frombuffer(self._map, dtype="<u4", count=count, offset=offset)
        if code != _WHOLE:
            return None
        weights = np.frombuffer(self._map, dtype="<u2", count=count, offset=offset + 4 * count)
        return ids, weights


_OPEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def segment_columns(reader) -> SegmentColumns | None:
    """The columns of a Whoosh segment reader's segment; None when it has none (an index written
    before they existed, or one kept in memory)."""
    if reader in _OPEN:
        return _OPEN[reader]
    columns = None
    try:
        segment = reader.segment()
        folder = getattr(getattr(reader, "_storage", None), "b", None) or getattr(reader, "_storage", None)
        folder = getattr(folder, "folder", None)
        if segment is not None and folder:
            path = os.path.join(folder, final_name(segment.segment_id()))
            if os.path.exists(path):
                columns = SegmentColumns(path)
    except (AttributeError, OSError, ValueError, EOFError, TypeError, struct.error):
        columns = None  # unreadable columns: the segment is searched through Whoosh alone
    _OPEN[reader] = columns
    return columns
