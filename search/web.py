"""The local web page (`svar serve`): a Flask app over the library, views that call it and render templates.

Needs the web extra (`pip install "svar[web]"`). Templates are Jinja2 with auto-escaping, so every value
from a query or a document is shown as text; the pages use no JavaScript, and the Content-Security-Policy
forbids scripts, so an escaping mistake still could not run one.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, make_server as werkzeug_server

from svar.index import i18n
from svar.index.errors import FilterError, SvarError, UnknownDocumentError

from .attribution import INTERPELLANT
from .filters import KINDS
from .formatting import UNKNOWN_NOTE, person, said_by, unknown_respondents
from .library import AnswerIndex, open_index
from .ranking import FACET_FIELDS
from .results import DocumentSummary, PassageView
from .webstate import PAGE_SIZE, SORT_LABELS, SearchState, question_and_snippet

_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?!\n))+")  # a passage's paragraphs: the indexer puts a blank line between
FACET_LABELS = {"party": "Party", "respondent": "Respondent", "year": "Year", "kind": "Part of the answer"}
FILTER_LABELS = {"party": "party", "interpellant": "asked by", "respondent": "answered by", "year": "year",
                 "since": "since", "until": "until", "kind": "part"}
SECURITY_HEADERS = {
    # No scripts, no frames, no other origins: the page needs only its own stylesheet.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def create_app(index_dir: str | os.PathLike[str]) -> Flask:
    """The web app over the index at ``index_dir`` (opened at the first request, not here)."""
    app = Flask(__name__)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True  # tidy HTML from block tags
    # {{ _("…") }} and {% trans %} in the templates: the request's language (set before each request).
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(i18n._, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    answers = _SharedIndex(Path(index_dir))

    @app.get("/")
    def search():
        state = SearchState.from_args(request.args)
        if _untidy(state):
            return redirect(url_for("search", **state.params()))
        result = documents = None
        with answers.use() as index:
            if state.q:
                result = index.search(**state.search_arguments())
            else:
                documents = index.documents()
        return render_template("search.html", state=state, result=result, documents=documents)

    @app.get("/answer/<path:dnr>")
    def answer(dnr: str):
        # The search the reader came from rides along, for the link back to it.
        state = SearchState.from_args(request.args)
        if _untidy(state):
            # Flask's url_for types _external (a bool) among its keywords; params() holds none of them.
            return redirect(url_for("answer", dnr=dnr, **state.params()))  # type: ignore[arg-type]
        with answers.use() as index:
            document = index.document(dnr)
        return render_template("document.html", document=document, state=state)

    @app.context_processor
    def helpers() -> dict:
        return {
            "search_url": lambda state: url_for("search", **state.params()),
            "answer_url": _answer_url,
            "question_and_snippet": question_and_snippet,
            "person": person,
            "spoken_blocks": _spoken_blocks,
            "said_by": said_by,
            "unknown_respondents": unknown_respondents, "unknown_note": UNKNOWN_NOTE,
            # Only the name: the folder the answers came from is the server's business.
            "file_name": lambda source: Path(source).name,
            "facet_labels": FACET_LABELS, "facet_fields": tuple(FACET_FIELDS), "filter_labels": FILTER_LABELS,
            "sort_labels": SORT_LABELS, "kinds": KINDS, "page_size": PAGE_SIZE,
        }

    @app.after_request
    def secure(response):
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.errorhandler(FilterError)
    def bad_filter(exc: FilterError):
        # The library names the command line's options ("--since"); the page's fields have no dashes.
        return _error_page(400, "That search cannot be run", re.sub(r"(?<!\S)--(?=[a-z])", "", str(exc)))

    @app.errorhandler(UnknownDocumentError)
    def unknown_answer(exc: UnknownDocumentError):
        return _error_page(404, "No such answer", str(exc))

    @app.errorhandler(SvarError)
    def index_trouble(exc: SvarError):
        # A missing or damaged index: the operator's to fix, so the message says how.
        return _error_page(503, "The index cannot be read", str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _error_page(exc.code or 500, exc.name, exc.description or "")

    @app.errorhandler(500)
    def unexpected(exc: HTTPException):
        # Flask has logged the traceback for the operator (on stderr); the reader gets no internals.
        return _error_page(500, "Something went wrong", "The page failed; the server's log says why.")

    return app


def make_server(index_dir: str | os.PathLike[str], host: str, port: int) -> BaseWSGIServer:
    """A threaded HTTP server for the app, listening and ready for ``serve_forever()`` (port 0: any free one).

    The socket is bound here rather than by werkzeug, which prints its own lines and exits when the
    port is taken; svar reports that as its own one-line error instead.
    """
    try:
        # Resolved here so that a bad --host gets the resolver's message and IPv6 addresses work.
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.create_server(address, family=family)
    except socket.gaierror as exc:
        raise SvarError(f"cannot listen on {host}: {exc.strerror}; check --host") from None
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        hint = "choose another --port" if exc.errno in (errno.EADDRINUSE, errno.EACCES) else "check --host"
        raise SvarError(f"cannot listen on {host}:{port}: {reason}; {hint}") from None
    with sock:  # werkzeug works on its own duplicate of the socket
        return werkzeug_server(host, sock.getsockname()[1], create_app(index_dir), threaded=True,
                               fd=sock.fileno())


def _answer_url(dnr: str, state: SearchState | None = None, passage: int | None = None) -> str:
    params = state.params() if state is not None else {}
    # Flask's url_for types _external (a bool) among its keywords; params() holds none of them.
    return url_for("answer", dnr=dnr, **params, _anchor=f"p{passage}" if passage is not None else None)  # type: ignore[arg-type]


def _untidy(state: SearchState) -> bool:
    """Whether the URL says more than its search state: a submitted form sends every field, empty or
    not. Redirecting such a request to the state's own URL keeps every address short and shareable."""
    return list(request.args.items(multi=True)) != list(state.params().items())


def _spoken_blocks(passage: PassageView, summary: DocumentSummary) -> list[dict]:
    """A passage's paragraphs by speaker, for the document page: runs of paragraphs that are wholly the
    interpellant's (questions repeated in the answer) as one quoted block, named; the respondent's
    paragraphs as they are, a question quoted inside one marked with its speaker.

    Each block: ``asked`` (the interpellant's), ``label`` (who said it) and ``paragraphs``, each a list
    of (text, label of the interpellant's quote or None) pieces.
    """
    text = passage.text
    asked = [p for p in passage.parts if p.speaker.side == INTERPELLANT]
    blocks: list[dict] = []
    for match in _PARAGRAPH.finditer(text):
        start = match.start() + len(match[0]) - len(match[0].lstrip())
        end = match.end() - (len(match[0]) - len(match[0].rstrip()))
        if start >= end:
            continue
        pieces: list[tuple[str, str | None]] = []
        at = start
        for part in asked:
            s, e = max(part.start, start), min(part.end, end)
            if s >= e:
                continue
            if s > at:
                pieces.append((text[at:s], None))
            pieces.append((text[s:e], said_by(part.speaker, summary.interpellant, summary.respondent)))
            at = e
        if at < end:
            pieces.append((text[at:end], None))
        whole = all(label is not None for piece, label in pieces if piece.strip())
        label = pieces[0][1] if whole else None
        if blocks and blocks[-1]["asked"] == whole and (not whole or blocks[-1]["label"] == label):
            blocks[-1]["paragraphs"].append(pieces)
        else:
            blocks.append({"asked": whole, "label": label, "paragraphs": [pieces]})
    return blocks


def _error_page(status: int, title: str, message: str):
    state = SearchState.from_args(request.args, lenient=True)
    return render_template("error.html", status=status, title=title, message=message, state=state), status


class _SharedIndex:
    """One open index for all the server's threads, used by one request at a time.

    Refreshing a searcher closes the old one, so two requests must not share it at once; a search on
    a local index takes milliseconds, and reopening the index for each request would cost more.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._index: AnswerIndex | None = None

    @contextmanager
    def use(self) -> Iterator[AnswerIndex]:
        with self._lock:
            if self._index is None:
                self._index = open_index(self.path)
            yield self._index
