"""Serving a WSGI app in production (`svar serve`): waitress's threads, svar's access log, a graceful stop.

waitress is a pure-Python WSGI server: one thread reads and writes the connections, ``threads`` worker
threads run the app. svar binds the socket itself, so that a taken port or an unknown host is svar's
own one-line error; writes one access-log line per request (``AccessLog``); and stops on request by
closing the listening socket, letting the requests already received finish and be sent, then closing
every connection (``Server.serve_forever``). Nothing here prints: the log goes to the stream the caller
passes, and signals are handled only where the caller asks (``serve_until_signalled``).
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TextIO
from urllib.parse import quote

from waitress import wasyncore
from waitress.server import create_server

from svar.index.errors import SvarError
from svar.index.i18n import _

DEFAULT_THREADS = 8
# How long a stop waits for the requests already received; a search takes milliseconds, so only a
# client that reads its response very slowly can hold a stop this long (systemd waits 90 s by default).
DRAIN_SECONDS = 20.0
# The longest the connection loop sleeps between looks at a stop request (a stop also wakes it at once).
_POLL_SECONDS = 1.0

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0: any free one), or SvarError saying why not."""
    try:
        # Resolved here so that a bad --host gets the resolver's message and IPv6 addresses work.
        family, _type, _proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        return socket.create_server(address, family=family, backlog=1024)
    except socket.gaierror as exc:
        raise SvarError(_("cannot listen on {host}: {reason}; check the host name or address").format(
            host=host, reason=exc.strerror)) from None
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            message = _("cannot listen on {host}:{port}: {reason}; choose another port")
        else:
            message = _("cannot listen on {host}:{port}: {reason}; check the host name or address")
        raise SvarError(message.format(host=host, port=port, reason=reason)) from None


class Server:
    """A WSGI app served by waitress on a bound socket, until ``stop()`` (or ``shutdown()``).

    The same shape as the standard library's servers: ``server_address``, ``serve_forever()``,
    ``shutdown()`` (from another thread) and ``server_close()``.
    """

    def __init__(self, app: WSGIApp, sock: socket.socket, *, threads: int = DEFAULT_THREADS) -> None:
        self.server_address: tuple[str, int] = sock.getsockname()[:2]
        # ident: the Server header names svar, not the server library and its version.
        self._waitress = create_server(app, sockets=[sock], threads=threads, ident="svar",
                                       asyncore_use_poll=True)
        self._map: dict = self._waitress._map
        self._stops = 0  # stop requests so far: the first drains, a second cuts the drain short
        self._serving = False
        self._closed = False
        self._done = threading.Event()

    def serve_forever(self) -> None:
        """Serve until a stop is requested; then stop accepting, let every request already received
        finish and its response be sent (for at most DRAIN_SECONDS), and close every connection."""
        self._serving = True
        self._done.clear()
        try:
            while not self._stops:
                wasyncore.loop(timeout=_POLL_SECONDS, map=self._map, use_poll=True, count=1)
            self._drain()
        finally:
            self.server_close()
            self._serving = False
            self._done.set()

    def stop(self) -> None:
        """Ask ``serve_forever`` to stop, without waiting; safe in a signal handler. A second call
        while it drains closes the connections at once, whatever their requests are doing."""
        self._stops += 1
        if not self._closed:
            try:
                self._waitress.pull_trigger()  # wakes the connection loop from its wait
            except OSError:  # closed meanwhile by serve_forever's end: nothing left to wake
                pass

    def shutdown(self) -> None:
        """Stop and wait until ``serve_forever`` has returned (call it from another thread)."""
        self.stop()
        if self._serving:
            self._done.wait()

    def server_close(self) -> None:
        """Close the listening socket, every connection and the worker threads."""
        if self._closed:
            return
        self._closed = True
        self._waitress.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(self._map, ignore_all=True)

    def _drain(self) -> None:
        # Closing the listening socket refuses new connections at once (a backlog would hold them).
        wasyncore.dispatcher.close(self._waitress)
        deadline = time.monotonic() + DRAIN_SECONDS
        while self._stops < 2 and time.monotonic() < deadline:
            busy = False
            for channel in list(self._waitress.active_channels.values()):
                if channel.requests or channel.total_outbufs_len:
                    busy = True  # a request running or queued, or a response not yet sent
                else:
                    channel.will_close = True  # an idle keep-alive connection: closed, no more requests
            if not busy:
                return
            wasyncore.loop(timeout=0.1, map=self._map, use_poll=True, count=1)


@contextmanager
def stopping_on_signals(server: Server) -> Iterator[None]:
    """Inside the block, SIGTERM and SIGINT (Ctrl-C) ask ``server`` to stop gracefully instead of
    killing or interrupting the process; a second one cuts the drain short. Main thread only."""
    previous = {}

    def request_stop(signum: int, frame: FrameType | None) -> None:
        server.stop()

    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, request_stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def make_server(app: WSGIApp, host: str, port: int, *, threads: int = DEFAULT_THREADS,
                access_log: TextIO | None = None) -> Server:
    """``app`` ready to serve on ``host``:``port`` with ``threads`` worker threads; with ``access_log``,
    one line per request written to it (see AccessLog). SvarError if the address cannot be bound."""
    sock = bind(host, port)
    try:
        return Server(AccessLog(app, access_log) if access_log is not None else app, sock, threads=threads)
    except BaseException:
        sock.close()
        raise


class AccessLog:
    """WSGI middleware: one line per request on ``stream``, written once the server is done with the response.

    The Common Log Format with the duration appended (from the request reaching the app to the last
    byte handed to the server), one line each, e.g.::

        127.0.0.1 - - [19/Dec/2026:10:11:12 +0100] "GET /?q=barn HTTP/1.1" 200 5123 12.3ms

    The target is as the client sent it (percent-encoded), so no field holds a space; a quote, a
    backslash or a control character in it is written as ``\\xNN``.
    """

    def __init__(self, app: WSGIApp, stream: TextIO) -> None:
        self.app = app
        self.stream = stream
        self._lock = threading.Lock()  # one line at a time from the worker threads

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        at = time.time()
        record = _Record()

        def recording_start_response(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], Any]:
            record.status = status.split(" ", 1)[0]
            write = start_response(status, headers, exc_info)

            def counting_write(data: bytes) -> Any:  # the legacy write() a WSGI app may use
                record.sent += len(data)
                return write(data)

            return counting_write

        try:
            body = self.app(environ, recording_start_response)
        except BaseException:
            record.status = "500"  # what the server answers for an app that raised
            self._log(environ, record, at, started)
            raise
        return _LoggedBody(body, record, lambda: self._log(environ, record, at, started))

    def _log(self, environ: dict, record: _Record, at: float, started: float) -> None:
        milliseconds = (time.perf_counter() - started) * 1000
        when = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(at))
        request = " ".join(_printable(part) for part in (environ.get("REQUEST_METHOD", ""), _target(environ),
                                                          environ.get("SERVER_PROTOCOL", "")))
        line = (f'{environ.get("REMOTE_ADDR") or "-"} - - [{when}] "{request}" '
                f'{record.status} {record.sent} {milliseconds:.1f}ms\n')
        with self._lock:
            try:
                self.stream.write(line)
                self.stream.flush()
            except (OSError, ValueError):  # a closed or broken log stream must not fail the request
                pass


class _Record:
    """What the access log learns about one response while it is made."""

    def __init__(self) -> None:
        self.status = "-"
        self.sent = 0


class _LoggedBody:
    """A response body that counts the bytes it yields and logs when the server closes it."""

    def __init__(self, body: Iterable[bytes], record: _Record, on_close: Callable[[], None]) -> None:
        self._body = body
        self._record = record
        self._on_close = on_close

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._body:
            self._record.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()


def _target(environ: dict) -> str:
    """The request target as sent (waitress gives it whole), else rebuilt from the WSGI path."""
    raw = environ.get("REQUEST_URI")
    if raw:
        return raw
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    path = quote(path.encode("latin-1"), safe="/;:@&=+$,!~*'()%")  # WSGI gives the bytes as latin-1
    query = environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def _printable(text: str) -> str:
    return "".join(c if " " < c < "\x7f" and c not in '"\\' else f"\\x{ord(c):02x}" for c in text) or "-"
