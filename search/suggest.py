"""“Did you mean”: for query words the index does not hold, the closest whole words it does hold."""

from __future__ import annotations

from whoosh.searching import Searcher

from svar.index.analysis import analyze
from svar.index.schema import TEXT_FIELDS

SPELLING_FIELD = "body"


def unknown_words(searcher: Searcher, words: list[str]) -> list[str]:
    """The typed words none of whose terms occur in any text field."""
    reader = searcher.reader()
    unknown = []
    for word in words:
        terms = analyze(word)
        if terms and not any(reader.doc_frequency(f, t) for f in TEXT_FIELDS for t in terms):
            unknown.append(word)
    return unknown


def suggest(searcher: Searcher, text: str, words: list[str]) -> str | None:
    """The query with each unknown word replaced by the closest indexed word, or None if nothing changes."""
    corrector = searcher.corrector(SPELLING_FIELD)
    suggestion = text
    changed = False
    for word in unknown_words(searcher, words):
        candidates = corrector.suggest(word.lower(), limit=1, maxdist=2)
        if candidates and candidates[0] != word.lower():
            suggestion = _replace_word(suggestion, word, candidates[0])
            changed = True
    return suggestion if changed else None


def _replace_word(text: str, word: str, replacement: str) -> str:
    import re

    return re.sub(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", replacement, text, count=1)
