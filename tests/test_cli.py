"""The `svar` command through click's CliRunner: output, JSON shape, errors and exit codes."""

import pytest
import json

from svar.search.cli import main

from conftest import SEED_001, SEED_004, SEEDS

HIT_KEYS = {"rank", "score", "dnr", "passage", "kind", "title", "topic", "date", "interpellant", "respondent",
            "question_number", "question", "text", "parts", "snippet", "highlights", "speaker", "source",
            "matching_passages"}


def test_first_search_builds_the_default_index_from_the_seeds(runner):
    result = runner.invoke(main, ["search", "fyra besök familjehem"])
    assert result.exit_code == 0
    assert "building it from the bundled seed answers" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "3 passages match 'fyra besök familjehem' (showing 1–3)"
    assert lines[2].startswith(" 1. KS 2020/1079 · 2021-04-06 · Alexandra Mattsson Åkerström (V) → "
                               "socialborgarrådet Jan Jönsson (L)")
    assert lines[4].startswith("    Question 1: På vilket sätt ämnar du säkerställa")
    again = runner.invoke(main, ["search", "familjehem"])
    assert "building" not in again.stderr


def test_search_json_shape(runner):
    result = runner.invoke(main, ["search", "skyddsfonden", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"query", "total", "total_exact", "hits", "suggestion", "fuzzy", "compounds", "parts_too",
                         "related", "facets", "reason"}
    assert (data["query"], data["total"], data["suggestion"], data["fuzzy"]) == ("skyddsfonden", 1, None, None)
    hit = data["hits"][0]
    assert set(hit) == HIT_KEYS
    assert hit["dnr"] == "KS 2020/1079" and hit["passage"] == 5 and hit["kind"] == "answer"
    assert hit["date"] == "2021-04-06"
    assert hit["interpellant"] == {"name": "Alexandra Mattsson Åkerström", "party": "V"}
    assert hit["respondent"] == {"name": "Jan Jönsson", "party": "L", "role": "socialborgarrådet"}
    assert hit["question_number"] == 1
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "skyddsfonden"


def test_plain_output_has_no_colour_codes_when_not_a_terminal(runner):
    result = runner.invoke(main, ["search", "placering"])
    assert "\x1b[" not in result.stdout


def test_suggestion_is_printed_for_a_strict_search(runner):
    result = runner.invoke(main, ["search", "familjehem besk", "--strict"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "Did you mean: familjehem besök"


def test_unknown_words_are_searched_as_similar_indexed_words(runner):
    result = runner.invoke(main, ["search", "diskriminring"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Not in the index, searched as similar words: diskriminring → diskriminering"
    data = json.loads(runner.invoke(main, ["search", "diskriminring", "--json"]).stdout)
    assert data["fuzzy"] == {"diskriminring": ["diskriminering"]}
    assert data["suggestion"] == "diskriminering"
    # The word is in the title, so every passage but the closing matches.
    assert data["total"] == 4 and {h["dnr"] for h in data["hits"]} == {"KS 2022/65"}


def test_a_name_searched_as_similar_words_is_said(runner, seed_index_dir):
    def search(*args):
        result = runner.invoke(main, ["search", *args, "--index", str(seed_index_dir)])
        assert result.exit_code == 0, result.output
        return result.stdout

    # Nothing else in the query matches, so the name is searched as the closest indexed word.
    assert search("Zlatan Esmerelda").splitlines()[:2] == [
        "Not in the index, searched as similar words: Esmerelda → esmeralda", "1 passage matches 'Zlatan Esmerelda' (showing 1–1)"]
    data = json.loads(search("Zlatan Esmerelda", "--json"))
    assert (data["fuzzy"], data["suggestion"], data["total"]) == ({"Esmerelda": ["esmeralda"]}, "Zlatan esmeralda", 1)
    # Beside a word that matches it is left alone, unless a similar word is written as a name too.
    assert search("socialtjänsten Tesla").splitlines()[:2] == [
        "Did you mean: socialtjänsten hela", "18 passages match 'socialtjänsten Tesla' (showing 1–10)"]
    data = json.loads(search("socialtjänsten Tesla", "--json"))
    assert (data["fuzzy"], data["suggestion"], data["total"]) == (None, "socialtjänsten hela", 18)
    assert search("socialtjänsten Esmerelda").splitlines()[:2] == [
        "Not in the index, searched as similar words: Esmerelda → esmeralda",
        "19 passages match 'socialtjänsten Esmerelda' (showing 1–10)"]


def test_no_fuzzy_searches_no_similar_words(runner, seed_index_dir):
    result = runner.invoke(main, ["search", "diskriminring", "--no-fuzzy", "--index", str(seed_index_dir)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["Did you mean: diskriminering", "No passages match 'diskriminring'."]
    data = json.loads(runner.invoke(main, ["search", "diskriminring familjehem", "--no-fuzzy", "--json",
                                           "--index", str(seed_index_dir)]).stdout)
    assert (data["fuzzy"], data["suggestion"], data["total"]) == (None, "diskriminering familjehem", 3)


def test_filters_as_options(runner):
    result = runner.invoke(main, ["search", "socialtjänsten", "--party", "M", "--since", "2026-01-01", "--json"])
    data = json.loads(result.stdout)
    assert {h["dnr"] for h in data["hits"]} == {"KS 2026/469"}
    result = runner.invoke(main, ["search", "barn", "--interpellant", "andrea hedin", "--limit", "50", "--json"])
    assert {h["dnr"] for h in json.loads(result.stdout)["hits"]} == {"KS 2025/806", "KS 2026/469"}


def test_show_list_stats(runner):
    show = runner.invoke(main, ["show", "KS 2022/65", "--json"])
    assert show.exit_code == 0
    document = json.loads(show.stdout)
    assert document["dnr"] == "KS 2022/65" and document["date"] == "2022-03-22"
    assert [(p["kind"], p["question_number"]) for p in document["passages"]] == [
        ("preamble", None), ("answer", 1), ("answer", 2), ("answer", 3), ("closing", None)]
    assert set(document["passages"][1]) >= HIT_KEYS - {"rank", "score", "snippet", "highlights", "speaker",
                                                        "matching_passages"}
    listing = runner.invoke(main, ["list", "--json"])
    assert [d["dnr"] for d in json.loads(listing.stdout)] == ["KS 2026/469", "KS 2025/806", "KS 2022/65", "KS 2020/1079"]
    stats = json.loads(runner.invoke(main, ["stats", "--json"]).stdout)
    assert (stats["documents"], stats["passages"], stats["schema_version"]) == (4, 27, 6)
    assert stats["size_bytes"] > 0


def test_index_reports_new_updated_unchanged(runner, tmp_path):
    target = tmp_path / "ix"
    first = runner.invoke(main, ["index", str(SEED_001), str(SEED_004), "--index", str(target)])
    assert first.exit_code == 0
    assert first.stdout.strip() == "2 new, 0 updated, 0 unchanged, 0 rejected (13 passages written)"
    changed = tmp_path / "004.txt"
    changed.write_text(SEED_004.read_text(encoding="utf-8").replace("250 miljoner", "300 miljoner"), encoding="utf-8")
    # The same dnr from another file whose original still exists is a conflict, not an overwrite.
    conflict = runner.invoke(main, ["index", str(SEEDS), str(changed), "--index", str(target)])
    assert conflict.exit_code == 1
    assert conflict.stdout.strip() == "2 new, 0 updated, 2 unchanged, 1 rejected (14 passages written)"
    assert "Dnr KS 2020/1079 is already indexed from" in conflict.stderr


def test_index_updates_a_changed_file_by_dnr(runner, tmp_path):
    answer = tmp_path / "answer.txt"
    answer.write_text(SEED_004.read_text(encoding="utf-8"), encoding="utf-8")
    target = str(tmp_path / "ix")
    runner.invoke(main, ["index", str(answer), "--index", target])
    answer.write_text(answer.read_text(encoding="utf-8").replace("250 miljoner", "300 miljoner"), encoding="utf-8")
    result = runner.invoke(main, ["index", str(answer), "--index", target])
    assert result.stdout.strip() == "0 new, 1 updated, 0 unchanged, 0 rejected (8 passages written)"
    stats = json.loads(runner.invoke(main, ["stats", "--json", "--index", target]).stdout)
    assert (stats["documents"], stats["passages"]) == (1, 8)
    found = json.loads(runner.invoke(main, ["search", '"300 miljoner"', "--json", "--index", target]).stdout)
    assert found["total"] == 1
    assert json.loads(runner.invoke(main, ["search", '"250 miljoner"', "--json", "--index", target]).stdout)["total"] == 0


def test_remove(runner):
    runner.invoke(main, ["index"])
    result = runner.invoke(main, ["remove", "ks 2022/65"])
    assert (result.exit_code, result.stdout) == (0, "removed KS 2022/65\n")
    missing = runner.invoke(main, ["remove", "KS 2022/65"])
    assert missing.exit_code == 1
    assert missing.stderr == "svar: no answer with Dnr 'KS 2022/65' in the index\n"
    stats = json.loads(runner.invoke(main, ["stats", "--json"]).stdout)
    assert stats["documents"] == 3


def test_errors_are_one_line_and_non_zero(runner, tmp_path):
    cases = [
        (["search", "barn", "--index", str(tmp_path / "nowhere")],
         f"svar: no index at {tmp_path / 'nowhere'}: make one from the answers' files or folders: "
         f"svar index PATH… --index {tmp_path / 'nowhere'}\n"),
        (["show", "KS 1999/1"], None),
        (["index", str(tmp_path / "missing.txt")], None),
    ]
    for args, expected in cases:
        result = runner.invoke(main, args)
        assert result.exit_code == 1, args
        assert "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) >= 1
        if expected is not None:
            assert result.stderr == expected
    show = runner.invoke(main, ["show", "KS 1999/1"])
    assert show.stderr.startswith("svar: no answer with Dnr 'KS 1999/1' in the index at ")


@pytest.mark.parametrize(("args", "message"), [
    (["search", "barn", "--year", "abc"], "svar: --year 'abc': give a four-digit year (see: svar search --help)"),
    (["search", "barn", "--since", "2022-02-30"],
     "svar: --since '2022-02-30': no such date; use YYYY-MM-DD (see: svar search --help)"),
    (["search", "barn", "--since", "2023", "--until", "2022"],
     "svar: --since '2023': later than --until '2022': nothing can match (see: svar search --help)"),
    (["search", "barn", "--kind", "intro"], "svar: Invalid value for '--kind': 'intro' is not one of 'preamble', "
                                            "'answer', 'closing', 'debate' (see: svar search --help)"),
    (["search", "barn", "--colour", "red"], "svar: No such option '--colour'. Did you mean '--count'? (see: svar search --help)"),
    (["search"], "svar: Missing argument 'QUERY' (see: svar search --help)"),
    (["serach", "barn"], "svar: No such command 'serach'. Did you mean 'search'? (see: svar --help)"),
    (["--bogus"], "svar: No such option '--bogus' (see: svar --help)"),
    (["watch", "add", "n", "barn", "--year", "20"], "svar: --year '20': give a four-digit year (see: svar watch add --help)"),
])
def test_usage_errors_are_one_line_with_the_help_to_read_and_exit_2(runner, args, message):
    """A bad option or filter value: exit 2, as click's usage errors; nothing is opened or written."""
    result = runner.invoke(main, args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")


def test_unreadable_files_are_rejected_and_the_rest_indexed(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (folder / "note.txt").write_text("Inköpslista: mjölk, bröd.", encoding="utf-8")
    (folder / "answer.txt").write_text(SEED_001.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(main, ["index", str(folder), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert result.stdout.strip() == "1 new, 0 updated, 0 unchanged, 3 rejected (5 passages written)"
    assert sorted(result.stderr.splitlines()) == sorted([
        f"svar: rejected: {folder / 'binary.txt'}: a binary file, not a text export of an answer",
        f"svar: rejected: {folder / 'empty.txt'}: the file is empty",
        f"svar: rejected: {folder / 'note.txt'}: not an interpellation answer "
        "(no 'Svar på interpellation …' title and no Dnr)",
    ])


def test_index_option_before_the_command(runner, tmp_path):
    target = str(tmp_path / "ix")
    assert runner.invoke(main, ["--index", target, "index"]).exit_code == 0
    result = runner.invoke(main, ["--index", target, "stats", "--json"])
    assert json.loads(result.stdout)["path"] == target


def test_python_dash_m_runs_the_command():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "svar.search", "--version"], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "svar, version 0.1.0\n")


def test_the_garbage_collector_is_off_for_a_search_on_for_indexing_and_restored_after(runner, tmp_path,
                                                                                      monkeypatch):
    import gc

    from svar.search import library, updating

    seen: dict[str, bool] = {}
    search, update = library.AnswerIndex.search, updating.update_index

    def spy_search(self, *args, **kwargs):
        seen["search"] = gc.isenabled()
        return search(self, *args, **kwargs)

    def spy_update(*args, **kwargs):
        seen["index"] = gc.isenabled()
        return update(*args, **kwargs)

    monkeypatch.setattr(library.AnswerIndex, "search", spy_search)
    monkeypatch.setattr(updating, "update_index", spy_update)
    index_dir = str(tmp_path / "index")
    assert runner.invoke(main, ["index", str(SEED_001), "--index", index_dir]).exit_code == 0
    assert gc.isenabled()
    assert runner.invoke(main, ["search", "familjehem", "--index", index_dir]).exit_code == 0
    assert gc.isenabled()
    assert seen == {"index": True, "search": False}
