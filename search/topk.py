"""The best k passages for a query without scoring every match (MaxScore, Turtle & Flood 1995).

A ranked query of several words scores a passage as the sum of its summands' scores (Whoosh's union
of each word's best field and exact-form bonus, with any coordination bonus on top). Once the k-th
best score found so far is more than a set of summands could add up to together, a passage holding
only those cannot reach the page: they stop proposing passages and are looked up only for passages
the others propose (which set: see _more_optional). Every passage that is scored gets the score
Whoosh's own matcher tree gives it; only the total may then be a lower bound.

Two more ways to reach the page sooner. Passages are met in index order, so the k-th best score
rises slowly: when one of the query's words is rare, each segment's highest-bounded summand has its
first SEED_PASSAGES passages scored in full before the pass, and the k-th best of those real scores
is where the threshold starts once counting stops. And where the proposers' postings blocks
together cannot reach the threshold, up to the end of the first of those blocks, the proposers
skip there unscored (block-max bounds, as in Ding & Suel's Block-Max WAND, 2011).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections.abc import Sequence, Set as AbstractSet
from dataclasses import dataclass

from whoosh import query
from whoosh.matching import CoordMatcher, Matcher, UnionMatcher, WrappingMatcher
from whoosh.searching import Searcher

from .bestfield import BestFieldMatcher, block_bound

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


class _Summand:
    """One matcher whose score is added to a passage's: a word's best field, its exact-form bonus, a
    phrase."""

    __slots__ = ("matcher", "bound", "leaves", "terms", "_searcher", "_cost")

    def __init__(self, matcher: Matcher, searcher: Searcher | None = None) -> None:
        self.matcher = matcher
        try:
            self.bound = matcher.max_quality()
        except Exception:  # a matcher that cannot bound its scores always proposes passages
            self.bound = INFINITY
        self.leaves = list(matcher.term_matchers())
        self.terms = len(self.leaves)
        self._searcher = searcher
        self._cost: int | None = None

    @property
    def cost(self) -> int:
        """How many postings it would propose (its terms' passage counts together). Looked up only
        once there is a threshold: most searches never need it."""
        if self._cost is None:
            self._cost = _passage_count(self._searcher, (leaf.term() for leaf in self.leaves))
        return self._cost


def _matching_terms(summand: _Summand, docnum: int) -> int:
    # What Whoosh's matching_terms() counts for a matcher on docnum, without walking its tree.
    return sum(1 for leaf in summand.leaves if leaf.is_active() and leaf.id() == docnum)


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


def summands(matcher: Matcher) -> list[Matcher]:
    # A union scores a document as the sum of its parts on that document, so its parts can be
    # scored separately and added up.
    if type(matcher) is UnionMatcher:
        return summands(matcher.a) + summands(matcher.b)
    return [matcher] if matcher.is_active() else []


def plain(score: float, matching: int) -> float:
    return score


def segment_scoring(matcher: Matcher) -> tuple:
    """How a segment's matcher turns the sum of its parts and their matching terms into a score,
    and the matcher whose summands those parts are."""
    if isinstance(matcher, CoordMatcher):
        # Whoosh's coordination bonus ("SQR"), from the sum of the parts and the matching terms.
        return matcher._sqr, matcher.child
    return plain, matcher


def _part(summand: _Summand, docnum: int, counting: bool) -> tuple[float | None, int]:
    """What ``summand`` adds to ``docnum``'s score (None: it does not match there), and its matching
    terms; moves the summand's matcher to ``docnum``, which must not be behind it."""
    m = summand.matcher
    if m.is_active():
        if m.id() < docnum:
            m.skip_to(docnum)
        if m.is_active() and m.id() == docnum:
            return m.score(), (_matching_terms(summand, docnum) if counting else 0)
    return None, 0


def _more_optional(optional: list[_Summand], proposing: list[_Summand], final, floor: float,
                   coordinated: bool) -> list[_Summand]:
    """The proposing summands that join the optional ones, as long as a passage holding only optional
    summands still cannot reach ``floor``: filled lowest bound first (MaxScore's order) or most
    postings per point of bound first (a rare word's exact form then keeps proposing, instead of
    taking the room a common word needs), whichever leaves the proposers fewer postings to walk. A
    single proposer that can skip blocks walks few of its postings: it counts an eighth of them."""
    if floor == -INFINITY:  # no threshold yet: every summand proposes
        return []

    def fill(order: list[_Summand]) -> list[_Summand]:
        bound = sum(s.bound for s in optional)
        terms = sum(s.terms for s in optional)
        joining = []
        for s in order:
            if final(bound + s.bound, terms + s.terms) < floor:
                joining.append(s)
                bound += s.bound
                terms += s.terms
        return joining

    def walked(joining: list[_Summand]) -> float:
        leaving = {id(s) for s in joining}
        staying = [s for s in proposing if id(s) not in leaving]
        cost = sum(s.cost for s in staying)
        return cost / 8 if _lone([s.matcher for s in staying], coordinated, floor) is not None else cost

    by_bound = fill(sorted(proposing, key=lambda s: s.bound))
    by_postings = fill(sorted(proposing, key=lambda s: s.cost / s.bound if s.bound > 0 else INFINITY, reverse=True))
    return min(by_bound, by_postings, key=walked)


def _make_optional(joining: list[_Summand], optional: list[_Summand], proposing: list[_Summand],
                   proposers: list[Matcher], at: list[float]) -> tuple:
    """The optional summands with ``joining`` among them, highest bound first; what each and those
    after it can add together (score, matching terms); and the proposing summands, their matchers and
    current documents without ``joining``."""
    optional = sorted(optional + joining, key=lambda s: -s.bound)
    rest = [(0.0, 0)]
    for s in reversed(optional):
        rest.append((rest[-1][0] + s.bound, rest[-1][1] + s.terms))
    leaving = {id(s) for s in joining}
    staying = [j for j, s in enumerate(proposing) if id(s) not in leaving]
    return (optional, rest[::-1], [proposing[j] for j in staying], [proposers[j] for j in staying],
            [at[j] for j in staying])


def _keep_best(best: list[float], score: float, k: int) -> None:
    # best: a min-heap of the k highest scores offered so far.
    if len(best) < k:
        heapq.heappush(best, score)
    elif score > best[0]:
        heapq.heapreplace(best, score)


# A filter leads the walk when it allows at most one passage in this many.
SPARSE_FILTER = 8

# How many passages of each segment's highest-bounded summand are scored to seed the threshold; a
# query is seeded only when one of its words is in no more passages than this in the whole index.
SEED_PASSAGES = 256


def _passage_count(searcher: Searcher, terms) -> int:
    # How many passages hold these (field, text) terms, counted once per term: never fewer than hold any.
    return sum(searcher.doc_frequency(*term) for term in terms if term is not None)


def _seed_scores(searcher: Searcher, q: query.Query, context, allow: AbstractSet[int] | None, k: int) -> list[float]:
    """A min-heap of the k best scores among passages of each segment's highest-bounded summand:
    real passages' real scores, so its smallest is a floor for the k-th best of the whole search.
    A query of one summand gains nothing from it."""
    seeds: list[float] = []
    words = list(q.children()) if isinstance(q, query.Or) else []
    if len(words) < 2 or min(_passage_count(searcher, word.iter_all_terms()) for word in words) > SEED_PASSAGES:
        return seeds  # a common word's first passages are no better a seed than the pass's first hundred
    if any(isinstance(leaf, query.Phrase) for leaf in q.leaves()):
        return seeds  # a phrase checks positions to score a passage: seeding cost more than it saved
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = q.matcher(subsearcher, context)
        if not matcher.is_active():
            continue
        final, matcher = segment_scoring(matcher)
        here = [_Summand(m) for m in summands(matcher)]
        if len(here) < 2:
            continue
        lead = max(here, key=lambda s: s.bound)
        counting = final is not plain
        others = [s for s in here if s is not lead]
        m = lead.matcher
        for _ in range(SEED_PASSAGES):
            if not m.is_active():
                break
            docnum = m.id()
            if allow is None or offset + docnum in allow:
                parts = [m.score()]
                matching = _matching_terms(lead, docnum) if counting else 0
                for summand in others:
                    part, terms = _part(summand, docnum, counting)
                    if part is not None:
                        parts.append(part)
                        matching += terms
                _keep_best(seeds, final(math.fsum(parts), matching), k)
            m.next()
    return seeds


def top_passages(searcher: Searcher, q: query.Query, allowed: Sequence[int] | None, *, k: int,
                 count_up_to: int | None = None) -> TopPassages:
    """The k best-scoring passages (every passage tied with the k-th included) among ``allowed``
    (ascending; None: all). Matches are counted exactly up to ``count_up_to`` (None: all of them);
    past that, passages that cannot reach the top k may be skipped and the total is a lower bound.
    """
    allow = set(allowed) if allowed is not None else None
    context = searcher.context(needs_current=True)
    best: list[float] = []  # min-heap of the k best scores so far
    kept: list[tuple[float, int]] = []  # every passage that scored at least the k-th best when seen
    count = 0
    pruned = False
    threshold = floor = -INFINITY  # the k-th best score once counting stops; floor: with slack
    seeds = _seed_scores(searcher, q, context, allow, k) if k and count_up_to is not None else []
    seeded = seeds[0] if k and len(seeds) == k else -INFINITY
    # A filter that lets through few passages (a year, a party and a year) leads the walk: the
    # proposers skip straight to the next passage it allows instead of stepping through the rest.
    sparse = allowed if allowed is not None and len(allowed) * SPARSE_FILTER <= searcher.doc_count_all() else None

    for subsearcher, offset in searcher.leaf_searchers():
        matcher = q.matcher(subsearcher, context)
        if not matcher.is_active():
            continue
        if sparse is not None:  # this segment's allowed passages, as its document numbers
            here = [d - offset for d in sparse[bisect_left(sparse, offset):bisect_left(sparse, offset + subsearcher.doc_count_all())]]
            if not here:
                continue
        final, matcher = segment_scoring(matcher)
        counting = final is not plain
        # The proposing summands, their matchers and current documents (END once used up), kept in
        # step; the optional ones, highest bound first, with what each and those after it can add.
        proposing = [_Summand(m, subsearcher) for m in summands(matcher)]
        proposers = [s.matcher for s in proposing]
        at = [m.id() if m.is_active() else END for m in proposers]
        optional, rest, proposing, proposers, at = _make_optional(
            _more_optional([], proposing, final, floor, counting), [], proposing, proposers, at)
        lone = _lone(proposers, counting, floor)  # the only proposer, when its blocks can be skipped
        recheck = -1  # below this passage, the proposers' blocks were found able to reach the page
        while True:
            if lone is not None and at[0] != END:
                # Skip the blocks that cannot reach the page even with every optional summand's best.
                if lone.skip_to_quality(_lowered(floor - rest[0][0])):
                    pruned = True
                    at[0] = lone.id() if lone.is_active() else END
            docnum = min(at, default=END)  # no proposers: nothing here can reach the page
            if docnum == END:
                break
            if sparse is not None:
                i = bisect_left(here, docnum)
                if i == len(here):
                    break  # nothing after this passage is allowed
                if here[i] > docnum:
                    for j, m in enumerate(proposers):
                        if at[j] < here[i]:
                            m.skip_to(here[i])
                            at[j] = m.id() if m.is_active() else END
                    continue
            if floor > -INFINITY and docnum >= recheck:
                # Up to the end of the first of their blocks, the passages the proposers propose
                # score at most their blocks' bounds plus the optional summands': if that cannot
                # reach the page, they skip there at once.
                bound, terms = rest[0]
                end = END
                for j in sorted(range(len(at)), key=at.__getitem__):  # nearest first
                    if at[j] >= end:
                        break
                    block = block_bound(proposers[j], end)
                    if block is None:  # a phrase, say: no blocks to skip while it proposes
                        end = docnum
                        break
                    bound += block[0]
                    terms += proposing[j].terms
                    end = block[1]
                if end > docnum and final(bound, terms) < floor:
                    pruned = True
                    for j, m in enumerate(proposers):
                        if at[j] < end:
                            m.skip_to(end)
                            at[j] = m.id() if m.is_active() else END
                    continue
                recheck = max(end, docnum + 1) if end > docnum else END
            parts: list[float] = []
            score, matching = 0.0, 0
            # The parts are added up with fsum: exact, so the same passage scores the same whichever
            # summands proposed it (that depends on each segment's bounds) and ties stay ties.
            wanted = allow is None or offset + docnum in allow
            for j, m in enumerate(proposers):
                if at[j] == docnum:
                    if wanted:
                        part = m.score()
                        parts.append(part)
                        score += part
                        if counting:
                            matching += _matching_terms(proposing[j], docnum)
                    m.next()
                    at[j] = m.id() if m.is_active() else END
            if not wanted:
                continue
            count += 1
            # The optional summands, highest bound first, while the passage can still reach the page.
            reachable = True
            for i, summand in enumerate(optional):
                rest_score, rest_terms = rest[i]
                if final(score + rest_score, matching + rest_terms) < floor:
                    reachable = False
                    break
                part, terms = _part(summand, docnum, counting)
                if part is not None:
                    parts.append(part)
                    score += part
                    matching += terms
            if not reachable:
                continue
            total_score = final(math.fsum(parts), matching)
            if total_score < threshold:
                continue
            kept.append((total_score, offset + docnum))
            if k:
                _keep_best(best, total_score, k)
                reached = max(best[0] if len(best) == k else -INFINITY, seeded)
                if count_up_to is not None and count > count_up_to and reached > threshold:
                    threshold = reached
                    floor = _lowered(threshold)
                    kept = [entry for entry in kept if entry[0] >= threshold] if len(kept) > 4 * k else kept
                    joining = _more_optional(optional, proposing, final, floor, counting)
                    if joining:
                        optional, rest, proposing, proposers, at = _make_optional(
                            joining, optional, proposing, proposers, at)
                        recheck = -1
                    lone = _lone(proposers, counting, floor)
        # Optional summands may hold passages nobody proposed: past this point the count is a lower bound.
        pruned = pruned or bool(optional)

    cutoff = best[0] if len(best) == k and k else -INFINITY
    entries = sorted((entry for entry in kept if entry[0] >= cutoff), key=lambda e: (-e[0], e[1]))
    if k == 0:
        entries = []
    return TopPassages(entries, count, exact=not pruned)
