"""Incremental indexing: only new and changed files, a changed answer replaced in one commit, one
answer added without rewriting the index, and `svar index --watch`."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from svar.index import store, writing
from svar.index.locking import WriteLock, current_holder
from svar.index.watching import watch
from svar.search import open_index
from svar.search.cli import main
from svar.search.library import update_index, watch_index

from generated import answer_text, write_answers

EXTRA = "Svaret kompletterades den 1 juni med uppgifter om skyddsfonden."


@pytest.fixture(scope="module")
def forty(tmp_path_factory):
    """An index of 40 answers, built in one run, and the folder it was built from."""
    root = tmp_path_factory.mktemp("forty")
    write_answers(root / "in", range(40))
    update_index(root / "ix", [root / "in"])
    return root


def _copy(forty: Path, tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(forty / "in", tmp_path / "in")
    shutil.copytree(forty / "ix", tmp_path / "ix")
    return tmp_path / "in", tmp_path / "ix"


def _files(index_dir: Path) -> dict[str, tuple[int, int, int]]:
    live = store.live_generation(index_dir).path
    return {p.name: (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns) for p in live.iterdir() if p.is_file()}


def test_svar_index_reports_new_updated_unchanged_and_rejected(runner, tmp_path):
    folder = tmp_path / "in"
    write_answers(folder, range(5))
    target = str(tmp_path / "ix")
    assert runner.invoke(main, ["index", str(folder), "--index", target]).exit_code == 0
    write_answers(folder, [3], extra=EXTRA)
    write_answers(folder, [5, 6, 7])
    (folder / "inköpslista.txt").write_text("Mjölk, bröd och ost.\n", encoding="utf-8")
    result = runner.invoke(main, ["index", str(folder), "--index", target])
    assert result.exit_code == 1
    assert result.stdout == "3 new, 1 updated, 4 unchanged, 1 rejected (30 passages written)\n"
    again = runner.invoke(main, ["index", str(folder), "--index", target])
    assert again.stdout == "0 new, 0 updated, 8 unchanged, 1 rejected (0 passages written)\n"


def test_a_changed_answer_replaces_all_its_passages_in_one_commit(tmp_path):
    [path] = write_answers(tmp_path / "in", [1], extra=EXTRA)  # seed 001 with one paragraph more
    update_index(tmp_path / "ix", [path])
    with open_index(tmp_path / "ix") as answers:
        longer = answers.document("KS 2031/1").passages
        assert answers.search("skyddsfonden", dnr="KS 2031/1").total == 1
        write_answers(tmp_path / "in", [1])  # the paragraph taken out again
        report = update_index(tmp_path / "ix", [path])
        assert (report.new, report.updated, report.passages) == ([], ["KS 2031/1"], 5)
        # The open index sees the new version, and nothing of the old one.
        shorter = answers.document("KS 2031/1").passages
        assert [p.passage for p in longer] == [p.passage for p in shorter] == [1, 2, 3, 4, 5]
        assert [p.text.endswith(EXTRA) for p in longer] == [False, False, False, True, False]
        assert not any(EXTRA in p.text for p in shorter)
        assert answers.search("skyddsfonden", dnr="KS 2031/1").total == 0
        assert answers.stats().passages == 5


def test_a_file_whose_dnr_changes_leaves_no_answer_under_the_old_dnr(runner, tmp_path):
    # A clerk corrects a diary number in a published answer: the file keeps its name.
    [path] = write_answers(tmp_path / "in", [1])
    target = str(tmp_path / "ix")
    assert runner.invoke(main, ["index", str(tmp_path / "in"), "--index", target]).exit_code == 0
    path.write_text(answer_text(1).replace("Dnr KS 2031/1", "Dnr KS 2031/99"), encoding="utf-8")
    result = runner.invoke(main, ["index", str(tmp_path / "in"), "--index", target])
    assert result.stdout == ("1 new, 0 updated, 0 unchanged, 0 rejected (5 passages written)\n"
                             "KS 2031/1 → KS 2031/99: its file now has this Dnr; KS 2031/1 removed\n")
    with open_index(target) as answers:
        assert [d.dnr for d in answers.documents()] == ["KS 2031/99"]
        assert answers.stats().passages == 5
    # Library: the report says which dnr gave way to which; another file's answer is untouched.
    write_answers(tmp_path / "in", [2])
    path.write_text(answer_text(1).replace("Dnr KS 2031/1", "Dnr KS 2031/7"), encoding="utf-8")
    report = update_index(target, [tmp_path / "in"])
    assert (sorted(report.new), report.renamed) == (["KS 2031/2", "KS 2031/7"], [("KS 2031/99", "KS 2031/7")])
    with open_index(target) as answers:
        assert sorted(d.dnr for d in answers.documents()) == ["KS 2031/2", "KS 2031/7"]


def test_touching_a_file_without_changing_it_rewrites_nothing(forty, tmp_path):
    folder, index_dir = _copy(forty, tmp_path)
    before = _files(index_dir)
    path = folder / "answer-0007.txt"
    os.utime(path, (time.time() + 60, time.time() + 60))
    report = update_index(index_dir, [folder])
    assert (len(report.new), len(report.updated), len(report.unchanged)) == (0, 0, 40)
    assert _files(index_dir) == before


def test_adding_one_answer_to_a_large_index_does_not_rewrite_it(forty, tmp_path):
    folder, index_dir = _copy(forty, tmp_path)
    before = _files(index_dir)
    size_before = sum(size for _, size, _ in before.values())
    write_answers(folder, [40])
    assert update_index(index_dir, [folder]).new == ["KS 2031/40"]
    after = _files(index_dir)
    # Every segment file of the 40 answers is still there, the very same file, untouched.
    old_segments = {name: info for name, info in before.items() if name.endswith(".seg")}
    assert old_segments and all(after[name] == info for name, info in old_segments.items())
    written = sum(size for name, (_, size, _) in after.items() if after[name] != before.get(name))
    # What was written is the new answer's segment and a new table of contents: no more than an
    # index of that one answer takes, whatever the size of the index it joins.
    write_answers(tmp_path / "alone", [40])
    update_index(tmp_path / "alone-ix", [tmp_path / "alone"])
    alone = sum(size for _, size, _ in _files(tmp_path / "alone-ix").values())
    assert written <= alone * 1.05 and written < size_before / 4, (written, alone, size_before)


def test_small_segments_are_merged_but_the_bulk_of_the_index_is_never_rewritten(forty, tmp_path):
    folder, index_dir = _copy(forty, tmp_path)
    [bulk] = [(name, info) for name, info in _files(index_dir).items() if name.endswith(".seg")]
    counts = []
    for number in range(40, 40 + 4 * (writing.MAX_SEGMENTS + 2), 4):  # the shortest seed: quick
        write_answers(folder, [number])
        update_index(index_dir, [folder])
        counts.append(sum(name.endswith(".seg") for name in _files(index_dir)))
    # One segment more per commit, until the small ones are merged into one beside the bulk.
    assert counts == [*range(2, writing.MAX_SEGMENTS + 1), 2, 3, 4]
    assert _files(index_dir)[bulk[0]] == bulk[1]
    with open_index(index_dir) as answers:
        assert len(answers.documents()) == 40 + writing.MAX_SEGMENTS + 2
        assert answers.stats().passages == sum(len(answers.document(s.dnr).passages) for s in answers.documents())


def test_two_files_claiming_one_dnr_are_a_conflict_not_an_overwrite(runner, tmp_path):
    first, second = tmp_path / "a" / "svar.txt", tmp_path / "b" / "svar.txt"
    for path, extra in ((first, ""), (second, EXTRA)):
        path.parent.mkdir()
        path.write_text(answer_text(2, extra=extra), encoding="utf-8")
    target = str(tmp_path / "ix")
    together = runner.invoke(main, ["index", str(first), str(second), "--index", target])
    assert together.exit_code == 1
    assert together.stdout == "1 new, 0 updated, 0 unchanged, 1 rejected (9 passages written)\n"
    assert together.stderr == f"svar: rejected: {second}: Dnr KS 2031/2 is also claimed by {first}; not indexed\n"
    later = runner.invoke(main, ["index", str(second), "--index", target])
    assert later.exit_code == 1
    assert later.stderr == (f"svar: rejected: {second}: Dnr KS 2031/2 is already indexed from {first}; "
                            f"remove it first (`svar remove 'KS 2031/2'`) to replace it with this file\n")
    # Once the first file is gone (moved away, say), the other one may take its place.
    first.unlink()
    moved = runner.invoke(main, ["index", str(second), "--index", target])
    assert (moved.exit_code, moved.stdout) == (0, "0 new, 1 updated, 0 unchanged, 0 rejected (9 passages written)\n")


# -- watching --------------------------------------------------------------------------------------

class Steps:
    """Drives watch(): a fake clock that a fake sleep advances, and a script run before each round."""

    def __init__(self, script: dict) -> None:
        self.now = time.time() + 3600  # well after every file's mtime, so only the two-round rule waits
        self.round = 0
        self.script = script
        self.reports = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def should_stop(self) -> bool:
        self.round += 1
        action = self.script.get(self.round)
        if action == "stop":
            return True
        if action:
            action()
        return False

    def on_round(self, result) -> None:
        assert result.error is None
        self.reports.append((self.round, result.report.new, result.report.updated, result.report.passages))


def test_watch_indexes_a_new_file_once_it_has_stopped_changing(tmp_path):
    folder, index_dir = tmp_path / "in", tmp_path / "ix"
    folder.mkdir()
    full = answer_text(7)
    path = folder / "answer-0007.txt"
    steps = Steps({
        2: lambda: path.write_text(full[: len(full) // 3], encoding="utf-8"),  # a copy begins
        3: lambda: path.write_text(full[: 2 * len(full) // 3], encoding="utf-8"),  # still copying
        4: lambda: path.write_text(full, encoding="utf-8"),  # complete
        8: lambda: path.write_text(answer_text(7, extra=EXTRA), encoding="utf-8"),  # changed later
        12: "stop",
    })
    watch(index_dir, [folder], steps.on_round, interval=1.0, settle=1.0, should_stop=steps.should_stop,
          sleep=steps.sleep, clock=steps.clock)
    # Indexed once complete and unchanged for a round, never half; then updated once, in one commit.
    assert steps.reports == [(5, ["KS 2031/7"], [], 8), (9, [], ["KS 2031/7"], 8)]
    with open_index(index_dir) as answers:
        assert answers.document("KS 2031/7").passages[-2].text.endswith(EXTRA)


def test_watch_waits_for_a_writer_holding_the_lock_and_then_indexes(tmp_path):
    folder, index_dir = tmp_path / "in", tmp_path / "ix"
    write_answers(folder, [1, 2])
    lock = WriteLock(index_dir, timeout=0)
    lock.acquire()
    holder = current_holder(index_dir)
    errors = []
    steps = Steps({4: lock.release, 7: "stop"})

    def on_round(result):
        if result.error is not None:
            errors.append((steps.round, str(result.error).split(";")[0]))
        else:
            steps.on_round(result)

    watch(index_dir, [folder], on_round, interval=1.0, settle=1.0, should_stop=steps.should_stop,
          sleep=steps.sleep, clock=steps.clock, lock_timeout=0)
    # The locked rounds are reported once, not every round; the files go in when the lock is free.
    assert errors == [(2, f"index at {index_dir} is being written by another svar process "
                          f"(pid {os.getpid()} on {socket.gethostname()}, `{holder.command}`, since {holder.since})")]
    assert steps.reports == [(4, ["KS 2031/1", "KS 2031/2"], [], 14)]


def test_watch_index_stops_after_max_rounds(tmp_path):
    folder = tmp_path / "in"
    write_answers(folder, [3])
    os.utime(folder / "answer-0003.txt", (time.time() - 60, time.time() - 60))
    rounds = []
    watch_index(tmp_path / "ix", [folder], rounds.append, interval=0.01, settle=0.01, max_rounds=3)
    assert [r.report.new for r in rounds] == [["KS 2031/3"]]


def test_svar_index_watch_runs_until_interrupted_and_stops_cleanly(tmp_path):
    folder, index_dir = tmp_path / "in", tmp_path / "ix"
    write_answers(folder, [0])
    env = {k: v for k, v in os.environ.items() if k != "SVAR_INDEX"}
    process = subprocess.Popen(
        [sys.executable, "-m", "svar.search.cli", "index", "--watch", str(folder), "--interval", "0.1",
         "--index", str(index_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        # A shell without job control starts background jobs with SIGINT ignored, and the child would
        # inherit that; give it the default, as a terminal's Ctrl-C finds it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = process.stdout.readline()
        assert first == "1 new, 0 updated, 0 unchanged, 0 rejected (5 passages written)\n", process.stderr.read()
        write_answers(folder, [4])
        line = process.stdout.readline()
        assert line.endswith(" 1 new, 0 updated, 0 unchanged, 0 rejected (5 passages written)\n"), line
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0
    assert stderr.splitlines() == [f"svar: watching {folder} for new and changed answers (Ctrl-C stops)",
                                   "svar: stopped watching"]
    with WriteLock(index_dir, timeout=0):  # the lock went with the process
        pass
    with open_index(index_dir) as answers:
        assert [s.dnr for s in answers.documents()] == ["KS 2031/4", "KS 2031/0"]


def test_answer_files_are_listed_depth_first_by_name_skipping_hidden_files_and_link_loops(tmp_path):
    import os

    from svar.index.writing import answer_files

    for name in ["b/x.txt", "a-b.txt", "a/z.pdf", "a/y/w.docx", "a/.partial.txt", "a/~$open.docx", "c.md", "a/k.bin"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    os.symlink(tmp_path / "a", tmp_path / "a" / "y" / "back")  # a folder linking to its parent
    listed = answer_files([tmp_path, tmp_path / "c.md"])
    expected = ["a/y/w.docx", "a/z.pdf", "a-b.txt", "b/x.txt", "c.md", "c.md"]  # a named file comes as named
    assert listed == [str(tmp_path / name) for name in expected]
    # The order sorted Paths have (not sorted strings: "a-b.txt" < "a/…" as strings).
    assert listed[:-1] == [str(p) for p in sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".bin"
                                                  and not p.name.startswith((".", "~$")) and "back" not in p.parts)]
