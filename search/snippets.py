"""Snippets: the sentences of a passage around its matches, with the matched words' offsets.

Every word that matched is marked, whatever form it has in the text ("placeringar" for the query
"placering"), because marking compares the analysed form of each word with the query's terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from svar.index.analysis import EllipsisTokenizer
from svar.index.schema import build_schema
from svar.index.sentences import sentence_spans

SNIPPET_CHARS = 320
ELLIPSIS = "…"

# The fields whose analysis decides what is marked: stems and å/ä/ö-folded words. Compound parts are
# marked by looking for the part inside each word, which needs no compound splitter (loading its
# table would cost a fresh `svar search` half a second).
MARKING_FIELDS = ("body", "folded")
MIN_PART = 3
_WORDS = re.compile(r"[^\W\d_]+")
_analyzers: dict = {}


def match_spans(text: str, matches: Callable[[str, str], bool],
                parts: Collection[str] = ()) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word in ``text`` that matched, whichever way it matched.

    ``parts`` are the query's compound-part terms: a longer word containing one is a compound found
    through it, and an elliptic pair ("jour- och familjehem") whose halves make one ("jourhem").
    """
    if not _analyzers:
        schema = build_schema()
        _analyzers.update((name, schema[name].analyzer) for name in MARKING_FIELDS)
    found: dict[tuple[int, int], str] = {}
    # Index mode: the analyzers look up each distinct word's terms once per process, not per passage.
    for fieldname in MARKING_FIELDS:
        for token in _analyzers[fieldname](text, chars=True, mode="index"):
            if matches(fieldname, token.text):
                found.setdefault((token.startchar, token.endchar), token.text)
    # Longest first: a word holding several parts counts as the most specific one, whatever order the
    # query's parts came in (a set's order changes with the process's hash seed).
    parts = sorted((p for p in parts if len(p) >= MIN_PART), key=lambda p: (-len(p), p))
    if parts:
        for match in _WORDS.finditer(text):
            word = match.group().lower()
            part = next((p for p in parts if p in word and p != word), None)
            if part:
                found.setdefault((match.start(), match.end()), part)
        for pair in EllipsisTokenizer.ELLIPSIS.finditer(text):
            left, right = pair[1].lower(), pair[2].lower()
            part = next((p for p in parts if p.startswith(left) and len(p) > len(left) and p[len(left):] in right), None)
            if part:
                found[(pair.start(), pair.end())] = part
    # A compound's part and the compound itself may both match: keep the outermost span.
    spans = sorted(found.items(), key=lambda item: (item[0][0], -item[0][1]))
    kept: list[tuple[int, int, str]] = []
    for (start, end), term in spans:
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, term))
    return kept


def make_snippet(
    text: str, matches: Callable[[str, str], bool], max_chars: int = SNIPPET_CHARS, parts: Collection[str] = ()
) -> tuple[str, list[tuple[int, int]]]:
    """The best run of whole sentences (at most ``max_chars``) and the matched words' offsets in it."""
    spans = match_spans(text, matches, parts)
    sentences = sentence_spans(text) or [(0, len(text))]
    best = _best_sentence(sentences, spans)
    start, end = sentences[best]
    # Grow by whole sentences, the following one first, while the snippet stays within bounds.
    lo, hi = best, best
    while True:
        grown = False
        if hi + 1 < len(sentences) and sentences[hi + 1][1] - start <= max_chars:
            hi += 1
            end = sentences[hi][1]
            grown = True
        if lo > 0 and end - sentences[lo - 1][0] <= max_chars:
            lo -= 1
            start = sentences[lo][0]
            grown = True
        if not grown:
            break
    if end - start > max_chars:
        start, end = _window(text, start, end, spans, max_chars)
    snippet = text[start:end].strip()
    offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    highlights = [(s - offset, e - offset) for s, e, _ in spans if s >= offset and e <= offset + len(snippet)]
    prefix = ELLIPSIS if start > 0 and not _starts_sentence(text, start, sentences) else ""
    suffix = ELLIPSIS if end < len(text) and not any(e == end for _, e in sentences) else ""
    if prefix:
        snippet = prefix + snippet
        highlights = [(s + len(prefix), e + len(prefix)) for s, e in highlights]
    return _one_line(snippet + suffix, highlights)


def _one_line(snippet: str, highlights: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Fold paragraph breaks and runs of spaces to one space, moving the offsets with the text."""
    out: list[str] = []
    new_position: list[int] = []  # old offset → new offset
    for char in snippet:
        new_position.append(len(out))
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        out.append(char)
    new_position.append(len(out))
    return "".join(out), [(new_position[s], new_position[e]) for s, e in highlights]


def _best_sentence(sentences: list[tuple[int, int]], spans: list[tuple[int, int, str]]) -> int:
    """The sentence with the most distinct matched terms (then the most matches, then the earliest)."""
    best, best_key = 0, (0, 0)
    for i, (s, e) in enumerate(sentences):
        inside = [term for start, end, term in spans if s <= start and end <= e]
        key = (len(set(inside)), len(inside))
        if key > best_key:
            best, best_key = i, key
    return best


def _window(text: str, start: int, end: int, spans: list[tuple[int, int, str]], max_chars: int) -> tuple[int, int]:
    """Cut an over-long sentence to ``max_chars`` around its first match, at word boundaries."""
    first = next((s for s, e, _ in spans if start <= s < end), start)
    lo = max(start, first - max_chars // 4)
    hi = min(end, lo + max_chars)
    if lo > start:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < first else lo
    if hi < end:
        space = text.rfind(" ", lo, hi)
        hi = space if space > lo else hi
    return lo, hi


def _starts_sentence(text: str, start: int, sentences: list[tuple[int, int]]) -> bool:
    return any(s == start for s, _ in sentences)
