"""Two svar source trees on one index, interleaved: warm query latency and whether they agree.

    .venv/bin/python benchmarks/compare.py INDEX OLD_TREE NEW_TREE [--repeat 4]

OLD_TREE and NEW_TREE are checkouts of svar (e.g. `git worktree add /tmp/old COMMIT`) whose index
format is the same. Each runs in a process of its own, importing svar from its tree; the passes
alternate between them (old, new, old, new, …), so a machine that slows down mid-run slows both.
The queries are benchmarks/queries.txt (the same set run.py uses), through the library, with
snippets. Prints p50 / p95 per kind and over all, the ratio new / old, and every query whose page
(dnr, passage, score to 4 decimals) or total differs between the trees.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Run in a child: import svar from TREE (not the installed one) and answer passes over the queries.
_CHILD = r'''
import json, sys, time
from pathlib import Path
tree, index_dir, queries_file = sys.argv[1:4]
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__name__.lower()
                    and "editable" not in getattr(f, "__name__", "").lower()]
sys.path.insert(0, tree)
import svar  # a namespace package: its folders are the tree's, linked below
sys.path.insert(0, str(Path(__file__).parent))
from run import load_queries
from svar.search import open_index
assert sys.modules["svar.search"].__file__.startswith(tree), sys.modules["svar.search"].__file__
queries = load_queries(Path(queries_file))
answers = open_index(index_dir)
def run(q):
    filters = {k: v for k, v in (("party", q.party), ("year", q.year)) if v is not None}
    return answers.search(q.text, limit=10, **filters)
pages = []
for q in queries:  # warm-up, and each query's page
    r = run(q)
    pages.append([r.total, [(h.dnr, h.passage, round(h.score, 4)) for h in r.hits]])
print(json.dumps(pages), flush=True)
for line in sys.stdin:  # one timed pass per line
    times = []
    for q in queries:
        t = time.perf_counter(); run(q); times.append(time.perf_counter() - t)
    print(json.dumps(times), flush=True)
'''


def _tree(source: Path, folder: Path) -> Path:
    """A folder holding ``svar/{index,search,seeds}`` linked to a checkout's top-level folders."""
    package = folder / "svar"
    package.mkdir(parents=True)
    for name in ("index", "search", "seeds"):
        (package / name).symlink_to(source.resolve() / name)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--queries", default=str(HERE / "queries.txt"))
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from run import load_queries

    queries = load_queries(Path(args.queries))
    with tempfile.TemporaryDirectory() as scratch:
        script = HERE / "_compare_child.py"
        script.write_text(_CHILD, encoding="utf-8")
        try:
            children = {}
            for name in ("old", "new"):
                tree = _tree(Path(getattr(args, name)), Path(scratch) / name)
                children[name] = subprocess.Popen(
                    [sys.executable, str(script), str(tree), args.index, args.queries],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            pages = {name: json.loads(child.stdout.readline()) for name, child in children.items()}
            times: dict[str, list[list[float]]] = {name: [[] for _ in queries] for name in children}
            for _ in range(args.repeat):
                for name, child in children.items():
                    child.stdin.write("\n")
                    child.stdin.flush()
                    for i, t in enumerate(json.loads(child.stdout.readline())):
                        times[name][i].append(t)
            for child in children.values():
                child.stdin.close()
                child.wait()
        finally:
            script.unlink(missing_ok=True)
    medians = {name: [statistics.median(t) * 1000 for t in per_query] for name, per_query in times.items()}

    def p(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(f"{len(queries)} queries, {args.repeat} interleaved passes each; ms, median of passes per query")
    print("| kind | queries | old p50 / p95 | new p50 / p95 | new / old p50 / p95 |")
    print("|---|---|---|---|---|")
    kinds = sorted({q.kind for q in queries}, key=[q.kind for q in queries].index) + ["all"]
    for kind in kinds:
        idx = [i for i, q in enumerate(queries) if kind in ("all", q.kind)]
        old = [medians["old"][i] for i in idx]
        new = [medians["new"][i] for i in idx]
        print(f"| {kind} | {len(idx)} | {p(old, .5):.1f} / {p(old, .95):.1f} | {p(new, .5):.1f} / {p(new, .95):.1f} "
              f"| {p(new, .5) / p(old, .5):.2f} / {p(new, .95) / p(old, .95):.2f} |")
    differ = [(q, pages["old"][i], pages["new"][i]) for i, q in enumerate(queries) if pages["old"][i] != pages["new"][i]]
    print(f"\n{len(queries) - len(differ)} of {len(queries)} queries give the same total and page in both trees.")
    for q, old_page, new_page in differ:
        print(f"- {q.kind} | {q.text} | party={q.party} year={q.year}: old total {old_page[0]}, new {new_page[0]};"
              f" first hits old {old_page[1][:2]}, new {new_page[1][:2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
