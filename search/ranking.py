"""Ranking: BM25F over the text fields, with the field weights from the schema."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query, scoring
from whoosh.searching import Searcher

# Passages are short and similar in length; a milder length normalisation than the usual 0.75 keeps
# long question-and-answer passages from being buried under short preamble ones.
WEIGHTING = scoring.BM25F(B=0.6, K1=1.2)


@dataclass(frozen=True)
class Ranked:
    docnum: int
    score: float
    fields: dict


def rank(
    searcher: Searcher, q: query.Query, filter_query: query.Query | None, *, limit: int, offset: int = 0
) -> tuple[int, list[Ranked]]:
    """The total number of matching passages and the page [offset, offset+limit) of them, best first."""
    if q is query.NullQuery:
        return 0, []
    results = searcher.search(q, filter=filter_query, limit=offset + limit, terms=False)
    total = len(results)
    page = [Ranked(hit.docnum, float(hit.score or 0.0), hit.fields()) for hit in results[offset:offset + limit]]
    return total, page
