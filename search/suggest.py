"""“Did you mean” and fuzzy retries: for query words the index does not hold, the closest whole
words it does hold (from the spelling word list, so suggestions are words, never stems)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from bisect import bisect_left

from whoosh.searching import Searcher

from svar.index.analysis import STOP_WORDS
from svar.index.whoosh_compat import field_terms
from svar.index.schema import TEXT_FIELDS

# The exact-form field holds every word as written, so it doubles as the spelling word list (less
# the stop words it holds for phrases).
SPELLING_FIELD = "exact"
MAX_EDITS = 2
# A shorter word is never corrected nor searched as similar words: one or two edits from a word of
# three letters or fewer is another word ("f" → v, m, s), not what was meant.
MIN_LETTERS = 4
# How many first letters a similar word must share. 1 made a word missing from the index several
# times faster to look up, but lost compounds the splitter misses ("sparkassa" → "bosparkassa"),
# dropping Riksdag compound MRR from 0.85 to 0.63; relevance wins.
PREFIX = 0


def passages_holding(searcher: Searcher, words: list[str], at_most: int) -> dict[str, int]:
    """For each typed word, how many passages hold it in the text field that holds it most, however
    analysed (stem, exact form, compound part, folded): 0 for a word the index does not hold, and
    ``at_most + 1`` for any count above ``at_most`` (the fields are looked at only until one has more)."""
    reader = searcher.reader()
    schema = searcher.schema
    counts = {}
    for word in words:
        most = 0
        for fieldname in _BY_SIZE:
            for term in schema[fieldname].process_text(word, mode="query"):
                most = max(most, reader.doc_frequency(fieldname, term))
            if most > at_most:
                most = at_most + 1
                break
        counts[word] = most
    return counts


def unknown_words(searcher: Searcher, words: list[str]) -> list[str]:
    """The typed words that match in no text field, however analysed (stem, part, folded)."""
    return [word for word, held in passages_holding(searcher, words, 0).items() if not held]


# The text fields, those that hold a word in most passages first (the body before its title).
_BY_SIZE = ("body", "exact", "parts", "folded", "question", "title")
assert sorted(_BY_SIZE) == sorted(TEXT_FIELDS), "every text field, once"


def corrections(searcher: Searcher, unknown: list[str], limit: int = 1) -> dict[str, list[str]]:
    """For each of the ``unknown`` words (``unknown_words``) of at least MIN_LETTERS letters, up to
    ``limit`` indexed words at the smallest edit distance (at most MAX_EDITS), the most frequent first."""
    reader = searcher.reader()
    found: dict[str, list[str]] = {}
    for word in (w for w in unknown if len(w) >= MIN_LETTERS):
        for distance in range(1, MAX_EDITS + 1):
            # Only the closest: a word one edit away is what was meant far more often than one two away.
            candidates = similar_words(reader, word.lower(), distance)[:limit]
            if candidates:
                found[word] = candidates
                break
    return found


def similar_words(reader, word: str, distance: int) -> list[str]:
    """Indexed words within ``distance`` edits of ``word``, the most frequent first.

    An edit is a letter inserted, deleted or changed, or two adjacent letters swapped (the Damerau
    distance as optimal string alignment: "marh" is one edit from "mahr", not two; a swapped pair is
    not edited again). Each segment's word list is held in memory, by length (a word more than
    ``distance`` letters longer or shorter cannot match). With RapidFuzz installed (the ``fast``
    extra) distances are computed in C (``rapidfuzz.distance.OSA``); without it ``_osa_within`` walks
    the sorted lists in Python: the same words, slower. (Walking the on-disk term table seeks
    thousands of times per word; Whoosh's reader over several segments would compare every word in
    Python, by another distance.)
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
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extract_iter
    except ImportError:
        found = (w for words in lists for w in _osa_within(word, distance, words))
    else:
        found = (w for words in lists
                 for w, _, _ in extract_iter(word, words, scorer=OSA.distance, score_cutoff=distance))
    for similar in found:
        if similar[:PREFIX] == word[:PREFIX]:
            yield similar


def _osa_within(word: str, distance: int, words: list[str]) -> Iterator[str]:
    """The words of a sorted list of words of one length within ``distance`` edits of ``word`` by
    optimal string alignment, in pure Python (what ``rapidfuzz.distance.OSA`` gives).

    Consecutive words share the table's rows for their common first letters, and only the cells at
    most ``distance`` from the diagonal are computed (the others exceed it). A row whose every cell,
    plus the difference between the letters left in each word, exceeds ``distance`` rules out every
    word starting with those letters (a swap reads the row two back, but never goes below the row
    between, which changing a letter reaches at the same cost): they are skipped by bisection.
    """
    size, far = len(word), distance + 1
    rows = [[x if x <= distance else far for x in range(size + 1)]]  # rows[r]: the first r letters of ``previous``
    previous = ""
    i = 0
    while i < len(words):
        candidate = words[i]
        shared, most = 0, min(len(candidate), len(previous), len(rows) - 1)
        while shared < most and candidate[shared] == previous[shared]:
            shared += 1
        del rows[shared + 1:]
        dead = 0
        for j in range(shared, len(candidate)):
            letter, above, r = candidate[j], rows[j], j + 1
            row = [far] * (size + 1)
            if r <= distance:
                row[0] = r
            low, high = max(1, r - distance), min(size, r + distance)
            for x in range(low, high + 1):
                value = min(above[x] + 1, row[x - 1] + 1, above[x - 1] + (word[x - 1] != letter))
                if j and x > 1 and word[x - 1] == candidate[j - 1] and word[x - 2] == letter:
                    value = min(value, rows[j - 1][x - 2] + 1)
                row[x] = value
            rows.append(row)
            left = len(candidate) - r
            if all(row[x] + abs(left - size + x) > distance for x in range(max(0, r - distance), high + 1)):
                dead = r
                break
        previous = candidate
        if dead:
            stop = candidate[:dead - 1] + chr(ord(candidate[dead - 1]) + 1)  # past every word so starting
            i = bisect_left(words, stop, i + 1)
            continue
        if rows[-1][size] <= distance:
            yield candidate
        i += 1


# Segment id → its spelling words by length, each list sorted. A segment never changes once written,
# so the lists stay valid for the life of the process; only the most recently used segments are kept.
_WORDS: dict[str, dict[int, list[str]]] = {}
_WORDS_KEPT = 16


def _segment_words(leaf) -> dict[int, list[str]]:
    key = leaf.segment().segment_id()  # random, so unique across indexes (a copied index has the same words)
    words = _WORDS.pop(key, None)
    if words is None:
        terms = field_terms(leaf, SPELLING_FIELD)  # one read of the term table, not two seeks a term
        if terms is None:
            terms = list(leaf.lexicon(SPELLING_FIELD))
        # Decoded at once: the field's words hold no line break (if one did, one by one).
        texts = b"\n".join(terms).decode("utf-8").split("\n") if terms else []
        if len(texts) != len(terms):
            texts = [term.decode("utf-8") for term in terms]
        words = {}
        for text in texts:  # in sorted order, so each list by length is sorted too
            if text not in STOP_WORDS:  # held for phrases; a query's plain words leave them out
                words.setdefault(len(text), []).append(text)
    _WORDS[key] = words  # (re)inserted last: the dict's order is the order of use
    while len(_WORDS) > _WORDS_KEPT:
        del _WORDS[next(iter(_WORDS))]
    return words


def to_search(searcher: Searcher, found: dict[str, list[str]], text: str, words: list[str],
              unknown: list[str], patterns: list[str]) -> dict[str, list[str]]:
    """Of the ``corrections`` ``found`` for the query ``text`` (its typed ``words``, of which the index
    does not hold ``unknown``, and its wildcard ``patterns``), those to search in place of the typed word.

    A word written with a capital letter is taken for a name or a brand ("Zlatan", "Tesla", "NATO"),
    which the index may simply not hold. It is searched as those of its similar words that the
    answers write as names too (a capital letter: "Lapoina" → Laponia, never "Zlatan" → satan); as
    its other similar words only when nothing else in the query matches (no other word is held by
    the index or replaced by similar words, no ``prefix*`` expands), so that a query of names alone
    still finds the closest ones, and says so. A capital on the first letter of the query's first
    word is sentence case, not a name ("Diskriminerign av barn"): that word is replaced like any
    other. (For a query of that one word the two readings agree: nothing else matches.)
    """
    names = {word for word in found if _looks_like_name(word, text)}
    if not names:
        return found
    missing, replaced = set(unknown), set(found) - names
    others_match = (any(w not in names and (w not in missing or w in replaced) for w in words)
                    or any(_expands(searcher.reader(), pattern) for pattern in patterns))
    if not others_match:
        return found
    kept = {w: similar for w, similar in found.items() if w not in names}
    for name in names:
        similar_names = [w for w in found[name] if _written_as_name(searcher, w)]
        if similar_names:
            kept[name] = similar_names
    return kept


# How many passages holding a word are read to tell whether the answers write it with a capital.
_NAME_SAMPLE = 3


def _written_as_name(searcher: Searcher, word: str) -> bool:
    """Whether the answers write ``word`` (lower-case, as the exact field holds it) with a capital
    letter where it first occurs in each of a few passages holding it, every time."""
    reader = searcher.reader()
    if not reader.doc_frequency(SPELLING_FIELD, word):
        return False
    pattern = re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", re.IGNORECASE)
    seen = 0
    for docnum in searcher.document_numbers(**{SPELLING_FIELD: word}):
        # whoosh3's Searcher copies stored_fields from its reader at runtime; its class does not declare it.
        fields = searcher.stored_fields(docnum)  # type: ignore[attr-defined]
        found = next((m for part in ("title", "question", "body") if (m := pattern.search(fields.get(part) or ""))), None)
        if found is None:
            continue
        if not found.group()[0].isupper():
            return False
        seen += 1
        if seen == _NAME_SAMPLE:
            break
    return seen > 0


def _looks_like_name(word: str, text: str) -> bool:
    if word == word.lower():
        return False
    sentence_case = word[1:] == word[1:].lower()
    return not (sentence_case and re.match(rf'[\s"(+]*{re.escape(word)}(?![^\W_])', text))


def _expands(reader, pattern: str) -> bool:
    """Whether a wildcard pattern of the query (on stems: "famil*") matches a term of the body."""
    fixed = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
    fieldobj = reader.schema["body"]
    return any(fnmatch.fnmatchcase(fieldobj.from_bytes(term), pattern) for term in reader.expand_prefix("body", fixed))


def replace_words(text: str, replacements: dict[str, str], *, outside_quotes: bool = False) -> str:
    """The query text with whole words replaced (the first occurrence of each); with ``outside_quotes``
    a word inside a "phrase" is left alone, since a phrase cannot hold a group of alternatives."""
    if outside_quotes:
        segments = text.split('"')
        return '"'.join(s if i % 2 else replace_words(s, replacements) for i, s in enumerate(segments))
    for word, replacement in replacements.items():
        text = re.sub(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", lambda _: replacement, text, count=1)
    return text


def compound_parts(searcher: Searcher, words: list[str], rare: int) -> dict[str, list[str]]:
    """For each of the ``words`` that the compound splitter splits into parts the index holds (every
    part), those parts: "isocyanatastma" → isocyanat, astma. A part that is itself a compound held
    by no more than ``rare`` passages, and splits into parts the index holds, brings those parts too:
    "smågriskastrering" → smågris, kastrering, små, gris (the splitter takes the fewest, longest
    parts, which can leave a rare word whole). The splitter reads only the part of its table it
    needs, so a query of known words never loads it."""
    if not words:
        return {}
    from svar.index.compounds import split_compound

    found: dict[str, list[str]] = {}
    for word in words:
        parts = split_compound(word.lower())
        if len(parts) < 2:
            continue
        held_by = passages_holding(searcher, list(parts), rare)
        if not all(held_by.values()):
            continue
        searched = list(parts)
        for part, held in held_by.items():
            inner = split_compound(part) if held <= rare else ()
            if len(inner) >= 2 and not unknown_words(searcher, list(inner)):
                searched += [p for p in inner if p not in searched]
        found[word] = searched
    return found


def related_to_search(searcher: Searcher, words: list[str], text: str, wanted: set[str],
                      at_most: int) -> dict[str, list[str]]:
    """For each of the typed ``words`` of the query ``text`` that it searches for (``wanted``: the body
    terms of its positive parts outside phrases), up to ``at_most`` of its related words
    (search/related.py) that the index holds, in the table's order, to search beside it. A word in
    a phrase or after NOT gets none, and so does a word written with a capital inside the query,
    taken for a name as for similar words. The table is read only when there is a word to look up."""
    if not words:
        return {}
    from .related import related_words

    body = searcher.schema["body"]
    found: dict[str, list[str]] = {}
    for word in words:
        lower = word.lower()
        if word in found or _looks_like_name(word, text):
            continue
        if not any(term in wanted for term in body.process_text(word, mode="query")):
            continue
        candidates = [r for r in related_words(lower) if r not in STOP_WORDS]
        if not candidates:
            continue
        held = [r for r, count in passages_holding(searcher, candidates, 0).items() if count][:at_most]
        if held:
            found[word] = held
    return found
