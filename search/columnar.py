"""The best k passages of a query of words, scored a whole posting list at a time with numpy.

A segment's common terms have columns (index/columns.py): passages and weights as arrays. Every
passage a word's fields hold is scored at once with the formula Whoosh's BM25F uses, in the same
order of floating-point operations, so each field's score is the one Whoosh's matcher gives. The
summands' scores are added up approximately to find the candidates for the page (every passage
within a hair of the k-th best), and each candidate's parts are then added with fsum, as top-k
(search/topk.py) adds them: the page, its scores and the total are the ones Whoosh would give.

Queries this does not model (phrases, a coordination bonus, anything but words' best fields and
exact-form bonuses) and indexes without columns are left to top-k's MaxScore walk: ranking.py
asks here first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from whoosh import query, scoring
from whoosh.matching import FilterMatcher, LeafMatcher, Matcher, WrappingMatcher
from whoosh.searching import Searcher

from svar.index.columns import segment_columns
from .bestfield import BestFieldMatcher
from .lengths import BYTE_LENGTHS, length_bytes, length_lookup
from .topk import TopPassages, plain, segment_scoring, summands

# Candidates: passages whose approximate score is within this share of the k-th best approximate
# score. Adding a dozen parts in another order is off by about 1e-15 of the sum; this is far wider.
_MARGIN = 1e-9


class _Unsupported(Exception):
    """The query holds something this module does not score like Whoosh: use the walk instead."""


class _Scored:
    """Passages (ascending, each once) and their scores: a term's postings in one field, or a summand's."""

    __slots__ = ("docs", "scores")

    def __init__(self, docs, scores) -> None:
        self.docs = docs
        self.scores = scores


def columnar_top(searcher: Searcher, q: query.Query, allowed: Sequence[int] | None, *, k: int) -> TopPassages | None:
    """TopPassages for ``q`` among ``allowed`` (ascending document numbers; None: all), exact, or
    None when this query or index is one for the MaxScore walk."""
    import numpy as np

    leaves = searcher.leaf_searchers()
    if not all(segment_columns(sub.reader()) is not None for sub, _ in leaves):
        return None
    if any(isinstance(leaf, query.Phrase) for leaf in q.leaves()):
        return None
    context = searcher.context(needs_current=True)
    allowed_array = np.asarray(allowed, dtype=np.int64) if allowed is not None else None
    total = 0
    candidates: list[tuple[float, int]] = []
    for subsearcher, offset in leaves:
        matcher = q.matcher(subsearcher, context)
        if not matcher.is_active():
            continue
        final, matcher = segment_scoring(matcher)
        if final is not plain:
            return None
        reader = subsearcher.reader()
        count = reader.doc_count_all()
        try:
            parts = [_summand(m, reader, np) for m in summands(matcher)]
        except _Unsupported:
            return None
        parts = [s for s in parts if len(s.docs)]
        if not parts:
            continue
        scores = np.zeros(count)
        matched = np.zeros(count, dtype=bool)
        for s in parts:
            scores[s.docs] += s.scores  # a summand's passages are distinct: no update is lost
            matched[s.docs] = True
        if allowed_array is not None:
            here = allowed_array[np.searchsorted(allowed_array, offset):np.searchsorted(allowed_array, offset + count)] - offset
            keep = np.zeros(count, dtype=bool)
            keep[here] = True
            matched &= keep
        docs = np.flatnonzero(matched)
        total += len(docs)
        if k == 0 or not len(docs):
            continue
        approximate = scores[docs]
        if len(docs) > k:
            kth = np.partition(approximate, len(docs) - k)[len(docs) - k]
            docs = docs[approximate >= kth - _MARGIN * (1 + abs(kth))]
        candidates.extend((score, offset + int(docnum)) for score, docnum in zip(_exact(parts, docs, np), docs))
    candidates.sort(key=lambda e: (-e[0], e[1]))
    if k and len(candidates) >= k:
        cutoff = candidates[k - 1][0]
        candidates = [e for e in candidates if e[0] >= cutoff]
    return TopPassages(candidates if k else [], total, exact=True)


def _exact(summands: list[_Scored], docs, np) -> list[float]:
    """Each passage's score as top-k adds it up: its summands' parts, summed exactly (fsum)."""
    parts: list[list[float]] = [[] for _ in range(len(docs))]
    for s in summands:
        where = np.minimum(np.searchsorted(s.docs, docs), len(s.docs) - 1)
        present = s.docs[where] == docs
        values = s.scores[where].tolist()
        for i in np.flatnonzero(present).tolist():
            parts[i].append(values[i])
    return [math.fsum(p) for p in parts]


def _summand(m: Matcher, reader, np) -> _Scored:
    """A summand's passages and scores, as its matcher would score them one by one."""
    if not m.is_active():  # a field without the term in this segment
        return _Scored(np.zeros(0, dtype=np.int64), np.zeros(0))
    if type(m) is WrappingMatcher:  # a boost
        inner = _summand(m.child, reader, np)
        return _Scored(inner.docs, inner.scores * m.boost)
    if isinstance(m, BestFieldMatcher):
        if m.tiebreak:
            raise _Unsupported
        return _best_of([(_summand(f, reader, np), boost) for f, boost in m.fields()], np)
    return _term(m, reader, np)


def _best_of(fields: list[tuple[_Scored, float]], np) -> _Scored:
    """BestFieldMatcher.score on every passage: the highest of its fields' boosted scores (and 0)."""
    fields = [(f, boost) for f, boost in fields if len(f.docs)]
    if not fields:
        return _Scored(np.zeros(0, dtype=np.int64), np.zeros(0))
    fields.sort(key=lambda fb: -len(fb[0].docs))
    base, boost = fields[0]
    docs, scores = base.docs, np.maximum(base.scores * boost, 0.0)
    extra_docs, extra_scores = [], []
    for f, boost in fields[1:]:
        boosted = f.scores * boost
        where = np.minimum(np.searchsorted(docs, f.docs), len(docs) - 1)
        inside = docs[where] == f.docs
        at = where[inside]
        scores[at] = np.maximum(scores[at], boosted[inside])
        extra_docs.append(f.docs[~inside])
        extra_scores.append(boosted[~inside])
    if extra_docs and sum(len(d) for d in extra_docs):
        # Passages only the smaller fields hold: the best of those fields, put in passage order.
        more_docs, more_scores = np.concatenate(extra_docs), np.concatenate(extra_scores)
        order = np.lexsort((-more_scores, more_docs))
        more_docs, more_scores = more_docs[order], more_scores[order]
        first = np.concatenate(([True], more_docs[1:] != more_docs[:-1]))
        more_docs, more_scores = more_docs[first], np.maximum(more_scores[first], 0.0)
        at = np.searchsorted(docs, more_docs)
        docs, scores = np.insert(docs, at, more_docs), np.insert(scores, at, more_scores)
    return _Scored(docs, scores)


def _term(m: Matcher, reader, np) -> _Scored:
    """One term's postings in one field, each scored as Whoosh's BM25F scorer scores it."""
    excluded = None
    leaf = m
    if type(m) is FilterMatcher:  # the segment's deleted passages
        if not m._exclude or m.boost != 1.0:
            raise _Unsupported
        excluded, leaf = m._ids, m.child
    if not isinstance(leaf, LeafMatcher) or leaf.term() is None:
        raise _Unsupported
    scorer = getattr(leaf, "scorer", None)
    fieldname, btext = leaf.term()
    if type(scorer) is not scoring.BM25FScorer or scorer.dfl is not length_lookup(reader, fieldname):
        raise _Unsupported
    stored = segment_columns(reader).postings(fieldname, btext)
    if stored is not None:
        docs, weights = stored
        docs = docs.astype(np.int64)
        weights = weights.astype(np.float64)
        if excluded:
            kept = ~np.isin(docs, np.fromiter(excluded, dtype=np.int64, count=len(excluded)))
            docs, weights = docs[kept], weights[kept]
    else:  # a rare term: its postings through Whoosh (the filter, if any, already skips deletions)
        ids, values = [], []
        while m.is_active():
            ids.append(m.id())
            values.append(m.weight())
            m.next()
        docs, weights = np.array(ids, dtype=np.int64), np.array(values, dtype=np.float64)
    lengths = np.frombuffer(length_bytes(reader, fieldname), dtype=np.uint8)
    fl = _length_table(np)[lengths[docs]]
    idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    # Whoosh's bm25(), operation for operation: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
    tf = weights
    scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
    return _Scored(docs, scores)


_TABLE = []


def _length_table(np):
    if not _TABLE:
        _TABLE.append(np.array(BYTE_LENGTHS, dtype=np.float64))
    return _TABLE[0]
