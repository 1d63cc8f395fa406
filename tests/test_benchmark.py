"""The benchmark measures what it says: its query set, the baseline's passages, its measuring code.

No timings are asserted here (they are noisy); benchmarks/run.py reports them.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from svar.index.loading import load_answer
from svar.search import open_index
from svar.search.library import rebuild_index, update_index

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
SEEDS = REPO / "seeds"
CORPUS = REPO.parent / "shared" / "corpus"


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench = _module("svar_benchmark_run", BENCH / "run.py")
baseline = _module("baseline", BENCH / "baseline.py")


# -- the query set ---------------------------------------------------------------------------------

def test_query_set_has_at_least_200_queries_of_every_required_kind():
    queries = bench.load_queries()
    assert len(queries) >= 200
    by_kind = {kind: [q for q in queries if q.kind == kind] for kind in bench.KINDS}
    for kind, minimum in {"word": 30, "part": 20, "question": 30, "phrase": 20, "filtered": 20}.items():
        assert len(by_kind[kind]) >= minimum, kind
    assert len({(q.kind, q.text, q.party, q.year) for q in queries}) == len(queries), "duplicate queries"


def test_queries_are_what_their_kind_says():
    for q in bench.load_queries():
        words = q.text.replace('"', " ").split()
        if q.kind in ("word", "part", "typo"):
            assert len(words) == 1 and '"' not in q.text, q
        elif q.kind == "question":
            assert 2 <= len(words) <= 6 and '"' not in q.text, q
        elif q.kind == "phrase":
            assert q.text.startswith('"') and q.text.endswith('"') and q.text.count('"') == 2, q
        elif q.kind == "filtered":
            assert q.party or q.year, q
        if q.kind != "filtered":
            assert q.party is None and q.year is None, q
        if q.year is not None:
            assert 1994 <= q.year <= 2024, q  # the corpus's years


def test_a_malformed_query_line_is_an_error(tmp_path):
    path = tmp_path / "queries.txt"
    path.write_text("# comment\nword | skola\nfiltered | skola | party=S year=20\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown filter"):
        bench.load_queries(path)
    path.write_text("sentence | skola\n", encoding="utf-8")
    with pytest.raises(ValueError, match="KIND"):
        bench.load_queries(path)


# -- the two engines on a tiny corpus ----------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Seeds plus, when the shared corpus is beside the repository, a few generated answers; indexed by both."""
    root = tmp_path_factory.mktemp("bench")
    data = root / "data"
    data.mkdir()
    for seed in SEEDS.glob("*.txt"):
        (data / seed.name).write_bytes(seed.read_bytes())
    if (CORPUS / "make_answers.py").exists():
        bench.generate(CORPUS, data, copies=2, docs=4)
    rebuild_index(root / "svar", [data])
    counts = baseline.build(root / "baseline", [data])
    return root, data, counts


def _svar_passages(index_dir: Path) -> set[tuple[str, int, str]]:
    with open_index(index_dir) as answers:
        return {(p.dnr, p.passage, p.text) for s in answers.documents() for p in answers.document(s.dnr).passages}


def _baseline_passages(index_dir: Path) -> set[tuple[str, int, str]]:
    from whoosh import index

    with index.open_dir(str(index_dir), indexname=baseline.INDEX_NAME).searcher() as searcher:
        return {(f["dnr"], f["passage"], f["text"]) for f in searcher.all_stored_fields()}


def test_baseline_indexes_exactly_svars_passages(tiny):
    root, data, counts = tiny
    svar_passages = _svar_passages(root / "svar")
    assert len(svar_passages) > 4
    assert _baseline_passages(root / "baseline") == svar_passages
    assert counts["passages"] == len(svar_passages)
    expected = sum(len(load_answer(p).passages) for p in data.iterdir())
    assert counts["passages"] == expected


def test_a_new_answer_adds_the_same_passages_to_both(tiny, tmp_path):
    root, data, _ = tiny
    for name in ("svar", "baseline"):  # work on copies: the fixture is shared
        subprocess.run(["cp", "-r", str(root / name), str(tmp_path / name)], check=True)
    path = bench.new_answer(data, tmp_path / "new", 0)
    answer = load_answer(path)
    assert answer.dnr.endswith(f" {bench.NEW_DNR_YEAR}/{bench.NEW_DNR_BASE}")
    before = len(_svar_passages(tmp_path / "svar"))
    report = update_index(tmp_path / "svar", [path])
    assert report.new == [answer.dnr] and report.passages == len(answer.passages)
    assert baseline.add(tmp_path / "baseline", [path])["passages"] == len(answer.passages)
    after = _svar_passages(tmp_path / "svar")
    assert len(after) == before + len(answer.passages)
    assert _baseline_passages(tmp_path / "baseline") == after


def _one_pass(engine_name: str, index_dir: Path, queries: Path, cap: float | None = None) -> dict:
    """An engine's warm latencies in this process: the warm-up and one timed pass (QueryPasses)."""
    passes = bench.QueryPasses(engine_name, index_dir, queries, cap)
    passes.warm_up()
    passes.timed_pass()
    return passes.result()


def test_the_query_worker_runs_every_query_on_both_engines(tiny, tmp_path):
    root, _, _ = tiny
    queries = tmp_path / "queries.txt"
    queries.write_text(
        "word | familjehem\npart | hem\nquestion | hur många besök får barn\nphrase | \"Rätt stöd i rätt tid\"\n"
        "filtered | barn | party=V year=2021\ntypo | diskriminring\n", encoding="utf-8")
    results = {name: _one_pass(name, root / name, queries) for name in ("svar", "baseline")}
    assert results["svar"]["passages"] == results["baseline"]["passages"]
    for name, result in results.items():
        assert [q["kind"] for q in result["queries"]] == ["word", "part", "question", "phrase", "filtered", "typo"]
        assert all(q["snippets"] > 0 and q["plain"] > 0 for q in result["queries"]), name
        by_kind = {q["kind"]: q["total"] for q in result["queries"]}
        assert by_kind["word"] > 0 and by_kind["question"] > 0 and by_kind["phrase"] > 0, name
    # The same filter means the same thing to both: the interpellant's or the respondent's party, the year.
    with open_index(root / "svar") as answers:
        expected = answers.search("barn", party="V", year=2021).total
    assert {r["queries"][4]["total"] for r in results.values()} == {expected}


def test_the_engines_warm_passes_alternate_in_processes_of_their_own(tiny, tmp_path):
    root, _, _ = tiny
    queries = tmp_path / "queries.txt"
    queries.write_text("word | familjehem\nphrase | \"Rätt stöd i rätt tid\"\nfiltered | barn | party=V year=2021\n",
                       encoding="utf-8")
    alone = {name: _one_pass(name, root / name, queries) for name in ("svar", "baseline")}
    together = bench.interleaved_passes({name: root / name for name in ("svar", "baseline")}, queries, repeat=2,
                                        cap=None)
    assert set(together) == {"svar", "baseline"}
    for name, result in together.items():
        assert result["passages"] == alone[name]["passages"]
        assert [(q["kind"], q["total"]) for q in result["queries"]] == [
            (q["kind"], q["total"]) for q in alone[name]["queries"]]
        assert all(q["snippets"] > 0 and q["plain"] > 0 for q in result["queries"]), name
        assert result["max_rss_mb"] > 10


def test_a_failing_engine_stops_the_interleaved_passes_with_its_error(tiny, tmp_path):
    with pytest.raises(RuntimeError, match="svar queries failed"):
        bench.interleaved_passes({"svar": tmp_path / "no-such-index"}, tmp_path / "no-queries.txt", repeat=1,
                                 cap=None)


def test_the_baseline_command_line_searches(tiny):
    root, _, _ = tiny
    done = subprocess.run([sys.executable, str(BENCH / "baseline.py"), "search", str(root / "baseline"),
                           "familjehem", "--json"], capture_output=True, text=True, check=True)
    out = json.loads(done.stdout)
    assert out["total"] > 0 and out["hits"][0]["snippet"]


# -- measuring and reporting ----------------------------------------------------------------------------

def test_run_measured_reports_wall_time_memory_and_the_child_result():
    code = "import sys, json; x = bytearray(50_000_000); open(sys.argv[-1], 'w').write(json.dumps({'n': 3}))"
    m = bench.run_measured([sys.executable, "-c", code], sample_every=0.01)
    assert m.returncode == 0 and m.result == {"n": 3}
    assert m.wall > 0 and m.cpu_seconds > 0
    assert m.peak_rss_mb >= 50


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == 50.0
    assert bench.percentile(values, 95) == 95.0
    assert bench.percentile([7.0], 95) == 7.0


def test_the_report_is_one_markdown_table_with_ratios():
    queries = [{"kind": "word", "text": "x", "total": 1, "snippets": 0.004, "plain": 0.002}]

    def engine(scale: float) -> dict:
        return {"build": {"passages": 1000, "seconds": 2.0 * scale, "wall": 2.1 * scale, "cpu_seconds": 2.0 * scale,
                          "peak_rss_mb": 100.0, "index_bytes": 10_000_000},
                "queries": queries, "cold_search": [0.2 * scale] * 3, "cold_help": [0.1] * 3,
                "incremental": [{"wall": 0.5 * scale, "wchar": 1_000_000}]}

    report = {"date": "2026-01-01T00:00:00+00:00", "command": "python benchmarks/run.py --quick",
              "machine": {"cores": 2, "mem_gb": 4.0, "cpu": "cpu", "os": "linux"}, "python": "3.11",
              "versions": {"svar": "0.1.0", "whoosh3": "3.54.0"}, "svar_source": "here", "docs": None,
              "queries": 1, "query_kinds": {"word": 1}, "engines": ["svar", "baseline"], "incremental_size": 1,
              "sizes": {1: {"files": 10, "data_bytes": 1000, "svar": engine(2.0), "baseline": engine(1.0)}}}
    text = bench.render(report)
    assert "| measure | size | svar | baseline | svar/baseline |" in text
    assert "| build: seconds | 1× | 4.0 | 2.0 | 2.00× |" in text
    assert "| cold `search` (new process), median ms | 1× | 400 | 200 | 2.00× |" in text
    assert "build wall time ≤ 1.0× baseline: **not met**" in text
    assert "python benchmarks/run.py --quick" in text and "2 cores" in text


def test_a_report_of_a_stopped_run_shows_what_was_measured():
    # The run writes its report after each engine, so a run stopped in the baseline's queries keeps svar's
    # figures and the baseline's build.
    queries = [{"kind": "word", "text": "x", "total": 1, "snippets": 0.004, "plain": 0.002}]
    svar = {"build": {"passages": 1000, "seconds": 4.0, "wall": 4.1, "cpu_seconds": 8.0, "peak_rss_mb": 100.0,
                      "index_bytes": 10_000_000},
            "queries": queries, "cold_search": [0.3] * 3, "cold_help": [0.1] * 3}
    baseline = {"build": {"passages": 1000, "seconds": 2.0, "wall": 2.1, "cpu_seconds": 2.0, "peak_rss_mb": 50.0,
                          "index_bytes": 5_000_000}}
    report = {"date": "2026-01-01T00:00:00+00:00", "command": "python benchmarks/run.py --sizes 16",
              "machine": {"cores": 2, "mem_gb": 4.0, "cpu": "cpu", "os": "linux"}, "python": "3.11",
              "versions": {"svar": "0.1.0"}, "svar_source": "here", "docs": None,
              "queries": 1, "query_kinds": {"word": 1}, "engines": ["svar", "baseline"],
              "sizes": {16: {"files": 10, "data_bytes": 1000, "svar": svar, "baseline": baseline}}}
    text = bench.render(report)
    assert "| build: seconds | 16× | 4.0 | 2.0 | 2.00× |" in text
    assert "| warm query + snippets, top 10: p50 ms | 16× | 4.0 | – | – |" in text
    assert "| word | 1 | 4.0 / 4.0 | – |" in text
    assert "- one new answer ≤ 1.5 s: not measured" in text
    assert "- cold search ≤ 1.2× baseline: not measured" in text  # the baseline's cold search never ran
    assert "- build wall time ≤ 1.0× baseline: **not met**" in text  # 4.0 s vs 2.0 s


def test_a_query_past_the_cap_is_stopped_and_counted_as_taking_it(tiny, tmp_path, monkeypatch):
    root, _, _ = tiny
    queries = tmp_path / "queries.txt"
    queries.write_text("word | familjehem\nfiltered | barn | party=V\n", encoding="utf-8")
    original = bench._BaselineEngine.search

    def slow_when_filtered(self, q, snippets):
        if q.party:
            time.sleep(5)
        return original(self, q, snippets)

    monkeypatch.setattr(bench._BaselineEngine, "search", slow_when_filtered)
    result = _one_pass("baseline", root / "baseline", queries, cap=0.3)
    quick, stopped = result["queries"]
    assert (quick["capped"], quick["total"] > 0, quick["snippets"] < 0.3) == (False, True, True)
    assert (stopped["capped"], stopped["total"]) == (True, None)
    assert 0.3 <= stopped["snippets"] == stopped["plain"] < 1.0


def test_the_report_says_which_queries_were_stopped_at_the_cap():
    queries = [{"kind": "word", "text": "x", "total": 1, "snippets": 0.004, "plain": 0.002, "capped": False},
               {"kind": "filtered", "text": "y", "total": 9, "snippets": 10.02, "plain": 10.02, "capped": True}]
    built = {"passages": 1000, "seconds": 2.0, "wall": 2.1, "cpu_seconds": 2.0, "peak_rss_mb": 50.0,
             "index_bytes": 5_000_000}
    report = {"date": "2026-01-01T00:00:00+00:00", "command": "python benchmarks/run.py --sizes 16",
              "machine": {"cores": 2, "mem_gb": 4.0, "cpu": "cpu", "os": "linux"}, "python": "3.11",
              "versions": {"svar": "0.1.0"}, "svar_source": "here", "docs": None, "query_cap": 10.0,
              "queries": 2, "query_kinds": {"word": 1, "filtered": 1}, "engines": ["svar", "baseline"],
              "sizes": {16: {"files": 10, "data_bytes": 1000, "svar": {"build": built, "queries": queries[:1] * 2},
                             "baseline": {"build": built, "queries": queries}}}}
    text = bench.render(report)
    assert ("- 16× baseline: 1 warm queries (1 filtered) were stopped at the 10 s cap and count as taking it, "
            "so its p95 there is a lower bound") in text
    assert "svar: " not in text.split("| measure |")[0].split("- passages:")[1]
    assert "| filtered | 1 | – | 10020 / 10020 |" in text
