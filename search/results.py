"""The records a search returns: hits, documents, statistics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from svar.index.records import Person

from .attribution import Speaker, SpokenPart


# The orders a search can give its passages in.
SORTS = ("relevance", "newest", "oldest")

@dataclass(frozen=True)
class PassageView:
    """A passage as stored in the index."""

    dnr: str
    passage: int
    kind: str
    question_number: int | None
    question: str
    text: str
    start: int
    end: int
    # Who said what: the text in order, each part the interpellant's (a question repeated in the answer)
    # or the respondent's (search/attribution.py); offsets into ``text``.
    parts: tuple[SpokenPart, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One ranked passage with its answer's metadata and a highlighted snippet.

    ``highlights`` are (start, end) character offsets into ``snippet``; rendering them is the caller's.
    ``speaker`` is whose words the snippet is (it never holds both sides' words; None without a
    snippet); ``parts`` are the passage's text by speaker, as in PassageView.
    """

    rank: int
    score: float
    dnr: str
    passage: int
    kind: str
    title: str
    topic: str
    date: dt.date | None
    interpellant: Person
    respondent: Person
    question_number: int | None
    question: str
    text: str
    snippet: str
    highlights: list[tuple[int, int]]
    source: str
    matching_passages: int | None = None  # in a by-document search: the answer's passages that matched
    speaker: Speaker | None = None
    parts: tuple[SpokenPart, ...] = ()


@dataclass
class SearchResult:
    """The answer to a search: how many passages matched in all, the requested page, a suggestion.

    ``fuzzy`` is set when words the index does not hold were searched as similar words instead (and
    something matched): each such word with the indexed words searched in its place.
    """

    query: str
    total: int
    hits: list[Hit]
    suggestion: str | None = None
    fuzzy: dict[str, list[str]] | None = None
    # When asked for: facet name ("party", "respondent", "year", "kind") → value → matching passages.
    facets: dict[str, dict[str, int]] | None = None
    # Compounds the index does not hold, searched as their parts: word → parts (None: none).
    compounds: dict[str, list[str]] | None = None
    # Compounds few passages hold, searched as themselves and also as their parts: word → parts.
    parts_too: dict[str, list[str]] | None = None
    # Words the index does not hold, searched as their related words (search/related.py): word → them.
    related: dict[str, list[str]] | None = None
    # Every match is counted: kept for programs written when a search could stop counting.
    total_exact: bool = True
    # The plan that ran (search/plan.py's describe): for debugging and tests, not for display.
    plan: str = ""
    # When nothing matched for a reason other than the words (a filter value no answer has, a query
    # of stop words only): that reason, in one sentence.
    reason: str | None = None


@dataclass(frozen=True)
class DocumentSummary:
    """One indexed answer, without its passages."""

    dnr: str
    title: str
    topic: str
    date: dt.date | None
    interpellant: Person
    respondent: Person
    signature: str
    source: str
    passages: int


@dataclass(frozen=True)
class Document:
    """One indexed answer with all its passages in order."""

    summary: DocumentSummary
    passages: list[PassageView] = field(default_factory=list)


@dataclass(frozen=True)
class IndexStats:
    """Counts and size of an index."""

    path: str
    documents: int
    passages: int
    size_bytes: int
    last_update: dt.datetime | None
    schema_version: int
