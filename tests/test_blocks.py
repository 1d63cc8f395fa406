"""svar's segment writer writes a term a block at a time (index/blocks.py), byte for byte as Whoosh
writes it a posting at a time: terms of several blocks (over 128 postings), terms of one posting,
and terms whose postings were spilled to several runs and joined again."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from svar.index.loading import content_hash, parse_answer
from svar.index.postings import TermwiseWriter
from svar.index.reading import read_text
from svar.index.schema import build_schema
from svar.index.writing import passage_documents

from generated import write_answers


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> list[dict]:
    """Forty answers (ten of each seed answer), each with a sentence of words no other has."""
    folder = tmp_path_factory.mktemp("blocks") / "answers"
    found = []
    for number in range(40):
        unique = "".join("abcdefghij"[int(digit)] for digit in f"{number:02d}")
        (path,) = write_answers(folder, [number], extra=f"Kvarn{unique}stenen och {unique}bolagens ägare.")
        raw, data = read_text(path)
        found.extend(passage_documents(parse_answer(raw, source=str(path), content_hash=content_hash(data)),
                                       indexed_at=1))
    return found


def _build(folder: Path, documents: list[dict], writer_class, **options) -> int:
    """One segment of ``documents``; returns the runs a TermwiseWriter spilled."""
    folder.mkdir()
    writer = writer_class(whoosh_index.create_in(str(folder), build_schema()), **options)
    for document in documents:
        writer.add_document(**document)
    runs = len(writer.termpool.runs) if isinstance(writer, TermwiseWriter) else 0
    writer.commit()
    return runs


def _segment_files(folder: Path) -> dict[str, bytes]:
    """The one segment's parts by name, the random segment id taken out."""
    ix = whoosh_index.open_dir(str(folder))
    (segment,) = ix._segments()
    storage = segment.open_compound_file(ix.storage) if segment.compound else ix.storage
    return {name.replace(segment.segment_id(), "SEG"): storage.open_file(name).read()
            for name in storage.list() if segment.segment_id() in name}


def _document_frequencies(folder: Path) -> list[int]:
    with whoosh_index.open_dir(str(folder)).reader() as reader:
        return [reader.doc_frequency(fieldname, btext) for fieldname, btext in reader.all_terms()]


@pytest.mark.parametrize("spill_mb", [None, 0.3], ids=["in-memory", "spilled"])
def test_terms_of_many_blocks_and_of_one_posting_are_written_as_whoosh_writes_them(documents, tmp_path, spill_mb):
    assert len(documents) == 270
    _build(tmp_path / "whoosh", documents, SegmentWriter)
    runs = _build(tmp_path / "svar", documents, TermwiseWriter, **({"limitmb": spill_mb} if spill_mb else {}))
    assert runs == (0 if spill_mb is None else 20)
    frequencies = _document_frequencies(tmp_path / "whoosh")
    # Terms of three blocks (a block holds 128 postings), and terms of one posting, written apart.
    assert (max(frequencies), sum(f > 128 for f in frequencies), sum(f > 256 for f in frequencies)) == (270, 65, 2)
    assert frequencies.count(1) == 160
    whoosh, svar = _segment_files(tmp_path / "whoosh"), _segment_files(tmp_path / "svar")
    assert sorted(whoosh) == sorted(svar)
    assert [name for name in whoosh if whoosh[name] != svar[name]] == []
