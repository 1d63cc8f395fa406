"""The search filters, defined once: each field's type, how its text is read, its label and its help.

``Filters`` is the one definition. The command line's options (``svar search --party …``), the web
form's fields and URL parameters, the library's keyword arguments (``search(text, party=…)``) and saved
searches are all made from its fields' ``FilterField`` descriptions, so that a filter added here is
a filter everywhere, read and checked the same way. A value that cannot be used raises ``FilterError``
with the field's name, the value and the reason; each front end names the field in its own words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from svar.index.errors import FilterError
from svar.index.i18n import N_, _
from svar.index.records import PASSAGE_KINDS
from svar.index.schema import dnr_key, name_key, party_key

if TYPE_CHECKING:
    from whoosh import query

KINDS = PASSAGE_KINDS


@dataclass(frozen=True)
class FilterField:
    """What a front end needs to know of one filter. ``label`` and ``help`` are English, marked for
    the catalog: translate them where they are shown (``_(f.label)``)."""

    name: str
    label: str  # the web form's label, and what a chip showing the filter says
    help: str  # the command line's help, the web field's title
    placeholder: str  # an example of a value
    choices: tuple[str, ...] = ()  # the only values allowed, if any
    numeric: bool = False  # typed as digits (a year)


def _filter(label: str, help: str, placeholder: str, *, choices: tuple[str, ...] = (),
            numeric: bool = False) -> Any:
    """A ``Filters`` field, unset by default, that users can set: its description rides in the metadata."""
    return field(default=None, metadata={"filter": (label, help, placeholder, choices, numeric)})


@dataclass(frozen=True)
class Filters:
    """Restrictions on which passages a search may return; unset fields restrict nothing."""

    party: str | None = _filter(N_("Party"), N_("The interpellant's or the respondent's party (e.g. V, M, S)."),
                                "V, M, S…")
    interpellant: str | None = _filter(N_("Asked by"), N_("The interpellant: who asked (a surname is enough)."),
                                       N_("name"))
    respondent: str | None = _filter(N_("Answered by"), N_("The respondent: who answered (a surname is enough)."),
                                     N_("name"))
    year: int | None = _filter(N_("Year"), N_("The year of the answer."), "YYYY", numeric=True)
    since: str | dt.date | None = _filter(N_("Since"), N_("Answers from this day on (inclusive)."), "YYYY-MM-DD")
    until: str | dt.date | None = _filter(N_("Until"), N_("Answers up to this day (inclusive)."), "YYYY-MM-DD")
    dnr: str | None = _filter(N_("Diary number"), N_("Only this answer (e.g. KS 2022/65)."), "KS 2022/65")
    kind: str | None = _filter(N_("Part"), N_("Only this part of the answers."), "", choices=KINDS)
    # svar's own, not a user's: only passages indexed later than this (ms since the epoch), for alerts.
    indexed_after: int | None = None

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> "Filters":
        """Filters from a front end's values by field name: text as typed (blank or None: unset) or the
        field's own type (a year as a number, a date). Raises FilterError for an unknown field or a
        value that cannot be used."""
        given: dict[str, Any] = {}
        for name, value in values.items():
            spec = FILTER_FIELDS.get(name)
            if spec is None:
                raise FilterError(name, value, _("not a filter; use one of {names}").format(
                    names=", ".join(FILTER_FIELDS)))
            if isinstance(value, str):
                value = " ".join(value.split())
            if value is None or value == "":
                continue
            if spec.numeric and not isinstance(value, int):
                if not (isinstance(value, str) and value.isdigit() and len(value) == 4):
                    raise FilterError(name, value, _("give a four-digit year"))
                value = int(value)
            given[name] = value
        filters = cls(**given)
        filters.check()
        return filters

    def to_query(self) -> query.Query | None:
        """The Whoosh filter for these restrictions, or None when there are none."""
        # Here, not at the top: the command line reads this module's fields for its options, and
        # `svar --help` should not wait for Whoosh's query classes to load.
        from whoosh import query

        parts: list[query.Query] = []
        if self.party and self.party.strip():
            parts.append(query.Term("party", party_key(self.party)))
        for fieldname, name in (("interpellant_key", self.interpellant), ("respondent_key", self.respondent)):
            if name and name.strip():
                words = name_key(name).split()
                parts.append(query.And([query.Term(fieldname, w) for w in words]) if words else query.NullQuery)
        if self.year is not None:
            if isinstance(self.year, bool) or not 1000 <= int(self.year) <= 9999:
                raise FilterError("year", self.year, _("give a four-digit year"))
            parts.append(query.NumericRange("year", int(self.year), int(self.year)))
        if self.since or self.until:
            start = parse_day(self.since, "since", first=True) if self.since else None
            end = parse_day(self.until, "until", first=False) if self.until else None
            if start and end and start > end:
                raise FilterError("since", _as_given(self.since), _("later than {other}: nothing can match"),
                                  other=("until", _as_given(self.until)))
            parts.append(query.DateRange(
                "date",
                dt.datetime.combine(start, dt.time.min) if start else None,
                dt.datetime.combine(end, dt.time.max) if end else None,
            ))
        if self.dnr and self.dnr.strip():
            parts.append(query.Term("dnr", dnr_key(self.dnr)))
        if self.kind and self.kind.strip():
            if self.kind.strip() not in KINDS:
                raise FilterError("kind", self.kind, _("use one of {kinds}").format(kinds=", ".join(KINDS)))
            parts.append(query.Term("kind", self.kind.strip()))
        if self.indexed_after is not None:
            parts.append(query.NumericRange("indexed_at", int(self.indexed_after), None, startexcl=True))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.And(parts)

    def given(self) -> dict[str, object]:
        """The filters a user set, by name (for saving and showing a search)."""
        return {name: getattr(self, name) for name in FILTER_FIELDS if getattr(self, name) is not None}

    def check(self) -> None:
        """Raise FilterError now for a value that cannot be used."""
        self.to_query()


# The filters a user can set, in the order front ends show them, by name.
FILTER_FIELDS: dict[str, FilterField] = {
    f.name: FilterField(f.name, *f.metadata["filter"]) for f in fields(Filters) if "filter" in f.metadata
}
USER_FILTERS = tuple(FILTER_FIELDS)
_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _as_given(value: str | dt.date | None) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def parse_day(value: str | dt.date, field_name: str, *, first: bool) -> dt.date:
    """A date from YYYY, YYYY-MM or YYYY-MM-DD; a year or month means its first (or last) day.
    ``field_name`` names the filter in the FilterError raised for a value that is no date."""
    if isinstance(value, dt.date):
        return value
    match = _DAY.match(str(value).strip())
    if not match:
        raise FilterError(field_name, value, _("not a date; use YYYY-MM-DD (or YYYY-MM, YYYY)"))
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
        raise FilterError(field_name, value, _("no such date; use YYYY-MM-DD")) from None
