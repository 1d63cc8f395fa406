"""Swedish compound splitting ("familjehemsvården" → familjehem, vården), so that a search for a part finds the compound.

Policy: split only into parts hunspell-sv allows in compounds, lexicalised words too ("socialtjänst"), but never
a name, a form of a word that does not split ("vården"), or a word its parts would find only by accident ("ungdom").
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

__all__ = ["CompoundTable", "best_split", "load_table", "read_table", "split_compound"]

# Built from hunspell-sv by benchmarks/build_compound_table.py; see data/README.md for its licence.
TABLE_PATH = Path(__file__).resolve().parent / "data" / "compounds-sv.txt.gz"

MIN_PART = 3
# Shorter words cannot hold two parts of at least MIN_PART letters.
MIN_WORD = 2 * MIN_PART


class CompoundTable(NamedTuple):
    """What the splitter knows: which forms may start or continue a compound (with how many
    linking letters end them), which may end one, and which whole words must stay whole."""

    # form → number of linking letters at its end that are not part of the word ("vårds" → 1)
    heads: dict[str, int]
    # every inflected form of every word the dictionary allows last in a compound ("vården")
    tails: frozenset[str]
    # dictionary words that would split but must not: forms of words that do not split, names
    whole: frozenset[str]
    # heads that are inflected forms of other words ("miljöer", "högsta"): the last choice among equals
    inflected: frozenset[str] = frozenset()


def read_table(path: Path) -> CompoundTable:
    """Reads a table written by benchmarks/build_compound_table.py."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        text = f.read()
    sections: dict[str, list[str]] = {}
    for chunk in text.split("\n@")[1:]:
        name, _, body = chunk.partition("\n")
        sections[name] = body.split()
    heads = {}
    for entry in sections["heads"]:
        # A trailing digit is the count of linking letters; most forms have none and no digit.
        if entry[-1].isdigit():
            heads[entry[:-1]] = int(entry[-1])
        else:
            heads[entry] = 0
    return CompoundTable(heads, frozenset(sections["tails"]), frozenset(sections["whole"]),
                         frozenset(sections["inflected"]))


@lru_cache(maxsize=1)
def load_table() -> CompoundTable:
    """The bundled table, read once per process on first use (about 0.2 s)."""
    return read_table(TABLE_PATH)


def best_split(word: str, table: CompoundTable) -> tuple[str, ...]:
    """The split of a lower-case word with the fewest parts, then the longest leading parts, by the
    table's rules alone (no check of `table.whole`); () when there is none."""
    n = len(word)
    if n < MIN_WORD:
        return ()
    heads, tails, inflected = table.heads, table.tails, table.inflected
    # best[i]: the best way to read word[i:] as parts: (part count, ranking key, spans), the smaller
    # the better; the key holds, for each part left to right, whether it is an inflected head, its
    # negated length and its linking preference.
    best: dict[int, tuple[int, tuple[int | bool, ...], tuple[tuple[int, int], ...]] | None] = {}

    def solve(i: int):
        if i in best:
            return best[i]
        found = None
        # "-ering" is a suffix ("planering", "värdering"), never a linking "e" before "ring".
        if i > 0 and word[i:] in tails and not (word[i - 1] == "e" and word.startswith("ring", i)):
            found = (1, (False, i - n, 0), ((i, n),))
        for j in range(i + MIN_PART, n - MIN_PART + 1):
            cut = heads.get(word[i:j])
            if cut is None or j - cut - i < MIN_PART:
                continue
            length = j - cut - i
            rest = solve(j)
            # Hunspell's SIMPLIFIEDTRIPLE: "fall" + "lucka" is written "fallucka", the parts sharing an
            # "l"; only tried when the plain reading fails ("klass|lag", not "klass|slag"), and ranked
            # by the letters the part has of its own ("mat|tider", not "matt|tider").
            if rest is None and cut == 0 and word[j - 1] == word[j - 2] != word[j]:
                rest = solve(j - 1)
                length -= 1
            if rest is None:
                continue
            # A word's plain form beats an inflected one ("miljö|ersättningar", not "miljöer|sättningar");
            # then the longer part; then a linking "s" beats none and none beats a linking vowel:
            # "vindkrafts|parken", not "vindkraft|sparken"; "skol|elever", not "skole|lever".
            odd = word[i:j] in inflected
            link = 0 if cut == 0 else 1 if word[j - 1] == "s" else -1
            candidate = (rest[0] + 1, (odd, -length, -link) + rest[1], ((i, j - cut),) + rest[2])
            if found is None or candidate[:2] < found[:2]:
                found = candidate
        best[i] = found
        return found

    result = solve(0)
    if result is None or result[0] < 2:
        return ()
    return tuple(word[a:b] for a, b in result[2])


_cache: dict[str, tuple[str, ...]] = {}
# Enough for every distinct word of a large corpus; past it, words are split again rather than kept.
_CACHE_LIMIT = 2_000_000


def release() -> None:
    """Forget the splits made so far and the table itself (read again on next use)."""
    _cache.clear()
    load_table.cache_clear()


def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a Swedish compound as they appear in it, linking letters dropped
    ("öppenvårdsinsatser" → ("öppenvård", "insatser")), or () when the word is not a compound.

    Expects a lower-case word (others are lower-cased); only the top level is split, so
    "familjehemsvården" gives ("familjehem", "vården") and "familjehem" gives ("familj", "hem").
    Words with digits, hyphens or other non-letters are never split: the tokenizer splits those.
    """
    cached = _cache.get(word)
    if cached is not None:
        return cached
    lower = word.lower()
    if len(lower) < MIN_WORD or not lower.isalpha():
        parts: tuple[str, ...] = ()
    else:
        table = load_table()
        parts = () if lower in table.whole else best_split(lower, table)
    if len(_cache) < _CACHE_LIMIT:
        _cache[word] = parts
    return parts
