"""Related words: what a user may type for what the answers write ("polis" for "ordningsmakt").

Contract: ``related_words(word)`` takes one lower-case word as typed and returns the words of the
thesaurus that mean the same in this genre, in the table's order, never the word itself nor a word
with its stem (the search already matches those); () for a word the table does not know. The word is
found as written or, failing that, through its stem (the index's own stemmer), so an inflected form
finds its entry ("polisen" → "polis"). Related words are base forms; the caller searches them like
any typed word, so their inflections match too.

The table, ``data/related-sv.txt`` of this package, is svar's own: groups of words that mean the same
in Swedish political and administrative writing, one group per line, written by hand for this genre
and without looking at the judged query sets (tests/judged), which measure it. It is read on first
use. A general Swedish thesaurus (Debian's mythes-sv, from Folkets synonymlexikon) was measured first
and left out: it lacks most civic words and lists slang beside them (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import bisect
import functools
from os.path import commonprefix
from pathlib import Path

from svar.index.analysis import stem

# Beside this module, as the compound table is beside index/compounds.py (importlib.resources would
# add 15 ms to the first search that needs the table).
TABLE_PATH = Path(__file__).resolve().parent / "data" / "related-sv.txt"


@functools.cache
def _groups() -> tuple[dict[str, list[int]], list[list[str]], list[str]]:
    """(word → the groups it is in, the groups, every word sorted) from the table."""
    groups: list[list[str]] = []
    member: dict[str, list[int]] = {}
    for line in TABLE_PATH.read_text(encoding="utf-8").splitlines():
        if not line or line[0] == "#":
            continue
        words = [word for word in line.replace(" ", "").lower().split(",") if word]
        if len(words) < 2:
            continue
        for word in words:
            member.setdefault(word, []).append(len(groups))
        groups.append(words)
    return member, groups, sorted(member)


# A typed word is looked up through its stem only where the stem has this many letters: shorter
# stems join different words ("mora" and "mor" both stem to "mor").
MIN_STEM = 4


def _entry(word: str) -> str | None:
    """The table's word for a typed one: itself, or a table word the typed one inflects: one with
    its stem, no longer than it and written as it is up to the last letter ("polisen" → "polis",
    "flickor" → "flicka"; never "fisk" → "fiske", a different word with the same stem)."""
    member, _, ordered = _groups()
    if word in member:
        return word
    word_stem = stem(word)
    if len(word_stem) < MIN_STEM:
        return None
    start = bisect.bisect_left(ordered, word_stem)
    candidates = []
    for candidate in ordered[start:]:
        if not candidate.startswith(word_stem):
            break
        if (len(candidate) <= len(word) and _common_prefix(word, candidate) >= len(candidate) - 1
                and stem(candidate) == word_stem):
            candidates.append(candidate)
    if not candidates:
        return None
    return min(candidates, key=lambda c: (-_common_prefix(word, c), len(c), c))


def _common_prefix(a: str, b: str) -> int:
    return len(commonprefix((a, b)))


def related_words(word: str) -> tuple[str, ...]:
    """The words that mean the same as the lower-case ``word`` in this genre; () if none is known."""
    entry = _entry(word)
    if entry is None:
        return ()
    member, groups, _ = _groups()
    own = {stem(word), stem(entry)}
    found: dict[str, None] = {}
    for group in member[entry]:
        for other in groups[group]:
            if other not in (word, entry) and stem(other) not in own:
                found[other] = None
    return tuple(found)
