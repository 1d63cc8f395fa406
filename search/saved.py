"""Saved searches and alerts: a search kept under a name, re-run to show only what was indexed since.

They live in a file beside the index (not inside a generation), so they survive `svar index --rebuild`.
What "since" means is a watermark: the newest indexing time the search had seen at its last run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from svar.index.errors import SvarError

from .filters import USER_FILTERS, Filters
from .library import AnswerIndex
from .results import SearchResult

SAVED_FILE = "saved-searches.json"
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
    """The saved searches of one index folder."""

    def __init__(self, index: AnswerIndex) -> None:
        self._index = index
        self.path = Path(index.path) / SAVED_FILE

    def all(self) -> list[SavedSearch]:
        return sorted(self._load().values(), key=lambda s: s.name)

    def add(self, name: str, query: str, filters: Filters | None = None) -> SavedSearch:
        """Save a search; it will alert on answers indexed from now on."""
        name = name.strip()
        if not name:
            raise SvarError("a saved search needs a name")
        searches = self._load()
        if name in searches:
            raise SvarError(f"a saved search named {name!r} exists already: `svar watch remove {name}` first")
        filters = filters or Filters()
        filters.check()
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        saved = SavedSearch(name, query, filters, created=now, seen_until=self._index.newest_indexed_at())
        searches[name] = saved
        self._save(searches)
        return saved

    def remove(self, name: str) -> None:
        searches = self._load()
        if name not in searches:
            raise SvarError(f"no saved search named {name!r}: see `svar watch list`")
        del searches[name]
        self._save(searches)

    def run(self, names: list[str] | None = None) -> list[Alert]:
        """Run saved searches over the answers indexed since each one's last run, then record the run.

        Returns only the searches that found something new.
        """
        searches = self._load()
        unknown = [n for n in names or [] if n not in searches]
        if unknown:
            raise SvarError(f"no saved search named {unknown[0]!r}: see `svar watch list`")
        newest = self._index.newest_indexed_at()
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        alerts = []
        for saved in searches.values():
            if names and saved.name not in names:
                continue
            if newest > saved.seen_until:
                filters = dataclasses.replace(saved.filters, indexed_after=saved.seen_until)
                result = self._index.search(saved.query, filters=filters, limit=ALERT_LIMIT)
                if result.total:
                    alerts.append(Alert(saved, result))
            saved.seen_until = max(saved.seen_until, newest)
            saved.last_run = now
        self._save(searches)
        return alerts

    def _load(self) -> dict[str, SavedSearch]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise SvarError(f"{self.path}: saved searches cannot be read ({exc}); fix or delete the file") from None
        searches = {}
        for item in raw.get("searches", []):
            filters = Filters(**{k: v for k, v in item.get("filters", {}).items() if k in USER_FILTERS})
            searches[item["name"]] = SavedSearch(item["name"], item["query"], filters, item.get("created", ""),
                                                 int(item.get("seen_until", 0)), item.get("last_run"))
        return searches

    def _save(self, searches: dict[str, SavedSearch]) -> None:
        data = {"searches": [
            {"name": s.name, "query": s.query, "created": s.created, "seen_until": s.seen_until,
             "last_run": s.last_run,
             "filters": s.filters.given()}
            for s in sorted(searches.values(), key=lambda s: s.name)
        ]}
        # Written beside and renamed over, so a crash never leaves half a file.
        temporary = self.path.with_name(f".{SAVED_FILE}.{os.getpid()}")
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)

