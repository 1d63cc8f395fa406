"""The `svar` command: a thin shell over the library that parses options, calls it and formats."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from svar.index.errors import SvarError
from svar.index.records import PASSAGE_KINDS

from . import formatting

PROGRESS_THRESHOLD = 5  # more files than this get a progress bar

# numpy's BLAS starts a thread per core when imported, for matrix work svar never does: a cold
# search spent a third more CPU than wall time on them. A user's own setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def _index_option(function):
    return click.option(
        "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Index folder (default: $SVAR_INDEX, else the user's data folder).",
    )(function)


def _json_option(function):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(function)


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
        click.echo(f"svar: no index yet at {path}; building it from the bundled seed answers "
                   f"(they leave when you index your own: svar index PATH…)", err=True)
        build_seed_index(path)
    return open_index(path, preload=False)  # one command, one or two searches: open fast


class SvarGroup(click.Group):
    """Turns svar's own errors into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SvarError as exc:
            click.echo(f"svar: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("svar: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=SvarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="svar")
@_index_option
@click.pass_context
def main(ctx: click.Context, index_dir: Path | None) -> None:
    """Search what Stockholm's borgarråd answered to interpellations."""
    ctx.obj = {"index_dir": index_dir}


def _chosen_index(index_dir: Path | None) -> Path | None:
    """The --index given after the command, else the one given before it."""
    if index_dir is not None:
        return index_dir
    ctx = click.get_current_context()
    return (ctx.find_root().obj or {}).get("index_dir")


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Build the index anew from PATHS (or the seeds) and swap it in.")
@click.option("--watch", is_flag=True, help="Then keep running: index answers as they appear or change in PATHS "
                                           "(Ctrl-C stops).")
@click.option("--interval", type=click.FloatRange(min=0.05), default=2.0, show_default=True,
              help="With --watch: seconds between looks at PATHS; a file goes in once unchanged this long.")
@click.option("--wait", "wait", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Seconds to wait while another svar process writes the index.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes that analyse a large delivery  [default: one per core; 1: no extra processes]")
@_index_option
def index_command(paths: tuple[Path, ...], rebuild: bool, watch: bool, interval: float, wait: float,
                  jobs: int | None, index_dir: Path | None) -> None:
    """Add or update answers from files or folders (no PATH: the bundled seeds)."""
    from svar.index import store, watching
    from svar.index.location import bundled_seeds, is_user_index_dir, resolve_index_dir
    from svar.index.writing import answer_files

    from .library import rebuild_index, retire_demo_answers, update_index

    if watch and not paths:
        raise click.UsageError("--watch needs the files or folders to watch")
    sources = list(paths) or bundled_seeds()
    missing = [p for p in sources if not p.exists()]
    for path in missing:
        click.echo(f"svar: {path}: no such file or folder", err=True)
    files = answer_files([p for p in sources if p.exists()])
    target = resolve_index_dir(_chosen_index(index_dir))
    seeds = {seed.resolve() for seed in bundled_seeds()}
    if (not rebuild and store.exists(target) and is_user_index_dir(target)
            and any(Path(f).resolve() not in seeds for f in files)):
        # The user's own answers go into the per-user index: the demo answers leave first (one of
        # them among the user's files would otherwise be a conflict).
        retired = retire_demo_answers(target)
        if retired:
            click.echo(f"svar: the bundled demo answers left the index ({', '.join(sorted(retired))}): "
                       f"it holds your own from now on", err=True)
    # Taken before indexing, so that the watch skips these files unless they change meanwhile.
    indexed = watching.snapshot(files) if watch else None
    run = rebuild_index if rebuild else update_index
    if len(files) > PROGRESS_THRESHOLD and sys.stderr.isatty():
        with click.progressbar(length=len(files), label="indexing", file=sys.stderr) as bar:
            report = run(target, files, progress=lambda _: bar.update(1), lock_timeout=wait, workers=jobs)
    else:
        report = run(target, files, lock_timeout=wait, workers=jobs)
    _echo_report(report)
    if watch:
        _watch(target, sources, interval, wait, indexed)
    elif report.rejected or missing:
        sys.exit(1)


def _echo_report(report, prefix: str = "") -> None:
    for path, warning in report.warnings:
        click.echo(f"svar: warning: {path}: {warning}", err=True)
    for _, reason in report.rejected:
        click.echo(f"svar: rejected: {reason}", err=True)
    click.echo(prefix + formatting.report_text(report))


def _watch(target: Path, sources: list[Path], interval: float, wait: float, indexed) -> None:
    """Index what appears or changes until Ctrl-C (or SIGTERM, as from a service manager): exit 0."""
    import signal
    import time

    from .library import watch_index

    def on_round(result) -> None:
        stamp = time.strftime("%H:%M:%S ")
        if result.error is not None:
            click.echo(f"svar: {stamp}{result.error} (trying again)", err=True)
        else:
            _echo_report(result.report, stamp)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    click.echo(f"svar: watching {', '.join(map(str, sources))} for new and changed answers (Ctrl-C stops)", err=True)
    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (svar embedded): leave SIGTERM alone
        previous = None
    try:
        watch_index(target, sources, on_round, interval=interval, settle=interval, lock_timeout=wait,
                    indexed=indexed)
    except KeyboardInterrupt:
        click.echo("svar: stopped watching", err=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _filter_options(function):
    """The search filters, shared by `svar search` and `svar watch add`."""
    options = [
        click.option("--party", help="Interpellant's or respondent's party (e.g. V, M, S)."),
        click.option("--interpellant", help="Name of the councillor who asked."),
        click.option("--respondent", help="Name of the borgarråd who answered."),
        click.option("--year", type=int, help="Year of the answer."),
        click.option("--since", help="Answers from this date on (YYYY-MM-DD, inclusive)."),
        click.option("--until", help="Answers up to this date (YYYY-MM-DD, inclusive)."),
        click.option("--dnr", help="Only this answer (e.g. 'KS 2022/65')."),
        click.option("--kind", type=click.Choice(PASSAGE_KINDS), help="Kind of passage."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _filters(party, interpellant, respondent, year, since, until, dnr, kind):
    from .filters import Filters

    filters = Filters(party=party, interpellant=interpellant, respondent=respondent, year=year,
                      since=since, until=until, dnr=dnr, kind=kind)
    filters.check()  # a bad date is reported before any index is opened or built
    return filters


def _styles() -> tuple[bool, formatting.Style, formatting.Style]:
    color = _color()
    mark = (lambda s: click.style(s, fg="yellow", bold=True)) if color else (lambda s: s)
    dim = (lambda s: click.style(s, dim=True)) if color else (lambda s: s)
    return color, mark, dim


@main.command("search")
@click.argument("query")
@_filter_options
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Hits to show.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many hits (for paging).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--by-document", is_flag=True, help="One row per answer: its best passage and how many matched.")
@click.option("--facets", is_flag=True, help="Also count the hits per party, respondent, year and kind.")
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matches.")
@click.option("--strict", is_flag=True, help="Only the words as typed and their inflections: no compound "
              "parts, no å/ä/ö-less matches, no similar words.")
@click.option("--no-fuzzy", is_flag=True, help="Search no similar words in place of a word the index does "
              "not hold (a \"did you mean\" is still offered).")
@click.option("--format", "output_format", type=click.Choice(formatting.FORMATS), default="table",
              show_default=True, help="csv opens in a spreadsheet; md gives citable quotes.")
@_json_option
@_index_option
def search_command(query: str, party, interpellant, respondent, year, since, until, dnr, kind, limit: int,
                   offset: int, sort: str, by_document: bool, facets: bool, count_only: bool, strict: bool,
                   no_fuzzy: bool, output_format: str,
                   as_json: bool, index_dir: Path | None) -> None:
    """Search for passages; plain words, "exact phrases", AND/OR/NOT, -word."""
    if as_json and output_format != "json" and _given("output_format"):
        raise click.UsageError(f"--json prints JSON: it cannot be combined with --format {output_format}")
    filters = _filters(party, interpellant, respondent, year, since, until, dnr, kind)
    output_format = "json" if as_json else output_format
    with _open(index_dir) as answers:
        result = answers.search(query, filters=filters, limit=0 if count_only else limit, offset=offset,
                                sort=sort, by_document=by_document, strict=strict, fuzzy=not no_fuzzy,
                                facets=facets or output_format == "json", snippets=not count_only)
        empty = not result.total and not answers.stats().passages
    if empty and not count_only and output_format == "table":
        click.echo(f"The index at {answers.path} holds no answers yet: add some with `svar index PATH`.")
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
        click.echo(f"svar: warning: {problem}", err=True)


@main.group("watch")
def watch_group() -> None:
    """Saved searches that report only what was indexed since they last ran (for cron)."""


@watch_group.command("add")
@click.argument("name")
@click.argument("query")
@_filter_options
@_index_option
def watch_add(name: str, query: str, party, interpellant, respondent, year, since, until, dnr, kind,
              index_dir: Path | None) -> None:
    """Save QUERY (with filters) under NAME; `svar watch run` then reports new answers that match."""
    from .saved import SavedSearches

    filters = _filters(party, interpellant, respondent, year, since, until, dnr, kind)
    with _open(index_dir) as answers:
        searches = SavedSearches(answers)
        saved = searches.add(name, query, filters)
    _warn_skipped(searches)
    click.echo(f"saved {saved.name!r}: {saved.query!r}")  # the name as stored: stripped


@watch_group.command("list")
@_json_option
@_index_option
def watch_list(as_json: bool, index_dir: Path | None) -> None:
    """The saved searches."""
    from .saved import SavedSearches

    with _open(index_dir) as answers:
        store = SavedSearches(answers)
        searches = store.all()
    _warn_skipped(store)
    if as_json:
        _echo_json(formatting.saved_json(searches))
    else:
        click.echo(formatting.saved_text(searches))


@watch_group.command("remove")
@click.argument("name")
@_index_option
def watch_remove(name: str, index_dir: Path | None) -> None:
    """Forget a saved search."""
    from .saved import SavedSearches

    with _open(index_dir) as answers:
        searches = SavedSearches(answers)
        searches.remove(name)
    _warn_skipped(searches)
    click.echo(f"removed {name.strip()!r}")


@watch_group.command("run")
@click.argument("names", nargs=-1)
@_json_option
@_index_option
def watch_run(names: tuple[str, ...], as_json: bool, index_dir: Path | None) -> None:
    """Print the hits in answers indexed since each saved search last ran; nothing (with --json: [])
    when nothing is new. A saved search that cannot be run is named on stderr and skipped (exit 1)."""
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


@main.command("show")
@click.argument("dnr")
@_json_option
@_index_option
def show_command(dnr: str, as_json: bool, index_dir: Path | None) -> None:
    """One answer: its metadata and its passages."""
    with _open(index_dir) as answers:
        document = answers.document(dnr)
    if as_json:
        _echo_json(formatting.document_json(document))
    else:
        color = _color()
        click.echo(formatting.document_text(document, (lambda s: click.style(s, dim=True)) if color else str),
                   color=color)


@main.command("list")
@_json_option
@_index_option
def list_command(as_json: bool, index_dir: Path | None) -> None:
    """The answers in the index, newest first."""
    with _open(index_dir) as answers:
        summaries = answers.documents()
    if as_json:
        _echo_json([formatting.summary_json(s) for s in summaries])
    else:
        click.echo(formatting.list_text(summaries))


@main.command("remove")
@click.argument("dnrs", nargs=-1, required=True)
@_index_option
def remove_command(dnrs: tuple[str, ...], index_dir: Path | None) -> None:
    """Remove answers by dnr."""
    from svar.index.schema import dnr_key

    wanted = list(dict.fromkeys(dnr_key(d) for d in dnrs))  # each once, as indexed: "ks 2022 / 65" → "KS 2022/65"
    with _open(index_dir, build_default=False) as answers:
        removed = answers.remove(wanted)
    for dnr in removed:
        click.echo(f"removed {dnr}")
    unknown = [d for d in wanted if d not in removed]
    for dnr in unknown:
        click.echo(f"svar: no answer with Dnr {dnr!r} in the index", err=True)
    if unknown:
        sys.exit(1)


@main.command("stats")
@_json_option
@_index_option
def stats_command(as_json: bool, index_dir: Path | None) -> None:
    """Counts, size on disk and last update of the index."""
    with _open(index_dir) as answers:
        stats = answers.stats()
    if as_json:
        _echo_json(formatting.stats_json(stats))
    else:
        click.echo(formatting.stats_text(stats))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens the page to other machines.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free one).")
@_index_option
def serve_command(host: str, port: int, index_dir: Path | None) -> None:
    """A local web page for searching the answers (needs: pip install "svar[web]")."""
    try:
        from . import web  # imports Flask: only here, so that every other command starts fast
    except ImportError as exc:
        if (exc.name or "").startswith("svar"):
            raise  # a bug in svar, not a missing extra
        click.echo('svar: the web page needs Flask, which is not installed: pip install "svar[web]"', err=True)
        sys.exit(1)
    with _open(index_dir) as answers:  # fails now, not at the first request; builds the default index
        path = answers.path
    server = web.make_server(path, host, port)
    shown = f"[{host}]" if ":" in host else host
    try:
        click.echo(f"svar: serving {path} at http://{shown}:{server.server_address[1]}/ (Ctrl-C stops)", err=True)
        server.serve_forever()  # returns on Ctrl-C: that is how a server is meant to stop, not an error
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    click.echo("svar: stopped serving", err=True)


if __name__ == "__main__":
    main()
