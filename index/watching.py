"""Keeping an index current while answer files appear or change in watched folders.

The watcher polls: no dependency, and it works on network shares, where change notifications often
never arrive. A file is indexed once it has settled: its size and modification time have not changed
between two rounds, and for ``settle`` seconds (or it was last modified longer ago than that). A
file still being copied in keeps changing, so it is left alone until it is complete. Files that
settle in the same round are indexed in one commit. A rejected file is not tried again until it
changes.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import IndexLockedError, SvarError
from .writing import IndexReport, answer_files, index_files

DEFAULT_INTERVAL = 2.0
DEFAULT_SETTLE = 2.0


@dataclass(frozen=True)
class Signature:
    """What changes when a file is written to."""

    size: int
    mtime_ns: int


@dataclass
class Round:
    """What one polling round did: an indexing report, or the error that stopped it (retried next round)."""

    report: IndexReport | None = None
    error: SvarError | None = None


def snapshot(paths: Iterable[Path | str]) -> dict[Path, Signature]:
    """The answer files under ``paths`` as they are now; taken before indexing them, it tells a
    watcher which versions it need not index again (a file changed since then differs from it)."""
    return _signatures([Path(name) for name in answer_files(paths)])


class Watcher:
    """Polls ``paths`` and indexes settled new and changed answer files into ``index_dir``.

    ``indexed``: files (from ``snapshot``) that were just indexed and are left alone until they change.
    """

    def __init__(self, index_dir: Path, paths: Iterable[Path], *, settle: float = DEFAULT_SETTLE,
                 clock: Callable[[], float] = time.time, lock_timeout: float | None = None,
                 indexed: dict[Path, Signature] | None = None) -> None:
        self.index_dir = index_dir
        self.paths = list(paths)
        self.settle = settle
        self.clock = clock
        self.lock_timeout = lock_timeout
        self._first_seen: dict[Path, tuple[Signature, float]] = {}
        # The version of each file last given to the indexer.
        self._handled: dict[Path, Signature] = dict(indexed or {})
        self._last_error = ""

    def poll(self) -> Round | None:
        """One round: index what has settled since the last one. None when there was nothing to do."""
        now = self.clock()
        ready: dict[Path, Signature] = {}
        current = _signatures([Path(name) for name in answer_files(self.paths)])
        for path in set(self._first_seen) | set(self._handled):
            if path not in current:  # deleted or renamed away: forget it, so a file put back is seen anew
                self._first_seen.pop(path, None)
                self._handled.pop(path, None)
        for path, signature in current.items():
            if self._handled.get(path) == signature:
                continue
            seen = self._first_seen.get(path)
            if seen is None or seen[0] != signature:
                self._first_seen[path] = (signature, now)
                continue  # new or still changing: look again next round
            # Unchanged since the last round, and for long enough by our clock or by its own mtime
            # (the second lets files that were complete before the watch began go in at once; the
            # first, that a file server's clock may disagree with ours).
            if now - seen[1] >= self.settle or now - signature.mtime_ns / 1e9 >= self.settle:
                ready[path] = signature
        if not ready:
            return None
        try:
            report = index_files(self.index_dir, list(ready), lock_timeout=self.lock_timeout)
        except IndexLockedError as exc:
            # Another writer (a rebuild, a cron run) has the index: try again next round, quietly after once.
            return self._error(exc)
        except SvarError as exc:
            return self._error(exc)
        self._last_error = ""
        self._handled.update(ready)
        if not (report.new or report.updated or report.rejected or report.warnings):
            return None  # touched but not changed (or already indexed by the run before the watch)
        return Round(report=report)

    def _error(self, exc: SvarError) -> Round | None:
        if str(exc) == self._last_error:
            return None
        self._last_error = str(exc)
        return Round(error=exc)


def watch(
    index_dir: Path,
    paths: Iterable[Path],
    on_round: Callable[[Round], None],
    *,
    interval: float = DEFAULT_INTERVAL,
    settle: float = DEFAULT_SETTLE,
    should_stop: Callable[[], bool] = lambda: False,
    max_rounds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    lock_timeout: float | None = None,
    indexed: dict[Path, Signature] | None = None,
) -> None:
    """Poll every ``interval`` seconds until ``should_stop()`` or ``max_rounds``; report each round that did something.

    Stops cleanly on KeyboardInterrupt as well: an interrupted commit is cancelled (the index keeps
    its last commit) and the write lock is released before the interrupt propagates.
    """
    watcher = Watcher(index_dir, paths, settle=settle, clock=clock, lock_timeout=lock_timeout, indexed=indexed)
    rounds = 0
    while not should_stop() and (max_rounds is None or rounds < max_rounds):
        result = watcher.poll()
        if result is not None:
            on_round(result)
        rounds += 1
        if max_rounds is None or rounds < max_rounds:
            sleep(interval)


def _signatures(files: list[Path]) -> dict[Path, Signature]:
    signatures = {}
    for path in files:
        try:
            stat = path.stat()
        except OSError as exc:
            if exc.errno != errno.ELOOP:  # vanished between listing and looking
                continue
            try:  # a link loop: its own signature, so that it is rejected (named) once, not every round
                stat = path.lstat()
            except OSError:
                continue
        signatures[path] = Signature(stat.st_size, stat.st_mtime_ns)
    return signatures
