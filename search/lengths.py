"""A passage's field lengths, read from a copy of the segment's length column instead of through Whoosh.

Whoosh looks up each posting's field length through four calls and a struct unpack (12% of the
benchmark queries' time in a profile); the copy is one byte per passage and field, made once per
segment, and gives the same length, so the same score.
"""

from __future__ import annotations

import weakref

from whoosh import columns
from whoosh.codec.whoosh3 import _lenfield
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

# Length byte → field length, as Whoosh decodes it (byte 0: the passage has no such field).
BYTE_LENGTHS = [byte_to_length(b) for b in range(256)]
_PER_READER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def length_bytes(reader: IndexReader, fieldname: str) -> bytes | None:
    """One length byte per passage of a segment reader's field; None where the codec keeps lengths
    some other way (then only Whoosh's own lookup can be used)."""
    return _cached(reader, fieldname)[0]


def length_lookup(reader: IndexReader, fieldname: str):
    """docnum → the field's length in that passage, as Whoosh's doc_field_length gives it; None
    where length_bytes is None. The same function each time for the same reader and field."""
    return _cached(reader, fieldname)[1]


def _cached(reader: IndexReader, fieldname: str) -> tuple:
    per_field = _PER_READER.setdefault(reader, {})
    if fieldname not in per_field:
        try:
            column = reader._perdoc._cached_reader(_lenfield(fieldname), columns.NumericColumn("B"))
            stored = _column_bytes(column, reader.doc_count_all()) if column is not None else None
        except Exception:  # not a whoosh3-codec segment: no shortcut
            stored = None
        table = BYTE_LENGTHS
        lookup = (lambda docnum: table[stored[docnum]]) if stored is not None else None
        per_field[fieldname] = (stored, lookup)
    return per_field[fieldname]


def _column_bytes(column: columns.ColumnReader, doccount: int) -> bytes | None:
    # One read of the column's bytes: iterating the reader costs a call per passage, which made a
    # fresh `svar search` 0.8 s slower at 1x. Passages past the stored ones have length byte 0.
    if not isinstance(column, columns.FixedBytesColumn.Reader) or column._fixedlen != 1:
        return None
    stored = column._dbfile.get(column._basepos, column._count)
    return stored + bytes(doccount - len(stored)) if len(stored) < doccount else stored
