"""The best k passages for a query without scoring every match (MaxScore, Turtle & Flood 1995).

A ranked query of several words scores a passage as the sum of one score per word (Whoosh's union
of the words' matchers, with its coordination bonus on top). Common words have low upper bounds:
once the k-th best score found so far is more than the common words could add up to together,
a passage that holds only common words cannot reach the page. Those words stop proposing
passages and are looked up only for passages the rarer words propose. Every passage that is
scored gets the score Whoosh's own matcher tree gives it; only the total may then be a lower bound.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from whoosh import query
from whoosh.matching import CoordMatcher, Matcher, UnionMatcher, WrappingMatcher
from whoosh.searching import Searcher

from .bestfield import BestFieldMatcher

INFINITY = float("inf")
END = INFINITY  # the current document of a used-up matcher
# Bounds are compared with a little slack, so rounding never drops a passage tied with the k-th.
SLACK = 1e-9


def _lowered(score: float) -> float:
    return score - SLACK * (1 + abs(score))


@dataclass
class TopPassages:
    """The best passages, best first (score, document number), and how many passages matched."""

    entries: list[tuple[float, int]]
    total: int
    exact: bool  # False: ``total`` is a lower bound; more passages match than were counted


class _Clause:
    """One summand of the query's score: a word's matcher, with an upper bound on what it adds."""

    __slots__ = ("matcher", "bound", "terms", "leaves")

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        try:
            self.bound = matcher.max_quality()
        except Exception:  # a matcher that cannot bound its scores always proposes passages
            self.bound = INFINITY
        self.leaves = list(matcher.term_matchers())
        self.terms = len(self.leaves)


def _matching_terms(clause: _Clause, docnum: int) -> int:
    # What Whoosh's matching_terms() counts for a matcher on docnum, without walking its tree.
    return sum(1 for leaf in clause.leaves if leaf.is_active() and leaf.id() == docnum)


def _skips_soundly(matcher: Matcher) -> bool:
    # Whoosh's unions, intersections and wrappers skip a block on one side's quality alone, or do
    # not re-check a filter after skipping; a best-field matcher and a bare term's postings do it right.
    return isinstance(matcher, BestFieldMatcher) or (matcher.term() is not None and not isinstance(matcher, WrappingMatcher)
                                                     and matcher.supports_block_quality())


def _lone(proposers: list[Matcher], coordinated: bool, floor: float) -> Matcher | None:
    # Blocks are skipped only for a single proposer, once there is a threshold to skip below, and not
    # under coordination (skipping a field would change a passage's count of matching terms).
    if len(proposers) == 1 and not coordinated and floor > -INFINITY and _skips_soundly(proposers[0]):
        return proposers[0]
    return None


def _summands(matcher: Matcher) -> list[Matcher]:
    # A union scores a document as the sum of its parts on that document, so its parts can be
    # scored separately and added up.
    if type(matcher) is UnionMatcher:
        return _summands(matcher.a) + _summands(matcher.b)
    return [matcher] if matcher.is_active() else []


def _plain(score: float, matching: int) -> float:
    return score


def top_passages(searcher: Searcher, q: query.Query, allow: AbstractSet[int] | None, *, k: int,
                 count_up_to: int | None = None) -> TopPassages:
    """The k best-scoring passages (every passage tied with the k-th included) among those in
    ``allow`` (None: all). Matches are counted exactly up to ``count_up_to`` (None: all of them);
    past that, passages that cannot reach the top k may be skipped and the total is a lower bound.
    """
    context = searcher.context(needs_current=True)
    best: list[float] = []  # min-heap of the k best scores so far
    kept: list[tuple[float, int]] = []  # every passage that scored at least the k-th best when seen
    count = 0
    pruned = False
    threshold = floor = -INFINITY  # the k-th best score once counting stops; floor: with slack

    for subsearcher, offset in searcher.leaf_searchers():
        matcher = q.matcher(subsearcher, context)
        if not matcher.is_active():
            continue
        final = _plain
        if isinstance(matcher, CoordMatcher):
            # Whoosh's coordination bonus ("SQR"), from the sum of the parts and the matching terms.
            final = matcher._sqr
            matcher = matcher.child
        clauses = sorted((_Clause(m) for m in _summands(matcher)), key=lambda c: (c.bound, c.terms))
        # bound_below[i]: the most that clauses[0:i] can add together (score, matching terms).
        bound_below = [(0.0, 0)]
        for clause in clauses:
            score, terms = bound_below[-1]
            bound_below.append((score + clause.bound, terms + clause.terms))

        def optional_count() -> int:
            # How many of the lowest-bounded clauses cannot make a passage reach the threshold alone.
            n = 0
            while n < len(clauses) and final(*bound_below[n + 1]) < floor:
                n += 1
            return n

        optional = optional_count()
        # The proposers' matchers and their current documents (END once used up), kept in step.
        proposers = [c.matcher for c in clauses[optional:]]
        at = [m.id() if m.is_active() else END for m in proposers]
        counting = final is not _plain
        lone = _lone(proposers, counting, floor)  # the only proposer, when its blocks can be skipped
        while True:
            if lone is not None and at[0] != END:
                # Skip the blocks that cannot reach the page even with every optional clause's best.
                if lone.skip_to_quality(_lowered(floor - bound_below[optional][0])):
                    pruned = True
                    at[0] = lone.id() if lone.is_active() else END
            docnum = min(at, default=END)  # no proposers: nothing here can reach the page
            if docnum == END:
                break
            parts: list[float] = []
            score, matching = 0.0, 0
            # The parts are added up with fsum: exact, so the same passage scores the same whichever
            # clauses proposed it (that depends on each segment's bounds) and ties stay ties.
            wanted = allow is None or offset + docnum in allow
            for j, m in enumerate(proposers):
                if at[j] == docnum:
                    if wanted:
                        part = m.score()
                        parts.append(part)
                        score += part
                        if counting:
                            matching += _matching_terms(clauses[optional + j], docnum)
                    m.next()
                    at[j] = m.id() if m.is_active() else END
            if not wanted:
                continue
            count += 1
            # The optional clauses, highest bound first, while the passage can still reach the page.
            reachable = True
            for n in range(optional - 1, -1, -1):
                rest_score, rest_terms = bound_below[n + 1]
                if final(score + rest_score, matching + rest_terms) < floor:
                    reachable = False
                    break
                m = clauses[n].matcher
                if m.is_active():
                    if m.id() < docnum:
                        m.skip_to(docnum)
                    if m.is_active() and m.id() == docnum:
                        part = m.score()
                        parts.append(part)
                        score += part
                        if counting:
                            matching += _matching_terms(clauses[n], docnum)
            if not reachable:
                continue
            total_score = final(math.fsum(parts), matching)
            if total_score < threshold:
                continue
            kept.append((total_score, offset + docnum))
            if k:
                if len(best) < k:
                    heapq.heappush(best, total_score)
                elif total_score > best[0]:
                    heapq.heapreplace(best, total_score)
                if len(best) == k and count_up_to is not None and count > count_up_to and best[0] > threshold:
                    threshold = best[0]
                    floor = _lowered(threshold)
                    kept = [entry for entry in kept if entry[0] >= threshold] if len(kept) > 4 * k else kept
                    new_optional = optional_count()
                    if new_optional != optional:
                        pruned = True
                        proposers = proposers[new_optional - optional:]
                        at = at[new_optional - optional:]
                        optional = new_optional
                    lone = _lone(proposers, counting, floor)
        # Optional clauses may hold passages nobody proposed: past this point the count is a lower bound.
        pruned = pruned or optional > 0

    cutoff = best[0] if len(best) == k and k else -INFINITY
    entries = sorted((entry for entry in kept if entry[0] >= cutoff), key=lambda e: (-e[0], e[1]))
    if k == 0:
        entries = []
    return TopPassages(entries, count, exact=not pruned)

