"""Writing answers into the index: add, replace by dnr in one commit, skip unchanged files, remove."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.index import Index, LockError
from whoosh.query import Term

from . import store
from .errors import IndexLockedError, ReadError, SvarError
from .loading import content_hash, parse_answer
from .reading import is_answer_file, read_text
from .records import Answer
from .schema import name_key, party_key, variant_text

# How long a writer waits for another writer before giving up.
LOCK_TIMEOUT = 10.0


@dataclass
class IndexReport:
    """What one indexing run did, file by file."""

    new: list[str] = field(default_factory=list)  # dnrs
    updated: list[str] = field(default_factory=list)  # dnrs
    unchanged: list[str] = field(default_factory=list)  # paths
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, warning)
    passages: int = 0


def answer_files(paths: Iterable[Path]) -> list[Path]:
    """The answer files named by ``paths``: files as given, folders searched recursively."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_answer_file(p)))
        else:
            found.append(path)
    return found


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
            id=f"{answer.dnr}#{passage.number}",
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
) -> IndexReport:
    """Index answer files: new ones are added, changed ones replace their dnr, unchanged ones are skipped.

    All changes land in one commit, so a search sees either none or all of them.
    """
    report = IndexReport()
    ix = store.open_or_create(index_dir)
    state = _IndexedState(ix)
    answers: dict[str, Answer] = {}
    try:
        _collect(answer_files(paths), state, answers, report, progress)
        if answers:
            _write(ix, answers.values(), state, report, with_variants=variants)
    finally:
        state.close()
    return report


def _collect(files: list[Path], state: "_IndexedState", answers: dict[str, Answer], report: IndexReport,
             progress: Callable[[Path], None] | None) -> None:
    """Read and parse the files that are new or changed; reject the ones that cannot be indexed."""
    for path in files:
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
        claimed = answers.get(answer.dnr)
        if claimed is not None:
            report.rejected.append((str(path), f"{path}: Dnr {answer.dnr} is also claimed by {claimed.source}; not indexed"))
            continue
        previous = state.source_of(answer.dnr)
        if previous and previous != answer.source and Path(previous).exists():
            report.rejected.append((
                str(path),
                f"{path}: Dnr {answer.dnr} is already indexed from {previous}; "
                f"remove it first (`svar remove '{answer.dnr}'`) to replace it with this file",
            ))
            continue
        answers[answer.dnr] = answer
        report.warnings.extend((str(path), w) for w in answer.warnings)


def rebuild(index_dir: Path, paths: Iterable[Path], *, progress: Callable[[Path], None] | None = None) -> IndexReport:
    """Build a fresh index from ``paths`` in a sibling folder, then swap it in place of the old one.

    Until the swap the old index is untouched and searchable; if the build fails it stays as it was.
    """
    staging = index_dir.with_name(f".{index_dir.name}.rebuild-{os.getpid()}")
    retired = index_dir.with_name(f".{index_dir.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        report = index_files(staging, paths, progress=progress)
        if not store.exists(staging):
            store.create(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if index_dir.exists():
        os.replace(index_dir, retired)
    os.replace(staging, index_dir)
    shutil.rmtree(retired, ignore_errors=True)
    return report


def index_answers(index_dir: Path, answers: Iterable[Answer]) -> IndexReport:
    """Index already-parsed answers, replacing any indexed under the same dnr."""
    report = IndexReport()
    ix = store.open_or_create(index_dir)
    state = _IndexedState(ix)
    try:
        _write(ix, list(answers), state, report)
    finally:
        state.close()
    return report


def remove_answers(index_dir: Path, dnrs: Iterable[str]) -> list[str]:
    """Remove answers by dnr in one commit; returns the dnrs that were indexed and are now gone."""
    ix = store.open_existing(index_dir)
    wanted = list(dict.fromkeys(dnrs))
    with ix.searcher() as searcher:
        present = [d for d in wanted if searcher.document_number(dnr=d) is not None]
    if present:
        writer = _writer(ix, index_dir)
        try:
            for dnr in present:
                writer.delete_by_term("dnr", dnr)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    return present


class _IndexedState:
    """Answers already indexed, looked up per file (never a scan: the index may hold 100,000 passages)."""

    def __init__(self, ix: Index) -> None:
        self._searcher = ix.searcher()

    def close(self) -> None:
        self._searcher.close()

    def has_content(self, digest: str) -> bool:
        return self._searcher.document_number(content_hash=digest) is not None

    def source_of(self, dnr: str) -> str | None:
        """The file an indexed dnr came from, or None when the dnr is not indexed."""
        fields = self._searcher.document(dnr=dnr)
        return None if fields is None else fields.get("source", "")


def _writer(ix: Index, index_dir: Path):
    try:
        return ix.writer(timeout=LOCK_TIMEOUT)
    except LockError:
        raise IndexLockedError(
            f"index at {index_dir} is being written by another svar process; "
            f"waited {LOCK_TIMEOUT:.0f} s — try again when it has finished"
        ) from None


def _write(ix: Index, answers: Iterable[Answer], state: _IndexedState, report: IndexReport,
           with_variants: bool = True) -> None:
    answers = list(answers)
    indexed_at = int(time.time())
    writer = _writer(ix, Path(ix.storage.folder))
    try:
        for answer in answers:
            if state.source_of(answer.dnr) is not None:
                writer.delete_by_term("dnr", answer.dnr)
                report.updated.append(answer.dnr)
            else:
                report.new.append(answer.dnr)
            for document in passage_documents(answer, indexed_at, with_variants):
                writer.add_document(**document)
                report.passages += 1
    except BaseException:
        writer.cancel()
        raise
    try:
        writer.commit()
    except OSError as exc:
        raise SvarError(f"could not write the index at {ix.storage.folder}: {exc.strerror or exc}") from exc
