"""A search from plan to page: score every match (search/scorer.py) among the passages the filters
let through (search/selection.py), then collect the page, one hit per answer, or facet counts
(search/collectors.py). One path for every kind of search: the options change what is collected,
never what matches or how it scores.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, NamedTuple

from whoosh import query as wq
from whoosh.searching import Searcher

from .collectors import Columns, Matches, best_per_answer, count_within, ordered
from .filters import Filters
from .plan import NOTHING, Node
from .results import SORTS
from .sources import SegmentSource, segment_sources
from .weights import Weight

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FACET_FIELDS", "SORTS", "Ranked", "Ranking", "indexed_values", "rank"]

# Facet name → the indexed field whose terms are its values. Each name is also the filter of the
# same name, and a value's count is the number of matches that filter lets through ("party": the
# interpellant's or the respondent's, so a passage counts under both).
FACET_FIELDS = {"party": "party", "respondent": "respondent", "year": "year", "kind": "kind"}

# Named tuples, not dataclasses, for the reason search/plan.py gives.
class Ranked(NamedTuple):
    docnum: int
    score: float
    fields: dict
    matching_passages: int | None = None  # with by_document: how many of the answer's passages matched


class Ranking(NamedTuple):
    total: int
    page: list[Ranked]
    facets: dict[str, dict[str, int]]  # empty unless asked for


def rank(searcher: Searcher, plan: Node, filters: Filters, *, limit: int, offset: int = 0,
         sort: str = "relevance", by_document: bool = False, facets: bool = False) -> Ranking:
    """The passages (or answers) ``plan`` matches among those ``filters`` let through, in ``sort``
    order, the page [offset, offset + limit), and with ``facets`` the counts per facet value over
    every match."""
    sources = segment_sources(searcher)
    matches = _matches(searcher, plan, filters.to_query(), sources)
    columns = Columns(searcher, sources)
    # One hit per answer counts answers, and so do its facets: a value's count is then how many
    # answers its filter returns, not how many of their passages matched.
    dnrs = columns.dnrs(matches.docs) if by_document else None
    counts = facet_counts(searcher, sources, matches, dnrs) if facets else {}
    matching: list[int] | None = None
    if by_document:
        matches, matching = best_per_answer(matches, columns, sort, dnrs)
    page = []
    for i in ordered(matches, columns, sort, offset, offset + limit):
        docnum = int(matches.docs[i])
        # whoosh3's Searcher copies stored_fields from its reader at runtime; its class does not declare it.
        page.append(Ranked(docnum, float(matches.scores[i]), searcher.stored_fields(docnum),  # type: ignore[attr-defined]
                           matching[i] if matching is not None else None))
    return Ranking(len(matches), page, counts)


def _matches(searcher: Searcher, plan: Node, filter_query: wq.Query | None,
             sources: list[SegmentSource]) -> Matches:
    import numpy as np

    from .scorer import evaluate
    from .selection import allowed

    if plan is NOTHING or not searcher.doc_count_all():  # an empty index has no statistics either
        return Matches(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    weight = Weight(searcher)
    docs: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    for source in sources:
        scored = evaluate(plan, weight, source)
        if not len(scored):
            continue
        here, values = scored.docs, scored.scores
        if filter_query is not None:
            keep = allowed(filter_query, source)[here]
            here, values = here[keep], values[keep]
        docs.append(here + source.offset)
        scores.append(values)
    if not docs:
        return Matches(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    return Matches(np.concatenate(docs), np.concatenate(scores))


def selected(sources: list[SegmentSource], filter_query: wq.Query) -> np.ndarray:
    """Every live passage ``filter_query`` lets through, as global passage numbers (ascending)."""
    import numpy as np

    from .selection import allowed

    parts = [np.flatnonzero(allowed(filter_query, source)) + source.offset for source in sources]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def indexed_values(searcher: Searcher, fieldname: str) -> list[str]:
    """The values a keyword, name or number field holds in this index (its terms, decoded), blank ones left out."""
    fieldobj = searcher.schema[fieldname]
    values = (str(fieldobj.from_bytes(b)) for b in searcher.reader().lexicon(fieldname))
    return [v for v in values if v.strip()]


def facet_values(searcher: Searcher, name: str) -> list[str]:
    """The values a facet can take in this index: its field's indexed terms, as a user writes them."""
    return indexed_values(searcher, FACET_FIELDS[name])


# Per reader: (facet, value) → the passages that value's filter lets through.
_FACET_PASSAGES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def facet_counts(searcher: Searcher, sources: list[SegmentSource], matches: Matches,
                 dnrs: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Facet name → value → how many matches the filter ``name=value`` lets through (most first);
    with ``dnrs`` (each match's answer), how many answers have a match it lets through."""
    import numpy as np

    cached = _FACET_PASSAGES.setdefault(searcher.reader(), {})
    answers = np.unique(np.array(dnrs, dtype=object), return_inverse=True)[1] if dnrs else None
    counts: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        found = {}
        for value in facet_values(searcher, name):
            passages = cached.get((name, value))
            if passages is None:
                given: dict[str, Any] = {name: int(value) if name == "year" else value}  # year's filter is a number
                query = Filters(**given).to_query()
                passages = cached[(name, value)] = (selected(sources, query) if query is not None
                                                    else np.zeros(0, dtype=np.int64))
            count = count_within(matches, passages, answers)
            if count:
                found[value] = count
        counts[name] = dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))
    return counts
