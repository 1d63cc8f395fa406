"""The `svar` command: a thin shell over the library that parses options, calls it and formats."""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

import click

from svar.index.errors import FilterError, SvarError
from svar.index import i18n
from svar.index.i18n import N_, _

from . import formatting

PROGRESS_THRESHOLD = 5  # more files than this get a progress bar

# numpy's BLAS starts a thread per core when imported, for matrix work svar never does: a cold
# search spent a third more CPU than wall time on them. A user's own setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def _index_option(function):
    return click.option(
        "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help=N_("Index folder (default: $SVAR_INDEX, else the user's data folder)."),
    )(function)


def _json_option(function):
    return click.option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of text."))(function)


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _open(index_dir: Path | None, *, build_default: bool = True):
    """Open the index; on first use of the per-user folder (only there), build it from the bundled seeds."""
    from svar.index import store
    from svar.index.location import is_user_index_dir, resolve_index_dir

    from .library import build_seed_index, open_index

    index_dir = _chosen_index(index_dir)
    path = resolve_index_dir(index_dir)
    if build_default and not store.exists(path) and is_user_index_dir(path):  # (asks platformdirs: 8 ms)
        click.echo(_("svar: no index yet at {path}; building it from the bundled seed answers "
                     "(they leave when you index your own: svar index PATH…)").format(path=path), err=True)
        build_seed_index(path)
    # The process ends with the command. The interpreter's collections at exit walked every object
    # the imports and the index made: 20 of the 190 ms of a cold `svar search`, after its output.
    # Frozen, they are skipped (what a process leaves is the system's to free).
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    return open_index(path, preload=False)  # one command, one or two searches: open fast


def _runs_long() -> None:
    """Turn the garbage collector back on (see ``SvarGroup.main``) for a command that may run for
    long or make many objects: indexing, watching, serving."""
    gc.enable()


USAGE_ERROR = 2  # click's exit status for a usage error; svar's own errors exit 1


# click's help for -h/--help, shown from its msgid: click makes that option once per command, in the
# language of the moment, and a process (the tests) may run the command line in both.
HELP_OPTION_HELP = N_("Show this message and exit.")


class _TranslatedHelp(click.Command):
    """A command whose help texts are English (marked with ``N_`` for the catalog) and shown translated.

    click takes the help texts when the decorators run, at import, before the locale is read; so the
    command's help, its options' and its subcommands' are translated while its help is written.
    """

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated_help(self, ctx):
            super().format_help(ctx, formatter)


@contextlib.contextmanager
def _translated_help(command: click.Command, ctx: click.Context):
    """Inside the block: the help of ``command``, of its parameters and of its subcommands in the
    current language; the English (the msgids) again afterwards."""
    items: list[object] = [command, *command.get_params(ctx)]
    if isinstance(command, click.Group):
        items += [command.get_command(ctx, name) for name in command.list_commands(ctx)]
    help_option = command.get_help_option(ctx)
    english = [(item, HELP_OPTION_HELP if item is help_option else text)
               for item in items if (text := getattr(item, "help", None))]
    for item, text in english:
        setattr(item, "help", _(text))
    try:
        yield
    finally:
        for item, text in english:
            setattr(item, "help", text)


class SvarCommand(_TranslatedHelp):
    """A command of svar's: its help in the user's language."""


class SvarGroup(_TranslatedHelp, click.Group):
    """Turns svar's own errors into one line on stderr and a non-zero exit, never a traceback.

    Usage errors (an unknown option, a value an option cannot take, a filter value the library
    rejects) are one line too, with where to read more, and exit 2 as click's do.
    """

    command_class = SvarCommand
    group_class = type  # `svar watch` is one too

    def main(self, *args, **kwargs):
        """Run in the locale's language, and click's own messages too (see i18n.gettext_domain): set
        before the arguments are read, since `--help` and usage errors are written while they are.

        The cyclic garbage collector is off while a command runs, unless it runs long (``_runs_long``).
        A command's imports (numpy, Whoosh, svar) and its one search make hundreds of thousands of
        objects and next to no cycles: the collections they set off freed nothing and were a
        noticeable part of a cold `svar search`. What reference counting frees is still freed at once."""
        language = i18n.language_from_environment(os.environ)
        collecting = gc.isenabled()
        gc.disable()
        try:
            with i18n.use_language(language), i18n.gettext_domain(language):
                return super().main(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:  # the group's own options, or no such command
            _usage_error(exc.format_message(), exc.ctx)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a command's options, read here, or the command's own check
            _usage_error(exc.format_message(), exc.ctx or ctx)
        except FilterError as exc:  # a setting the library rejected (a command's own are checked above)
            _usage_error(exc.worded(_option_name), ctx)
        except SvarError as exc:
            click.echo(_("svar: {message}").format(message=exc), err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo(_("svar: interrupted"), err=True)
            ctx.exit(130)


def _option_name(field: str) -> str:
    """A search setting's option: ``since`` → ``--since``."""
    return "--" + field.replace("_", "-")


def _usage_error(message: str, ctx: click.Context | None) -> NoReturn:
    """One line: what is wrong, and the help to read (the command's, when known)."""
    command = ctx.command_path if ctx is not None else "svar"
    problem = message.strip().removesuffix(".")
    click.echo(_("svar: {problem} (see: {command} --help)").format(problem=problem, command=command), err=True)
    raise click.exceptions.Exit(USAGE_ERROR)


@click.group("svar", cls=SvarGroup, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("Search what Stockholm's borgarråd answered to interpellations."))
@click.version_option(package_name="svar")
@_index_option
@click.pass_context
def main(ctx: click.Context, index_dir: Path | None) -> None:
    ctx.obj = {"index_dir": index_dir}


def _chosen_index(index_dir: Path | None) -> Path | None:
    """The --index given after the command, else the one given before it."""
    if index_dir is not None:
        return index_dir
    ctx = click.get_current_context()
    return (ctx.find_root().obj or {}).get("index_dir")


@main.command("index", help=N_("Add or update answers from files or folders (no PATH: the bundled seeds)."))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help=N_("Build the index anew from PATHS (or the seeds) and swap it in."))
@click.option("--watch", is_flag=True, help=N_("Then keep running: index answers as they appear or change in "
                                              "PATHS (Ctrl-C stops)."))
@click.option("--interval", type=click.FloatRange(min=0.05), default=2.0, show_default=True,
              help=N_("With --watch: seconds between looks at PATHS; a file goes in once unchanged this long."))
@click.option("--wait", "wait", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help=N_("Seconds to wait while another svar process writes the index."))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help=N_("Processes that analyse a large delivery  [default: one per core; 1: no extra processes]"))
@_index_option
def index_command(paths: tuple[Path, ...], rebuild: bool, watch: bool, interval: float, wait: float,
                  jobs: int | None, index_dir: Path | None) -> None:
    _runs_long()
    from svar.index import store, watching
    from svar.index.location import bundled_seeds, is_user_index_dir, resolve_index_dir
    from svar.index.writing import answer_files

    from .updating import rebuild_index, retire_demo_answers, update_index

    if watch and not paths:
        raise click.UsageError(_("--watch needs the files or folders to watch"))
    sources = list(paths) or bundled_seeds()
    missing = [p for p in sources if not p.exists()]
    for path in missing:
        click.echo(_("svar: {path}: no such file or folder").format(path=path), err=True)
    files = answer_files([p for p in sources if p.exists()])
    target = resolve_index_dir(_chosen_index(index_dir))
    seeds = {seed.resolve() for seed in bundled_seeds()}
    if (not rebuild and store.exists(target) and is_user_index_dir(target)
            and any(Path(f).resolve() not in seeds for f in files)):
        # The user's own answers go into the per-user index: the demo answers leave first (one of
        # them among the user's files would otherwise be a conflict).
        retired = retire_demo_answers(target)
        if retired:
            click.echo(_("svar: the bundled demo answers left the index ({dnrs}): it holds your own from now on")
                       .format(dnrs=", ".join(sorted(retired))), err=True)
    # Taken before indexing, so that the watch skips these files unless they change meanwhile.
    indexed = watching.snapshot(files) if watch else None
    run = rebuild_index if rebuild else update_index
    if len(files) > PROGRESS_THRESHOLD and sys.stderr.isatty():
        with click.progressbar(length=len(files), label=_("indexing"), file=sys.stderr) as bar:
            report = run(target, files, progress=lambda done: bar.update(1), lock_timeout=wait, workers=jobs)
    else:
        report = run(target, files, lock_timeout=wait, workers=jobs)
    _echo_report(report)
    if watch:
        _watch(target, sources, interval, wait, indexed)
    elif report.rejected or missing:
        sys.exit(1)


def _echo_report(report, prefix: str = "") -> None:
    for path, warning in report.warnings:
        click.echo(_("svar: warning: {path}: {warning}").format(path=path, warning=warning), err=True)
    for _path, reason in report.rejected:
        click.echo(_("svar: rejected: {reason}").format(reason=reason), err=True)
    click.echo(prefix + formatting.report_text(report))


def _watch(target: Path, sources: list[Path], interval: float, wait: float, indexed) -> None:
    """Index what appears or changes until Ctrl-C (or SIGTERM, as from a service manager): exit 0."""
    import signal
    import time

    from .updating import watch_index

    def on_round(result) -> None:
        stamp = time.strftime("%H:%M:%S ")
        if result.error is not None:
            click.echo(_("svar: {time}{message} (trying again)").format(time=stamp, message=result.error), err=True)
        else:
            _echo_report(result.report, stamp)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    click.echo(_("svar: watching {paths} for new and changed answers (Ctrl-C stops)")
               .format(paths=", ".join(map(str, sources))), err=True)
    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (svar embedded): leave SIGTERM alone
        previous = None
    try:
        watch_index(target, sources, on_round, interval=interval, settle=interval, lock_timeout=wait,
                    indexed=indexed)
    except KeyboardInterrupt:
        click.echo(_("svar: stopped watching"), err=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _filter_options(function):
    """The search filters, shared by `svar search` and `svar watch add`: one option per field of
    ``Filters``, read as text (the library reads and checks it, so that a bad value gets svar's message)."""
    from .filters import FILTER_FIELDS

    for spec in reversed(FILTER_FIELDS.values()):
        function = click.option(
            f"--{spec.name}", spec.name, type=click.Choice(spec.choices) if spec.choices else str,
            metavar=spec.placeholder if re.fullmatch(r"[A-Z-]+", spec.placeholder) else None, help=_(spec.help),
        )(function)
    return function


def _filters(values: dict[str, object]):
    """The filters among a command's parameters, checked before any index is opened or built."""
    from .filters import FILTER_FIELDS, Filters

    try:
        return Filters.from_values({name: values.pop(name) for name in FILTER_FIELDS})
    except FilterError as exc:
        raise click.UsageError(exc.worded(_option_name), ctx=click.get_current_context()) from None


def _styles() -> tuple[bool, formatting.Style, formatting.Style]:
    color = _color()
    mark = (lambda s: click.style(s, fg="yellow", bold=True)) if color else (lambda s: s)
    dim = (lambda s: click.style(s, dim=True)) if color else (lambda s: s)
    return color, mark, dim


@main.command("search", help=N_('Search for passages; plain words, "exact phrases", "near words"~5, AND/OR/NOT, -word.'))
@click.argument("query")
@_filter_options
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help=N_("Hits to show."))
@click.option("--offset", type=click.IntRange(min=0), default=0, help=N_("Skip this many hits (for paging)."))
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--by-document", is_flag=True, help=N_("One row per answer: its best passage and how many matched."))
@click.option("--facets", is_flag=True, help=N_("Also count the hits per party, respondent, year and kind."))
@click.option("--count", "count_only", is_flag=True, help=N_("Print only the number of matches."))
@click.option("--strict", is_flag=True, help=N_("Only the words as typed and their inflections: no compound "
                                               "parts, no å/ä/ö-less matches, no similar words."))
@click.option("--no-fuzzy", is_flag=True, help=N_("Search no similar words in place of a word the index does "
                                                 "not hold (a \"did you mean\" is still offered)."))
@click.option("--format", "output_format", type=click.Choice(formatting.FORMATS), default="table",
              show_default=True, help=N_("csv opens in a spreadsheet; md gives citable quotes."))
@_json_option
@_index_option
def search_command(query: str, limit: int,
                   offset: int, sort: str, by_document: bool, facets: bool, count_only: bool, strict: bool,
                   no_fuzzy: bool, output_format: str,
                   as_json: bool, index_dir: Path | None, **filter_values: object) -> None:
    if as_json and output_format != "json" and _given("output_format"):
        raise click.UsageError(_("--json prints JSON: it cannot be combined with --format {format}")
                               .format(format=output_format))
    filters = _filters(filter_values)
    output_format = "json" if as_json else output_format
    with _open(index_dir) as answers:
        result = answers.search(query, filters=filters, limit=0 if count_only else limit, offset=offset,
                                sort=sort, by_document=by_document, strict=strict, fuzzy=not no_fuzzy,
                                facets=facets or output_format == "json", snippets=not count_only)
        empty = not result.total and not answers.stats().passages
    if empty and not count_only and output_format == "table":
        click.echo(_("The index at {path} holds no answers yet: add some with `svar index PATH`.")
                   .format(path=answers.path))
    elif count_only:
        click.echo(json.dumps({"query": query, "total": result.total}, ensure_ascii=False)
                   if output_format == "json" else str(result.total))
    elif output_format == "table":
        color, mark, dim = _styles()
        click.echo(formatting.search_text(result, mark, dim), color=color)
    else:
        click.echo(formatting.render(result, output_format), nl=False)


def _given(parameter: str) -> bool:
    """Whether the user gave this option (rather than its default)."""
    from click.core import ParameterSource

    return click.get_current_context().get_parameter_source(parameter) not in (ParameterSource.DEFAULT, None)


def _warn_skipped(searches) -> None:
    """One line per saved search the file holds in a shape svar cannot use (skipped, kept in the file)."""
    for problem in searches.problems:
        click.echo(_("svar: warning: {problem}").format(problem=problem), err=True)


@main.group("watch", help=N_("Saved searches that report only what was indexed since they last ran (for cron)."))
def watch_group() -> None:
    pass


@watch_group.command("add", help=N_("Save QUERY (with filters) under NAME; `svar watch run` then reports new "
                                     "answers that match."))
@click.argument("name")
@click.argument("query")
@_filter_options
@_index_option
def watch_add(name: str, query: str, index_dir: Path | None, **filter_values: object) -> None:
    from .saved import SavedSearches

    filters = _filters(filter_values)
    with _open(index_dir) as answers:
        searches = SavedSearches(answers)
        saved = searches.add(name, query, filters)
    _warn_skipped(searches)
    # The name as stored: stripped.
    click.echo(_("saved {name}: {query}").format(name=repr(saved.name), query=repr(saved.query)))


@watch_group.command("list", help=N_("The saved searches."))
@_json_option
@_index_option
def watch_list(as_json: bool, index_dir: Path | None) -> None:
    from .saved import SavedSearches

    with _open(index_dir) as answers:
        store = SavedSearches(answers)
        searches = store.all()
    _warn_skipped(store)
    if as_json:
        _echo_json(formatting.saved_json(searches))
    else:
        click.echo(formatting.saved_text(searches))


@watch_group.command("remove", help=N_("Forget a saved search."))
@click.argument("name")
@_index_option
def watch_remove(name: str, index_dir: Path | None) -> None:
    from .saved import SavedSearches

    with _open(index_dir) as answers:
        searches = SavedSearches(answers)
        searches.remove(name)
    _warn_skipped(searches)
    click.echo(_("removed {name}").format(name=repr(name.strip())))


@watch_group.command("run", help=N_("Print the hits in answers indexed since each saved search last ran; nothing "
                                     "(with --json: []) when nothing is new. A saved search that cannot be run is "
                                     "named on stderr and skipped (exit 1)."))
@click.argument("names", nargs=-1)
@_json_option
@_index_option
def watch_run(names: tuple[str, ...], as_json: bool, index_dir: Path | None) -> None:
    from .saved import SavedSearches

    with _open(index_dir) as answers:
        searches = SavedSearches(answers)
        alerts = searches.run(list(names) or None)
    _warn_skipped(searches)
    if as_json:
        _echo_json(formatting.alerts_json(alerts))
    elif alerts:
        color, mark, dim = _styles()
        click.echo(formatting.alerts_text(alerts, mark, dim), color=color)
    if searches.problems:
        sys.exit(1)


@main.command("show", help=N_("One answer: its metadata and its passages."))
@click.argument("dnr")
@_json_option
@_index_option
def show_command(dnr: str, as_json: bool, index_dir: Path | None) -> None:
    with _open(index_dir) as answers:
        document = answers.document(dnr)
    if as_json:
        _echo_json(formatting.document_json(document))
    else:
        color = _color()
        click.echo(formatting.document_text(document, (lambda s: click.style(s, dim=True)) if color else str),
                   color=color)


@main.command("list", help=N_("The answers in the index, newest first."))
@_json_option
@_index_option
def list_command(as_json: bool, index_dir: Path | None) -> None:
    with _open(index_dir) as answers:
        summaries = answers.documents()
    if as_json:
        _echo_json([formatting.summary_json(s) for s in summaries])
    else:
        click.echo(formatting.list_text(summaries))


@main.command("remove", help=N_("Remove answers by dnr."))
@click.argument("dnrs", nargs=-1, required=True)
@_index_option
def remove_command(dnrs: tuple[str, ...], index_dir: Path | None) -> None:
    from svar.index.schema import dnr_key

    wanted = list(dict.fromkeys(dnr_key(d) for d in dnrs))  # each once, as indexed: "ks 2022 / 65" → "KS 2022/65"
    with _open(index_dir, build_default=False) as answers:
        removed = answers.remove(wanted)
    for dnr in removed:
        click.echo(_("removed {dnr}").format(dnr=dnr))
    unknown = [d for d in wanted if d not in removed]
    for dnr in unknown:
        click.echo(_("svar: no answer with Dnr {dnr} in the index").format(dnr=repr(dnr)), err=True)
    if unknown:
        sys.exit(1)


@main.command("stats", help=N_("Counts, size on disk and last update of the index."))
@_json_option
@_index_option
def stats_command(as_json: bool, index_dir: Path | None) -> None:
    with _open(index_dir) as answers:
        stats = answers.stats()
    if as_json:
        _echo_json(formatting.stats_json(stats))
    else:
        click.echo(formatting.stats_text(stats))


@main.command("serve", help=N_(
    'The web page for searching the answers, on a production server (needs: pip install "svar[web]").\n\n'
    'Logs one line per request on stderr; GET /healthz answers "ok" while the index can be searched. '
    "SIGTERM or Ctrl-C stops it gracefully: the requests already received are answered first."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=N_("Address to listen on; 0.0.0.0 opens the page to other machines."))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help=N_("Port to listen on (0: any free one)."))
@click.option("--threads", type=click.IntRange(min=1), default=8, show_default=True,
              help=N_("Requests served at once; more wait their turn."))
@click.option("--quiet", is_flag=True, help=N_("No access log (one line per request on stderr)."))
@_index_option
def serve_command(host: str, port: int, threads: int, quiet: bool, index_dir: Path | None) -> None:
    _runs_long()
    import logging

    try:
        # Flask and waitress: imported only here, so that every other command starts fast.
        from . import server as serving, web
    except ImportError as exc:
        if (exc.name or "").startswith("svar"):
            raise  # a bug in svar, not a missing extra
        package = {"flask": "Flask"}.get((exc.name or "").split(".")[0], exc.name)
        click.echo(_('svar: the web page needs {package}, which is not installed: pip install "svar[web]"').format(
            package=package), err=True)
        sys.exit(1)
    with _open(index_dir) as answers:  # fails now, not at the first request; builds the default index
        path = answers.path
    # waitress says "Task queue depth is N" whenever every thread is busy: normal under load, not news.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = web.make_server(path, host, port, threads=threads, access_log=None if quiet else sys.stderr)
    shown = f"[{host}]" if ":" in host else host
    with serving.stopping_on_signals(server):
        click.echo(_("svar: serving {path} at {url} (Ctrl-C stops)").format(
            path=path, url=f"http://{shown}:{server.server_address[1]}/"), err=True)
        server.serve_forever()  # returns once stopped and drained: that is how a server is meant to stop
    click.echo(_("svar: stopped serving"), err=True)


if __name__ == "__main__":
    main()
