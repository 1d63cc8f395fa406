"""The index folder under real-world abuse (issue 24, items 6-8): garbled bytes inside a segment, an
index folder named by $SVAR_INDEX or --index that holds no index, the demo answers in the per-user
folder, and a host program's Whoosh after importing svar."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import CorruptIndexError

from svar.index import location, store
from svar.search import IndexDamagedError, IndexMissingError, open_index
from svar.search.cli import main

from conftest import SEED_004, SEEDS

SEED_DNRS = ["KS 2026/469", "KS 2025/806", "KS 2022/65", "KS 2020/1079"]  # newest first, as `svar list` shows them


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args))


# -- 6. garbled bytes inside a segment ------------------------------------------------------------------------

def _damaged(index_dir: Path, reading: str, error: str) -> str:
    return (f"index at {index_dir} is damaged ({reading}: {error}): rebuild it from the answers' files or "
            f"folders: svar index --rebuild PATH… --index {index_dir}")


def _garble(index_dir: Path, part: str, start: int = 0, stop: int | None = None, *, zero: bool = False) -> None:
    """Flip (or zero) bytes start:stop of one part of the live segment's compound file: "_stored.col"
    holds the stored fields (the passages' text and metadata), "pst" the postings."""
    live = store.live_generation(index_dir).path
    [segment] = live.glob("*.seg")
    with FileStorage(str(live)).open_file(segment.name) as compound:
        part_bytes = CompoundStorage(compound, use_mmap=False).open_file(f"{segment.stem}.{part}").read()
    data = bytearray(segment.read_bytes())
    offset = data.find(part_bytes)
    assert offset > 0 and data.count(part_bytes) == 1
    stop = len(part_bytes) if stop is None else stop
    for i in range(offset + start, offset + stop):
        data[i] = 0 if zero else data[i] ^ 0xFF
    segment.write_bytes(bytes(data))


@pytest.fixture
def copy_index(seed_index_dir, tmp_path):
    """Copies of the seed index (27 passages, one segment; passage 1 of KS 2025/806 is stored first)."""

    def copy(name: str = "ix") -> Path:
        shutil.copytree(seed_index_dir, tmp_path / name)
        return tmp_path / name

    return copy


@pytest.fixture
def index_dir(copy_index) -> Path:
    return copy_index()


# Each reads the first stored passage (KS 2025/806's first): all of them, its answer, a word only it has.
@pytest.mark.parametrize("command", [["list"], ["show", "KS 2025/806"], ["search", "arbetsgivare"],
                                     ["search", "arbetsgivare", "--json"]])
def test_garbled_stored_fields_are_one_line_and_exit_1_from_each_command(index_dir, command):
    _garble(index_dir, "_stored.col", 2, 12)  # inside the first passage's compressed fields
    result = _invoke(*command, "--index", str(index_dir))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"svar: {_damaged(index_dir, 'stored answers', 'zlib.error')}\n"


def test_garbled_postings_are_one_line_from_a_search(index_dir):
    _garble(index_dir, "pst", zero=True)
    result = _invoke("search", "barn", "--index", str(index_dir))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"svar: {_damaged(index_dir, 'postings', 'CorruptIndexError')}\n"


def test_the_library_raises_index_damaged_error_with_the_cause(copy_index):
    stored, postings = copy_index("stored"), copy_index("postings")
    _garble(stored, "_stored.col", 2, 12)
    _garble(postings, "pst", zero=True)
    with open_index(stored) as answers:
        with pytest.raises(IndexDamagedError) as raised:
            answers.documents()
    assert str(raised.value) == _damaged(stored, "stored answers", "zlib.error")
    assert isinstance(raised.value.__cause__, zlib.error)
    with open_index(postings) as answers:
        with pytest.raises(IndexDamagedError) as raised:
            answers.search("barn")
    assert str(raised.value) == _damaged(postings, "postings", "CorruptIndexError")
    assert isinstance(raised.value.__cause__, CorruptIndexError)


def test_once_damage_is_found_every_command_and_process_says_so_until_a_rebuild(index_dir, tmp_path):
    _garble(index_dir, "_stored.col", 2, 12)
    message = f"svar: {_damaged(index_dir, 'stored answers', 'zlib.error')}\n"
    searching = open_index(index_dir)  # open before the damage is found: a long-lived index (the web page)
    # "skyddsfonden" is found in KS 2020/1079 alone, whose bytes are intact: this search reads no damage.
    assert [(h.dnr, h.passage) for h in searching.search("skyddsfonden").hits] == [("KS 2020/1079", 5)]
    listed = _invoke("list", "--index", str(index_dir))
    assert (listed.exit_code, listed.stderr) == (1, message)
    # From now on the same search, every other command (each opens the index afresh, as another
    # process does: the damage is recorded in the index) and the index opened before all say so.
    for command in (["search", "skyddsfonden"], ["show", "KS 2020/1079"], ["stats"], ["watch", "list"]):
        result = _invoke(*command, "--index", str(index_dir))
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", message), command
    with pytest.raises(IndexDamagedError) as raised:
        searching.search("skyddsfonden")
    searching.close()
    assert f"svar: {raised.value}\n" == message
    with pytest.raises(IndexDamagedError) as opened:
        open_index(index_dir)
    assert f"svar: {opened.value}\n" == message
    # Adding answers to a damaged index is refused as well; the advice works.
    (tmp_path / "in").mkdir()
    shutil.copy(SEED_004, tmp_path / "in" / "answer.txt")
    added = _invoke("index", str(tmp_path / "in"), "--index", str(index_dir))
    assert (added.exit_code, added.stderr) == (1, message)
    rebuilt = _invoke("index", "--rebuild", str(SEEDS), "--index", str(index_dir))
    assert (rebuilt.exit_code, rebuilt.stdout) == (0, "4 new, 0 updated, 0 unchanged, 0 rejected (27 passages written)\n")
    listed = _invoke("list", "--json", "--index", str(index_dir))
    assert listed.exit_code == 0
    assert [s["dnr"] for s in json.loads(listed.stdout)] == SEED_DNRS


def test_a_folder_that_cannot_record_the_damage_still_reports_it(index_dir, monkeypatch):
    _garble(index_dir, "_stored.col", 2, 12)

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refuse)  # as in a shared index this user may only read
    result = _invoke("list", "--index", str(index_dir))
    assert (result.exit_code, result.stderr) == (1, f"svar: {_damaged(index_dir, 'stored answers', 'zlib.error')}\n")
    assert sorted(p.name for p in store.live_generation(index_dir).path.iterdir() if "damaged" in p.name) == []


def test_errors_that_are_not_damage_are_not_called_damage(index_dir):
    ix = store.open_existing(index_dir)
    ix.reader().close()
    # The decoders' own error types, raised outside Whoosh's decoding (here: by the caller).
    for error in (zlib.error("not from Whoosh"), ValueError("a bug"), KeyError("dnr"), CorruptIndexError("?")):
        try:
            raise error
        except Exception as exc:
            assert store.read_damage(ix, exc) is None
    assert not (store.live_generation(index_dir).path / store.DAMAGE_FILE).exists()
    with open_index(index_dir) as answers:
        assert answers.search("skyddsfonden").total == 1


# -- 7. $SVAR_INDEX and --index are never seeded; the demo answers leave the per-user folder ------------------

@pytest.fixture
def user_folder(tmp_path, monkeypatch) -> Path:
    """The per-user index folder (the user's data folder), here a fresh temporary one; no $SVAR_INDEX."""
    folder = tmp_path / "user-data" / "svar" / "index"
    monkeypatch.setattr(location, "user_index_dir", lambda: folder)
    monkeypatch.delenv("SVAR_INDEX", raising=False)
    return folder


def _no_index(folder: Path) -> str:
    return f"svar: no index at {folder}: make one from the answers' files or folders: svar index PATH… --index {folder}\n"


@pytest.mark.parametrize("command", [["search", "barn"], ["list"], ["show", "KS 2020/1079"], ["stats"],
                                     ["watch", "list"], ["watch", "add", "fh", "familjehem"]])
def test_svar_index_naming_a_folder_without_an_index_says_how_to_make_one_and_creates_nothing(
        user_folder, tmp_path, monkeypatch, command):
    missing = tmp_path / "mine" / "index"  # e.g. the first `svar index` was killed before it made one
    monkeypatch.setenv("SVAR_INDEX", str(missing))
    result = _invoke(*command)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", _no_index(missing))
    assert not (tmp_path / "mine").exists() and not user_folder.exists()


def test_index_naming_an_empty_folder_says_how_to_make_one_and_leaves_it_empty(user_folder, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _invoke("search", "barn", "--index", str(empty))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", _no_index(empty))
    assert list(empty.iterdir()) == [] and not user_folder.exists()
    with pytest.raises(IndexMissingError) as raised:
        open_index(empty)
    assert f"svar: {raised.value}\n" == _no_index(empty)


def test_the_per_user_folder_alone_gets_the_demo_answers(user_folder, monkeypatch):
    building = (f"svar: no index yet at {user_folder}; building it from the bundled seed answers "
                f"(they leave when you index your own: svar index PATH…)\n")
    first = _invoke("search", "skyddsfonden", "--count")
    assert (first.exit_code, first.stdout, first.stderr) == (0, "1\n", building)
    with open_index(user_folder) as answers:
        assert [s.dnr for s in answers.documents()] == SEED_DNRS
    # Named by $SVAR_INDEX or --index (through another spelling of the path), it is the same folder.
    monkeypatch.setenv("SVAR_INDEX", str(user_folder / ".." / "index"))
    assert _invoke("search", "skyddsfonden", "--count").stderr == ""


def test_indexing_your_own_answers_into_the_per_user_folder_makes_the_demo_answers_leave(user_folder, tmp_path):
    assert _invoke("search", "barn").exit_code == 0  # builds the demo
    own = tmp_path / "answers"
    own.mkdir()
    # One of the user's files is a copy of a seed (the same Dnr and text): without the demo answers
    # leaving first, it would be rejected as a Dnr another file already supplied.
    shutil.copy(SEED_004, own / SEED_004.name)
    (own / "ny.txt").write_text(SEED_004.read_text(encoding="utf-8").replace("Dnr KS 2020/1079", "Dnr KS 2027/1"),
                                encoding="utf-8")
    indexed = _invoke("index", str(own))
    assert (indexed.exit_code, indexed.stdout) == (0, "2 new, 0 updated, 0 unchanged, 0 rejected (16 passages written)\n")
    assert indexed.stderr == (f"svar: the bundled demo answers left the index ({', '.join(sorted(SEED_DNRS))}): "
                              f"it holds your own from now on\n")
    listed = json.loads(_invoke("list", "--json").stdout)
    assert [(s["dnr"], s["source"]) for s in listed] == [("KS 2027/1", str(own / "ny.txt")),
                                                         ("KS 2020/1079", str(own / SEED_004.name))]
    # The user's copy of a seed is theirs: the next run leaves it alone.
    again = _invoke("index", str(own))
    assert (again.exit_code, again.stdout, again.stderr) == (0, "0 new, 0 updated, 2 unchanged, 0 rejected "
                                                                "(0 passages written)\n", "")


def test_answers_indexed_into_another_folder_leave_its_seeds_alone(user_folder, tmp_path):
    mine = tmp_path / "mine"
    assert _invoke("index", "--index", str(mine)).exit_code == 0  # the seeds, asked for
    own = tmp_path / "answers"
    own.mkdir()
    (own / "ny.txt").write_text(SEED_004.read_text(encoding="utf-8").replace("Dnr KS 2020/1079", "Dnr KS 2027/1"),
                                encoding="utf-8")
    indexed = _invoke("index", str(own), "--index", str(mine))
    assert (indexed.exit_code, indexed.stderr) == (0, "")
    with open_index(mine) as answers:  # KS 2027/1 is dated as KS 2020/1079, the seed it copies
        assert [s.dnr for s in answers.documents()] == ["KS 2026/469", "KS 2025/806", "KS 2022/65", "KS 2027/1",
                                                        "KS 2020/1079"]
    assert not user_folder.exists()


# -- 8. importing svar leaves Whoosh as it is -------------------------------------------------------------------

VARIATIONS = ["render", "rendering", "renderinged", "renderinger", "renderingers", "renderingest", "renderingful",
              "renderinging", "renderingings", "renderingless", "renderingly", "renderingment", "renderingments",
              "renderingness", "renderingnesses", "renderings"]


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout


def test_whoosh_english_morphology_works_after_importing_svar(seed_index_dir):
    call = ("import whoosh.lang.morph_en\n"
            "print(sorted(whoosh.lang.morph_en.variations('rendering')))\n"
            "print('__file__' in vars(whoosh.lang.morph_en))\n")
    without_svar = _python(call)
    assert without_svar == f"{VARIATIONS}\nTrue\n"
    # After importing svar, and after a search (which imports whoosh.query, and it morph_en).
    assert _python("import svar.index, svar.search\n" + call) == without_svar
    searched = (f"from svar.search import open_index\n"
                f"with open_index({str(seed_index_dir)!r}) as answers:\n"
                f"    assert answers.search('familjehem').total == 3\n")
    assert _python(searched + call) == without_svar
