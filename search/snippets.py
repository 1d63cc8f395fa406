"""Snippets: the sentences of a passage around its matches, with the matched words' offsets.

Every word that matched is marked, whatever form it has in the text ("placeringar" for the query
"placering"), because marking compares the analysed form of each word with the query's terms. A
phrase is marked where its words stand in a row, as one span, and only there.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from svar.index.analysis import TOKEN_PATTERN, EllipsisTokenizer, all_parts, fold, stem
from svar.index.schema import shared_schema
from svar.index.sentences import sentence_spans

from svar.index.records import Person

from .attribution import INTERPELLANT, RESPONDENT, Part
from .query import near_form

SNIPPET_CHARS = 320
ELLIPSIS = "…"

# The fields whose analysis decides what is marked: stems and å/ä/ö-folded words. Compound parts are
# marked in the words that hold the part's letters and that the indexer's splitter splits into it
# (so "ägg" is not marked inside "anläggning").
MARKING_FIELDS = ("body", "folded")
MIN_PART = 3
_WORDS = re.compile(r"[^\W\d_]+")
_TOKENS = re.compile(TOKEN_PATTERN)
_analyzers: dict = {}


def match_spans(text: str, matches: Callable[[str, str], bool], parts: Collection[str] = (),
                prefixes: Mapping[str, Collection[str]] | None = None,
                phrases: Collection[tuple[str, ...]] = (),
                nears: Collection[tuple[tuple[str, ...], int]] = ()) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word in ``text`` that matched, whichever way it matched, of each
    run of words that is one of ``phrases`` (ParsedQuery.phrases; its term the phrase's words), and
    of each word of one of ``nears`` (ParsedQuery.nears) where the group's words stand near.

    ``parts`` are the query's compound-part terms: a longer word the splitter splits into one is a
    compound found through it, and an elliptic pair ("jour- och familjehem") whose halves make one ("jourhem").
    ``prefixes`` (ParsedQuery.marking_prefixes): per marking field, what a word's lower-cased (or
    folded) form must start with to match; then only the words that do are analysed, which gives
    the same spans as analysing every word, many times faster.
    """
    if not _analyzers:
        schema = shared_schema()
        _analyzers.update((name, schema[name].analyzer) for name in MARKING_FIELDS)
    found: dict[tuple[int, int], str] = {}
    if phrases or nears:
        tokens = _exact_tokens(text)
        found.update(_phrase_spans(tokens, phrases))
        found.update(_near_spans(tokens, nears))
    lowered = _aligned_lower(text) if prefixes is not None else None
    if lowered is None:
        # Index mode: the analyzers look up each distinct word's terms once per process, not per passage.
        for fieldname in MARKING_FIELDS:
            for token in _analyzers[fieldname](text, chars=True, mode="index"):
                if matches(fieldname, token.text):
                    found.setdefault((token.startchar, token.endchar), token.text)
    else:
        assert prefixes is not None, "lowered is made only when there are prefixes"
        for fieldname in MARKING_FIELDS:
            analyzer = _analyzers[fieldname]
            wanted = tuple(prefixes.get(fieldname, ()))
            if fieldname == "folded":
                pattern = _folded_pattern(wanted)
                offsets = [hit.start() for hit in pattern.finditer(lowered)] if pattern is not None else []
            else:
                offsets = _occurrences(lowered, wanted)
            for start, end, word in _tokens_at(text, offsets, analyzer.expression):
                for term in analyzer.word_terms(word):
                    if matches(fieldname, term):
                        found.setdefault((start, end), term)
    # Longest first: a word holding several parts counts as the most specific one, whatever order the
    # query's parts came in (a set's order changes with the process's hash seed).
    parts = sorted((p for p in parts if len(p) >= MIN_PART), key=lambda p: (-len(p), p))
    if parts:
        words = _words_holding(text, lowered, parts) if lowered is not None else (
            (m.start(), m.end(), m.group()) for m in _WORDS.finditer(text))
        for start, end, word in words:
            word = word.lower()
            part = next((p for p in parts if p in word and p != word and p in _part_stems(word)), None)
            if part:
                found.setdefault((start, end), part)
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


@lru_cache(maxsize=4096)
def _part_stems(word: str) -> frozenset[str]:
    """The terms the parts field indexes for a lower-case word that is a compound: its parts' stems."""
    return frozenset(stem(part) for part in all_parts(word))


def _exact_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each token as the exact field holds it: TOKEN_PATTERN matches, lower-cased."""
    return [(m.start(), m.end(), m.group().lower()) for m in _TOKENS.finditer(text)]


def _phrase_spans(tokens: list[tuple[int, int, str]],
                  phrases: Collection[tuple[str, ...]]) -> list[tuple[tuple[int, int], str]]:
    """((start, end), the phrase's words) of each place where a phrase's words stand in a row among
    a text's ``_exact_tokens``: where the search matched it."""
    words = [t[2] for t in tokens]
    found = []
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if words[i] == phrase[0] and words[i:i + n] == list(phrase):
                found.append(((tokens[i][0], tokens[i + n - 1][1]), " ".join(phrase)))
    return found


def _near_spans(tokens: list[tuple[int, int, str]],
                nears: Collection[tuple[tuple[str, ...], int]]) -> list[tuple[tuple[int, int], str]]:
    """((start, end), the word) of each word of a group of near words that stands within the group's
    distance of an occurrence of its first word that has all the others within it, among a text's
    ``_exact_tokens``: where the search matched them (the distance counted in tokens, as the exact
    field counts positions)."""
    found: list[tuple[tuple[int, int], str]] = []
    for words, window in nears:
        at = [[i for i, token in enumerate(tokens) if near_form(token[2], word)] for word in words]
        for first in at[0] if all(at) else ():
            close = [[i for i in others if abs(i - first) <= window] for others in at[1:]]
            if all(close):
                found.extend(((tokens[i][0], tokens[i][1]), tokens[i][2]) for i in (first, *(i for c in close for i in c)))
    return found


def _aligned_lower(text: str) -> str | None:
    """``text`` lower-cased, each character where it was; None when some character does not
    lower-case to exactly one character of its kind or does not fold to exactly one (then offsets
    in those forms are not offsets in ``text``, and every word is analysed instead)."""
    lowered = text.lower()
    if len(lowered) != len(text) or "\u03a3" in text:  # final sigma lower-cases by context
        return None
    for char in set(text):
        if char.isascii():
            continue
        lower = char.lower()
        if lower.isalnum() != char.isalnum() or lower.isdecimal() != char.isdecimal() or not _learn_fold(lower):
            return None
    return lowered


# Lower-case character → what index.analysis.fold makes of it, for every non-ASCII one met so far;
# and for each folded character, the characters that fold to it (themselves included).
_FOLD: dict[str, str] = {}
_FOLDS_TO: dict[str, set[str]] = {}


def _learn_fold(char: str) -> bool:
    folded = _FOLD.get(char)
    if folded is None:
        folded = fold(char)
        if len(folded) != 1 or folded.isalnum() != char.isalnum() or folded.isdecimal() != char.isdecimal():
            return False
        _FOLD[char] = folded
        _FOLDS_TO.setdefault(folded, {folded}).add(char)
        _folded_pattern.cache_clear()  # a new character: the patterns must know it
    return True


# Characters a token can hold (TOKEN_PATTERN): letters, digits and these; any other ends one.
_INSIDE_TOKENS = ".,/:"


def _occurrences(lowered: str, strings: Collection[str]) -> list[int]:
    """Every offset in ``lowered`` where one of ``strings`` starts, overlapping ones too, in order."""
    found = set()
    for string in strings:
        at = lowered.find(string)
        while at >= 0:
            found.add(at)
            at = lowered.find(string, at + 1)
    return sorted(found)


def _tokens_at(text: str, offsets: list[int], expression: re.Pattern) -> list[tuple[int, int, str]]:
    """(start, end, token) of each token of ``text`` that starts at one of ``offsets``: what the
    tokenizer yields there, because each is read by the tokenizer itself from a point no token spans."""
    found = []
    for at in offsets:
        restart = at
        while restart and (text[restart - 1].isalnum() or text[restart - 1] in _INSIDE_TOKENS):
            restart -= 1
        for token in expression.finditer(text, restart):
            if token.start() >= at:
                if token.start() == at:
                    found.append((at, token.end(), token.group(0)))
                break
    return found


@lru_cache(maxsize=256)
def _folded_pattern(prefixes: tuple[str, ...]) -> re.Pattern | None:
    """Finds, in the lower-cased text, where a word's folded form starts with one of ``prefixes``:
    each character stands for every character met so far that folds to it. Overlapping finds are
    needed only where a prefix holds more than letters (a token could start inside one)."""
    if not prefixes:
        return None

    def chars(char: str) -> str:
        variants = _FOLDS_TO.get(char)
        return re.escape(char) if not variants else "[" + "".join(re.escape(c) for c in sorted(variants)) + "]"

    alternation = "|".join("".join(chars(c) for c in p) for p in prefixes)
    letters = all(c.isalnum() and not c.isdecimal() for p in prefixes for c in p)
    return re.compile(f"(?:{alternation})" if letters else f"(?=(?:{alternation}))")


def _words_holding(text: str, lowered: str, parts: Collection[str]) -> list[tuple[int, int, str]]:
    """(start, end, word) of each word of ``text`` (as _WORDS finds them) that holds one of ``parts``."""
    found: list[tuple[int, int, str]] = []
    for at in _occurrences(lowered, parts):
        if found and at < found[-1][1]:
            continue  # inside the word just found
        start = at
        while start and text[start - 1].isalnum() and not text[start - 1].isdecimal():  # _WORDS's [^\W\d_]
            start -= 1
        word = _WORDS.match(text, start)
        if word is not None and word.end() > at:
            found.append((start, word.end(), word.group()))
    return found


class Snippet(NamedTuple):
    """A snippet, the offsets of its matched words, and whose words it is. (A named tuple, not a
    dataclass, for the reason search/plan.py gives.)

    ``side`` is attribution.INTERPELLANT or RESPONDENT when the snippet was made from a passage's
    attributed parts (a snippet never spans two), None when it was made without them.
    """

    text: str
    highlights: list[tuple[int, int]]
    side: str | None = None
    # For a DEBATER snippet, the speaker its part names (attribution.Part.person).
    person: "Person | None" = None


def make_snippet(
    text: str, matches: Callable[[str, str], bool], max_chars: int = SNIPPET_CHARS, parts: Collection[str] = (),
    prefixes: Mapping[str, Collection[str]] | None = None, phrases: Collection[tuple[str, ...]] = (),
    nears: Collection[tuple[tuple[str, ...], int]] = (),
) -> tuple[str, list[tuple[int, int]]]:
    """The best run of whole sentences (at most ``max_chars``) and the matched words' offsets in it."""
    snippet = snippet_of(text, matches, max_chars, parts, prefixes, phrases=phrases, nears=nears)
    return snippet.text, snippet.highlights


def snippet_of(
    text: str, matches: Callable[[str, str], bool], max_chars: int = SNIPPET_CHARS, parts: Collection[str] = (),
    prefixes: Mapping[str, Collection[str]] | None = None, sides: Sequence[Part] | None = None,
    phrases: Collection[tuple[str, ...]] = (), nears: Collection[tuple[tuple[str, ...], int]] = (),
) -> Snippet:
    """The best run of whole sentences (at most ``max_chars``), the matched words' offsets in it, and,
    given ``sides`` (attribution.attribute of ``text``), whose words they are.

    With ``sides`` the snippet is made from one part only, so it never puts one side's words under the
    other's name: the sentence with the most distinct matched terms (then the most matches) wins, at
    equal matches the respondent's (the answer is what is searched for; the question is shown beside
    it) and then the earliest, and it grows by sentences of the same part only.
    """
    spans = match_spans(text, matches, parts, prefixes, phrases, nears)
    sentences = sentence_spans(text) or [(0, len(text))]
    if sides is None:
        units = [(s, e, 0) for s, e in sentences]
    else:
        # The sentences cut at the parts' edges: a quoted question inside a sentence is a unit of its own.
        units = [(max(s, p.start), min(e, p.end), k) for k, p in enumerate(sides) for s, e in sentences
                 if s < p.end and p.start < e]
        if not units:
            return Snippet("", [], None)
    best = _best_unit(units, spans, sides)
    start, end, part = units[best]
    # Grow by whole sentences, the following one first, while the snippet stays within bounds.
    lo, hi = best, best
    while True:
        grown = False
        if hi + 1 < len(units) and units[hi + 1][2] == part and units[hi + 1][1] - start <= max_chars:
            hi += 1
            end = units[hi][1]
            grown = True
        if lo > 0 and units[lo - 1][2] == part and end - units[lo - 1][0] <= max_chars:
            lo -= 1
            start = units[lo][0]
            grown = True
        if not grown:
            break
    if end - start > max_chars:
        start, end = _window(text, start, end, spans, max_chars)
    snippet = text[start:end].strip()
    offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    highlights = [(s - offset, e - offset) for s, e, _ in spans if s >= offset and e <= offset + len(snippet)]
    region = sides[part] if sides is not None else None
    prefix = ELLIPSIS if start > 0 and not _starts_sentence(text, start, sentences) \
        and not _whole_at(text, start, part, sides, before=True) else ""
    suffix = ELLIPSIS if end < len(text) and not any(e == end for _, e in sentences) \
        and not _whole_at(text, end, part, sides, before=False) else ""
    if prefix:
        snippet = prefix + snippet
        highlights = [(s + len(prefix), e + len(prefix)) for s, e in highlights]
    snippet, highlights = _one_line(snippet + suffix, highlights)
    return Snippet(snippet, highlights, region.side if region is not None else None,
                   region.person if region is not None else None)


def _whole_at(text: str, at: int, k: int, sides: Sequence[Part] | None, *, before: bool) -> bool:
    """Whether a snippet of part ``k`` cut at ``at``, an edge of that part, leaves out nothing of the
    part's sentence: a quotation of the interpellant's is whole, and so is a part that ends a paragraph."""
    if sides is None:
        return False
    region = sides[k]
    if at != (region.start if before else region.end):
        return False
    if region.side == INTERPELLANT:
        return True
    if before:
        gap = text[sides[k - 1].end:at] if k > 0 else text[:at]
    else:
        gap = text[at:sides[k + 1].start] if k + 1 < len(sides) else text[at:]
    return "\n" in gap or not gap.strip()


# Whitespace that _one_line changes: any but a lone space (re's \s is str.isspace()).
_FOLDED_SPACE = re.compile(r"[^\S ]|\s\s")
_SPACE_RUN = re.compile(r"\s+")


def _one_line(snippet: str, highlights: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Fold paragraph breaks and runs of spaces to one space, moving the offsets with the text: an
    offset inside a run moves to just after its space."""
    if _FOLDED_SPACE.search(snippet) is None:  # most snippets lie within one paragraph: nothing moves
        return snippet, highlights
    runs = [match.span() for match in _SPACE_RUN.finditer(snippet)]
    starts = [start for start, _ in runs]
    removed = []  # characters the runs before each run took out
    total = 0
    for start, end in runs:
        removed.append(total)
        total += end - start - 1

    def moved(offset: int) -> int:
        k = bisect_right(starts, offset) - 1
        if k < 0:
            return offset
        start, end = runs[k]
        if offset < end:
            return start - removed[k] + (offset > start)
        return offset - removed[k] - (end - start - 1)

    return _SPACE_RUN.sub(" ", snippet), [(moved(s), moved(e)) for s, e in highlights]


def _best_unit(units: list[tuple[int, int, int]], spans: list[tuple[int, int, str]],
               sides: Sequence[Part] | None) -> int:
    """The unit with the most distinct matched terms, then the most matches, then (given ``sides``)
    the respondent's, then the earliest."""
    best, best_key = 0, None
    for i, (s, e, part) in enumerate(units):
        inside = [term for start, end, term in spans if s <= start and end <= e]
        key = (len(set(inside)), len(inside), sides is not None and sides[part].side == RESPONDENT)
        if best_key is None or key > best_key:
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
