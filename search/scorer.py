"""Scoring a plan (search/plan.py): every matching passage of a segment, with its score, at once.

A search first fixes each leaf's statistics over the whole index (``Weight``, search/weights.py: a
term's idf and its field's average length, a prefix's expansion into indexed terms), then evaluates
the plan in each segment into ``Scored``: the live passages it matches (ascending) and their scores,
as numpy arrays read from search/sources.py. Every score is computed by search/bm25.py; the nodes
combine them as plan.py states. Nothing here knows about pages, sorting or facets:
search/collectors.py takes the scored passages from there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from svar.index.schema import PHRASE_FIELD

from . import bm25
from .arrays import distinct
from .plan import All, Best, Maybe, Near, Node, Nothing, Phrase, Prefix, Sum, Without, Word
from .sources import Positions, SegmentSource
from .weights import TermStats, Weight

__all__ = ["EMPTY", "Scored", "TermStats", "Weight", "evaluate", "matched"]


@dataclass(frozen=True)
class Scored:
    """Passages of one segment (ascending, each once) and their scores."""

    docs: np.ndarray  # int64 array
    scores: np.ndarray  # float64 array

    def __len__(self) -> int:
        return len(self.docs)


EMPTY = Scored(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def evaluate(node: Node, weight: Weight, source: SegmentSource) -> Scored:
    """The passages of one segment that ``node`` matches, and their scores."""
    if isinstance(node, Word):
        return _boosted(_term(weight, source, node.field, node.text), node.boost)
    if isinstance(node, Phrase):
        return _boosted(_phrase(weight, source, node), node.boost)
    if isinstance(node, Near):
        return _boosted(_near(weight, source, node), node.boost)
    if isinstance(node, Prefix):
        parts = [_term(weight, source, node.field, term) for term in weight.expansion(node)]
        return _boosted(_best(parts, source), node.boost)
    if isinstance(node, Sum):
        return _boosted(_sum([evaluate(c, weight, source) for c in node.children], source), node.boost)
    if isinstance(node, Best):
        return _boosted(_best([evaluate(c, weight, source) for c in node.children], source), node.boost)
    if isinstance(node, All):
        parts = []
        for child in node.children:
            part = evaluate(child, weight, source)
            if not len(part):
                return EMPTY
            parts.append(part)
        return _boosted(_all(parts), node.boost)
    if isinstance(node, Without):
        kept = evaluate(node.kept, weight, source)
        if not len(kept):
            return EMPTY
        excluded = matched(node.excluded, weight, source)
        keep = ~_member(kept.docs, excluded)
        return _boosted(Scored(kept.docs[keep], kept.scores[keep]), node.boost)
    if isinstance(node, Maybe):
        required = evaluate(node.required, weight, source)
        if not len(required):
            return EMPTY
        optional = evaluate(node.optional, weight, source)
        total = required.scores.copy()
        inside = _member(optional.docs, required.docs)
        total[np.searchsorted(required.docs, optional.docs[inside])] += optional.scores[inside]
        return _boosted(Scored(required.docs, total), node.boost)
    if isinstance(node, Nothing):
        return EMPTY
    raise TypeError(f"no evaluation for {type(node).__name__}")


def matched(node: Node, weight: Weight, source: SegmentSource) -> np.ndarray:
    """The passages ``node`` matches, without their scores (an exclusion's)."""
    return evaluate(node, weight, source).docs


def _term(weight: Weight, source: SegmentSource, field: str, text: str) -> Scored:
    postings = source.postings(field, text)
    if not len(postings.docs):
        return EMPTY
    stats = weight.stats(field, text)
    lengths = source.lengths(field)[postings.docs]
    return Scored(postings.docs, bm25.scores(stats.idf, stats.avgfl, postings.tf, lengths))


def _boosted(scored: Scored, boost: float) -> Scored:
    if boost == 1.0 or not len(scored):
        return scored
    return Scored(scored.docs, scored.scores * boost)


# Children holding more postings together than this share of a segment's passages are combined in
# the segment's scratch arrays (linear); fewer, by sorting their passages.
_DENSE_SHARE = 1 / 64


def _sum(parts: list[Scored], source: SegmentSource) -> Scored:
    """Each passage any part holds, with the sum of the parts that hold it, added in the parts' order."""
    return _combine(parts, source, add=True)


def _best(parts: list[Scored], source: SegmentSource) -> Scored:
    """Each passage any part holds, with the highest of their scores there (scores are positive)."""
    return _combine(parts, source, add=False)


def _combine(parts: list[Scored], source: SegmentSource, *, add: bool) -> Scored:
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    dense = sum(len(p) for p in parts) > _DENSE_SHARE * source.count
    if dense:
        pair = source.scratch()
        scores, seen = pair
    else:
        union = distinct(np.concatenate([p.docs for p in parts]))
        scores = np.zeros(len(union), dtype=np.float64)
    for part in parts:  # a part's passages are distinct: no update is lost
        at = part.docs if dense else np.searchsorted(union, part.docs)
        if add:
            scores[at] += part.scores
        else:
            scores[at] = np.maximum(scores[at], part.scores)
        if dense:
            seen[at] = True
    if not dense:
        return Scored(union, scores)
    union = np.flatnonzero(seen)
    combined = scores[union]
    source.give_back(pair, union)
    return Scored(union, combined)


def _all(parts: list[Scored]) -> Scored:
    common = parts[0].docs
    for part in parts[1:]:
        common = common[_member(common, part.docs)]
    total = np.zeros(len(common), dtype=np.float64)
    for part in parts:
        total += part.scores[np.searchsorted(part.docs, common)]
    return Scored(common, total)


def _member(docs: np.ndarray, within: np.ndarray) -> np.ndarray:
    """For each of ``docs``, whether it is in ``within`` (both ascending)."""
    if not len(within) or not len(docs):
        return np.zeros(len(docs), dtype=bool)
    at = np.minimum(np.searchsorted(within, docs), len(within) - 1)
    return within[at] == docs


def _phrase(weight: Weight, source: SegmentSource, node: Phrase) -> Scored:
    """The passages with the phrase's words at consecutive positions of the exact field (which
    leaves a position free between a passage's parts), scored by the phrase's score node there."""
    located = [source.positions(PHRASE_FIELD, word) for word in node.words]
    candidates = located[0].docs
    for word in located[1:]:
        candidates = candidates[_member(candidates, word.docs)]
    if not len(candidates):
        return EMPTY
    if len(located) > 1:
        candidates = candidates[_in_order(candidates, located)]
        if not len(candidates):
            return EMPTY
    return _scored_at(candidates, evaluate(node.score, weight, source))


def _scored_at(candidates: np.ndarray, scored: Scored) -> Scored:
    """The candidates, each with its score in ``scored`` (0.0 where that does not hold it)."""
    total = np.zeros(len(candidates), dtype=np.float64)
    inside = _member(scored.docs, candidates)
    total[np.searchsorted(candidates, scored.docs[inside])] = scored.scores[inside]
    return Scored(candidates, total)


def _near(weight: Weight, source: SegmentSource, node: Near) -> Scored:
    """The passages where an occurrence of the first word has one of each other word at most
    ``window`` positions of the exact field away (a word by any of its forms, Weight.forms), scored
    by the node's score node there × the closeness of the nearest such occurrence (``closeness``)."""
    located = []
    for word in node.words:
        forms = [p for p in (source.positions(PHRASE_FIELD, form) for form in weight.forms(word)) if len(p.docs)]
        if not forms:
            return EMPTY
        located.append(forms)
    candidates = None
    for forms in located:
        docs = forms[0].docs if len(forms) == 1 else distinct(np.concatenate([f.docs for f in forms]))
        candidates = docs if candidates is None else candidates[_member(candidates, docs)]
        if not len(candidates):
            return EMPTY
    assert candidates is not None
    occurrences = []
    for forms in located:
        each = [_keys(f, candidates) for f in forms]
        occurrences.append(each[0] if len(each) == 1 else np.sort(np.concatenate(each)))
    anchors = occurrences[0]
    # Each anchor's span: the farthest of the other words' nearest occurrences. Keys of two passages
    # lie 2**32 apart, so a word in another passage is never within a window.
    span = np.zeros(len(anchors), dtype=np.int64)
    far = np.int64(1) << 62
    for keys in occurrences[1:]:
        at = np.searchsorted(keys, anchors)
        after = np.where(at < len(keys), keys[np.minimum(at, len(keys) - 1)] - anchors, far)
        before = np.where(at > 0, anchors - keys[np.maximum(at - 1, 0)], far)
        span = np.maximum(span, np.minimum(after, before))
    near = span <= node.window
    if not near.any():
        return EMPTY
    docs, spans = anchors[near] >> 32, span[near]
    candidates, first = np.unique(docs, return_index=True)  # anchors ascend by passage
    scored = _scored_at(candidates, evaluate(node.score, weight, source))
    return Scored(candidates, scored.scores * closeness(np.minimum.reduceat(spans, first)))


def closeness(span: np.ndarray) -> np.ndarray:
    """How much of its score a group of near words keeps, by the span of its nearest occurrence (the
    farthest word's distance from the first): all of it side by side (span 1, or 0 where one word
    counts for two), 2/3 with one word between, half with two, 2 / (1 + span) in general."""
    return 2.0 / (1.0 + np.maximum(span, 1))


def _keys(located: Positions, within: np.ndarray) -> np.ndarray:
    """The term's occurrences in the passages of ``within`` (ascending), each as passage << 32 |
    position, ascending (int64). Looked up per passage of ``within``, which is the shorter list: a
    phrase's common word holds far more passages than the phrase's candidates."""
    if not len(located.docs) or not len(within):
        return np.zeros(0, dtype=np.int64)
    at = np.minimum(np.searchsorted(located.docs, within), len(located.docs) - 1)
    rows = at[located.docs[at] == within]
    counts = located.counts[rows]
    owner = np.repeat(located.docs[rows], counts)
    offsets = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return (owner << 32) + located.positions[np.repeat(located.starts[rows], counts) + offsets].astype(np.int64)


def _in_order(candidates: np.ndarray, located: list[Positions]) -> np.ndarray:
    """Which candidates (held by every word) have word i at position p + i for some p: a boolean
    mask over the candidates."""
    n = len(located)
    starts = None  # passage << 32 | the position the phrase would start at (+ n, never < 0)
    for i, word in enumerate(located):
        keys = _keys(word, candidates) + (n - i)
        starts = distinct(keys) if starts is None else np.intersect1d(starts, keys, assume_unique=True)
        if not len(starts):
            break
    if starts is None or not len(starts):
        return np.zeros(len(candidates), dtype=bool)
    return _member(candidates, distinct(starts >> 32))
