"""The library API: open an index, search it, read documents, and add, replace or remove answers."""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from svar.index import store
from svar.index.errors import FilterError, UnknownDocumentError
from svar.index.i18n import _
from svar.index.location import resolve_index_dir
from svar.index.records import Person
from svar.index.schema import SCHEMA_VERSION, dnr_key

from . import query as query_parsing
from .attribution import attribute, speaker_of, spoken_parts
from .filters import Filters
from .plan import compile_query, describe
from .results import SORTS, Document, DocumentSummary, Hit, IndexStats, PassageView, SearchResult
from .snippets import MARKING_FIELDS, snippet_of
from .suggest import compound_parts, corrections, passages_holding, related_to_search, replace_words, to_search
# The writes that need no open index live in updating.py (what `svar index` imports); named here too,
# as the library's API has always had them.
from .updating import build_seed_index, rebuild_index, retire_demo_answers, update_index, watch_index

__all__ = ["AnswerIndex", "build_seed_index", "open_index", "rebuild_index", "retire_demo_answers", "update_index",
           "watch_index"]

if TYPE_CHECKING:
    from svar.index import writing

    from .ranking import Ranked

DEFAULT_LIMIT = 10
# How many similar indexed words stand in for a word the index does not hold, and their weight.
FUZZY_CANDIDATES = 3
FUZZY_WEIGHT = 0.8
# A compound searched as its parts: each part at this weight, so that two parts count about as much
# as one word of the query.
PARTS_WEIGHT = 0.5
# Where its parts stand does not count: scoring parts near each other higher (as near words, within
# 5 or 10 words) moved no judged query and lowered the held-out paraphrases (see the commit that
# took it out). A user asks for it by typing the parts as near words: "tåg förseningar"~5.
# A compound that too few passages hold to fill a page of results (in any text field) is searched
# as itself and also as its parts: "museibesöken" then finds the answer that writes "museibesök"
# once and "besökare på museerna" elsewhere. In a small index nearly every word is that rare, so a
# word counts as rare only where it is also held by no more than one passage in RARE_SHARE. The parts
# weigh little enough that a passage holding the word ranks above every passage holding only its
# parts. (The commit that set these says how they were measured.)
RARE_PASSAGES = DEFAULT_LIMIT
RARE_SHARE = 400
RARE_PARTS_WEIGHT = 0.2
# A word the index does not hold is also searched as up to RELATED_MAX of its related words that it
# holds (search/related.py: "hustrumisshandel" as kvinnomisshandel), each at RELATED_WEIGHT, beside
# any similar words or compound parts. A word the index holds is not: its passages come first anyway,
# and on the judged queries adding related words below it lost more than it found.
RELATED_MAX = 3
RELATED_WEIGHT = 0.8


def _either(*alternatives: str) -> str:
    """Query text for any of ``alternatives``, each keeping its own weight. Each stands in a group of
    its own: the parser folds what follows an OR into a weighted group before it, so that
    "(a b)^0.5 OR (c)^0.8" would weigh c 0.4."""
    return "(" + " OR ".join(f"({alternative})" for alternative in alternatives) + ")"


def open_index(index_dir: str | os.PathLike[str] | None = None, *, create: bool = False,
               preload: bool = True) -> "AnswerIndex":
    """Open the index at ``index_dir`` (default: $SVAR_INDEX or the user's data folder).

    With ``create=True`` a missing index is created empty; otherwise IndexMissingError is raised.
    ``preload=False`` opens faster but searches slower: for a program that runs one search and exits.
    """
    path = resolve_index_dir(index_dir)
    ix = store.open_or_create(path, preload=preload) if create else store.open_existing(path, preload=preload)
    return AnswerIndex(path, ix)


def _reads_index(method):
    """An AnswerIndex method that reads the index: Whoosh failing to decode its bytes is raised as
    IndexDamagedError (and recorded, so that later searches say so too: store.read_damage)."""

    @functools.wraps(method)
    def reading(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            damage = store.read_damage(self._ix, exc)
            if damage is None or damage is exc:
                raise
            raise damage from exc

    return reading


@dataclass(frozen=True)
class _Prepared:
    parsed: query_parsing.ParsedQuery
    suggestion: str | None
    fuzzy: dict[str, list[str]] | None
    compounds: dict[str, list[str]] | None
    parts_too: dict[str, list[str]] | None
    related: dict[str, list[str]] | None


class AnswerIndex:
    """An open svar index. Use as a context manager, or call ``close()``."""

    def __init__(self, path: Path, ix) -> None:
        self.path = path
        self._ix = ix
        self._searcher = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> "AnswerIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def _current_searcher(self):
        if self._searcher is None:
            self._searcher = self._ix.searcher()
        else:
            # Pick up commits made since (by this or another process); cheap when nothing changed.
            self._searcher = self._searcher.refresh()
        return self._searcher

    # -- searching ---------------------------------------------------------------------------------

    @_reads_index
    def search(
        self,
        text: str,
        *,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        filters: Filters | None = None,
        snippets: bool = True,
        strict: bool = False,
        fuzzy: bool = True,
        sort: str = "relevance",
        by_document: bool = False,
        facets: bool = False,
        **filter_values: object,
    ) -> SearchResult:
        """Ranked passages for a query, best first. Filters narrow the passages that may match.

        Keyword filters (``party="V"``, ``since="2022-01"``: the fields of ``Filters``, as values or as
        text) are a shorthand for ``filters=Filters.from_values(...)``; give one or the other.
        ``strict`` matches only the words as typed and their inflections: no compound parts, no
        å/ä/ö-less forms, no related or similar words.
        Otherwise a word the index does not hold is searched as its related words if the thesaurus
        knows it (search/related.py; the result's ``related`` says so), or else, if it has four letters
        or more, as the indexed words closest to it (``fuzzy``), except a word with a capital letter (a
        name, a brand) when something else in the query matches: see ``suggest.to_search``.
        ``fuzzy=False`` searches no similar words and changes nothing else (``suggestion`` is still made).
        ``sort``: "relevance", "newest" or "oldest". ``by_document``: one hit per answer, its best
        passage, with the number of its passages that matched. ``facets``: counts per party,
        respondent, year and kind of passage over all matches (each equal to what that filter returns).
        Every match is scored and counted, whatever is asked: the options change what is shown of
        them, never which passages match, their scores or the total.
        """
        if sort not in SORTS:
            raise FilterError("sort", sort, _("use one of {orders}").format(orders=", ".join(SORTS)))
        if filter_values:
            if filters is not None:
                raise TypeError("search() takes filters= or keyword filters, not both")
            filters = Filters.from_values(filter_values)
        elif filters is None:
            filters = Filters()
        filters.check()
        searcher = self._current_searcher()
        prepared = self._prepare(searcher, text, strict, fuzzy)
        parsed = prepared.parsed
        limit, offset = max(0, limit), max(0, offset)
        # Here, not at the top: ranking brings numpy, which indexing (the same module's update_index)
        # does not need; a one-answer `svar index` spent a fifth of its time importing it.
        from .ranking import rank

        plan = compile_query(parsed.query)
        ranking = rank(searcher, plan, filters, limit=limit, offset=offset, sort=sort,
                       by_document=by_document, facets=facets)
        prefixes = parsed.marking_prefixes(MARKING_FIELDS) if snippets else None
        hits = [self._hit(offset + i + 1, ranked, parsed, snippets, prefixes) for i, ranked in enumerate(ranking.page)]
        reason = None
        if not ranking.total:
            from .explain import why_nothing  # only an empty result has a reason to give

            reason = why_nothing(searcher, parsed, filters)
        return SearchResult(query=text, total=ranking.total, hits=hits, suggestion=prepared.suggestion,
                            fuzzy=prepared.fuzzy if ranking.total else None,
                            compounds=prepared.compounds if ranking.total else None,
                            parts_too=prepared.parts_too if ranking.total else None,
                            related=prepared.related if ranking.total else None,
                            facets=ranking.facets if facets else None, plan=describe(plan), reason=reason)

    @_reads_index
    def parse_query(self, text: str, *, strict: bool = False, fuzzy: bool = True) -> query_parsing.ParsedQuery:
        """The query ``search`` runs for ``text``: parsed, with any word the index does not hold
        replaced by the similar indexed words searched in its place (unless ``strict`` or not
        ``fuzzy``; only where ``search`` would replace it)."""
        return self._prepare(self._current_searcher(), text, strict, fuzzy).parsed

    def _prepare(self, searcher, text: str, strict: bool, fuzzy: bool = True) -> "_Prepared":
        parsed = query_parsing.parse(text, strict=strict)
        # A compound the index does not hold, whose parts it does ("isocyanatastma": isocyanat,
        # astma), is searched as its parts: split as the indexer splits, not guessed at as a typo.
        # One that few passages hold is searched as itself and, below it, as its parts.
        rare_limit = max(0, min(RARE_PASSAGES, searcher.doc_count() // RARE_SHARE))
        held = passages_holding(searcher, parsed.words, rare_limit)
        unknown = [word for word, passages in held.items() if not passages]
        split = {} if strict else compound_parts(searcher, unknown, rare_limit)
        rare = {} if strict else compound_parts(
            searcher, [word for word, passages in held.items() if 0 < passages <= rare_limit], rare_limit)
        # A word the thesaurus knows is a word, not a typo: it is searched as its related words, not
        # as the indexed words spelt most like it ("atlet" as idrottare, never as "talet").
        related = {} if strict else related_to_search(searcher, unknown, parsed.text, parsed.terms.get("body", set()),
                                                        RELATED_MAX)
        similar = corrections(searcher, [word for word in unknown if word not in related], limit=FUZZY_CANDIDATES)
        suggestion = replace_words(parsed.text, {w: c[0] for w, c in similar.items()}) if similar else None
        if similar and fuzzy and not strict:
            similar = to_search(searcher, similar, parsed.text, parsed.words, unknown, parsed.patterns)
        if strict or not fuzzy:
            similar = {}
        if not similar and not split and not rare and not related:
            return _Prepared(parsed, suggestion, None, None, None, None)
        # Words the index does not hold are searched as the indexed words closest to them, weighted
        # below a word found as typed, or as their parts, and the result says so.
        # Beside a compound's parts, its similar and related words weigh a part's share of their
        # weight: the parts the splitter found are better evidence than a guess at the word.
        def weight(word: str, own: float) -> str:
            return f"{own * PARTS_WEIGHT if word in split else own:g}"

        replacements = {word: "(" + " OR ".join(candidates) + f")^{weight(word, FUZZY_WEIGHT)}"
                        for word, candidates in similar.items()}
        for word, parts in split.items():  # both, when a compound also has similar indexed words
            alone = "(" + " ".join(parts) + f")^{PARTS_WEIGHT}"
            replacements[word] = _either(alone, replacements[word]) if word in replacements else alone
        for word, parts in rare.items():
            replacements[word] = _either(word, "(" + " ".join(parts) + f")^{RARE_PARTS_WEIGHT}")
        for word, others in related.items():
            also = "(" + " OR ".join(others) + f")^{weight(word, RELATED_WEIGHT)}"
            replacements[word] = _either(replacements[word], also) if word in replacements else also
        parsed = query_parsing.parse(replace_words(parsed.text, replacements, outside_quotes=True))
        return _Prepared(parsed, suggestion, similar or None, split or None, rare or None, related or None)

    def _hit(self, rank_number: int, ranked: Ranked, parsed: query_parsing.ParsedQuery, snippets: bool,
             prefixes: dict | None = None) -> Hit:
        fields = ranked.fields
        text = fields.get("body", "")
        interpellant, respondent = _interpellant(fields), _respondent(fields)
        sides = attribute(text, fields.get("question", ""), interpellant=interpellant.name, respondent=respondent.name)
        speaker = None
        if snippets:
            made = snippet_of(text, parsed.matches, parts=parsed.terms.get("parts", ()), prefixes=prefixes, sides=sides,
                              phrases=parsed.phrases, nears=parsed.nears)
            snippet, highlights = made.text, made.highlights
            if made.text:
                assert made.side is not None, "a snippet made from sides has the side of its part"
                speaker = speaker_of(made.side, interpellant, respondent, made.person)
        else:
            snippet, highlights = "", []
        return Hit(
            rank=rank_number,
            score=round(ranked.score, 4),
            dnr=fields["dnr"],
            passage=fields["passage"],
            kind=fields.get("kind", ""),
            title=fields.get("title", ""),
            topic=fields.get("topic", ""),
            date=_date(fields),
            interpellant=interpellant,
            respondent=respondent,
            question_number=fields.get("question_number"),
            question=fields.get("question", ""),
            text=text,
            snippet=snippet,
            highlights=highlights,
            source=fields.get("source", ""),
            matching_passages=ranked.matching_passages,
            speaker=speaker,
            parts=spoken_parts(text, sides, interpellant, respondent),
        )

    # -- documents ---------------------------------------------------------------------------------

    @_reads_index
    def document(self, dnr: str) -> Document:
        """One answer with all its passages; UnknownDocumentError if the dnr is not indexed."""
        key = dnr_key(dnr)
        searcher = self._current_searcher()
        docnums = sorted(searcher.document_numbers(dnr=key),
                         key=lambda n: searcher.stored_fields(n).get("passage", 0))
        if not docnums:
            raise UnknownDocumentError(_("no answer with Dnr {dnr} in the index at {path}: see `svar list`").format(
                dnr=repr(key), path=self.path))
        stored = [searcher.stored_fields(n) for n in docnums]
        return Document(summary=_summary(stored[0], len(stored)), passages=[_passage_view(f) for f in stored])

    @_reads_index
    def documents(self) -> list[DocumentSummary]:
        """Every indexed answer, newest first."""
        searcher = self._current_searcher()
        counts: dict[str, int] = {}
        firsts: dict[str, dict] = {}
        reader = searcher.reader()
        for _docnum, fields in reader.iter_docs():
            dnr = fields["dnr"]
            counts[dnr] = counts.get(dnr, 0) + 1
            if fields.get("passage") == 1:
                firsts[dnr] = fields
        summaries = [_summary(fields, counts[dnr]) for dnr, fields in firsts.items()]
        return sorted(summaries, key=lambda s: (s.date or dt.date.min, s.dnr), reverse=True)

    @_reads_index
    def newest_indexed_at(self) -> int:
        """When the most recently indexed passage was written (milliseconds since the epoch; 0 if empty)."""
        reader = self._current_searcher().reader()
        column = reader.column_reader("indexed_at") if reader.doc_count() else None
        return max((column[n] for n in reader.all_doc_ids()), default=0) if column is not None else 0

    @_reads_index
    def stats(self) -> IndexStats:
        """How many answers and passages the index holds, its size on disk and when it last changed."""
        searcher = self._current_searcher()
        reader = searcher.reader()
        documents = sum(1 for _ in searcher.document_numbers(passage=1)) if reader.doc_count() else 0
        size_bytes, last_update = store.disk_usage(self.path)  # the live generation, not the whole folder
        return IndexStats(
            path=str(self.path),
            documents=documents,
            passages=reader.doc_count(),
            size_bytes=size_bytes,
            last_update=last_update,
            schema_version=SCHEMA_VERSION,
        )

    @_reads_index
    def _demo_answers(self, seeds: dict[str, Path]) -> list[str]:
        """The dnrs of the demo answers (see retire_demo_answers); ``seeds``: content hash → seed file."""
        searcher = self._current_searcher()
        found = []
        for digest, seed in seeds.items():
            for docnum in searcher.document_numbers(content_hash=digest, passage=1):
                fields = searcher.stored_fields(docnum)
                source = Path(fields.get("source", ""))
                if source.name == seed.name and (source == seed or not source.exists()):
                    found.append(fields["dnr"])
        return found

    # -- writing -----------------------------------------------------------------------------------

    def add(self, paths: Iterable[str | os.PathLike[str]],
            progress: Callable[[Path], None] | None = None, *, workers: int | None = None) -> writing.IndexReport:
        """Index answer files or folders; a changed answer replaces its dnr, an unchanged file is skipped.

        ``workers``: processes for a large delivery (default one per core; pass 1 from a threaded program).
        """
        from svar.index import writing

        report = writing.index_files(self.path, [Path(p) for p in paths], progress=progress, workers=workers)
        self._reopen()
        return report

    def add_text(self, text: str, source: str = "") -> writing.IndexReport:
        """Index one answer given as text (replacing the answer with the same dnr, if any)."""
        from svar.index import writing
        from svar.index.loading import content_hash, parse_answer

        answer = parse_answer(text, source=source, content_hash=content_hash(text.encode("utf-8")))
        report = writing.index_answers(self.path, [answer])
        report.warnings.extend((source, w) for w in answer.warnings)
        self._reopen()
        return report

    def remove(self, dnrs: Iterable[str]) -> list[str]:
        """Remove answers by dnr; returns those that were indexed."""
        keys = [dnr_key(d) for d in dnrs]
        from svar.index import writing

        removed = writing.remove_answers(self.path, keys)
        self._reopen()
        return removed

    def _reopen(self) -> None:
        self.close()
        self._ix = store.open_existing(self.path, preload=self._ix.preload)


def _date(fields: dict) -> dt.date | None:
    value = fields.get("date")
    return value.date() if isinstance(value, dt.datetime) else None


def _interpellant(fields: dict) -> Person:
    return Person(fields.get("interpellant", ""), fields.get("interpellant_party", ""))


def _respondent(fields: dict) -> Person:
    return Person(fields.get("respondent", ""), fields.get("respondent_party", ""), fields.get("respondent_role", ""))


def _summary(fields: dict, passages: int) -> DocumentSummary:
    return DocumentSummary(
        dnr=fields["dnr"],
        title=fields.get("title", ""),
        topic=fields.get("topic", ""),
        date=_date(fields),
        interpellant=_interpellant(fields),
        respondent=_respondent(fields),
        signature=fields.get("signature", ""),
        source=fields.get("source", ""),
        passages=passages,
    )


def _passage_view(fields: dict) -> PassageView:
    text = fields.get("body", "")
    interpellant, respondent = _interpellant(fields), _respondent(fields)
    sides = attribute(text, fields.get("question", ""), interpellant=interpellant.name, respondent=respondent.name)
    return PassageView(
        dnr=fields["dnr"], passage=fields["passage"], kind=fields.get("kind", ""),
        question_number=fields.get("question_number"), question=fields.get("question", ""),
        text=text, start=fields.get("start", 0), end=fields.get("end", 0),
        parts=spoken_parts(text, sides, interpellant, respondent),
    )
