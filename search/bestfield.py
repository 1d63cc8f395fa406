"""BestField: a word scores by its best-matching field, plus a little of the others (a "dis-max").

Whoosh's own DisjunctionMax (2.7 and whoosh3 alike) scores a document with sub-matchers that sit on
later documents, so a passage could take the score of the next one; this matcher only counts the
sub-matchers on the current document.
"""

from __future__ import annotations

from whoosh.matching import DisjunctionMaxMatcher
from whoosh.query import DisjunctionMax


class BestFieldMatcher(DisjunctionMaxMatcher):
    """The higher of two sub-matchers' scores on the current document, plus tiebreak × the lower."""

    def __init__(self, a, b, tiebreak: float = 0.0) -> None:
        super().__init__(a, b, tiebreak=tiebreak)

    def copy(self) -> "BestFieldMatcher":
        return BestFieldMatcher(self.a.copy(), self.b.copy(), tiebreak=self.tiebreak)

    def replace(self, minquality=0):
        replaced = super().replace(minquality)
        if isinstance(replaced, DisjunctionMaxMatcher) and not isinstance(replaced, BestFieldMatcher):
            return BestFieldMatcher(replaced.a, replaced.b, tiebreak=self.tiebreak)
        return replaced

    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active():
            return b.score()
        if not b.is_active():
            return a.score()
        a_id, b_id = a.id(), b.id()
        if a_id < b_id:
            return a.score()
        if b_id < a_id:
            return b.score()
        a_score, b_score = a.score(), b.score()
        return max(a_score, b_score) + self.tiebreak * min(a_score, b_score)

    # Upper bounds must allow for the tiebreak share, or whole blocks could be skipped wrongly.
    def max_quality(self) -> float:
        return max(self.a.max_quality(), self.b.max_quality()) * (1 + self.tiebreak)

    def block_quality(self) -> float:
        return max(self.a.block_quality(), self.b.block_quality()) * (1 + self.tiebreak)


class BestField(DisjunctionMax):
    """Matches any of its subqueries and scores each document by the best of them (see module)."""

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        return self._tree_matcher(subs, BestFieldMatcher, searcher, context,
                                  lambda q: q.estimate_size(reader), tiebreak=self.tiebreak)
