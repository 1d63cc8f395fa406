"""The research workflow: facets, grouping, sorting, paging, saved searches with alerts, export."""

import csv
import io
import json

import pytest

from svar.search.cli import main

from conftest import SEED_004

FACET_FILTERS = {"party": "party", "respondent": "respondent", "year": "year", "kind": "kind"}


def test_facet_counts_on_the_seeds(seed_index):
    result = seed_index.search("socialtjänsten", facets=True, limit=1)
    assert result.total == 18
    assert result.facets == {
        "party": {"L": 9, "M": 9, "S": 9, "V": 9},
        "respondent": {"Alexander Ojanne": 9, "Jan Jönsson": 9},
        "year": {"2021": 5, "2026": 5, "2022": 4, "2025": 4},
        "kind": {"answer": 10, "preamble": 8},
    }


@pytest.mark.parametrize("query", ["socialtjänsten", "barn", "familjehem", "insatser placering"])
def test_filtering_by_a_facet_value_returns_exactly_its_count(seed_index, query):
    facets = seed_index.search(query, facets=True).facets
    for name, counts in facets.items():
        for value, count in counts.items():
            narrowed = seed_index.search(query, limit=1, **{FACET_FILTERS[name]: int(value) if name == "year" else value})
            assert narrowed.total == count, (name, value)


def test_facets_follow_the_filters(seed_index):
    result = seed_index.search("socialtjänsten", party="M", facets=True)
    assert result.facets["respondent"] == {"Alexander Ojanne": 9}
    assert result.facets["year"] == {"2026": 5, "2025": 4}


def test_by_document_gives_one_row_per_answer_with_its_matching_passages(seed_index):
    result = seed_index.search("socialtjänsten", by_document=True)
    assert result.total == 4
    assert [(h.dnr, h.passage, h.matching_passages) for h in result.hits] == [
        ("KS 2022/65", 4, 4), ("KS 2020/1079", 6, 5), ("KS 2025/806", 3, 4), ("KS 2026/469", 7, 5)]
    assert sum(h.matching_passages for h in result.hits) == seed_index.search("socialtjänsten").total


def test_sorting_by_date(seed_index):
    newest = seed_index.search("socialtjänsten", sort="newest", by_document=True)
    assert [h.dnr for h in newest.hits] == ["KS 2026/469", "KS 2025/806", "KS 2022/65", "KS 2020/1079"]
    oldest = seed_index.search("socialtjänsten", sort="oldest", limit=100)
    dates = [h.date for h in oldest.hits]
    assert dates == sorted(dates) and len(dates) == 18


def test_paging_by_document_and_sorted(seed_index):
    everything = [h.dnr for h in seed_index.search("barn", sort="newest", by_document=True).hits]
    pages = [h.dnr for offset in (0, 2) for h in
             seed_index.search("barn", sort="newest", by_document=True, limit=2, offset=offset).hits]
    assert pages == everything


def test_cli_facets_grouping_and_sort(runner):
    result = runner.invoke(main, ["search", "socialtjänsten", "--facets", "--by-document", "--sort", "oldest",
                                  "--limit", "2"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "4 answers match 'socialtjänsten' (showing 1–2)"
    assert " · 5 matching passages" in lines[3]
    # One result per answer counts answers in the facets too: each count is what its filter returns.
    assert lines[-4:] == [
        "party: L 2 · M 2 · S 2 · V 2",
        "respondent: Alexander Ojanne 2 · Jan Jönsson 2",
        "year: 2021 1 · 2022 1 · 2025 1 · 2026 1",
        "kind of passage: preamble 4 · answer 3",
    ]
    data = json.loads(runner.invoke(main, ["search", "socialtjänsten", "--json", "--offset", "16"]).stdout)
    assert data["facets"]["kind"] == {"answer": 10, "preamble": 8}
    assert [h["rank"] for h in data["hits"]] == [17, 18]


def test_csv_export_opens_in_a_spreadsheet(runner):
    result = runner.invoke(main, ["search", "vårdnadsöverflyttning", "--format", "csv"])
    assert result.stdout.startswith("\ufeffrank,score,dnr,passage,kind,date,interpellant")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert len(rows) == 1
    assert rows[0]["dnr"] == "KS 2020/1079"
    assert rows[0]["interpellant"] == "Alexandra Mattsson Åkerström"
    assert rows[0]["respondent_role"] == "socialborgarrådet"
    assert "vårdnadsöverflytt" in rows[0]["snippet"] and "vårdnadsöverflyttning" in rows[0]["text"]


def test_markdown_export_gives_citable_quotes(runner):
    result = runner.invoke(main, ["search", "skyddsfonden", "--format", "md"])
    assert result.stdout.splitlines()[:6] == [
        "## skyddsfonden",
        "",
        "Matching passages: 1",
        "",
        "> ”Vi utökar också skyddsfonden för att säkerställa att kostnader för placeringar inte tar resurser "
        "ifrån det ordinarie arbetet med utredning och uppföljning i barnärenden. Tyvärr har möjligheterna till "
        "fysiska besök försvårats av den pågående pandemin.”",
        "> — socialborgarrådet Jan Jönsson (L), Dnr KS 2020/1079, 2021-04-06",
    ]


def test_jsonl_export_is_one_hit_per_line(runner):
    result = runner.invoke(main, ["search", "familjehem", "--format", "jsonl", "--limit", "3"])
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert [json.loads(line)["rank"] for line in lines] == [1, 2, 3]


def new_answer(folder, dnr_number: int, text_change=("", "")):
    folder.mkdir(exist_ok=True)
    path = folder / f"answer-{dnr_number}.txt"
    text = SEED_004.read_text(encoding="utf-8").replace("Dnr KS 2020/1079", f"Dnr KS 2027/{dnr_number}")
    path.write_text(text.replace(*text_change), encoding="utf-8")
    return path


def test_saved_search_alerts_only_on_answers_indexed_since_its_last_run(runner, tmp_path):
    assert runner.invoke(main, ["index"]).exit_code == 0
    added = runner.invoke(main, ["watch", "add", "fh", "familjehem", "--party", "V"])
    assert (added.exit_code, added.stdout) == (0, "saved 'fh': 'familjehem'\n")
    assert runner.invoke(main, ["watch", "add", "vision", '"Min vision"']).exit_code == 0
    quiet = runner.invoke(main, ["watch", "run"])
    assert (quiet.exit_code, quiet.stdout) == (0, "")

    runner.invoke(main, ["index", str(new_answer(tmp_path / "in", 1))])
    alert = runner.invoke(main, ["watch", "run", "--json"])
    assert alert.exit_code == 0
    data = json.loads(alert.stdout)
    assert [a["name"] for a in data] == ["fh"]  # the new answer has no "Min vision"
    assert {h["dnr"] for h in data[0]["hits"]} == {"KS 2027/1"}
    assert data[0]["total"] == 2  # its question 1 and "familjehemsvården" in question 2
    again = runner.invoke(main, ["watch", "run"])
    assert (again.exit_code, again.stdout) == (0, "")


def test_saved_searches_survive_a_rebuild_and_can_be_removed(runner, tmp_path):
    runner.invoke(main, ["index"])
    runner.invoke(main, ["watch", "add", "fh", "familjehem"])
    assert runner.invoke(main, ["index", "--rebuild"]).exit_code == 0
    listed = json.loads(runner.invoke(main, ["watch", "list", "--json"]).stdout)
    assert [(s["name"], s["query"], s["filters"]) for s in listed] == [("fh", "familjehem", {})]
    # A rebuild re-indexes everything: the next run reports it all as new, once.
    assert "== fh: 3 new passages for 'familjehem'" in runner.invoke(main, ["watch", "run"]).stdout
    assert runner.invoke(main, ["watch", "run"]).stdout == ""
    assert runner.invoke(main, ["watch", "remove", "fh"]).stdout == "removed 'fh'\n"
    assert runner.invoke(main, ["watch", "list"]).stdout == "No saved searches.\n"
    missing = runner.invoke(main, ["watch", "remove", "fh"])
    assert (missing.exit_code, missing.stderr) == (1, "svar: no saved search named 'fh': see `svar watch list`\n")


def test_saved_search_errors(runner):
    runner.invoke(main, ["watch", "add", "a", "barn"])
    duplicate = runner.invoke(main, ["watch", "add", "a", "barn"])
    assert duplicate.exit_code == 1
    assert duplicate.stderr == "svar: a saved search named 'a' exists already: `svar watch remove a` first\n"
    bad = runner.invoke(main, ["watch", "add", "b", "barn", "--since", "igår"])
    assert (bad.exit_code, bad.stderr) == (2, "svar: --since 'igår': not a date; use YYYY-MM-DD (or YYYY-MM, YYYY) "
                                              "(see: svar watch add --help)\n")
    unknown = runner.invoke(main, ["watch", "run", "zzz"])
    assert unknown.exit_code == 1
