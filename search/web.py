"""The local web page (`svar serve`): a Flask app over the library, views that call it and render templates.

Needs the web extra (`pip install "svar[web]"`). Templates are Jinja2 with auto-escaping, so every value
from a query or a document is shown as text; the pages use no JavaScript, and the Content-Security-Policy
forbids scripts, so an escaping mistake still could not run one.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from flask import Flask, g, redirect, render_template, request, url_for
from jinja2 import pass_context
from jinja2.runtime import Context
from werkzeug.exceptions import HTTPException

from svar.index import i18n
from svar.index.i18n import N_
from svar.index import store
from svar.index.errors import FilterError, SvarError, UnknownDocumentError
from svar.index.schema import dnr_key

from .attribution import INTERPELLANT
from .filters import FILTER_FIELDS
from .formatting import UNKNOWN_NOTE, person, said_by, unknown_respondents
from .histogram import year_histogram
from .library import AnswerIndex, open_index
from .ranking import FACET_FIELDS
from .results import DocumentSummary, PassageView
from .webstate import PAGE_SIZE, SORT_LABELS, SearchState, question_and_snippet

if TYPE_CHECKING:
    from .server import Server

_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?!\n))+")  # a passage's paragraphs: the indexer puts a blank line between
FACET_LABELS = {"party": N_("Party"), "respondent": N_("Respondent"), "year": N_("Year"),
                "kind": N_("Part of the answer")}
# The page's languages, each named in itself (the link to it is for a reader of that language).
LANGUAGE_NAMES = {"en": "English", "sv": "Svenska"}
# werkzeug's words for the HTTP errors a reader can meet, marked for the catalog: shown translated.
HTTP_ERROR_TEXTS = (
    N_("Not Found"),
    N_("The requested URL was not found on the server. If you entered the URL manually please check your "
       "spelling and try again."),
    N_("Method Not Allowed"), N_("The method is not allowed for the requested URL."),
)
# The page's settings other than the filters (whose labels come with Filters), as an error names them.
SETTING_LABELS = {"sort": N_("Order"), "page": N_("Page")}
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

    @app.before_request
    def choose_language() -> None:
        # The reader's choice (the page's language link: ?lang=sv), else the browser's Accept-Language;
        # the thread's language of before comes back when the request ends.
        chosen = request.args.get("lang", "")
        g.lang = chosen if chosen in i18n.LANGUAGES else None
        g.language_before = i18n.language()
        i18n.set_language(g.lang or i18n.language_from_accept(request.headers.get("Accept-Language")))

    @app.teardown_request
    def forget_language(exc: BaseException | None) -> None:
        i18n.set_language(g.pop("language_before", None))

    @app.url_defaults
    def keep_language(endpoint: str, values: dict) -> None:
        # A language the reader chose stays in every link (and the search form sends it as a field).
        if endpoint != "static" and g.get("lang"):
            values.setdefault("lang", g.lang)

    @app.context_processor
    def language_helpers() -> dict:
        return {"language": i18n.language(), "chosen_language": g.get("lang"),
                "language_names": LANGUAGE_NAMES, "language_url": _language_url}
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

    # The answer's number in the path is not the search's dnr filter, which may ride along as a parameter.
    @app.get("/answer/<path:answer_dnr>")
    def answer(answer_dnr: str):
        # The search the reader came from rides along, for the link back to it.
        state = SearchState.from_args(request.args)
        if _untidy(state):
            # Flask's url_for types _external (a bool) among its keywords; params() holds none of them.
            return redirect(url_for("answer", answer_dnr=answer_dnr, **state.params()))  # type: ignore[arg-type]
        with answers.use() as index:
            document = index.document(answer_dnr)
        return render_template("document.html", document=document, state=state)

    @app.get("/healthz")
    def healthz():
        # For a load balancer or a monitor: plain text, never cached, no page around it.
        trouble = answers.trouble()
        headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
        return ("ok\n", 200, headers) if trouble is None else (trouble + "\n", 503, headers)

    @app.context_processor
    def helpers() -> dict:
        return {
            "search_url": lambda state: url_for("search", **state.params()),
            "answer_url": _answer_url,
            "question_and_snippet": question_and_snippet,
            "person": person,
            "spoken_blocks": _spoken_blocks,
            "said_by": said_by,
            "unknown_respondents": _unknown_respondents, "unknown_note": UNKNOWN_NOTE,
            "year_histogram": year_histogram,
            # Only the name: the folder the answers came from is the server's business.
            "file_name": lambda source: Path(source).name,
            "facet_labels": FACET_LABELS, "facet_fields": tuple(FACET_FIELDS), "filter_labels": _filter_labels(),
            "filter_fields": tuple(FILTER_FIELDS.values()),
            "sort_labels": SORT_LABELS, "page_size": PAGE_SIZE,
        }

    @app.after_request
    def secure(response):
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.errorhandler(FilterError)
    def bad_filter(exc: FilterError):
        # Named as the form labels the field, in the page's language.
        return _error_page(400, i18n._("That search cannot be run"), exc.worded(_setting_label))

    @app.errorhandler(UnknownDocumentError)
    def unknown_answer(exc: UnknownDocumentError):
        return _error_page(404, i18n._("No such answer"), str(exc))

    @app.errorhandler(SvarError)
    def index_trouble(exc: SvarError):
        # A missing or damaged index: the operator's to fix, so the message says how.
        return _error_page(503, i18n._("The index cannot be read"), str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = i18n._(exc.description) if exc.description else ""  # (gettext's "" is the catalog's header)
        return _error_page(exc.code or 500, i18n._(exc.name), message)

    @app.errorhandler(500)
    def unexpected(exc: HTTPException):
        # Flask has logged the traceback for the operator (on stderr); the reader gets no internals.
        return _error_page(500, i18n._("Something went wrong"),
                           i18n._("The page failed; the server's log says why."))

    return app


def make_server(index_dir: str | os.PathLike[str], host: str, port: int, *, threads: int = 8,
                access_log: TextIO | None = None) -> Server:
    """The app on waitress with ``threads`` worker threads, listening and ready for ``serve_forever()``
    (port 0: any free one); with ``access_log``, one line per request written to it. SvarError (one
    line) when the address cannot be bound."""
    from . import server  # waitress: imported by what serves, not by the app's tests

    return server.make_server(create_app(index_dir), host, port, threads=threads, access_log=access_log)


def _filter_labels() -> dict[str, str]:
    """Each filter's label in the request's language, by name."""
    return {name: i18n._(spec.label) for name, spec in FILTER_FIELDS.items()}


def _setting_label(name: str) -> str:
    """How the page names a search setting: the form's label."""
    label = FILTER_FIELDS[name].label if name in FILTER_FIELDS else SETTING_LABELS.get(name, name)
    return i18n._(label)


def _answer_url(dnr: str, state: SearchState | None = None, passage: int | None = None) -> str:
    params = state.params() if state is not None else {}
    # Flask's url_for types _external (a bool) among its keywords; params() holds none of them.
    return url_for("answer", answer_dnr=dnr, **params, _anchor=f"p{passage}" if passage is not None else None)  # type: ignore[arg-type]


@pass_context
def _unknown_respondents(context: Context, facets: dict | None, total: int | None = None) -> int:
    """The page's unknown respondents: counted against its result's total, passages or answers alike."""
    result = context.get("result")
    return unknown_respondents(facets, total if total is not None else getattr(result, "total", None))


def _untidy(state: SearchState) -> bool:
    """Whether the URL says more than its search state: a submitted form sends every field, empty or
    not. Redirecting such a request to the state's own URL keeps every address short and shareable.
    A language the reader chose is part of it, last; an unknown one is not."""
    tidy = list(state.params().items()) + ([("lang", g.lang)] if g.get("lang") else [])
    return list(request.args.items(multi=True)) != tidy


def _language_url(language: str) -> str:
    """This page in ``language``: the same address with ``lang`` set (a page with no view of its own,
    such as an unknown address, links to the start page)."""
    endpoint = request.endpoint if request.endpoint not in (None, "static") else "search"
    view_args = (request.view_args or {}) if endpoint == request.endpoint else {}
    if endpoint == "answer":  # the answer's number as indexed, however its address was typed
        view_args = {name: dnr_key(value) for name, value in view_args.items()}
    args = {name: value for name, value in request.args.items() if name != "lang"}
    # Flask's url_for types _external (a bool) among its keywords; a page's parameters are none of them.
    return url_for(endpoint, **view_args, **args, lang=language)  # type: ignore[arg-type]


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
    a local index takes milliseconds, and reopening the index for each request would cost more. One
    open index rather than one per thread: the search modules' process-wide caches are not made for
    concurrent searches, and each open index holds its own copy of the segments in memory.

    Every use sees the index as last committed: the index's searcher is refreshed at each use, which
    picks up the commits of `svar index PATH` and follows `svar index --rebuild` to its new generation
    (store.LiveIndex). An index folder that is gone is opened anew at each use, so that the page says
    so (IndexMissingError) until an index is made there again.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._index: AnswerIndex | None = None

    @contextmanager
    def use(self) -> Iterator[AnswerIndex]:
        with self._lock:
            if self._index is not None and not store.exists(self.path):
                self._index.close()  # its open files still answer: the folder's state is what counts
                self._index = None
            if self._index is None:
                self._index = open_index(self.path)
            yield self._index

    def trouble(self) -> str | None:
        """Why the index cannot be searched now, in one line, or None when it can.

        Cheap: it does what every search does first (follow a rebuild, check the recorded damage and
        the schema version, open the readers of new segments, look a word up in the term tables), and
        scores nothing.
        """
        try:
            with self.use() as index:
                index.parse_query(_HEALTH_PROBE, strict=True)
        except SvarError as exc:
            return " ".join(str(exc).split())
        return None


# A word the health check looks up: too short to be searched as similar words when the index lacks it.
_HEALTH_PROBE = "råd"
