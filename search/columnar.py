"""The best k passages of a query of words, scored a whole posting list at a time with numpy.

A segment's common terms have columns (index/columns.py): passages and weights as arrays. Every
passage a word's fields hold is scored at once with the formula Whoosh's BM25F uses, in the same
order of floating-point operations, so each field's score is the one Whoosh's matcher gives. The
summands' scores are added up approximately to find the candidates for the page (every passage
within a hair of the k-th best), and each candidate's parts are then added with fsum, as top-k
(search/topk.py) adds them: the page, its scores and the total are the ones Whoosh would give.

A phrase's score, where it is, is the sum of its words' scores. Where every word's positions are
in the columns (or the word is rare enough to read from Whoosh), the passages with the words in
order are found with array operations and the phrase is a part like a word. Otherwise (columns
written before they held positions) that sum over the passages holding all its words bounds what
it can add, and its positions are checked through Whoosh only for the passages that could reach
the page with it.

Queries this does not model (a coordination bonus, anything but words' best fields, exact-form
bonuses and phrases), a phrase alone that would need Whoosh's checks, and indexes without columns
are left to top-k's MaxScore walk: ranking.py asks here first.
"""

from __future__ import annotations

import math
import weakref
from functools import lru_cache
from collections.abc import Sequence

from whoosh import query, scoring
from whoosh.matching import FilterMatcher, LeafMatcher, Matcher, NullMatcher, WrappingMatcher
from whoosh.query.spans import SpanNear2
from whoosh.searching import Searcher
from whoosh.util.numeric import to_sortable

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
    # Phrases as their words alone: Whoosh's phrase matcher walks to the first passage with the
    # words in order as it is made (a third of a second at 4x for "hela landet ska leva"). Terms
    # with columns as their columns: Whoosh's matcher reads the term's entry and first block.
    words_q = q.accept(_column_node)
    for subsearcher, offset in leaves:
        try:
            matcher = words_q.matcher(subsearcher, context)
        except _Unsupported:
            return None
        if not matcher.is_active():
            continue
        final, matcher = segment_scoring(matcher)
        if final is not plain:
            return None
        reader = subsearcher.reader()
        count = reader.doc_count_all()
        parts, phrases = [], []
        scratch = _scratch(reader, count)
        try:
            for m in summands(matcher):
                phrase = _phrase(m, reader)
                if phrase is None:
                    parts.append(_summand(m, reader, scratch))
                elif phrase[1]:  # its words' positions were matched here: a part like a word's
                    parts.append(phrase[0])
                else:
                    phrases.append((_phrase_query(q, m, subsearcher), phrase[0]))
        except _Unsupported:
            return None
        parts = [s for s in parts if len(s.docs)]
        phrases = [(phrase, s) for phrase, s in phrases if len(s.docs)]
        if not parts and not phrases:
            scratch.release()
            continue
        segments.append(scratch.candidates(subsearcher, offset, context, parts, phrases, allowed_array))
        scratch.release()  # only once zero again: after an error it is dropped, not reused
    if segments and not any(segment.parts for segment in segments):
        # Phrases alone, all waiting for Whoosh's checks (columns without positions): every
        # candidate's word order must be checked to count them, which Whoosh's own walk does best
        # (at 4x "hela landet ska leva" took 222 ms walked, 424 ms checked from here).
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
        self.best = np.zeros(count)  # a word's best field score so far (_best_of)

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


def _column_node(node: query.Query) -> query.Query:
    if type(node) is query.Phrase:
        return _PhraseWords(node)
    if type(node) is query.Term:
        return _ColumnTerm(node)
    return node


class _Substitute(query.Query):
    """A leaf columnar_top's query holds in place of ``original``: its boost and size estimate (Or
    orders its matcher tree by it), and a matcher of its own."""

    def __init__(self, original: query.Query) -> None:
        self.original = original
        self.boost = original.boost

    def is_leaf(self) -> bool:
        return True

    def estimate_size(self, ixreader) -> int:
        return self.original.estimate_size(ixreader)


class _ReadWhole:
    """A matcher columnar_top reads whole: walking it means the query is one for the MaxScore walk."""

    def supports_block_quality(self) -> bool:
        return False

    def _walked(self, *args):
        raise _Unsupported

    id = next = skip_to = score = weight = value = value_as = spans = copy = replace = all_ids = _walked
    supports = max_quality = block_quality = _walked


class _ColumnTerm(_Substitute):
    """A term, for columnar_top: where the segment has its columns, a _ColumnLeaf instead of the
    matcher Whoosh makes, which looks the term up twice more and reads its first block of postings
    (a common word's six fields took a question ~1.5 ms at 16x); elsewhere Whoosh's own matcher."""

    def matcher(self, searcher: Searcher, context=None) -> Matcher:
        term = self.original
        if term.fieldname not in searcher.schema or term.minquality:
            return term.matcher(searcher, context)
        try:
            btext = searcher.schema[term.fieldname].to_bytes(term.text)
        except ValueError:
            return term.matcher(searcher, context)
        reader = searcher.reader()
        stored = segment_columns(reader).postings(term.fieldname, btext)
        if stored is None:
            return term.matcher(searcher, context)
        # As Term.matcher and Searcher.postings make the scorer: the same one, with the same statistics.
        weighting = context.weighting if context is not None else searcher.weighting
        leaf = _ColumnLeaf((term.fieldname, btext), weighting.scorer(searcher, term.fieldname, btext), stored,
                           _deleted(reader) if reader.has_deletions() else None)
        return WrappingMatcher(leaf, boost=term.boost) if term.boost != 1.0 else leaf


class _ColumnLeaf(_ReadWhole, LeafMatcher):
    """A term's postings in one segment as its columns hold them, with the scorer Whoosh's matcher
    would have; read whole by _postings."""

    def __init__(self, term: tuple[str, bytes], scorer, stored, excluded) -> None:
        self._term, self.scorer, self.stored, self.excluded = term, scorer, stored, excluded

    def term(self) -> tuple[str, bytes]:
        return self._term

    def is_active(self) -> bool:
        return True  # a term has columns only where it has postings


class _PhraseWords(_Substitute):
    """A phrase, for columnar_top: the matchers of its words, as Whoosh's phrase makes them, without
    the walk Whoosh's SpanNear2 matcher takes to its first match as it is made."""

    def matcher(self, searcher: Searcher, context=None) -> Matcher:
        phrase = self.original
        field = searcher.schema[phrase.fieldname] if phrase.fieldname in searcher.schema else None
        if field is None or not field.format or not field.format.supports("positions") or phrase.slop != 1:
            return phrase.matcher(searcher, context)  # what Whoosh makes: _phrase() tells
        reader = searcher.reader()
        terms = []
        for word in phrase.words:  # as Phrase.matcher: a word that is not here matches nothing
            try:
                btext = field.to_bytes(word)
            except ValueError:
                return NullMatcher()
            if (phrase.fieldname, btext) not in reader:
                return NullMatcher()
            terms.append(query.Term(phrase.fieldname, btext))
        context = context.set(needs_current=True) if context is not None else None
        return _PhraseWordsMatcher(phrase, [t.matcher(searcher, context) for t in terms])


class _PhraseWordsMatcher(_ReadWhole, Matcher):
    """A phrase's words' matchers, read whole by _phrase()."""

    def __init__(self, phrase: query.Phrase, ms: list[Matcher]) -> None:
        self.phrase, self.ms, self.boost = phrase, ms, phrase.boost

    def is_active(self) -> bool:
        return all(m.is_active() for m in self.ms)

    def term_matchers(self):
        for m in self.ms:
            yield from m.term_matchers()


def _phrase_query(q: query.Query, m: Matcher, subsearcher: Searcher) -> query.Phrase:
    """The phrase of ``q`` whose matcher ``m`` is: the same field, words and boost."""
    if type(m) is _PhraseWordsMatcher:
        return m.phrase
    boost, inner = (m.boost, m.child) if type(m) is WrappingMatcher else (1.0, m)
    terms = [_leaf(word)[0].term() for word in inner.ms]  # a word's postings may skip deleted passages
    for phrase in q.leaves():
        if isinstance(phrase, query.Phrase) and phrase.fieldname == terms[0][0] and phrase.boost == boost:
            field = subsearcher.schema[phrase.fieldname]
            if [(phrase.fieldname, field.to_bytes(word)) for word in phrase.words] == terms:
                return phrase
    raise _Unsupported


def _phrase(m: Matcher, reader) -> tuple[_Scored, bool] | None:
    """For a phrase, (passages, scores, exact): where all its words have positions here, the
    passages where they stand in order and the phrase's score there, exactly as Whoosh's matcher
    gives it (exact: True); otherwise the passages holding all its words and what it would score
    there, a bound (exact: False). None for anything but a phrase."""
    boost, inner = 1.0, m
    if type(m) is _PhraseWordsMatcher:
        boost = m.boost
    elif type(m) is WrappingMatcher:
        boost, inner = m.boost, m.child
    if type(inner) is not _PhraseWordsMatcher:
        if not isinstance(inner, SpanNear2.SpanNear2Matcher):
            return None
        if inner.slop != 1 or not inner.ordered or inner.mindist != 1:
            raise _Unsupported
    # Positions first: a rare word's are read from its matcher, which that uses up.
    located, read = zip(*(_word_positions(leaf, reader) for leaf in inner.ms))
    words = [_term(leaf, reader, postings) for leaf, postings in zip(inner.ms, read)]
    docs = words[0].docs
    for word in words[1:]:
        docs = _common(docs, word.docs)
    # Whoosh adds its words' scores up as a binary tree of intersections: the same order here.
    parts = [word.scores[np.searchsorted(word.docs, docs)] for word in words]
    scores = _tree_sum(parts) * boost
    if any(where is None for where in located) or len(located) >= 1 << (_SHIFT - 1):
        return _Scored(docs, scores), False
    found = _in_order(docs, located)
    return _Scored(docs[found], scores[found]), True


def _tree_sum(parts: list):
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


def _common(a, b):
    """The passages in both ascending arrays: each of the shorter looked up in the longer."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a) or not len(b):
        return a[:0]
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] == a]


# A phrase's candidate passages and its words' positions in one int64: candidate << _SHIFT | start.
_SHIFT = 20


def _in_order(docs, located: list[tuple]):
    """Which of ``docs`` (held by every word) have the words at consecutive positions, as Whoosh's
    SpanNear2 (slop 1, in order) finds them: indexes into docs, ascending."""
    n = len(located)
    starts = None
    for i, (ids, counts, positions, ends) in enumerate(located):
        at = np.searchsorted(ids, docs)
        mine = counts[at]
        first = ends[at] - mine
        owner = np.repeat(np.arange(len(docs), dtype=np.int64), mine)
        # The positions of each candidate's posting, one run after another.
        index = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(mine) - mine, mine) + np.repeat(first, mine)
        # Where the phrase would start if this word is its i-th (shifted by n: never below zero).
        keys = (owner << _SHIFT) + positions[index].astype(np.int64) + (n - i)
        starts = np.unique(keys) if starts is None else np.intersect1d(starts, keys)
        if not len(starts):
            break
    return np.unique(starts >> _SHIFT)


def _word_positions(m: Matcher, reader) -> tuple[tuple | None, tuple | None]:
    """A phrase word's positions as (passages, counts, positions, ends): each passage's positions
    in turn, ends the running count; None for a common word without positions in the columns.
    With them, for a rare word, its (passages, weights) as read from its matcher, which that uses
    up (None: the word has columns)."""
    leaf, _ = _leaf(m)
    columns = segment_columns(reader)
    stored = columns.positions(*leaf.term())
    if stored is not None:
        ids, weights, positions = stored
        counts = weights.astype(np.int64)
        ends = np.cumsum(counts)
        if (ends[-1] if len(ends) else 0) != len(positions):  # a damaged entry: never misread
            return None, None
        return (ids, counts, positions, ends), None
    if columns.postings(*leaf.term()) is not None:
        return None, None
    ids, weights, flat, counts = _read(m, positions=True)
    read = ids, weights
    if len(flat) and (flat.min() < 0 or flat.max() >= 1 << (_SHIFT - 1)):
        return None, read
    return (read[0], counts, flat, np.cumsum(counts)), read


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
    if isinstance(q, query.NumericRange):  # DateRange too
        reader = subsearcher.reader()
        stored = segment_columns(reader).values(q.fieldname)
        if stored is not None:
            return _in_range(q, reader, *stored)
        # The terms and term ranges of its precision tiers (Whoosh 2.7 and whoosh3 alike: simplify()
        # would turn a date tier's bytes back into a date, which fails for the shifted ones).
        return _allowed(q._compile_query(subsearcher.reader()), subsearcher, context)
    if type(q) is query.ConstantScoreQuery:  # how a range comes compiled: the score is not used here
        return _allowed(q.child, subsearcher, context)
    if type(q) is query.TermRange and isinstance(q.start, bytes) and isinstance(q.end, bytes):
        terms = []  # a tier of a numeric range: the terms between its ends, as they are in the index
        for fieldname, btext in subsearcher.reader().terms_from(q.fieldname, q.start):
            if fieldname != q.fieldname or btext > q.end or (btext == q.end and q.endexcl):
                break
            if not (btext == q.start and q.startexcl):
                terms.append(query.Term(q.fieldname, btext))
        return _allowed(query.Or(terms), subsearcher, context)
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


def _in_range(q: query.NumericRange, reader, values, present):
    """The passages whose value lies in ``q``'s range, compared as its terms compare (the bytes of
    the lowest precision term, after the precision byte, as a big-endian number)."""
    field = reader.schema[q.fieldname]
    keep = present.copy()
    for end, excluded, above in ((q.start, q.startexcl, True), (q.end, q.endexcl, False)):
        if end is None:
            continue
        # As NumericRange compiles its ends (a DateRange holds them as numbers already).
        bound = np.uint64(to_sortable(field.numtype, field.bits, field.signed, field.prepare_number(end)))
        if above:
            keep &= (values > bound) if excluded else (values >= bound)
        else:
            keep &= (values < bound) if excluded else (values <= bound)
    docs = np.flatnonzero(keep)
    if reader.has_deletions():
        docs = docs[~np.isin(docs, _deleted(reader))]
    return docs


_DELETED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _deleted(reader):
    """A segment's deleted passages, ascending (they do not change while a reader is open)."""
    if reader not in _DELETED:
        found = getattr(reader, "deleted_docs_set", None)  # whoosh3; Whoosh 2.7 asks one by one
        if found is None:
            found = (n for n in range(reader.doc_count_all()) if reader.is_deleted(n))
        _DELETED[reader] = np.array(sorted(found), dtype=np.int64)
    return _DELETED[reader]


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


def _summand(m: Matcher, reader, scratch: "_Scratch") -> _Scored:
    """A summand's passages and scores, as its matcher would score them one by one."""
    if not m.is_active():  # a field without the term in this segment
        return _Scored(np.zeros(0, dtype=np.int64), np.zeros(0))
    if type(m) is WrappingMatcher:  # a boost
        inner = _summand(m.child, reader, scratch)
        return _Scored(inner.docs, inner.scores * m.boost)
    if isinstance(m, BestFieldMatcher):
        if m.tiebreak:
            raise _Unsupported
        return _best_of([(_summand(f, reader, scratch), boost) for f, boost in m.fields()], scratch)
    return _term(m, reader)


# A word whose fields together hold more passages than a segment's share this large takes its best
# field in the segment's arrays; fewer, by merging the fields' sorted passages.
_DENSE_SHARE = 1 / 8


def _best_of(fields: list[tuple[_Scored, float]], scratch: "_Scratch") -> _Scored:
    """BestFieldMatcher.score on every passage: the highest of its fields' boosted scores (and 0)."""
    fields = [(f, boost) for f, boost in fields if len(f.docs)]
    if not fields:
        return _Scored(np.zeros(0, dtype=np.int64), np.zeros(0))
    if len(fields) > 1 and sum(len(f.docs) for f, _ in fields) > _DENSE_SHARE * len(scratch.best):
        # Each passage's best so far, in place: merging fields of 100,000 passages by bisection
        # took most of a common word's time. The highest of the same values: the same score.
        best, marks = scratch.best, scratch.touched
        for f, boost in fields:
            best[f.docs] = np.maximum(best[f.docs], f.scores * boost)
            marks[f.docs] = True
        docs = np.flatnonzero(marks)
        scores = best[docs]
        best[docs] = 0.0
        marks[docs] = False
        return _Scored(docs, scores)
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


def _leaf(m: Matcher):
    """A term's postings matcher and the deleted passages it skips (a set, an array, or None: none)."""
    if type(m) is _ColumnLeaf:
        return m, m.excluded
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
    stored = leaf.stored if type(leaf) is _ColumnLeaf else segment_columns(reader).postings(*leaf.term())
    if stored is not None:
        docs, values = stored
        docs = docs.astype(np.int64)
        values = values.astype(np.float64) if weights else None
        if excluded is not None and len(excluded):
            if not isinstance(excluded, np.ndarray):  # a FilterMatcher's set
                excluded = np.fromiter(excluded, dtype=np.int64, count=len(excluded))
            kept = ~np.isin(docs, excluded)
            docs, values = docs[kept], (values[kept] if weights else None)
        return docs, values
    if not weights:
        return np.fromiter(m.all_ids(), dtype=np.int64), None
    return _read(m)[:2]


def _read(m: Matcher, positions: bool = False):
    """A rare term's (passages, weights, and with ``positions`` its positions one passage after
    another and each passage's count of them), read through Whoosh, which uses the matcher up."""
    ids, weights, flat, counts = [], [], [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        if positions:
            mine = m.value_as("positions")
            flat.extend(mine)
            counts.append(len(mine))
        m.next()
    read = np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
    if not positions:
        return read
    return (*read, np.array(flat, dtype=np.int64), np.array(counts, dtype=np.int64))


def _passages(m: Matcher, reader):
    try:
        return _postings(m, reader, weights=False)[0]
    except _Unsupported:
        return None


def _term(m: Matcher, reader, postings: tuple | None = None) -> _Scored:
    """One term's postings in one field (``postings``: as already read), each scored as Whoosh's
    BM25F scorer scores it."""
    leaf, _ = _leaf(m)
    scorer = getattr(leaf, "scorer", None)
    fieldname = leaf.term()[0]
    if type(scorer) is not scoring.BM25FScorer or scorer.dfl is not length_lookup(reader, fieldname):
        raise _Unsupported
    docs, weights = postings if postings is not None else _postings(m, reader)
    lengths = np.frombuffer(length_bytes(reader, fieldname), dtype=np.uint8)
    idf, B, K1 = scorer.idf, scorer.B, scorer.K1
    # Whoosh's bm25(), operation for operation: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))),
    # with the length's part looked up: a length is one of 256 (a byte), so its part is too.
    tf = weights
    scores = idf * ((tf * (K1 + 1)) / (tf + _length_parts(scorer.avgfl, B, K1)[lengths[docs]]))
    return _Scored(docs, scores)


@lru_cache(maxsize=64)  # an index that keeps changing has new average lengths in each state
def _length_parts(avgfl: float, B: float, K1: float):
    """K1 * ((1 - B) + B * fl / avgfl) for each length byte's fl, as bm25() computes it (read only)."""
    return K1 * ((1 - B) + B * _LENGTHS / avgfl)


