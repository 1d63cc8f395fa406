"""What a search imports: the metadata parser only when a dnr is looked up; Whoosh as Whoosh made it.
What `svar index` imports: the indexer, not the search side."""

import shutil
import subprocess
import sys

from svar.index.location import bundled_seeds


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout


def _command_loads(argv: list[str], modules: tuple[str, ...]) -> list[str]:
    """What `svar ARGV` printed, in a new process, and last a line listing which of ``modules`` it
    loaded (the command must succeed)."""
    code = (
        "import sys\n"
        "from svar.search.cli import main\n"
        f"sys.argv = {['svar', *argv]!r}\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        f"print(sorted(m for m in {modules!r} if m in sys.modules))\n"
    )
    return _run(code).splitlines()


def test_a_search_loads_the_metadata_parser_only_for_a_dnr_and_whoosh_unchanged(seed_index_dir):
    code = (
        "import sys\n"
        "from svar.search import open_index\n"
        f"with open_index({str(seed_index_dir)!r}) as answers:\n"
        "    result = answers.search('fyra besök familjehem', dnr='ks 2020 / 1079')\n"
        "print(result.total, result.hits[0].dnr)\n"
        "morph_en = vars(sys.modules['whoosh.lang.morph_en'])\n"
        "print(morph_en['variations'].__module__, '__file__' in morph_en, 'svar.index.metadata' in sys.modules)\n"
    )
    # The dnr filter is normalised through the metadata parser, imported for it alone.
    assert _run(code) == "2 KS 2020/1079\nwhoosh.lang.morph_en True True\n"
    no_filter = code.replace(", dnr='ks 2020 / 1079'", "")
    assert _run(no_filter) == "3 KS 2020/1079\nwhoosh.lang.morph_en True False\n"


def test_whoosh_variations_work_after_importing_svar():
    code = (
        "import svar.search, sys\n"
        "from whoosh import fields, query\n"
        "from whoosh.filedb.filestore import RamStorage\n"
        "ix = RamStorage().create_index(fields.Schema(t=fields.TEXT(stored=True)))\n"
        "with ix.writer() as w:\n"
        "    for text in ('he pulled it', 'a pull', 'pushing'):\n"
        "        w.add_document(t=text)\n"
        "with ix.searcher() as s:\n"
        "    print(sorted(hit['t'] for hit in s.search(query.Variations('t', 'pull'))))\n"
        "from whoosh.lang.morph_en import variations\n"
        "print(sorted(variations('pull'))[:3], '__file__' in vars(sys.modules['whoosh.lang.morph_en']))\n"
    )
    assert _run(code) == "['a pull', 'he pulled it']\n['pull', 'pull-less', 'pulled'] True\n"


def test_indexing_one_answer_loads_nothing_of_the_search_side(seed_index_dir, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index_dir, index_dir)
    new = tmp_path / "new.txt"  # a seed under a diary number the index does not hold: one new answer
    seed = next(s for s in bundled_seeds() if "Dnr KS 2020/1079" in s.read_text(encoding="utf-8"))
    new.write_text(seed.read_text(encoding="utf-8").replace("Dnr KS 2020/1079", "Dnr KS 2020/9079"), encoding="utf-8")
    search_side = ("svar.search.library", "svar.search.query", "svar.search.attribution", "svar.search.snippets",
                   "svar.search.results", "svar.search.ranking", "whoosh.qparser", "numpy", "socket")
    printed = _command_loads(["index", str(new), "--index", str(index_dir)], search_side)
    assert printed[0].startswith("1 new, 0 updated, 0 unchanged, 0 rejected")
    assert printed[-1] == "[]"


def test_a_search_does_not_load_numpys_masked_arrays(corpus_index_dir):
    # numpy 2's unique() imports numpy.ma on its first call, some 15 ms of a new process's first search;
    # the scorer's own distinct() does without. A phrase, near words and an OR of common words reach
    # every place the scorer takes distinct values; one hit per answer counts answers.
    code = (
        "import sys\n"
        "from svar.search import open_index\n"
        f"with open_index({str(corpus_index_dir)!r}) as answers:\n"
        "    totals = [answers.search(q, limit=3).total for q in ('regeringen inte', '\"regeringen inte\"',\n"
        "              '\"regeringen kommer\"~5', 'skola OR skolan OR skolor', 'barn* familj*')]\n"
        "    totals.append(answers.search('regeringen', by_document=True, facets=True).total)\n"
        "print(all(totals), 'numpy' in sys.modules, 'numpy.ma' in sys.modules)\n"
    )
    assert _run(code) == "True True False\n"


def test_help_loads_neither_whoosh_queries_nor_numpy():
    printed = _command_loads(["search", "--help"], ("whoosh.query", "whoosh.qparser", "numpy", "svar.search.library"))
    assert printed[0].startswith("Usage: svar search")
    assert printed[-1] == "[]"
