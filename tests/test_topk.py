"""A plain search scores only the passages that can reach the page: it must show exactly the page,
scores and ties that scoring every match shows, and say when it stopped counting.

A query of words is scored from the segments' columns (search/columnar.py) and counted exactly; an
index without columns (written before they existed) and any query with a phrase take the MaxScore
walk (search/topk.py), which stops counting at a hundred. Both must page like scoring everything."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svar.search import open_index
from svar.search.cli import main
from svar.search.library import update_index

from generated import SEEDS, answer_text

# Sixty answers (the seeds fifteen times over, under new diary numbers): common words match far more
# than the hundred passages a plain search counts, and copies tie with each other. A later delivery,
# a segment of its own, mentions the common word only in passing: none of its passages can reach the
# page, so a search skips that segment whole.
ANSWERS = 60
LATER = """Svar på interpellation av Anna Andersson (V) till socialborgarrådet Per Persson (L) om parkbänkar

Dnr KS 2031/900

Parkbänkarna i stadens parker ska bytas ut under året. Arbetet med parkerna fortsätter enligt plan och
parkförvaltningen har fått medel för underhåll av gångvägar, belysning, planteringar och lekplatser i
alla stadsdelar, från innerstaden till ytterstaden, och samråd med boende och föreningar pågår. Frågor
om stöd till enskilda hänvisas som vanligt till socialtjänsten i respektive stadsdel.

Stockholm den 1 mars 2031

Per Persson
"""
VOCABULARY = sorted({w.lower() for seed in SEEDS for w in re.findall(r"[^\W\d_]{4,}", seed.read_text(encoding="utf-8"))})


@pytest.fixture(scope="module")
def sixty(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sixty")
    for number in range(ANSWERS):
        (folder / "in").mkdir(exist_ok=True)
        (folder / "in" / f"answer-{number}.txt").write_text(answer_text(number), encoding="utf-8")
    update_index(folder / "ix", [folder / "in"], workers=1)
    (folder / "later").mkdir()
    (folder / "later" / "answer-900.txt").write_text(LATER, encoding="utf-8")
    update_index(folder / "ix", [folder / "later"], workers=1)
    assert len(list((folder / "ix").rglob("*.seg"))) == 2
    return folder / "ix"


@pytest.fixture(scope="module")
def sixty_before_columns(sixty, tmp_path_factory) -> Path:
    """The same index as an svar from before columns wrote it: every search takes the walk."""
    copy = tmp_path_factory.mktemp("before-columns") / "ix"
    shutil.copytree(sixty, copy)
    removed = [path.unlink() for path in copy.rglob("*.cols")]
    assert len(removed) == 2
    return copy


def _page(result) -> list[tuple[str, int, float]]:
    return [(h.dnr, h.passage, round(h.score, 9)) for h in result.hits]


def _same_as_scoring_everything(answers, text: str, **options) -> None:
    fast = answers.search(text, snippets=False, **options)
    counted = answers.search(text, snippets=False, exact_total=True, **options)
    everything = answers.search(text, snippets=False, facets=True, **options)  # Whoosh scores every match
    assert _page(fast) == _page(counted) == _page(everything)
    assert counted.total_exact and counted.total == everything.total
    if fast.total_exact:
        assert fast.total == everything.total
    else:
        assert fast.total == 100 < everything.total


QUERIES = ("socialtjänsten", "familjehem placering barn", "stöd till barn och unga", '"rätt stöd" barn',
           "barn NOT familjehem", "placering AND barn", "skyddsfonden socialtjänsten barn stöd")


def test_a_common_word_is_counted_exactly_and_pages_as_if_every_match_were_scored(sixty):
    with open_index(sixty) as answers:
        fast = answers.search("socialtjänsten", limit=10)
        assert (fast.total, fast.total_exact) == (271, True)
        # Fifteen copies of each seed tie; ties are ordered by dnr, then passage.
        assert [(h.dnr, h.passage) for h in fast.hits[:3]] == [("KS 2031/1", 4), ("KS 2031/13", 4), ("KS 2031/17", 4)]
        for text in QUERIES:
            for offset in (0, 7, 95):
                _same_as_scoring_everything(answers, text, limit=10, offset=offset)
        _same_as_scoring_everything(answers, "stöd barn", limit=5, party="V")


def test_without_columns_a_common_word_stops_counting_but_shows_the_same_page(sixty, sixty_before_columns):
    with open_index(sixty_before_columns) as answers, open_index(sixty) as columnar:
        fast = answers.search("socialtjänsten", limit=10)
        assert (fast.total, fast.total_exact) == (100, False)
        counted = answers.search("socialtjänsten", limit=10, exact_total=True)
        assert (counted.total, counted.total_exact) == (271, True)
        assert _page(fast) == _page(counted) == _page(columnar.search("socialtjänsten", limit=10))
        for text in QUERIES:
            for offset in (0, 7, 95):
                _same_as_scoring_everything(answers, text, limit=10, offset=offset)
                assert _page(answers.search(text, offset=offset)) == _page(columnar.search(text, offset=offset))


def test_a_phrase_takes_the_walk_and_stops_counting(sixty):
    with open_index(sixty) as answers:
        fast = answers.search('"rätt stöd" barn', limit=10)
        assert (fast.total, fast.total_exact) == (100, False)
        assert answers.search('"rätt stöd" barn', exact_total=True).total == 285


def test_a_rare_word_is_counted_exactly(sixty):
    with open_index(sixty) as answers:
        result = answers.search("skyddsfonden")
        assert (result.total, result.total_exact) == (15, True)


def test_a_rare_word_among_common_ones_settles_the_page_early(sixty, sixty_before_columns):
    # The rare word's passages seed the threshold: the common words stop proposing, so the search
    # stops counting, and still shows the page scoring everything shows.
    with open_index(sixty_before_columns) as answers:
        fast = answers.search("skyddsfonden socialtjänsten barn", limit=10, snippets=False)
        assert (fast.total, fast.total_exact) == (100, False)
        _same_as_scoring_everything(answers, "skyddsfonden socialtjänsten barn", limit=10)
    with open_index(sixty) as answers:
        fast = answers.search("skyddsfonden socialtjänsten barn", limit=10, snippets=False)
        assert (fast.total, fast.total_exact) == (331, True)
        _same_as_scoring_everything(answers, "skyddsfonden socialtjänsten barn", limit=10)


@pytest.fixture(scope="module")
def revised(tmp_path_factory) -> Path:
    """The sixty answers, then every sixth revised: their old passages are deleted from the first
    segment, so a search reads its postings through Whoosh's filter of deleted passages."""
    folder = tmp_path_factory.mktemp("revised")
    (folder / "in").mkdir()
    for number in range(ANSWERS):
        (folder / "in" / f"answer-{number}.txt").write_text(answer_text(number), encoding="utf-8")
    update_index(folder / "ix", [folder / "in"], workers=1)
    for number in range(0, ANSWERS, 6):
        (folder / "in" / f"answer-{number}.txt").write_text(
            answer_text(number, extra="Skyddsfonden och socialtjänsten har setts över i år."), encoding="utf-8")
    update_index(folder / "ix", [folder / "in"], workers=1)
    return folder / "ix"


def test_revised_answers_page_as_if_every_match_were_scored(revised):
    with open_index(revised) as answers:
        counted = answers.search("socialtjänsten", exact_total=True, snippets=False)
        assert (counted.total, counted.total_exact) == (270, True)  # revised in place, none added
        for text in ("socialtjänsten", "skyddsfonden socialtjänsten barn", "familjehem placering barn stöd",
                     "stöd till barn och unga", '"rätt stöd" barn'):
            for offset in (0, 7, 95):
                _same_as_scoring_everything(answers, text, limit=10, offset=offset)
        # A filter that allows few passages leads the walk: one answer revised into the second
        # segment, one left in the first.
        for dnr in ("KS 2031/6", "KS 2031/7"):
            for text in ("socialtjänsten", "familjehem placering barn stöd", '"rätt stöd" barn'):
                _same_as_scoring_everything(answers, text, limit=3, dnr=dnr)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=5),
       limit=st.integers(1, 30), offset=st.integers(0, 120))
def test_any_plain_query_pages_as_if_every_match_were_scored(sixty, sixty_before_columns, words, limit, offset):
    text = " ".join(words)
    with open_index(sixty) as answers, open_index(sixty_before_columns) as walked:
        _same_as_scoring_everything(answers, text, limit=limit, offset=offset)
        _same_as_scoring_everything(walked, text, limit=limit, offset=offset)
        assert _page(answers.search(text, limit=limit, offset=offset)) == _page(walked.search(text, limit=limit, offset=offset))


def test_the_cli_says_more_than_and_counts_on_request(runner, sixty):
    result = runner.invoke(main, ["--index", str(sixty), "search", "socialtjänsten", "--limit", "2"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "271 passages match 'socialtjänsten' (showing 1–2)"
    phrase = '"rätt stöd" barn'
    result = runner.invoke(main, ["--index", str(sixty), "search", phrase, "--limit", "2"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        f"more than 100 passages match '{phrase}' (showing 1–2; --count counts them all)")
    result = runner.invoke(main, ["--index", str(sixty), "search", phrase, "--limit", "2", "--count"])
    assert result.stdout.splitlines()[0] == f"285 passages match '{phrase}' (showing 1–2)"
    result = runner.invoke(main, ["--index", str(sixty), "search", phrase, "--format", "md"])
    assert "Matching passages: more than 100" in result.stdout
