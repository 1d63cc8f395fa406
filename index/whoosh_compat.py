"""The one module that knows Whoosh's internals: every private attribute, internal method, private
function and undocumented convention of the pinned whoosh3 (see pyproject.toml) that svar relies on.

Anything else in svar uses Whoosh's public API only, or goes through here. Each touchpoint has a
contract test in tests/test_whoosh_contract.py that fails if a new Whoosh release moves it; nothing
here hides breakage behind a broad ``except`` (which would turn it into a silently slower search or
a silently skipped step). Where the answer can legitimately be "not available" (an index kept in
memory, a segment of another codec) a function returns None; anything else that goes wrong raises.

Touchpoints, and why svar needs them:

Reading a segment (index/columns.py, search/sources.py):
  length_bytes        SegmentReader._perdoc, W3PerDocReader._cached_reader, whoosh3._lenfield,
                      FixedBytesColumn.Reader._dbfile/_basepos/_count/_fixedlen: a segment's field
                      lengths as one bytes object, read at once. Whoosh's own lookup costs four calls
                      and an unpack per posting (12% of the benchmark queries' time).
  field_terms         SegmentReader._terms, W3TermsReader._tindex/_fieldmap and filetables' record
                      layout: a segment's terms of one field in one read (search/suggest.py's
                      similar words), where Whoosh's lexicon seeks twice per term.
  deleted_docs        SegmentReader.deleted_docs_set (whoosh3 only; Whoosh 2.7 asked one by one):
                      a segment's deleted passages at once, to filter array postings.
  segment_folder      SegmentReader.storage() and OverlayStorage.b (a compound segment's reader
  segment_id          reads through an overlay whose ``b`` is the index folder): where svar's column
                      file of a segment lives, beside the segment's own files.
  storage_folder      FileStorage.folder, with the same unwrapping: the folder a writer writes to.
  field_length_reader W3PerDocReader.doc_field_length_reader (whoosh3 only): the lengths a writer
                      gives the field writer, looked up as Whoosh's own add_postings does.

Postings values (index/postings.py, index/columns.py):
  position_deltas     The Positions format's value: a uint32 count (whoosh.system.pack_uint), then
                      the pickled deltas. svar decodes a common term's positions in bulk (numpy)
                      instead of through Format.decode_positions one posting at a time.

The writer (index/postings.py TermwiseWriter and index/parallel.py ParallelWriter subclass
SegmentWriter): SEGMENT_WRITER_HOOKS names every internal method and attribute of SegmentWriter
they call, set or override; the functions below call them (svar code calls the functions, never
the names), except the two overrides, which must keep Whoosh's names:
  _flush_segment      overridden: TermwiseWriter writes the postings from its TermPool.
  _assemble_segment   overridden (and called through super()): the column file is renamed to its
                      final name only once Whoosh has packed the segment's files into its compound
                      file, or Whoosh would pack it too.
  pool                replaced by TermPool; Whoosh calls ``pool.add((field, btext, docnum, weight,
                      value))`` when merging old segments (add_reader) and ``pool.cleanup()``
                      when closing the segment (see replace_pool).
  check_writable, doc_boost, field_boost, check_fields, mark_added, has_added: what
                      SegmentWriter.add_document does around the postings, which TermwiseWriter
                      replaces with a faster loop (_check_state, _doc_boost, _field_boost,
                      _check_fields, _added).
  merge_segments, finalize_segment, close_segment, commit_toc, finish: the steps of
                      SegmentWriter.commit, which ParallelWriter runs itself to commit its workers'
                      segments in the same TOC write (as Whoosh's MpWriter does); a worker calls
                      finalize_segment to write its segment without committing.
  cancel_open         is_closed: whoosh3's commit closes a writer when it fails, so svar cancels
                      a writer after a failed commit only if it is still open.
  unlocked_writer_kwargs  SegmentWriter(_lk=False): a worker's writer must not take the index's
                      write lock its parent holds.
  lock_descriptor, writer_lock_descriptor  LockBase.fd of a FileLock (svar's own write lock) and of
                      SegmentWriter.writelock: a forked worker closes its copies of its parent's locks.

The index (index/store.py LiveIndex subclasses FileIndex):
  FILE_INDEX_HOOKS    _read_toc is overridden (retried: a TOC listed a moment ago may be deleted by
                      a newer commit); init_file_index sets what FileIndex.__init__ sets (storage,
                      _schema, indexname) without its single unretried read of the TOC.
  write_empty_toc     TOC(...).write: a new generation's empty index starts at a chosen generation
                      number (FileIndex.create always starts at 0), so a searcher notices the swap.
  latest_toc          TOC.read: the latest commit's generation and segments.
  clean_unused_files  clean_files: removing segments (and svar's column files named after them) no
                      commit refers to, as a commit does.
  toc_file_pattern, toc_leftover_pattern, temp_folder_name: Whoosh's file names (TOC._filename,
                      TOC.write's temporary name, SegmentWriter's temporary storage), which svar
                      recognises to find the latest commit and to clean up after a killed writer.

Damage (index/store.py, through search/library.py):
  segment_damage      Which of Whoosh's modules decode a segment's bytes, and what they raise when
                      the bytes are garbled (zlib.error, struct.error, CorruptIndexError,
                      FileFormatError, unpickling errors, …): an exception raised there while a
                      search or listing reads the index is damage, not a bug of svar's.
"""

from __future__ import annotations

import pickle
import re
import struct
import zlib
from collections.abc import Callable
from pickle import loads

from whoosh import columns as _columns
from whoosh.codec import whoosh3 as _whoosh3
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage, OverlayStorage
from whoosh.filedb.filetables import FileFormatError
from whoosh.index import TOC, clean_files
from whoosh.matching import Matcher
from whoosh.reading import CorruptIndexError, EmptyReader, SegmentReader
from whoosh.system import pack_uint
from whoosh.util.filelock import LockBase

# The whoosh3 release these touchpoints are checked against (pyproject.toml pins it exactly).
WHOOSH_VERSION = "3.54.0"


class WhooshContractError(RuntimeError):
    """Whoosh no longer behaves as svar relies on (a release other than the pinned one?)."""


# -- reading a segment --------------------------------------------------------------------------

def length_bytes(reader, fieldname: str) -> bytes | None:
    """One length byte per passage (docnum) of a segment reader's field, deleted passages too, as
    Whoosh stores them (decode with whoosh.util.numeric.byte_to_length; 0: no length, where
    Whoosh's doc_field_length gives None). None when the segment keeps no lengths of the field, or
    is not a whoosh3-codec segment (then only Whoosh's own lookup can be used), and for the
    EmptyReader of an index with no segments.

    ``reader`` must be a leaf reader: a MultiReader raises TypeError (ask each of its leaf readers).
    """
    if not isinstance(reader, SegmentReader):
        if isinstance(reader, EmptyReader):
            return None
        raise TypeError(f"length_bytes reads one segment, not a {type(reader).__name__}")
    perdoc = reader._perdoc
    if not isinstance(perdoc, _whoosh3.W3PerDocReader):
        return None
    column = perdoc._cached_reader(_whoosh3._lenfield(fieldname), _whoosh3.LENGTHS_COLUMN)
    if column is None:  # no passage of this segment has the field
        return None
    if not isinstance(column, _columns.FixedBytesColumn.Reader) or column._fixedlen != 1:
        raise WhooshContractError(f"whoosh3 lengths column of {fieldname!r} is a {type(column).__name__}, "
                                  f"not one byte a passage")
    # One read of the column's bytes: iterating the reader costs a call per passage. Passages past
    # the stored ones (the column's default) have length byte 0.
    stored = column._dbfile.get(column._basepos, column._count)
    doccount = reader.doc_count_all()
    return stored + bytes(doccount - len(stored)) if len(stored) < doccount else stored


_RECORD_LENGTHS = struct.Struct("!ii")  # filetables' key and value lengths before each record


def field_terms(reader, fieldname: str) -> list[bytes] | None:
    """Every term of a segment reader's field, in order, as ``reader.lexicon(fieldname)`` gives
    them, read with one read of the term table. Whoosh's lexicon seeks twice per term (about 4 µs a
    term: a third of a second for the words of 3,000 answers, which a process's first search for a
    misspelt word waits for). None when the segment is not of the whoosh3 codec, so that only
    Whoosh's lexicon can read it; [] for a field the segment has no term of, and for the
    EmptyReader of an index with no segments.

    Touchpoints: SegmentReader._terms (W3TermsReader), its _tindex (OrderedHashReader) and
    _fieldmap, and the record layout of whoosh.filedb.filetables (two big-endian int32 lengths, the
    key, the value), whose keys are the field's number (an unsigned short) and the term.
    """
    if not isinstance(reader, SegmentReader):
        if isinstance(reader, EmptyReader):
            return []
        raise TypeError(f"field_terms reads one segment, not a {type(reader).__name__}")
    terms = reader._terms
    if not isinstance(terms, _whoosh3.W3TermsReader):
        return None
    number = terms._fieldmap.get(fieldname)
    if number is None:
        return []
    table = terms._tindex
    prefix = _whoosh3.pack_ushort(number)
    start = table.closest_key_pos(prefix)
    if start is None:
        return []
    # The next field's first record, or the end of the records: the field's records lie between.
    end = table.closest_key_pos(_whoosh3.pack_ushort(number + 1)) if number < 65535 else None
    data = table.dbfile.get(start, (table.endofdata if end is None else end) - start)
    found = []
    unpack = _RECORD_LENGTHS.unpack_from
    head = _RECORD_LENGTHS.size
    pos, size = 0, len(data)
    while pos < size:
        keylen, valuelen = unpack(data, pos)
        key = data[pos + head:pos + head + keylen]
        if key[:2] != prefix:
            raise WhooshContractError(f"term table record at {start + pos} is not of field {fieldname!r}")
        found.append(key[2:])
        pos += head + keylen + valuelen
    if pos != size:
        raise WhooshContractError(f"term table records of {fieldname!r} end at {start + pos}, not {start + size}")
    return found


def deleted_docs(reader) -> frozenset[int]:
    """The deleted passages (docnums) of a segment reader; cached by Whoosh while the reader is open."""
    return reader.deleted_docs_set


def _folder_of(storage) -> str | None:
    if isinstance(storage, OverlayStorage):  # a compound segment: its parts, then the index folder
        storage = storage.b
    # (A compound file's storage is a FileStorage too, but has no folder of its own.)
    if isinstance(storage, FileStorage) and not isinstance(storage, CompoundStorage):
        return storage.folder
    return None


def segment_folder(reader) -> str | None:
    """The folder of a segment reader's segment on disk; None for an index kept in memory or a
    reader of no single segment (a MultiReader, an EmptyReader)."""
    if reader.segment() is None:
        return None
    return _folder_of(reader.storage())


def segment_id(reader) -> str | None:
    """The id of a segment reader's segment (its files' common name prefix); None for a reader of
    no single segment."""
    segment = reader.segment()
    return None if segment is None else segment.segment_id()


def storage_folder(storage) -> str | None:
    """The folder of a Whoosh storage on disk; None for storage in memory."""
    return _folder_of(storage)


def field_length_reader(perdoc_reader, fieldname: str) -> Callable[[int], int | None]:
    """docnum → the field's length in that passage, from a per-document reader, as
    doc_field_length gives it (0 where the field has no column, None where the passage has no
    length), resolved once per field rather than per posting."""
    return perdoc_reader.doc_field_length_reader(fieldname)


# -- postings values ----------------------------------------------------------------------------

_POSITIONS_COUNT = len(pack_uint(0))  # the Positions value's count, before its pickled deltas


def position_deltas(values: list[bytes]) -> list[list[int]]:
    """Each Positions-format value's position deltas (each position less the one before, the
    first from 0): what Format.decode_positions adds up, for many values at once."""
    count = _POSITIONS_COUNT
    return [loads(value[count:]) for value in values]


# -- the segment writer -------------------------------------------------------------------------

# SegmentWriter's internal methods and attributes svar's writers call, set or override.
SEGMENT_WRITER_HOOKS = (
    "_check_state", "_doc_boost", "_field_boost", "_check_fields", "_added", "pool",
    "_flush_segment", "_assemble_segment", "_merge_segments", "_finalize_segment", "_close_segment",
    "_commit_toc", "_finish", "writelock", "is_closed",
    # Undocumented (not underscored) attributes an add_document or _flush_segment of its own needs.
    "docnum", "perdocwriter", "fieldwriter", "codec", "compound",
)
# Of those, the methods svar's subclasses override (Whoosh calls them by these names).
SEGMENT_WRITER_OVERRIDES = ("_flush_segment", "_assemble_segment")


def check_writable(writer) -> None:
    """Raise whoosh.writing.IndexingError if the writer is closed."""
    writer._check_state()


def doc_boost(writer, fields: dict) -> float:
    """A document's boost (its ``_boost`` field, else 1.0)."""
    return writer._doc_boost(fields)


def field_boost(writer, fields: dict, fieldname: str, docboost: float) -> float:
    """A field's boost in a document (its ``_<field>_boost`` field, else ``docboost``)."""
    return writer._field_boost(fields, fieldname, docboost)


def check_fields(writer, schema, fieldnames) -> None:
    """Raise whoosh.fields.UnknownFieldError for a field name the schema does not have."""
    writer._check_fields(schema, fieldnames)


def mark_added(writer) -> None:
    """Record that the writer's new segment has documents (so commit writes it)."""
    writer._added = True


def has_added(writer) -> bool:
    return writer._added


def replace_pool(writer, pool) -> None:
    """Give a writer another postings pool: Whoosh then calls ``pool.add(posting)`` for each
    posting of a segment merged into the new one and ``pool.cleanup()`` when it closes it."""
    writer.pool = pool


def merge_segments(writer, mergetype, optimize, merge) -> list:
    """Run the merge policy (as commit does); the segments that remain besides the new one."""
    return writer._merge_segments(mergetype, optimize, merge)


def finalize_segment(writer):
    """Write, close and assemble the writer's new segment, without committing it; the Segment."""
    return writer._finalize_segment()


def close_segment(writer) -> None:
    """Close the writer's new segment unwritten (commit's step when nothing was added)."""
    writer._close_segment()


def commit_toc(writer, segments: list) -> None:
    """Write the new table of contents listing ``segments`` and delete files no commit needs."""
    writer._commit_toc(segments)


def finish(writer) -> None:
    """The end of a commit: remove the temporary storage, release the lock, close the writer."""
    writer._finish()


def cancel_open(writer) -> None:
    """Cancel a writer unless it is closed already: whoosh3's SegmentWriter.commit closes the writer
    when it fails (releasing its lock and temporary storage), and cancelling a closed writer raises
    IndexingError, which would hide why the commit failed."""
    if not writer.is_closed:
        writer.cancel()


def unlocked_writer_kwargs() -> dict[str, bool]:
    """Keyword arguments for a SegmentWriter that does not take the index's write lock."""
    return {"_lk": False}


def lock_descriptor(lock) -> int | None:
    """The file descriptor of a held Whoosh file lock; None for no lock, one not held, or a lock
    that is not a file lock (an index kept in memory uses thread locks)."""
    return lock.fd if isinstance(lock, LockBase) else None


def writer_lock_descriptor(writer) -> int | None:
    """The file descriptor of the index write lock a SegmentWriter holds; None when it holds none
    (made with unlocked_writer_kwargs) or the index is kept in memory."""
    return lock_descriptor(writer.writelock)


# -- the index ----------------------------------------------------------------------------------

# FileIndex's internal method and attribute LiveIndex overrides or sets.
FILE_INDEX_HOOKS = ("_read_toc", "_schema")


def init_file_index(index, storage, indexname: str) -> None:
    """Set what FileIndex.__init__ sets (no schema given: the TOC's is used), without its read of
    the table of contents."""
    index.storage = storage
    index._schema = None
    index.indexname = indexname


def write_empty_toc(storage, schema, indexname: str, generation: int) -> None:
    """Write a table of contents with no segments as generation ``generation``."""
    TOC(schema, [], generation).write(storage, indexname)


def latest_toc(storage, indexname: str) -> TOC:
    """The latest table of contents (``.generation``, ``.segments``, ``.schema``). A damaged one
    raises any of many types (OSError, EOFError, struct.error, unpickling errors, …); none at all
    raises whoosh.index.EmptyIndexError."""
    return TOC.read(storage, indexname)


def clean_unused_files(storage, indexname: str, toc: TOC) -> None:
    """Delete the files of segments and tables of contents ``toc`` does not list, as a commit
    does: any file named ``<segment id>.<anything>`` of a segment not listed (svar's column files
    too). A file another process holds open is left for a later clean."""
    clean_files(storage, indexname, toc.generation, toc.segments)


def toc_file_pattern(indexname: str) -> re.Pattern:
    """A table of contents' file name; group 1 is its generation."""
    return re.compile(rf"^_{re.escape(indexname)}_(\d+)\.toc$")


def toc_leftover_pattern(indexname: str) -> re.Pattern:
    """The temporary file a table of contents is written to before it is renamed into place."""
    return re.compile(rf"^_{re.escape(indexname)}_\d+\.toc\..+$")


def temp_folder_name(indexname: str) -> str:
    """The folder, inside the index folder, of a writer's temporary storage."""
    return f"{indexname}.tmp"


# -- damage -------------------------------------------------------------------------------------

# Whoosh's modules that turn a segment's bytes into terms, postings, lengths and stored fields.
DECODING_MODULES = ("whoosh.codec.", "whoosh.columns", "whoosh.filedb.", "whoosh.reading", "whoosh.matching.",
                    "whoosh.formats", "whoosh.idsets", "whoosh.system", "whoosh.util.numeric",
                    "whoosh.util.varints", "whoosh.util.numlists")
# What they raise for garbled bytes: their own errors, and those of the decoders they call (zlib,
# struct, pickle: unpickling garbage raises any of several types). CERTAIN_DAMAGE is raised only for
# bytes that are not what was written; the rest (ValueError covers UnicodeError, raised for a garbled
# struct format) also for a file that could not be read at that moment, or by a Whoosh bug. Never
# TypeError or AttributeError: from inside Whoosh those are far likelier svar passing a wrong argument.
CERTAIN_DAMAGE = (zlib.error, struct.error, pickle.UnpicklingError, EOFError, CorruptIndexError, FileFormatError)
DECODING_ERRORS = (*CERTAIN_DAMAGE, ValueError, OverflowError, IndexError, KeyError, OSError)
# What was being read, by the Whoosh function that was reading it (outermost first wins); any
# method of a Matcher reads postings.
_READING = (("stored_fields", "stored answers"), ("iter_docs", "stored answers"), ("all_stored_fields", "stored answers"),
            ("postings", "postings"), ("matcher", "postings"), ("vector", "postings"),
            ("column_reader", "columns"), ("term_info", "terms"), ("frequency", "terms"),
            ("doc_frequency", "terms"), ("lexicon", "terms"), ("terms_from", "terms"), ("expand_prefix", "terms"))


def segment_damage(exc: BaseException) -> str | None:
    """What of a segment ``exc`` says is damaged ("stored answers", "postings", "terms", "columns", or
    "a segment"), when it is an error Whoosh raised decoding the bytes of a segment file; None for
    any other exception (svar's own errors and bugs, Whoosh being called wrongly).

    Decided by where it was raised: the innermost frame of Whoosh's or svar's code (the C decoders
    zlib, struct and pickle have none) must be in one of Whoosh's DECODING_MODULES.
    """
    if not isinstance(exc, DECODING_ERRORS):
        return None
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    own = [f for f in frames if f.f_globals.get("__name__", "").startswith(("whoosh.", "svar."))]
    if not own or not own[-1].f_globals["__name__"].startswith(DECODING_MODULES):
        return None
    for frame in own:
        if not frame.f_globals["__name__"].startswith("whoosh."):
            continue
        if isinstance(frame.f_locals.get("self"), Matcher):
            return "postings"
        for function, what in _READING:
            if frame.f_code.co_name == function:
                return what
    return "a segment"
