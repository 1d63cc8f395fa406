"""Writing to an index from outside an open one: build the seed index, index or rebuild from files,
keep an index current, retire the demo answers. ``svar index`` imports this module, not the search
side (query parsing, snippets, attribution): a one-answer update starts that much sooner.
``svar.search.library`` names these functions too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from svar.index.location import bundled_seeds, resolve_index_dir

if TYPE_CHECKING:
    from svar.index import watching, writing


def build_seed_index(index_dir: str | os.PathLike[str] | None = None) -> writing.IndexReport:
    """Build (or update) an index from the seed answers bundled with svar."""
    from svar.index import writing  # the indexer is imported only by what writes: searches start faster

    return writing.index_files(resolve_index_dir(index_dir), bundled_seeds())


def retire_demo_answers(index_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Remove the bundled demo answers from an index, as the first `svar search` put them into the
    per-user index; `svar index PATH…` calls this before indexing its user's own answers there.
    Returns their dnrs, as indexed.

    A demo answer was read from one of svar's seed files: it has a seed's content and file name, and
    its file is this svar's seed or no longer exists (an earlier installation's). A user's own copy
    of a seed, in a folder of theirs, stays.
    """
    from svar.index import writing
    from svar.index.loading import content_hash

    path = resolve_index_dir(index_dir)
    seeds = {content_hash(seed.read_bytes()): seed for seed in bundled_seeds()}
    from .library import open_index  # the search side, loaded only when demo answers may have to leave

    with open_index(path, preload=False) as answers:
        demo = answers._demo_answers(seeds)
    return writing.remove_answers(path, demo) if demo else []


def update_index(index_dir: str | os.PathLike[str] | None, paths: Iterable[str | os.PathLike[str]],
                 progress: Callable[[Path], None] | None = None, *,
                 lock_timeout: float | None = None, workers: int | None = None) -> writing.IndexReport:
    """Index answer files or folders into the index (created if missing): new, changed and unchanged.

    ``lock_timeout``: seconds to wait for another writer before IndexLockedError (default 10).
    ``workers``: processes that analyse a large delivery (default: one per usable core; 1: in-process).
    """
    from svar.index import writing

    return writing.index_files(resolve_index_dir(index_dir), [Path(p) for p in paths], progress=progress,
                               lock_timeout=lock_timeout, workers=workers)


def rebuild_index(index_dir: str | os.PathLike[str] | None, paths: Iterable[str | os.PathLike[str]],
                  progress: Callable[[Path], None] | None = None, *,
                  lock_timeout: float | None = None, workers: int | None = None) -> writing.IndexReport:
    """Build a new index from ``paths`` beside the old one and swap it in only when it is complete."""
    from svar.index import writing

    return writing.rebuild(resolve_index_dir(index_dir), [Path(p) for p in paths], progress=progress,
                           lock_timeout=lock_timeout, workers=workers)


def watch_index(index_dir: str | os.PathLike[str] | None, paths: Iterable[str | os.PathLike[str]],
                on_round: Callable[[watching.Round], None], *, interval: float | None = None,
                settle: float | None = None, should_stop: Callable[[], bool] = lambda: False,
                max_rounds: int | None = None, lock_timeout: float | None = None,
                indexed: dict[Path, watching.Signature] | None = None) -> None:
    """Keep the index current: index answer files as they appear or change in ``paths``.

    Polls every ``interval`` seconds; a file goes in once it has stopped changing for ``settle``
    seconds. ``on_round`` gets each round that indexed something or failed (the failed ones are
    retried). Runs until ``should_stop()`` returns true, ``max_rounds`` have run, or KeyboardInterrupt.
    ``indexed``: ``watching.snapshot(paths)`` taken before indexing them yourself, so that they are
    not read again unless they change. ``interval`` and ``settle`` default to watching's own defaults.
    """
    from svar.index import watching

    interval = watching.DEFAULT_INTERVAL if interval is None else interval
    settle = watching.DEFAULT_SETTLE if settle is None else settle
    watching.watch(resolve_index_dir(index_dir), [Path(p) for p in paths], on_round, interval=interval,
                   settle=settle, should_stop=should_stop, max_rounds=max_rounds, lock_timeout=lock_timeout,
                   indexed=indexed)
