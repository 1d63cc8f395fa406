"""Swedish text analysis: the analyzers used both to index answers and to parse queries.

Composed from small Whoosh filters. The main analyzer tokenizes (keeping "2022/65", "JO:s"),
lower-cases, drops Snowball's Swedish stop words and stems with Snowball plus a few repairs. Three
lower-weighted fields get variants of it: exact word forms, compound parts, and å/ä/ö-folded words.
The exact field also keeps the stop words, with every word's position: it is where phrases are
matched, word for word as written (a query's plain words still leave stop words out).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from collections.abc import Iterable, Iterator
import itertools
from itertools import filterfalse
from typing import Protocol, cast

from whoosh.analysis import Analyzer, Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token
from whoosh.analysis.analyzers import CompositeAnalyzer

from . import compounds
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

# Between the parts of a passage's text (title, question, body) in the variant fields: the tokenizer
# never matches it, and the exact field leaves a position free there, so no phrase spans two parts.
PART_BREAK = "\x1e"

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
# Words each per-word cache below keeps. Indexing asks these only when a token cache (_TermCache)
# misses, so they need the common words, not the whole vocabulary: holding all of a corpus's
# 173,000 tokens took each worker of a build some 100 MB, for the rare words a token cache
# misses again after it was emptied.
WORD_CACHE_SIZE = 1 << 16


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
    if len(_stem_cache) < WORD_CACHE_SIZE:
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

    # Filter.__call__ itself narrows Composable.__call__(value, **kwargs): whoosh's own typing.
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token

    def token_terms(self, text: str) -> tuple[str, ...]:
        """What this filter makes of one kept token at index time (see TokenwiseAnalyzer)."""
        return (stem(text),)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def fold(text: str) -> str:
    """Lower-case without å/ä/ö or accents: "Socialtjänstlagen" → "socialtjanstlagen", "Andréa" → "andrea"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class FoldFilter(_StatelessFilter):
    """Folds å/ä/ö and accents away. At index time it keeps only the words folding changed: the
    others are already in the main field, and a query word is folded the same way whatever it is."""

    # Filter.__call__ itself narrows Composable.__call__(value, **kwargs): whoosh's own typing.
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for token in tokens:
            folded = fold(token.text)
            if folded == token.text and token.mode == "index":
                continue
            token.text = folded
            yield token

    def token_terms(self, text: str) -> tuple[str, ...]:
        """What this filter makes of one kept token at index time (see TokenwiseAnalyzer)."""
        folded = fold(text)
        return () if folded == text else (folded,)


class CompoundPartsFilter(_StatelessFilter):
    """At index time replaces each compound with its parts, all at the compound's position and
    characters (so a snippet marks the whole compound); an elliptic pair ("jour+familjehem", from
    EllipsisTokenizer) becomes the compound it implies ("jourhem"). Query words pass through."""

    # Filter.__call__ itself narrows Composable.__call__(value, **kwargs): whoosh's own typing.
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
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

    def token_terms(self, text: str) -> tuple[str, ...]:
        """What this filter makes of one kept token at index time (see TokenwiseAnalyzer)."""
        if "+" in text:
            left, right = text.split("+", 1)
            return (left + (split_compound(right) or (right,))[-1],)
        return all_parts(text)


@lru_cache(maxsize=WORD_CACHE_SIZE)
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
                # whoosh's Token declares no "original", though its own tokenizers set it so
                token.original = text  # type: ignore[attr-defined]
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


class PartsTokenizer(RegexTokenizer):
    """The main tokenizer, leaving a position free at each PART_BREAK (between a passage's title,
    question and body), so that no phrase runs from one into the next."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs) -> Iterator[Token]:
        if not tokenize or PART_BREAK not in value:
            yield from super().__call__(value, positions=positions, chars=chars, keeporiginal=keeporiginal,
                                        removestops=removestops, start_pos=start_pos, start_char=start_char,
                                        tokenize=tokenize, mode=mode, **kwargs)
            return
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        breaks, last = 0, 0
        for index, match in enumerate(self.expression.finditer(value)):
            breaks += value.count(PART_BREAK, last, match.start())
            last = match.start()
            token.text, token.boost, token.stopped = match.group(0), 1.0, False
            if keeporiginal:
                # whoosh's Token declares no "original", though its own tokenizers set it so
                token.original = token.text  # type: ignore[attr-defined]
            if positions:
                token.pos = start_pos + index + breaks
            if chars:
                token.startchar, token.endchar = start_char + match.start(), start_char + match.end()
            yield token


class QueryStopFilter(StopFilter):
    """Drops stop words from a query's words only: at index time every word passes, at its position
    (the exact field keeps them for phrases; a query's plain words leave them out)."""

    # Filter.__call__ itself narrows Composable.__call__(value, **kwargs): whoosh's own typing.
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        tokens = iter(tokens)
        first = next(tokens, None)
        if first is None:
            return
        if first.mode == "index":
            yield first
            yield from tokens
            return
        yield from super().__call__(itertools.chain((first,), tokens))


class _TokenFilter(Protocol):
    """A filter that says what it makes of one kept token at index time."""

    def token_terms(self, text: str) -> tuple[str, ...]: ...


class TokenwiseAnalyzer(Analyzer):
    """A regex tokenizer and per-token filters, as composed, with each distinct token analysed once.

    Indexing runs six analyzers over every passage, and each token went through a generator per
    filter: a third of a build's time. The filters (lower-case, stop words, stemming, folding,
    compound parts) look at one token at a time, so at index time the terms a token gives are looked
    up per distinct token text, and only the tokenizing loop and the stop filter's renumbering of
    positions run per token. Any other use (queries, highlighting, no_morph) runs the chain itself.
    """

    def __init__(self, chain: CompositeAnalyzer, name: str) -> None:
        stops = [i for i, item in enumerate(chain.items) if isinstance(item, StopFilter)]
        # (the cast: stops holds the indices of StopFilters only)
        if (not isinstance(chain.items[0], RegexTokenizer) or len(stops) != 1
                or not cast(StopFilter, chain.items[stops[0]]).renumber
                or not all(isinstance(item, LowercaseFilter) for item in chain.items[1:stops[0]])):
            raise ValueError(f"not a tokenizer, lower-casing, one renumbering stop filter, then per-token filters: {chain!r}")
        self.chain = chain
        self._stop_at = stops[0]
        self.name = name  # the cache of token terms, shared by every copy of this analyzer
        self._derive()

    # An index keeps its schema pickled, analyzers and all: only the chain, the stop filter's place
    # and the name are kept (as indexes made before _derive's attributes existed hold them), and
    # the rest is worked out again when the schema is read.

    def __getstate__(self) -> dict:
        return {"chain": self.chain, "_stop_at": self._stop_at, "name": self.name}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._derive()

    def _derive(self) -> None:
        """What index time needs to know of the chain, looked up once rather than per token."""
        chain, stop_at = self.chain, self._stop_at
        stop = cast(StopFilter, chain.items[stop_at])
        # At index time a QueryStopFilter keeps every token, each at its position.
        self._keeps_all = isinstance(stop, QueryStopFilter)
        self._stop = stop
        self._lowers = stop_at > 1  # lower-case filters before the stop filter
        # The filters after the stop filter, when each says what it makes of one token (token_terms):
        # a token's terms are then worked out without a token stream.
        after = chain.items[stop_at + 1:]
        self._token_filters: tuple[_TokenFilter, ...] | None = (
            tuple(cast(_TokenFilter, item) for item in after) if all(hasattr(item, "token_terms") for item in after)
            else None)
        # A FoldFilter first drops every token that folding leaves as it is, as it does every ASCII
        # token: such an analyzer's terms come from the other tokens alone (a seventh of a text's).
        self._ascii_dropped = bool(after) and isinstance(after[0], FoldFilter)

    def __repr__(self) -> str:
        return f"TokenwiseAnalyzer({self.chain!r}, {self.name!r})"

    @property
    def expression(self) -> re.Pattern:
        """The tokenizer's regular expression: each of its matches is one token."""
        return self._tokenizer.expression

    @property
    def _tokenizer(self) -> RegexTokenizer:
        """The chain's first item: a regex tokenizer, as __init__ checked."""
        tokenizer = self.chain.items[0]
        assert isinstance(tokenizer, RegexTokenizer), "__init__ takes only a chain that starts with one"
        return tokenizer

    def word_terms(self, word: str) -> tuple[str, ...]:
        """The terms the index-time token stream makes of the token ``word`` (none for a stop word)."""
        terms = self._term_cache()[word]
        return () if terms is STOPPED else terms

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.name == self.name and other.chain == self.chain

    def __hash__(self) -> int:
        return hash((type(self), self.name))

    def has_morph(self) -> bool:
        return self.chain.has_morph()

    def clean(self) -> None:
        self.chain.clean()

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs) -> Iterator[Token]:
        if mode != "index" or keeporiginal or not removestops or not tokenize or kwargs.get("no_morph"):
            return self.chain(value, positions=positions, chars=chars, keeporiginal=keeporiginal,
                              removestops=removestops, start_pos=start_pos, start_char=start_char,
                              tokenize=tokenize, mode=mode, **kwargs)
        return self._index_tokens(value, positions, chars, start_pos, start_char, kwargs)

    def _index_tokens(self, value: str, positions: bool, chars: bool, start_pos: int, start_char: int,
                      kwargs: dict) -> Iterator[Token]:
        token = Token(positions, chars, removestops=True, mode="index", **kwargs)
        token.boost, token.stopped = 1.0, False
        for pos, start, end, terms in self._kept_tokens(value):
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            for term in terms:
                token.text = term
                yield token

    def index_positions(self, value: str) -> dict[str, list[int]]:
        """Each term the index-time token stream of ``value`` holds, with its ascending positions:
        what Whoosh's Positions format gathers from the stream, without making the stream."""
        if self._keeps_all and not self._has_pairs(value):
            return self._all_positions(value)
        found: dict[str, list[int]] = {}
        get = found.get
        kept: Iterator[tuple[int, tuple[str, ...]]]
        if self._has_pairs(value):
            kept = ((pos, terms) for pos, _, _, terms in self._kept_tokens(value))
        else:
            kept = self._kept_words(value)
        for pos, terms in kept:
            for term in terms:
                where = get(term)
                if where is None:
                    found[term] = [pos]
                else:
                    where.append(pos)
        return found

    def index_frequencies(self, value: str) -> dict[str, int]:
        """Each term of the index-time token stream of ``value`` with how often it occurs: what Whoosh's
        Frequency format counts. The exact, parts and folded fields all index a passage's whole text,
        so its words are counted once (by the C regex engine) and each field maps the counts to terms."""
        found: dict[str, int] = {}
        get = found.get
        pairs: list[str] = []
        if self._has_pairs(value):
            pairs = self._pairs(value)
            if not pairs:  # a pair where the tokens do not show it simply: counted token by token
                for _, _, _, terms in self._kept_tokens(value):
                    for term in terms:
                        found[term] = get(term, 0) + 1
                return found
        terms_of = self._term_cache()
        expression = self._tokenizer.expression
        # No token spans a PART_BREAK: the parts of a text are counted apart, each as the field of
        # its own (title, question, body) was a moment ago.
        for piece in value.split(PART_BREAK) if PART_BREAK in value else (value,):
            counts = _word_counts(expression, piece)
            if self._ascii_dropped:  # the folded field: only the words with other letters than ASCII's
                for text in filterfalse(str.isascii, counts):
                    terms = terms_of[text]
                    if terms is not STOPPED:
                        for term in terms:
                            found[term] = get(term, 0) + counts[text]
                continue
            for text, count in counts.items():
                terms = terms_of[text]
                if terms is not STOPPED:
                    for term in terms:
                        found[term] = get(term, 0) + count
        for text in pairs:
            terms = terms_of[text]
            if terms is not STOPPED:
                for term in terms:
                    found[term] = get(term, 0) + 1
        terms_of.trim()
        return found

    def _pairs(self, value: str) -> list[str]:
        """The elliptic pair tokens ("jour+familjehem") EllipsisTokenizer adds to the tokens of
        ``value``; [] when one of them may start inside a token (after a colon: "SoL:s"), where only
        the tokenizer tells.

        The tokenizer adds a pair where a token starts at the pair's first word. That word starts
        at a word boundary with a letter, so the character before it is no word character, and only
        a genitive ("JO:s") spans one: every pair whose word follows anything but a colon counts."""
        found = []
        for pair in EllipsisTokenizer.ELLIPSIS.finditer(value):
            start = pair.start(1)
            if start and value[start - 1] == ":":
                return []
            found.append(f"{pair[1]}+{pair[2]}")
        return found

    def _all_positions(self, value: str) -> dict[str, list[int]]:
        """index_positions for an analyzer whose stop filter keeps every token at index time (the
        exact field): each token at its index among the tokens, plus one for each PART_BREAK before
        it where the tokenizer is a PartsTokenizer; the words come from the regex engine as strings,
        grouped per word, then per term."""
        terms_of = self._term_cache()
        expression = self._tokenizer.expression
        gap = 1 if isinstance(self.chain.items[0], PartsTokenizer) else 0
        found: dict[str, list[int]] = {}
        get = found.get
        unsorted: list[list[int]] = []  # terms of two words whose positions interleave
        base = 0  # the tokens (and breaks) before this piece
        for piece in value.split(PART_BREAK) if PART_BREAK in value else (value,):
            words = _words(expression, piece)
            at: dict[str, list[int]] = {}
            where = at.get
            for position, text in enumerate(words, base):
                positions = where(text)
                if positions is None:
                    at[text] = [position]
                else:
                    positions.append(position)
            for text, positions in at.items():
                terms = terms_of[text]
                for term in terms:
                    have = get(term)
                    if have is None:
                        found[term] = positions if len(terms) == 1 else list(positions)
                    else:
                        if have[-1] > positions[0]:
                            unsorted.append(have)
                        have.extend(positions)
            base += len(words) + gap
        for positions in unsorted:
            positions.sort()
        terms_of.trim()
        return found

    def _has_pairs(self, value: str) -> bool:
        """Whether ``value`` has an elliptic pair this analyzer's tokenizer makes a token of (one
        passage in six)."""
        return (isinstance(self.chain.items[0], EllipsisTokenizer) and _HYPHEN_SPACE.search(value) is not None
                and EllipsisTokenizer.ELLIPSIS.search(value) is not None)

    def _kept_words(self, value: str) -> Iterator[tuple[int, tuple[str, ...]]]:
        """(position, terms) of each word the stop filter keeps, as _kept_tokens without characters or
        elliptic pairs: the words come from the regex engine as strings, not as match objects."""
        if PART_BREAK in value:  # the parts' positions are apart: counted as _kept_tokens counts them
            for position, _, _, kept in self._kept_tokens(value):
                yield position, kept
            return
        terms_of = self._term_cache()
        pos = None
        for index, text in enumerate(_words(self._tokenizer.expression, value)):
            terms = terms_of[text]
            if terms is not STOPPED:
                pos = index if pos is None else pos + 1
                yield pos, terms
        terms_of.trim()

    def _kept_tokens(self, value: str) -> Iterator[tuple[int, int, int, tuple[str, ...]]]:
        """(position, start, end, terms) of each token the stop filter keeps, numbered as it numbers them."""
        tokenizer = self._tokenizer
        terms_of = self._term_cache()
        pairs = ({m.start(1): m for m in EllipsisTokenizer.ELLIPSIS.finditer(value)}
                 if isinstance(tokenizer, EllipsisTokenizer) else {})
        # A PartsTokenizer leaves a position free at each PART_BREAK; with a QueryStopFilter no token is
        # dropped at index time, so a token's position is its index plus the breaks before it.
        breaks = ([i for i, char in enumerate(value) if char == PART_BREAK]
                  if isinstance(tokenizer, PartsTokenizer) and PART_BREAK in value else [])
        keeps_all = isinstance(self.chain.items[self._stop_at], QueryStopFilter)
        passed = 0  # breaks before the current token
        pos = None
        for index, match in enumerate(tokenizer.expression.finditer(value)):
            text, start, end = match.group(0), match.start(), match.end()
            while passed < len(breaks) and breaks[passed] < start:
                passed += 1
            # As EllipsisTokenizer does, an elliptic pair is one more token after its first word.
            pair = pairs.get(start) if pairs else None
            while True:
                terms = terms_of[text]
                if terms is not STOPPED:  # a stop word takes no position: the stop filter renumbers
                    pos = index + passed if keeps_all else index if pos is None else pos + 1
                    yield pos, start, end, terms
                if pair is None:
                    break
                text, end, pair = f"{pair[1]}+{pair[2]}", pair.end(), None
        terms_of.trim()

    def _term_cache(self) -> "_TermCache":
        cache = _TOKEN_TERMS.get(self.name)
        if cache is None:
            cache = _TOKEN_TERMS[self.name] = _TermCache(self._terms)
        return cache

    def _terms(self, text: str) -> tuple[str, ...]:
        """The terms the chain's filters make of one token; STOPPED if its stop filter drops it."""
        if self._token_filters is not None:
            # As the chain does it: lower-case, the stop filter's test, then each filter per token.
            if self._lowers:
                text = text.lower()
            if not self._keeps_all:
                stop = self._stop
                if len(text) < stop.min or (stop.max is not None and len(text) > stop.max) or text in stop.stops:
                    return STOPPED
            terms: tuple[str, ...] = (text,)
            for each in self._token_filters:
                if len(terms) == 1:
                    terms = each.token_terms(terms[0])
                else:
                    terms = tuple(made for term in terms for made in each.token_terms(term))
            return terms
        token = Token(False, False, removestops=True, mode="index")
        token.text, token.boost, token.stopped = text, 1.0, False
        stream: Iterator[Token] = iter([token])
        passed = False
        for item in self.chain.items[1:]:
            stream = item(stream)
            if isinstance(item, StopFilter):
                kept = list(stream)
                if not kept:
                    return STOPPED
                passed = True
                stream = iter(kept)
        assert passed
        return tuple(t.text for t in stream)


# Distinct token texts whose terms each analyzer remembers, per process. At 500,000 the four analyzers'
# caches took a 4x build (two workers) to 1,012 MB peak RSS; word frequencies are Zipfian, so a smaller
# cache, emptied when full, still answers most tokens.
MAX_CACHED_TOKENS = 100_000
STOPPED: tuple[str, ...] = ("<stopped>",)  # compared by identity: a stop word's entry


class _TermCache(dict):
    """Token text → the terms an analyzer's filters make of it, worked out on first lookup."""

    def __init__(self, terms_of) -> None:
        super().__init__()
        self.terms_of = terms_of

    def __missing__(self, text: str) -> tuple[str, ...]:
        terms = self[text] = self.terms_of(text)
        return terms

    def trim(self) -> None:
        if len(self) >= MAX_CACHED_TOKENS:
            self.clear()


_TOKEN_TERMS: dict[str, _TermCache] = {}


_HYPHEN_SPACE = re.compile(r"-\s")  # what every elliptic pair has; found far faster than a pair

# The words, and their counts, of the texts analysed last: a passage's title, question and body are
# analysed for their own fields and again as the parts of its variant text (exact, parts, folded).
# Keyed by pattern and text; emptied when it holds more than a few passages' texts.
_recent_words: dict[tuple[re.Pattern, str], list[str]] = {}
_recent_counts: dict[tuple[re.Pattern, str], Counter] = {}
_RECENT_TEXTS = 32


def _words(expression: re.Pattern, value: str) -> list[str]:
    """The tokenizer's matches in ``value``, as strings (remembered for the texts analysed last)."""
    key = (expression, value)
    words = _recent_words.get(key)
    if words is None:
        if expression.groups:  # findall would give the groups, not the words
            words = [match.group(0) for match in expression.finditer(value)]
        else:
            words = expression.findall(value)
        if len(_recent_words) >= _RECENT_TEXTS:
            _recent_words.clear()
        _recent_words[key] = words
    return words


def _word_counts(expression: re.Pattern, value: str) -> Counter:
    """How often each word occurs in ``value`` (remembered for the texts analysed last)."""
    key = (expression, value)
    counts = _recent_counts.get(key)
    if counts is None:
        counts = Counter(_words(expression, value))
        if len(_recent_counts) >= _RECENT_TEXTS:
            _recent_counts.clear()
        _recent_counts[key] = counts
    return counts


def release_caches() -> None:
    """Forget every word analysed so far, and the compound table. A writer calls this once its last
    passage is analysed: at 16x the caches and the table were some 300 MB of each worker, held for
    nothing while it wrote its segment."""
    _TOKEN_TERMS.clear()
    _stem_cache.clear()
    fold.cache_clear()
    all_parts.cache_clear()
    _recent_words.clear()
    _recent_counts.clear()
    compounds.release()


def tokenizer() -> RegexTokenizer:
    return RegexTokenizer(TOKEN_PATTERN)


def _stop() -> StopFilter:
    return StopFilter(stoplist=STOP_WORDS, minsize=1)


def swedish_analyzer() -> TokenwiseAnalyzer:
    """The main analyzer: for the title, question and body fields and for query words."""
    return TokenwiseAnalyzer(tokenizer() | LowercaseFilter() | _stop() | SwedishStemFilter(), "main")


def exact_analyzer() -> TokenwiseAnalyzer:
    """Word forms as written (lower-cased), so an exact form outranks another form of the same stem.
    At index time stop words too, each at its position, the parts of a text apart: phrases are
    matched here."""
    return TokenwiseAnalyzer(PartsTokenizer(TOKEN_PATTERN) | LowercaseFilter()
                             | QueryStopFilter(stoplist=STOP_WORDS, minsize=1), "exact")


def parts_analyzer() -> TokenwiseAnalyzer:
    """Compound parts and elliptic compounds, stemmed: "familjehemsvården" is found by "familjehem"."""
    return TokenwiseAnalyzer(EllipsisTokenizer(TOKEN_PATTERN) | LowercaseFilter() | _stop() | CompoundPartsFilter()
                             | SwedishStemFilter(), "parts")


def folded_analyzer() -> TokenwiseAnalyzer:
    """Stems of words folded without å/ä/ö: "socialtjanstlagen" finds "socialtjänstlagen"."""
    return TokenwiseAnalyzer(tokenizer() | LowercaseFilter() | _stop() | FoldFilter() | SwedishStemFilter(), "folded")


def analyze(text: str) -> list[str]:
    """The index terms of a text, in order (for tests and for matching query words to passages)."""
    return [token.text for token in swedish_analyzer()(text)]
