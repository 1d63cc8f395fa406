"""The one-writer lock of an index folder.

The lock is an OS file lock (flock on POSIX, via Whoosh's FileLock), not a lock *file*: the kernel
drops it when the holding process dies, however it dies, so a killed writer can never leave the
index locked. Beside it, the holder writes who it is (pid, host, command, since when), so a second
writer that gives up can say whom it waited for. That note is only ever read as information: a
note left by a killed writer is simply overwritten by the next one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from whoosh.util.filelock import FileLock

from . import whoosh_compat
from .errors import IndexLockedError, SvarError
from .i18n import _

LOCK_FILE = "write.lock"
HOLDER_FILE = "writer.json"
# How long a writer waits for another writer before giving up, unless told otherwise.
DEFAULT_TIMEOUT = 10.0
_POLL = 0.05
# The locks this process holds now: a forked worker closes its copies of them (see held_descriptors).
_held: set["WriteLock"] = set()


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) the write lock."""

    pid: int
    host: str
    command: str
    since: str  # ISO 8601, local time

    def describe(self) -> str:
        return _("pid {pid} on {host}, `{command}`, since {since}").format(
            pid=self.pid, host=self.host, command=self.command, since=self.since)


def current_holder(index_dir: Path) -> Holder | None:
    """The holder note, if there is a readable one (it may be stale: see the module docstring)."""
    try:
        return Holder(**json.loads((index_dir / HOLDER_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


class WriteLock:
    """Held while a process writes to an index folder; a context manager.

    ``timeout`` is how long to wait for another writer; then IndexLockedError names the holder.
    """

    def __init__(self, index_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.index_dir = index_dir
        self.timeout = max(0.0, timeout)
        self._lock: FileLock | None = None

    def __enter__(self) -> "WriteLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> None:
        lock = FileLock(str(self.index_dir / LOCK_FILE))
        deadline = time.monotonic() + self.timeout
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            while not lock.acquire(blocking=False):
                if time.monotonic() >= deadline:
                    raise IndexLockedError(self._locked_message())
                time.sleep(_POLL)
        except OSError as exc:  # a read-only or foreign folder: searching it still works, writing cannot
            raise SvarError(_("cannot write to the index at {path}: {reason}").format(
                path=self.index_dir, reason=exc.strerror or exc)) from None
        self._lock = lock
        _held.add(self)
        try:
            _write_holder(self.index_dir, Holder(
                pid=os.getpid(), host=_host_name(), command=_command_line(),
                since=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            ))
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        if self._lock is None:
            return
        try:
            holder = current_holder(self.index_dir)
            if holder is not None and holder.pid == os.getpid():
                (self.index_dir / HOLDER_FILE).unlink(missing_ok=True)
        finally:
            _held.discard(self)
            self._lock.release()
            self._lock = None

    def _locked_message(self) -> str:
        holder = current_holder(self.index_dir)
        if holder:
            who = _("another svar process ({holder})").format(holder=holder.describe())
        else:
            who = _("another process")
        return _("index at {path} is being written by {who}; waited {seconds} s. Try again when it has "
                 "finished, or give it longer with `svar index --wait SECONDS`").format(
            path=self.index_dir, who=who, seconds=f"{self.timeout:g}")


def held_descriptors() -> tuple[int, ...]:
    """The file descriptors of the write locks this process holds: a forked child must close its
    copies (never unlock them: that would release the parent's lock), or it could keep the index
    locked after the parent has died."""
    return tuple(fd for lock in _held if (fd := whoosh_compat.lock_descriptor(lock._lock)) is not None)


def _write_holder(index_dir: Path, holder: Holder) -> None:
    # Written whole and renamed into place, so a reader never sees half a note.
    temporary = index_dir / f".{HOLDER_FILE}.{os.getpid()}"
    temporary.write_text(json.dumps(asdict(holder), ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, index_dir / HOLDER_FILE)


def _command_line() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return " ".join([name, *sys.argv[1:]])[:200]


def _host_name() -> str:
    """This machine's name, as socket.gethostname() gives it; uname where there is one (importing
    socket cost a one-answer `svar index` 3 ms)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()

