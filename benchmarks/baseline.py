"""The benchmark's baseline: stock Whoosh with LanguageAnalyzer("sv") over the same passages as svar.

What a developer would otherwise write in an afternoon: one analysed text field per passage, stock
query parser (words OR-ed, like svar), stock BM25F, stock highlighter, stock writer and merge policy.
The passages come from svar's own loader (``svar.index.loading.load_answer``), so both engines index
exactly the same passages of the same files; the baseline only leaves out svar's own analysis and
schema (title/question fields, compound parts, folded words, spelling list).

Also a tiny command line, so that a cold search can be timed end to end as for `svar search`:

    python benchmarks/baseline.py build INDEX_DIR PATH...   # fresh index from files or folders
    python benchmarks/baseline.py add INDEX_DIR FILE...     # add (or replace) answers
    python benchmarks/baseline.py search INDEX_DIR QUERY [--party P] [--year YYYY] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

INDEX_NAME = "baseline"
LIMIT = 10


def build_schema():
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

    return Schema(
        id=ID(unique=True, stored=True),
        dnr=ID(stored=True),
        passage=NUMERIC(stored=True),
        text=TEXT(analyzer=LanguageAnalyzer("sv"), stored=True),
        party=KEYWORD(),  # the interpellant's and the respondent's party, upper-case, as svar's --party
        year=NUMERIC(stored=True),
    )


def answer_files(paths: list[Path]) -> Iterator[Path]:
    """The same files svar would index for these paths."""
    from svar.index.writing import answer_files as svar_answer_files

    return (Path(name) for name in svar_answer_files(paths))


def passage_documents(path: Path) -> tuple[str, list[dict]]:
    """(dnr, one document per passage) for an answer file, passages as svar's loader cuts them."""
    from svar.index.loading import load_answer

    answer = load_answer(path)
    parties = " ".join(p.strip().upper() for p in (answer.interpellant.party, answer.respondent.party) if p.strip())
    documents = []
    for passage in answer.passages:
        document = dict(id=f"{answer.dnr}#{passage.number}", dnr=answer.dnr, passage=passage.number,
                        text=passage.text, party=parties)
        if answer.date:
            document["year"] = answer.date.year
        documents.append(document)
    return answer.dnr, documents


def build(index_dir: Path, paths: list[Path]) -> dict:
    """A fresh index of every passage in ``paths``; a file that svar rejects is skipped here too."""
    from whoosh import index

    from svar.index.errors import SvarError

    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    ix = index.create_in(str(index_dir), build_schema(), indexname=INDEX_NAME)
    writer = ix.writer()
    seen: set[str] = set()
    passages = rejected = 0
    for path in answer_files(paths):
        try:
            dnr, documents = passage_documents(path)
        except SvarError:
            rejected += 1
            continue
        if dnr in seen:  # svar reports two files claiming one dnr as a conflict and indexes the first
            rejected += 1
            continue
        seen.add(dnr)
        for document in documents:
            writer.add_document(**document)
        passages += len(documents)
    writer.commit()
    return {"passages": passages, "answers": len(seen), "rejected": rejected}


def add(index_dir: Path, files: list[Path]) -> dict:
    """Add answers to an existing index, replacing the passages of an answer with the same dnr."""
    from whoosh import index

    ix = index.open_dir(str(index_dir), indexname=INDEX_NAME)
    writer = ix.writer()
    passages = 0
    for path in files:
        dnr, documents = passage_documents(path)
        writer.delete_by_term("dnr", dnr)
        for document in documents:
            writer.add_document(**document)
        passages += len(documents)
    writer.commit()
    return {"passages": passages}


class Searcher:
    """An open baseline index, searched like svar: OR of the words, top ``limit`` with snippets."""

    def __init__(self, index_dir: Path) -> None:
        from whoosh import index
        from whoosh.qparser import OrGroup, QueryParser

        self._ix = index.open_dir(str(index_dir), indexname=INDEX_NAME)
        self._searcher = self._ix.searcher()
        self._parser = QueryParser("text", self._ix.schema, group=OrGroup.factory(0.9))

    def close(self) -> None:
        self._searcher.close()

    def passage_count(self) -> int:
        return self._searcher.doc_count()

    def search(self, text: str, *, party: str | None = None, year: int | None = None, limit: int = LIMIT,
               snippets: bool = True) -> tuple[int, list[dict]]:
        from whoosh import query

        parts = []
        if party:
            parts.append(query.Term("party", party.strip().upper()))
        if year:
            parts.append(query.NumericRange("year", int(year), int(year)))
        filter_query = (parts[0] if len(parts) == 1 else query.And(parts)) if parts else None
        results = self._searcher.search(self._parser.parse(text), filter=filter_query, limit=limit)
        hits = []
        for hit in results:
            fields = hit.fields()
            fields["snippet"] = hit.highlights("text") if snippets else ""
            fields["score"] = hit.score
            hits.append(fields)
        return len(results), hits


def main(argv: list[str] | None = None) -> int:
    return run_cli(argv, "baseline.py", "Stock Whoosh baseline for the svar benchmark.", build, add, Searcher)


def run_cli(argv: list[str] | None, prog: str, description: str, build, add, searcher_class) -> int:
    """The command line every engine of the benchmark has (build, add, search), over its own
    ``build``, ``add`` and ``searcher_class``; ``--result FILE`` gets the run's measurements."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="a fresh index from files or folders")
    p.add_argument("index_dir", type=Path)
    p.add_argument("paths", type=Path, nargs="+")
    p = sub.add_parser("add", help="add or replace answers")
    p.add_argument("index_dir", type=Path)
    p.add_argument("files", type=Path, nargs="+")
    p = sub.add_parser("search", help="search and print the top hits with snippets")
    p.add_argument("index_dir", type=Path)
    p.add_argument("query")
    p.add_argument("--party")
    p.add_argument("--year", type=int)
    p.add_argument("--limit", type=int, default=LIMIT)
    p.add_argument("--json", action="store_true")
    for p in sub.choices.values():
        p.add_argument("--result", type=Path, help=argparse.SUPPRESS)  # the benchmark's measurements
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.command == "build":
        out = build(args.index_dir, args.paths)
        print(f"{out['passages']} passages of {out['answers']} answers ({out['rejected']} rejected)")
    elif args.command == "add":
        out = add(args.index_dir, args.files)
        print(f"{out['passages']} passages added")
    else:
        searcher = searcher_class(args.index_dir)
        total, hits = searcher.search(args.query, party=args.party, year=args.year, limit=args.limit)
        searcher.close()
        if args.json:
            print(json.dumps({"total": total, "hits": hits}, ensure_ascii=False, default=str))
        else:
            print(f"{total} passages match {args.query!r}")
            for rank, hit in enumerate(hits, 1):
                print(f"{rank:2}. {hit['dnr']} · passage {hit['passage']}  [{hit['score']:.2f}]\n    {hit['snippet']}")
        out = {"total": total}
    if args.result:
        out["seconds"] = time.perf_counter() - started
        out.update(_proc_io())
        args.result.write_text(json.dumps(out))
    return 0


def _proc_io() -> dict:
    """This process's I/O counters (Linux), for "bytes written"."""
    try:
        fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
        return {"write_bytes": int(fields["write_bytes"]), "wchar": int(fields["wchar"])}
    except (OSError, KeyError, ValueError):
        return {}


if __name__ == "__main__":
    sys.exit(main())
