"""Swedish text analysis: the analyzers used both to index answers and to parse queries.

Composed from small Whoosh filters. The main analyzer tokenizes (keeping "2022/65", "JO:s"),
lower-cases, drops Snowball's Swedish stop words and stems with Snowball plus a few repairs. Three
lower-weighted fields get variants of it: exact word forms, compound parts, and å/ä/ö-folded words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from collections.abc import Iterator

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token

from .compounds import split_compound

# Snowball's Swedish stop list (snowballstem.org/algorithms/swedish/stop.txt).
STOP_WORDS = frozenset(
    """och det att i en jag hon som han på den med var sig för så till är men ett om hade de av icke mig
    du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde något från ut när efter
    upp vi dem vara vad över än dig kan sina här ha mot alla under någon eller allt mycket sedan ju denna
    själv detta åt utan varit hur ingen mitt ni bli blev oss din dessa några deras blir mina samma vilken
    er sådan vår blivit dess inom mellan sådant varför varje vilka ditt vem vilket sitta sådana vart dina
    vars vårt våra ert era vilkas""".split()
)

# Numbers keep their inner punctuation ("2022/65", "3,5", "1.000"); a word keeps a genitive after a
# colon ("JO:s", "SoL:s"); hyphenated words are split so "Hägersten-Älvsjö" finds "Älvsjö".
TOKEN_PATTERN = r"\d+(?:[.,/:]\d+)*|[^\W_]+(?::[^\W\d_]{1,3}(?![^\W_]))?"

# Forms the Snowball stemmer leaves apart from their base, in this genre's vocabulary.
STEM_OVERRIDES = {
    "barnet": "barn",
    "barnets": "barn",
    "vårdnadsöverflytt": "vårdnadsöverflyttning",
    "vårdnadsöverflytten": "vårdnadsöverflyttning",
}
_DOUBLED_M = re.compile(r"^(.{2,}m)m(?:en|et|ens|ets)$")  # hemmet, familjehemmen, programmet
_NOT_DOUBLED_M = ("kommen", "kommet")  # välkommen, fullkomnet: not a definite form
_S_ENDING = re.compile(r"[bcdfghjklmnoprtvy]s$")
_GENITIVE = re.compile(r"^(.+):[^\W\d_]{1,3}$")


def _load_stemmer():
    # PyStemmer gives the same stems as snowballstemmer, many times faster; it is optional.
    try:
        import Stemmer

        return Stemmer.Stemmer("swedish").stemWord
    except ImportError:
        import snowballstemmer

        return snowballstemmer.stemmer("swedish").stemWord


_stem_word = None
_stem_cache: dict[str, str] = {}


def stem(word: str) -> str:
    """The stem of a lower-case Swedish word, the same at index and query time (cached per word)."""
    cached = _stem_cache.get(word)
    if cached is not None:
        return cached
    global _stem_word
    if _stem_word is None:
        _stem_word = _load_stemmer()
    base = word
    genitive = _GENITIVE.match(base)
    if genitive:
        base = genitive[1]
    if base in STEM_OVERRIDES:
        result = _stem_word(STEM_OVERRIDES[base])
    else:
        doubled = _DOUBLED_M.match(base)
        if doubled and not base.endswith(_NOT_DOUBLED_M):
            base = doubled[1]
        result = _stem_word(base)
        # Snowball drops a final -s only once: "insatser" → "insats" but "insats" → "insat".
        if result != base and _S_ENDING.search(result):
            result = result[:-1]
    if len(_stem_cache) < 500_000:
        _stem_cache[word] = result
    return result


class _StatelessFilter(Filter):
    """A filter with no settings: any two are equal (Whoosh compares analyzers when merging schemas)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


class SwedishStemFilter(_StatelessFilter):
    """Replaces each token's text with its stem; marked morphological so spelling uses whole words."""

    is_morph = True

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


@lru_cache(maxsize=1 << 20)  # called on every word of every passage: once per distinct word
def fold(text: str) -> str:
    """Lower-case without å/ä/ö or accents: "Socialtjänstlagen" → "socialtjanstlagen", "Andréa" → "andrea"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class FoldFilter(_StatelessFilter):
    """Folds å/ä/ö and accents away. At index time it keeps only the words folding changed: the
    others are already in the main field, and a query word is folded the same way whatever it is."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            folded = fold(token.text)
            if folded == token.text and token.mode == "index":
                continue
            token.text = folded
            yield token


class CompoundPartsFilter(_StatelessFilter):
    """At index time replaces each compound with its parts, all at the compound's position and
    characters (so a snippet marks the whole compound); an elliptic pair ("jour+familjehem", from
    EllipsisTokenizer) becomes the compound it implies ("jourhem"). Query words pass through."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if token.mode != "index":
                yield token
                continue
            if "+" in token.text:
                left, right = token.text.split("+", 1)
                token.text = left + (split_compound(right) or (right,))[-1]
                yield token
                continue
            for part in all_parts(token.text):
                token.text = part
                yield token


@lru_cache(maxsize=1 << 20)
def all_parts(word: str) -> tuple[str, ...]:
    """The parts of a compound and, recursively, of its parts: "mellantvång" → mellan, tvång."""
    found: list[str] = []
    for part in split_compound(word):
        found.append(part)
        found.extend(p for p in all_parts(part) if p not in found)
    return tuple(found)


class EllipsisTokenizer(RegexTokenizer):
    """The main tokenizer, plus one token "jour+familjehem" for each elliptic compound pair
    ("jour- och familjehem"), spanning the whole pair, at the position of its first word."""

    ELLIPSIS = re.compile(r"\b([^\W\d_]{2,})-\s+(?:och|eller|samt|respektive|resp\.)\s+([^\W\d_]{3,})", re.IGNORECASE)

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs) -> Iterator[Token]:
        pairs = {m.start(1): m for m in self.ELLIPSIS.finditer(value)} if mode == "index" else {}
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)

        def fill(text: str, pos: int, start: int, end: int) -> Token:
            token.text, token.boost, token.stopped = text, 1.0, False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            return token

        for pos, match in enumerate(self.expression.finditer(value)):
            yield fill(match.group(0), pos, match.start(), match.end())
            pair = pairs.get(match.start())
            if pair is not None:
                yield fill(f"{pair[1]}+{pair[2]}", pos, match.start(), pair.end())


def tokenizer() -> RegexTokenizer:
    return RegexTokenizer(TOKEN_PATTERN)


def _stop() -> StopFilter:
    return StopFilter(stoplist=STOP_WORDS, minsize=1)


def swedish_analyzer():
    """The main analyzer: for the title, question and body fields and for query words."""
    return tokenizer() | LowercaseFilter() | _stop() | SwedishStemFilter()


def exact_analyzer():
    """Word forms as written (lower-cased), so an exact form outranks another form of the same stem."""
    return tokenizer() | LowercaseFilter() | _stop()


def parts_analyzer():
    """Compound parts and elliptic compounds, stemmed: "familjehemsvården" is found by "familjehem"."""
    return EllipsisTokenizer(TOKEN_PATTERN) | LowercaseFilter() | _stop() | CompoundPartsFilter() | SwedishStemFilter()


def folded_analyzer():
    """Stems of words folded without å/ä/ö: "socialtjanstlagen" finds "socialtjänstlagen"."""
    return tokenizer() | LowercaseFilter() | _stop() | FoldFilter() | SwedishStemFilter()


def analyze(text: str) -> list[str]:
    """The index terms of a text, in order (for tests and for matching query words to passages)."""
    return [token.text for token in swedish_analyzer()(text)]
