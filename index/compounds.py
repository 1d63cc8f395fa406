"""Swedish compound splitting ("familjehemsvården" → familjehem, vården), so that a search for a part finds the compound.

Policy: split only into parts hunspell-sv allows in compounds, lexicalised words too ("socialtjänst"), but never
a name, a form of a word that does not split ("vården"), or a word its parts would find only by accident ("ungdom").
"""

from __future__ import annotations

import mmap
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

__all__ = ["CompoundTable", "SortedForms", "best_split", "load_table", "open_table", "read_table", "split_compound"]

# Built from hunspell-sv by benchmarks/build_compound_table.py; see data/README.md for its licence.
TABLE_PATH = Path(__file__).resolve().parent / "data" / "compounds-sv.txt"

MIN_PART = 3
# Shorter words cannot hold two parts of at least MIN_PART letters.
MIN_WORD = 2 * MIN_PART

# The table's bytes: read whole (read_table) or mapped (open_table); both search and slice alike.
Buffer = bytes | mmap.mmap


class CompoundTable(NamedTuple):
    """What the splitter knows: which forms may start or continue a compound (with how many
    linking letters end them), which may end one, and which whole words must stay whole."""

    # form → number of linking letters at its end that are not part of the word ("vårds" → 1)
    heads: "dict[str, int] | SortedForms"
    # every inflected form of every word the dictionary allows last in a compound ("vården")
    tails: "frozenset[str] | SortedForms"
    # dictionary words that would split but must not: forms of words that do not split, names
    whole: "frozenset[str] | SortedForms"
    # heads that are inflected forms of other words ("miljöer", "högsta"): the last choice among equals
    inflected: "frozenset[str] | SortedForms" = frozenset()


def _sections(data: Buffer) -> dict[str, tuple[int, int]]:
    """Where each section's lines lie in the table's UTF-8 bytes: name → (start, end)."""
    # Each "@" is found by a one-byte search (memchr) and kept where it starts a line: a search for
    # b"\n@" went through the 7.5 MB ten times slower, 8 ms of every search that splits a word.
    starts = []
    at = data.find(b"@")
    while at != -1:
        if at and data[at - 1] == 0x0A:
            starts.append(at - 1)
        at = data.find(b"@", at + 1)
    found: dict[str, tuple[int, int]] = {}
    for at, following in zip(starts, [*starts[1:], -1]):
        name_end = data.find(b"\n", at + 2)
        found[data[at + 2:name_end].decode("ascii")] = (name_end + 1, len(data) if following == -1 else following + 1)
    return found


def _parsed(lines: list[str]) -> dict[str, int]:
    # A trailing digit is the count of linking letters; most forms have none and no digit.
    return {line[:-1] if line[-1].isdigit() else line: int(line[-1]) if line[-1].isdigit() else 0
            for line in lines}


def read_table(path: Path) -> CompoundTable:
    """Reads a table written by benchmarks/build_compound_table.py, every section whole."""
    return _complete(path.read_bytes())


def _complete(data: Buffer) -> CompoundTable:
    """The table in ``data`` (the file's bytes), every section whole."""
    sections = {name: data[start:end].decode("utf-8").split() for name, (start, end) in _sections(data).items()}
    return CompoundTable(_parsed(sections["heads"]), frozenset(sections["tails"]), frozenset(sections["whole"]),
                         frozenset(sections["inflected"]))


# Every form the splitter looks up has at least MIN_PART letters: the forms sharing their first
# MIN_PART letters are read together.
_BLOCK = MIN_PART


class SortedForms:
    """One section of the table as the file has it (one form a line, sorted: UTF-8 bytes sort as
    the letters do), read into a set (for the heads a dict) a block of forms with the same first
    letters at a time, on first use. Reading all 540,000 forms took a process 0.3 s before its
    first split: `svar index` of one answer spent a third of its time there, for some 150 blocks of
    the 8,000."""

    __slots__ = ("_data", "_start", "_end", "_counted", "_blocks")

    def __init__(self, data: Buffer, start: int, end: int, counted: bool) -> None:
        self._data, self._start, self._end, self._counted = data, start, end, counted
        self._blocks: dict[str, dict[str, int] | frozenset[str]] = {}

    @property
    def blocks_read(self) -> int:
        return len(self._blocks)

    @property
    def data(self) -> Buffer:
        """The whole table's bytes (shared by its sections)."""
        return self._data

    def get(self, form: str, default: int | None = None) -> int | None:
        """A head's count of linking letters (the heads' section only)."""
        block = self._blocks.get(form[:_BLOCK])
        if block is None:
            block = self._read(form[:_BLOCK])
        assert isinstance(block, dict), "only the heads' section (counted) is asked for counts"
        return block.get(form, default)

    def __contains__(self, form: str) -> bool:
        block = self._blocks.get(form[:_BLOCK])
        if block is None:
            block = self._read(form[:_BLOCK])
        return form in block

    def _read(self, prefix: str) -> dict[str, int] | frozenset[str]:
        key = prefix.encode("utf-8")
        lines = self._data[self._first_from(key):self._first_from(key + b"\xff")].decode("utf-8").split()
        block = self._blocks[prefix] = _parsed(lines) if self._counted else frozenset(lines)
        return block

    def _first_from(self, key: bytes) -> int:
        """Where the first line not sorting before ``key`` starts (the section's end if none does),
        by bisection over the lines."""
        data, lo, hi, end = self._data, self._start, self._end, self._end
        while lo < hi:  # lo starts a line; the answer is in [lo, hi]
            middle = max(data.rfind(b"\n", lo, (lo + hi) // 2) + 1, lo)
            line_end = data.find(b"\n", middle, end)
            line_end = end if line_end == -1 else line_end
            if data[middle:line_end] < key:
                lo = min(line_end + 1, end)
            else:
                hi = middle
        return lo


def open_table(path: Path) -> CompoundTable:
    """The table at ``path`` answering as read_table's does, each block of forms read on first use.

    The file is mapped, not read: a search that marks a compound part in a snippet looks up a few
    blocks (decompressing a gzip'd table took a cold `svar search` 31 ms), and the worker processes of
    a build share its pages."""
    with open(path, "rb") as file:
        data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    sections = _sections(data)

    def forms(name: str, counted: bool = False) -> SortedForms:
        return SortedForms(data, *sections[name], counted)

    return CompoundTable(forms("heads", counted=True), forms("tails"), forms("whole"), forms("inflected"))


@lru_cache(maxsize=1)
def load_table() -> CompoundTable:
    """The bundled table, mapped once per process on first use; its blocks are read as the splitter
    asks for them."""
    return open_table(TABLE_PATH)


# A job that has needed this many blocks of the heads (of some 3,200) is a large one: the whole
# table is then read at once (0.2 s), and its plain dict and sets split the words that follow a
# fifth faster. One answer needs 30-170 of them; 300 answers went on to 1,800 (0.3 s of blocks).
_READ_WHOLE_AFTER = 300
_whole: CompoundTable | None = None


def _table() -> CompoundTable:
    global _whole
    if _whole is not None:
        return _whole
    table = load_table()
    assert isinstance(table.heads, SortedForms), "open_table reads every section a block at a time"
    if table.heads.blocks_read < _READ_WHOLE_AFTER:
        return table
    _whole = _complete(table.heads.data)  # the bytes it opened: the file is not read twice
    load_table.cache_clear()  # its blocks are in the whole table too: a worker would hold both
    return _whole


def best_split(word: str, table: CompoundTable) -> tuple[str, ...]:
    """The split of a lower-case word with the fewest parts, then the longest leading parts, by the
    table's rules alone (no check of `table.whole`); () when there is none."""
    n = len(word)
    if n < MIN_WORD:
        return ()
    heads, tails, inflected = table.heads, table.tails, table.inflected
    # Every split ends in a tail that starts at letter 2 (a head of three, less a shared letter) or
    # later and has three letters or more: a word none of whose such endings is a tail has none. Two
    # words in three are rejected so, a fifth of the time of the search below; only with the table
    # in memory (looking the endings up a block at a time would read many blocks for nothing).
    if isinstance(tails, frozenset) and not any(word[k:] in tails for k in range(MIN_PART - 1, n - MIN_PART + 1)):
        return ()
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
# The common words (see analysis.WORD_CACHE_SIZE); past it, words are split again rather than kept.
_CACHE_LIMIT = 1 << 16


def release() -> None:
    """Forget the splits made so far and the table itself (read again on next use)."""
    global _whole
    _cache.clear()
    load_table.cache_clear()
    _whole = None


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
        table = _table()
        # Whole words are looked up only for words that would split: most words do not, and each
        # lookup may read a block of the table.
        parts = best_split(lower, table)
        if parts and lower in table.whole:
            parts = ()
    if len(_cache) < _CACHE_LIMIT:
        _cache[word] = parts
    return parts
