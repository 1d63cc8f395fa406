"""A search's index-wide statistics, as Whoosh's scorers take them from the top-level searcher:
each term's passage count and idf, each field's average length, each prefix's indexed terms, each
near word's forms in the exact field.

The scorer (search/scorer.py) reads them here, once per search and term.
"""

from __future__ import annotations

import weakref
from typing import NamedTuple

from svar.index.analysis import STEM_OVERRIDES, stem
from svar.index.schema import PHRASE_FIELD

from . import bm25
from .plan import Prefix
from .query import near_as_written, near_form


class TermStats(NamedTuple):
    """A term's statistics over the whole index (a named tuple: see search/plan.py)."""

    idf: float
    avgfl: float  # its field's average length


class Weight:
    """The index-wide statistics of a plan's terms, looked up when first asked for and kept for the
    searcher's life: an index that changes gets a new searcher, so new statistics."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        known = _KNOWN.get(searcher)
        if known is None:
            known = _KNOWN[searcher] = ({}, {}, {}, {})
        self._stats: dict[tuple[str, str], TermStats]  # (field, text) → its statistics
        self._frequencies: dict[tuple[str, str], int]  # (field, text) → passages holding it
        self._avgfl: dict[str, float]  # field → its average length
        self._expansions: dict[tuple[str, str, str | None], tuple[str, ...]]  # (field, text, pattern) → its terms
        self._stats, self._frequencies, self._avgfl, self._expansions = known

    def frequency(self, field: str, text: str) -> int:
        """How many passages hold the term (deleted ones too, as Whoosh counts them)."""
        key = (field, text)
        found = self._frequencies.get(key)
        if found is None:
            found = self._frequencies[key] = self.searcher.doc_frequency(field, text)
        return found

    def stats(self, field: str, text: str) -> TermStats:
        key = (field, text)
        found = self._stats.get(key)
        if found is None:
            searcher = self.searcher
            avgfl = self._avgfl.get(field)
            if avgfl is None:
                avgfl = self._avgfl[field] = searcher.avg_field_length(field) or 1
            found = self._stats[key] = TermStats(bm25.idf(self.frequency(field, text), searcher.doc_count_all()), avgfl)
        return found

    def expansion(self, leaf: Prefix) -> tuple[str, ...]:
        """The indexed terms of the prefix's field that it matches, in term order."""
        key = (leaf.field, leaf.text, leaf.pattern)
        found = self._expansions.get(key)
        if found is None:
            reader = self.searcher.reader()
            fieldobj = self.searcher.schema[leaf.field]
            terms = (fieldobj.from_bytes(b) for b in reader.expand_prefix(leaf.field, leaf.text))
            found = self._expansions[key] = tuple(t for t in terms if leaf.accepts(t))
        return found

    def forms(self, word: str) -> tuple[str, ...]:
        """The exact field's terms that count as ``word`` where words are near (search/plan.py's
        ``Near``; search/query.py's ``near_form``): found among the terms that begin with its stem
        (a stem begins the words it is the stem of) and the words STEM_OVERRIDES maps (which it
        does not)."""
        key = (PHRASE_FIELD, word, "~")
        found = self._expansions.get(key)
        if found is None and near_as_written(word):
            found = self._expansions[key] = (word,) if self.frequency(PHRASE_FIELD, word) else ()
        if found is None:
            fieldobj = self.searcher.schema[PHRASE_FIELD]
            prefixed = self.searcher.reader().expand_prefix(PHRASE_FIELD, stem(word))
            terms = {fieldobj.from_bytes(b) for b in prefixed} | {word} | set(STEM_OVERRIDES)
            found = self._expansions[key] = tuple(sorted(
                t for t in terms if near_form(t, word) and self.frequency(PHRASE_FIELD, t)))
        return found


# Searcher → (term statistics, term frequencies, average field lengths, prefix expansions) found so far.
_KNOWN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
