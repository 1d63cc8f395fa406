"""A segment writer that gathers postings term by term, in place of Whoosh's one tuple per posting.

Whoosh's PostingPool keeps a (field, term, docnum, weight, value) tuple for every posting, pickles
each one into sorted runs on disk and merges the runs back a posting at a time: in a profile of a
build that was half its time, and at 16x it wrote 19 GB of runs. Passages arrive in docnum order,
so a term's postings are already sorted: here each term packs its postings into one byte string, a
run on disk is the terms' strings in term order, and merging runs is joining each term's strings.
The segment written is the one Whoosh's SegmentWriter writes for the same documents.
"""

from __future__ import annotations

import heapq
import marshal
import os
import struct
from array import array
from collections.abc import Callable, Iterator
from pickle import dumps as pickle_dumps

from whoosh.codec.base import OutOfOrderError
from whoosh.fields import NUMERIC
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

from . import whoosh_compat
from .analysis import release_caches
from .columns import ColumnWriter, final_name, temporary_name

# One posting in a term's string: docnum, weight, the length of the encoded value; then the value.
_RECORD = struct.Struct("<IdI")
# What a new term costs in memory besides its postings (the key, the dict slot, the bytearray).
_TERM_COST = 160
# Memory for a writer's postings before they are spilled to a run on disk (Whoosh's pool: 128 MB).
DEFAULT_LIMIT_MB = 64


class TermPool:
    """Postings grouped by (field, term), spilled to sorted runs when they outgrow ``limitmb``."""

    def __init__(self, tempstore, limitmb: float = DEFAULT_LIMIT_MB) -> None:
        self.tempstore = tempstore
        self.limit = int(limitmb * 1024 * 1024)
        self.size = 0
        self.fields: dict[str, dict[bytes, bytearray]] = {}
        self.runs: list[str] = []
        # Exact field lengths of the documents added through add_field_postings, from docnum ``base``
        # on; postings of other documents (merged from old segments) look theirs up in the segment.
        self.base: int | None = None
        self.lengths: dict[str, array] = {}
        self.recorded = 0  # documents base .. base + recorded - 1 have their lengths here
        self.disordered = False  # documents merged in between: every length comes from the segment

    # -- adding ---------------------------------------------------------------------------------

    def add(self, item: tuple) -> None:
        """Whoosh's pool interface, one (fieldname, btext, docnum, weight, vbytes) posting: how the
        postings of old segments arrive when they are merged into the new one."""
        fieldname, btext, docnum, weight, vbytes = item
        self.add_field_postings(fieldname, docnum, ((btext, 0, weight, vbytes),), 1.0, False)

    def add_field_postings(self, fieldname: str, docnum: int, items, boost: float, scorable: bool) -> int:
        """All postings of one field of one document, as ``field.index()`` gives them; returns its length."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        pack = _RECORD.pack
        length = size = 0
        for btext, freq, weight, vbytes in items:
            if scorable:
                length += freq
            if vbytes is None:
                vbytes = b""
            record = pack(docnum, weight * boost, len(vbytes)) + vbytes
            blob = terms.get(btext)
            if blob is None:
                terms[btext] = bytearray(record)
                size += len(record) + len(btext) + _TERM_COST
            else:
                blob += record
                size += len(record)
        if scorable:
            self._record_length(fieldname, docnum, length)
        self.size += size
        if self.size > self.limit:
            self.save()
        return length

    def start_document(self, docnum: int) -> None:
        """The next document's lengths are recorded here only while documents come one after another."""
        if self.disordered:
            return
        if self.base is None:
            self.base = docnum
        if docnum != self.base + self.recorded:  # others were merged in between: look lengths up
            self.disordered, self.base, self.lengths, self.recorded = True, None, {}, 0
            return
        self.recorded += 1

    def _record_length(self, fieldname: str, docnum: int, length: int) -> None:
        if self.disordered:
            return
        assert self.base is not None, "not disordered: start_document set it, before this document's postings"
        offset = docnum - self.base
        column = self.lengths.get(fieldname)
        if column is None:
            column = self.lengths[fieldname] = array("I")
        if len(column) < offset:
            column.frombytes(bytes(4 * (offset - len(column))))
        column.append(length)

    # -- runs -----------------------------------------------------------------------------------

    def save(self) -> None:
        """Write the postings in memory to a run on disk, sorted by field and term."""
        if not self.fields:
            return
        name = f"{random_name()}.termrun"
        with self.tempstore.create_file(name).raw_file() as f:
            for fieldname in sorted(self.fields):
                terms = self.fields[fieldname]
                for btext in sorted(terms):
                    marshal.dump((fieldname, btext, bytes(terms[btext])), f)
        self.runs.append(name)
        self.fields = {}
        self.size = 0

    def _read_run(self, name: str, number: int) -> Iterator[tuple]:
        with self.tempstore.open_file(name).raw_file() as f:
            while True:
                try:
                    fieldname, btext, blob = marshal.load(f)
                except EOFError:
                    return
                yield fieldname, btext, number, blob

    def _in_memory(self, number: int) -> Iterator[tuple]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for btext in sorted(terms):
                yield fieldname, btext, number, terms[btext]

    def terms(self) -> Iterator[tuple[str, bytes, bytes]]:
        """(fieldname, btext, postings) in field and term order, each term's runs joined in run order."""
        if not self.runs:
            for fieldname, btext, _, blob in self._in_memory(0):
                yield fieldname, btext, blob
            return
        sources = [self._read_run(name, n) for n, name in enumerate(self.runs)]
        sources.append(self._in_memory(len(self.runs)))
        key: tuple[str, bytes] | None = None
        parts: list[bytes] = []
        for fieldname, btext, _, blob in heapq.merge(*sources):
            if (fieldname, btext) != key:
                if key is not None:
                    yield key[0], key[1], b"".join(parts)
                key, parts = (fieldname, btext), []
            parts.append(blob)
        if key is not None:
            yield key[0], key[1], b"".join(parts)

    def cleanup(self) -> None:
        for name in self.runs:
            try:
                self.tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []
        self.fields = {}

    # -- writing the segment --------------------------------------------------------------------

    def write(self, fieldwriter, schema, lengths_reader, columns: ColumnWriter | None = None) -> None:
        """Write every term's postings through the codec's field writer (as FieldWriter.add_postings
        does), and the common terms of ``columns.fields`` to ``columns`` as well (see columns.py)."""
        unpack = _RECORD.unpack_from
        header = _RECORD.size
        lastfield = None
        field_length: Callable[[int], int | None]  # set with the first field, before its first term
        for fieldname, btext, blob in self.terms():
            if fieldname != lastfield:
                if lastfield is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                lastfield = fieldname
                field_length = self._length_lookup(fieldname, lengths_reader)
            fieldwriter.start_term(btext)
            add = fieldwriter.add
            offset, end, last = 0, len(blob), -1
            columnar = columns is not None and fieldname in columns.fields
            values: list[bytes] | None = None
            valued = False
            if columnar:
                assert columns is not None, "columnar: there are columns, and they take this field"
                # A numeric field's lowest precision term: b"\x00", then the value (big-endian).
                valued = fieldname in columns.numeric and btext[:1] == b"\x00"
                docnums, weights = array("I"), array("d")
                add_docnum, add_weight = docnums.append, weights.append
                if fieldname in columns.positioned:
                    values = []
                    add_value = values.append
            while offset < end:
                docnum, weight, size = unpack(blob, offset)
                offset += header
                # A writer numbers documents in the order they come, added or merged, and a merged
                # segment gives each term's postings in order: a term's postings can only ascend.
                if docnum <= last:
                    raise OutOfOrderError(f"{fieldname}:{btext!r}: posting {docnum} after {last}")
                last = docnum
                value = bytes(blob[offset:offset + size])
                add(docnum, weight, value, field_length(docnum))
                offset += size
                if columnar:
                    add_docnum(docnum)
                    add_weight(weight)
                    if values is not None:
                        add_value(value)
            if columnar:
                assert columns is not None, "columnar: there are columns, and they take this field"
                columns.add(fieldname, btext, docnums, weights, values)
                if valued:
                    columns.add_value(fieldname, int.from_bytes(btext[1:], "big"), docnums)
            fieldwriter.finish_term()
        if lastfield is not None:
            fieldwriter.finish_field()

    def _length_lookup(self, fieldname: str, lengths_reader) -> Callable[[int], int | None]:
        if lengths_reader is None:
            return lambda docnum: 0
        segment_length = None
        recorded = self.lengths.get(fieldname)
        base, upto = self.base, (self.base or 0) + self.recorded

        def length(docnum: int) -> int | None:  # None: the passage has no length (doc_field_length)
            nonlocal segment_length
            if recorded is not None and base is not None and base <= docnum < upto:
                offset = docnum - base
                return recorded[offset] if offset < len(recorded) else 0
            if segment_length is None:
                segment_length = whoosh_compat.field_length_reader(lengths_reader, fieldname)
            return segment_length(docnum)

        return length


def direct_index(field):
    """``field.index`` for a text field whose analyzer can give its terms' positions at once (svar's
    TokenwiseAnalyzer), built as Whoosh's Positions and Frequency formats build their postings from a
    token stream; None for any other field, which is indexed by Whoosh itself."""
    analyzer = getattr(field, "analyzer", None)
    kind = type(field.format)
    if not hasattr(analyzer, "index_positions") or kind not in (Positions, Frequency):
        return None
    boost = field.format.field_boost

    if kind is Positions:
        def index(value: str) -> list[tuple[bytes, int, float, bytes]]:
            items = []
            for term, poslist in analyzer.index_positions(value).items():
                deltas, base = [], 0
                for pos in poslist:
                    deltas.append(pos - base)
                    base = pos
                items.append((term.encode("utf-8"), len(poslist), float(len(poslist)) * boost,
                              pack_uint(len(deltas)) + pickle_dumps(deltas, 2)))
            return items
    else:
        def index(value: str) -> list[tuple[bytes, int, float, bytes]]:
            return [(term.encode("utf-8"), freq, float(freq) * boost, pack_uint(freq))
                    for term, freq in analyzer.index_frequencies(value).items()]
    return index


class TermwiseWriter(SegmentWriter):
    """Whoosh's SegmentWriter with a TermPool: the same segment, written with a fraction of the work.

    The SegmentWriter internals it uses are reached through whoosh_compat (SEGMENT_WRITER_HOOKS);
    it overrides two of them, _flush_segment and _assemble_segment, which Whoosh calls by name.
    """

    def __init__(self, ix, limitmb: float = DEFAULT_LIMIT_MB, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        # Whoosh hands it the postings of the segments it merges, and cleans it up when it closes.
        self.termpool = TermPool(self.temp_storage(), limitmb)
        whoosh_compat.replace_pool(self, self.termpool)
        # Term vectors and separate spelling words need Whoosh's own loop; svar's schema has neither.
        self._plain = not any(field.vector or field.separate_spelling() for _, field in self.schema.items())
        self._direct = {name: direct_index(field) for name, field in self.schema.items()}

    def add_document(self, **fields) -> None:
        if not self._plain:
            return super().add_document(**fields)
        whoosh_compat.check_writable(self)
        schema = self.schema
        docnum = self.docnum
        perdocwriter = self.perdocwriter
        add_postings = self.termpool.add_field_postings
        direct = self._direct
        docboost = whoosh_compat.doc_boost(self, fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        whoosh_compat.check_fields(self, schema, fieldnames)
        perdocwriter.start_doc(docnum)
        self.termpool.start_document(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = whoosh_compat.field_boost(self, fields, fieldname, docboost)
                    index = direct[fieldname] if isinstance(value, str) else None
                    items = index(value) if index is not None else field.index(value)
                    length = add_postings(fieldname, docnum, items, boost, field.scorable)
                stored = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        whoosh_compat.mark_added(self)
        self.docnum += 1

    def _flush_segment(self) -> None:
        release_caches()  # every passage is analysed: what the analyzers remember is not needed now
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        columns = self._column_writer()
        try:
            self.termpool.write(self.fieldwriter, self.schema, lengths, columns)
            if columns is not None:
                columns.close(self.docnum)
        except BaseException:
            if columns is not None:
                columns.discard()
            raise
        finally:
            if lengths:
                lengths.close()
        self.fieldwriter.close()

    def _column_writer(self) -> ColumnWriter | None:
        folder = whoosh_compat.storage_folder(self.storage)
        if not folder or self.storage.readonly:  # an index in memory: no columns
            return None
        indexed = frozenset(name for name, field in self.schema.items() if field.indexed)
        positioned = frozenset(name for name, field in self.schema.items() if type(field.format) is Positions)
        numeric = frozenset(name for name, field in self.schema.items() if isinstance(field, NUMERIC) and field.indexed)
        return ColumnWriter(os.path.join(folder, temporary_name(self.get_segment().segment_id())), indexed,
                            positioned, numeric)

    def _assemble_segment(self) -> None:
        super()._assemble_segment()
        # Only now: a file named after the segment before this would be packed into its compound file.
        segment_id = self.get_segment().segment_id()
        folder = whoosh_compat.storage_folder(self.storage)
        written = os.path.join(folder, temporary_name(segment_id)) if folder else None
        if written and os.path.exists(written):
            assert folder is not None, "written is a path in it"
            os.replace(written, os.path.join(folder, final_name(segment_id)))
