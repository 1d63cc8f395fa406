"""Bad input, hostile queries and damaged indexes: one clear message, never a traceback, nothing lost."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svar.index import store
from svar.search import FilterError, IndexDamagedError, SearchResult, open_index
from svar.search.cli import main
from svar.search.library import rebuild_index, update_index

from generated import answer_text, pdf_bytes, write_answers


def _rebuild(index_dir: Path) -> str:
    return f"rebuild it from the answers' files or folders: svar index --rebuild PATH… --index {index_dir}"


# -- bad input -------------------------------------------------------------------------------------

def _snapshot(index_dir: Path) -> dict:
    with open_index(index_dir) as answers:
        return {s.dnr: answers.document(s.dnr) for s in answers.documents()}


def test_bad_files_are_each_named_once_and_the_rest_is_indexed(runner, tmp_path):
    index_dir = tmp_path / "ix"
    write_answers(tmp_path / "before", [0, 1])
    update_index(index_dir, [tmp_path / "before"])
    before = _snapshot(index_dir)

    folder = tmp_path / "in"
    write_answers(folder, [2])
    (folder / "empty.txt").write_text("   \n\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "shopping.txt").write_text("Inköpslista\n\nMjölk, bröd och ost.\n", encoding="utf-8")
    with open(folder / "huge.txt", "wb") as huge:  # 50 MB (sparse: the size alone rejects it)
        huge.truncate(50 * 1024 * 1024)
    (folder / "truncated.pdf").write_bytes(pdf_bytes(answer_text(3))[:5000])
    (folder / "encrypted.pdf").write_bytes(pdf_bytes(answer_text(3), encrypt_user="hemligt"))
    # A title but no Dnr: indexed under the file name, with a warning (the documented policy).
    (folder / "utan-dnr.txt").write_text(answer_text(5).replace("Dnr KS 2031/5", ""), encoding="utf-8")
    # Mixed encodings: a UTF-8 title and Dnr pasted onto a cp1252 body.
    text = answer_text(6)
    head, body = text[: text.index("Dnr KS 2031/6") + 14], text[text.index("Dnr KS 2031/6") + 14:]
    (folder / "mixed.txt").write_bytes(head.encode("utf-8") + body.encode("cp1252"))
    (folder / "windows-unicode.txt").write_bytes(answer_text(7).encode("utf-16"))

    result = runner.invoke(main, ["index", str(folder), "--index", str(index_dir)])
    assert result.exit_code == 1
    assert result.stdout == "4 new, 0 updated, 0 unchanged, 6 rejected (31 passages written)\n"
    assert sorted(result.stderr.splitlines()) == sorted([
        f"svar: rejected: {folder / 'binary.txt'}: a binary file, not a text export of an answer",
        f"svar: rejected: {folder / 'empty.txt'}: the file is empty",
        f"svar: rejected: {folder / 'encrypted.pdf'}: an encrypted PDF that needs a password; "
        "save an unencrypted copy and index that",
        f"svar: rejected: {folder / 'huge.txt'}: 50 MB is too large for an answer (limit 20 MB)",
        f"svar: rejected: {folder / 'shopping.txt'}: not an interpellation answer "
        "(no 'Svar på interpellation …' title and no Dnr)",
        f"svar: rejected: {folder / 'truncated.pdf'}: a truncated PDF (it does not end with %%EOF); "
        "copy the whole file again",
        f"svar: warning: {folder / 'utan-dnr.txt'}: no diary number (Dnr) found",
        f"svar: warning: {folder / 'utan-dnr.txt'}: indexed as 'FIL utan-dnr'",
    ])
    after = _snapshot(index_dir)
    assert sorted(after) == ["FIL utan-dnr", "KS 2031/0", "KS 2031/1", "KS 2031/2", "KS 2031/6", "KS 2031/7"]
    assert all(after[dnr] == document for dnr, document in before.items())  # the index as it was, plus
    # Both encodings read right: the same passages as from the all-UTF-8 file.
    write_answers(tmp_path / "utf8", [6, 7])
    update_index(tmp_path / "utf8-ix", [tmp_path / "utf8"])
    utf8 = _snapshot(tmp_path / "utf8-ix")
    for dnr in ("KS 2031/6", "KS 2031/7"):
        assert after[dnr].passages == utf8[dnr].passages
        assert after[dnr].summary.interpellant == utf8[dnr].summary.interpellant
    assert after["KS 2031/6"].summary.interpellant.name == "Andréa Hedin"


# -- hostile queries -------------------------------------------------------------------------------

OPERATORS = ["AND", "OR", "NOT", "OCH", "ELLER", "INTE", "(", ")", '"', "*", "-", "+", ":", "title:",
             "dnr:", "foo:", "body:barn", "*:*", "\\", "[", "]", "{", "}", "^", "~", "?"]
WORDS = ["barn", "familjehem", "besök", "placering*", "och", "att", "Å", "ä", "ö", "KS", "2022/65", "ß", "İ"]
queries = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(OPERATORS + WORDS) | st.text(max_size=8), max_size=12).map(" ".join),
    st.lists(st.sampled_from(OPERATORS + WORDS), max_size=12).map("".join),
)
dates = st.one_of(st.none(), st.text(max_size=12), st.dates().map(dt.date.isoformat), st.dates(),
                  st.integers(-10, 10_000).map(str))
names = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["Andréa Hedin", "jönsson", "V", "M", " "]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=queries, party=names, interpellant=names, respondent=names, since=dates, until=dates,
       year=st.none() | st.integers(-5, 20_000), dnr=names, limit=st.integers(1, 50), offset=st.integers(-3, 50))
def test_any_query_and_filters_give_results_or_a_filter_error(seed_index, text, party, interpellant, respondent,
                                                              since, until, year, dnr, limit, offset):
    try:
        result = seed_index.search(text, party=party, interpellant=interpellant, respondent=respondent,
                                   since=since, until=until, year=year, dnr=dnr, limit=limit, offset=offset)
    except FilterError as exc:
        assert exc.field in ("since", "until", "year") and str(exc).startswith(exc.field + " ")
        return
    assert isinstance(result, SearchResult)
    assert len(result.hits) <= limit and result.total >= len(result.hits)
    for hit in result.hits:
        assert all(0 <= s < e <= len(hit.snippet) for s, e in hit.highlights)


@pytest.mark.parametrize("text", [
    "barn " * 2000,  # 10,000 characters
    "x" * 10_000,
    " ".join(f"ord{i}" for i in range(1400)),
    "och att det som en på är av för",  # only stop words
    "AND", "OR", "NOT", "(", ")", '"', "*", "-", "()", '""', "AND OR NOT", "((((", "))))", "-*",
    "foo:bar", "title:barn", "dnr:\"KS 2022/65\"", "nosuchfield:familjehem", ":", "*:*",
    "\x00", "\ud800", "\U0001f600 barn", "\u200b\u00ad", "ﬁ", "barn\nfamiljehem\tbesök",
])
def test_hostile_queries_never_raise(seed_index, text):
    result = seed_index.search(text, limit=3)
    assert result.query == text and result.total >= len(result.hits)


def test_a_limit_of_zero_gives_the_total_and_no_hits(seed_index):
    result = seed_index.search("barn", limit=0)
    assert (result.hits, result.total) == ([], seed_index.search("barn").total)


def test_stop_words_and_unknown_fields_find_what_they_should(seed_index):
    assert seed_index.search("och att det som").total == 0
    # An unknown field name is just a word; the word after it is still searched.
    assert seed_index.search("nosuchfield:skyddsfonden").total == seed_index.search("skyddsfonden").total == 1


# -- damaged and incompatible indexes --------------------------------------------------------------

@pytest.fixture
def small_index(tmp_path):
    write_answers(tmp_path / "in", [0, 1])
    update_index(tmp_path / "ix", [tmp_path / "in"])
    return tmp_path / "ix"


def _segment(index_dir: Path) -> Path:
    [segment] = store.live_generation(index_dir).path.glob("*.seg")
    return segment


DAMAGES = {
    "truncated segment": lambda ix: _segment(ix).write_bytes(_segment(ix).read_bytes()[:50_000]),
    "empty segment": lambda ix: _segment(ix).write_bytes(b""),
    "missing segment": lambda ix: _segment(ix).unlink(),
    "garbage table of contents": lambda ix: next(store.live_generation(ix).path.glob("*.toc")).write_bytes(b"\x00" * 64),
    "pointer to nowhere": lambda ix: (ix / "CURRENT").write_text("gen-000009\n"),
    "garbled pointer": lambda ix: (ix / "CURRENT").write_text("\x00\x01"),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_index_says_run_rebuild_on_open_on_search_and_in_the_cli(runner, small_index, damage):
    answers = open_index(small_index)  # opened while intact; its first search comes after the damage
    DAMAGES[damage](small_index)
    with pytest.raises(IndexDamagedError) as searched:
        answers.search("barn")
    answers.close()
    assert re.fullmatch(rf"index at {re.escape(str(small_index))}.*: {re.escape(_rebuild(small_index))}",
                        str(searched.value))
    with pytest.raises(IndexDamagedError) as opened:
        open_index(small_index)
    assert str(opened.value).endswith(_rebuild(small_index)) and str(small_index) in str(opened.value)
    result = runner.invoke(main, ["search", "barn", "--index", str(small_index)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"svar: {opened.value}\n"
    assert "Traceback" not in result.output
    # And the advice works.
    rebuilt = runner.invoke(main, ["index", "--rebuild", str(small_index.parent / "in"), "--index", str(small_index)])
    assert (rebuilt.exit_code, rebuilt.stdout) == (0, "2 new, 0 updated, 0 unchanged, 0 rejected (10 passages written)\n")
    assert runner.invoke(main, ["search", "barn", "--index", str(small_index)]).exit_code == 0


def test_an_index_of_another_schema_version_says_rebuild(runner, small_index):
    version_file = store.live_generation(small_index).path / store.VERSION_FILE
    version_file.write_text(json.dumps({"schema_version": 1}), encoding="utf-8")
    result = runner.invoke(main, ["search", "barn", "--index", str(small_index)])
    assert result.exit_code == 1
    assert result.stderr == (f"svar: index at {version_file.parent} was built by another svar version "
                             f"(schema 1, this svar reads {store.SCHEMA_VERSION}): {_rebuild(small_index)}\n")
    # An update refuses too (it would mix two schemas); a rebuild replaces it.
    update = runner.invoke(main, ["index", str(small_index.parent / "in"), "--index", str(small_index)])
    assert update.exit_code == 1 and update.stderr == result.stderr
    assert rebuild_index(small_index, [small_index.parent / "in"]).new == ["KS 2031/0", "KS 2031/1"]
    assert runner.invoke(main, ["search", "barn", "--index", str(small_index)]).exit_code == 0


def test_an_index_in_the_old_single_folder_layout_is_read_and_moved_by_a_rebuild(small_index):
    # svar 0.1 wrote the Whoosh files straight into the index folder.
    live = store.live_generation(small_index).path
    for path in live.iterdir():
        shutil.move(str(path), small_index / path.name)
    live.rmdir()
    (small_index / "CURRENT").unlink()
    with open_index(small_index) as answers:
        assert [s.dnr for s in answers.documents()] == ["KS 2031/0", "KS 2031/1"]
    rebuild_index(small_index, [small_index.parent / "in"])
    rebuild_index(small_index, [small_index.parent / "in"])  # the old layout is the previous generation until now
    assert sorted(p.name for p in small_index.iterdir()) == ["CURRENT", "gen-000001", "gen-000002", "write.lock"]
    with open_index(small_index) as answers:
        assert [s.dnr for s in answers.documents()] == ["KS 2031/0", "KS 2031/1"]


def test_an_index_folder_that_cannot_be_written_is_one_clear_message(runner, tmp_path):
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    target = tmp_path / "a-file" / "ix"
    result = runner.invoke(main, ["index", "--index", str(target)])
    assert (result.exit_code, result.stderr) == (1, f"svar: cannot write to the index at {target}: Not a directory\n")
