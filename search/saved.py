"""Saved searches and alerts: a search kept under a name, re-run to show only what was indexed since.

They live in a file beside the index (not inside a generation), so they survive `svar index --rebuild`.
What "since" means is a watermark: the newest indexing time the search had seen at its last run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh.util.filelock import FileLock

from svar.index.errors import SvarError
from svar.index.i18n import _

from .filters import USER_FILTERS, Filters
from .library import AnswerIndex
from .results import SearchResult

SAVED_FILE = "saved-searches.json"
LOCK_FILE = "saved-searches.lock"
# How long a change waits for another process changing the saved searches.
LOCK_TIMEOUT = 10.0
# An alert shows at most this many new passages per saved search.
ALERT_LIMIT = 100


@dataclass
class SavedSearch:
    """A named query with its filters, and the indexing time up to which its hits have been shown."""

    name: str
    query: str
    filters: Filters = field(default_factory=Filters)
    created: str = ""
    seen_until: int = 0  # indexed_at of the newest passage seen at the last run (or when saved)
    last_run: str | None = None


@dataclass
class Alert:
    """What a saved search found among answers indexed since its last run."""

    search: SavedSearch
    result: SearchResult


class SavedSearches:
    """The saved searches of one index folder.

    Every change is a read-modify-write of the file under a lock of its own (``saved-searches.lock``
    beside it, an OS file lock that dies with its process), so concurrent `svar watch add` runs all
    keep their search; the file is written whole to a temporary file and renamed over the old one, so
    a reader never sees half of it. The index's write lock is not used: an `svar index` of many files
    holds it for minutes, and saving a search need not wait for that.

    A saved search the file holds in a shape svar cannot use (no name, a bad filter, …) is skipped
    and named in ``problems``, one line each, and kept in the file as it is for the user to fix; a
    file that cannot be read at all is a SvarError naming it.
    """

    def __init__(self, index: AnswerIndex, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self._index = index
        self.path = Path(index.path) / SAVED_FILE
        self.lock_timeout = lock_timeout
        self.problems: list[str] = []  # the saved searches the last read skipped, and why

    def all(self) -> list[SavedSearch]:
        return sorted(self._load()[0].values(), key=lambda s: s.name)

    def add(self, name: str, query: str, filters: Filters | None = None) -> SavedSearch:
        """Save a search; it will alert on answers indexed from now on. Its name is stored stripped."""
        name = name.strip()
        if not name:
            raise SvarError(_("a saved search needs a name"))
        filters = filters or Filters()
        filters.check()
        with self._locked():
            searches, kept = self._load()
            if name in searches:
                raise SvarError(_("a saved search named {name} exists already: `svar watch remove {command_name}` "
                                  "first").format(name=repr(name), command_name=name))
            now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            saved = SavedSearch(name, query, filters, created=now, seen_until=self._index.newest_indexed_at())
            searches[name] = saved
            self._save(searches, kept)
        return saved

    def remove(self, name: str) -> None:
        name = name.strip()
        with self._locked():
            searches, kept = self._load()
            if name not in searches:
                raise SvarError(_("no saved search named {name}: see `svar watch list`").format(name=repr(name)))
            del searches[name]
            self._save(searches, kept)

    def run(self, names: list[str] | None = None) -> list[Alert]:
        """Run saved searches over the answers indexed since each one's last run, then record the run.

        Returns only the searches that found something new. A saved search that cannot be run is
        skipped (see ``problems``) and keeps its watermark; the others run. The searches run without
        the lock; only recording the run takes it, so a search saved meanwhile is kept.
        """
        names = [n.strip() for n in names] if names else None
        searches = self._load()[0]
        unknown = [n for n in names or [] if n not in searches]
        if unknown:
            raise SvarError(_("no saved search named {name}: see `svar watch list`").format(name=repr(unknown[0])))
        newest = self._index.newest_indexed_at()
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        alerts, ran = [], set()
        for saved in searches.values():
            if names and saved.name not in names:
                continue
            if newest > saved.seen_until:
                filters = dataclasses.replace(saved.filters, indexed_after=saved.seen_until)
                try:
                    result = self._index.search(saved.query, filters=filters, limit=ALERT_LIMIT)
                except SvarError as exc:
                    self.problems.append(_("{path}: saved search {name} skipped: {reason}").format(
                        path=self.path, name=repr(saved.name), reason=exc))
                    continue
                if result.total:
                    alerts.append(Alert(saved, result))
            ran.add(saved.name)
        problems = self.problems
        with self._locked():
            current, kept = self._load()
            for name in ran & current.keys():
                current[name].seen_until = max(current[name].seen_until, newest)
                current[name].last_run = now
            self._save(current, kept)
        self.problems = problems
        return alerts

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Held while the file is read, changed and written back."""
        lock = FileLock(str(self.path.with_name(LOCK_FILE)))
        deadline = time.monotonic() + self.lock_timeout
        try:
            while not lock.acquire(blocking=False):
                if time.monotonic() >= deadline:
                    raise SvarError(_("{path}: another svar process is changing the saved searches; waited "
                                      "{seconds} s. Try again").format(path=self.path,
                                                                       seconds=f"{self.lock_timeout:g}"))
                time.sleep(0.02)
        except OSError as exc:
            raise SvarError(_("cannot write the saved searches at {path}: {reason}").format(
                path=self.path, reason=exc.strerror or exc)) from None
        try:
            yield
        finally:
            lock.release()

    def _load(self) -> tuple[dict[str, SavedSearch], list]:
        """The usable saved searches by name, and every entry of the file as it was read (in order,
        for writing back; a skipped entry is kept as it is)."""
        self.problems = []
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}, []
        except json.JSONDecodeError as exc:
            self._unreadable(_("not JSON: {problem} at line {line} column {column}").format(
                problem=exc.msg, line=exc.lineno, column=exc.colno))
        except (OSError, ValueError) as exc:
            self._unreadable(getattr(exc, "strerror", None) or str(exc))
        if not isinstance(raw, dict) or not isinstance(raw.get("searches", []), list):
            self._unreadable(_('not an object with a "searches" list'))
        items = raw.get("searches", [])
        searches: dict[str, SavedSearch] = {}
        for number, item in enumerate(items, 1):
            try:
                saved = _saved_search(item)
            except _BadEntry as exc:
                name = item.get("name") if isinstance(item, dict) else None
                which = repr(name) if isinstance(name, str) and name.strip() else number
                self.problems.append(_("{path}: saved search {name} skipped: {reason}").format(
                    path=self.path, name=which, reason=exc))
                continue
            if saved.name in searches:
                self.problems.append(_("{path}: saved search {name} skipped: a second one of that name").format(
                    path=self.path, name=repr(saved.name)))
                continue
            searches[saved.name] = saved
        return searches, items

    def _unreadable(self, reason: str):
        raise SvarError(_("{path}: saved searches cannot be read ({reason}); fix or delete the file").format(
            path=self.path, reason=reason))

    def _save(self, searches: dict[str, SavedSearch], kept: list | None = None) -> None:
        """Write the searches, in the file's order then new ones by name; the file's entries that
        could not be used are written back unchanged, where they were."""
        entries, written = [], set()
        for item in kept or []:
            if not _usable(item):
                entries.append(item)
                continue
            name = item["name"].strip()
            if name in written:  # a second search of that name, skipped: kept for the user to sort out
                entries.append(item)
            elif name in searches:
                entries.append(_entry(searches[name]))
                written.add(name)
            # else: removed
        entries += [_entry(s) for s in sorted(searches.values(), key=lambda s: s.name) if s.name not in written]
        data = {"searches": entries}
        # Written beside and renamed over, so a crash never leaves half a file.
        descriptor, temporary = tempfile.mkstemp(prefix=f".{SAVED_FILE}.", dir=self.path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class _BadEntry(Exception):
    """A saved search in a shape svar cannot use; the message says what is wrong."""


def _usable(item) -> bool:
    try:
        _saved_search(item)
    except _BadEntry:
        return False
    return True


def _saved_search(item) -> SavedSearch:
    """One entry of the file as a SavedSearch; _BadEntry if it cannot be one."""
    if not isinstance(item, dict):
        raise _BadEntry(_("not an object"))
    name, query = item.get("name"), item.get("query")
    if not isinstance(name, str) or not name.strip():
        raise _BadEntry(_("no name"))
    if not isinstance(query, str):
        raise _BadEntry(_("no query"))
    seen_until = item.get("seen_until", 0)
    if isinstance(seen_until, bool) or not isinstance(seen_until, int):
        raise _BadEntry(_("seen_until {value} is not a number").format(value=repr(seen_until)))
    given = item.get("filters") or {}
    if not isinstance(given, dict):
        raise _BadEntry(_("filters is not an object"))
    values: dict[str, Any] = {}  # filter → its value, of the type just checked
    for key, value in given.items():
        if key not in USER_FILTERS or value is None:
            continue
        wanted = int if key == "year" else str
        if isinstance(value, bool) or not isinstance(value, wanted):
            wrong = _("{key} {value} is not a year") if wanted is int else _("{key} {value} is not text")
            raise _BadEntry(wrong.format(key=key, value=repr(value)))
        values[key] = value
    filters = Filters(**values)
    try:
        filters.check()
    except SvarError as exc:
        raise _BadEntry(str(exc)) from None
    created, last_run = item.get("created", ""), item.get("last_run")
    return SavedSearch(name.strip(), query, filters, created if isinstance(created, str) else "", seen_until,
                       last_run if isinstance(last_run, str) else None)


def _entry(s: SavedSearch) -> dict:
    return {"name": s.name, "query": s.query, "created": s.created, "seen_until": s.seen_until,
            "last_run": s.last_run, "filters": s.filters.given()}
