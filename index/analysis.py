"""Swedish text analysis: the one analyzer used both to index answers and to parse queries.

Composed from small Whoosh filters: tokenize (keeping "2022/65", "JO:s", "covid-19"), lower-case,
drop Snowball's Swedish stop words, stem with Snowball's Swedish stemmer plus a few repairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token

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


class SwedishStemFilter(Filter):
    """Replaces each token's text with its stem; marked morphological so spelling uses whole words."""

    is_morph = True

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


def tokenizer() -> RegexTokenizer:
    return RegexTokenizer(TOKEN_PATTERN)


def swedish_analyzer():
    """The analyzer for every searchable text field and for query words."""
    return tokenizer() | LowercaseFilter() | StopFilter(stoplist=STOP_WORDS, minsize=1) | SwedishStemFilter()


def analyze(text: str) -> list[str]:
    """The index terms of a text, in order (for tests and for matching query words to passages)."""
    return [token.text for token in swedish_analyzer()(text)]
