"""“Did you mean” and fuzzy retries: for query words the index does not hold, the closest whole
words it does hold (from the spelling word list, so suggestions are words, never stems)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from bisect import bisect_left

from whoosh.searching import Searcher

from svar.index.schema import TEXT_FIELDS

# The exact-form field holds every word as written, so it doubles as the spelling word list.
SPELLING_FIELD = "exact"
MAX_EDITS = 2
# How many first letters a similar word must share. 1 made a word missing from the index several
# times faster to look up, but lost compounds the splitter misses ("sparkassa" → "bosparkassa"),
# dropping Riksdag compound MRR from 0.85 to 0.63; relevance wins.
PREFIX = 0


def unknown_words(searcher: Searcher, words: list[str]) -> list[str]:
    """The typed words that match in no text field, however analysed (stem, part, folded)."""
    reader = searcher.reader()
    schema = searcher.schema
    unknown = []
    for word in words:
        found = False
        for fieldname in TEXT_FIELDS:
            terms = list(schema[fieldname].process_text(word, mode="query"))
            if any(reader.doc_frequency(fieldname, t) for t in terms):
                found = True
                break
        if not found:
            unknown.append(word)
    return unknown


def corrections(searcher: Searcher, words: list[str], limit: int = 1) -> dict[str, list[str]]:
    """For each unknown word, up to ``limit`` indexed words at the smallest edit distance (at most
    two), the most frequent first."""
    reader = searcher.reader()
    found: dict[str, list[str]] = {}
    for word in unknown_words(searcher, words):
        for distance in range(1, MAX_EDITS + 1):
            # Only the closest: a word one edit away is what was meant far more often than one two away.
            candidates = similar_words(reader, word.lower(), distance)[:limit]
            if candidates:
                found[word] = candidates
                break
    return found


def similar_words(reader, word: str, distance: int) -> list[str]:
    """Indexed words within ``distance`` edits of ``word`` (Levenshtein), the most frequent first.

    Each segment's word list is held in memory, by length (a word more than ``distance`` letters
    longer or shorter cannot match). With RapidFuzz installed (the ``fast`` extra) distances are
    computed in C; without it Whoosh's Levenshtein automaton walks the lists: the same words, some
    ten times slower. (Walking it over the on-disk term table seeks ~3,000 times per word; Whoosh's
    reader over several segments would compare every word in Python, by another distance.)
    """
    similar: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        if leaf.segment() is None:  # an empty index's reader: no words to offer
            continue
        by_length = _segment_words(leaf)
        lists = [by_length[n] for n in range(max(1, len(word) - distance), len(word) + distance + 1) if n in by_length]
        similar.update(_within(word, distance, lists))
    similar.discard(word)
    return sorted(similar, key=lambda w: (-reader.frequency(SPELLING_FIELD, w), w))


def _within(word: str, distance: int, lists: list[list[str]]) -> Iterator[str]:
    try:
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import extract_iter
    except ImportError:
        from whoosh.automata.fsa import find_all_matches
        from whoosh.automata.lev import levenshtein_automaton

        automaton = levenshtein_automaton(word, distance, prefix=PREFIX).to_dfa()
        for words in lists:
            yield from find_all_matches(automaton, _Skipper(words))
        return
    for words in lists:
        for found, _, _ in extract_iter(word, words, scorer=Levenshtein.distance, score_cutoff=distance):
            if found[:PREFIX] == word[:PREFIX]:
                yield found


# Segment id → its spelling words by length, each list sorted. A segment never changes once written,
# so the lists stay valid for the life of the process; only the most recently used segments are kept.
_WORDS: dict[str, dict[int, list[str]]] = {}
_WORDS_KEPT = 16


def _segment_words(leaf) -> dict[int, list[str]]:
    key = leaf.segment().segment_id()  # random, so unique across indexes (a copied index has the same words)
    words = _WORDS.pop(key, None)
    if words is None:
        fieldobj = leaf.schema[SPELLING_FIELD]
        words = {}
        for term in leaf.lexicon(SPELLING_FIELD):  # in sorted order, so each list is sorted too
            text = fieldobj.from_bytes(term)
            words.setdefault(len(text), []).append(text)
    _WORDS[key] = words  # (re)inserted last: the dict's order is the order of use
    while len(_WORDS) > _WORDS_KEPT:
        del _WORDS[next(iter(_WORDS))]
    return words


class _Skipper:
    """The first word >= a string, for an automaton walk whose strings only grow."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.start = 0

    def __call__(self, text: str) -> str | None:
        self.start = bisect_left(self.words, text, self.start)
        return self.words[self.start] if self.start < len(self.words) else None


def replace_words(text: str, replacements: dict[str, str], *, outside_quotes: bool = False) -> str:
    """The query text with whole words replaced (the first occurrence of each); with ``outside_quotes``
    a word inside a "phrase" is left alone, since a phrase cannot hold a group of alternatives."""
    if outside_quotes:
        segments = text.split('"')
        return '"'.join(s if i % 2 else replace_words(s, replacements) for i, s in enumerate(segments))
    for word, replacement in replacements.items():
        text = re.sub(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", lambda _: replacement, text, count=1)
    return text


def suggest(searcher: Searcher, text: str, words: list[str]) -> str | None:
    """The query with each unknown word replaced by the closest indexed word, or None if nothing changes."""
    found = corrections(searcher, words)
    return replace_words(text, {w: c[0] for w, c in found.items()}) if found else None
