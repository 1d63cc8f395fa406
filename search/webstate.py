"""The web page's search state: read from a URL's GET parameters and written back into links.

The whole state of a search lives in the URL, so that any page can be bookmarked or shared. This module
knows nothing of Flask: it turns a mapping of parameters into a ``SearchState`` and back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from svar.index.errors import FilterError

from .filters import Filters

PAGE_SIZE = 10
SORT_LABELS = {"relevance": "best match", "newest": "newest first", "oldest": "oldest first"}
# The filters a facet value can set, in the order of the form; each is a GET parameter of the same name.
FILTER_FIELDS = ("party", "interpellant", "respondent", "year", "since", "until", "kind")
# URL parameter order, so that the same search always gets the same URL.
PARAMETERS = ("q", *FILTER_FIELDS, "sort", "strict", "group", "page")
_TRUE = {"1", "on", "true", "yes"}


@dataclass(frozen=True)
class SearchState:
    """Everything that decides what the results page shows; empty strings mean "not set"."""

    q: str = ""
    party: str = ""
    interpellant: str = ""
    respondent: str = ""
    year: str = ""
    since: str = ""
    until: str = ""
    kind: str = ""
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
        text = {name: " ".join(str(args.get(name, "")).split()) for name in ("q", *FILTER_FIELDS, "sort")}
        sort = text.pop("sort") or "relevance"
        page_text = str(args.get("page", "") or "1").strip()
        problem = None
        if not page_text.isdigit() or int(page_text) < 1:
            problem, page_text = f"page {page_text!r}: give a page number (1, 2, …)", "1"
        if text["year"] and not (text["year"].isdigit() and len(text["year"]) == 4):
            problem = f"year {text['year']!r}: give a four-digit year"
        if sort not in SORT_LABELS:
            problem, sort = f"sort {sort!r}: use one of {', '.join(SORT_LABELS)}", "relevance"
        if problem and not lenient:
            raise FilterError(problem)
        return cls(**text, sort=sort, strict=_flag(args.get("strict")), group=_flag(args.get("group")),
                   page=int(page_text))

    # -- reading the state -------------------------------------------------------------------------

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def filters(self) -> Filters:
        return Filters(party=self.party or None, interpellant=self.interpellant or None,
                       respondent=self.respondent or None, year=int(self.year) if self.year else None,
                       since=self.since or None, until=self.until or None, kind=self.kind or None)

    def search_arguments(self) -> dict:
        """Keyword arguments for ``AnswerIndex.search`` (the text, filters, page, order, grouping)."""
        return {"text": self.q, "filters": self.filters(), "limit": PAGE_SIZE, "offset": self.offset,
                "sort": self.sort, "strict": self.strict, "by_document": self.group, "facets": True}

    def active_filters(self) -> list[tuple[str, str]]:
        """(name, value) of each filter that is set, in form order."""
        return [(name, getattr(self, name)) for name in FILTER_FIELDS if getattr(self, name)]

    def selects(self, name: str, value: str) -> bool:
        """Whether the filter ``name`` is set to ``value`` (as a facet would set it)."""
        return getattr(self, name).casefold() == str(value).casefold()

    # -- writing it back ---------------------------------------------------------------------------

    def params(self) -> dict[str, str]:
        """The GET parameters for this state, without those at their default, in a fixed order."""
        defaults = SearchState()
        out: dict[str, str] = {}
        for name in PARAMETERS:
            value = getattr(self, name)
            if value == getattr(defaults, name):
                continue
            out[name] = "1" if value is True else str(value)
        return out

    def changed(self, **changes) -> "SearchState":
        """This state with some values replaced; any change but the page goes back to page 1,
        because the old page number means nothing for a different result set."""
        if "page" not in changes:
            changes["page"] = 1
        return dataclasses.replace(self, **changes)

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
