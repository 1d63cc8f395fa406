"""BestField: a word scores by its best-matching field (a "dis-max"; a tiebreak share of the others is possible,
svar uses none: see FIELD_TIEBREAK in query.py).

Whoosh's own DisjunctionMax (2.7 and whoosh3 alike) scores a document with sub-matchers that sit on
later documents, so a passage could take the score of the next one, and nests binary matchers in an
order that depends on each segment's term counts, so the tiebreak share did too. This matcher holds
all the fields' matchers side by side and only counts the ones on the current document.
"""

from __future__ import annotations

from whoosh.matching import Matcher, WrappingMatcher
from whoosh.query import DisjunctionMax


class BestFieldMatcher(Matcher):
    """The highest sub-matcher score on the current document plus ``tiebreak`` × the others' sum."""

    def __init__(self, subs: list[Matcher], tiebreak: float = 0.0) -> None:
        self._subs = list(subs)
        # A field's boost comes as a wrapper around its postings; applied here, the same product is
        # one call fewer for every posting ("id", "is_active", "score" each went through the wrapper).
        self._fields = [(m.child, m.boost) if type(m) is WrappingMatcher else (m, 1.0) for m in self._subs]
        # Each active field's current passage, in step with _active: asking every field's postings for
        # its id at every step was a third of a question's time (34 million calls for 60 queries at 16x).
        # Asked when the matcher is first walked: search/columnar.py reads the fields whole, never walks.
        self._active = [f for f in self._fields if f[0].is_active()]
        self._ids: list[int] | None = None
        self._id: int | None = None
        self.tiebreak = tiebreak
        # The fields whose blocks can be skipped by quality, and for each the last block found able
        # to score above a minimum (its last passage, that minimum): top-k asks before every passage.
        self._skippable = {id(m) for m, _ in self._fields
                           if not isinstance(m, WrappingMatcher) and m.supports_block_quality() and hasattr(m, "block_max_id")}
        self._good_block: dict[int, tuple[int, float]] = {}

    def __repr__(self) -> str:
        return f"BestFieldMatcher({self._subs!r}, tiebreak={self.tiebreak})"

    def is_active(self) -> bool:
        return bool(self._active)

    def reset(self) -> None:
        for m in self._subs:
            m.reset()
        self._active = list(self._fields)
        self._settle()

    def children(self) -> list[Matcher]:
        return list(self._subs)

    def fields(self) -> list[tuple[Matcher, float]]:
        """Each field's postings and the boost its score is multiplied by."""
        return list(self._fields)

    def copy(self) -> "BestFieldMatcher":
        return BestFieldMatcher([m.copy() for m in self._subs], tiebreak=self.tiebreak)

    def replace(self, minquality: float = 0) -> Matcher:
        return self

    def id(self) -> int:
        current = self._id
        if current is None:
            current = self._id = min(self._positions())
        return current

    def _positions(self) -> list[int]:
        ids = self._ids
        if ids is None:
            ids = self._ids = [m.id() for m, _ in self._active]
        return ids

    def next(self) -> None:
        # Not skip_to(id + 1): Whoosh's skip_to asks a posting list for its id and block again before
        # stepping, the very calls the list of current passages saves on every step.
        current = self.id()
        ids = self._ids
        ended = False
        for i, (m, _) in enumerate(self._active):
            if ids[i] == current:
                m.next()
                if m.is_active():
                    ids[i] = m.id()
                else:
                    ended = True
        self._moved(ended)

    def skip_to(self, target: int) -> None:
        ids = self._positions()
        ended = False
        for i, (m, _) in enumerate(self._active):
            if ids[i] < target:
                m.skip_to(target)
                if m.is_active():
                    ids[i] = m.id()
                else:
                    ended = True
        self._moved(ended)

    def _moved(self, ended: bool) -> None:
        if ended:
            self._settle()
        else:
            self._id = None

    def _settle(self) -> None:
        # After a field ran out, or after its postings moved without this matcher (a block skip):
        # the active fields and their current passages, asked afresh.
        self._active = [f for f in self._active if f[0].is_active()]
        self._ids = [m.id() for m, _ in self._active]
        self._id = None

    def supports(self, astype: str) -> bool:
        return all(m.supports(astype) for m in self._subs)

    def weight(self) -> float:
        current = self.id()
        return max(m.weight() for (m, _), at in zip(self._active, self._ids) if at == current)

    def score(self) -> float:
        current = self.id()
        best = total = 0.0
        for (m, boost), at in zip(self._active, self._ids):
            if at == current:
                score = m.score() * boost  # what the boost wrapper computes
                total += score
                if score > best:
                    best = score
        return best + self.tiebreak * (total - best) if self.tiebreak else best

    def spans(self) -> list:
        current = self.id()
        return sorted({span for (m, _), at in zip(self._active, self._ids) if at == current for span in m.spans()})

    # The score rises with every sub-score, so the sub-matchers' bounds combine into its bound.
    def supports_block_quality(self) -> bool:
        return all(m.supports_block_quality() for m in self._subs)

    def max_quality(self) -> float:
        return self._combine([m.max_quality() for m in self._subs])

    def block_quality(self) -> float:
        return self._combine([m.block_quality() * boost for m, boost in self._active])

    def skip_to_quality(self, minquality: float) -> int:
        """Skip each field's blocks that cannot score above ``minquality``; how many were skipped.

        Sound only when the best field alone scores: a passage in a skipped block then either
        scores below ``minquality`` in that field and in all others, or is still found, with its
        true score, through a field that scores it higher. With a tiebreak the skipped field's
        share would be lost, so nothing is skipped. Fields whose postings are filtered (deleted
        passages) are not skipped either: Whoosh's filter does not re-check after a block skip.
        """
        if self.tiebreak:
            return 0
        skipped = 0
        good = self._good_block
        for m, boost in self._active:
            key = id(m)
            if key not in self._skippable:
                continue
            known = good.get(key)
            if known is not None and known[0] == m.block_max_id() and minquality <= known[1]:
                continue  # still in a block already found good enough
            skipped += m.skip_to_quality(minquality / boost)
            if m.is_active():
                good[key] = (m.block_max_id(), minquality)
        if skipped:
            self._settle()
        return skipped

    def block_bound(self, limit: float) -> tuple[float, float] | None:
        """See ``block_bound``. A field whose next posting is at or past ``limit`` adds nothing before it."""
        qualities = []
        for at, (m, boost) in sorted(zip(self._positions(), self._active), key=lambda f: f[0]):
            if at >= limit:
                break
            block = block_bound(m, limit)
            if block is None:
                return None
            qualities.append(block[0] * boost)
            limit = block[1]
        return self._combine(qualities), limit

    def _combine(self, bounds: list[float]) -> float:
        if not bounds:
            return 0.0
        best = max(bounds)
        return best + self.tiebreak * (sum(bounds) - best)


def block_bound(matcher: Matcher, limit: float) -> tuple[float, float] | None:
    """An upper bound on what ``matcher`` scores on any passage from its current one up to (not
    including) the returned limit, at most ``limit``: the end of its current postings block. None
    where the matcher cannot tell."""
    if isinstance(matcher, BestFieldMatcher):
        return matcher.block_bound(limit)
    if isinstance(matcher, WrappingMatcher):  # a boost, or a filter of deleted passages: same blocks
        block = block_bound(matcher.child, limit)
        return (block[0] * matcher.boost, block[1]) if block is not None else None
    if matcher.term() is not None and matcher.supports_block_quality() and hasattr(matcher, "block_max_id"):
        return matcher.block_quality(), min(limit, matcher.block_max_id() + 1)
    return None


class BestField(DisjunctionMax):
    """Matches any of its subqueries and scores each document by the best of them (see module)."""

    def _matcher(self, subs, searcher, context):
        matcher = BestFieldMatcher([q.matcher(searcher, context) for q in subs], tiebreak=self.tiebreak)
        if self.boost != 1.0:
            matcher = WrappingMatcher(matcher, self.boost)
        return matcher
