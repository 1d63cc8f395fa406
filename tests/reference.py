"""A plain reference for what a search must return: every passage of the index scored for a query tree,
with Whoosh's public API and plain Python, independently of svar's search code.

Not a test module: test_differential.py compares the library, the CLI, the web page and saved searches
with it. The only svar code used: ``svar.index.store.open_existing`` (the Whoosh index of an svar
folder), the schema's key functions, the stemmer and stop words (what counts as a form of a word), and the query tree the search really runs
(``AnswerIndex.parse_query(text).query``; see ``engine_query``).

The contract (the engine's, as specified for its rewrite):

- A term (field, text) scores by Whoosh's own BM25FScorer (``whoosh.scoring.BM25F(B=0.6, K1=1.2)``),
  its idf and average field length from the whole index, the passage's quantised field length,
  applied to the term's postings (``searcher.postings``). Deleted passages never match.
- NearWords (quoted words with ``~N``): the passage's words (TOKEN_PATTERN's tokens, lower-cased) of its
  stored title, question (left out where the body holds it) and body, numbered in that order with one
  number skipped between two parts; an occurrence of the first word has, for each other word, an
  occurrence at most N numbers before or after it. A stop word or a word of one or two letters occurs
  only as written; any other word
  as itself and where a token that is no stop word begins with the word or has its stem
  (``svar.index.analysis.stem``, the stemmer the text fields use). Its span: over the first word's
  occurrences, the least of the greatest distance from it to another word's nearest occurrence; it
  matches where that is at most N, and scores its ``score`` query there (0.0 where that matches
  nothing) × 2 / (1 + the span, or 1 where the span is 0) × boost.
- Term: bm25 × boost. ExactPhrase (a quoted phrase): its words, lower-cased, stand one after another
  among the words (TOKEN_PATTERN's tokens, lower-cased) of the passage's stored title, question or
  body, within one of them; it scores its ``score`` query there (0.0 where that matches nothing) × boost. Prefix / Wildcard: expanded to the field's
  indexed terms; the highest bm25 among the expanded terms in the passage × boost.
- Or: union, the sum of the matching children's scores in child order (from 0.0), × boost. And:
  intersection, summed alike. AndNot(a, b): a's passages not in b, a's score (× boost).
  AndMaybe(a, b) ("+word other"): a's passages, a's score plus b's where b matches (× boost). BestField
  (Whoosh's DisjunctionMax): union, the best matching child's score × boost. NullQuery: nothing.
  A multiplication by a boost happens only where the boost is not 1.
- Not(q), which the parser leaves only inside And (``x AND NOT y``): every live passage q does not
  match, scoring 0.0, so that And([x, Not(y)]) is x without y, scored as x. (Whoosh's own
  InverseMatcher would add 1.0 there; the contract does not.)
- Filters from the stored fields (see ``Filter``); orders, grouping by answer and facets as in
  ``Reference.search`` and ``Reference.facets``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import query as wq
from whoosh.query import DisjunctionMax
from whoosh.scoring import BM25F

from svar.index import store
from svar.index.analysis import STOP_WORDS, TOKEN_PATTERN, stem
from svar.index.schema import dnr_key, name_key, party_key
from svar.search.query import ExactPhrase, NearWords

_TOKEN = re.compile(TOKEN_PATTERN)

B, K1 = 0.6, 1.2
# Scores this close (but not equal) are a tie whose order floating-point summation may decide either way.
NEAR = 1e-9
FACETS = ("party", "respondent", "year", "kind")


def engine_query(answers, text: str, *, strict: bool = False) -> wq.Query:
    """The Whoosh query tree the library runs for ``text`` (after similar words replaced unknown ones)."""
    return answers.parse_query(text, strict=strict).query


# -- filters --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _party(value: str) -> str:
    return party_key(value)


@functools.lru_cache(maxsize=None)
def _name_words(name: str) -> frozenset[str]:
    return frozenset(name_key(name).split())


def first_day(value: str | dt.date) -> dt.date:
    return _day(value, first=True)


def last_day(value: str | dt.date) -> dt.date:
    return _day(value, first=False)


def _day(value: str | dt.date, *, first: bool) -> dt.date:
    if isinstance(value, dt.date):
        return value
    parts = [int(p) for p in str(value).strip().split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        year, month = parts
        return dt.date(year, month, 1 if first else calendar.monthrange(year, month)[1])
    (year,) = parts
    return dt.date(year, 1, 1) if first else dt.date(year, 12, 31)


@dataclass(frozen=True)
class Passage:
    docnum: int
    dnr: str
    number: int  # the passage number
    date: dt.date | None
    year: int | None
    kind: str
    interpellant: str
    interpellant_party: str
    respondent: str
    respondent_party: str

    @property
    def key(self) -> tuple[str, int]:
        return self.dnr, self.number


@dataclass(frozen=True)
class Filter:
    """The search filters, defined from the stored fields (svar.search.filters.Filters' names)."""

    party: str | None = None
    interpellant: str | None = None
    respondent: str | None = None
    year: int | None = None
    since: str | dt.date | None = None
    until: str | dt.date | None = None
    dnr: str | None = None
    kind: str | None = None

    def given(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if value is not None}

    def lets_through(self, p: Passage) -> bool:
        if self.party is not None and _party(self.party) not in (_party(p.interpellant_party),
                                                                 _party(p.respondent_party)):
            return False
        for wanted, name in ((self.interpellant, p.interpellant), (self.respondent, p.respondent)):
            if wanted is not None and not _name_words(wanted) <= _name_words(name):
                return False
        if self.year is not None and p.year != int(self.year):
            return False
        if self.since is not None and (p.date is None or p.date < first_day(self.since)):
            return False
        if self.until is not None and (p.date is None or p.date > last_day(self.until)):
            return False
        if self.dnr is not None and p.dnr != dnr_key(self.dnr):
            return False
        if self.kind is not None and p.kind != self.kind:
            return False
        return True


# -- results --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A passage in a result (with ``matching``: an answer, by its best passage)."""

    dnr: str
    passage: int
    score: float
    date: dt.date | None
    matching: int | None = None
    # With ``matching``: the best passage and those scoring within NEAR of it, not equal (either may represent it).
    near_best: frozenset[int] = frozenset()

    @property
    def key(self) -> tuple[str, int]:
        return self.dnr, self.passage


@dataclass
class Result:
    total: int
    entries: list[Entry]  # every match, in order
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    sort: str = "relevance"
    by_document: bool = False

    def page(self, offset: int, limit: int) -> list[Entry]:
        return self.entries[offset:offset + limit]

    def same_rank(self, position: int) -> list[Entry]:
        """The entries that may stand at ``position``: its own and those within NEAR of it, not equal
        (a run of neighbours each so near the next, under the same date where the order is by date)."""
        entries = self.entries
        low = high = position
        while low > 0 and _swappable(entries[low - 1], entries[low], self.sort):
            low -= 1
        while high + 1 < len(entries) and _swappable(entries[high], entries[high + 1], self.sort):
            high += 1
        return entries[low:high + 1]


def _swappable(a: Entry, b: Entry, sort: str) -> bool:
    """Scores that differ, but by less than NEAR, may stand in either order; equal scores are ordered
    by dnr and passage (the same inputs give the same score, bit for bit, summed in the same order)."""
    return 0 < abs(a.score - b.score) < NEAR and (sort == "relevance" or a.date == b.date)


def relevance_key(e: Entry) -> tuple:
    return -e.score, e.dnr, e.passage


def order_key(sort: str) -> Callable[[Entry], tuple]:
    if sort == "relevance":
        return relevance_key
    sign = -1 if sort == "newest" else 1
    return lambda e: (e.date is None, sign * e.date.toordinal() if e.date else 0, *relevance_key(e))


# -- the reference ----------------------------------------------------------------------------------------


class Reference:
    """Scores every live passage of an svar index for a Whoosh query tree."""

    def __init__(self, index_dir: str | Path) -> None:
        self.ix = store.open_existing(Path(index_dir))
        self.weighting = BM25F(B=B, K1=K1)
        self.searcher = self.ix.searcher(weighting=self.weighting)
        self.reader = self.searcher.reader()
        self.passages: dict[int, Passage] = {}
        for docnum, stored in self.reader.iter_docs():  # live passages only
            date = stored.get("date")
            self.passages[docnum] = Passage(
                docnum=docnum, dnr=stored["dnr"], number=stored["passage"],
                date=date.date() if isinstance(date, dt.datetime) else None, year=stored.get("year"),
                kind=stored.get("kind", ""), interpellant=stored.get("interpellant", ""),
                interpellant_party=stored.get("interpellant_party", ""), respondent=stored.get("respondent", ""),
                respondent_party=stored.get("respondent_party", ""))
        self._terms: dict[tuple[str, str], dict[int, float]] = {}
        self._expansions: dict[tuple[str, str, str], list[str]] = {}
        self._facet_passages: dict[str, dict[str, frozenset[int]]] | None = None
        self._part_words: dict[tuple[int, str], list[str]] = {}

    def close(self) -> None:
        self.searcher.close()

    # -- terms ----------------------------------------------------------------------------------------

    def term(self, fieldname: str, text: str) -> dict[int, float]:
        """Passage → the term's BM25F score there."""
        key = (fieldname, text)
        if key not in self._terms:
            self._read(fieldname, text)
        return self._terms[key]

    def _read(self, fieldname: str, text: str) -> None:
        scores: dict[int, float] = {}
        if fieldname in self.reader.schema and (fieldname, text) in self.reader:
            scorer = self.weighting.scorer(self.searcher, fieldname, text)
            matcher = self.searcher.postings(fieldname, text)
            while matcher.is_active():
                docnum = matcher.id()
                if docnum in self.passages and not self.reader.is_deleted(docnum):
                    scores[docnum] = scorer.score(matcher)
                matcher.next()
        self._terms[(fieldname, text)] = scores

    def expand(self, fieldname: str, pattern: str, kind: str) -> list[str]:
        """The field's indexed terms a Prefix (``pattern`` is the prefix) or a Wildcard matches."""
        key = (fieldname, pattern, kind)
        if key not in self._expansions:
            terms: list[str] = []
            if fieldname in self.reader.schema:
                schema_field = self.reader.schema[fieldname]
                if kind == "prefix":
                    literal, regex = pattern, None
                else:
                    literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
                    regex = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                                               for c in pattern), re.S)
                candidates = self.reader.expand_prefix(fieldname, literal) if literal else self.reader.lexicon(fieldname)
                for candidate in candidates:
                    text = schema_field.from_bytes(candidate) if isinstance(candidate, bytes) else candidate
                    if regex is None or regex.fullmatch(text):
                        terms.append(text)
            self._expansions[key] = terms
        return self._expansions[key]

    # -- queries -------------------------------------------------------------------------------------------

    def evaluate(self, q: wq.Query) -> dict[int, float]:
        """Passage → score, for every live passage the query matches."""
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return {}
        if isinstance(q, wq.Term):
            scores = self.term(q.fieldname, q.text)
            return {d: s * q.boost for d, s in scores.items()} if q.boost != 1 else dict(scores)
        if isinstance(q, ExactPhrase):
            return self._phrase(q)
        if isinstance(q, NearWords):
            return self._near(q)
        if isinstance(q, (wq.Prefix, wq.Wildcard)):
            kind = "prefix" if isinstance(q, wq.Prefix) else "wildcard"
            best: dict[int, float] = {}
            for text in self.expand(q.fieldname, q.text, kind):
                for docnum, score in self.term(q.fieldname, text).items():
                    if docnum not in best or score > best[docnum]:
                        best[docnum] = score
            return _boosted(best, q.boost)
        if isinstance(q, DisjunctionMax):  # svar's BestField
            if getattr(q, "tiebreak", 0):
                raise NotImplementedError(f"reference: a best-field query with a tiebreak ({q!r})")
            best = {}
            for child in q.subqueries:
                for docnum, score in self.evaluate(child).items():
                    if docnum not in best or score > best[docnum]:
                        best[docnum] = score
            return _boosted(best, q.boost)
        if isinstance(q, wq.AndNot):
            excluded = self.evaluate(q.b)
            return _boosted({d: s for d, s in self.evaluate(q.a).items() if d not in excluded}, q.boost)
        if isinstance(q, wq.AndMaybe):  # "+word other": the required part, plus the other where it matches
            optional = self.evaluate(q.b)
            return _boosted({d: s + optional[d] if d in optional else s for d, s in self.evaluate(q.a).items()},
                            q.boost)
        if isinstance(q, wq.Not):
            excluded = self.evaluate(q.query)
            return {d: 0.0 for d in self.passages if d not in excluded}
        if isinstance(q, wq.And):
            children = [self.evaluate(child) for child in q.subqueries]
            if not children:
                return {}
            common = set(children[0]).intersection(*children[1:])
            summed = {}
            for docnum in common:
                total = 0.0
                for scores in children:
                    total += scores[docnum]
                summed[docnum] = total
            return _boosted(summed, q.boost)
        if isinstance(q, wq.Or):
            if getattr(q, "scale", None):
                raise NotImplementedError(f"reference: an OR with a coordination scale ({q!r})")
            children = [self.evaluate(child) for child in q.subqueries]
            summed = {}
            for docnum in set().union(*children) if children else ():
                total = 0.0
                for scores in children:
                    if docnum in scores:
                        total += scores[docnum]
                summed[docnum] = total
            return _boosted(summed, q.boost)
        raise NotImplementedError(f"reference: no semantics for {type(q).__name__}: {q!r}")

    def _phrase(self, q: ExactPhrase) -> dict[int, float]:
        words = list(q.words)
        if not words:
            return {}
        scores = self.evaluate(q.score)
        matched = {}
        for docnum in self.passages:
            if any(_holds(self._words(docnum, part), words) for part in ("title", "question", "body")):
                matched[docnum] = scores.get(docnum, 0.0)
        return _boosted(matched, q.boost)

    def _near(self, q: NearWords) -> dict[int, float]:
        def occurs(token: str, word: str) -> bool:
            if word in STOP_WORDS or len(word) < 3:
                return token == word
            return token == word or (token not in STOP_WORDS and (token.startswith(word) or stem(token) == stem(word)))

        scores = self.evaluate(q.score)
        matched = {}
        for docnum in self.passages:
            numbered = self._numbered_words(docnum)
            at = [[n for n, token in numbered if occurs(token, word)] for word in q.words]
            if not all(at):
                continue
            span = min(max((min(abs(n - first) for n in other) for other in at[1:]), default=0) for first in at[0])
            if span <= q.window:
                matched[docnum] = scores.get(docnum, 0.0) * (2.0 / (1.0 + max(span, 1)))
        return _boosted(matched, q.boost)

    def _numbered_words(self, docnum: int) -> list[tuple[int, str]]:
        """The passage's words with their numbers: title, question (unless the body holds it), body,
        one number skipped between two parts."""
        stored = self.reader.stored_fields(docnum)
        title, question, body = (stored.get(part) or "" for part in ("title", "question", "body"))
        numbered, number, first = [], 0, True
        for part in (title, "" if question in body else question, body):
            if not part:
                continue
            if not first:
                number += 1
            first = False
            for token in _TOKEN.findall(part):
                numbered.append((number, token.lower()))
                number += 1
        return numbered

    def _words(self, docnum: int, part: str) -> list[str]:
        key = (docnum, part)
        found = self._part_words.get(key)
        if found is None:
            text = self.reader.stored_fields(docnum).get(part) or ""
            found = self._part_words[key] = [w.lower() for w in _TOKEN.findall(text)]
        return found

    # -- searches ------------------------------------------------------------------------------------------

    def search(self, q: wq.Query | dict[int, float], filters: Filter | None = None, *, sort: str = "relevance",
               by_document: bool = False) -> Result:
        """Every match in order, the total and the facets (over every match, not a page)."""
        scores = q if isinstance(q, dict) else self.evaluate(q)
        filters = filters or Filter()
        matched = [self.passages[d] for d in scores if filters.lets_through(self.passages[d])]
        facets = self.facets(matched, by_document=by_document)
        entries = [Entry(p.dnr, p.number, scores[p.docnum], p.date) for p in matched]
        if by_document:
            answers: dict[str, list[Entry]] = {}
            for entry in entries:
                answers.setdefault(entry.dnr, []).append(entry)
            grouped = []
            for passages in answers.values():
                best = min(passages, key=lambda e: (-e.score, e.passage))
                near = frozenset(e.passage for e in passages if e is best or 0 < abs(e.score - best.score) < NEAR)
                grouped.append(Entry(best.dnr, best.passage, best.score, best.date, len(passages), near))
            entries = grouped
        entries.sort(key=order_key(sort))
        return Result(len(entries), entries, facets, sort, by_document)

    def facets(self, matched: Iterable[Passage], *, by_document: bool = False) -> dict[str, dict[str, int]]:
        """Per facet, value → how many matching passages (``by_document``: answers) the filter of that
        name and value lets through, by count, then value; values with a count of 0 are left out. The
        values are those of the whole index (a respondent "Erik Lövdén" counts the passages of
        "Lars-Erik Lövdén", as its filter does); an empty value (no respondent, no party) is none."""
        docnums = {p.docnum for p in matched}
        out = {}
        for name, values in self.facet_passages().items():
            if by_document:
                counts = {value: len({self.passages[d].dnr for d in docnums & passages})
                          for value, passages in values.items()}
            else:
                counts = {value: len(docnums & passages) for value, passages in values.items()}
            out[name] = {v: c for v, c in sorted(counts.items(), key=lambda vc: (-vc[1], vc[0])) if c}
        return out

    def facet_passages(self) -> dict[str, dict[str, frozenset[int]]]:
        """Per facet, every value it can take in the index → the live passages its filter lets through."""
        if self._facet_passages is None:
            values: dict[str, set[str]] = {name: set() for name in FACETS}
            for p in self.passages.values():
                values["party"].update(v for v in (_party(p.interpellant_party), _party(p.respondent_party)) if v)
                if p.respondent.strip():
                    values["respondent"].add(p.respondent)
                if p.year is not None:
                    values["year"].add(str(p.year))
                if p.kind:
                    values["kind"].add(p.kind)
            self._facet_passages = {}
            for name in FACETS:
                self._facet_passages[name] = {}
                for value in values[name]:
                    lets = Filter(**{name: int(value) if name == "year" else value})
                    self._facet_passages[name][value] = frozenset(
                        p.docnum for p in self.passages.values() if lets.lets_through(p))
        return self._facet_passages


def _boosted(scores: dict[int, float], boost: float) -> dict[int, float]:
    return {d: s * boost for d, s in scores.items()} if boost != 1 else scores


def _holds(words: list[str], phrase: list[str]) -> bool:
    """Whether ``phrase`` stands in ``words`` one word after another."""
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1) if words[i] == phrase[0])
