"""Writing answers into the index: add, replace by dnr in one commit, skip unchanged files, remove, rebuild.

Every write holds the index folder's write lock (locking.py) for its whole run, so two writers never
interleave and a rebuild never loses an update made while it ran.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from contextlib import contextmanager
from pathlib import Path

from whoosh.index import FileIndex, LockError
from whoosh.reading import SegmentReader

from . import store, whoosh_compat
from .errors import IndexLockedError, ReadError, SvarError
from .i18n import _
from .locking import DEFAULT_TIMEOUT, WriteLock, held_descriptors
from .loading import content_hash, parse_answer
from .reading import is_answer_file, read_text
from .records import Answer
from .schema import name_key, party_key, variant_text

# How long a writer waits for another writer before giving up (the CLI's --wait overrides it).
LOCK_TIMEOUT = DEFAULT_TIMEOUT
# Whoosh's own writer lock is free whenever svar's is held, unless a program other than svar writes.
WHOOSH_LOCK_TIMEOUT = 2.0
# Segments a commit may leave before the small ones are merged (see merge_policy).
MAX_SEGMENTS = 8
# A run of fewer files is written in this process whatever the workers asked for: workers start only
# past parallel.PARALLEL_FROM passages (some 100 answers; an answer has four or five passages).
IN_PROCESS_BELOW = 10


@dataclass
class IndexReport:
    """What one indexing run did, file by file."""

    new: list[str] = field(default_factory=list)  # dnrs
    updated: list[str] = field(default_factory=list)  # dnrs
    # Answers whose file now holds another dnr: (the old dnr, removed; the new one, indexed instead).
    renamed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # paths
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, warning)
    passages: int = 0


def answer_files(paths: Iterable[Path | str]) -> list[str]:
    """The answer files named by ``paths``: files as given, folders searched recursively, in path order.

    Names, not Path objects: a quarter of a million Paths took 150 MB, most of an indexing run's own
    memory. The order is that of sorting the files' Paths (each folder's entries by name, depth first).
    """
    found: list[str] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            _walk(str(path), found, set())
        else:
            found.append(str(path))
    return found


def _walk(folder: str, found: list[str], seen: set[tuple[int, int]]) -> None:
    try:
        info = os.stat(folder)
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:  # unreadable or vanished: nothing to index there
        return
    if (info.st_dev, info.st_ino) in seen:  # a link back to a folder being walked
        return
    seen.add((info.st_dev, info.st_ino))
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:  # a link loop ("ln -s self self"): not followed, but named by the reader, once
            if not entry.name.startswith((".", "~$")):
                found.append(entry.path)
            continue
        if is_dir:
            _walk(entry.path, found, seen)
        elif is_answer_file(Path(entry.name)) and (entry.is_file() or _exists(entry)):
            # Not only regular files: a FIFO, socket or device named like an answer is listed so that
            # the reader rejects it by name (without opening it) rather than leaving it unexplained.
            found.append(entry.path)


def _exists(entry: os.DirEntry) -> bool:
    """Whether what an entry names (following links) is there at all: a dangling link is not."""
    try:
        entry.stat()
    except OSError:
        return False
    return True


def passage_documents(answer: Answer, indexed_at: int, with_variants: bool = True) -> list[dict]:
    """The Whoosh documents for an answer, one per passage.

    ``with_variants=False`` leaves out the exact, parts and folded fields: only to measure their cost.
    """
    date = dt.datetime.combine(answer.date, dt.time()) if answer.date else None
    parties = " ".join(party_key(p) for p in (answer.interpellant.party, answer.respondent.party) if p)
    documents = []
    for passage in answer.passages:
        # A closing ("Stockholm den …", signature) is found by its own words, not by the title.
        title = answer.title if passage.kind != "closing" else ""
        variants = variant_text(title, passage.question, passage.text)
        document = dict(
            dnr=answer.dnr,
            passage=passage.number,
            kind=passage.kind,
            title=title,
            topic=answer.topic,
            question=passage.question,
            body=passage.text,
            interpellant=answer.interpellant.name,
            interpellant_party=party_key(answer.interpellant.party),
            interpellant_key=name_key(answer.interpellant.name),
            respondent=answer.respondent.name,
            respondent_role=answer.respondent.role,
            respondent_party=party_key(answer.respondent.party),
            respondent_key=name_key(answer.respondent.name),
            party=parties,
            signature=answer.signature,
            source=answer.source,
            start=passage.start,
            end=passage.end,
            content_hash=answer.content_hash,
            indexed_at=indexed_at,
        )
        if with_variants:
            document.update(exact=variants, parts=variants, folded=variants)
        if passage.question_number is not None:
            document["question_number"] = passage.question_number
        if date:
            document["date"] = date
            document["year"] = date.year
        documents.append(document)
    return documents


def index_files(
    index_dir: Path,
    paths: Iterable[Path],
    *,
    progress: Callable[[Path], None] | None = None,
    variants: bool = True,
    lock_timeout: float | None = None,
    workers: int | None = None,
) -> IndexReport:
    """Index answer files: new ones are added, changed ones replace their dnr, unchanged ones are skipped.

    All changes land in one commit, so a search sees either none or all of them. ``workers``: processes
    that analyse a large run (default: one per usable core; a small run is always done in-process).
    """
    files = answer_files(paths)
    with _locked(index_dir, lock_timeout), _writing(index_dir):
        ix = store.open_existing(index_dir) if store.exists(index_dir) else store.create(index_dir)
        store.clean(index_dir)
        return _index_into(ix, files, progress, variants, workers)


@contextmanager
def _writing(index_dir: Path) -> Iterator[None]:
    """A write to the index folder that fails (a full disk, an I/O error) as svar's error, naming the
    folder; what was committed before stays (a run commits once, at its end)."""
    try:
        yield
    except OSError as exc:
        raise SvarError(_("could not write the index at {path}: {reason}").format(
            path=index_dir, reason=exc.strerror or exc)) from exc


def _index_into(ix: FileIndex, files: list[str], progress: Callable[[Path], None] | None,
                variants: bool = True, workers: int | None = None) -> IndexReport:
    """Parse each new or changed file and add it to one open writer, committing once at the end.

    Answers go to the writer as they are parsed rather than being collected first: Whoosh spills its
    postings to disk past a memory limit, so a run over 250,000 files stays within bounded memory.
    """
    report = IndexReport()
    state = _IndexedState(ix)
    writer = None
    claimed: dict[str, str] = {}  # dnr → the file that supplied it in this run
    # Milliseconds, so that alerts can tell apart answers indexed within the same second.
    indexed_at = time.time_ns() // 1_000_000
    try:
        for answer in _accepted(files, state, claimed, report, progress):
            if writer is None:
                writer = _writer(ix, getattr(ix, "index_dir", Path(ix.storage.folder)), _jobs(files, workers))
            _add(writer, answer, state, report, indexed_at, variants)
        if writer is not None:
            _commit(writer, ix)
            writer = None
    except BaseException:
        if writer is not None:
            whoosh_compat.cancel_open(writer)
        raise
    finally:
        state.close()
    return report


def _accepted(files: list[str], state: "_IndexedState", claimed: dict[str, str], report: IndexReport,
              progress: Callable[[Path], None] | None) -> Iterator[Answer]:
    """The parsed answers of the files that are new or changed; the others are reported."""
    for name in files:
        path = Path(name)
        if progress:
            progress(path)
        try:
            raw, data = read_text(path)
            digest = content_hash(data)
            if state.has_content(digest):
                report.unchanged.append(str(path))
                continue
            answer = parse_answer(raw, source=str(path), content_hash=digest)
        except ReadError as exc:
            report.rejected.append((str(path), str(exc)))
            continue
        if answer.dnr in claimed:
            report.rejected.append((str(path), _("{path}: Dnr {dnr} is also claimed by {other}; not indexed").format(
                path=path, dnr=answer.dnr, other=claimed[answer.dnr])))
            continue
        previous = state.source_of(answer.dnr)
        if previous and previous != answer.source and Path(previous).exists():
            report.rejected.append((
                str(path),
                _("{path}: Dnr {dnr} is already indexed from {previous}; remove it first (`svar remove '{dnr}'`) "
                  "to replace it with this file").format(path=path, dnr=answer.dnr, previous=previous),
            ))
            continue
        claimed[answer.dnr] = answer.source
        report.warnings.extend((str(path), w) for w in answer.warnings)
        yield answer


def rebuild(index_dir: Path, paths: Iterable[Path], *, progress: Callable[[Path], None] | None = None,
            lock_timeout: float | None = None, workers: int | None = None) -> IndexReport:
    """Build a fresh index from ``paths`` as a new generation, then make it live in one atomic step.

    Until the swap the old index is untouched and searchable (even a damaged one is never opened);
    if the build fails or is killed, the old index stays live and the half-built generation is removed.
    """
    files = answer_files(paths)
    with _locked(index_dir, lock_timeout), _writing(index_dir):
        store.clean(index_dir)
        generation = store.new_generation(index_dir)
        try:
            report = _index_into(store.open_generation(generation), files, progress, workers=workers)
        except BaseException:
            shutil.rmtree(generation.path, ignore_errors=True)
            raise
        store.publish(index_dir, generation)
    return report


def index_answers(index_dir: Path, answers: Iterable[Answer]) -> IndexReport:
    """Index already-parsed answers, replacing any indexed under the same dnr."""
    report = IndexReport()
    with _locked(index_dir, None), _writing(index_dir):
        ix = store.open_existing(index_dir) if store.exists(index_dir) else store.create(index_dir)
        state = _IndexedState(ix)
        try:
            _write(ix, list(answers), state, report)
        finally:
            state.close()
    return report


def remove_answers(index_dir: Path, dnrs: Iterable[str]) -> list[str]:
    """Remove answers by dnr in one commit; returns the dnrs that were indexed and are now gone."""
    wanted = list(dict.fromkeys(dnrs))
    store.open_existing(index_dir)  # no index there: say so before the lock creates the folder
    with _locked(index_dir, None):
        ix = store.open_existing(index_dir)
        with ix.searcher() as searcher:
            present = [d for d in wanted if searcher.document_number(dnr=d) is not None]
        if present:
            writer = _writer(ix, index_dir)
            try:
                for dnr in present:
                    writer.delete_by_term("dnr", dnr)
            except BaseException:
                whoosh_compat.cancel_open(writer)
                raise
            _commit(writer, ix)
    return present


def merge_policy(writer, segments: list) -> list:
    """Whoosh merge policy: a commit adds one segment and rewrites nothing, until segments pile up.

    Adding one answer to a large index then writes only that answer's segment. When MAX_SEGMENTS
    would remain, the small segments are merged into the new one; the bulk of the index is kept as
    it is: the largest segment and those at least a quarter its size (a build on several cores
    leaves one per worker), at most half of MAX_SEGMENTS of them. Only `svar index --rebuild`
    rewrites it all.
    """
    if len(segments) < MAX_SEGMENTS:
        return segments
    by_size = sorted(segments, key=lambda segment: segment.doc_count_all(), reverse=True)
    largest = by_size[0].doc_count_all()
    bulk = [s for s in by_size[:MAX_SEGMENTS // 2] if s.doc_count_all() * 4 >= largest]
    for segment in segments:
        if segment not in bulk:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
    return [s for s in segments if s in bulk]


def _locked(index_dir: Path, timeout: float | None) -> WriteLock:
    return WriteLock(index_dir, timeout=LOCK_TIMEOUT if timeout is None else timeout)


class _IndexedState:
    """Answers already indexed, looked up per file (never a scan: the index may hold 100,000 passages)."""

    def __init__(self, ix: FileIndex) -> None:
        self._searcher = ix.searcher()
        # Nothing indexed (a rebuild's new generation): no lookup can find anything. Three queries a
        # file were a tenth of what a rebuild's parent process did besides parsing.
        self._empty = self._searcher.doc_count_all() == 0

    def close(self) -> None:
        self._searcher.close()

    def has_content(self, digest: str) -> bool:
        return not self._empty and self._searcher.document_number(content_hash=digest) is not None

    def source_of(self, dnr: str) -> str | None:
        """The file an indexed dnr came from, or None when the dnr is not indexed."""
        if self._empty:
            return None
        fields = self._searcher.document(dnr=dnr)
        return None if fields is None else fields.get("source", "")

    def dnrs_from(self, source: str) -> set[str]:
        """The dnrs indexed from the file ``source`` (a term lookup: the source field is indexed)."""
        if not source or self._empty:
            return set()
        searcher = self._searcher
        return {searcher.reader().stored_fields(n)["dnr"] for n in searcher.document_numbers(source=source)}


def _jobs(files: list[str], workers: int | None) -> int:
    """The processes a run of ``files`` may use: ``workers`` (default: one per usable core), but one
    for a run of a few files, which could never start workers (see parallel.PARALLEL_FROM)."""
    if workers == 1 or len(files) < IN_PROCESS_BELOW:
        return 1
    from .parallel import usable_cores  # here: one new answer need not import multiprocessing

    return usable_cores() if workers is None else workers


def _writer(ix: FileIndex, index_dir: Path, workers: int = 1):
    try:
        if workers > 1:
            from .parallel import ParallelWriter

            return ParallelWriter(ix, workers=workers, inherited_fds=held_descriptors(),
                                  timeout=WHOOSH_LOCK_TIMEOUT)
        return ix.writer(timeout=WHOOSH_LOCK_TIMEOUT)
    except LockError:
        raise IndexLockedError(_("index at {path} is being written by a program other than svar (it holds "
                                 "Whoosh's write lock); try again when it has finished").format(
            path=index_dir)) from None


def _commit(writer, ix: FileIndex) -> None:
    try:
        writer.commit(mergetype=merge_policy)
    except OSError as exc:
        raise SvarError(_("could not write the index at {path}: {reason}").format(
            path=ix.storage.folder, reason=exc.strerror or exc)) from exc


def _add(writer, answer: Answer, state: _IndexedState, report: IndexReport, indexed_at: int,
         with_variants: bool = True) -> None:
    """Add one answer's passages, replacing whatever was indexed under its dnr, and whatever its file
    held before under another dnr (a corrected diary number must not leave the old one behind)."""
    if state.source_of(answer.dnr) is not None:
        writer.delete_by_term("dnr", answer.dnr)
        report.updated.append(answer.dnr)
    else:
        report.new.append(answer.dnr)
    for old in sorted(state.dnrs_from(answer.source) - {answer.dnr}):
        writer.delete_by_term("dnr", old)
        report.renamed.append((old, answer.dnr))
    with writer.group():  # one answer's passages in one segment, in order
        for document in passage_documents(answer, indexed_at, with_variants):
            writer.add_document(**document)
            report.passages += 1


def _write(ix: FileIndex, answers: Iterable[Answer], state: _IndexedState, report: IndexReport,
           with_variants: bool = True) -> None:
    indexed_at = time.time_ns() // 1_000_000
    writer = _writer(ix, getattr(ix, "index_dir", Path(ix.storage.folder)))  # the folder users know
    try:
        for answer in answers:
            _add(writer, answer, state, report, indexed_at, with_variants)
    except BaseException:
        whoosh_compat.cancel_open(writer)
        raise
    _commit(writer, ix)
