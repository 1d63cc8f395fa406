"""Search filters (party, people, year, dates, dnr) as a Whoosh filter query."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields

from whoosh import query

from svar.index.records import PASSAGE_KINDS
from svar.index.errors import FilterError
from svar.index.schema import dnr_key, name_key, party_key


@dataclass(frozen=True)
class Filters:
    """Restrictions on which passages a search may return; empty fields restrict nothing."""

    party: str | None = None  # the interpellant's or the respondent's party
    interpellant: str | None = None
    respondent: str | None = None
    year: int | None = None
    since: str | dt.date | None = None  # inclusive, YYYY[-MM[-DD]]
    until: str | dt.date | None = None  # inclusive, YYYY[-MM[-DD]]
    dnr: str | None = None
    kind: str | None = None  # "preamble", "answer" or "closing"
    indexed_after: int | None = None  # only passages indexed later than this (ms since the epoch)

    def to_query(self) -> query.Query | None:
        """The Whoosh filter for these restrictions, or None when there are none."""
        parts: list[query.Query] = []
        if self.party and self.party.strip():
            parts.append(query.Term("party", party_key(self.party)))
        for fieldname, name in (("interpellant_key", self.interpellant), ("respondent_key", self.respondent)):
            if name and name.strip():
                words = name_key(name).split()
                parts.append(query.And([query.Term(fieldname, w) for w in words]) if words else query.NullQuery)
        if self.year is not None:
            if not 1000 <= int(self.year) <= 9999:
                raise FilterError(f"--year {self.year}: give a four-digit year")
            parts.append(query.NumericRange("year", int(self.year), int(self.year)))
        if self.since or self.until:
            start = parse_day(self.since, "--since", first=True) if self.since else None
            end = parse_day(self.until, "--until", first=False) if self.until else None
            if start and end and start > end:
                raise FilterError(f"--since {start} is after --until {end}: nothing can match")
            parts.append(query.DateRange(
                "date",
                dt.datetime.combine(start, dt.time.min) if start else None,
                dt.datetime.combine(end, dt.time.max) if end else None,
            ))
        if self.dnr and self.dnr.strip():
            parts.append(query.Term("dnr", dnr_key(self.dnr)))
        if self.kind and self.kind.strip():
            if self.kind.strip() not in KINDS:
                raise FilterError(f"--kind {self.kind!r}: use one of {', '.join(KINDS)}")
            parts.append(query.Term("kind", self.kind.strip()))
        if self.indexed_after is not None:
            parts.append(query.NumericRange("indexed_at", int(self.indexed_after), None, startexcl=True))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.And(parts)

    def given(self) -> dict[str, object]:
        """The filters a user set, by name (for saving and showing a search)."""
        return {name: getattr(self, name) for name in USER_FILTERS if getattr(self, name) is not None}

    def check(self) -> None:
        """Raise FilterError now for a value that cannot be used."""
        self.to_query()


# The filters a user can set; indexed_after is svar's own (alerts use it).
USER_FILTERS = tuple(f.name for f in fields(Filters) if f.name != "indexed_after")
KINDS = PASSAGE_KINDS
_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_day(value: str | dt.date, option: str, *, first: bool) -> dt.date:
    """A date from YYYY, YYYY-MM or YYYY-MM-DD; a year or month means its first (or last) day."""
    if isinstance(value, dt.date):
        return value
    match = _DAY.match(str(value).strip())
    if not match:
        raise FilterError(f"{option} {value!r}: not a date; use YYYY-MM-DD (or YYYY-MM, YYYY)")
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if month is None:
            return dt.date(year, 1, 1) if first else dt.date(year, 12, 31)
        if day is None:
            start = dt.date(year, int(month), 1)
            if first:
                return start
            following = dt.date(year + (start.month == 12), start.month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(year, int(month), int(day))
    except ValueError:
        raise FilterError(f"{option} {value!r}: no such date; use YYYY-MM-DD") from None
