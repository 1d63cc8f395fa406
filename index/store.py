"""The index on disk: generations of Whoosh indexes behind a pointer that is replaced atomically.

    INDEX_DIR/
      CURRENT          the name of the live generation, e.g. "gen-000003"; replaced with os.replace
      gen-000003/      a complete Whoosh index and svar-index.json (the schema version it was built with)
      gen-000002/      the generation before, kept until the next swap for readers that still use it
      write.lock       held by the one process writing (see locking.py); writer.json says which

Incremental writes commit inside the live generation: Whoosh writes new segment files and then
renames a new table of contents into place, so a reader sees one commit or the next, never half of
one. A rebuild writes a whole new generation beside the live one and publishes it by replacing
CURRENT, so a reader sees the old index or the new one, never a mix and never nothing. An index made
by svar 0.1 (the Whoosh files directly in INDEX_DIR, no CURRENT) is read as generation 0; the next
rebuild moves it into this layout.

``exists`` and ``open_existing`` are the ways in for readers; the functions that change the folder
(``create``, ``new_generation``, ``publish``, ``clean``) expect the caller to hold the write lock.

Damage found while reading (bytes of a segment that do not decode: ``read_damage``) is recorded in
the generation as DAMAGE_FILE, so that every later open and search of that generation reports it
too, not only the command that read the damaged bytes; a rebuild writes a new generation without it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import NamedTuple

from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex

from . import whoosh_compat
from .errors import IndexDamagedError, IndexMissingError
from .i18n import _
from .schema import SCHEMA_VERSION, build_schema

INDEX_NAME = "svar"
VERSION_FILE = "svar-index.json"
POINTER_FILE = "CURRENT"
# Written into a generation when reading it found damage (see read_damage); holds the message.
DAMAGE_FILE = "svar-damaged.json"
# Reads of the table of contents that may race with a commit before it counts as missing.
_TOC_ATTEMPTS = 20
GENERATION_PREFIX = "gen-"
_GENERATION = re.compile(r"^gen-(\d{6,})$")
_TOC = whoosh_compat.toc_file_pattern(INDEX_NAME)
# A table of contents Whoosh was writing when its process died (it renames it into place when done).
_TOC_LEFTOVER = whoosh_compat.toc_leftover_pattern(INDEX_NAME)
# The files of a svar 0.1 index, written directly into the index folder.
_LEGACY_FILES = re.compile(rf"^(?:_{INDEX_NAME}_.+|{INDEX_NAME}_.+|{INDEX_NAME}\.tmp|{re.escape(VERSION_FILE)}|"
                           rf"{re.escape(DAMAGE_FILE)})$")


def rebuild_hint(index_dir: Path) -> str:
    """What to do about an index that cannot be used: build it anew from the answers' files (without
    PATH, `svar index --rebuild` would build it from the bundled seeds)."""
    return _("rebuild it from the answers' files or folders: svar index --rebuild PATH… --index {path}").format(
        path=index_dir)


class Generation(NamedTuple):
    """One complete Whoosh index inside the index folder. (A named tuple: a frozen dataclass costs a
    new process 0.7 ms to define, and every command defines this one.)"""

    number: int
    path: Path


def generation_name(number: int) -> str:
    return f"{GENERATION_PREFIX}{number:06d}"


def live_generation(index_dir: Path) -> Generation | None:
    """The generation readers should open, or None when the folder holds no index."""
    try:
        name = (index_dir / POINTER_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return Generation(0, index_dir) if _has_toc(index_dir) else None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDamagedError(_("index at {path}: cannot read its {file} file ({problem}): {hint}").format(
            path=index_dir, file=POINTER_FILE, problem=exc, hint=rebuild_hint(index_dir))) from None
    match = _GENERATION.match(name)
    if not match:
        raise IndexDamagedError(_("index at {path}: its {file} file names no generation: {hint}").format(
            path=index_dir, file=POINTER_FILE, hint=rebuild_hint(index_dir)))
    return Generation(int(match.group(1)), index_dir / name)


def exists(index_dir: Path) -> bool:
    """Whether a svar index has been created in this folder (opening it may still find it damaged)."""
    try:
        return live_generation(index_dir) is not None
    except IndexDamagedError:
        return True


def open_existing(index_dir: Path, *, preload: bool = False) -> "LiveIndex":
    """Open an index for reading or writing, or say clearly why it cannot be opened.

    The segment files are opened once here, so a damaged index is reported now, not at the first search.
    ``preload``: see LiveIndex.
    """
    generation = live_generation(index_dir) if index_dir.is_dir() else None
    if generation is None:
        raise IndexMissingError(_("no index at {path}: make one from the answers' files or folders: "
                                  "svar index PATH… --index {path}").format(path=index_dir))
    ix = LiveIndex(index_dir, generation, preload=preload)
    if preload:
        # A long-lived index: its searcher opens its own reader when it is first needed.
        ix.reader().close()
    else:
        ix.keep_first_reader()
    return ix


def open_or_create(index_dir: Path, *, preload: bool = False) -> "LiveIndex":
    """Open the index, creating an empty one (under the write lock) if the folder holds none."""
    if not exists(index_dir):
        from .locking import WriteLock  # (see clean)

        with WriteLock(index_dir):
            if not exists(index_dir):  # another process may have created it while we waited
                return create(index_dir, preload=preload)
    return open_existing(index_dir, preload=preload)


def create(index_dir: Path, *, preload: bool = False) -> "LiveIndex":
    """Create an empty index in a folder that holds none. The caller holds the write lock."""
    publish(index_dir, new_generation(index_dir))
    return open_existing(index_dir, preload=preload)


def new_generation(index_dir: Path) -> Generation:
    """An empty index in a new generation folder, not yet live. The caller holds the write lock.

    Its Whoosh generation numbers continue from the live index's, so that a searcher still open on
    the old generation notices the swap (Whoosh refreshes a searcher when the number changes).
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    live = _safe_live(index_dir)
    number = max([*_generation_numbers(index_dir), live.number if live else 0]) + 1
    generation = Generation(number, index_dir / generation_name(number))
    generation.path.mkdir()
    try:
        start = _latest_toc(live.path) + 1 if live else 0
        whoosh_compat.write_empty_toc(FileStorage(str(generation.path)), build_schema(), INDEX_NAME, start)
        (generation.path / VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}) + "\n",
                                                    encoding="utf-8")
    except BaseException:  # a full disk, say: no half-made generation is left behind
        shutil.rmtree(generation.path, ignore_errors=True)
        raise
    return generation


class _GenerationIndex(FileIndex):
    """A generation being built: written by svar's own writer, as the live index is (Whoosh's
    would write no term columns, and every search of the result would read Whoosh's postings)."""

    def writer(self, **kwargs):
        from .postings import TermwiseWriter

        return TermwiseWriter(self, **kwargs)


def open_generation(generation: Generation) -> FileIndex:
    """A generation that is not live yet, to build it. The caller holds the write lock."""
    return _GenerationIndex(FileStorage(str(generation.path)), indexname=INDEX_NAME)


def publish(index_dir: Path, generation: Generation) -> None:
    """Make ``generation`` the live index in one atomic step. The caller holds the write lock.

    Its files are flushed to disk first, so that not even a power cut can leave CURRENT pointing at
    a generation whose files were never written.
    """
    for path in generation.path.rglob("*"):
        if path.is_file():
            _fsync(path)
    _fsync(generation.path)
    temporary = index_dir / f".{POINTER_FILE}.{os.getpid()}"
    with open(temporary, "w", encoding="ascii") as pointer:
        pointer.write(generation_name(generation.number) + "\n")
        pointer.flush()
        os.fsync(pointer.fileno())
    os.replace(temporary, index_dir / POINTER_FILE)
    _fsync(index_dir)
    clean(index_dir)


def clean(index_dir: Path) -> None:
    """Remove what killed writers and past swaps left behind. The caller holds the write lock.

    Kept: the live generation and the one before it (a reader may have opened it just before the
    last swap). Removed: older and unpublished generations, temporary pointer and holder notes, and
    in the live generation Whoosh's temporary files and segments no commit refers to.
    """
    try:
        live = live_generation(index_dir)
    except IndexDamagedError:
        return  # only a rebuild may touch a damaged index, and it publishes before cleaning
    if live is None:
        return
    older = [n for n in _generation_numbers(index_dir) if n < live.number]
    keep = {live.number, max(older, default=0)}
    for number in _generation_numbers(index_dir):
        if number not in keep:
            shutil.rmtree(index_dir / generation_name(number), ignore_errors=True)
    if 0 not in keep:
        for path in index_dir.iterdir():
            if _LEGACY_FILES.match(path.name):
                _remove(path)
    from . import locking  # here: a search takes no lock, and need not load the module

    for path in index_dir.iterdir():
        if path.name.startswith((f".{POINTER_FILE}.", f".{locking.HOLDER_FILE}.")):
            _remove(path)
    if not live.path.is_dir():
        return  # CURRENT names a generation that is gone: opening the index reports that
    for path in live.path.iterdir():
        if (_TOC_LEFTOVER.match(path.name) or path.name == whoosh_compat.temp_folder_name(INDEX_NAME)
                or path.name.startswith(f".{DAMAGE_FILE}.")):
            _remove(path)
    storage = FileStorage(str(live.path))
    try:
        toc = whoosh_compat.latest_toc(storage, INDEX_NAME)
    except Exception:  # a damaged table of contents (many types): opening the index reports it
        return
    whoosh_compat.clean_unused_files(storage, INDEX_NAME, toc)


def disk_usage(index_dir: Path) -> tuple[int, dt.datetime | None]:
    """Bytes used by the live index and when it last changed (its latest commit)."""
    live = live_generation(index_dir)
    if live is None:
        return 0, None
    # (A svar 0.1 index shares its folder with the lock and the pointer; they are not the index.)
    from . import locking  # (see clean)

    files = [p for p in live.path.iterdir()
             if p.is_file() and p.name not in (locking.LOCK_FILE, locking.HOLDER_FILE, POINTER_FILE)]
    tocs = [p.stat().st_mtime for p in files if _TOC.match(p.name)]
    changed = dt.datetime.fromtimestamp(max(tocs)).astimezone() if tocs else None
    return sum(p.stat().st_size for p in files), changed


def check_version(generation_dir: Path, index_dir: Path | None = None) -> None:
    """Raise IndexDamagedError if the generation was built by another schema version, or reading it
    found damage before (DAMAGE_FILE). ``index_dir``: the folder users know (default: its parent)."""
    index_dir = generation_dir.parent if index_dir is None else index_dir
    try:
        recorded = json.loads((generation_dir / VERSION_FILE).read_text(encoding="utf-8"))["schema_version"]
    except (OSError, ValueError, KeyError, TypeError):
        raise IndexDamagedError(_("index at {path} has no readable version record: {hint}").format(
            path=generation_dir, hint=rebuild_hint(index_dir))) from None
    if recorded != SCHEMA_VERSION:
        raise IndexDamagedError(_("index at {path} was built by another svar version (schema {recorded}, this "
                                  "svar reads {schema}): {hint}").format(
            path=generation_dir, recorded=recorded, schema=SCHEMA_VERSION, hint=rebuild_hint(index_dir)))
    found = _recorded_damage(generation_dir, index_dir)
    if found is not None:
        raise IndexDamagedError(found)


class LiveIndex(FileIndex):
    """A Whoosh index that follows the folder's CURRENT pointer and reports damage as svar's own error.

    Searchers made from it pick up both incremental commits and swapped-in rebuilds when refreshed.

    ``preload``: a reader maps each segment and reads its parts into memory when it opens. That makes
    repeated searches faster (~20% at 1×) and opening slower (~50 ms per large segment, and the
    memory), so it suits a long-lived index (the library, the web page), not a single command.
    """

    def __init__(self, index_dir: Path, generation: Generation, *, preload: bool = False) -> None:
        self.index_dir = index_dir
        self.generation_dir = generation.path
        self.preload = preload
        self._first_reader = None  # see keep_first_reader
        self.damage: IndexDamagedError | None = None  # damage found reading this generation (read_damage)
        check_version(generation.path, index_dir)
        # What FileIndex.__init__ does, but reading the table of contents through _read_toc's retries.
        whoosh_compat.init_file_index(self, self._storage(generation.path), INDEX_NAME)
        try:
            self._read_toc()
        except Exception as exc:  # Whoosh raises many types for a damaged table of contents
            raise damaged(index_dir, exc) from exc

    def _read_toc(self):  # overrides FileIndex's (whoosh_compat.FILE_INDEX_HOOKS): writers read it too
        # Whoosh deletes a table of contents as soon as a newer commit lands, so one listed a moment
        # ago may be gone when it is opened: that is a newer commit, not damage; read the newest.
        for attempt in range(_TOC_ATTEMPTS):
            try:
                return super()._read_toc()
            except FileNotFoundError:
                if attempt == _TOC_ATTEMPTS - 1:
                    raise
                time.sleep(0.01)

    def follow(self) -> None:
        """Switch to the live generation if a rebuild has swapped in a new one; raise IndexDamagedError
        if damage was found in the one it reads (by this process or another: DAMAGE_FILE)."""
        live = live_generation(self.index_dir)
        if live is not None and live.path != self.generation_dir:
            check_version(live.path, self.index_dir)
            self.storage = self._storage(live.path)
            self.generation_dir = live.path
            self.damage = None
        if self.damage is None:
            found = _recorded_damage(self.generation_dir, self.index_dir)  # one failed open, as a search reads CURRENT anyway
            if found is not None:
                self.damage = IndexDamagedError(found)
        if self.damage is not None:
            raise self.damage

    def _storage(self, path: Path) -> FileStorage:
        # Without mmap, Whoosh reads a compound segment's parts from the file as they are needed; with
        # it, whoosh3 copies each part out of the map into memory when a reader opens.
        return FileStorage(str(path), supports_mmap=self.preload)

    def latest_generation(self) -> int:
        self.follow()
        return super().latest_generation()

    def keep_first_reader(self) -> None:
        """Open a reader now (so damage is reported at once) and hand it to the first searcher:
        opening one costs ~50 ms per segment of a large index, and a fresh `svar search` paid it twice."""
        self._first_reader = self.reader()

    def reader(self, reuse=None):
        # Never reuse: whoosh3 3.54 adds the old reader's segments to the new reader's, so a searcher
        # refreshed after a merge would see every merged document twice. The old reader is closed.
        self.follow()
        first, self._first_reader = self._first_reader, None
        if first is not None:
            if reuse is None and first.generation() == super().latest_generation():
                return first
            first.close()
        try:
            reader = super().reader()
        except Exception as exc:  # a missing or truncated segment file: OSError, struct.error, EOFError…
            raise damaged(self.index_dir, exc) from exc
        if reuse is not None:
            reuse.close()
        return reader

    def writer(self, **kwargs):
        from .postings import TermwiseWriter  # searches never load the writing code

        self.follow()
        return TermwiseWriter(self, **kwargs)


def damaged(index_dir: Path, exc: BaseException, reading: str = "") -> IndexDamagedError:
    if isinstance(exc, OSError) and exc.filename:
        detail = f"{Path(exc.filename).name}: {exc.strerror or type(exc).__name__}"
    else:  # struct.error, zlib.error and mmap.error are all called "error"
        detail = type(exc).__name__ if type(exc).__name__ != "error" else f"{type(exc).__module__}.error"
    if reading:
        detail = f"{reading}: {detail}"
    return IndexDamagedError(_("index at {path} is damaged ({detail}): {hint}").format(
        path=index_dir, detail=detail, hint=rebuild_hint(index_dir)))


def read_damage(ix: LiveIndex, exc: BaseException) -> IndexDamagedError | None:
    """The IndexDamagedError to raise for ``exc``, raised while reading ``ix``, when it is Whoosh
    failing to decode bytes of a segment (whoosh_compat.segment_damage); None for anything else.

    Certain damage is recorded in the generation (DAMAGE_FILE, where it can be written), so that
    from now on every open and search of it says so, in this process and others, until a rebuild.
    """
    if isinstance(exc, IndexDamagedError):
        return exc
    reading = whoosh_compat.segment_damage(exc)
    if reading is None:
        return None
    error = damaged(ix.index_dir, exc, reading)
    if isinstance(exc, whoosh_compat.CERTAIN_DAMAGE):
        ix.damage = error
        _record_damage(ix.generation_dir, str(error))
    return error


def _record_damage(generation_dir: Path, message: str) -> None:
    temporary = generation_dir / f".{DAMAGE_FILE}.{os.getpid()}"
    try:
        temporary.write_text(json.dumps({"message": message}, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temporary, generation_dir / DAMAGE_FILE)
    except OSError:  # a folder this user cannot write (a shared, read-only index): reported, not recorded
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass


def _recorded_damage(generation_dir: Path, index_dir: Path) -> str | None:
    """The message read_damage recorded in this generation, or None."""
    try:
        text = (generation_dir / DAMAGE_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _("index at {path} is damaged ({detail}): {hint}").format(
            path=index_dir, detail=f"{DAMAGE_FILE}: {exc.strerror}", hint=rebuild_hint(index_dir))
    try:
        message = json.loads(text)["message"]
    except (ValueError, KeyError, TypeError):
        message = None
    if not isinstance(message, str) or not message.strip():
        return _("index at {path} is damaged (see its {file}): {hint}").format(
            path=index_dir, file=DAMAGE_FILE, hint=rebuild_hint(index_dir))
    return " ".join(message.split())  # one line, whatever was written


def _safe_live(index_dir: Path) -> Generation | None:
    try:
        return live_generation(index_dir)
    except IndexDamagedError:
        return None


def _has_toc(folder: Path) -> bool:
    try:
        return any(_TOC.match(name) for name in os.listdir(folder))
    except OSError:
        return False


def _latest_toc(folder: Path) -> int:
    try:
        return max((int(m.group(1)) for m in map(_TOC.match, os.listdir(folder)) if m), default=-1)
    except OSError:
        return -1


def _generation_numbers(index_dir: Path) -> list[int]:
    try:
        names = os.listdir(index_dir)
    except OSError:
        return []
    return sorted(int(m.group(1)) for m in map(_GENERATION.match, names) if m)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync folders; the rename is still atomic
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
