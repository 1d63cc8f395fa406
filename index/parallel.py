"""A writer that indexes a large delivery on all cores, and stays in-process for a small one.

Like Whoosh's MpWriter with ``multisegment=True``: worker processes each analyse a share of the
passages into a segment of their own, and the parent commits those segments (and its own deletions
and merges) in one TOC write, so a run is still one commit. Unlike it, a worker that fails or dies
fails the run instead of silently losing its segment, a cancelled or killed run leaves no worker
behind, and a worker holds neither svar's write lock nor Whoosh's. Built from the same SegmentWriter
steps SegmentWriter.commit runs (merge, finalize, commit the TOC, finish), through whoosh_compat.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import queue
import signal
import sys
from typing import TYPE_CHECKING, Any

from whoosh.util import random_name

from . import whoosh_compat
from .errors import SvarError
from .i18n import _
from .postings import TermwiseWriter

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

# Passages per job handed to a worker (one pickled file in Whoosh's temporary folder): small enough
# that the workers of a run of a hundred answers share its work evenly.
BATCH = 100
# Workers start only once a run has buffered this many passages (some 100 answers): below it,
# starting processes (each analysing the common words anew) costs more than it saves, and one new
# answer must stay quick. Measured on two cores: 30 answers (126 passages) as fast either way, 100
# answers (431) 1.7 → 1.2-1.6 s, 300 answers (1,343) 3.7 → 2.4 s.
PARALLEL_FROM = 400
# How often a worker waiting for work checks that its parent is still alive (where the OS cannot
# kill it with its parent), and how often the parent checks its workers while it waits for them.
_POLL_SECONDS = 0.5


def usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class WorkerError(SvarError):
    """A worker process failed; nothing of the run was committed."""


class ParallelWriter(TermwiseWriter):
    """A TermwiseWriter that hands passages to ``workers`` processes once a run is large enough.

    ``inherited_fds`` are descriptors a forked worker must close: the locks its parent holds, so
    that a worker can never keep an index locked. ``parallel_from`` and ``batch`` default to the
    module's settings (tests lower them to exercise the workers on small deliveries).
    """

    def __init__(self, ix, *, workers: int, inherited_fds: tuple[int, ...] = (),
                 parallel_from: int | None = None, batch: int | None = None, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self.workers = max(1, workers)
        self.parallel_from = PARALLEL_FROM if parallel_from is None else parallel_from
        self.batch = BATCH if batch is None else batch
        self._buffer: list[dict] = []
        self._grouping = 0
        self._tasks: list[_Worker] = []
        whoosh_lock_fd = whoosh_compat.writer_lock_descriptor(self)
        self._inherited_fds = tuple(inherited_fds) + ((whoosh_lock_fd,) if whoosh_lock_fd is not None else ())
        self._context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        # Made with the workers: job file names (None: no more jobs), and the workers' reports.
        self._jobs: Queue[str | None] | None = None
        self._results: Queue[tuple[str, Any]] | None = None

    def add_document(self, **fields) -> None:
        if self.workers == 1:
            super().add_document(**fields)
            return
        self._buffer.append(fields)
        self._maybe_send()

    def start_group(self) -> None:
        """The documents until end_group() go to one worker, in order (an answer's passages stay
        together, numbered in order, whichever way the index was built)."""
        self._grouping += 1

    def end_group(self) -> None:
        self._grouping -= 1
        self._maybe_send()

    def _maybe_send(self) -> None:
        if self._grouping or len(self._buffer) < self.batch:
            return
        if self._tasks or len(self._buffer) >= self.parallel_from:
            self._send(self._buffer)
            self._buffer = []

    # Whoosh's SegmentWriter.commit narrows IndexWriter.commit(**kwargs) so: its signature, kept here.
    def commit(self, mergetype=None, optimize=None, merge=None) -> None:  # type: ignore[override]
        if not self._tasks:
            # A small run: index what was buffered here, as a plain SegmentWriter would.
            for fields in self._buffer:
                super().add_document(**fields)
            self._buffer = []
            super().commit(mergetype=mergetype, optimize=optimize, merge=merge)
            return
        whoosh_compat.check_writable(self)
        if self._buffer:
            self._send(self._buffer)
            self._buffer = []
        for _task in self._tasks:
            self._put(None)
        segments = self._collect()
        for task in self._tasks:
            task.join()
        # If this fails, the caller cancels, as with any Whoosh writer.
        finalsegments = whoosh_compat.merge_segments(self, mergetype, optimize, merge) + segments
        if whoosh_compat.has_added(self):
            finalsegments.append(whoosh_compat.finalize_segment(self))
        else:
            whoosh_compat.close_segment(self)
        whoosh_compat.commit_toc(self, finalsegments)
        whoosh_compat.finish(self)

    # Whoosh's SegmentWriter.cancel narrows IndexWriter.cancel(**kwargs) so: its signature, kept here.
    def cancel(self) -> None:  # type: ignore[override]
        try:
            self._stop_workers()
        finally:
            super().cancel()

    def _send(self, documents: list[dict]) -> None:
        if not self._tasks:
            self._start_workers()
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            pickle.dump(documents, f, pickle.HIGHEST_PROTOCOL)
        self._put(filename)

    def _put(self, job: str | None) -> None:
        """Queue a job, waiting while the workers are busy, but never for a worker that has died."""
        assert self._jobs is not None, "jobs are queued only once _start_workers made the queue"
        while True:
            try:
                self._jobs.put(job, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                if not all(task.is_alive() for task in self._tasks):
                    self._collect()  # raises WorkerError with the worker's own reason

    def _start_workers(self) -> None:
        # Bounded, so the parent (which parses) cannot run far ahead of the workers and fill the disk.
        self._jobs = self._context.Queue(self.workers * 2)
        self._results = self._context.Queue()
        forked = self._context.get_start_method() == "fork"
        for _number in range(self.workers):
            task = _Worker(self.storage, self.indexname, self._jobs, self._results,
                           parent=os.getpid(), close_fds=self._inherited_fds if forked else ())
            self._tasks.append(task)
            task.start()

    def _collect(self) -> list:
        """Each worker's segment; raises WorkerError (after stopping the rest) as soon as one has failed."""
        assert self._results is not None, "results are collected only once _start_workers made the queue"
        segments: list = []
        error = None
        while error is None and len(segments) < len(self._tasks):
            try:
                status, value = self._results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                failed = [task.exitcode for task in self._tasks if task.exitcode not in (None, 0)]
                if not failed and any(task.is_alive() for task in self._tasks):
                    continue
                try:  # its own report, if it made one before it ended
                    status, value = self._results.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    error = _("a worker process ended without reporting (exit code {code})").format(
                        code=failed[0] if failed else 0)
                    break
            if status == "ok":
                segments.append(value)
            else:
                error = value
        if error is not None:
            self._stop_workers()
            raise WorkerError(_("indexing failed in a worker process, so nothing was committed: {reason}").format(
                reason=error))
        return segments

    def _stop_workers(self) -> None:
        for task in self._tasks:
            if task.is_alive():
                task.terminate()
        for task in self._tasks:
            task.join()


class _Worker(multiprocessing.Process):
    """Indexes the jobs it is sent into a segment of its own and reports ("ok", segment) or ("error", why)."""

    def __init__(self, storage, indexname: str, jobs, results, *, parent: int, close_fds: tuple[int, ...]) -> None:
        super().__init__(daemon=True)
        self.storage = storage
        self.indexname = indexname
        self.jobs = jobs
        self.results = results
        self.parent = parent
        self.close_fds = close_fds

    def run(self) -> None:
        _die_with_parent()
        for fd in self.close_fds:  # closing a copy never releases the parent's lock
            with contextlib.suppress(OSError):
                os.close(fd)
        # Ctrl-C reaches the whole process group; the parent decides, and stops the workers.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            writer = TermwiseWriter(self.storage.open_index(self.indexname), **whoosh_compat.unlocked_writer_kwargs())
            while (filename := self._next_job()) is not None:
                temp = writer.temp_storage()
                with temp.open_file(filename).raw_file() as f:
                    documents = pickle.load(f)
                temp.delete_file(filename)
                for fields in documents:
                    writer.add_document(**fields)
            segment = whoosh_compat.finalize_segment(writer)
        except BaseException as exc:  # reported, so the parent can say what went wrong
            self.results.put(("error", f"{type(exc).__name__}: {exc}"))
            sys.exit(1)
        self.results.put(("ok", segment))

    def _next_job(self) -> str | None:
        while True:
            try:
                return self.jobs.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if os.getppid() != self.parent:  # orphaned: the parent was killed
                    os._exit(1)


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this process when its parent dies, however the parent dies."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
