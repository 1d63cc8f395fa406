"""Writes that fail (a full disk, an I/O error) lose nothing already indexed.

The file layer is patched so that, after a budget of bytes, every write to a file opened for writing
raises ENOSPC or EIO: Whoosh's segment files, svar's term columns, the pointer to the live generation.
Budgets from nothing to a few megabytes stop a run at different moments. Each time the library raises
svar's error (the CLI prints one line and exits 1), the index still holds exactly what it held, and
the next run, with room again, completes the work.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest
import whoosh.filedb.filestore as filestore
from click.testing import CliRunner

from svar.index import columns, store
from svar.index.errors import SvarError
from svar.search import open_index
from svar.search.cli import main
from svar.search.library import rebuild_index, update_index

from generated import write_answers

BUDGETS = [0, 3_000, 30_000, 300_000, 3_000_000]


class _Failing:
    """A file opened for writing whose writes fail once the shared budget of bytes is spent."""

    def __init__(self, file, budget: list[int], code: int) -> None:
        self._file, self._budget, self._code = file, budget, code

    def write(self, data) -> int:
        if len(data) > self._budget[0]:
            raise OSError(self._code, errno.errorcode[self._code] and ("No space left on device"
                          if self._code == errno.ENOSPC else "Input/output error"))
        self._budget[0] -= len(data)
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def __iter__(self):
        return iter(self._file)


def _fail_writes(monkeypatch, budget: int, code: int = errno.ENOSPC) -> None:
    remaining = [budget]

    def failing_open(path, mode="r", *args, **kwargs):
        file = open(path, mode, *args, **kwargs)
        return _Failing(file, remaining, code) if any(c in mode for c in "wax+") else file

    for module in (filestore, columns, store):
        monkeypatch.setattr(module, "open", failing_open, raising=False)


def _contents(index_dir: Path) -> list:
    with open_index(index_dir) as answers:
        return [(d.dnr, [(p.passage, p.text) for p in answers.document(d.dnr).passages])
                for d in sorted(answers.documents(), key=lambda d: d.dnr)]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("faults")
    write_answers(folder / "first", range(3))
    write_answers(folder / "second", range(3, 9))
    write_answers(folder / "second", [1], extra="Skyddsfonden ska utvärderas under året.")
    return folder


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO], ids=["ENOSPC", "EIO"])
@pytest.mark.parametrize("budget", BUDGETS)
def test_a_run_whose_writes_fail_loses_nothing_and_the_next_completes_it(files, tmp_path, monkeypatch, budget, code):
    index_dir = tmp_path / "ix"
    update_index(index_dir, [files / "first"], workers=1)
    before = _contents(index_dir)
    with monkeypatch.context() as patched:
        _fail_writes(patched, budget, code)
        try:
            update_index(index_dir, [files / "second"], workers=1)
            failed = False
        except SvarError as exc:
            failed = True
            assert str(index_dir) in str(exc) and "\n" not in str(exc)
    if failed:
        assert _contents(index_dir) == before
    update_index(index_dir, [files / "second"], workers=1)
    fresh = tmp_path / "fresh"
    rebuild_index(fresh, [files / "first", files / "second"], workers=1)
    assert _contents(index_dir) == _contents(fresh)
    # The smallest budgets must have stopped the run: the test has tested something.
    assert failed or budget >= 300_000


@pytest.mark.parametrize("budget", BUDGETS)
def test_a_rebuild_whose_writes_fail_leaves_the_live_index(files, tmp_path, monkeypatch, budget):
    index_dir = tmp_path / "ix"
    update_index(index_dir, [files / "first"], workers=1)
    before = _contents(index_dir)
    with monkeypatch.context() as patched:
        _fail_writes(patched, budget)
        try:
            rebuild_index(index_dir, [files / "first", files / "second"], workers=1)
            failed = False
        except SvarError:
            failed = True
    if failed:
        assert _contents(index_dir) == before
        assert len([p for p in index_dir.iterdir() if p.name.startswith(store.GENERATION_PREFIX)]) == 1
    assert failed or budget >= 300_000


def test_the_command_line_says_the_disk_is_full_in_one_line(files, tmp_path, monkeypatch):
    index_dir = tmp_path / "ix"
    update_index(index_dir, [files / "first"], workers=1)
    before = _contents(index_dir)
    _fail_writes(monkeypatch, 30_000)
    result = CliRunner().invoke(main, ["index", str(files / "second"), "--index", str(index_dir), "--jobs", "1"])
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "No space left on device" in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert _contents(index_dir) == before
    shutil.rmtree(tmp_path / "ix")
