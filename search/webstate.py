"""The web page's search state: read from a URL's GET parameters and written back into links.

The whole state of a search lives in the URL, so that any page can be bookmarked or shared. This module
knows nothing of Flask: it turns a mapping of parameters into a ``SearchState`` and back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from svar.index.errors import FilterError
from svar.index.i18n import N_, _

from .filters import FILTER_FIELDS, Filters

PAGE_SIZE = 10
SORT_LABELS = {"relevance": N_("best match"), "newest": N_("newest first"), "oldest": N_("oldest first")}
# URL parameter order, so that the same search always gets the same URL: the words, each filter of
# ``Filters`` under its own name in the order of the form, then the order and the switches.
PARAMETERS = ("q", *FILTER_FIELDS, "sort", "strict", "group", "page")
_TRUE = {"1", "on", "true", "yes"}


@dataclass(frozen=True)
class SearchState:
    """Everything that decides what the results page shows; empty strings mean "not set".

    ``filter_text`` holds each filter that is set, as typed (spaces tidied), by its ``Filters`` name;
    the library reads and checks it, so the page accepts exactly what the command line does.
    """

    q: str = ""
    filter_text: tuple[tuple[str, str], ...] = ()  # (name, text), in the order of FILTER_FIELDS
    sort: str = "relevance"
    strict: bool = False
    group: bool = False  # one hit per answer
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str], *, lenient: bool = False) -> "SearchState":
        """The state in a URL's parameters; FilterError for a value no search can use.

        ``lenient``: never fail, for an error page's form, which shows the values as they were typed
        (a bad page number or order falls back to the default) so that the reader can correct them.
        """
        def tidy(name: str) -> str:
            return " ".join(str(args.get(name, "")).split())

        state = cls(q=tidy("q"), filter_text=_filter_text({name: tidy(name) for name in FILTER_FIELDS}),
                    strict=_flag(args.get("strict")), group=_flag(args.get("group")))
        sort = tidy("sort") or "relevance"
        page_text = str(args.get("page", "") or "1").strip()
        problems: list[FilterError] = []
        if not page_text.isdigit() or int(page_text) < 1:
            problems.append(FilterError("page", page_text, _("give a page number (1, 2, …)")))
            page_text = "1"
        if sort not in SORT_LABELS:
            problems.append(FilterError("sort", sort, _("use one of {orders}").format(orders=", ".join(SORT_LABELS))))
            sort = "relevance"
        state = dataclasses.replace(state, sort=sort, page=int(page_text))
        if not lenient:
            state.filters()  # the filters' own error first: they are what the reader typed last
            if problems:
                raise problems[0]
        return state

    # -- reading the state -------------------------------------------------------------------------

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def value(self, name: str) -> str:
        """The text of the filter ``name`` ("" when it is not set)."""
        return dict(self.filter_text).get(name, "")

    def filters(self) -> Filters:
        """The search's filters, read and checked by the library (FilterError names the field)."""
        return Filters.from_values(dict(self.filter_text))

    def search_arguments(self) -> dict:
        """Keyword arguments for ``AnswerIndex.search`` (the text, filters, page, order, grouping)."""
        return {"text": self.q, "filters": self.filters(), "limit": PAGE_SIZE, "offset": self.offset,
                "sort": self.sort, "strict": self.strict, "by_document": self.group, "facets": True}

    def active_filters(self) -> list[tuple[str, str]]:
        """(name, value) of each filter that is set, in form order."""
        return list(self.filter_text)

    def selects(self, name: str, value: str) -> bool:
        """Whether the filter ``name`` is set to ``value`` (as a facet would set it)."""
        return self.value(name).casefold() == str(value).casefold()

    # -- writing it back ---------------------------------------------------------------------------

    def params(self) -> dict[str, str]:
        """The GET parameters for this state, without those at their default, in a fixed order."""
        defaults = SearchState()
        out: dict[str, str] = {}
        filters = dict(self.filter_text)
        for name in PARAMETERS:
            if name in FILTER_FIELDS:
                if filters.get(name):
                    out[name] = filters[name]
                continue
            value = getattr(self, name)
            if value == getattr(defaults, name):
                continue
            out[name] = "1" if value is True else str(value)
        return out

    def changed(self, **changes) -> "SearchState":
        """This state with some values replaced (a filter by its name); any change but the page goes
        back to page 1, because the old page number means nothing for a different result set."""
        if "page" not in changes:
            changes["page"] = 1
        filters = dict(self.filter_text)
        for name in [name for name in changes if name in FILTER_FIELDS]:
            filters[name] = " ".join(str(changes.pop(name)).split())
        return dataclasses.replace(self, filter_text=_filter_text(filters), **changes)

    def with_filter(self, name: str, value: str) -> "SearchState":
        """This search with one filter set (or, with "", removed): what a facet link leads to."""
        if name not in FILTER_FIELDS:
            raise ValueError(f"not a filter: {name}")
        return self.changed(**{name: str(value)})

    def without_filters(self) -> "SearchState":
        return self.changed(**{name: "" for name in FILTER_FIELDS})

    def bare(self) -> "SearchState":
        """Only the words: the way out of a search whose filters cannot be used."""
        return SearchState(q=self.q)


def _filter_text(values: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The filters that are set, in form order."""
    return tuple((name, values[name]) for name in FILTER_FIELDS if values.get(name))


def _flag(value: object) -> bool:
    return str(value or "").strip().lower() in _TRUE


def question_and_snippet(question: str, snippet: str, highlights: list[tuple[int, int]]
                         ) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """The question and the snippet as marked pieces, without saying the question twice.

    A snippet often is the question itself ("1. På vilket sätt …?"), chosen because the words matched
    there: then the question gets those marks and the snippet keeps only what follows it.
    """
    at = snippet.find(question) if question else -1
    if at < 0 or snippet[:at].strip(" .0123456789"):
        return [(question, False)] if question else [], marked_segments(snippet, highlights)
    end = at + len(question)
    rest = len(snippet[end:]) - len(snippet[end:].lstrip())  # the space between question and answer
    inside = [(s - at, e - at) for s, e in highlights if s >= at and e <= end]
    after = [(s - end - rest, e - end - rest) for s, e in highlights if s >= end + rest]
    return marked_segments(question, inside), marked_segments(snippet[end + rest:], after)


def marked_segments(text: str, highlights: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The text cut into (piece, is_match) pieces at the highlight offsets.

    The template escapes every piece and wraps the matches in <mark>; building HTML here would mean
    trusting the text, which comes from the documents.
    """
    pieces: list[tuple[str, bool]] = []
    last = 0
    for start, end in sorted(highlights):
        start, end = max(start, last), min(end, len(text))
        if start >= end:
            continue  # overlapping or out-of-range spans: the text is already covered
        if start > last:
            pieces.append((text[last:start], False))
        pieces.append((text[start:end], True))
        last = end
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces
