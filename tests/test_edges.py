"""Files at the edges (issue 24): link loops, FIFOs and devices, a .docx zip
bomb. Each is named once with a one-line reason, never blocks, and the rest is indexed."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

from svar.search import open_index
from svar.search.cli import main
from svar.search.library import watch_index

from generated import answer_text, docx_bytes, write_answers

LOOP = "a loop of symbolic links (it leads back to itself); not followed"


def _dnrs(index_dir: Path) -> list[str]:
    with open_index(index_dir) as answers:
        return sorted(s.dnr for s in answers.documents())


def _old(*paths: Path) -> None:
    for path in paths:  # written long ago: settled at once for a watcher
        os.utime(path, (time.time() - 60, time.time() - 60))


# -- 1. symbolic link loops ------------------------------------------------------------------------

def test_a_symbolic_link_loop_in_a_folder_is_named_once_and_the_rest_is_indexed(runner, tmp_path):
    folder = tmp_path / "in"
    write_answers(folder, [0, 1])
    os.symlink("self", folder / "self")  # ln -s self in/self
    os.symlink("b.txt", folder / "a.txt")  # and a loop of two
    os.symlink("a.txt", folder / "b.txt")
    result = runner.invoke(main, ["index", str(folder), "--index", str(tmp_path / "ix")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.stdout == "2 new, 0 updated, 0 unchanged, 3 rejected (10 passages written)\n"
    assert result.stderr.splitlines() == [
        f"svar: rejected: {folder / 'a.txt'}: {LOOP}",
        f"svar: rejected: {folder / 'b.txt'}: {LOOP}",
        f"svar: rejected: {folder / 'self'}: {LOOP}",
    ]
    assert _dnrs(tmp_path / "ix") == ["KS 2031/0", "KS 2031/1"]


def test_the_watcher_survives_a_link_loop_appearing_and_names_it_once(tmp_path):
    folder, index_dir = tmp_path / "in", tmp_path / "ix"
    _old(*write_answers(folder, [0]))
    rounds: list[int] = []
    reports = []

    def should_stop() -> bool:
        rounds.append(len(rounds) + 1)
        if len(rounds) == 3:  # the loop appears, and an answer beside it
            os.symlink("self", folder / "self")
            _old(*write_answers(folder, [1]))
        return False

    def on_round(result) -> None:
        assert result.error is None, result.error
        reports.append((len(rounds), result.report.new, result.report.rejected))

    watch_index(index_dir, [folder], on_round, interval=0.02, settle=0.02, should_stop=should_stop,
                max_rounds=8)
    assert reports == [
        (2, ["KS 2031/0"], []),
        (4, ["KS 2031/1"], [(str(folder / "self"), f"{folder / 'self'}: {LOOP}")]),
    ]
    assert _dnrs(index_dir) == ["KS 2031/0", "KS 2031/1"]


# -- 2. FIFOs, sockets and devices -----------------------------------------------------------------

def test_a_fifo_or_a_device_is_rejected_without_being_opened_given_or_in_a_folder(runner, tmp_path):
    import socket
    import threading

    folder = tmp_path / "in"
    write_answers(folder, [2])
    os.mkfifo(folder / "pipe.txt")
    os.mkfifo(tmp_path / "x.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.md"))
    outcome = {}

    def run():  # in a thread: before the fix this blocked forever in open() of the FIFO
        outcome["result"] = runner.invoke(main, ["index", str(tmp_path / "x.txt"), str(folder), "/dev/null",
                                                 "--index", str(tmp_path / "ix"), "--wait", "0"])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30)
    blocked = thread.is_alive()
    for fifo in (tmp_path / "x.txt", folder / "pipe.txt"):  # let a blocked reader go on: a writer that leaves
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # no reader waiting
            pass
    thread.join(30)
    server.close()
    assert not blocked, "svar index blocked on a FIFO"
    result = outcome["result"]
    assert result.exit_code == 1
    assert result.stdout == "1 new, 0 updated, 0 unchanged, 4 rejected (9 passages written)\n"
    assert result.stderr.splitlines() == [
        f"svar: rejected: {tmp_path / 'x.txt'}: a named pipe (FIFO), not a regular file; not opened",
        f"svar: rejected: {folder / 'pipe.txt'}: a named pipe (FIFO), not a regular file; not opened",
        f"svar: rejected: {folder / 'sock.md'}: a socket, not a regular file; not opened",
        "svar: rejected: /dev/null: a device, not a regular file; not opened",
    ]
    assert _dnrs(tmp_path / "ix") == ["KS 2031/2"]


# -- 9. a .docx zip bomb ---------------------------------------------------------------------------

def _docx(document: str, extra_parts: int = 0) -> bytes:
    """A .docx holding ``document`` as word/document.xml, and ``extra_parts`` small parts beside it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", document.encode("utf-8"))
        for number in range(extra_parts):
            archive.writestr(f"word/media/part{number}.xml", b"<x/>")
    return buffer.getvalue()


def test_a_docx_that_unpacks_past_the_limit_is_rejected_before_it_is_unpacked(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = docx_bytes(answer_text(3))
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
    # A real answer, then 30 MB of a comment: packed, a few kB.
    end = document.index("</w:body>")
    bomb = _docx(document[:end] + "<!--" + "x" * (30 * 1024 * 1024) + "-->" + document[end:])
    assert len(bomb) < 100_000
    (folder / "bomb.docx").write_bytes(bomb)
    (folder / "parts.docx").write_bytes(_docx(document, extra_parts=1000))
    (folder / "good.docx").write_bytes(good)
    started = time.perf_counter()
    result = runner.invoke(main, ["index", str(folder), "--index", str(tmp_path / "ix")])
    assert time.perf_counter() - started < 20
    assert result.exit_code == 1
    assert result.stdout == "1 new, 0 updated, 0 unchanged, 2 rejected (8 passages written)\n"
    assert result.stderr.splitlines() == [
        f"svar: rejected: {folder / 'bomb.docx'}: the document inside this .docx unpacks to more than 20 MB, "
        "too large for an answer (limit 20 MB)",
        f"svar: rejected: {folder / 'parts.docx'}: a .docx of 1001 parts, too many for an answer (limit 1000)",
    ]
    assert _dnrs(tmp_path / "ix") == ["KS 2031/3"]

