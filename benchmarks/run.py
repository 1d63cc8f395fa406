#!/usr/bin/env python3
"""svar's speed benchmark: build, incremental add, warm and cold search, side by side with a baseline.

    python benchmarks/run.py --sizes 1,4,16     # the full benchmark (16x: ~250k answers, hours)
    python benchmarks/run.py --docs 300,3000    # the sizes most users have: 300 and 3,000 answers, minutes
    python benchmarks/run.py --quick            # a small sample, under two minutes

Data: real Riksdag interpellation text rendered as answer files by ../shared/corpus/make_answers.py;
size K× is that script's ``--copies K`` (every document K times under new diary numbers), size
"N answers" its ``--docs N`` (a random sample of N documents, the script's fixed seed). Generated
into a temporary folder, never into the repository. Every engine step runs in its own process, so
peak memory and a cold start are measured as a user meets them. The baseline is stock Whoosh with
LanguageAnalyzer("sv") over the same passages (benchmarks/baseline.py); where ``import tantivy``
works (a benchmark-only dependency), tantivy too (benchmarks/tantivy_engine.py). At each size the
engines build one after another; then their warm passes alternate and their cold processes are
interleaved, so that a machine slowing down for a while slows every engine alike. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
QUERIES = HERE / "queries.txt"
BASELINE = HERE / "baseline.py"
TANTIVY = HERE / "tantivy_engine.py"
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
LIMIT = 10
KINDS = ("word", "part", "question", "phrase", "filtered", "typo")
# A new answer's diary numbers: a year make_answers.py never writes (svar reads at most six digits).
NEW_DNR_YEAR = 2099
NEW_DNR_BASE = 990_000
QUICK_DOCS = 400
# Seconds after which a warm query is stopped (an alarm signal): at 16x the baseline's filtered queries
# take minutes each, which made a full run take many hours. A stopped query counts as taking the cap.
QUERY_CAP = 10.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the query set -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    party: str | None = None
    year: int | None = None


def load_queries(path: Path = QUERIES) -> list[Query]:
    """The fixed query set: ``KIND | QUERY [| party=P year=YYYY]`` a line, # comments."""
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) not in (2, 3) or parts[0] not in KINDS or not parts[1]:
            raise ValueError(f"{path}:{number}: expected 'KIND | QUERY [| FILTERS]' with KIND in {KINDS}: {line!r}")
        filters: dict = {}
        for item in (parts[2].split() if len(parts) == 3 else []):
            key, _, value = item.partition("=")
            if key == "party" and value:
                filters["party"] = value
            elif key == "year" and value.isdigit() and len(value) == 4:
                filters["year"] = int(value)
            else:
                raise ValueError(f"{path}:{number}: unknown filter {item!r} (party=P, year=YYYY)")
        queries.append(Query(parts[0], parts[1], **filters))
    return queries


# -- measuring a process -------------------------------------------------------------------------

@dataclass
class Measured:
    wall: float
    returncode: int
    peak_rss_mb: float  # the largest sum of RSS over the process and its descendants, sampled
    max_rss_mb: float  # the largest single process (getrusage of the reaped child)
    cpu_seconds: float
    result: dict = field(default_factory=dict)
    stderr: str = ""
    timed_out: bool = False


def _process_tree_rss_kb(root: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * page_kb
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(children.get(pid, ()))
    return total


def run_measured(cmd: list[str], *, timeout: float | None = None, sample_every: float = 0.2,
                 env: dict | None = None) -> Measured:
    """Run a command in its own process group; wall time, peak RSS (whole tree), CPU time and the JSON
    it wrote to the file named by the ``--result`` argument appended to the command."""
    with tempfile.TemporaryDirectory(prefix="svar-bench-m-") as tmp:
        result_file = Path(tmp) / "result.json"
        err_file = Path(tmp) / "stderr"
        with open(err_file, "wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(cmd + ["--result", str(result_file)], stdout=subprocess.DEVNULL, stderr=err,
                                    start_new_session=True, env=env)
            peak_kb, timed_out = 0, False
            reaped: dict = {}
            done = threading.Event()

            def reap() -> None:  # blocks in wait4, so the wall time is exact, not rounded to the sampling
                _, reaped["status"], reaped["usage"] = os.wait4(proc.pid, 0)
                reaped["end"] = time.perf_counter()
                done.set()

            threading.Thread(target=reap, daemon=True).start()
            while not done.wait(sample_every):
                peak_kb = max(peak_kb, _process_tree_rss_kb(proc.pid))
                if timeout is not None and time.perf_counter() - started > timeout:
                    timed_out = True
                    os.killpg(proc.pid, signal.SIGKILL)
                    done.wait()
            status, usage = reaped["status"], reaped["usage"]
            wall = reaped["end"] - started
            proc.returncode = os.waitstatus_to_exitcode(status)
        result = json.loads(result_file.read_text()) if result_file.exists() else {}
        return Measured(
            wall=wall, returncode=proc.returncode, peak_rss_mb=max(peak_kb / 1024, usage.ru_maxrss / 1024),
            max_rss_mb=usage.ru_maxrss / 1024, cpu_seconds=usage.ru_utime + usage.ru_stime, result=result,
            stderr=err_file.read_text(errors="replace")[-2000:], timed_out=timed_out,
        )


def time_command(cmd: list[str], runs: int, env: dict | None = None) -> list[float]:
    """Wall seconds of ``runs`` fresh processes (after one untimed run that fills the OS caches)."""
    times = []
    for i in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
        if i:
            times.append(elapsed)
    return times


def interleaved_passes(index_dirs: dict[str, Path], query_file: Path, repeat: int, cap: float | None,
                       env: dict | None = None) -> dict[str, dict]:
    """Each engine's warm latencies (QueryPasses), measured in a process of its own per engine, the
    engines' timed passes alternating (svar, baseline, svar, baseline, …), as the cold processes
    are: a machine slowing down for a while slows every engine alike. The warm-ups run one after
    another before any timed pass."""
    me = str(Path(__file__).resolve())
    running: dict[str, tuple[subprocess.Popen, Path, Path]] = {}

    def expect(name: str, word: str) -> None:
        proc, _, err = running[name]
        assert proc.stdout is not None
        for line in proc.stdout:  # anything else an engine prints is passed over
            if line.strip() == word:
                return
        proc.wait()
        raise RuntimeError(f"{name} queries failed: {err.read_text(errors='replace')[-2000:]}")

    with tempfile.TemporaryDirectory(prefix="svar-bench-q-") as tmp:
        try:
            for name, index_dir in index_dirs.items():
                result, err = Path(tmp) / f"{name}.json", Path(tmp) / f"{name}.err"
                cmd = [sys.executable, me, "_worker", "query-passes", name, str(index_dir), str(query_file),
                       "--result", str(result)] + (["--cap", str(cap)] if cap else [])
                with open(err, "wb") as errors:
                    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                                            text=True, env=env)
                running[name] = (proc, result, err)
                expect(name, "ready")
            for _ in range(repeat):
                for name, (proc, _, _) in running.items():
                    assert proc.stdin is not None
                    proc.stdin.write("pass\n")
                    proc.stdin.flush()
                    expect(name, "done")
            results = {}
            for name, (proc, result, err) in running.items():
                assert proc.stdin is not None
                proc.stdin.close()
                if proc.wait() != 0 or not result.exists():
                    raise RuntimeError(f"{name} queries failed: {err.read_text(errors='replace')[-2000:]}")
                results[name] = json.loads(result.read_text())
            return results
        finally:
            for proc, _, _ in running.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- the workers (each runs in a process of its own) -----------------------------------------------

def _proc_io() -> dict:
    try:
        fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
        return {"write_bytes": int(fields["write_bytes"]), "wchar": int(fields["wchar"])}
    except (OSError, KeyError, ValueError):
        return {}


def worker_svar_build(index_dir: Path, data_dir: Path) -> dict:
    from svar.search.library import rebuild_index

    started = time.perf_counter()
    report = rebuild_index(index_dir, [data_dir])
    return {"seconds": time.perf_counter() - started, "passages": report.passages, "answers": len(report.new),
            "rejected": len(report.rejected)}


def worker_svar_add(index_dir: Path, files: list[Path]) -> dict:
    # What `svar index FILE` runs, through the module it imports (not the search library: the command
    # loads nothing of the search side, and the baseline's add loads nothing of its searcher either).
    from svar.search.updating import update_index

    started = time.perf_counter()
    report = update_index(index_dir, files)
    return {"seconds": time.perf_counter() - started, "passages": report.passages, "new": len(report.new)}


class _SvarEngine:
    def __init__(self, index_dir: Path) -> None:
        from svar.search import open_index

        self._index = open_index(index_dir)

    def search(self, q: Query, snippets: bool) -> int:
        result = self._index.search(q.text, party=q.party, year=q.year, limit=LIMIT, snippets=snippets)
        return result.total

    def passage_count(self) -> int:
        return self._index.stats().passages

    def close(self) -> None:
        self._index.close()


class _BaselineEngine:
    def __init__(self, index_dir: Path) -> None:
        sys.path.insert(0, str(HERE))
        import baseline

        self._searcher = baseline.Searcher(index_dir)

    def search(self, q: Query, snippets: bool) -> int:
        return self._searcher.search(q.text, party=q.party, year=q.year, limit=LIMIT, snippets=snippets)[0]

    def passage_count(self) -> int:
        return self._searcher.passage_count()

    def close(self) -> None:
        self._searcher.close()


class _TantivyEngine(_BaselineEngine):
    def __init__(self, index_dir: Path) -> None:
        sys.path.insert(0, str(HERE))
        import tantivy_engine

        self._searcher = tantivy_engine.Searcher(index_dir)


ENGINE_CLASSES = {"svar": _SvarEngine, "baseline": _BaselineEngine, "tantivy": _TantivyEngine}


class _Capped(Exception):
    """A warm query ran past the cap."""


def _within(cap: float | None, search, *args) -> tuple[bool, object]:
    """(False, what ``search`` returned), or (True, None) if it was still running after ``cap`` seconds:
    a wall-clock alarm interrupts it wherever it is (the baseline's count of all matches, say, which
    Whoosh's TimeLimitCollector does not reach)."""
    if not cap:
        return False, search(*args)

    def expire(signum, frame):
        raise _Capped

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        return False, search(*args)
    except _Capped:
        return True, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class QueryPasses:
    """Warm latencies of one engine: ``warm_up`` runs every query once, untimed; each ``timed_pass``
    then times every query with snippets and without; ``result`` gives per query the median of its
    passes and its number of matching passages.

    A query still running after ``cap`` seconds in the untimed pass (the baseline's filtered queries at
    16x take minutes each) is stopped and not repeated: it counts as taking the cap, its total as
    unknown (None), and it is marked ``capped``."""

    def __init__(self, engine_name: str, index_dir: Path, query_file: Path, cap: float | None = None) -> None:
        self.engine = ENGINE_CLASSES[engine_name](index_dir)
        self.queries = load_queries(query_file)
        self.cap = cap
        self.totals: list[int | None] = []
        self.capped: dict[int, float] = {}
        self.timings: dict[bool, list[list[float]]] = {True: [[] for _ in self.queries],
                                                       False: [[] for _ in self.queries]}

    def warm_up(self) -> None:  # caches, lazily loaded structures, the OS page cache
        clock = time.perf_counter
        for i, q in enumerate(self.queries):
            started = clock()
            stopped, total = _within(self.cap, self.engine.search, q, True)
            self.totals.append(total)
            if stopped:
                self.capped[i] = clock() - started
                continue
            self.engine.search(q, snippets=False)

    def timed_pass(self) -> None:
        clock = time.perf_counter
        for i, q in enumerate(self.queries):
            if i in self.capped:
                continue
            for snippets in (True, False):
                started = clock()
                self.engine.search(q, snippets=snippets)
                self.timings[snippets][i].append(clock() - started)

    def result(self) -> dict:
        passages = self.engine.passage_count()
        self.engine.close()
        capped, timings = self.capped, self.timings
        return {
            "passages": passages,
            "queries": [
                {"kind": q.kind, "text": q.text, "total": self.totals[i], "capped": i in capped,
                 "snippets": capped[i] if i in capped else statistics.median(timings[True][i]),
                 "plain": capped[i] if i in capped else statistics.median(timings[False][i])}
                for i, q in enumerate(self.queries)
            ],
        }


def worker_query_passes(engine_name: str, index_dir: Path, query_file: Path, cap: float | None = None) -> dict:
    """QueryPasses a pass at a time, as the parent asks: after the warm-up this prints "ready", then
    runs a timed pass for each "pass" line on its input and prints "done" after it; at the end of
    its input it returns the result. So the parent can alternate the engines' passes, and a machine
    that slows down for a while slows every engine alike."""
    passes = QueryPasses(engine_name, index_dir, query_file, cap)
    passes.warm_up()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "pass":
            passes.timed_pass()
            print("done", flush=True)
    import resource

    return {**passes.result(), "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="run.py _worker")
    parser.add_argument("task", choices=["svar-build", "svar-add", "query-passes"])
    parser.add_argument("args", nargs="+")
    parser.add_argument("--cap", type=float)
    parser.add_argument("--result", type=Path, required=True)
    a = parser.parse_args(argv)
    if a.task == "svar-build":
        out = worker_svar_build(Path(a.args[0]), Path(a.args[1]))
    elif a.task == "svar-add":
        out = worker_svar_add(Path(a.args[0]), [Path(p) for p in a.args[1:]])
    else:
        out = worker_query_passes(a.args[0], Path(a.args[1]), Path(a.args[2]), a.cap)
    out.update(_proc_io())
    a.result.write_text(json.dumps(out))
    return 0


# -- the run ---------------------------------------------------------------------------------------

@dataclass
class Engine:
    name: str
    build: list[str]  # + index_dir, data_dir
    add: list[str]  # + index_dir, file
    cold_search: list[str]  # + index_dir, query
    cold_help: list[str]


def engines(svar_cmd: list[str]) -> dict[str, Engine]:
    me = [sys.executable, str(Path(__file__).resolve()), "_worker"]
    base = [sys.executable, str(BASELINE)]
    tan = [sys.executable, str(TANTIVY)]
    return {
        "svar": Engine(
            "svar", me + ["svar-build"], me + ["svar-add"],
            svar_cmd + ["search", "--limit", str(LIMIT), "--index"], svar_cmd + ["--help"]),
        "baseline": Engine(
            "baseline", base + ["build"], base + ["add"], base + ["search", "--limit", str(LIMIT)], base + ["--help"]),
        "tantivy": Engine(
            "tantivy", tan + ["build"], tan + ["add"], tan + ["search", "--limit", str(LIMIT)], tan + ["--help"]),
    }


def tantivy_available() -> bool:
    """Whether this Python imports tantivy (tantivy-py, a benchmark-only dependency)."""
    import importlib.util

    return importlib.util.find_spec("tantivy") is not None


# A size is an int K (K copies of the corpus, "K×") or "N answers" (a sample of N documents, make_answers.py
# --docs N); in a report read back from JSON, K is the string "K".

def answer_size(n: int) -> str:
    return f"{n} answers"


def _answers(size) -> int | None:
    """N of an "N answers" size, None for K copies."""
    text = str(size)
    return int(text.split()[0]) if text.endswith(" answers") else None


def size_label(size) -> str:
    n = _answers(size)
    return f"{n:,} answers" if n is not None else f"{size}×"


def size_order(size) -> tuple[int, int]:
    """The answer counts first, smallest first, then the copies of the corpus."""
    n = _answers(size)
    return (0, n) if n is not None else (1, int(size))


def size_slug(size) -> str:
    """The size in the names of its data and index folders."""
    n = _answers(size)
    return f"{n}-answers" if n is not None else f"{size}x"


def parse_counts(text: str | None, option: str) -> list[int]:
    """``1,4,16`` as [1, 4, 16]; an empty string as []."""
    try:
        values = [int(v) for v in (text or "").replace(" ", "").split(",") if v]
    except ValueError:
        raise SystemExit(f"{option}: expected numbers separated by commas, got {text!r}") from None
    if any(v <= 0 for v in values):
        raise SystemExit(f"{option}: every number must be positive, got {text!r}")
    return values


def cold_search_cmd(engine: Engine, index_dir: Path, q: Query) -> list[str]:
    filters = []
    if q.party:
        filters += ["--party", q.party]
    if q.year:
        filters += ["--year", str(q.year)]
    return engine.cold_search + [str(index_dir), q.text] + filters


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def generate(corpus: Path, out: Path, copies: int, docs: int | None) -> tuple[int, float]:
    cmd = [sys.executable, str(corpus / "make_answers.py"), str(out), "--copies", str(copies)]
    if docs:
        cmd += ["--docs", str(docs)]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return sum(1 for _ in out.iterdir()), time.perf_counter() - started


def new_answer(data_dir: Path, out_dir: Path, number: int) -> Path:
    """A new answer for the incremental step: a real one from the data under a diary number not yet used."""
    import re

    files = sorted(data_dir.iterdir())
    for source in files[number % len(files):] + files[:number % len(files)]:
        text, count = re.subn(r"(Dnr\s+[A-ZÅÄÖ]+\s+)\d{4}/\d+", lambda m: f"{m[1]}{NEW_DNR_YEAR}/{NEW_DNR_BASE + number}",
                              source.read_text(encoding="utf-8"), count=1)
        if count:
            break
    else:
        raise RuntimeError(f"{data_dir}: no file with a 'Dnr XX YYYY/NNN' line to renumber")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"new-{number}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def machine() -> dict:
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "mem_gb": mem_gb, "cpu": model, "os": platform.platform()}


def versions() -> dict:
    from importlib import metadata

    found = {}
    for name in ("svar", "whoosh3", "snowballstemmer", "PyStemmer", "rapidfuzz", "click", "numpy", "tantivy"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def svar_source() -> str:
    """Where the svar being measured comes from, with its git commit (and whether it had local edits)."""
    try:
        import svar.search

        root = Path(svar.search.__file__).resolve().parent.parent
    except ImportError:
        return "svar not importable"
    try:
        described = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty"], capture_output=True,
                                   text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        described = ""
    return f"{root}" + (f" at {described}" if described else "")


def compile_svar() -> str:
    """Write bytecode for svar's own modules. An editable install gets it on its first run, unless
    PYTHONDONTWRITEBYTECODE is set (as on this project's machine): then every cold run compiled svar
    from source, some 30-40 ms that no user who may write bytecode waits for after the first search."""
    try:
        import svar.index
        import svar.search
    except ImportError:
        return "svar not importable"
    folders = [str(Path(module.__file__).resolve().parent) for module in (svar.index, svar.search)]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], check=False, stdout=subprocess.DEVNULL)
    return ", ".join(folders)


def find_svar_cmd() -> list[str]:
    beside = Path(sys.executable).with_name("svar")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("svar")
    if found:
        return [found]
    return [sys.executable, "-m", "svar.search.cli"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_worker"]:
        return worker_main(argv[1:])
    parser = argparse.ArgumentParser(description="svar's speed benchmark, side by side with stock Whoosh.")
    parser.add_argument("--sizes", help="corpus sizes as copies of the corpus, e.g. 1,4,16 (default 1,4,16, none "
                        "with --docs; quick: 1,2); '' for none")
    parser.add_argument("--docs", help="sizes as numbers of answers, e.g. 300,3000: each a sample of N corpus "
                        "documents (make_answers.py --docs N), measured before the --sizes")
    parser.add_argument("--sample", type=int, help="render the --sizes from a sample of N corpus documents instead "
                        "of all (what --docs N meant before --docs took a list of sizes)")
    parser.add_argument("--quick", action="store_true", help=f"a {QUICK_DOCS}-document sample, fewer repeats: < 2 min")
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("SVAR_BENCH_CORPUS", DEFAULT_CORPUS)),
                        help="folder with make_answers.py (default: ../shared/corpus beside the repository)")
    parser.add_argument("--workdir", type=Path, help="where data and indexes go (default: a new temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the data and indexes")
    parser.add_argument("--repeat", type=int, help="timed passes over the query set (default 3; quick 1)")
    parser.add_argument("--cold-runs", type=int, help="fresh processes per cold measurement, one query each for "
                        "`search` (default 10; quick 3)")
    parser.add_argument("--adds", type=int, help="new answers added one by one to the largest index (default 5)")
    parser.add_argument("--build-timeout", type=float, help="give up a build after this many seconds")
    parser.add_argument("--no-baseline", action="store_true", help="measure svar without stock Whoosh")
    parser.add_argument("--no-tantivy", action="store_true", help="leave tantivy out even where it is installed")
    parser.add_argument("--query-cap", type=float, default=QUERY_CAP,
                        help=f"stop a warm query after this many seconds (default {QUERY_CAP:g}; 0: never)")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--svar", help="the svar command to time cold (default: the one beside this Python)")
    parser.add_argument("--output", type=Path, help="also write the Markdown report to this file "
                        "(after each engine at each size: a stopped run keeps what it measured)")
    parser.add_argument("--json", type=Path, help="also write all measurements as JSON (as --output)")
    parser.add_argument("--note", help="a line for the report, e.g. which svar commit a snapshot is")
    a = parser.parse_args(argv)

    answer_counts = parse_counts(a.docs, "--docs")
    if a.sizes is not None:
        copies = parse_counts(a.sizes, "--sizes")
    else:
        copies = [] if answer_counts else parse_counts("1,2" if a.quick else "1,4,16", "--sizes")
    sizes: list = [answer_size(n) for n in sorted(set(answer_counts))] + copies
    if not sizes:
        parser.error("nothing to measure: give --docs or --sizes")
    docs = a.sample or (QUICK_DOCS if a.quick else None)  # the sample the --sizes are rendered from
    repeat = a.repeat or (1 if a.quick else 3)
    cold_runs = a.cold_runs or (3 if a.quick else 10)
    adds = a.adds or (2 if a.quick else 5)
    queries = load_queries(a.queries)
    svar_cmd = a.svar.split() if a.svar else find_svar_cmd()
    all_engines = engines(svar_cmd)
    names = ["svar"] + ([] if a.no_baseline else ["baseline"])
    if not a.no_tantivy:
        if tantivy_available():
            names.append("tantivy")
        else:
            log("tantivy is not installed here (pip install tantivy): measuring without it")
    env = dict(os.environ, NO_COLOR="1")
    env.pop("SVAR_INDEX", None)
    if not (a.corpus / "make_answers.py").exists():
        parser.error(f"no make_answers.py in {a.corpus}: pass --corpus")

    workdir = a.workdir or Path(tempfile.mkdtemp(prefix="svar-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    free_gb = shutil.disk_usage(workdir).free / 1e9
    # Per 1x: ~0.07 GB of files, ~0.5 GB of svar index, ~0.3 GB baseline, with room for merges.
    need_gb = (sum(copies) * (docs or 15557) + sum(answer_counts)) / 15557 * 1.5
    log(f"workdir {workdir} ({free_gb:.0f} GB free, about {need_gb:.1f} GB needed)")
    if need_gb > free_gb:
        parser.error(f"{workdir} has {free_gb:.1f} GB free; these sizes need about {need_gb:.1f} GB")

    compiled = compile_svar()
    log(f"byte-compiled svar's modules ({compiled}) so cold runs load them as any install does after its first run")
    command = "python benchmarks/run.py " + " ".join(argv)
    report: dict = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "command": command.strip(),
                    "machine": machine(), "python": platform.python_version(), "versions": versions(),
                    "svar_source": svar_source(), "note": a.note, "docs": docs, "sizes": {}, "queries": len(queries),
                    "query_kinds": {k: sum(q.kind == k for q in queries) for k in KINDS}, "engines": names,
                    "query_cap": a.query_cap or None}
    cold_queries = [q for q in queries if q.kind in ("word", "question", "phrase", "filtered")][::7][:cold_runs]
    report["cold_queries"] = len(cold_queries)

    def checkpoint() -> None:
        # A long run (16x with the baseline takes hours) keeps what it has measured if it is stopped.
        if a.output:
            a.output.write_text(render(report) + "\n", encoding="utf-8")
        if a.json:
            a.json.write_text(json.dumps(report, indent=1, default=str))

    try:
        for size in sizes:
            label, slug, n_answers = size_label(size), size_slug(size), _answers(size)
            data = workdir / f"data-{slug}"
            if not data.exists() or not any(data.iterdir()):
                if n_answers is not None:
                    log(f"{label}: generating answer files (make_answers.py --docs {n_answers})")
                    files, seconds = generate(a.corpus, data, 1, n_answers)
                else:
                    log(f"{label}: generating answer files (make_answers.py --copies {size}"
                        f"{f' --docs {docs}' if docs else ''})")
                    files, seconds = generate(a.corpus, data, size, docs)
                log(f"{label}: {files} files in {seconds:.0f} s")
            entry: dict = {"files": sum(1 for _ in data.iterdir()), "data_bytes": dir_bytes(data)}
            report["sizes"][size] = entry
            built = []
            for name in names:
                engine = all_engines[name]
                index_dir = workdir / f"{name}-{slug}"
                shutil.rmtree(index_dir, ignore_errors=True)
                log(f"{label} {name}: full build")
                m = run_measured(engine.build + [str(index_dir), str(data)], timeout=a.build_timeout, env=env)
                result = {"wall": m.wall, "peak_rss_mb": m.peak_rss_mb, "max_rss_mb": m.max_rss_mb,
                          "cpu_seconds": m.cpu_seconds, **m.result}
                entry[name] = {"build": result}
                if m.timed_out or m.returncode != 0:
                    result["failed"] = "timed out" if m.timed_out else f"exit {m.returncode}: {m.stderr[-300:]}"
                    log(f"{label} {name}: build {result['failed']}")
                    continue
                result["index_bytes"] = dir_bytes(index_dir)
                log(f"{label} {name}: {result['passages']} passages in {result['seconds']:.1f} s "
                    f"({result['passages'] / result['seconds']:.0f}/s), peak RSS {m.peak_rss_mb:.0f} MB, "
                    f"CPU {m.cpu_seconds / m.wall:.2f} cores")
                built.append(name)
                checkpoint()
            log(f"{label}: warm queries ({len(queries)} queries, {repeat} passes), engines' passes alternating: "
                f"{', '.join(built)}")
            warm = interleaved_passes({name: workdir / f"{name}-{slug}" for name in built}, a.queries, repeat,
                                      a.query_cap, env)
            for name, result in warm.items():
                entry[name]["queries"] = result["queries"]
                entry[name]["query_rss_mb"] = result.get("max_rss_mb")
            checkpoint()
            # Cold processes of the engines interleaved (query by query), so that a machine slowing down
            # mid-run slows every engine alike; svar's bytecode written again first, in case its source
            # changed since the run began (without it every cold process would compile those modules).
            compile_svar()
            log(f"{label}: cold search ({len(cold_queries)} queries) and --help ({cold_runs} processes), "
                f"engines interleaved: {', '.join(built)}")
            for name in built:
                entry[name]["cold_search"], entry[name]["cold_help"] = [], []
            for q in cold_queries:
                for name in built:
                    index_dir = workdir / f"{name}-{slug}"
                    entry[name]["cold_search"] += time_command(cold_search_cmd(all_engines[name], index_dir, q), 1, env)
            for _ in range(cold_runs):
                for name in built:
                    entry[name]["cold_help"] += time_command(all_engines[name].cold_help, 1, env)
            checkpoint()
        largest = max((s for s in sizes if all("passages" in report["sizes"][s].get(n, {}).get("build", {})
                                                 for n in names)), key=size_order, default=None)
        if largest is not None:
            report["incremental_size"] = largest
            slug = size_slug(largest)
            runs: dict[str, list] = {name: [] for name in names}
            for i in range(adds):  # the engines interleaved, each the same new answer
                path = new_answer(workdir / f"data-{slug}", workdir / "new", i)
                for name in names:
                    engine = all_engines[name]
                    index_dir = workdir / f"{name}-{slug}"
                    before = dir_bytes(index_dir)
                    m = run_measured(engine.add + [str(index_dir), str(path)], env=env)
                    if m.returncode != 0:
                        raise RuntimeError(f"{name} add failed: {m.stderr}")
                    runs[name].append({"wall": m.wall, "seconds": m.result.get("seconds"),
                                       "wchar": m.result.get("wchar"), "write_bytes": m.result.get("write_bytes"),
                                       "passages": m.result.get("passages"), "growth": dir_bytes(index_dir) - before,
                                       "peak_rss_mb": m.peak_rss_mb})
                    log(f"{size_label(largest)} {name}: add #{i + 1}: {m.wall:.2f} s, "
                        f"{(runs[name][-1]['wchar'] or 0) / 1e6:.1f} MB written")
            for name in names:
                report["sizes"][largest][name]["incremental"] = runs[name]
            checkpoint()
    finally:
        if not a.keep and a.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    text = render(report)
    print(text)
    if a.output:
        a.output.write_text(text + "\n", encoding="utf-8")
    if a.json:
        a.json.write_text(json.dumps(report, indent=1, default=str))
    return 0


# -- the report ----------------------------------------------------------------------------------

def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.2f}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "–"


def _num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def summary(entry: dict) -> dict:
    """The figures of one engine at one size, as numbers (None when not measured)."""
    build = entry.get("build", {})
    ok = "passages" in build
    out: dict = {
        "passages_per_s": build["passages"] / build["seconds"] if ok else None,
        "build_s": build.get("seconds") if ok else None,
        "build_wall": build.get("wall") if ok else None,
        "cores": build["cpu_seconds"] / build["wall"] if ok and build.get("wall") else None,
        "rss_mb": build.get("peak_rss_mb") if ok else None,
        "disk_mb": build["index_bytes"] / 1e6 if ok else None,
    }
    qs = entry.get("queries")
    for mode in ("snippets", "plain"):
        values = [q[mode] for q in qs] if qs else None
        out[f"{mode}_p50"] = statistics.median(values) if values else None
        out[f"{mode}_p95"] = percentile(values, 95) if values else None
    out["cold_search"] = statistics.median(entry["cold_search"]) if entry.get("cold_search") else None
    out["cold_help"] = statistics.median(entry["cold_help"]) if entry.get("cold_help") else None
    adds = entry.get("incremental")
    out["add_s"] = statistics.median(r["wall"] for r in adds) if adds else None
    out["add_max_s"] = max(r["wall"] for r in adds) if adds else None
    out["add_mb"] = statistics.median(r["wchar"] for r in adds) / 1e6 if adds else None
    return out


ROWS = [
    # (label, key, formatter, higher is better)
    ("build: passages/s", "passages_per_s", lambda v: _num(v), True),
    ("build: seconds", "build_s", lambda v: _num(v, 1), False),
    ("build: wall seconds of the process (start and imports too)", "build_wall", lambda v: _num(v, 1), False),
    ("build: CPU cores used (CPU s / wall s)", "cores", lambda v: f"{v:.2f}", True),
    ("build: peak RSS, MB", "rss_mb", lambda v: _num(v), False),
    ("index size on disk, MB", "disk_mb", lambda v: _num(v, 1), False),
    ("warm query + snippets, top 10: p50 ms", "snippets_p50", _ms, False),
    ("warm query + snippets, top 10: p95 ms", "snippets_p95", _ms, False),
    ("warm query, no snippets: p50 ms", "plain_p50", _ms, False),
    ("warm query, no snippets: p95 ms", "plain_p95", _ms, False),
    ("cold `search` (new process), median ms", "cold_search", _ms, False),
    ("cold `--help`, median ms", "cold_help", _ms, False),
    ("one new answer (new process), median s", "add_s", lambda v: f"{v:.2f}", False),
    ("one new answer, slowest of the adds, s", "add_max_s", lambda v: f"{v:.2f}", False),
    ("one new answer, MB written (median)", "add_mb", lambda v: f"{v:.1f}", False),
]

TARGETS = [  # issue 6, at the largest size: (label, key, check of svar's figure, check against the baseline's)
    ("warm query + snippets p50 ≤ 10 ms", "snippets_p50", lambda s: s <= 0.010, None),
    ("warm query + snippets p95 ≤ 50 ms", "snippets_p95", lambda s: s <= 0.050, None),
    ("cold `svar search` ≤ 300 ms", "cold_search", lambda s: s <= 0.300, None),
    ("build ≥ 1,000 passages/s", "passages_per_s", lambda s: s >= 1000, None),
    ("build peak RSS ≤ 1 GB", "rss_mb", lambda s: s <= 1024, None),
    ("one new answer ≤ 1.5 s", "add_s", lambda s: s <= 1.5, None),
    ("build wall time ≤ 1.0× baseline", "build_s", None, lambda s, b: s <= 1.0 * b),
    ("cold search ≤ 1.2× baseline", "cold_search", None, lambda s, b: s <= 1.2 * b),
]


TARGETS_27 = [  # issue 27, at every size given as a number of answers: (label, key, check against the baseline's)
    ("build wall time (process) ≤ 1.0× baseline", "build_wall", lambda s, b: s <= 1.0 * b),
    ("cold search ≤ 1.2× baseline", "cold_search", lambda s, b: s <= 1.2 * b),
    ("warm query + snippets p50 ≤ 1.0× baseline", "snippets_p50", lambda s, b: s <= 1.0 * b),
]


def render(report: dict) -> str:
    m = report["machine"]
    v = report["versions"]
    sizes = sorted(report["sizes"], key=size_order)
    names = report["engines"]
    base = "baseline" in names
    others = [n for n in names if n not in ("svar", "baseline")]  # tantivy: its figures, no ratio
    copies = [s for s in sizes if _answers(s) is None]
    samples = [s for s in sizes if _answers(s) is not None]

    def files(s) -> str:
        return f"{size_label(s)} = {report['sizes'][s]['files']:,} files ({report['sizes'][s]['data_bytes'] / 1e6:,.1f} MB)"

    data = []
    if samples:
        data.append("size N answers = `--docs N`, a sample of N documents (the script's fixed seed): "
                    + "; ".join(files(s) for s in samples))
    if copies:
        data.append((f"a {report['docs']}-document sample, " if report.get("docs") else "")
                    + "size K× = `--copies K`, every document K times under new diary numbers: "
                    + "; ".join(files(s) for s in copies))
    cold = (f"cold `search` = the median over {report['cold_queries']} queries, one new process each, "
            if report.get("cold_queries") else "cold = ")
    lines = [
        f"### svar benchmark, {report['date'][:10]}",
        "",
        f"- command: `{report['command']}`",
        f"- machine: {m['cores']} cores ({m['cpu']}), {m['mem_gb']:.1f} GB RAM, {m['os']}",
        f"- Python {report['python']}; " + ", ".join(f"{k} {val}" for k, val in v.items() if val)
        + ("" if v.get("PyStemmer") else " (no PyStemmer: the pure-Python stemmer)"),
        f"- svar from {report['svar_source']}" + (f"; {report['note']}" if report.get("note") else ""),
        "- data: the Riksdag interpellations in shared/corpus rendered as answer files by `make_answers.py`; "
        + "; ".join(data),
        f"- queries: {report['queries']} from benchmarks/queries.txt ("
        + ", ".join(f"{n} {k}" for k, n in report["query_kinds"].items()) + "), run through the library, "
        + "top 10; the engines' timed passes alternating, per query the median of its passes, then p50/p95 over the queries",
        "- baseline: stock Whoosh, `LanguageAnalyzer(\"sv\")` on one field holding the same passages (from svar's "
        "loader), words OR-ed, stock highlighter (benchmarks/baseline.py); cold = `python benchmarks/baseline.py search`",
    ]
    if "tantivy" in names:
        lines.append("- tantivy: tantivy-py on one field holding the same passages, simple tokenizer, lowercase, "
                     "Swedish stop words and Swedish Snowball stemmer, words OR-ed, stock snippet generator "
                     "(benchmarks/tantivy_engine.py); cold = `python benchmarks/tantivy_engine.py search`")
    lines.append(
        "- build = a new process indexing every file (parsing included); peak RSS summed over its processes; "
        + cold + "end to end with warm OS caches and svar's modules byte-compiled, the engines' processes "
        "interleaved; one new answer = a new process adding one file")
    passages = {s: (report["sizes"][s].get("svar", {}).get("build", {}).get("passages")) for s in sizes}
    lines.append("- passages: " + "; ".join(f"{size_label(s)} = {passages[s]:,}" if passages[s]
                                            else f"{size_label(s)} = –" for s in sizes))
    failed = [(s, n, report["sizes"][s][n]["build"]["failed"]) for s in sizes for n in names
              if "failed" in report["sizes"][s].get(n, {}).get("build", {})]
    for s, n, why in failed:
        lines.append(f"- **{size_label(s)} {n}: build {why}; no figures at that size**")
    for s in sizes:
        for n in names:
            capped = [q for q in report["sizes"][s].get(n, {}).get("queries", []) if q.get("capped")]
            if capped:
                kinds = ", ".join(f"{sum(q['kind'] == k for q in capped)} {k}" for k in KINDS
                                  if any(q["kind"] == k for q in capped))
                lines.append(f"- {size_label(s)} {n}: {len(capped)} warm queries ({kinds}) were stopped at the "
                             f"{report.get('query_cap'):g} s cap and count as taking it, so its p95 there is a lower bound")
    lines += ["", "| measure | size | svar | " + ("baseline | svar/baseline |" if base else "")
              + "".join(f" {n} |" for n in others),
              "|---|---|---|" + ("---|---|" if base else "") + "---|" * len(others)]
    sums = {s: {n: summary(report["sizes"][s].get(n, {})) for n in names} for s in sizes}
    for label, key, fmt, _ in ROWS:
        for s in sizes:
            values = {n: sums[s][n][key] for n in names}
            if all(value is None for value in values.values()):
                continue
            cells = [label, size_label(s)]
            for n in ["svar"] + (["baseline"] if base else []) + others:
                cells.append(fmt(values[n]) if values[n] is not None else "–")
                if n == "baseline":
                    cells.append(_ratio(values["svar"], values["baseline"]))
            lines.append("| " + " | ".join(cells) + " |")
    with_kinds = [s for s in sizes if sums[s]["svar"]["snippets_p50"] is not None]
    largest = max(with_kinds, key=size_order, default=None)
    if largest is not None:
        lines += ["", f"Warm latency by kind of query at {size_label(largest)} (p50 / p95 ms, with snippets):", "",
                  "| kind | queries | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
        for kind in KINDS:
            cells = []
            for n in names:
                qs = [q["snippets"] for q in report["sizes"][largest].get(n, {}).get("queries", []) if q["kind"] == kind]
                cells.append(f"{_ms(statistics.median(qs))} / {_ms(percentile(qs, 95))}" if qs else "–")
            count = report["query_kinds"].get(kind, 0)
            if count:
                lines.append(f"| {kind} | {count} | " + " | ".join(cells) + " |")
    top = max((s for s in with_kinds if _answers(s) is None), key=size_order, default=None)
    if top is not None:
        lines += ["", f"Targets of issue 6, checked at {size_label(top)} (they are set for 16×):", ""]
        for label, key, check, against in TARGETS:
            s_value = sums[top]["svar"][key]
            if key in ("add_s",):
                s_value = sums.get(report.get("incremental_size", top), sums[top])["svar"].get(key)
            b_value = sums[top]["baseline"][key] if base else None
            if s_value is None or (against is not None and b_value is None):
                lines.append(f"- {label}: not measured")
                continue
            verdict = "met" if (check(s_value) if against is None else against(s_value, b_value)) else "**not met**"
            lines.append(f"- {label}: {verdict}")
    small = [s for s in with_kinds if _answers(s) is not None]
    if small and base:
        lines += ["", "Targets of issue 27 at the sizes users have (svar / baseline):", ""]
        for s in small:
            verdicts = []
            for label, key, against in TARGETS_27:
                s_value, b_value = sums[s]["svar"][key], sums[s]["baseline"][key]
                if s_value is None or b_value is None:
                    verdicts.append(f"{label}: not measured")
                else:
                    verdicts.append(f"{label}: {'met' if against(s_value, b_value) else '**not met**'} "
                                    f"({_ratio(s_value, b_value)})")
            lines.append(f"- {size_label(s)}: " + "; ".join(verdicts))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
