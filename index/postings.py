"""A segment writer that gathers postings term by term, in place of Whoosh's one tuple per posting.

Whoosh's PostingPool keeps a (field, term, docnum, weight, value) tuple for every posting, pickles
each one into sorted runs on disk and merges the runs back a posting at a time: in a profile of a
build that was half its time, and at 16x it wrote 19 GB of runs. Passages arrive in docnum order,
so a term's postings are already sorted: here each term keeps its postings in arrays (passages,
weights, values), a run on disk is the terms' arrays in term order, merging runs is joining each
term's arrays, and the segment's postings are written a term at a time (index/blocks.py) rather
than through Whoosh's field writer a posting at a time. The text fields' postings come straight
from their analyzers' term counts and positions. The segment written is the one Whoosh's
SegmentWriter writes for the same documents, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import heapq
import marshal
import os
from array import array
from collections.abc import Callable, Iterator
from itertools import accumulate, chain, islice
from operator import lt, sub
from pickle import dumps as pickle_dumps

from whoosh.codec.base import OutOfOrderError
from whoosh.fields import NUMERIC, FieldType
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

from . import whoosh_compat
from .analysis import release_caches
from .blocks import block_writer
from .columns import ColumnWriter, final_name, temporary_name

# What the pool counts for a posting besides its value (docnum, weight, value size: 16 bytes) and for
# a new term (the key, the dict slot, 160 bytes); the arrays of a term of several postings take
# more (see DEFAULT_LIMIT_MB).
_RECORD_SIZE = 16
_TERM_COST = 160
_INT_SIZE = len(pack_uint(0))
# The Frequency format's values of the common frequencies, and the Positions format's of one position.
_SMALL = 256
_UINTS = [pack_uint(n) for n in range(_SMALL)]
_ONE = pack_uint(1)
_SINGLE_POSITIONS: dict[int, bytes] = {}
_SMALL_POSITION = 4096
# Values of a field (other than a text field) whose postings a writer remembers.
_RECENT_VALUES = 64
_MISSING = object()
# Memory for a writer's postings, as counted, before they are spilled to a run on disk (Whoosh's
# pool: 128 MB). A term's arrays take a fifth more than counted (tracemalloc, 37,000 passages: 174 MB
# for 150 counted): 52 keeps a writer's real memory where the byte string a term it had before
# kept it at 64 (144 MB for 150 counted).
DEFAULT_LIMIT_MB = 52
# Terms a run stores (and reads back) in one piece: one unmarshalling a term was a tenth of a merge.
_RUN_CHUNK = 256


# A term's postings: passages (array "I", ascending), weights (array "d"), the encoded values one after
# another, and for a format whose values differ in size each one's size (array "I"; None otherwise).
Postings = tuple[array, array, bytearray, "array | None"]
# A term of one posting so far (two terms in five) is kept as that posting: passage, weight, value.
# Its arrays would take four times the memory.
Single = tuple[int, float, bytes]


def _second(first: Single, docnum: int, weight: float, value: bytes, fixed: int | None) -> Postings:
    """A term's postings from its first posting and a second one."""
    first_docnum, first_weight, first_value = first
    return (array("I", (first_docnum, docnum)), array("d", (first_weight, weight)), bytearray(first_value + value),
            None if fixed is not None else array("I", (len(first_value), len(value))))


def _add_posting(terms: dict, btext: bytes, docnum: int, weight: float, value: bytes, fixed: int | None) -> int:
    """One posting added to a field's ``terms`` (a Single for a new term, arrays from its second
    posting on); returns the memory a new term takes beyond its posting (0 for a known term)."""
    postings = terms.get(btext)
    if postings is None:
        terms[btext] = (docnum, weight, value)
        return len(btext) + _TERM_COST
    if len(postings) == 3:
        terms[btext] = _second(postings, docnum, weight, value, fixed)
    else:
        docnums, weights, values, sizes = postings
        docnums.append(docnum)
        weights.append(weight)
        values += value
        if sizes is not None:
            sizes.append(len(value))
    return 0


def _expanded(postings: "Postings | Single", fixed: int | None) -> Postings:
    """A term's postings as arrays, whether it has one posting or more."""
    if len(postings) == 4:
        return postings  # type: ignore[return-value]  # a Postings
    docnum, weight, value = postings  # type: ignore[misc]  # a Single
    return (array("I", (docnum,)), array("d", (weight,)), bytearray(value),
            None if fixed is not None else array("I", (len(value),)))


class TermPool:
    """Postings grouped by (field, term), spilled to sorted runs when they outgrow ``limitmb``.

    ``schema`` tells each field's value size (a fixed-size value is kept without its size); without
    it every field's values are kept with their sizes."""

    def __init__(self, tempstore, limitmb: float = DEFAULT_LIMIT_MB, schema=None) -> None:
        self.tempstore = tempstore
        self.limit = int(limitmb * 1024 * 1024)
        self.size = 0
        self.fields: dict[str, dict[bytes, Postings | Single]] = {}
        self.runs: list[str] = []
        # Each field's fixed value size (Format.fixed_value_size; None: values differ in size).
        self.value_sizes: dict[str, int | None] = (
            {} if schema is None else {name: field.format.fixed_value_size() for name, field in schema.items()
                                       if field.format is not None})
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

    def _terms(self, fieldname: str) -> dict[bytes, Postings | Single]:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        return terms

    def add_field_postings(self, fieldname: str, docnum: int, items, boost: float, scorable: bool) -> int:
        """All postings of one field of one document, as ``field.index()`` gives them; returns its length."""
        terms = self._terms(fieldname)
        fixed = self.value_sizes.get(fieldname)
        length = size = 0
        for btext, freq, weight, vbytes in items:
            if scorable:
                length += freq
            if vbytes is None:
                vbytes = b""
            if fixed and len(vbytes) != fixed:
                raise ValueError(f"{fieldname}: a value of {len(vbytes)} bytes in a format of {fixed}-byte values")
            size += _RECORD_SIZE + len(vbytes)
            if fixed == 0:  # the format keeps no values
                vbytes = b""
            size += _add_posting(terms, btext, docnum, weight * boost, vbytes, fixed)
        if scorable:
            self._record_length(fieldname, docnum, length)
        self._grown(size)
        return length

    def add_frequencies(self, fieldname: str, docnum: int, frequencies: dict[str, int], field_boost: float,
                        boost: float) -> int:
        """The postings of one document's field in Whoosh's Frequency format from its terms' frequencies
        (what Frequency.word_values makes of a token stream: weight the frequency times the format's
        boost, value the frequency); ``boost`` as for add_field_postings. Returns the field's length."""
        terms = self._terms(fieldname)
        size = 0
        for term, freq in frequencies.items():
            value = _UINTS[freq] if freq < _SMALL else pack_uint(freq)
            size += _add_posting(terms, term.encode("utf-8"), docnum, freq * field_boost * boost, value, _INT_SIZE)
        size += (_RECORD_SIZE + _INT_SIZE) * len(frequencies)
        length = sum(frequencies.values())
        self._record_length(fieldname, docnum, length)
        self._grown(size)
        return length

    def add_positions(self, fieldname: str, docnum: int, positions: dict[str, list[int]], field_boost: float,
                      boost: float) -> int:
        """The postings of one document's field in Whoosh's Positions format from its terms' ascending
        positions (as Positions.word_values encodes them); otherwise as add_frequencies."""
        terms = self._terms(fieldname)
        single = _SINGLE_POSITIONS.get
        size = length = 0
        for term, poslist in positions.items():
            btext = term.encode("utf-8")
            count = len(poslist)
            if count == 1:
                value = single(poslist[0])
                if value is None:
                    value = _ONE + pickle_dumps(poslist, 2)
                    if poslist[0] < _SMALL_POSITION:
                        _SINGLE_POSITIONS[poslist[0]] = value
            else:
                value = pack_uint(count) + pickle_dumps(list(map(sub, poslist, chain((0,), poslist))), 2)
            length += count
            size += _RECORD_SIZE + len(value) + _add_posting(terms, btext, docnum, count * field_boost * boost,
                                                             value, None)
        self._record_length(fieldname, docnum, length)
        self._grown(size)
        return length

    def _grown(self, size: int) -> None:
        self.size += size
        if self.size > self.limit:
            self.save()

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
                chunk = []
                fixed = self.value_sizes.get(fieldname)
                for btext in sorted(terms):
                    docnums, weights, values, sizes = _expanded(terms[btext], fixed)
                    chunk.append((btext, docnums.tobytes(), weights.tobytes(), bytes(values),
                                  None if sizes is None else sizes.tobytes()))
                    if len(chunk) == _RUN_CHUNK:
                        marshal.dump((fieldname, chunk), f)
                        chunk = []
                if chunk:
                    marshal.dump((fieldname, chunk), f)
        self.runs.append(name)
        self.fields = {}
        self.size = 0

    def _read_run(self, name: str, number: int) -> Iterator[tuple]:
        with self.tempstore.open_file(name).raw_file() as f:
            while True:
                try:
                    fieldname, chunk = marshal.load(f)
                except EOFError:
                    return
                for btext, docnums, weights, values, sizes in chunk:
                    yield fieldname, btext, number, (docnums, weights, values, sizes)

    def _in_memory(self, number: int) -> Iterator[tuple]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            fixed = self.value_sizes.get(fieldname)
            for btext in sorted(terms):
                yield fieldname, btext, number, _expanded(terms[btext], fixed)

    def terms(self) -> Iterator[tuple[str, bytes, Postings]]:
        """(fieldname, btext, postings) in field and term order, each term's runs joined in run order."""
        if not self.runs:
            for fieldname, btext, _, postings in self._in_memory(0):
                yield fieldname, btext, postings
            return
        sources = [self._read_run(name, n) for n, name in enumerate(self.runs)]
        sources.append(self._in_memory(len(self.runs)))
        key: tuple[str, bytes] | None = None
        parts: list[tuple] = []
        for fieldname, btext, _, part in heapq.merge(*sources):
            if (fieldname, btext) != key:
                if key is not None:
                    yield key[0], key[1], _joined(parts)
                key, parts = (fieldname, btext), []
            parts.append(part)
        if key is not None:
            yield key[0], key[1], _joined(parts)

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
        """Write every term's postings through the codec's field writer (a term at a time where it is
        Whoosh's whoosh3 one, else as FieldWriter.add_postings does, a posting at a time), and the
        common terms of ``columns.fields`` to ``columns`` as well (see columns.py)."""
        blocks = block_writer(fieldwriter)
        lastfield = None
        lengths_of: Callable[[array], list] = _no_lengths  # set with the first field, before its first term
        fixed: int | None = None
        columnar = positioned = numeric = False
        for fieldname, btext, (docnums, weights, values, sizes) in self.terms():
            if fieldname != lastfield:
                if lastfield is not None:
                    (blocks or fieldwriter).finish_field()
                fieldobj = schema[fieldname]
                (blocks or fieldwriter).start_field(fieldname, fieldobj)
                lastfield = fieldname
                lengths_of = self._lengths_of(fieldname, lengths_reader)
                fixed = fieldobj.format.fixed_value_size()
                columnar = columns is not None and fieldname in columns.fields
                positioned = columns is not None and fieldname in columns.positioned
                numeric = columns is not None and fieldname in columns.numeric
            # A writer numbers documents in the order they come, added or merged, and a merged
            # segment gives each term's postings in order: a term's postings can only ascend.
            if len(docnums) > 1 and not all(map(lt, docnums, islice(docnums, 1, None))):
                at = next(i for i in range(1, len(docnums)) if docnums[i] <= docnums[i - 1])
                raise OutOfOrderError(f"{fieldname}:{btext!r}: posting {docnums[at]} after {docnums[at - 1]}")
            lengths = lengths_of(docnums)
            split = _split_values(values, sizes) if sizes is not None else None
            if blocks is not None:
                blocks.add_term(btext, docnums, weights, split if split is not None else values, lengths)
            else:
                fieldwriter.start_term(btext)
                for i, docnum in enumerate(docnums):
                    value = (split[i] if split is not None else bytes(values[i * fixed:(i + 1) * fixed]) if fixed
                             else b"")
                    fieldwriter.add(docnum, weights[i], value, lengths[i])
                fieldwriter.finish_term()
            if columnar:
                assert columns is not None, "columnar: there are columns, and they take this field"
                columns.add(fieldname, btext, docnums, weights, split if positioned else None)
                # A numeric field's lowest precision term: b"\x00", then the value (big-endian).
                if numeric and btext[:1] == b"\x00":
                    columns.add_value(fieldname, int.from_bytes(btext[1:], "big"), docnums)
        if lastfield is not None:
            (blocks or fieldwriter).finish_field()

    def _lengths_of(self, fieldname: str, lengths_reader) -> Callable[[array], list]:
        """docnums → the field's length in each of those passages, as the field writer is given them."""
        if lengths_reader is None:
            return _no_lengths
        segment_length = None
        recorded = self.lengths.get(fieldname)
        base, upto = self.base, (self.base or 0) + self.recorded
        if recorded is not None and len(recorded) < self.recorded:  # passages after the last with the field
            recorded.frombytes(bytes(4 * (self.recorded - len(recorded))))

        def lengths(docnums: array) -> list:  # None: the passage has no length (doc_field_length)
            nonlocal segment_length
            if recorded is not None and base is not None and docnums[0] >= base and docnums[-1] < upto:
                if base == 0:
                    return list(map(recorded.__getitem__, docnums))
                return [recorded[docnum - base] for docnum in docnums]
            if segment_length is None:
                segment_length = whoosh_compat.field_length_reader(lengths_reader, fieldname)
            return [recorded[docnum - base] if recorded is not None and base is not None and base <= docnum < upto
                    else segment_length(docnum) for docnum in docnums]

        return lengths


def _no_lengths(docnums: array) -> list:
    return [0] * len(docnums)


def _joined(parts: list[tuple]) -> Postings:
    """One term's postings from its parts in run order (arrays in memory, bytes from a run)."""
    if len(parts) == 1 and isinstance(parts[0][0], array):
        return parts[0]
    docnums, weights, values = array("I"), array("d"), bytearray()
    sizes = None if parts[0][3] is None else array("I")
    for part_docnums, part_weights, part_values, part_sizes in parts:
        _extend(docnums, part_docnums)
        _extend(weights, part_weights)
        values += part_values
        if sizes is not None:
            _extend(sizes, part_sizes)
    return docnums, weights, values, sizes


def _extend(target: array, part: array | bytes) -> None:
    if isinstance(part, array):
        target.extend(part)
    else:
        target.frombytes(part)


def _split_values(values: bytearray, sizes: array) -> list[bytes]:
    """Each posting's value, from a term's values one after another and their sizes."""
    data = bytes(values)
    if len(sizes) == 1:
        return [data]
    ends = list(accumulate(sizes))
    return [data[start:end] for start, end in zip(chain((0,), ends), ends)]


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


def direct_postings(field, pool: TermPool) -> Callable[[str, int, str, float], int] | None:
    """For a field direct_index indexes (and that is scored), a function that puts a document's
    postings of it into ``pool`` from its analyzer's terms at once, without making the items
    ``field.index`` gives: (fieldname, docnum, text, boost) → the field's length. None otherwise."""
    if direct_index(field) is None or not field.scorable:
        return None
    analyzer, field_boost = field.analyzer, field.format.field_boost
    if type(field.format) is Positions:
        positions, add_positions = analyzer.index_positions, pool.add_positions

        def add_positioned(fieldname: str, docnum: int, value: str, boost: float) -> int:
            return add_positions(fieldname, docnum, positions(value), field_boost, boost)
        return add_positioned
    if field.format.fixed_value_size() != _INT_SIZE:  # not the Frequency format's one integer a value
        return None
    frequencies, add_frequencies = analyzer.index_frequencies, pool.add_frequencies

    def add_counted(fieldname: str, docnum: int, value: str, boost: float) -> int:
        return add_frequencies(fieldname, docnum, frequencies(value), field_boost, boost)
    return add_counted


class TermwiseWriter(SegmentWriter):
    """Whoosh's SegmentWriter with a TermPool: the same segment, written with a fraction of the work.

    The SegmentWriter internals it uses are reached through whoosh_compat (SEGMENT_WRITER_HOOKS);
    it overrides two of them, _flush_segment and _assemble_segment, which Whoosh calls by name.
    """

    def __init__(self, ix, limitmb: float = DEFAULT_LIMIT_MB, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        # Whoosh hands it the postings of the segments it merges, and cleans it up when it closes.
        self.termpool = TermPool(self.temp_storage(), limitmb, self.schema)
        whoosh_compat.replace_pool(self, self.termpool)
        # Term vectors and separate spelling words need Whoosh's own loop; svar's schema has neither.
        self._plain = not any(field.vector or field.separate_spelling() for _, field in self.schema.items())
        self._direct = {name: direct_postings(field, self.termpool) for name, field in self.schema.items()}
        # Each other indexed field's postings of its recent values: an answer's passages share most
        # of theirs (dnr, names, parties, date, source), passage numbers and kinds recur, and
        # Whoosh's field.index costs a dozen calls.
        self._indexed: dict[str, dict[tuple[type, object], list]] = {}
        self._column_values: dict[str, dict[tuple[type, object], object]] = {}
        self._plans: dict[tuple[str, ...], tuple[tuple[tuple[str, FieldType], ...], bool]] = {}

    def _items(self, fieldname: str, field, value) -> list:
        """``field.index(value)`` as a list, remembered for the field's values to come."""
        if not isinstance(value, (str, int, float, dt.datetime)):
            return list(field.index(value))
        key = (type(value), value)
        known = self._indexed.get(fieldname)
        if known is None:
            known = self._indexed[fieldname] = {}
        items = known.get(key)
        if items is None:
            if len(known) >= _RECENT_VALUES:
                known.clear()
            items = known[key] = list(field.index(value))
        return items

    def add_document(self, **fields) -> None:
        if not self._plain:
            return super().add_document(**fields)
        whoosh_compat.check_writable(self)
        docnum = self.docnum
        perdocwriter = self.perdocwriter
        add_postings = self.termpool.add_field_postings
        direct = self._direct
        docboost = whoosh_compat.doc_boost(self, fields)
        plan = self._plans.get(tuple(fields))
        if plan is None:
            plan = self._plan(tuple(fields))
        named, underscored = plan
        perdocwriter.start_doc(docnum)
        self.termpool.start_document(docnum)
        try:
            for fieldname, field in named:
                value = fields[fieldname]
                if value is None:
                    continue
                length = 0
                if field.indexed:
                    # Without "_boost" or "_<field>_boost" entries every field's boost is the document's.
                    boost = whoosh_compat.field_boost(self, fields, fieldname, docboost) if underscored else docboost
                    index = direct[fieldname] if isinstance(value, str) else None
                    if index is not None:
                        length = index(fieldname, docnum, value, boost)
                    else:
                        length = add_postings(fieldname, docnum, self._items(fieldname, field, value), boost,
                                              bool(field.scorable))
                stored = fields.get(f"_stored_{fieldname}", value) if underscored else value
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, self._column_value(fieldname, field, stored))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        whoosh_compat.mark_added(self)
        self.docnum += 1

    def _plan(self, keys: tuple[str, ...]) -> tuple[tuple[tuple[str, FieldType], ...], bool]:
        """For a document with these keys: its fields (name and field object) in name order, checked
        against the schema, and whether it has keys starting with "_" (boosts, stored values).
        Every passage of an answer has the same keys: this is worked out once for them all."""
        fieldnames = sorted(name for name in keys if not name.startswith("_"))
        whoosh_compat.check_fields(self, self.schema, fieldnames)
        plan = tuple((name, self.schema[name]) for name in fieldnames), len(fieldnames) < len(keys)
        self._plans[keys] = plan
        return plan

    def _column_value(self, fieldname: str, field, stored):
        """``field.to_column_value(stored)``, remembered for the field's values to come (as _items)."""
        if not isinstance(stored, (str, int, float, dt.datetime)):
            return field.to_column_value(stored)
        key = (type(stored), stored)
        known = self._column_values.get(fieldname)
        if known is None:
            known = self._column_values[fieldname] = {}
        value = known.get(key, _MISSING)
        if value is _MISSING:
            if len(known) >= _RECENT_VALUES:
                known.clear()
            value = known[key] = field.to_column_value(stored)
        return value

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
