"""Ranking: BM25F over the text fields, then the order, grouping and facet counts a search asks for."""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass, field

from whoosh import query, scoring, sorting
from whoosh.searching import Searcher

from .columnar import allowed_passages, columnar_top
from .lengths import length_lookup
from .topk import top_passages


class _BM25F(scoring.BM25F):
    """Whoosh's BM25F, reading a passage's field length through search/lengths.py (same length, faster)."""

    def scorer(self, searcher: Searcher, fieldname: str, text: str, qf: float = 1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer):
            lengths = length_lookup(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths
        return scorer


# Passages are short and similar in length; a milder length normalisation than the usual 0.75 keeps
# long question-and-answer passages from being buried under short preamble ones.
WEIGHTING = _BM25F(B=0.6, K1=1.2)

SORTS = ("relevance", "newest", "oldest")
# Facet name → the field it counts. Each name is also a filter with the same meaning, so filtering
# by a facet value returns exactly the count shown ("party": the interpellant's or the respondent's).
FACET_FIELDS = {"party": "party", "respondent": "respondent", "year": "year", "kind": "kind"}
# A plain relevance search counts its matches exactly up to this many; past it, passages that cannot
# reach the page are skipped, and the total says "more than" this.
COUNTED_EXACTLY = 100


@dataclass(frozen=True)
class Ranked:
    docnum: int
    score: float
    fields: dict
    matching_passages: int | None = None  # with by_document: how many of the answer's passages matched


@dataclass
class Ranking:
    total: int
    page: list[Ranked]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    total_exact: bool = True  # False: more than ``total`` passages match


def rank(
    searcher: Searcher,
    q: query.Query,
    filter_query: query.Query | None,
    *,
    limit: int,
    offset: int = 0,
    sort: str = "relevance",
    by_document: bool = False,
    facets: bool = False,
    exact_total: bool = False,
) -> Ranking:
    """The matching passages (or answers) in the requested order, the page [offset, offset+limit), and
    facet counts over every match, not only the page.

    A plain relevance search (no facets, not by document) scores only the passages that can reach
    the page, and counts exactly only up to COUNTED_EXACTLY unless ``exact_total``."""
    if q is query.NullQuery:
        return Ranking(0, [], {name: {} for name in FACET_FIELDS} if facets else {})
    groupedby = {name: sorting.FieldFacet(fieldname, maptype=sorting.Count, allow_overlap=(name == "party"))
                 for name, fieldname in FACET_FIELDS.items()} if facets else None
    # The filter goes in as a plain set of document numbers: given a Query, Whoosh makes a BitSet whose
    # truth test scans the whole bit array for every match (a filtered search took seconds at 4×).
    # Whoosh yields them in index order, the order top-k walks a sparse filter in.
    allowed = None  # ascending: a numpy array when read from columns, else a list
    if filter_query is not None:
        allowed = allowed_passages(searcher, filter_query)
        if allowed is None:
            allowed = list(searcher.docs_for_query(filter_query))
    if allowed is not None and len(allowed) == 0:  # Whoosh would read an empty set as "no filter"
        return Ranking(0, [], {name: {} for name in FACET_FIELDS} if facets else {})
    if sort == "relevance" and not by_document and not facets:
        count_up_to = None if exact_total else COUNTED_EXACTLY
        top = columnar_top(searcher, q, allowed, k=offset + limit, count_up_to=count_up_to) or top_passages(
            searcher, q, _listed(allowed), k=offset + limit, count_up_to=count_up_to)
        entries = top.entries
        _break_ties(searcher, entries, offset, offset + limit)
        page = [Ranked(docnum, score, searcher.stored_fields(docnum)) for score, docnum in entries[offset:offset + limit]]
        if top.exact:
            return Ranking(top.total, page)
        return Ranking(COUNTED_EXACTLY, page, total_exact=False)
    # Facets, grouping and date order need every match, scored in one pass.
    results = searcher.search(q, filter=set(_listed(allowed)) if allowed is not None else None, limit=None,
                              groupedby=groupedby, terms=False)
    counts = {name: {str(k): v for k, v in sorted(results.groups(name).items(), key=lambda kv: (-kv[1], str(kv[0])))}
              for name in FACET_FIELDS} if facets else {}
    entries = [(float(score), docnum) for score, docnum in results.top_n]
    if sort != "relevance":
        dates = _column(searcher, "date")
        sign = -1 if sort == "newest" else 1

        def by_date(entry: tuple[float, int]) -> tuple[bool, int]:
            date = dates[entry[1]]
            # Undated answers go last either way; the stable sort keeps relevance order among ties.
            return (date is None, sign * date.toordinal() if date else 0)

        entries.sort(key=by_date)
    matching: Counter[str] | None = None
    if by_document:
        dnrs = _column(searcher, "dnr")
        matching = Counter(dnrs[docnum] for _, docnum in entries)
        seen: set[str] = set()
        kept = []
        for entry in entries:
            dnr = dnrs[entry[1]]
            if dnr not in seen:
                seen.add(dnr)
                kept.append(entry)
        entries = kept
    if sort == "relevance":
        _break_ties(searcher, entries, offset, offset + limit)
    page = []
    for score, docnum in entries[offset:offset + limit]:
        fields = searcher.stored_fields(docnum)
        page.append(Ranked(docnum, score, fields, matching[fields["dnr"]] if matching is not None else None))
    return Ranking(len(entries), page, counts)


_COLUMNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _column(searcher: Searcher, fieldname: str):
    """A stored column of the searcher's reader, opened once per reader: opening one reads every
    segment's offsets (1.7 ms of a search at 4× that broke a tie, more the larger the index)."""
    reader = searcher.reader()
    per_reader = _COLUMNS.setdefault(reader, {})
    if fieldname not in per_reader:
        per_reader[fieldname] = reader.column_reader(fieldname)
    return per_reader[fieldname]


def _listed(allowed):
    return allowed.tolist() if hasattr(allowed, "tolist") else allowed


def _break_ties(searcher: Searcher, entries: list[tuple[float, int]], start: int, stop: int) -> None:
    """Order passages of equal score by dnr, then passage, wherever their run overlaps the page.

    Whoosh leaves ties in document-number order, which depends on how the index was built (one
    process or several, one commit or many); this makes a page the same for the same answers.
    Only the runs of equal scores that reach into the page are sorted, so the cost stays small.
    """
    stop = min(stop, len(entries))
    if start >= stop:
        return
    low, high = start, stop
    while low > 0 and entries[low - 1][0] == entries[low][0]:
        low -= 1
    while high < len(entries) and entries[high][0] == entries[high - 1][0]:
        high += 1
    if high - low < 2:
        return
    dnrs = _column(searcher, "dnr")
    # An answer's passages are added together, in order, so within one dnr document numbers follow passages.
    entries[low:high] = sorted(entries[low:high], key=lambda e: (-e[0], dnrs[e[1]], e[1]))
