"""A second reference for the benchmark: tantivy (tantivy-py) over the same passages as svar and the baseline.

A benchmark-only dependency (``pip install tantivy``); run.py measures it only where ``import tantivy``
works. Set up as benchmarks/baseline.py sets up stock Whoosh, what a developer would write in an
afternoon: one stored text field per passage, analysed by tantivy's simple tokenizer, long-token
removal (40), lowercase, tantivy's Swedish stop words and its Swedish (Snowball) stemmer; the stock
query parser, words OR-ed (its default), phrases in quotes; BM25; the stock snippet generator. Party
and year filter as in baseline.py (the interpellant's and the respondent's party, the answer's year)
without adding to the score. The passages come from svar's own loader, through baseline.py.

    python benchmarks/tantivy_engine.py build INDEX_DIR PATH...   # fresh index from files or folders
    python benchmarks/tantivy_engine.py add INDEX_DIR FILE...     # add (or replace) answers
    python benchmarks/tantivy_engine.py search INDEX_DIR QUERY [--party P] [--year YYYY] [--limit N]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIMIT = 10
ANALYZER = "sv_stem"
ANALYSIS = "simple tokenizer, remove_long(40), lowercase, stopword(swedish), stemmer(swedish)"


def _baseline():
    sys.path.insert(0, str(HERE))
    import baseline

    return baseline


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("dnr", stored=True, tokenizer_name="raw")
    builder.add_integer_field("passage", stored=True)
    builder.add_text_field("text", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("party", tokenizer_name="raw")  # one value per party, upper-case
    builder.add_integer_field("year", stored=True, indexed=True, fast=True)
    return builder.build()


def _analyzer():
    import tantivy

    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stopword("swedish"))
            .filter(tantivy.Filter.stemmer("swedish"))
            .build())


def open_index(index_dir: Path, *, create: bool = False):
    """The index in ``index_dir`` (a new one if ``create``), with the Swedish analyzer registered:
    tantivy keeps an analyzer's name in the schema, not the analyzer, so every process registers it."""
    import tantivy

    if create:
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.mkdir(parents=True)
        index = tantivy.Index(_schema(), path=str(index_dir))
    else:
        index = tantivy.Index.open(str(index_dir))
    index.register_tokenizer(ANALYZER, _analyzer())
    return index


def _document(fields: dict):
    import tantivy

    document = tantivy.Document(id=fields["id"], dnr=fields["dnr"], passage=int(fields["passage"]),
                                text=fields["text"])
    parties = fields.get("party", "").split()
    if parties:
        document.add_text("party", parties[0])
        for party in parties[1:]:
            document.add_text("party", party)
    if "year" in fields:
        document.add_integer("year", int(fields["year"]))
    return document


def build(index_dir: Path, paths: list[Path]) -> dict:
    """A fresh index of every passage in ``paths``; a file that svar rejects is skipped, as in baseline.py."""
    from svar.index.errors import SvarError

    baseline = _baseline()
    index = open_index(index_dir, create=True)
    writer = index.writer()
    seen: set[str] = set()
    passages = rejected = 0
    for path in baseline.answer_files(paths):
        try:
            dnr, documents = baseline.passage_documents(path)
        except SvarError:
            rejected += 1
            continue
        if dnr in seen:
            rejected += 1
            continue
        seen.add(dnr)
        for fields in documents:
            writer.add_document(_document(fields))
        passages += len(documents)
    writer.commit()
    writer.wait_merging_threads()
    return {"passages": passages, "answers": len(seen), "rejected": rejected}


def add(index_dir: Path, files: list[Path]) -> dict:
    """Add answers to an existing index, replacing the passages of an answer with the same dnr."""
    baseline = _baseline()
    index = open_index(index_dir)
    writer = index.writer()
    passages = 0
    for path in files:
        dnr, documents = baseline.passage_documents(path)
        writer.delete_documents_by_term("dnr", dnr)
        for fields in documents:
            writer.add_document(_document(fields))
        passages += len(documents)
    writer.commit()
    writer.wait_merging_threads()
    return {"passages": passages}


class Searcher:
    """An open tantivy index, searched like the baseline: OR of the words, top ``limit`` with snippets."""

    def __init__(self, index_dir: Path) -> None:
        self._index = open_index(index_dir)
        self._schema = self._index.schema
        self._searcher = self._index.searcher()

    def close(self) -> None:
        self._searcher = None

    def passage_count(self) -> int:
        return self._searcher.num_docs

    def search(self, text: str, *, party: str | None = None, year: int | None = None, limit: int = LIMIT,
               snippets: bool = True) -> tuple[int, list[dict]]:
        import tantivy

        query, _errors = self._index.parse_query_lenient(text, ["text"])
        scored = query
        filters = []
        if party:
            filters.append(tantivy.Query.term_query(self._schema, "party", party.strip().upper()))
        if year:
            filters.append(tantivy.Query.range_query(self._schema, "year", tantivy.FieldType.Integer,
                                                     int(year), int(year)))
        if filters:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, scored)]
                + [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters])
        result = self._searcher.search(query, limit)
        generator = tantivy.SnippetGenerator.create(self._searcher, scored, self._schema, "text") if snippets else None
        hits = []
        for score, address in result.hits:
            document = self._searcher.doc(address)
            hits.append({"dnr": document.get_first("dnr"), "passage": document.get_first("passage"),
                         "score": score,
                         "snippet": generator.snippet_from_doc(document).to_html() if generator else ""})
        return result.count, hits


def main(argv: list[str] | None = None) -> int:
    return _baseline().run_cli(argv, "tantivy_engine.py", "tantivy reference for the svar benchmark.",
                               build, add, Searcher)


if __name__ == "__main__":
    sys.exit(main())
