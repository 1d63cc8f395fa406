"""“Did you mean” and fuzzy retries: for query words the index does not hold, the closest whole
words it does hold (from the spelling word list, so suggestions are words, never stems)."""

from __future__ import annotations

import re

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

    Each segment is searched with its own word automaton. Whoosh's reader over several segments
    would instead compare the word with every indexed word in Python, by another distance (one
    that counts a swap of two letters as one edit), so results depended on how the index was built.
    """
    similar: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        similar.update(leaf.terms_within(SPELLING_FIELD, word, distance, prefix=PREFIX))
    similar.discard(word)
    return sorted(similar, key=lambda w: (-reader.frequency(SPELLING_FIELD, w), w))


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
