"""Parsing what a user types into a Whoosh query: ranked OR of plain words, phrases, AND/OR/NOT, -word.

Never raises on malformed input: a lone quote, a dangling operator or stray parentheses are parsed
as well as they can be, and a query with nothing searchable in it becomes an empty query.
"""

from __future__ import annotations

import copy
import fnmatch
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from whoosh import qparser, query
from whoosh.qparser import MultifieldParser, OrGroup, QueryParser, syntax
from whoosh.qparser.taggers import RegexTagger

from svar.index.analysis import STEM_OVERRIDES, STOP_WORDS, TOKEN_PATTERN, stem
from svar.index.schema import FIELD_BOOSTS, PHRASE_FIELD, TEXT_FIELDS, shared_schema

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
# A wildcard needs this many literal letters before it, or it would expand to most of the index.
MIN_WILDCARD_PREFIX = 2
# The farthest apart, in words, that quoted words with a distance ("a b"~N) may stand; a larger N is this.
MAX_NEAR_WINDOW = 100
# A near word shorter than this is matched only as written (near_form).
MIN_NEAR_FORM = 3
_WORD = re.compile(r"[^\W_]+(?:[-:][^\W_]+)*")
_TOKEN = re.compile(TOKEN_PATTERN)
_SWEDISH_LETTERS = re.compile("[åäö]")


class BestField(query.DisjunctionMax):
    """One word's fields: a passage scores by the best of them (search/plan.py's ``Best``).

    Summed, a common word that also occurs in the title and the question outweighs a rare word found
    as a compound part or without å/ä/ö. Adding a share of the other fields ranked worse on the judged
    queries (benchmarks/relevance.py, shares 0.05-0.3), so there is none. Only a marker in the parsed
    tree: svar's scorer, not Whoosh's matcher, gives it its meaning.
    """


class ExactPhrase(query.Query):
    """A quoted phrase: its words as written (lower-cased), stop words and negations too, in a row in
    one part of a passage (title, question or body), as the exact field's positions tell.

    A passage that holds it scores what ``score`` scores there: the phrase's words as plain words
    (each by its best field, as when typed without quotes), and each stop word by its exact form.
    Only a marker in the parsed tree, as BestField: svar's scorer gives it its meaning.
    """

    def __init__(self, words: tuple[str, ...], score: query.Query, boost: float = 1.0) -> None:
        self.words = tuple(words)
        self.score = score
        self.boost = boost
        self.fieldname = PHRASE_FIELD

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and other.words == self.words and other.score == self.score
                and other.boost == self.boost)

    def __hash__(self) -> int:
        return hash((type(self), self.words, self.boost))

    def __repr__(self) -> str:
        boost = "" if self.boost == 1.0 else f", boost={self.boost!r}"
        return f"ExactPhrase({self.words!r}, {self.score!r}{boost})"


class NearWords(query.Query):
    """Quoted words with a distance (``"isocyanat astma"~10``): the words near each other, in any
    order, in a passage's text (its title, question and body in that order, as the exact field's
    positions count them, one position free between two parts).

    A passage holds them where some occurrence of the first word has an occurrence of each other word
    at most ``window`` positions before or after it. A stop word, or a word of one or two letters,
    occurs only as written; any other word as itself and as any word that is no stop word and has its
    stem or begins with it: its inflections and the compounds it begins ("tåg" as tågen, tågtrafiken;
    ``near_form``). A passage that holds them scores what ``score`` scores there, as for ExactPhrase,
    times their closeness: 2 / (1 + the farthest word's distance at the nearest such place), all of it
    side by side, half with two words between. Only a marker in the parsed tree.
    """

    def __init__(self, words: tuple[str, ...], window: int, score: query.Query, boost: float = 1.0) -> None:
        self.words = tuple(words)
        self.window = window
        self.score = score
        self.boost = boost
        self.fieldname = PHRASE_FIELD

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and other.words == self.words and other.window == self.window
                and other.score == self.score and other.boost == self.boost)

    def __hash__(self) -> int:
        return hash((type(self), self.words, self.window, self.boost))

    def __repr__(self) -> str:
        boost = "" if self.boost == 1.0 else f", boost={self.boost!r}"
        return f"NearWords({self.words!r}, {self.window!r}, {self.score!r}{boost})"


def near_as_written(word: str) -> bool:
    """Whether a near word counts only as written (near_form): a stop word, or a word that short."""
    return word in STOP_WORDS or len(word) < MIN_NEAR_FORM


def near_form(token: str, word: str) -> bool:
    """Whether a word of a text (lower-cased) counts as the near word ``word`` (NearWords): a stop
    word only as written; any other word as itself and as every word that is no stop word and has
    its stem or begins with it ("tåg": tågen, tågtrafiken; "medie": medier, mediepolitiska, but not
    medicin). A word of fewer than MIN_NEAR_FORM letters is taken as written too: "s" would be
    every word beginning with an s. The scorer (through the index's terms) and the snippets both ask this."""
    if near_as_written(word):
        return token == word
    return token == word or (token not in STOP_WORDS and (token.startswith(word) or stem(token) == stem(word)))


def phrase_words(text: str) -> tuple[str, ...]:
    """The words of a phrase as the exact field holds them: every token, lower-cased."""
    return tuple(token.lower() for token in _TOKEN.findall(text))


class _PhraseNode(syntax.SyntaxNode):
    """A quoted phrase in the parser's syntax tree. It has no field name, so the multifield plugin
    leaves it whole: a phrase is matched in one field, the exact one."""

    has_boost = True

    def __init__(self, text: str, window: int | None = None) -> None:
        self.text = text
        self.window = window
        self.boost = 1.0

    def r(self) -> str:
        return f"Phrase {self.text!r}" + ("" if self.window is None else f"~{self.window}")

    def query(self, parser) -> query.Query:
        words = phrase_words(self.text)
        if not words:
            return query.NullQuery
        plain = [w for w in words if w not in STOP_WORDS]
        scores: list[query.Query] = []
        if plain:
            scores.append(_prune(parser.parse(" ".join(plain), normalize=False)))
        exact_boost = FIELD_BOOSTS[PHRASE_FIELD]
        scores.extend(query.Term(PHRASE_FIELD, w, boost=exact_boost) for w in words if w in STOP_WORDS)
        score = scores[0] if len(scores) == 1 else query.Or(scores)
        if self.window is not None and len(words) > 1:
            return NearWords(words, min(max(self.window, 1), MAX_NEAR_WINDOW), score, boost=self.boost)
        return ExactPhrase(words, score, boost=self.boost)


class _PhraseTagger(RegexTagger):
    def create(self, parser, match) -> _PhraseNode:
        window = match.group("window")
        return _PhraseNode(match.group("text"), int(window) if window else None)


class PhrasePlugin(qparser.Plugin):
    """Text in double quotes is an ExactPhrase (Whoosh's own phrase would drop its stop words);
    followed by ``~N``, NearWords: its words within N words of each other."""

    def taggers(self, parser):
        return [(_PhraseTagger(r'"(?P<text>.*?)"(?:~(?P<window>\d{1,6})(?![^\s()^]))?'), 0)]


@dataclass
class ParsedQuery:
    """A query ready to run, with what the snippet and suggestion code need to know about it."""

    text: str
    query: query.Query
    # Per field, the terms that count as a match in a passage (from positive parts of the query only).
    terms: dict[str, set[str]] = field(default_factory=dict)
    # Wildcard patterns on stems ("famil*"), matched against tokens for highlighting.
    patterns: list[str] = field(default_factory=list)
    # The words of each phrase (ExactPhrase.words), marked where they stand in a row.
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    # The words and distance of each group of near words (NearWords), marked where they stand near.
    nears: list[tuple[tuple[str, ...], int]] = field(default_factory=list)
    # The plain words the user typed, for "did you mean".
    words: list[str] = field(default_factory=list)

    @property
    def stems(self) -> set[str]:
        """The terms of the main fields (stems of the query's words)."""
        return self.terms.get("body", set()) | self.terms.get("title", set()) | self.terms.get("question", set())

    def matches(self, fieldname: str, term: str) -> bool:
        """Whether a term the field's analyzer made from a passage matches the query."""
        if term in self.terms.get(fieldname, ()):
            return True
        return fieldname == "body" and any(fnmatch.fnmatchcase(term, p) for p in self.patterns)

    def marking_prefixes(self, fieldnames: tuple[str, ...]) -> dict[str, tuple[str, ...]] | None:
        """Per field, what a passage's word (lower-cased; for "folded", folded) must start with to
        have a term ``matches`` accepts: a stem starts its word, so the stems and the fixed starts
        of wildcards, and the words STEM_OVERRIDES maps to one of them. None where a wildcard has no
        fixed start, so that any word could match."""
        prefixes: dict[str, tuple[str, ...]] = {}
        for fieldname in fieldnames:
            terms = set(self.terms.get(fieldname, ()))
            starts = set(terms)
            if fieldname == "body":
                for pattern in self.patterns:
                    fixed = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
                    if not fixed:
                        return None
                    starts.add(fixed)
            for word in STEM_OVERRIDES:
                term = stem(word)
                if term in terms or (fieldname == "body" and any(fnmatch.fnmatchcase(term, p) for p in self.patterns)):
                    starts.add(word)
            prefixes[fieldname] = tuple(sorted(starts, key=lambda s: (-len(s), s)))
        return prefixes


# The fields a strict search uses: the words as typed and their inflections, nothing more.
MAIN_FIELDS = ("question", "title", "body")
_parsers: dict[tuple[str, ...], QueryParser] = {}


def _make_parser(fields: tuple[str, ...]) -> QueryParser:
    boosts = {name: FIELD_BOOSTS[name] for name in fields}
    parser = MultifieldParser(list(fields), shared_schema(), fieldboosts=boosts, group=OrGroup)
    # Field names, ranges and "*:*" are not part of svar's query language: filters are options.
    for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.EveryPlugin, qparser.PhrasePlugin):
        parser.remove_plugin_class(plugin)
    parser.add_plugin(PhrasePlugin())
    parser.remove_plugin_class(qparser.OperatorsPlugin)
    parser.add_plugin(qparser.OperatorsPlugin(
        And=r"(?<=\s)(?:AND|OCH)(?=\s)",
        Or=r"(?<=\s)(?:OR|ELLER)(?=\s)",
        Not=r"(^|(?<=(\s|[()])))(?:NOT|INTE)(?=\s)",
        AndNot=None, AndMaybe=None, Require=None,
    ))
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=[^\s+-])", minusexpr=r"(?<![^\s(])-(?=[^\s+-])"))
    return parser


def parse(text: str, *, strict: bool = False) -> ParsedQuery:
    """Parse a user's query; malformed input yields the best query it can, never an exception.

    ``strict`` searches only the main fields: no compound parts and no å/ä/ö-folded matches.
    """
    fields = MAIN_FIELDS if strict else TEXT_FIELDS
    parser = _parsers.get(fields)
    if parser is None:
        parser = _parsers[fields] = _make_parser(fields)
    # Composed form, as the index holds it: an "ä" typed as "a" and a combining mark is one letter.
    text = " ".join(unicodedata.normalize("NFC", text).split())[:MAX_QUERY_CHARS]
    # People end questions with "?"; it is punctuation here, not a one-letter wildcard.
    balanced = _balance(text.replace("?", " "))
    try:
        parsed = parser.parse(balanced, normalize=False)
    except Exception:  # the parser has corner cases of its own; fall back to the words alone
        parsed = parser.parse(" ".join(_WORD.findall(text)), normalize=False)
    parsed = _prune(parsed)
    result = ParsedQuery(text=text, query=parsed)
    _collect(parsed, result, negated=False)
    result.words = [w for w in _WORD.findall(_strip_operators(text)) if w.lower() not in STOP_WORDS]
    return result


def _balance(text: str) -> str:
    """Close what the user left open: an odd quote is dropped, parentheses are matched."""
    if text.count('"') % 2:
        last = text.rfind('"')
        text = text[:last] + text[last + 1:]
    depth = 0
    kept = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                continue
            depth -= 1
        kept.append(char)
    return "".join(kept) + ")" * depth


def _strip_operators(text: str) -> str:
    text = re.sub(r'(?<![^\s(])-[^\s)]+', " ", text)  # excluded words are not "typed words" to correct
    text = re.sub(r"[^\s()\"]*[*][^\s()\"]*", " ", text)  # nor is a prefix: "fam*" means words starting so
    text = re.sub(r'"~\d+', '" ', text)  # nor is the distance of quoted words ("a b"~5)
    return re.sub(r"\b(?:AND|OR|NOT|OCH|ELLER|INTE)\b", " ", text)


def _prune(q: query.Query) -> query.Query:
    """Drop what would be slow or meaningless: short wildcards, and terms beyond MAX_TERMS."""
    count = 0

    def visit(node: query.Query) -> query.Query:
        nonlocal count
        if isinstance(node, (query.Wildcard, query.Prefix)):
            literal = re.split(r"[*?]", node.text, maxsplit=1)[0]
            if len(literal) < MIN_WILDCARD_PREFIX:
                return query.NullQuery
        if isinstance(node, (query.Wildcard, query.Prefix)) and node.fieldname != "body":
            return query.NullQuery  # one expansion is enough; the variant fields hold other forms
        if isinstance(node, (query.Term, ExactPhrase, NearWords, query.Wildcard, query.Prefix)):
            count += 1
            if count > MAX_TERMS:
                return query.NullQuery
            return node
        if node.is_leaf():
            return node
        node = node.apply(visit)
        if isinstance(node, query.Or):
            node = _best_field_per_word(_not_means_and_not(node))
        elif isinstance(node, query.And):
            node = _not_means_and_not(node)
        return _flattened(node)

    pruned = visit(q).normalize()
    # A query that only excludes ("NOT besök") has nothing to rank by.
    return query.NullQuery if isinstance(pruned, query.Not) else pruned


def _flattened(node: query.Query) -> query.Query:
    """``node`` with the unweighted groups of its own kind among its children put in their place, as
    ``normalize`` would put them. Whoosh's ``normalize`` deep-copies every grandchild it moves, to
    give it the group's weight even when that is 1; each word's fields are such a group under the
    query's OR, so every search paid for copies it did not need."""
    if not isinstance(node, query.CompoundQuery):
        return node
    subs = node.subqueries
    if not any(type(sub) is type(node) and sub.boost == 1.0 for sub in subs):
        return node
    flat = copy.copy(node)
    flat.subqueries = [leaf for sub in subs
                       for leaf in (sub.subqueries if type(sub) is type(node) and sub.boost == 1.0 else [sub])]
    return flat


# What one word's alternatives across fields are made of (an ExactPhrase is matched in one field).
_LEAVES = (query.Term, query.Wildcard, query.Prefix)


def _best_field_per_word(node: query.Query) -> query.Query:
    """One word's alternatives across fields score as the best of them, not their sum.

    Summed, a common word that also occurs in the title and the question outweighs a rare word
    found as a compound part or without å/ä/ö; as the best field each word counts once. The exact-form
    field stays additive: it is the bonus of the exact spelling.

    The parser gives each word its fields in TEXT_FIELDS order, but a group's OR can flatten the
    first word's fields into itself ("(kulturtolkar OR skyddsfonden)"): each run of leaves whose fields
    follow that order is one word.
    """
    if not isinstance(node, query.Or):
        return node
    words = _words_of(node.subqueries)
    if len(words) == 1 and len(words[0]) == len(node.subqueries):
        return _one_word(node, words[0])
    if all(len(word) == 1 for word in words):
        return node
    grouped = [_one_word(query.Or(word), word) if len(word) > 1 else word[0] for word in words]
    regrouped = copy.copy(node)  # keeps the OR's boost
    regrouped.subqueries = grouped
    return regrouped


def _words_of(subs: Sequence[query.Query]) -> list[list[query.Query]]:
    """``subs`` cut into runs of leaves of distinct text fields in TEXT_FIELDS order (one word's
    fields); anything else stands alone."""
    words: list[list[query.Query]] = []
    last = len(TEXT_FIELDS)
    for sub in subs:
        field = getattr(sub, "fieldname", None)
        if not isinstance(sub, _LEAVES) or field not in TEXT_FIELDS:
            words.append([sub])
            last = len(TEXT_FIELDS)
            continue
        place = TEXT_FIELDS.index(field)
        if place > last and words and isinstance(words[-1][-1], _LEAVES):
            words[-1].append(sub)
        else:
            words.append([sub])
        last = place
    return words


def _one_word(node: query.Or, subs: list[query.Query]) -> query.Query:
    if len(subs) < 2:
        return node
    leaves = [q for q in subs if isinstance(q, _LEAVES)]
    assert len(leaves) == len(subs), "_words_of makes a word of two or more of leaves only"
    if any(q.fieldname == "exact" and _SWEDISH_LETTERS.search(q.text) for q in leaves):
        # Typed with å/ä/ö, a word means those letters: "gäng" is not "gång", though both fold to
        # "gang". Only a word typed without them is also looked for with them.
        leaves = [q for q in leaves if q.fieldname != "folded"]
    main = [q for q in leaves if q.fieldname != "exact"]
    bonus = [q for q in leaves if q.fieldname == "exact"]
    best = BestField(main, boost=node.boost) if len(main) > 1 else main[0]
    if not bonus:
        return best
    return query.Or([BestField(main) if len(main) > 1 else main[0], *bonus], boost=node.boost)


def _not_means_and_not(node: query.Or | query.And) -> query.Query:
    """"familjehem NOT besök" among OR-ed words means "familjehem, but not besök", not "or anything
    without besök"; "skatt* AND NOT kommun*" means the same with AND: the NOT excludes."""
    excluded = [child.query for child in node.subqueries if isinstance(child, query.Not)]
    if not excluded:
        return node
    kept = [child for child in node.subqueries if not isinstance(child, query.Not)]
    if not kept:
        return query.NullQuery
    positive: query.Query
    if len(kept) > 1:
        positive = copy.copy(node)  # keeps the OR group's settings
        positive.subqueries = kept
    else:
        positive = kept[0]
    return query.AndNot(positive, query.Or(excluded) if len(excluded) > 1 else excluded[0])


def _collect(node: query.Query, result: ParsedQuery, negated: bool) -> None:
    if isinstance(node, query.Not):
        _collect(node.query, result, not negated)
        return
    if isinstance(node, query.AndNot):
        _collect(node.a, result, negated)
        _collect(node.b, result, not negated)
        return
    if negated:
        return
    if isinstance(node, query.Term) and node.fieldname in TEXT_FIELDS:
        result.terms.setdefault(node.fieldname, set()).add(node.text)
    elif isinstance(node, ExactPhrase):
        if node.words not in result.phrases:
            result.phrases.append(node.words)
        return  # its words are marked as the phrase, not one by one
    elif isinstance(node, NearWords):
        if (node.words, node.window) not in result.nears:
            result.nears.append((node.words, node.window))
        return  # its words are marked where they stand near each other, as a phrase's in a row
    elif isinstance(node, (query.Wildcard, query.Prefix)) and node.fieldname in TEXT_FIELDS:
        pattern = node.text + ("*" if isinstance(node, query.Prefix) else "")
        result.patterns.append(pattern.lower())
    if not node.is_leaf():
        for child in node.children():
            _collect(child, result, negated)

