"""A query plan: what a parsed query asks of the index, in svar's own terms.

Whoosh parses what the user typed (search/query.py); the tree it gives is compiled here, once, into
a few node types that the scorer (search/scorer.py) evaluates segment by segment. Each node states
which passages it matches and what it scores there:

- ``Word``: a term in one field; BM25F (search/bm25.py) × the node's boost.
- ``Phrase``: its words as written at consecutive positions of the exact field, in one part of the
  passage; what its ``score`` node scores there (0.0 where that matches nothing) × boost.
- ``Near``: its words within ``window`` positions of the exact field of an occurrence of its first
  word, any order (search/query.py's ``NearWords``); what its ``score`` node scores there (0.0 where
  that matches nothing) × the closeness of the nearest such occurrence (scorer.closeness) × boost.
- ``Prefix``: any indexed term of the field that starts with the text (or, with a pattern,
  matches it); the best of those terms' BM25F × boost.
- ``Sum`` (OR of words): any child; the sum of the children that match, × boost.
- ``All`` (AND): every child; the sum, × boost.
- ``Without`` (NOT): the first child's passages that the second does not match; its score × boost.
- ``Maybe`` (``+word other``): the first child's passages; its score plus the second's where that
  matches too, × boost.
- ``Best`` (one word's fields): any child; the highest of the children's scores, × boost.
- ``Nothing``: no passage.

Sums add the children in their order, starting from 0.0, and a boost multiplies last: the same
floats whichever segment a passage is in.
"""

from __future__ import annotations

import fnmatch
import re
from typing import NamedTuple

from whoosh import query as wq

from svar.index.schema import TEXT_FIELDS

from .query import ExactPhrase, NearWords


# The nodes are named tuples, not dataclasses: a frozen dataclass costs a new process 0.7 ms to
# define (its methods are compiled from source), and every search process defines these. A node is
# told by its class (isinstance), never compared with a node of another kind.
class Word(NamedTuple):
    field: str
    text: str
    boost: float = 1.0


class Phrase(NamedTuple):
    words: tuple[str, ...]
    score: Node
    boost: float = 1.0


class Near(NamedTuple):
    words: tuple[str, ...]
    window: int
    score: Node
    boost: float = 1.0


class Prefix(NamedTuple):
    field: str
    text: str  # the literal start every matching term has
    pattern: str | None = None  # a wildcard pattern the whole term must match (fnmatch), or None
    boost: float = 1.0

    def accepts(self, term: str) -> bool:
        return term.startswith(self.text) and (self.pattern is None or fnmatch.fnmatchcase(term, self.pattern))


class _Group(NamedTuple):
    children: tuple[Node, ...]
    boost: float = 1.0


class Sum(_Group):
    __slots__ = ()


class All(_Group):
    __slots__ = ()


class Without(NamedTuple):
    kept: Node
    excluded: Node
    boost: float = 1.0


class Maybe(NamedTuple):
    required: Node
    optional: Node
    boost: float = 1.0


class Best(_Group):
    __slots__ = ()


class Nothing(NamedTuple):
    pass


Node = Word | Phrase | Near | Prefix | Sum | All | Without | Maybe | Best | Nothing
NOTHING = Nothing()


class UnsupportedQuery(TypeError):
    """The parser made a query node svar has no meaning for (a programming error, not bad input)."""


def compile_query(q: wq.Query) -> Node:
    """The plan of a parsed Whoosh query (as search/query.py leaves it)."""
    if isinstance(q, wq.NullQuery.__class__):
        return NOTHING
    boost = float(getattr(q, "boost", 1.0))
    if isinstance(q, wq.Term):
        if q.fieldname not in TEXT_FIELDS:
            raise UnsupportedQuery(f"a term of field {q.fieldname!r} in a text query")
        return Word(q.fieldname, str(q.text), boost)
    if isinstance(q, ExactPhrase):
        return Phrase(q.words, compile_query(q.score), boost) if q.words else NOTHING
    if isinstance(q, NearWords):
        return Near(q.words, q.window, compile_query(q.score), boost)
    if isinstance(q, wq.Prefix):
        return Prefix(q.fieldname, str(q.text), None, boost)
    if isinstance(q, wq.Wildcard):
        text = str(q.text)
        literal = re.split(r"[*?\[]", text, maxsplit=1)[0]
        return Prefix(q.fieldname, literal, text, boost)
    if isinstance(q, wq.AndNot):
        return _without(compile_query(q.a), compile_query(q.b), boost)
    if isinstance(q, wq.AndMaybe):
        required, optional = compile_query(q.a), compile_query(q.b)
        if required is NOTHING:
            return NOTHING
        if optional is NOTHING:
            return required if boost == 1.0 else Sum((required,), boost)
        return Maybe(required, optional, boost)
    if isinstance(q, wq.DisjunctionMax):  # a word's fields: BestField (search/query.py)
        return _group(Best, q.subqueries, boost)
    if isinstance(q, wq.And):
        return _conjunction(q.subqueries, boost)
    if isinstance(q, wq.Or):
        return _group(Sum, q.subqueries, boost)
    if isinstance(q, wq.Not):
        return NOTHING  # a NOT alone has nothing to rank by (search/query.py prunes it)
    raise UnsupportedQuery(f"no plan for {type(q).__name__}")


def _group(kind, subqueries, boost: float) -> Node:
    children = tuple(c for c in (compile_query(s) for s in subqueries) if c is not NOTHING)
    if not children:
        return NOTHING
    if len(children) == 1 and boost == 1.0:
        return children[0]
    return kind(children, boost)


def _conjunction(subqueries, boost: float) -> Node:
    """AND; its NOT children (``a AND NOT b``) exclude instead of being required."""
    kept, excluded = [], []
    for sub in subqueries:
        if isinstance(sub, wq.Not):
            excluded.append(compile_query(sub.query))
        else:
            kept.append(compile_query(sub))
    if not kept or any(c is NOTHING for c in kept):
        return NOTHING
    node: Node = kept[0] if len(kept) == 1 and boost == 1.0 else All(tuple(kept), boost)
    excluded = [c for c in excluded if c is not NOTHING]
    if excluded:
        node = Without(node, excluded[0] if len(excluded) == 1 else Sum(tuple(excluded)))
    return node


def _without(kept: Node, excluded: Node, boost: float) -> Node:
    if kept is NOTHING:
        return NOTHING
    if excluded is NOTHING:
        return kept if boost == 1.0 else Sum((kept,), boost)
    return Without(kept, excluded, boost)


def describe(node: Node) -> str:
    """The plan in one line, for debugging and for tests that assert which plan ran."""
    def boosted(text: str, boost: float) -> str:
        return text if boost == 1.0 else f"{text}^{boost:g}"

    if isinstance(node, Word):
        return boosted(f"{node.field}:{node.text}", node.boost)
    if isinstance(node, Phrase):
        return boosted(f'"{" ".join(node.words)}"', node.boost)
    if isinstance(node, Near):
        return boosted(f'"{" ".join(node.words)}"~{node.window}', node.boost)
    if isinstance(node, Prefix):
        return boosted(f"{node.field}:{node.pattern or node.text + '*'}", node.boost)
    if isinstance(node, Without):
        return boosted(f"Without({describe(node.kept)}, {describe(node.excluded)})", node.boost)
    if isinstance(node, Maybe):
        return boosted(f"Maybe({describe(node.required)}, {describe(node.optional)})", node.boost)
    if isinstance(node, (Sum, All, Best)):
        inner = ", ".join(describe(c) for c in node.children)
        return boosted(f"{type(node).__name__}({inner})", node.boost)
    return "Nothing"
