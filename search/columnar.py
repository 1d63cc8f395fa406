"""The best k passages of a query of words, scored a whole posting list at a time with numpy.

A segment's common terms have columns (index/columns.py): passages and weights as arrays. Every
passage a word's fields hold is scored at once with the formula Whoosh's BM25F uses, in the same
order of floating-point operations, so each field's score is the one Whoosh's matcher gives. The
summands' scores are added up approximately to find the candidates for the page (every passage
within a hair of the k-th best), and each candidate's parts are then added with fsum, as top-k
(search/topk.py) adds them: the page, its scores and the total are the ones Whoosh would give.

A phrase's score, where it is, is the sum of its words' scores: that sum over the passages holding
all its words bounds what it can add, and its positions are checked through Whoosh only for the
passages that could reach the page with it.

A query of phrases alone, queries this does not model (a coordination bonus, anything but words'
best fields, exact-form bonuses and phrases) and indexes without columns are left to top-k's
MaxScore walk: ranking.py asks here first.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence

from whoosh import query, scoring
from whoosh.matching import FilterMatcher, LeafMatcher, Matcher, WrappingMatcher
from whoosh.query.spans import SpanNear2
from whoosh.searching import Searcher

from svar.index.columns import segment_columns
from .bestfield import BestFieldMatcher
from .lengths import BYTE_LENGTHS, length_bytes, length_lookup
from .topk import TopPassages, plain, segment_scoring, summands

# Candidates: passages whose approximate score is within this share of the k-th best approximate
# score. Adding a dozen parts in another order is off by about 1e-15 of the sum; this is far wider.
_MARGIN = 1e-9


# numpy, imported by the first search that scores from columns: `svar stats`, `list` and `show` load
# this module through the library and never need it (the import takes ~120 ms on a slow machine).
np = None
_LENGTHS = None  # length byte → field length, as floats


def _load_numpy() -> None:
    global np, _LENGTHS
    if np is None:
        import numpy

        _LENGTHS = numpy.array(BYTE_LENGTHS, dtype=numpy.float64)
        np = numpy


class _Unsupported(Exception):
    """The query holds something this module does not score like Whoosh: use the walk instead."""


class _Scored:
    """Passages (ascending, each once) and their scores: a term's postings in one field, or a summand's."""

    __slots__ = ("docs", "scores")

    def __init__(self, docs, scores) -> None:
        self.docs = docs
        self.scores = scores


def columnar_top(searcher: Searcher, q: query.Query, allowed: Sequence[int] | None, *, k: int,
                 count_up_to: int | None = None) -> TopPassages | None:
    """TopPassages for ``q`` among ``allowed`` (ascending document numbers; None: all), or None when
    this query or index is one for the MaxScore walk. A phrase's positions are checked through
    Whoosh only for the passages that could still reach the page with it, best first, and for
    counting up to ``count_up_to`` matches (None: all); past that the total is a lower bound."""
    leaves = searcher.leaf_searchers()
    if not all(segment_columns(sub.reader()) is not None for sub, _ in leaves):
        return None
    _load_numpy()
    context = searcher.context(needs_current=True)
    allowed_array = np.asarray(allowed, dtype=np.int64) if allowed is not None else None
    segments: list[_Segment] = []
    for subsearcher, offset in leaves:
        matcher = q.matcher(subsearcher, context)
        if not matcher.is_active():
            continue
        final, matcher = segment_scoring(matcher)
        if final is not plain:
            return None
        reader = subsearcher.reader()
        count = reader.doc_count_all()
        parts, phrases = [], []
        try:
            for m in summands(matcher):
                phrase = _phrase_bound(m, reader)
                if phrase is not None:
                    phrases.append((_phrase_query(q, m, subsearcher), phrase))
                else:
                    parts.append(_summand(m, reader))
        except _Unsupported:
            return None
        parts = [s for s in parts if len(s.docs)]
        phrases = [(phrase, s) for phrase, s in phrases if len(s.docs)]
        if not parts and not phrases:
            continue
        scratch = _scratch(reader, count)
        segments.append(scratch.candidates(subsearcher, offset, context, parts, phrases, allowed_array))
        scratch.release()  # only once zero again: after an error it is dropped, not reused
    if segments and not any(segment.parts for segment in segments):
        # Phrases alone: every candidate's word order must be checked to count them, and Whoosh's
        # own walk does that best (at 4x "hela landet ska leva" took 222 ms walked, 424 ms here).
        return None
    return _page(segments, k, count_up_to)


class _Scratch:
    """Per-passage arrays of one segment, all zero between searches. Allocated afresh for every
    search they cost more than the scoring: each page the kernel maps on first touch (a 4x
    segment's four arrays took 4 ms where reusing them took 0.4)."""

    def __init__(self, pool: list, count: int) -> None:
        self.pool = pool
        self.lower = np.zeros(count)  # the parts sure to be there
        self.phrase = np.zeros(count)  # what the phrases would add, if they are there
        self.sure = np.zeros(count, dtype=bool)
        self.pending = np.zeros(count, dtype=bool)
        self.touched = np.zeros(count, dtype=bool)

    def candidates(self, subsearcher, offset, context, parts, phrases, allowed) -> "_Segment":
        lower, phrase, sure, pending, touched = self.lower, self.phrase, self.sure, self.pending, self.touched
        for s in parts:
            lower[s.docs] += s.scores  # a summand's passages are distinct: no update is lost
            sure[s.docs] = True
        if not phrases:  # words alone (most searches): half the arrays, so half the work
            docs = np.flatnonzero(sure)
            low = lower[docs]
            lower[docs] = 0.0
            sure[docs] = False
            high, certain, waiting = low, np.ones(len(docs), dtype=bool), np.zeros(len(docs), dtype=bool)
        else:
            for s in parts:
                touched[s.docs] = True
            for _, s in phrases:
                phrase[s.docs] += s.scores
                pending[s.docs] = True
                touched[s.docs] = True
            docs = np.flatnonzero(touched)
            low, certain, waiting = lower[docs], sure[docs], pending[docs]
            high = low + phrase[docs]
            for array in (lower, phrase):
                array[docs] = 0.0
            for array in (sure, pending, touched):
                array[docs] = False
        if allowed is not None:  # ascending, as docs are: each passage looked up by bisection
            here = allowed[np.searchsorted(allowed, offset):np.searchsorted(allowed, offset + len(lower))] - offset
            at = np.minimum(np.searchsorted(here, docs), max(len(here) - 1, 0))
            kept = here[at] == docs if len(here) else np.zeros(len(docs), dtype=bool)
            docs, low, high, certain, waiting = docs[kept], low[kept], high[kept], certain[kept], waiting[kept]
        return _Segment(subsearcher, offset, context, parts, phrases, docs, low, high, certain, waiting)

    def release(self) -> None:
        self.pool.append(self)


_SCRATCH: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _scratch(reader, count: int) -> _Scratch:
    # One free set per search in progress: threads of the web server search at the same time.
    pool = _SCRATCH.setdefault(reader, [])
    try:
        return pool.pop()
    except IndexError:
        return _Scratch(pool, count)


class _Segment:
    """One segment's candidate passages for a query: what their parts add up to, and which still
    wait for a phrase's positions to be checked."""

    def __init__(self, subsearcher, offset, context, parts, phrases, docs, lower, upper, sure, pending) -> None:
        self.subsearcher, self.offset, self.context = subsearcher, offset, context
        self.parts, self.phrases = parts, phrases
        self.docs, self.lower, self.upper, self.sure, self.pending = docs, lower, upper, sure, pending
        self.phrase_parts: dict[int, list[float]] = {}  # passage → its phrases' scores, once checked

    def check(self, indexes) -> tuple[list[float], list[bool]]:
        """Check the phrases of the candidates at ``indexes`` (ascending) through Whoosh's own
        matchers: what the phrases that are there add to each, and whether any is."""
        added, present = [], []
        found: dict[int, list[float]] = {int(self.docs[i]): [] for i in indexes}
        for phrase, _ in self.phrases:
            m = phrase.matcher(self.subsearcher, self.context)  # the very matcher of the query's tree
            for docnum in found:  # ascending
                if m.is_active() and m.id() < docnum:
                    m.skip_to(docnum)
                if m.is_active() and m.id() == docnum:
                    found[docnum].append(m.score())
        for docnum, scores in found.items():
            self.phrase_parts[docnum] = scores
            added.append(sum(scores))
            present.append(bool(scores))
        return added, present


def _page(segments: list[_Segment], k: int, count_up_to: int | None) -> TopPassages:
    """The best k candidates of all segments, checking phrases only where the page needs it."""
    if not segments:
        return TopPassages([], 0, exact=True)
    if not any(segment.pending.any() for segment in segments):
        return _words_page(segments, k)
    which = np.concatenate([np.full(len(s.docs), n) for n, s in enumerate(segments)])
    position = np.concatenate([np.arange(len(s.docs)) for s in segments])
    lower = np.concatenate([s.lower for s in segments])
    upper = np.concatenate([s.upper for s in segments])
    sure = np.concatenate([s.sure for s in segments])
    pending = np.concatenate([s.pending for s in segments])
    value = lower.copy()  # the approximate score, once no phrase is pending

    def check(indexes) -> None:
        for n in np.unique(which[indexes]).tolist():
            mine = np.sort(indexes[which[indexes] == n])
            added, present = segments[n].check(position[mine])
            value[mine] += np.array(added)
            sure[mine] |= np.array(present, dtype=bool)
            pending[mine] = False

    # Each check walks a phrase's postings from the start of the segment up to the last passage
    # checked: the most promising few first, twice; if the page is still open, all at once.
    for batch in (max(2 * k, 16), max(8 * k, 64), None):
        if not k or not pending.any():
            break
        # Every passage that surely matches scores at least this much: the k-th best of them is a floor.
        known = np.where(sure, np.where(pending, lower, value), -np.inf)
        floor = _kth(known, k)
        waiting = np.flatnonzero(pending & (upper >= floor - _MARGIN * (1 + abs(floor))))
        if not len(waiting):
            break
        check(waiting[np.argsort(-upper[waiting], kind="stable")][:batch] if batch else waiting)
    # Passages a phrase alone may match are counted once checked, as far as counting goes: a
    # segment at a time, until more than count_up_to are known.
    for n in range(len(segments)):
        if not pending.any() or (count_up_to is not None and int(sure.sum()) > count_up_to):
            break
        unknown = np.flatnonzero(pending & ~sure & (which == n))
        if len(unknown):
            check(unknown)
    exact = not (pending & ~sure).any()
    total = int(sure.sum())
    if not k:
        return TopPassages([], total, exact)
    # A passage still pending cannot reach the page: its best possible score is below the floor.
    final = np.where(sure & ~pending, value, -np.inf)
    kth = _kth(final, k)
    chosen = np.flatnonzero(np.isfinite(final) & (final >= kth - _MARGIN * (1 + abs(kth))))
    entries = []
    for n in np.unique(which[chosen]).tolist():
        segment = segments[n]
        docs = segment.docs[position[chosen[which[chosen] == n]]]
        for score, docnum in zip(_exact(segment.parts, docs, segment.phrase_parts), docs.tolist()):
            entries.append((score, segment.offset + docnum))
    return TopPassages(_best(entries, k), total, exact)


def _words_page(segments: list[_Segment], k: int) -> TopPassages:
    """_page when no phrase is pending: every candidate surely matches, with the score it has."""
    total = sum(len(segment.docs) for segment in segments)
    entries: list[tuple[float, int]] = []
    for segment in segments:
        docs, approximate = segment.docs, segment.lower
        if not k or not len(docs):
            continue
        if len(docs) > k:
            kth = np.partition(approximate, len(docs) - k)[len(docs) - k]
            docs = docs[approximate >= kth - _MARGIN * (1 + abs(kth))]
        scores = _exact(segment.parts, docs, segment.phrase_parts)
        entries.extend((score, segment.offset + docnum) for score, docnum in zip(scores, docs.tolist()))
    return TopPassages(_best(entries, k), total, exact=True)


def _best(entries: list[tuple[float, int]], k: int) -> list[tuple[float, int]]:
    """The k best (score, passage) entries, best first, and every one tied with the k-th."""
    if not k:
        return []
    entries.sort(key=lambda e: (-e[0], e[1]))
    if len(entries) >= k:
        cutoff = entries[k - 1][0]
        entries = [e for e in entries if e[0] >= cutoff]
    return entries


def _kth(values, k: int) -> float:
    """The k-th highest of ``values`` (-inf when fewer than k are finite)."""
    finite = values[np.isfinite(values)]
    if len(finite) < k or not k:
        return -np.inf
    return float(np.partition(finite, len(finite) - k)[len(finite) - k])


def _phrase_query(q: query.Query, m: Matcher, subsearcher: Searcher) -> query.Phrase:
    """The phrase of ``q`` whose matcher ``m`` is: the same field, words and boost."""
    boost, inner = (m.boost, m.child) if type(m) is WrappingMatcher else (1.0, m)
    terms = [_leaf(word)[0].term() for word in inner.ms]  # a word's postings may skip deleted passages
    for phrase in q.leaves():
        if isinstance(phrase, query.Phrase) and phrase.fieldname == terms[0][0] and phrase.boost == boost:
            field = subsearcher.schema[phrase.fieldname]
            if [(phrase.fieldname, field.to_bytes(word)) for word in phrase.words] == terms:
                return phrase
    raise _Unsupported


def _phrase_bound(m: Matcher, reader) -> _Scored | None:
    """For a phrase, the passages holding all its words and what the phrase scores there if the
    words stand in order (Whoosh: the sum of its words' scores); None for anything else."""
    boost, inner = 1.0, m
    if type(m) is WrappingMatcher:
        boost, inner = m.boost, m.child
    if not isinstance(inner, SpanNear2.SpanNear2Matcher):
        return None
    words = [_term(leaf, reader) for leaf in inner.ms]
    docs, scores = words[0].docs, words[0].scores
    for word in words[1:]:
        docs, mine, theirs = np.intersect1d(docs, word.docs, assume_unique=True, return_indices=True)
        scores = scores[mine] + word.scores[theirs]
    return _Scored(docs, scores * boost)


def allowed_passages(searcher: Searcher, filter_query: query.Query):
    """The passages ``filter_query`` lets through, ascending, as a numpy array, read from the
    segments' columns (Whoosh reads a filter's postings one by one: most of a filtered search's
    time); None where the index has no columns or the filter is not made of terms, numeric or date
    ranges, And and Or."""
    leaves = searcher.leaf_searchers()
    if not all(segment_columns(sub.reader()) is not None for sub, _ in leaves):
        return None
    _load_numpy()
    context = searcher.context()
    allowed = []
    for subsearcher, offset in leaves:
        docs = _allowed(filter_query, subsearcher, context)
        if docs is None:
            return None
        allowed.append(docs + offset)
    return np.concatenate(allowed) if allowed else np.zeros(0, dtype=np.int64)


def _allowed(q: query.Query, subsearcher: Searcher, context):
    """One segment's passages that ``q`` matches, ascending and each once; None: not evaluated here."""
    if q is query.NullQuery:
        return np.zeros(0, dtype=np.int64)
    if isinstance(q, query.NumericRange):  # DateRange too: the terms covering the range
        simpler = q.simplify(subsearcher.reader())
        return None if isinstance(simpler, query.NumericRange) else _allowed(simpler, subsearcher, context)
    if type(q) is query.Term:
        matcher = q.matcher(subsearcher, context)
        if not matcher.is_active():
            return np.zeros(0, dtype=np.int64)
        return _passages(matcher, subsearcher.reader())
    if type(q) in (query.And, query.Or) and not getattr(q, "minmatch", 0):
        parts = [_allowed(child, subsearcher, context) for child in q.children()]
        if any(part is None for part in parts):
            return None
        if not parts:
            return np.zeros(0, dtype=np.int64)
        combined = parts[0]
        for part in parts[1:]:
            combined = (np.intersect1d(combined, part, assume_unique=True) if type(q) is query.And
                        else np.union1d(combined, part))
        return combined
    return None


def _exact(summands: list[_Scored], docs, phrase_parts: dict[int, list[float]]) -> list[float]:
    """Each passage's score as top-k adds it up: its summands' parts (the phrases' as checked),
    summed exactly (fsum)."""
    parts: list[list[float]] = [list(phrase_parts.get(docnum, ())) for docnum in docs.tolist()]
    for s in summands:
        where = np.minimum(np.searchsorted(s.docs, docs), len(s.docs) - 1)
        present = s.docs[where] == docs
        values = s.scores[where].tolist()
        for i in np.flatnonzero(present).tolist():
            parts[i].append(values[i])
    return [math.fsum(p) for p in parts]


def _summand(m: Matcher, reader) -> _Scored:
    """A summand's passages and scores, as its matcher would score them one by one."""
    if not m.is_active():  # a field without the term in this segment
        return _Scored(np.zeros(0, dtype=np.int64), np.zeros(0))
    if type(m) is WrappingMatcher:  # a boost
        inner = _summand(m.child, reader)
        return _Scored(inner.docs, inner.scores * m.boost)
    if isinstance(m, BestFieldMatcher):
        if m.tiebreak:
            raise _Unsupported
        return _best_of([(_summand(f, reader), boost) for f, boost in m.fields()])
    return _term(m, reader)


def _best_of(fields: list[tuple[_Scored, float]]) -> _Scored:
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


def _leaf(m: Matcher) -> tuple[Matcher, frozenset | None]:
    """A term's postings matcher and the deleted passages it skips (None: none)."""
    excluded, leaf = None, m
    if type(m) is FilterMatcher:  # the segment's deleted passages
        if not m._exclude or m.boost != 1.0:
            raise _Unsupported
        excluded, leaf = m._ids, m.child
    if not isinstance(leaf, LeafMatcher) or leaf.term() is None:
        raise _Unsupported
    return leaf, excluded


def _postings(m: Matcher, reader, weights: bool = True):
    """A term's passages (ascending) and weights, from the segment's columns or, for a rare term,
    through Whoosh (whose filter, if any, already skips deleted passages)."""
    leaf, excluded = _leaf(m)
    stored = segment_columns(reader).postings(*leaf.term())
    if stored is not None:
        docs, values = stored
        docs = docs.astype(np.int64)
        values = values.astype(np.float64) if weights else None
        if excluded:
            kept = ~np.isin(docs, np.fromiter(excluded, dtype=np.int64, count=len(excluded)))
            docs, values = docs[kept], (values[kept] if weights else None)
        return docs, values
    if not weights:
        return np.fromiter(m.all_ids(), dtype=np.int64), None
    ids, values = [], []
    while m.is_active():
        ids.append(m.id())
        values.append(m.weight())
        m.next()
    return np.array(ids, dtype=np.int64), np.array(values, dtype=np.float64)


def _passages(m: Matcher, reader):
    try:
        return _postings(m, reader, weights=False)[0]
    except _Unsupported:
        return None


def _term(m: Matcher, reader) -> _Scored:
    """One term's postings in one field, each scored as Whoosh's BM25F scorer scores it."""
    leaf, _ = _leaf(m)
    scorer = getattr(leaf, "scorer", None)
    fieldname = leaf.term()[0]
    if type(scorer) is not scoring.BM25FScorer or scorer.dfl is not length_lookup(reader, fieldname):
        raise _Unsupported
    docs, weights = _postings(m, reader)
    lengths = np.frombuffer(length_bytes(reader, fieldname), dtype=np.uint8)
    fl = _LENGTHS[lengths[docs]]
    idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    # Whoosh's bm25(), operation for operation: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
    tf = weights
    scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
    return _Scored(docs, scores)


