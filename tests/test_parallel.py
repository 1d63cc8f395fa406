"""Indexing on several cores: the same index as one process builds, one commit, and no worker can
lose a segment, keep the index locked, or outlive its parent.

The workers start only past parallel.PARALLEL_FROM passages; these tests lower it (and the batch
size) so that a small delivery is indexed by workers, as a large one is.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from svar.index import parallel, store, writing
from svar.index.locking import WriteLock
from svar.index.postings import TermwiseWriter
from svar.search import open_index
from svar.search.cli import main
from svar.search.library import rebuild_index, update_index

from generated import write_answers

QUERIES = ["socialtjänsten", "familjehem placering", '"rätt stöd"', "insatser för barn", "polsien",
           "skyddsfonden", "hemlöshet"]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 8)
    monkeypatch.setattr(parallel, "BATCH", 6)


def _segments(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.rglob("*.seg"))


def _served(index_dir: Path) -> tuple:
    """Everything a user can get from an index: answers with their passages, and ranked pages."""
    with open_index(index_dir) as answers:
        documents = [(s.dnr, [(p.passage, p.kind, p.text) for p in answers.document(s.dnr).passages])
                     for s in answers.documents()]
        pages = []
        for text in QUERIES:
            result = answers.search(text, limit=20)
            pages.append((text, result.total, result.suggestion, result.fuzzy,
                          [(h.dnr, h.passage, round(h.score, 9), h.snippet) for h in result.hits]))
        return sorted(documents), pages, answers.stats().passages


def test_two_workers_build_exactly_what_one_process_builds(small_batches, tmp_path):
    write_answers(tmp_path / "in", range(40))
    one = update_index(tmp_path / "one", [tmp_path / "in"], workers=1)
    two = update_index(tmp_path / "two", [tmp_path / "in"], workers=2)
    assert (len(one.new), one.passages) == (len(two.new), two.passages) == (40, 270)
    # 40 answers cycle through the four seeds (27 passages each round of four).
    # One segment per worker (the parent analysed nothing itself), one commit.
    assert len(_segments(tmp_path / "one")) == 1
    assert len(_segments(tmp_path / "two")) == 2
    served = _served(tmp_path / "two")
    assert served == _served(tmp_path / "one")
    assert len(served[0]) == 40 and served[2] == 270


def test_a_small_delivery_is_indexed_in_process(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(parallel._Worker, "start", lambda self: started.append(self))
    write_answers(tmp_path / "in", range(8))
    report = update_index(tmp_path / "ix", [tmp_path / "in"], workers=2)
    assert (len(report.new), report.passages, started) == (8, 54, [])
    assert len(_segments(tmp_path / "ix")) == 1


def test_a_rebuild_on_workers_swaps_in_the_same_index(small_batches, tmp_path):
    write_answers(tmp_path / "in", range(24))
    update_index(tmp_path / "serial", [tmp_path / "in"], workers=1)
    write_answers(tmp_path / "old", [100, 104])
    update_index(tmp_path / "ix", [tmp_path / "old"])
    report = rebuild_index(tmp_path / "ix", [tmp_path / "in"], workers=2)
    assert (len(report.new), report.passages) == (24, 162)
    assert _served(tmp_path / "ix") == _served(tmp_path / "serial")


def _fails_on(dnr: str, how: str):
    original = TermwiseWriter.add_document

    def add_document(self, **fields):
        if fields.get("dnr") == dnr:
            if how == "raise":
                raise RuntimeError("disk on fire")
            os._exit(3)
        return original(self, **fields)

    return add_document


@pytest.mark.parametrize("how, reason", [
    ("raise", "RuntimeError: disk on fire"),
    ("die", "a worker process ended without reporting (exit code 3)"),
])
def test_a_failed_worker_fails_the_run_and_commits_nothing(small_batches, tmp_path, monkeypatch, runner, how, reason):
    write_answers(tmp_path / "in", range(4))
    update_index(tmp_path / "ix", [tmp_path / "in"])
    before = _served(tmp_path / "ix")
    write_answers(tmp_path / "in", range(4, 40))
    # Only workers call TermwiseWriter.add_document in a parallel run: the parent hands documents on.
    monkeypatch.setattr(TermwiseWriter, "add_document", _fails_on("KS 2031/30", how))
    result = runner.invoke(main, ["index", str(tmp_path / "in"), "--index", str(tmp_path / "ix"), "--jobs", "2"])
    assert result.exit_code == 1
    assert result.stderr == f"svar: indexing failed in a worker process, so nothing was committed: {reason}\n"
    assert _served(tmp_path / "ix") == before
    with WriteLock(tmp_path / "ix", timeout=0):  # nobody holds the index
        pass
    monkeypatch.undo()
    again = runner.invoke(main, ["index", str(tmp_path / "in"), "--index", str(tmp_path / "ix")])
    assert again.stdout == "36 new, 0 updated, 4 unchanged, 0 rejected (243 passages written)\n"
    assert len(_served(tmp_path / "ix")[0]) == 40


def _children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            children.append(int(stat.parent.name))
    return children


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and becomes a child subreaper (Linux)")
def test_killing_a_parallel_run_leaves_no_worker_and_no_lock(small_batches, tmp_path):
    import ctypes
    import multiprocessing

    write_answers(tmp_path / "in", range(4))
    update_index(tmp_path / "ix", [tmp_path / "in"])
    before = _served(tmp_path / "ix")
    write_answers(tmp_path / "in", range(4, 200))
    # Orphans are re-parented to this process instead of init, so a worker left behind is seen here.
    PR_SET_CHILD_SUBREAPER = 36
    assert ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1) == 0
    workers: list[int] = []
    try:
        run = multiprocessing.get_context("fork").Process(
            target=main, args=(["index", str(tmp_path / "in"), "--index", str(tmp_path / "ix"), "--jobs", "2"],))
        run.start()
        deadline = time.monotonic() + 30
        while len(_children_of(run.pid)) < 2:  # its two workers are at work
            assert time.monotonic() < deadline, "the workers never started"
            time.sleep(0.01)
        workers = _children_of(run.pid)
        os.kill(run.pid, signal.SIGKILL)
        run.join()
        with WriteLock(tmp_path / "ix", timeout=0):  # at once: no worker holds a copy of the lock
            pass
        deadline = time.monotonic() + 5
        while any(Path(f"/proc/{pid}").exists() for pid in workers):
            for pid in workers:  # reap them if they were re-parented here
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            assert time.monotonic() < deadline, "a worker outlived its killed parent"
            time.sleep(0.01)
    finally:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 0)
        for pid in workers:  # should the test fail, no worker may hang on (it would hold pytest's output)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    assert _served(tmp_path / "ix") == before
    report = update_index(tmp_path / "ix", [tmp_path / "in"], workers=2)
    assert (len(report.new), len(report.unchanged)) == (196, 4)
    assert not list((tmp_path / "ix").rglob("*.tmp"))  # the killed run's temporary files are gone


def _segment_sizes(index_dir: Path) -> dict[str, int]:
    """Each segment's file name and its passages (deleted ones included, as the merge policy counts)."""
    ix = store.open_generation(store.live_generation(index_dir))
    return {f"{segment.segment_id()}.seg": segment.doc_count_all()
            for segment in ix._segments()}


def test_small_adds_are_merged_but_the_bulk_segments_are_kept(small_batches, tmp_path):
    write_answers(tmp_path / "in", range(40))
    update_index(tmp_path / "ix", [tmp_path / "in"], workers=2)
    sizes = _segment_sizes(tmp_path / "ix")
    assert (len(sizes), sum(sizes.values())) == (2, 270)
    # The two workers take batches from one queue, so a worker that starts late can end up with
    # less than a quarter of the other's passages; the policy then treats its segment as small.
    bulk = {name for name, size in sizes.items() if size * 4 >= max(sizes.values())}
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "ix").rglob("*.seg")}
    assert set(mtimes) == set(sizes)
    counts = []
    for number in range(40, 40 + 4 * writing.MAX_SEGMENTS, 4):
        write_answers(tmp_path / "in", [number])
        update_index(tmp_path / "ix", [tmp_path / "in"], workers=2)
        counts.append(len(_segments(tmp_path / "ix")))
    # One segment per add until MAX_SEGMENTS, then every small one is merged into the new one.
    assert counts == [*range(3, writing.MAX_SEGMENTS + 1), len(bulk) + 1, len(bulk) + 2]
    now = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "ix").rglob("*.seg")}
    assert {name: now.get(name) for name in bulk} == {name: mtimes[name] for name in bulk}
    # Nothing was lost on the way: the 40 answers and the 8 added ones (each the first seed: 5 passages).
    with open_index(tmp_path / "ix") as answers:
        assert answers.stats().passages == sum(_segment_sizes(tmp_path / "ix").values()) == 270 + 8 * 5 == 310
    shutil.rmtree(tmp_path / "in")


def test_a_rebuild_in_one_process_writes_term_columns_too(tmp_path):
    # Each segment of a rebuilt index gets its column file, as an incremental build's do: a rebuild
    # on one core (workers=1) used Whoosh's own writer, which writes none.
    write_answers(tmp_path / "in", range(24))
    rebuild_index(tmp_path / "ix", [tmp_path / "in"], workers=1)
    segments = sorted(p.name.split(".")[0] for p in (tmp_path / "ix").rglob("*.seg"))
    columns = sorted(p.name.split(".")[0] for p in (tmp_path / "ix").rglob("*.cols"))
    assert len(segments) == 1 and columns == segments
    update_index(tmp_path / "serial", [tmp_path / "in"], workers=1)
    assert _served(tmp_path / "ix") == _served(tmp_path / "serial")
