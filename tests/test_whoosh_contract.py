"""Contract tests: each Whoosh internal svar touches (index/whoosh_compat.py), against the pinned whoosh3.

A failure here means a Whoosh release moved something svar relies on: fix whoosh_compat.py (and
only it), never widen an ``except`` around it.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import shutil
import tomllib
import zlib
from importlib.metadata import version
from pathlib import Path

import pytest
from whoosh import columns as whoosh_columns
from whoosh.codec import whoosh3
from whoosh.fields import ID, TEXT, Schema, UnknownFieldError
from whoosh.filedb.filestore import FileStorage, OverlayStorage, RamStorage
from whoosh.formats import Positions
from whoosh.index import TOC, FileIndex, clean_files
from whoosh.reading import EmptyReader, SegmentReader
from whoosh.system import pack_uint
from whoosh.util.filelock import FileLock
from whoosh.util.numeric import byte_to_length
from whoosh.writing import IndexingError, IndexWriter, SegmentWriter

from svar.index import store, whoosh_compat as compat
from svar.index.columns import final_name, temporary_name
from svar.index.parallel import ParallelWriter
from svar.index.postings import TermwiseWriter
from svar.index.writing import remove_answers

ROOT = Path(__file__).resolve().parent.parent
SCORED = ("body", "exact", "folded", "parts", "question", "title")  # svar's scorable fields
NAME = "t"  # the index name of the small indexes made here


def _small_index(folder: Path, docs=({"a": "alfa beta alfa", "k": "x"},)) -> FileIndex:
    storage = FileStorage(str(folder)).create()
    ix = storage.create_index(Schema(a=TEXT(stored=True), b=TEXT, k=ID(stored=True)), indexname=NAME)
    if docs:
        with ix.writer() as writer:
            for doc in docs:
                writer.add_document(**doc)
    return ix


def _leaves(ix):
    reader = ix.reader()
    return reader, [leaf for leaf, _ in reader.leaf_readers()]


# -- the pin ------------------------------------------------------------------------------------

def test_pyproject_pins_whoosh3_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d for d in project["dependencies"] if re.match(r"whoosh3\b", d)]
    assert pins == ["whoosh3==3.54.0"]
    assert compat.WHOOSH_VERSION == "3.54.0" == version("whoosh3")


# -- signatures ---------------------------------------------------------------------------------

SIGNATURES = [
    (SegmentWriter.__init__, "(self, ix, poolclass=None, timeout=0.0, delay=0.1, _lk=True, limitmb=128, "
                             "docbase=0, codec=None, compound=True, **kwargs)"),
    (SegmentWriter._check_state, "(self)"),
    (SegmentWriter._doc_boost, "(self, fields, default=1.0)"),
    (SegmentWriter._field_boost, "(self, fields, fieldname, default=1.0)"),
    (SegmentWriter._check_fields, "(self, schema, fieldnames)"),
    (SegmentWriter._flush_segment, "(self)"),
    (SegmentWriter._assemble_segment, "(self)"),
    (SegmentWriter._merge_segments, "(self, mergetype, optimize, merge)"),
    (SegmentWriter._finalize_segment, "(self)"),
    (SegmentWriter._close_segment, "(self)"),
    (SegmentWriter._commit_toc, "(self, segments)"),
    (SegmentWriter._finish, "(self)"),
    (SegmentWriter.temp_storage, "(self)"),
    (SegmentWriter.per_document_reader, "(self)"),
    (FileIndex._read_toc, "(self)"),
    (whoosh3.W3PerDocReader._cached_reader, "(self, fieldname, column)"),
    (whoosh3.W3PerDocReader.doc_field_length_reader, "(self, fieldname, default=0)"),
    (whoosh3._lenfield, "(fieldname)"),
    (whoosh_columns.FixedBytesColumn.Reader.__init__, "(self, dbfile, basepos, length, doccount, fixedlen, default)"),
    (TOC.read, "(storage, indexname, gen=None, schema=None)"),
    (TOC.write, "(self, storage, indexname)"),
    (clean_files, "(storage, indexname, gen, segments) -> 'None'"),
    (SegmentReader.storage, "(self) -> 'Storage | None'"),
]


@pytest.mark.parametrize("function, expected", SIGNATURES, ids=[f.__qualname__ for f, _ in SIGNATURES])
def test_each_internal_has_the_signature_svar_calls_it_with(function, expected):
    assert str(inspect.signature(function)) == expected


def test_toc_init_takes_schema_segments_generation():
    assert list(inspect.signature(TOC.__init__).parameters)[:4] == ["self", "schema", "segments", "generation"]


def test_every_writer_hook_exists_on_a_segment_writer(tmp_path):
    writer = SegmentWriter(_small_index(tmp_path, docs=()))
    try:
        missing = [name for name in compat.SEGMENT_WRITER_HOOKS if not hasattr(writer, name)]
        assert missing == []
        for name in compat.SEGMENT_WRITER_OVERRIDES:
            assert name in compat.SEGMENT_WRITER_HOOKS and callable(vars(SegmentWriter)[name])
    finally:
        writer.cancel()


def test_svar_writers_override_only_the_listed_hooks(tmp_path):
    whoosh_names = {name for cls in SegmentWriter.__mro__ for name in vars(cls)}
    for cls in (TermwiseWriter, ParallelWriter):
        overridden = {name for name in vars(cls) if name in whoosh_names and name.startswith("_")
                      and not name.startswith("__")}
        assert overridden <= set(compat.SEGMENT_WRITER_OVERRIDES), cls
    # The attributes svar's writers add of their own must not clobber a SegmentWriter's.
    writer = SegmentWriter(_small_index(tmp_path, docs=()))
    try:
        whoosh_attributes = set(vars(writer))
    finally:
        writer.cancel()
    own = {"_plain", "_direct", "workers", "parallel_from", "batch", "_buffer", "_grouping", "_tasks",
           "_inherited_fds", "_context", "_jobs", "_results"}
    assert own & whoosh_attributes == set()
    assert {"pool", "_added", "writelock", "docnum", "perdocwriter", "fieldwriter", "codec"} <= whoosh_attributes


def test_file_index_hooks_are_what_file_index_init_sets(tmp_path):
    ix = _small_index(tmp_path)
    assert set(vars(FileIndex(ix.storage, indexname=NAME))) == {"storage", "_schema", "indexname"}
    assert set(compat.FILE_INDEX_HOOKS) <= set(vars(FileIndex)) | set(vars(FileIndex(ix.storage, indexname=NAME)))


def test_svar_reaches_whoosh_internals_only_through_the_compat_module():
    # Whoosh's private names; those svar's own classes also use (_count, _storage) only off ``self``.
    internals = re.compile(r"\._(perdoc|cached_reader|dbfile|basepos|fixedlen|schema|check_state|doc_boost|"
                           r"field_boost|check_fields|added|tempstorage|merge_segments|finalize_segment|"
                           r"close_segment|commit_toc|finish|read_toc)\b|(?<!self)\._(count|storage|segment)\b|"
                           r"\b_lenfield\b|\b_lk\b|\bwritelock\b|\.(fd|pool|is_closed)\b|\b(TOC|clean_files)\s*[.(]|"
                           r"import .*\b(TOC|clean_files)\b|"
                           r"from whoosh[\w.]* import .*\b_\w+|"
                           # probes: getattr(reader, "_storage", None) and the like
                           r"getattr\([^)]*[\"'](_[a-z]\w*|fd|b|folder|readonly|doc_field_length_reader|"
                           r"deleted_docs_set)[\"']")
    allowed = {  # the overrides: Whoosh calls them by name (SEGMENT_WRITER_OVERRIDES, FILE_INDEX_HOOKS)
        "    def _flush_segment(self) -> None:",
        "    def _assemble_segment(self) -> None:",
        "        super()._assemble_segment()",
        "    def _read_toc(self):  # overrides FileIndex's (whoosh_compat.FILE_INDEX_HOOKS): writers read it too",
        "            self._read_toc()",
        "                return super()._read_toc()",
    }
    found = []
    for path in [*sorted((ROOT / "index").glob("*.py")), *sorted((ROOT / "search").glob("*.py"))]:
        if path.name == "whoosh_compat.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if internals.search(line) and line not in allowed:
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == []


# -- reading a segment --------------------------------------------------------------------------

@pytest.mark.parametrize("preload", [False, True])
def test_length_bytes_are_the_lengths_whoosh_gives(seed_index_dir, preload):
    ix = store.open_existing(seed_index_dir, preload=preload)
    reader, leaves = _leaves(ix)
    try:
        assert [leaf.doc_count_all() for leaf in leaves] == [27]
        for leaf in leaves:
            for fieldname in SCORED:
                stored = compat.length_bytes(leaf, fieldname)
                assert type(stored) is bytes and len(stored) == 27, fieldname
                # whoosh3's doc_field_length gives None, not 0, for a passage without the field.
                assert [byte_to_length(b) if b else None for b in stored] == \
                       [leaf.doc_field_length(d, fieldname) for d in range(27)], fieldname
            assert sum(1 for b in compat.length_bytes(leaf, "body") if b) == 27
            assert sum(1 for b in compat.length_bytes(leaf, "question") if b) < 27
    finally:
        reader.close()


def test_length_bytes_of_a_field_no_passage_has_is_none(tmp_path):
    ix = _small_index(tmp_path, docs=({"a": "alfa beta alfa", "k": "x"}, {"a": "gamma", "k": "y"}))
    reader = ix.reader()
    try:
        assert isinstance(reader, SegmentReader)
        assert [byte_to_length(b) for b in compat.length_bytes(reader, "a")] == [3, 1]
        assert compat.length_bytes(reader, "b") is None
        assert [reader.doc_field_length(d, "b") for d in range(2)] == [0, 0]
    finally:
        reader.close()


def test_length_bytes_pads_passages_past_the_stored_ones(tmp_path):
    # Whoosh's length column stops at the last passage that has the field: the rest read as 0.
    ix = _small_index(tmp_path, docs=({"a": "alfa beta", "k": "x"}, {"k": "y"}, {"k": "z"}))
    reader = ix.reader()
    try:
        assert compat.length_bytes(reader, "a") == bytes([2, 0, 0])
        assert [reader.doc_field_length(d, "a") for d in range(3)] == [2, None, None]
    finally:
        reader.close()


def test_length_bytes_needs_a_segment_reader(tmp_path):
    assert compat.length_bytes(EmptyReader(Schema(a=TEXT)), "a") is None  # an index with no segments
    ix = _small_index(tmp_path)
    with ix.writer() as writer:
        writer.add_document(a="gamma", k="y")
    reader = ix.reader()
    try:
        with pytest.raises(TypeError):
            compat.length_bytes(reader, "a")  # a MultiReader: ask each leaf
        assert [compat.length_bytes(leaf, "a") for leaf, _ in reader.leaf_readers()] == [bytes([3]), bytes([1])]
    finally:
        reader.close()


def test_deleted_docs_are_what_is_deleted_says(seed_index_dir, tmp_path):
    copy = tmp_path / "ix"
    shutil.copytree(seed_index_dir, copy)
    ix = store.open_existing(copy)
    with ix.searcher() as searcher:
        removed = sorted(searcher.document_numbers(dnr="KS 2022/65"))
    reader, leaves = _leaves(ix)
    assert [compat.deleted_docs(leaf) for leaf in leaves] == [frozenset()]
    reader.close()
    assert remove_answers(copy, ["KS 2022/65"]) == ["KS 2022/65"]
    ix = store.open_existing(copy)
    reader, leaves = _leaves(ix)
    try:
        assert len(leaves) == 1 and removed == [5, 6, 7, 8, 9]
        leaf = leaves[0]
        deleted = compat.deleted_docs(leaf)
        assert deleted == frozenset(removed)
        assert deleted == {d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)}
        assert compat.deleted_docs(leaf) is deleted  # cached while the reader is open
    finally:
        reader.close()
    assert isinstance(inspect.getattr_static(SegmentReader, "deleted_docs_set"), functools.cached_property)


def test_segment_folder_and_id_find_svar_s_column_file(seed_index_dir):
    for preload in (False, True):
        ix = store.open_existing(seed_index_dir, preload=preload)
        reader, leaves = _leaves(ix)
        try:
            for leaf in leaves:
                assert leaf.segment().is_compound() and isinstance(leaf.storage(), OverlayStorage)
                assert compat.segment_folder(leaf) == str(ix.generation_dir)
                assert compat.segment_id(leaf) == leaf.segment().segment_id()
                assert re.fullmatch(r"svar_[0-9a-z]+", compat.segment_id(leaf))
                assert os.path.isfile(os.path.join(compat.segment_folder(leaf), final_name(compat.segment_id(leaf))))
        finally:
            reader.close()


def test_segment_folder_of_no_single_segment_or_memory_is_none(tmp_path):
    assert compat.segment_folder(EmptyReader(Schema(a=TEXT))) is None
    assert compat.segment_id(EmptyReader(Schema(a=TEXT))) is None
    ix = RamStorage().create_index(Schema(a=TEXT))
    with ix.writer() as writer:
        writer.add_document(a="alfa")
    reader = ix.reader()
    assert isinstance(reader, SegmentReader)
    assert compat.segment_folder(reader) is None and compat.segment_id(reader) == reader.segment().segment_id()
    # An uncompounded segment reads straight from the index folder.
    ix = _small_index(tmp_path)
    with ix.writer(compound=False) as writer:
        writer.add_document(a="gamma", k="y")
    reader = ix.reader()
    try:
        assert [compat.segment_folder(leaf) for leaf, _ in reader.leaf_readers()] == [str(tmp_path)] * 2
        assert compat.segment_folder(reader) is None  # a MultiReader
    finally:
        reader.close()


def test_storage_folder(tmp_path):
    assert compat.storage_folder(FileStorage(str(tmp_path))) == str(tmp_path)
    assert compat.storage_folder(RamStorage()) is None
    assert compat.storage_folder(OverlayStorage(RamStorage(), FileStorage(str(tmp_path)))) == str(tmp_path)


def test_field_length_reader_gives_doc_field_length(seed_index_dir, tmp_path):
    ix = store.open_existing(seed_index_dir)
    reader, leaves = _leaves(ix)
    try:
        for leaf in leaves:
            perdoc = leaf.codec().per_document_reader(leaf.storage(), leaf.segment())
            for fieldname in SCORED:
                lookup = compat.field_length_reader(perdoc, fieldname)
                assert [lookup(d) for d in range(27)] == [leaf.doc_field_length(d, fieldname) for d in range(27)]
            perdoc.close()
    finally:
        reader.close()
    small = _small_index(tmp_path)
    reader = small.reader()
    perdoc = reader.codec().per_document_reader(reader.storage(), reader.segment())
    assert compat.field_length_reader(perdoc, "a")(0) == 3
    assert compat.field_length_reader(perdoc, "b")(0) == 0  # no column: Whoosh's default
    perdoc.close()
    reader.close()


# -- postings values ----------------------------------------------------------------------------

def test_position_deltas_decode_the_positions_format():
    fmt = Positions()
    values = [fmt.encode([3, 5, 9]), fmt.encode([0]), fmt.encode([7, 7000])]
    assert compat.position_deltas(values) == [[3, 2, 4], [0], [7, 6993]]
    assert values[0][:4] == pack_uint(3)
    for value, deltas in zip(values, compat.position_deltas(values)):
        assert fmt.decode_positions(value) == [sum(deltas[:i + 1]) for i in range(len(deltas))]


def test_position_deltas_of_an_indexed_term(tmp_path):
    ix = _small_index(tmp_path, docs=({"a": "alfa beta alfa gamma alfa", "k": "x"},))
    reader = ix.reader()
    try:
        matcher = reader.postings("a", "alfa")
        assert compat.position_deltas([matcher.value()]) == [[0, 2, 2]]
    finally:
        reader.close()


# -- the segment writer -------------------------------------------------------------------------

def test_add_document_hooks(tmp_path):
    ix = _small_index(tmp_path, docs=())
    writer = ix.writer()
    assert isinstance(writer, SegmentWriter)
    assert compat.has_added(writer) is False
    compat.check_writable(writer)
    assert compat.doc_boost(writer, {"a": "x"}) == 1.0
    assert compat.doc_boost(writer, {"a": "x", "_boost": "2"}) == 2.0
    assert compat.field_boost(writer, {"a": "x"}, "a", 2.0) == 2.0
    assert compat.field_boost(writer, {"a": "x", "_a_boost": 3}, "a", 2.0) == 3.0
    compat.check_fields(writer, ix.schema, ["a", "k"])
    with pytest.raises(UnknownFieldError):
        compat.check_fields(writer, ix.schema, ["a", "nope"])
    writer.add_document(a="alfa")
    assert compat.has_added(writer) is True
    writer.cancel()
    with pytest.raises(IndexingError):
        compat.check_writable(writer)


def test_mark_added_makes_commit_write_the_segment(tmp_path):
    ix = _small_index(tmp_path, docs=())
    writer = _Recording(ix)
    compat.mark_added(writer)
    writer.commit()
    assert "_finalize_segment" in writer.calls
    assert ix.doc_count_all() == 0 and len(ix._read_toc().segments) == 1


class _Pool:
    def __init__(self) -> None:
        self.added: list[tuple] = []
        self.cleaned = 0

    def add(self, item: tuple) -> None:
        self.added.append(item)

    def cleanup(self) -> None:
        self.cleaned += 1


def test_a_replaced_pool_gets_merged_postings_and_cleanup(tmp_path):
    source = _small_index(tmp_path / "a", docs=({"a": "alfa beta alfa", "k": "x"}, {"a": "beta", "k": "y"}))
    ix = _small_index(tmp_path / "b", docs=())
    writer = ix.writer()
    pool = _Pool()
    compat.replace_pool(writer, pool)
    writer.add_document(k="z")  # docnum 0, so the merged documents are renumbered from 1
    reader = source.reader()
    writer.add_reader(reader)
    reader.close()
    fmt = Positions()
    assert sorted(pool.added) == [
        ("a", b"alfa", 1, 2.0, fmt.encode([0, 2])),
        ("a", b"beta", 1, 1.0, fmt.encode([1])),
        ("a", b"beta", 2, 1.0, fmt.encode([0])),
        ("k", b"x", 1, 1.0, None),
        ("k", b"y", 2, 1.0, None),
        ("k", b"z", 0, 1.0, b""),  # added, not merged: an ID field's empty value
    ]
    assert pool.cleaned == 0
    writer.cancel()
    assert pool.cleaned == 1


class _Recording(SegmentWriter):
    """Records the internal steps Whoosh runs, in order."""

    def __init__(self, *args, **kwargs) -> None:
        self.calls: list[str] = []
        super().__init__(*args, **kwargs)


for _name in ("_merge_segments", "_finalize_segment", "_flush_segment", "_close_segment", "_assemble_segment",
              "_commit_toc", "_finish"):
    def _recorded(self, *args, _name=_name, **kwargs):
        self.calls.append(_name)
        return getattr(SegmentWriter, _name)(self, *args, **kwargs)
    setattr(_Recording, _name, _recorded)


def test_commit_runs_the_steps_parallel_writer_runs(tmp_path):
    ix = _small_index(tmp_path, docs=())
    writer = _Recording(ix)
    writer.add_document(a="alfa", k="x")
    writer.commit()
    assert writer.calls == ["_merge_segments", "_finalize_segment", "_flush_segment", "_close_segment",
                            "_assemble_segment", "_commit_toc", "_finish"]
    writer = _Recording(ix)
    writer.commit()
    assert writer.calls == ["_merge_segments", "_close_segment", "_commit_toc", "_finish"]
    assert ix.doc_count_all() == 1


def test_parallel_writer_s_steps_commit_a_segment(tmp_path):
    ix = _small_index(tmp_path)
    seen = []

    def policy(writer, segments):
        seen.append((writer, list(segments)))
        return segments

    writer = _Recording(ix)
    writer.add_document(a="gamma", k="y")
    compat.check_writable(writer)
    kept = compat.merge_segments(writer, policy, None, None)
    assert seen == [(writer, kept)] and len(kept) == 1
    assert compat.has_added(writer)
    segment = compat.finalize_segment(writer)
    assert segment.doc_count_all() == 1 and segment is writer.get_segment()
    compat.commit_toc(writer, kept + [segment])
    compat.finish(writer)
    assert writer.calls == ["_merge_segments", "_finalize_segment", "_flush_segment", "_close_segment",
                            "_assemble_segment", "_commit_toc", "_finish"]
    assert writer.is_closed and ix.doc_count_all() == 2
    with ix.searcher() as searcher:
        assert sorted(hit["k"] for hit in searcher.documents()) == ["x", "y"]


def test_close_segment_commits_nothing_new(tmp_path):
    ix = _small_index(tmp_path)
    writer = ix.writer()
    kept = compat.merge_segments(writer, None, None, False)
    compat.close_segment(writer)
    compat.commit_toc(writer, kept)
    compat.finish(writer)
    assert ix.doc_count_all() == 1 and ix.latest_generation() == 2


def test_assembling_packs_the_segment_s_files_but_not_the_temporary_column_file(tmp_path):
    ix = _small_index(tmp_path, docs=())

    class Writer(_Recording):
        def _flush_segment(self):
            super()._flush_segment()
            segment_id = self.get_segment().segment_id()
            for name in (temporary_name(segment_id), f"{segment_id}.extra"):
                (tmp_path / name).write_bytes(b"x")

    writer = Writer(ix)
    assert writer.compound
    writer.add_document(a="alfa", k="x")
    segment = compat.finalize_segment(writer)
    segment_id = segment.segment_id()
    assert writer.calls[-1] == "_assemble_segment" and segment.is_compound()
    # Named like the segment's files before assembly, a file would be packed (and gone from the
    # folder): so svar renames its column file to final_name only after _assemble_segment.
    assert not (tmp_path / f"{segment_id}.extra").exists()
    assert f"{segment_id}.extra" in segment.open_compound_file(ix.storage).list()
    assert (tmp_path / temporary_name(segment_id)).exists()
    writer.cancel()


def test_unlocked_writer_takes_no_lock(tmp_path):
    ix = _small_index(tmp_path)
    assert compat.unlocked_writer_kwargs() == {"_lk": False}
    unlocked = SegmentWriter(ix, **compat.unlocked_writer_kwargs())
    assert unlocked.writelock is None and compat.writer_lock_descriptor(unlocked) is None
    lock = ix.lock("WRITELOCK")
    assert lock.acquire(blocking=False)  # nobody holds the index's write lock
    lock.release()
    unlocked.cancel()
    locked = ix.writer()
    fd = compat.writer_lock_descriptor(locked)
    assert isinstance(fd, int) and fd == locked.writelock.fd and os.fstat(fd)
    assert not ix.lock("WRITELOCK").acquire(blocking=False)
    locked.cancel()


def test_lock_descriptor(tmp_path):
    lock = FileLock(str(tmp_path / "lock"))
    assert compat.lock_descriptor(lock) is None
    assert lock.acquire(blocking=False)
    assert compat.lock_descriptor(lock) == lock.fd and os.fstat(lock.fd)
    lock.release()
    assert compat.lock_descriptor(lock) is None
    assert compat.lock_descriptor(None) is None
    assert compat.lock_descriptor(RamStorage().lock("x")) is None


def test_temporary_storage_is_the_folder_svar_cleans(tmp_path):
    ix = _small_index(tmp_path, docs=())
    writer = ix.writer()
    assert writer.temp_storage().folder == str(tmp_path / compat.temp_folder_name(NAME))
    assert (tmp_path / compat.temp_folder_name(NAME)).is_dir()
    writer.cancel()
    assert not (tmp_path / compat.temp_folder_name(NAME)).exists()


# -- the index ----------------------------------------------------------------------------------

def test_read_toc_is_what_a_writer_reads(tmp_path):
    reads = []

    class Counting(FileIndex):
        def _read_toc(self):
            reads.append(1)
            return super()._read_toc()

    _small_index(tmp_path)
    ix = Counting.__new__(Counting)
    compat.init_file_index(ix, FileStorage(str(tmp_path)), NAME)
    toc = ix._read_toc()
    assert (toc.generation, len(toc.segments), sorted(toc.schema.names())) == (1, 1, ["a", "b", "k"])
    assert vars(ix) == {"storage": ix.storage, "_schema": None, "indexname": NAME}
    reads.clear()
    writer = ix.writer()
    assert reads == [1]
    writer.cancel()
    reads.clear()
    assert sorted(ix.schema.names()) == ["a", "b", "k"] and reads == [1]


def test_write_empty_toc_starts_at_a_generation(tmp_path):
    storage = FileStorage(str(tmp_path))
    compat.write_empty_toc(storage, Schema(a=TEXT), NAME, 5)
    assert [compat.toc_file_pattern(NAME).match(name)[1] for name in storage.list()] == ["5"]
    ix = FileIndex(storage, indexname=NAME)
    assert (ix.latest_generation(), ix.doc_count_all(), ix.schema.names()) == (5, 0, ["a"])
    with ix.writer() as writer:
        writer.add_document(a="alfa")
    assert ix.latest_generation() == 6


def test_toc_names(tmp_path, monkeypatch):
    assert compat.toc_file_pattern(NAME).match(TOC._filename(NAME, 12))[1] == "12"
    assert compat.toc_file_pattern("svar").pattern == store._TOC.pattern
    assert compat.toc_leftover_pattern("svar").pattern == store._TOC_LEFTOVER.pattern
    storage = FileStorage(str(tmp_path))
    renamed = []
    real = FileStorage.rename_file
    monkeypatch.setattr(FileStorage, "rename_file", lambda self, a, b, safe=False: (renamed.append((a, b)), real(self, a, b, safe))[1])
    compat.write_empty_toc(storage, Schema(a=TEXT), NAME, 3)
    [(temporary, final)] = renamed
    assert final == f"_{NAME}_3.toc" and compat.toc_file_pattern(NAME).match(final)
    assert compat.toc_leftover_pattern(NAME).match(temporary) and not compat.toc_file_pattern(NAME).match(temporary)


def test_clean_unused_files_removes_a_dead_segment_s_columns(tmp_path):
    ix = _small_index(tmp_path)
    [segment] = ix._read_toc().segments
    live = segment.segment_id()
    dead = f"{NAME}_0123456789abcdef"
    names = [final_name(live), final_name(dead), temporary_name(dead), f"_{NAME}_0.toc"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    storage = FileStorage(str(tmp_path))
    toc = compat.latest_toc(storage, NAME)
    assert (toc.generation, [s.segment_id() for s in toc.segments]) == (1, [live])
    compat.clean_unused_files(storage, NAME, toc)
    assert [name for name in names if (tmp_path / name).exists()] == [final_name(live)]
    assert ix.doc_count_all() == 1


def test_latest_toc_raises_for_no_index(tmp_path):
    from whoosh.index import EmptyIndexError

    with pytest.raises(EmptyIndexError):
        compat.latest_toc(FileStorage(str(tmp_path)), NAME)


def test_index_writer_base_has_the_boost_hooks():
    # _doc_boost and _field_boost come from IndexWriter: a SegmentWriter replacement inherits them.
    assert "_doc_boost" in vars(IndexWriter) and "_field_boost" in vars(IndexWriter)


def _failing_toc_rename(monkeypatch):
    real = FileStorage.rename_file

    def rename_file(self, old, new, safe=False):
        if new.endswith(".toc"):
            raise OSError(28, "No space left on device")
        return real(self, old, new, safe)

    monkeypatch.setattr(FileStorage, "rename_file", rename_file)


def test_a_failed_commit_closes_the_writer(tmp_path, monkeypatch):
    ix = _small_index(tmp_path)
    writer = ix.writer()
    writer.add_document(a="gamma", k="y")
    _failing_toc_rename(monkeypatch)
    with pytest.raises(OSError):
        writer.commit()
    assert writer.is_closed and writer.writelock is None  # released
    with pytest.raises(IndexingError):
        writer.cancel()
    compat.cancel_open(writer)  # no error: already closed
    monkeypatch.undo()
    assert ix.doc_count_all() == 1
    with ix.writer() as again:  # the lock is free
        again.add_document(a="delta", k="z")
    assert ix.doc_count_all() == 2


def test_a_failed_commit_is_reported_as_svar_s_error(tmp_path, monkeypatch):
    from svar.index.errors import SvarError
    from svar.index.writing import index_files

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    index_files(tmp_path / "ix", seeds[:1], workers=1)
    _failing_toc_rename(monkeypatch)
    with pytest.raises(SvarError, match="could not write the index at .*: No space left on device"):
        index_files(tmp_path / "ix", seeds[1:2], workers=1)
    monkeypatch.undo()
    report = index_files(tmp_path / "ix", seeds[1:2], workers=1)  # nothing was committed, nothing is locked
    assert len(report.new) == 1


# -- damage -------------------------------------------------------------------------------------

def _garble_part(folder: Path, part: str, start: int, stop: int) -> None:
    """Flip bytes start:stop of one part (e.g. "_stored.col", "pst") of the index's one compound segment."""
    from whoosh.filedb.compound import CompoundStorage

    [segment] = folder.glob("*.seg")
    with FileStorage(str(folder)).open_file(segment.name) as compound:
        stored = CompoundStorage(compound, use_mmap=False).open_file(f"{segment.stem}.{part}").read()
    data = segment.read_bytes()
    offset = data.index(stored)
    start, stop = offset + start, offset + stop
    segment.write_bytes(data[:start] + bytes(b ^ 0xFF for b in data[start:stop]) + data[stop:])


def _raised(call) -> BaseException:
    try:
        call()
    except Exception as exc:  # what Whoosh raised, to classify
        return exc
    raise AssertionError("nothing raised")


def test_segment_damage_is_what_whoosh_s_decoding_modules_raise(tmp_path):
    import pkgutil

    import whoosh

    modules = [m.name for m in pkgutil.walk_packages(whoosh.__path__, "whoosh.")]
    for prefix in compat.DECODING_MODULES:
        assert any(m == prefix or m.startswith(prefix) for m in modules), prefix
    docs = ({"a": "alfa beta alfa " * 20, "k": "x"}, {"a": "gamma " * 30, "k": "y"})
    _small_index(tmp_path / "stored", docs)
    _garble_part(tmp_path / "stored", "_stored.col", 2, 12)  # inside the first document's compressed fields
    reader = FileIndex(FileStorage(str(tmp_path / "stored")), indexname=NAME).reader()
    exc = _raised(lambda: reader.stored_fields(0))
    reader.close()
    assert isinstance(exc, compat.CERTAIN_DAMAGE) and compat.segment_damage(exc) == "stored answers"
    _small_index(tmp_path / "postings", docs)
    _garble_part(tmp_path / "postings", "pst", 0, 4)  # the first block's tag
    reader = FileIndex(FileStorage(str(tmp_path / "postings")), indexname=NAME).reader()
    exc = _raised(lambda: list(reader.postings("a", b"alfa").all_ids()))
    reader.close()
    assert isinstance(exc, compat.CERTAIN_DAMAGE) and compat.segment_damage(exc) == "postings"
    # Raised outside Whoosh, the same types are not damage.
    assert compat.segment_damage(_raised(lambda: zlib.decompress(b"garbage"))) is None


def test_field_terms_are_the_terms_whoosh_lists(seed_index_dir):
    ix = store.open_existing(seed_index_dir, preload=False)
    reader, leaves = _leaves(ix)
    try:
        for leaf in leaves:
            for fieldname in (name for name in leaf.schema.names() if leaf.schema[name].format is not None):
                assert compat.field_terms(leaf, fieldname) == list(leaf.lexicon(fieldname)), fieldname
            assert len(compat.field_terms(leaf, "exact")) > 1000
    finally:
        reader.close()


def test_field_terms_of_the_first_and_last_field_and_of_none(tmp_path):
    ix = _small_index(tmp_path, docs=({"a": "alfa beta alfa", "b": "delta", "k": "x"}, {"a": "gamma", "k": "y"}))
    reader = ix.reader()
    try:
        assert isinstance(reader, SegmentReader)
        assert compat.field_terms(reader, "a") == [b"alfa", b"beta", b"gamma"]
        assert compat.field_terms(reader, "b") == [b"delta"]
        assert compat.field_terms(reader, "k") == [b"x", b"y"]  # the table's last field
        assert compat.field_terms(reader, "nosuchfield") == []
    finally:
        reader.close()
    empty = _small_index(tmp_path / "empty", docs=())
    with empty.reader() as nothing:
        assert isinstance(nothing, EmptyReader) and compat.field_terms(nothing, "a") == []
