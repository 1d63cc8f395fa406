"""`svar serve` on waitress: startup, /healthz, the access log, a graceful stop on SIGTERM and Ctrl-C,
and answers indexed or rebuilt while it runs, each through a real `svar serve` subprocess (the drain
itself through svar.search.server, with an app slow enough to be caught running)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from svar.index import store
from svar.index.errors import IndexMissingError
from svar.search import open_index
from svar.search.cli import main
from svar.search.library import rebuild_index, update_index
from svar.search.server import make_server

NEW_ANSWER = """Svar på interpellation av Eva Exempel (V) till trafikborgarrådet Ola Test (S) om lånecyklar
Dnr KS 2024/901

Eva Exempel (V) har frågat mig om lånecyklarna i ytterstaden.

1. När kommer lånecyklarna till Skärholmen?

Lånecyklarna kommer till Skärholmen nästa vår.

Stockholm den 3 maj 2024

Ola Test
"""
SEED_ANSWER = "/answer/KS%202020/1079"  # the seed answer 004
NEW = "/answer/KS%202024/901"
# The access log: the Common Log Format with the duration appended.
LOG_LINE = re.compile(r'^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] '
                      r'"(?P<method>[A-Z]+) (?P<target>\S+) HTTP/1\.1" (?P<status>\d{3}) (?P<bytes>\d+) '
                      r'(?P<ms>\d+\.\d)ms$')


class Served:
    """`python -m svar.search serve --port 0 …` in a subprocess; its stderr is read all along."""

    def __init__(self, index_dir: Path, *options: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "svar.search", "serve", "--port", "0", "--index", str(index_dir), *options],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, "LANGUAGE": "en"})
        assert self.process.stderr is not None
        first = self.process.stderr.readline()
        match = re.fullmatch(r"svar: serving (.*) at (http://127\.0\.0\.1:(\d+))/ \(Ctrl-C stops\)\n", first)
        if not match:
            self.process.kill()
            raise AssertionError(f"svar serve did not start: {first}{self.process.stderr.read()}")
        assert match[1] == str(index_dir)
        self.url, self.port = match[2], int(match[3])
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.process.stderr), daemon=True)
        self._reader.start()

    def get(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and body of a GET (an error status is returned, not raised)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    def logged(self, *targets: str) -> list[str]:
        """The access-log lines of requests for these targets, in the log's order (a line is written
        once its response has been sent, so it may come a moment after the client has read it)."""
        deadline = time.monotonic() + 5
        while True:
            lines = [line for line in self.log() if LOG_LINE.match(line)["target"] in targets]  # type: ignore[index]
            if len(lines) >= len(targets) or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)

    def log(self) -> list[str]:
        return [line.rstrip("\n") for line in list(self.lines) if LOG_LINE.match(line.rstrip("\n"))]

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        status = self.process.wait(timeout=15)
        self._reader.join(timeout=5)
        return status


@pytest.fixture
def index_copy(seed_index_dir, tmp_path) -> Path:
    """A copy of the seed index that a test may change."""
    return Path(shutil.copytree(seed_index_dir, tmp_path / "index"))


@pytest.fixture(scope="module")
def served(seed_index_dir):
    running = Served(seed_index_dir)
    yield running
    assert running.stop() == 0
    assert not [line for line in running.lines if "Traceback" in line], "".join(running.lines)


def test_healthz_says_ok_in_plain_text(served):
    assert served.get("/healthz") == (200, "text/plain; charset=utf-8", b"ok\n")


def test_each_request_is_one_access_log_line_with_its_status_size_and_duration(served):
    status, _, body = served.get("/?q=fyra%20bes%C3%B6k")
    assert status == 200
    assert served.get("/answer/KS%202099/1")[0] == 404
    assert served.get("/?q=barn&party=")[0] == 200  # redirected to /?q=barn: two requests
    lines = served.logged("/?q=fyra%20bes%C3%B6k", "/answer/KS%202099/1", "/?q=barn&party=", "/?q=barn")
    # A line is written as its response ends, so lines of requests close in time may swap places.
    fields = {LOG_LINE.match(line).group("target", "method", "status") for line in lines}  # type: ignore[union-attr]
    assert len(lines) == 4
    assert fields == {("/?q=fyra%20bes%C3%B6k", "GET", "200"), ("/answer/KS%202099/1", "GET", "404"),
                      ("/?q=barn&party=", "GET", "302"), ("/?q=barn", "GET", "200")}
    first = LOG_LINE.match(next(line for line in lines if "/?q=fyra" in line))
    assert first is not None and int(first["bytes"]) == len(body) and float(first["ms"]) > 0


def test_answers_indexed_while_it_runs_are_found_at_the_next_request(index_copy, tmp_path):
    new_file = tmp_path / "files" / "lanecyklar.txt"
    new_file.parent.mkdir()
    new_file.write_text(NEW_ANSWER, encoding="utf-8")
    running = Served(index_copy)
    try:
        assert running.get(NEW)[0] == 404
        # `svar index PATH`: a commit inside the live generation.
        assert update_index(index_copy, [new_file]).new == ["KS 2024/901"]
        assert running.get(NEW)[0] == 200
        assert running.get(SEED_ANSWER)[0] == 200
        status, _, body = running.get("/?q=l%C3%A5necyklar")
        assert status == 200 and b"KS 2024/901" in body
        # `svar index --rebuild PATH`: a new generation swapped in, holding the new answer alone.
        generation = store.live_generation(index_copy)
        assert rebuild_index(index_copy, [new_file]).new == ["KS 2024/901"]
        assert store.live_generation(index_copy) != generation
        assert running.get(SEED_ANSWER)[0] == 404
        assert running.get(NEW)[0] == 200
        assert running.get("/healthz")[0] == 200
    finally:
        assert running.stop() == 0


def test_healthz_says_why_the_index_cannot_be_searched_and_recovers_with_it(index_copy, tmp_path):
    running = Served(index_copy)
    try:
        assert running.get("/healthz") == (200, "text/plain; charset=utf-8", b"ok\n")
        # Damage another process found and recorded in the live generation.
        damage = f"index at {index_copy} is damaged (test): rebuild it"
        live = store.live_generation(index_copy)
        assert live is not None
        (live.path / store.DAMAGE_FILE).write_text(json.dumps({"message": damage}), encoding="utf-8")
        assert running.get("/healthz") == (503, "text/plain; charset=utf-8", f"{damage}\n".encode())
        assert running.get("/?q=barn")[0] == 503
        rebuild_index(index_copy, [Path(__file__).resolve().parent.parent / "seeds"])
        assert running.get("/healthz")[0] == 200
        # The folder gone: what opening it says.
        shutil.rmtree(index_copy)
        with pytest.raises(IndexMissingError) as missing:
            open_index(index_copy)
        assert running.get("/healthz") == (503, "text/plain; charset=utf-8", f"{missing.value}\n".encode())
    finally:
        assert running.stop() == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_it_gracefully_with_exit_status_0(seed_index_dir, signum):
    running = Served(seed_index_dir, "--quiet", "--threads", "2")
    assert running.get("/healthz")[0] == 200
    assert running.stop(signum) == 0
    # --quiet: no access log; only the start and the stop.
    assert running.lines == ["svar: stopped serving\n"]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", running.port), timeout=2).close()


def test_a_stop_lets_running_requests_finish_and_closes_idle_connections():
    running = threading.Event()

    def slow(environ, start_response):
        running.set()
        time.sleep(0.5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"finished"]

    server = make_server(slow, "127.0.0.1", 0, threads=2)
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    port = server.server_address[1]
    idle = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    idle.request("GET", "/")
    assert idle.getresponse().read() == b"finished"  # a keep-alive connection, now idle
    running.clear()
    answers: list[bytes] = []
    asking = threading.Thread(target=lambda: answers.append(
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()))
    asking.start()
    assert running.wait(5)
    server.stop()
    serving.join(timeout=5)
    asking.join(timeout=5)
    assert not serving.is_alive()
    assert answers == [b"finished"]
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        idle.request("GET", "/")
        idle.getresponse()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_serve_on_a_host_that_does_not_resolve_says_so(runner, seed_index_dir):
    result = runner.invoke(main, ["serve", "--index", str(seed_index_dir), "--host", "no-such-host.invalid"])
    assert result.exit_code == 1
    assert re.fullmatch(r"svar: cannot listen on no-such-host\.invalid: [^\n]+; check the host name or address\n", result.output)


def test_serve_needs_at_least_one_thread(runner, seed_index_dir):
    result = runner.invoke(main, ["serve", "--index", str(seed_index_dir), "--threads", "0"])
    assert result.exit_code == 2
    assert "--threads" in result.output and result.output.count("\n") == 1
