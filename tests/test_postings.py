"""svar's segment writer writes, byte for byte, the segment Whoosh's own SegmentWriter writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from svar.index.loading import content_hash, parse_answer
from svar.index.postings import TermwiseWriter, direct_index
from svar.index.reading import read_text
from svar.index.schema import TEXT_FIELDS, build_schema
from svar.index.writing import passage_documents

from generated import write_answers


def _documents(tmp_path: Path, numbers) -> list[dict]:
    documents = []
    for path in write_answers(tmp_path / "answers", numbers):
        raw, data = read_text(path)
        answer = parse_answer(raw, source=str(path), content_hash=content_hash(data))
        documents.extend(passage_documents(answer, indexed_at=1))
    return documents


def _segment_files(folder: Path) -> list[dict[str, bytes]]:
    """Every segment's parts by name (the random segment id taken out), in segment order."""
    ix = whoosh_index.open_dir(str(folder))
    found = []
    for segment in ix._segments():
        storage = segment.open_compound_file(ix.storage) if segment.compound else ix.storage
        found.append({name.replace(segment.segment_id(), "SEG"): storage.open_file(name).read()
                      for name in storage.list() if segment.segment_id() in name})
    return found


def _write(folder: Path, writer_class, batches: list[list[dict]], spill_mb: float | None = None,
           merge_last: bool = False) -> list[int]:
    """One commit per batch; the last merges every segment into one when ``merge_last``. Returns the
    runs each TermwiseWriter spilled to disk."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    runs = []
    for number, documents in enumerate(batches):
        options = {"limitmb": spill_mb} if writer_class is TermwiseWriter and spill_mb else {}
        writer = writer_class(ix, **options)
        for document in documents:
            writer.add_document(**document)
        if writer_class is TermwiseWriter:
            runs.append(len(writer.termpool.runs))
        writer.commit(optimize=merge_last and number == len(batches) - 1)
    return runs


@pytest.mark.parametrize("spill_mb", [None, 0.4], ids=["in-memory", "spilled"])
def test_a_segment_is_written_byte_for_byte_as_whoosh_writes_it(tmp_path, spill_mb):
    documents = _documents(tmp_path, range(12))
    assert len(documents) == 81
    _write(tmp_path / "whoosh", SegmentWriter, [documents])
    runs = _write(tmp_path / "svar", TermwiseWriter, [documents], spill_mb=spill_mb)
    assert runs == ([0] if spill_mb is None else [4])
    whoosh, svar = _segment_files(tmp_path / "whoosh"), _segment_files(tmp_path / "svar")
    assert len(whoosh) == 1 and sorted(whoosh[0]) == sorted(svar[0])
    assert [name for name in whoosh[0] if whoosh[0][name] != svar[0][name]] == []


def test_merging_old_segments_writes_what_whoosh_writes(tmp_path):
    # The merged documents' postings reach the pool through Whoosh's add_reader, their lengths from
    # the segment; the new documents' from the pool. Deleted passages are left out in both.
    documents = _documents(tmp_path, range(9))
    batches = [documents[:30], documents[30:60], documents[60:]]
    for name, writer_class in (("whoosh", SegmentWriter), ("svar", TermwiseWriter)):
        _write(tmp_path / name, writer_class, batches[:2], spill_mb=0.05)
        ix = whoosh_index.open_dir(str(tmp_path / name))
        writer = writer_class(ix)
        writer.delete_by_term("dnr", documents[0]["dnr"])
        for document in batches[2]:
            writer.add_document(**document)
        writer.commit(optimize=True)
    whoosh, svar = _segment_files(tmp_path / "whoosh"), _segment_files(tmp_path / "svar")
    assert len(whoosh) == len(svar) == 1
    assert [name for name in whoosh[0] if whoosh[0][name] != svar[0][name]] == []


def test_a_cancelled_writer_leaves_no_runs_behind(tmp_path):
    documents = _documents(tmp_path, range(4))
    (tmp_path / "ix").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "ix"), build_schema())
    writer = TermwiseWriter(ix, limitmb=0.01)
    for document in documents:
        writer.add_document(**document)
    temp = writer.temp_storage()
    assert len(writer.termpool.runs) > 1 and all(temp.file_exists(name) for name in writer.termpool.runs)
    runs = list(writer.termpool.runs)
    writer.cancel()
    assert not any(temp.file_exists(name) for name in runs)


text_pieces = st.sampled_from([
    "barn", "Barnet", "barnen", "familjehem", "familjehemsvården", "jour-", "och", "familjehem", "att",
    "socialtjänstlagen", "Åkerström", "JO:s", "2022/65", "3,5", "Hägersten-Älvsjö", "mellantvång", "?", "\n",
])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.lists(text_pieces, max_size=40).map(" ".join), st.text(max_size=120)))
def test_each_text_field_is_indexed_directly_as_whoosh_indexes_it(text):
    schema = build_schema()
    for fieldname in TEXT_FIELDS:
        field = schema[fieldname]
        direct = direct_index(field)
        assert direct is not None, fieldname
        assert sorted(direct(text)) == sorted(field.index(text)), fieldname
