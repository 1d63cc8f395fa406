"""Crash safety, tried: `svar index` and `svar index --rebuild` are killed (SIGKILL) at random moments.

After every kill the index must open, searches must return exactly the last committed state (the
one before the run or the one after it: a run is one commit), the next `svar index` must complete,
and no answer may be duplicated or half-present.

The indexing runs in a forked child process that runs the real CLI (`svar.search.cli.main`), so a
trial costs the indexing, not an interpreter start. SVAR_KILL_TRIALS sets the trials per mode
(default 50); each test prints its outcome (see it with `pytest -s`).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from svar.index import store
from svar.index.locking import WriteLock
from svar.search import open_index
from svar.search.cli import main
from svar.search.library import rebuild_index, update_index

from generated import write_answers

TRIALS = int(os.environ.get("SVAR_KILL_TRIALS", "50"))
# Trials run side by side, one per core (each is a child process that is killed).
PARALLEL = max(1, min(2, os.cpu_count() or 1))
QUERY = "socialtjänsten"

_fork = multiprocessing.get_context("fork")


def _run_cli(args: list[str]) -> None:
    os.environ.pop("SVAR_INDEX", None)
    main(args, standalone_mode=True)


def _fingerprint(index_dir: Path) -> tuple:
    """The state an index serves: every answer with its passages' texts, and what a search finds."""
    with open_index(index_dir) as answers:
        documents = {s.dnr: tuple((p.passage, p.text) for p in answers.document(s.dnr).passages)
                     for s in answers.documents()}
        result = answers.search(QUERY, limit=10_000, snippets=False)
        found = frozenset((h.dnr, h.passage) for h in result.hits)
        assert result.total == len(found)
        passages = answers.stats().passages
    # Nothing duplicated or half-present: each answer's passages are numbered 1..n exactly once,
    # and the index holds no other passage.
    for dnr, passage_list in documents.items():
        assert [n for n, _ in passage_list] == list(range(1, len(passage_list) + 1)), dnr
    assert passages == sum(len(p) for p in documents.values())
    return tuple(sorted(documents.items())), found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    # Small answers (multiples of 4 are the shortest seed) keep a trial short; what is tried is
    # the same at any size: one commit per run, and what a kill leaves behind.
    root = tmp_path_factory.mktemp("crash")
    write_answers(root / "incoming", [0, 4, 8, 12])
    update_index(root / "before", [root / "incoming"])
    # The next delivery into the same folder: one of the four changed, and three new answers.
    write_answers(root / "incoming", [4], extra="Detta svar har kompletterats efter beredningen.")
    write_answers(root / "incoming", [16, 20, 24])
    write_answers(root / "other", [100, 104, 108, 112])  # what the rebuild builds from instead
    shutil.copytree(root / "before", root / "after-update")
    assert update_index(root / "after-update", [root / "incoming"]).updated == ["KS 2031/4"]
    shutil.copytree(root / "before", root / "after-rebuild")
    rebuild_index(root / "after-rebuild", [root / "other"])
    return root, {name: _fingerprint(root / name) for name in ("before", "after-update", "after-rebuild")}


def _kill_trials(tmp_path: Path, corpus, args: list[str], after: str) -> Counter:
    root, states = corpus
    assert states["before"] != states[after]
    rng = random.Random(20260501)
    outcomes: Counter = Counter()
    duration = _calibrate(tmp_path, root, args)
    for first in range(0, TRIALS, PARALLEL):
        trials = range(first, min(TRIALS, first + PARALLEL))
        dirs = {trial: tmp_path / f"trial-{trial}" for trial in trials}
        for index_dir in dirs.values():
            shutil.copytree(root / "before", index_dir)
        children = {trial: _start(args + ["--index", str(dirs[trial])]) for trial in trials}
        started = time.monotonic()
        for delay, trial in sorted((rng.uniform(0, duration), trial) for trial in trials):
            time.sleep(max(0.0, started + delay - time.monotonic()))
            os.kill(children[trial].pid, signal.SIGKILL)
        for trial, child in children.items():
            child.join()
            state = _fingerprint(dirs[trial])  # opens, searches, checks for duplicates
            assert state in (states["before"], states[after]), f"trial {trial}: a state that was never committed"
            outcomes[("killed" if child.exitcode == -signal.SIGKILL else "finished",
                      "old state" if state == states["before"] else "new state")] += 1
            # The lock of the killed writer blocks nobody.
            with WriteLock(dirs[trial], timeout=0):
                pass
        # The next run completes the work.
        recoveries = {trial: _start(args + ["--index", str(dirs[trial]), "--wait", "0"]) for trial in trials}
        for trial, recovery in recoveries.items():
            recovery.join()
            assert recovery.exitcode == 0, f"trial {trial}: the run after the kill failed"
            assert _fingerprint(dirs[trial]) == states[after], f"trial {trial}"
            assert len([p for p in dirs[trial].iterdir() if p.name.startswith("gen-")]) <= 2
            shutil.rmtree(dirs[trial])
    print(f"\n{' '.join(args[:2])}: {TRIALS} SIGKILL trials at random moments of {duration:.2f} s runs: "
          + ", ".join(f"{k[0]} → {k[1]}: {v}" for k, v in sorted(outcomes.items())))
    return outcomes


def _start(args: list[str]):
    child = _fork.Process(target=_run_cli, args=(args,))
    child.start()
    return child


def _calibrate(tmp_path: Path, root: Path, args: list[str]) -> float:
    """How long unkilled runs take side by side (the fastest of three), so the kills spread over a run."""
    durations = []
    for _ in range(3):
        dirs = [tmp_path / f"calibration-{n}" for n in range(PARALLEL)]
        for index_dir in dirs:
            shutil.copytree(root / "before", index_dir)
        started = time.monotonic()
        children = [_start(args + ["--index", str(index_dir)]) for index_dir in dirs]
        for child in children:
            child.join()
            assert child.exitcode == 0
        durations.append(time.monotonic() - started)
        for index_dir in dirs:
            shutil.rmtree(index_dir)
    return min(durations)


def test_killing_svar_index_never_loses_or_mixes_a_commit(tmp_path, corpus):
    root, _ = corpus
    outcomes = _kill_trials(tmp_path, corpus, ["index", str(root / "incoming")], "after-update")
    assert sum(outcomes.values()) == TRIALS
    # The kills did land in the middle of runs, before and after their commit.
    assert outcomes[("killed", "old state")] >= TRIALS // 5


def test_killing_svar_index_rebuild_leaves_the_old_index_or_the_new_one(tmp_path, corpus):
    root, _ = corpus
    outcomes = _kill_trials(tmp_path, corpus, ["index", "--rebuild", str(root / "other")], "after-rebuild")
    assert sum(outcomes.values()) == TRIALS
    assert outcomes[("killed", "old state")] >= TRIALS // 5


def test_a_killed_rebuild_leaves_no_half_built_generation_behind(tmp_path, corpus):
    root, states = corpus
    index_dir = tmp_path / "ix"
    shutil.copytree(root / "before", index_dir)
    child = _fork.Process(target=_run_cli, args=(["index", "--rebuild", str(root / "other"), "--index", str(index_dir)],))
    child.start()
    # Kill it once the new generation exists but before it is published.
    deadline = time.monotonic() + 10
    while not (index_dir / store.generation_name(2)).exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert (index_dir / "CURRENT").read_text() == "gen-000001\n"
    assert _fingerprint(index_dir) == states["before"]
    update_index(index_dir, [root / "incoming"])  # any write tidies up what the killed rebuild left
    assert sorted(p.name for p in index_dir.iterdir() if p.name.startswith("gen-")) == ["gen-000001"]
