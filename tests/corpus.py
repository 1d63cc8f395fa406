"""An index of real size from the Riksdag corpus beside the repository (../shared/corpus), for the
differential tests (test_differential.py) that compare every way of searching with tests/reference.py.

Not a test module: conftest.py builds it once per session through ``build_corpus_index``.

The answers are rendered by the corpus's own make_answers.py (deterministic for a seed) and indexed
through the public library in four deliveries, so that the index has several segments: a large first
one written by two worker processes (term columns, ``*.cols``), then smaller ones, the last too small
for any term to get columns. Then some answers are removed, so that the older segments hold deleted
passages that must never match.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# ../shared/corpus beside the repository, as the project lays it out; SVAR_CORPUS names it elsewhere.
CORPUS = Path(os.environ.get("SVAR_CORPUS") or Path(__file__).resolve().parents[1].parent / "shared" / "corpus")
DOCS = 1200
SEED = 7
# How many answers each delivery holds, in file-name order: a bulk, a batch, a few, a handful.
DELIVERIES = (900, 250, 45, 5)
# Every REMOVE_EVERY-th answer (in file-name order) is removed after indexing: 15 of 1,200.
REMOVE_EVERY = 80
_DNR_LINE = re.compile(r"^\s*Dnr (RD \d{4}/\d+)\s*$", re.M)


@dataclass(frozen=True)
class CorpusIndex:
    path: Path  # the index folder
    files: tuple[Path, ...]  # every answer file, indexed or not
    removed: tuple[str, ...]  # the dnrs removed after indexing
    answers: int  # answers left in the index
    segments: int


def corpus_missing() -> str | None:
    """Why the corpus cannot be used, or None."""
    for name in ("make_answers.py", "corpus.jsonl.gz"):
        if not (CORPUS / name).is_file():
            return (f"the Riksdag corpus is not at {CORPUS} (no {name}): clone svar beside shared/ "
                    "(../shared/corpus) or set SVAR_CORPUS to the corpus folder")
    return None


def file_dnr(path: Path) -> str:
    match = _DNR_LINE.search(path.read_text(encoding="utf-8"))
    assert match, f"{path}: no Dnr line"
    return match[1]


def render_answers(folder: Path, docs: int = DOCS, seed: int = SEED) -> list[Path]:
    subprocess.run([sys.executable, str(CORPUS / "make_answers.py"), str(folder), "--docs", str(docs),
                    "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    files = sorted(folder.glob("*.txt"))
    assert len(files) == docs, (len(files), docs)
    return files


def build_corpus_index(tmp: Path) -> CorpusIndex:
    from svar.index import store
    from svar.search.library import open_index, update_index

    files = render_answers(tmp / "files")
    index_dir = tmp / "index"
    start = 0
    for number, size in enumerate(DELIVERIES):
        delivery = files[start:start + size]
        start += size
        # The bulk on two workers whatever the machine: two segments, the same on every machine.
        report = update_index(index_dir, delivery, workers=2 if number == 0 else 1)
        assert not report.rejected, report.rejected[:3]
        assert len(report.new) == len(delivery), (len(report.new), len(delivery))
    assert start == len(files)
    removed = tuple(file_dnr(path) for path in files[::REMOVE_EVERY])
    with open_index(index_dir) as answers:
        assert sorted(answers.remove(removed)) == sorted(removed)
    ix = store.open_existing(index_dir)
    with ix.reader() as reader:
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        deleted = [leaf.has_deletions() for leaf in leaves]
        dnrs = {fields["dnr"] for _, fields in reader.iter_docs()}
    assert len(leaves) >= 2, f"{len(leaves)} segment(s): the deliveries were merged"
    assert any(deleted), "no segment holds deleted passages"
    assert len(dnrs) >= 1000, f"only {len(dnrs)} answers indexed"
    assert not dnrs & set(removed)
    generation = store.live_generation(index_dir).path
    assert list(generation.glob("*.cols")), "no segment has term columns"
    return CorpusIndex(index_dir, tuple(files), removed, len(dnrs), len(leaves))
