"""Paging: any page of a search is that slice of the whole ranking, with ties ordered by dnr, and
the same whether a term's postings come from the segments' columns or from Whoosh's postings (an
index whose column files are gone reads every term from Whoosh)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from svar.index.columns import SegmentColumns
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
# The seeds' words in order: runs of them are phrases that occur.
RUNNING_WORDS = [w for seed in SEEDS for w in re.findall(r"[^\W\d_]+", seed.read_text(encoding="utf-8"))]


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
    """The same index without its column files: every posting is read from Whoosh."""
    copy = tmp_path_factory.mktemp("before-columns") / "ix"
    shutil.copytree(sixty, copy)
    removed = [path.unlink() for path in copy.rglob("*.cols")]
    assert len(removed) == 2
    return copy


def _page(result) -> list[tuple[str, int, float]]:
    return [(h.dnr, h.passage, round(h.score, 9)) for h in result.hits]


def _same_as_scoring_everything(answers, text: str, *, limit: int = 10, offset: int = 0, **options) -> None:
    page = answers.search(text, snippets=False, limit=limit, offset=offset, **options)
    faceted = answers.search(text, snippets=False, limit=limit, offset=offset, facets=True, **options)
    everything = answers.search(text, snippets=False, limit=100_000, **options)
    assert _page(page) == _page(faceted) == _page(everything)[offset:offset + limit]
    assert page.total == faceted.total == everything.total == len(everything.hits)


QUERIES = ("socialtjänsten", "familjehem placering barn", "stöd till barn och unga", '"rätt stöd" barn',
           "barn NOT familjehem", "placering AND barn", "skyddsfonden socialtjänsten barn stöd")


def test_a_common_word_is_counted_exactly_and_pages_as_if_every_match_were_scored(sixty):
    with open_index(sixty) as answers:
        fast = answers.search("socialtjänsten", limit=10)
        assert fast.total == 271
        # Fifteen copies of each seed tie; ties are ordered by dnr, then passage.
        assert [(h.dnr, h.passage) for h in fast.hits[:3]] == [("KS 2031/1", 4), ("KS 2031/13", 4), ("KS 2031/17", 4)]
        for text in QUERIES:
            for offset in (0, 7, 95):
                _same_as_scoring_everything(answers, text, limit=10, offset=offset)
        _same_as_scoring_everything(answers, "stöd barn", limit=5, party="V")


def test_without_columns_the_same_pages_scores_and_totals(sixty, sixty_before_columns):
    with open_index(sixty_before_columns) as answers, open_index(sixty) as columnar:
        fast = answers.search("socialtjänsten", limit=10)
        assert fast.total == 271
        assert _page(fast) == _page(columnar.search("socialtjänsten", limit=10))
        for text in QUERIES:
            for offset in (0, 7, 95):
                _same_as_scoring_everything(answers, text, limit=10, offset=offset)
                assert _page(answers.search(text, offset=offset)) == _page(columnar.search(text, offset=offset))
                assert answers.search(text).total == columnar.search(text).total


def test_a_phrase_among_words_matches_only_with_its_words_in_order(sixty, sixty_before_columns):
    with open_index(sixty) as answers, open_index(sixty_before_columns) as walked:
        for text in ('"rätt stöd" barn', '"enskilda fall" skyddsfonden', '"detta ärende" familjehem'):
            fast = answers.search(text, limit=10)
            counted = walked.search(text, limit=10)
            assert fast.total == counted.total
            assert _page(fast) == _page(counted)
            for offset in (0, 7, 95):
                _same_as_scoring_everything(answers, text, limit=10, offset=offset)
            # A page longer than the matches: passages with the phrase's words, not the phrase, stay off.
            _same_as_scoring_everything(answers, text, limit=300)
        assert [answers.search(t).total for t in ('"rätt stöd" barn', '"enskilda fall" skyddsfonden')] == [285, 30]
        # ("enskilda fall": 15 passages, the two words 30; skyddsfonden 15 others.)
        assert answers.search("enskilda AND fall").total == 30
        assert len(answers.search('"enskilda fall" skyddsfonden', limit=300).hits) == 30


def test_a_phrase_alone_is_matched_in_its_words_positions(sixty, sixty_before_columns):
    with open_index(sixty) as answers, open_index(sixty_before_columns) as walked:
        alone = answers.search('"barn och unga"', limit=10)
        assert alone.total == 180
        assert _page(alone) == _page(walked.search('"barn och unga"', limit=10))
        # Common words (positions from the columns), a rare one (from Whoosh: "enskilda" is in 30
        # passages), the words in the wrong order, a word twice, and words that are never adjacent.
        totals = {}
        for text in ('"barn och unga"', '"rätt stöd"', '"enskilda fall"', '"unga och barn"', '"barn barn"',
                     '"placerade barn"', '"barn placerade"', '"socialtjänsten familjehem placering"'):
            fast = answers.search(text, limit=10)
            counted = walked.search(text, limit=10)
            assert fast.total == counted.total
            assert _page(fast) == _page(counted)
            _same_as_scoring_everything(answers, text, limit=10, offset=7)
            totals[text] = fast.total
        assert totals == {'"barn och unga"': 180, '"rätt stöd"': 30, '"enskilda fall"': 15, '"unga och barn"': 0,
                          '"barn barn"': 0, '"placerade barn"': 30, '"barn placerade"': 0,
                          '"socialtjänsten familjehem placering"': 0}


def test_a_rare_word_is_counted_exactly(sixty):
    with open_index(sixty) as answers:
        result = answers.search("skyddsfonden")
        assert result.total == 15


def test_a_rare_word_among_common_ones(sixty, sixty_before_columns):
    for index in (sixty_before_columns, sixty):
        with open_index(index) as answers:
            fast = answers.search("skyddsfonden socialtjänsten barn", limit=10, snippets=False)
            assert fast.total == 331
            _same_as_scoring_everything(answers, "skyddsfonden socialtjänsten barn", limit=10)


FILTERS = ({"party": "M"}, {"year": 2026}, {"party": "L", "year": 2021}, {"respondent": "Jan Jönsson"},
           {"since": "2022-01-01", "until": "2025-12-31"}, {"kind": "preamble"}, {"dnr": "KS 2031/7"},
           {"party": "V", "kind": "answer", "since": "2021"}, {"year": 1999})


def test_filters_read_from_columns_let_through_what_whoosh_postings_let_through(sixty, sixty_before_columns):
    with open_index(sixty) as answers, open_index(sixty_before_columns) as walked:
        totals = []
        for filters in FILTERS:
            for text in ("barn", "familjehem placering barn", '"rätt stöd" barn'):
                fast = answers.search(text, snippets=False, **filters)
                assert _page(fast) == _page(walked.search(text, snippets=False, **filters))
                assert fast.total == walked.search(text, snippets=False, **filters).total
                _same_as_scoring_everything(answers, text, **filters)
            totals.append(answers.search("barn", snippets=False, **filters).total)
        # The facet counts of "barn" (M 150, 2026 120, Jan Jönsson 135, preamble 120), and none for 1999.
        assert totals == [150, 120, 75, 135, 90, 120, 5, 90, 0]


@pytest.fixture(scope="module")
def revised(tmp_path_factory) -> Path:
    """The sixty answers, then every sixth revised: their old passages are deleted from the first
    segment, whose column postings still list them: a search must drop them."""
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
        counted = answers.search("socialtjänsten", snippets=False)
        assert counted.total == 270  # revised in place, none added
        for text in ("socialtjänsten", "skyddsfonden socialtjänsten barn", "familjehem placering barn stöd",
                     "stöd till barn och unga", '"rätt stöd" barn', '"barn och unga"', '"placerade barn"'):
            for offset in (0, 7, 95):
                _same_as_scoring_everything(answers, text, limit=10, offset=offset)
        # The revised passages' old positions are skipped with their postings.
        assert answers.search('"barn och unga"', snippets=False).total == 180
        # A filter that allows few passages: one answer revised into the second segment, one left in the first.
        for dnr in ("KS 2031/6", "KS 2031/7"):
            for text in ("socialtjänsten", "familjehem placering barn stöd", '"rätt stöd" barn'):
                _same_as_scoring_everything(answers, text, limit=3, dnr=dnr)


RANGES = ({"since": "2021-06-01"}, {"until": "2022-12-31"}, {"since": "2021", "until": "2022"},
          {"year": 2022}, {"since": "2026-01-01"}, {"until": "1999-12-31"})


def test_date_ranges_read_from_values_let_through_what_their_terms_let_through(revised, monkeypatch):
    # A range compares every passage's value: from the column files, or else from the stored
    # fields. The revised answers' old passages must stay out.
    def pages():
        with open_index(revised) as answers:
            return [(r.total, _page(r)) for r in (answers.search(text, snippets=False, **filters)
                                                   for filters in RANGES for text in ("socialtjänsten", "barn"))]

    from_values = pages()
    monkeypatch.setattr(SegmentColumns, "values", lambda self, fieldname: None)
    assert pages() == from_values
    assert [total for total, _ in from_values] == [195, 210, 135, 135, 135, 135, 60, 60, 75, 120, 0, 0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=5),
       phrase=st.one_of(st.none(), st.tuples(st.integers(0, len(RUNNING_WORDS) - 4), st.integers(2, 4))),
       limit=st.integers(1, 30), offset=st.integers(0, 120))
def test_any_plain_query_pages_as_if_every_match_were_scored(sixty, sixty_before_columns, words, phrase, limit, offset):
    # Some words, and perhaps a phrase that occurs in the seeds (a run of their words) in quotes.
    quoted = f'"{" ".join(RUNNING_WORDS[phrase[0]:phrase[0] + phrase[1]])}"' if phrase else ""
    text = " ".join([quoted, *words]).strip()
    assume(text)
    with open_index(sixty) as answers, open_index(sixty_before_columns) as walked:
        _same_as_scoring_everything(answers, text, limit=limit, offset=offset)
        _same_as_scoring_everything(walked, text, limit=limit, offset=offset)
        assert _page(answers.search(text, limit=limit, offset=offset)) == _page(walked.search(text, limit=limit, offset=offset))


def test_the_cli_counts_every_match(runner, sixty, sixty_before_columns):
    for index in (sixty, sixty_before_columns):
        result = runner.invoke(main, ["--index", str(index), "search", "socialtjänsten", "--limit", "2"])
        assert result.exit_code == 0
        assert result.stdout.splitlines()[0] == "271 passages match 'socialtjänsten' (showing 1–2)"
        result = runner.invoke(main, ["--index", str(index), "search", "socialtjänsten", "--count"])
        assert (result.exit_code, result.stdout) == (0, "271\n")
        result = runner.invoke(main, ["--index", str(index), "search", "socialtjänsten", "--format", "md"])
        assert "Matching passages: 271" in result.stdout
