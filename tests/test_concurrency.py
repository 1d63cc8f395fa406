"""Readers and writers at once: searches during indexing and rebuilds always work; a second writer
waits a bounded time and says who holds the lock; a lock left by a killed process blocks nobody."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from svar.index import store, writing
from svar.index.loading import load_answer
from svar.index.locking import HOLDER_FILE, current_holder
from svar.search import open_index
from svar.search.cli import main
from svar.search.library import rebuild_index, update_index

from generated import write_answers

HOLD_SVAR_LOCK = """
import sys, time
from pathlib import Path
from svar.index.locking import WriteLock
lock = WriteLock(Path(sys.argv[1]), timeout=5)  # kept: a dropped FileLock releases itself
lock.acquire()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""

HOLD_WHOOSH_LOCK = """
import sys, time
from pathlib import Path
from svar.index import store
writer = store.open_existing(Path(sys.argv[1])).writer()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _hold(script: str, index_dir: Path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", script, str(index_dir), str(seconds)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "locked\n"
    return process


@pytest.fixture
def indexed(tmp_path):
    write_answers(tmp_path / "in", [0, 1])
    update_index(tmp_path / "ix", [tmp_path / "in"])
    write_answers(tmp_path / "in", [2])
    return tmp_path / "in", tmp_path / "ix"


def test_a_second_writer_waits_a_bounded_time_and_says_who_holds_the_lock(runner, indexed):
    folder, index_dir = indexed
    holder = _hold(HOLD_SVAR_LOCK, index_dir, 60)
    try:
        note = current_holder(index_dir)
        assert (note.pid, note.command) == (holder.pid, f"-c {index_dir} 60")
        started = time.monotonic()
        result = runner.invoke(main, ["index", str(folder), "--index", str(index_dir), "--wait", "0.5"])
        waited = time.monotonic() - started
        assert result.exit_code == 1 and 0.5 <= waited < 3
        assert result.stderr == (
            f"svar: index at {index_dir} is being written by another svar process ({note.describe()}); "
            f"waited 0.5 s. Try again when it has finished, or give it longer with `svar index --wait SECONDS`\n")
        with open_index(index_dir) as answers:  # untouched, and searchable all along
            assert [s.dnr for s in answers.documents()] == ["KS 2031/0", "KS 2031/1"]
    finally:
        holder.kill()
        holder.wait()
    # The holder was killed: its note is left behind, but the lock went with the process.
    assert current_holder(index_dir).pid == holder.pid
    started = time.monotonic()
    result = runner.invoke(main, ["index", str(folder), "--index", str(index_dir), "--wait", "0"])
    assert (result.exit_code, result.stdout) == (0, "1 new, 0 updated, 2 unchanged, 0 rejected (9 passages written)\n")
    assert time.monotonic() - started < 2
    assert not (index_dir / HOLDER_FILE).exists()


def test_a_writer_that_waits_long_enough_goes_ahead_when_the_other_finishes(runner, indexed):
    folder, index_dir = indexed
    holder = _hold(HOLD_SVAR_LOCK, index_dir, 0.6)
    started = time.monotonic()
    result = runner.invoke(main, ["index", str(folder), "--index", str(index_dir), "--wait", "20"])
    holder.wait()
    assert (result.exit_code, result.stdout) == (0, "1 new, 0 updated, 2 unchanged, 0 rejected (9 passages written)\n")
    assert 0.3 < time.monotonic() - started < 10


def test_whooshs_own_lock_from_a_killed_process_blocks_nobody_and_a_live_one_is_named(runner, indexed, monkeypatch):
    folder, index_dir = indexed
    monkeypatch.setattr(writing, "WHOOSH_LOCK_TIMEOUT", 0.2)
    other = _hold(HOLD_WHOOSH_LOCK, index_dir, 60)  # a program writing with Whoosh, not through svar
    try:
        result = runner.invoke(main, ["index", str(folder), "--index", str(index_dir), "--wait", "0"])
        assert result.exit_code == 1
        assert result.stderr == (f"svar: index at {index_dir} is being written by a program other than svar "
                                 f"(it holds Whoosh's write lock); try again when it has finished\n")
    finally:
        other.kill()
        other.wait()
    # Whoosh's lock is an flock too (whoosh.util.filelock.FcntlLock): it died with the process.
    result = runner.invoke(main, ["index", str(folder), "--index", str(index_dir), "--wait", "0"])
    assert (result.exit_code, result.stdout) == (0, "1 new, 0 updated, 2 unchanged, 0 rejected (9 passages written)\n")


def _write_continuously(root: Path) -> None:
    """One commit per answer (enough to make the merge policy merge), a rebuild, then more answers."""
    for number in range(10, 10 + 4 * 12, 4):
        write_answers(root / "in", [number])
        update_index(root / "ix", [root / "in"])
    rebuild_index(root / "ix", [root / "in"])
    for number in range(100, 100 + 4 * 4, 4):
        write_answers(root / "in", [number])
        update_index(root / "ix", [root / "in"])
    os._exit(0)


def test_searches_during_indexing_and_a_rebuild_always_work_and_never_see_duplicates(tmp_path):
    write_answers(tmp_path / "in", [0, 4])
    update_index(tmp_path / "ix", [tmp_path / "in"])
    expected = {load_answer(p).dnr: len(load_answer(p).passages)
                for p in write_answers(tmp_path / "expected", [0, 4, *range(10, 58, 4), *range(100, 116, 4)])}
    writer = multiprocessing.get_context("fork").Process(target=_write_continuously, args=(tmp_path,))
    long_lived = open_index(tmp_path / "ix")  # refreshed by every search, across commits, merges and the swap
    seen_counts = []
    writer.start()
    try:
        while writer.is_alive() or not seen_counts:
            for answers in (long_lived, open_index(tmp_path / "ix")):
                documents = answers.documents()
                # Every answer whole, none twice: exactly its own number of passages.
                assert {s.dnr: s.passages for s in documents} == {s.dnr: expected[s.dnr] for s in documents}
                result = answers.search("socialtjänsten", limit=1000, snippets=False)
                assert len({(h.dnr, h.passage) for h in result.hits}) == len(result.hits) == result.total
                assert all(h.dnr in expected for h in result.hits)
                seen_counts.append(len(documents))
            open_index(tmp_path / "ix").close()
    finally:
        writer.join()
    assert writer.exitcode == 0
    # The searches really ran while the index grew, and the long-lived index ends on the last commit.
    assert len(set(seen_counts)) >= 5 and seen_counts == sorted(seen_counts)
    assert sorted(s.dnr for s in long_lived.documents()) == sorted(expected)
    long_lived.close()
    assert [p.name for p in (tmp_path / "ix").iterdir() if p.name.startswith("gen-")] != []
    assert store.live_generation(tmp_path / "ix").number == 2
