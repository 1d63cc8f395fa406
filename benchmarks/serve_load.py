"""`svar serve` under load: concurrent clients searching over HTTP for a fixed time.

    .venv/bin/python benchmarks/serve_load.py [--index DIR] [--clients 8] [--seconds 30] [--threads 8]

Without --index it renders --answers (1,000) answer files from the Riksdag corpus
(../shared/corpus/make_answers.py, the seed tests/corpus.py uses) and indexes them into a temporary
folder. It starts `svar serve --port 0` on the index in a subprocess (access log on, to a file),
warms it up, then runs --clients threads for --seconds, each on its own keep-alive connection, each
asking the queries of benchmarks/queries.txt in its own shuffled order as the web page's URLs (the
page's filters, facets and snippets, as a reader's browser would ask them). Prints requests per
second, latency p50 / p95 / p99 (ms, nearest rank, over every request), the failed requests (any
status but 200, or no answer), and the server's CPU use; --json prints the same as one object.

The clients share the machine with the server: on two cores their own CPU counts against it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import DEFAULT_CORPUS, QUERIES, load_queries, percentile  # noqa: E402

SEED = 7  # tests/corpus.py's: the same 1,000 answers as the tests' first deliveries
_STARTED = re.compile(r"^svar: serving .* at http://([^/]+)/ ")


@dataclass
class ClientResult:
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def build_index(corpus: Path, answers: int, folder: Path) -> Path:
    from svar.search.library import update_index

    files_dir = folder / "files"
    subprocess.run([sys.executable, str(corpus / "make_answers.py"), str(files_dir), "--docs", str(answers),
                    "--seed", str(SEED)], check=True, stdout=subprocess.DEVNULL)
    index_dir = folder / "index"
    report = update_index(index_dir, [files_dir])
    if report.rejected:
        raise SystemExit(f"serve_load: {len(report.rejected)} answer files rejected, e.g. {report.rejected[0]}")
    return index_dir


def page_urls() -> list[str]:
    """The web page's URL for each benchmark query, as its search form leads to it."""
    from svar.search.webstate import SearchState

    urls = []
    for query in load_queries(QUERIES):
        args = {"q": query.text}
        if query.party:
            args["party"] = query.party
        if query.year:
            args["year"] = str(query.year)
        urls.append("/?" + urlencode(SearchState.from_args(args).params()))
    return urls


class Served:
    """`svar serve` on the index in a subprocess, its stderr (the access log) going to a file."""

    def __init__(self, index_dir: Path, threads: int, log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "svar.search", "serve", "--index", str(index_dir), "--port", "0",
             "--threads", str(threads)],
            stdout=subprocess.DEVNULL, stderr=self._log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            first = log_path.read_text(encoding="utf-8").partition("\n")
            if first[1]:
                match = _STARTED.match(first[0])
                if not match:
                    break
                self.address = match[1]
                return
            time.sleep(0.05)
        self.stop()
        raise SystemExit(f"serve_load: svar serve did not start: {log_path.read_text(encoding='utf-8')}")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> tuple[int | None, str]:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
        return self.process.returncode, self.log_path.read_text(encoding="utf-8")


def client(address: str, urls: list[str], stop_at: float, seed: int, result: ClientResult) -> None:
    """Ask the URLs in a shuffled order, again and again, until ``stop_at``, over one connection
    (opened again after a failure); a redirect is followed, its time counted in the request's."""
    order = list(urls)
    random.Random(seed).shuffle(order)
    host, _, port = address.rpartition(":")
    connection: http.client.HTTPConnection | None = None
    number = 0
    while time.monotonic() < stop_at:
        url = order[number % len(order)]
        number += 1
        started = time.perf_counter()
        try:
            for _hop in range(2):
                if connection is None:
                    connection = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=30)
                connection.request("GET", url)
                response = connection.getresponse()
                response.read()
                if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                    url = urlsplit(response.getheader("Location"))._replace(scheme="", netloc="").geturl()
                    continue
                break
            if response.status != 200:
                result.failures.append(f"{response.status} {url}")
        except (OSError, http.client.HTTPException) as exc:
            result.failures.append(f"{type(exc).__name__}: {exc} {url}")
            if connection is not None:
                connection.close()
            connection = None
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
    if connection is not None:
        connection.close()


def run_clients(address: str, urls: list[str], clients: int, seconds: float,
                seed: int) -> tuple[list[ClientResult], float]:
    results = [ClientResult() for _ in range(clients)]
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(address, urls, stop_at, seed + i, results[i]))
               for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an existing index (default: build one from the corpus)")
    parser.add_argument("--answers", type=int, default=1000, help="answers in the index built without --index")
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("SVAR_CORPUS") or DEFAULT_CORPUS),
                        help="folder with make_answers.py (default: ../shared/corpus)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--threads", type=int, default=8, help="svar serve --threads")
    parser.add_argument("--seed", type=int, default=1, help="the clients' query orders")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="svar-serve-load-") as tmp:
        if args.index is None:
            if not (args.corpus / "make_answers.py").is_file():
                parser.error(f"no make_answers.py in {args.corpus}: pass --corpus or --index")
            print(f"building an index of {args.answers} answers from {args.corpus} …", file=sys.stderr)
            index_dir = build_index(args.corpus, args.answers, Path(tmp))
        else:
            index_dir = args.index
        urls = page_urls()
        served = Served(index_dir, args.threads, Path(tmp) / "serve.log")
        try:
            run_clients(served.address, urls, args.clients, args.warmup, args.seed + 1000)
            time.sleep(0.5)  # the last warm-up lines are written just after their responses
            logged_before = _log_lines(served.log_path)
            cpu_before = served.cpu_seconds()
            results, elapsed = run_clients(served.address, urls, args.clients, args.seconds, args.seed)
            cpu = served.cpu_seconds() - cpu_before
            time.sleep(0.5)
            logged = _log_lines(served.log_path) - logged_before
        finally:
            status, log = served.stop()
    latencies = [ms for r in results for ms in r.latencies_ms]
    failures = [f for r in results for f in r.failures]
    report = {
        "index": str(index_dir) if args.index else f"{args.answers} answers (built)",
        "clients": args.clients, "threads": args.threads, "seconds": round(elapsed, 1),
        "requests": len(latencies), "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies), 1),
        "failed": len(failures), "failures": failures[:5],
        "server_cpu_cores": round(cpu / elapsed, 2), "access_log_lines": logged,
        "stopped": {"exit_status": status, "said": "svar: stopped serving" in log.splitlines()[-1:]},
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    clients = f"{args.clients} client" + ("s" if args.clients != 1 else "")
    print(f"{report['requests']} requests in {report['seconds']} s from {clients} "
          f"({args.threads} server threads, {os.cpu_count()} CPUs): {report['requests_per_s']} requests/s")
    print(f"latency ms: p50 {report['p50_ms']} · p95 {report['p95_ms']} · p99 {report['p99_ms']} · "
          f"max {report['max_ms']}")
    print(f"failed: {report['failed']}" + "".join(f"\n  {f}" for f in report["failures"]))
    print(f"server CPU: {report['server_cpu_cores']} cores; access log lines: {logged}; "
          f"stopped on SIGTERM with exit status {status}")


def _log_lines(path: Path) -> int:
    """The access-log lines in the server's stderr so far (every line after the first, but tracebacks')."""
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.endswith("ms") and '" ' in line)


if __name__ == "__main__":
    main()
