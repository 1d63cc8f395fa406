"""The Swedish analyzer: tokens, stop words, stems and their overrides."""

import pytest

from svar.index.analysis import analyze, stem, swedish_analyzer


def test_tokens_keep_numbers_diary_numbers_and_genitives():
    assert analyze("JO:s slutsatser om KS 2022/65: 35 mnkr och 12 år") == [
        "jo", "slutsat", "ks", "2022/65", "35", "mnkr", "12", "år",
    ]


def test_hyphenated_words_are_split_so_each_part_is_findable():
    assert analyze("Hägersten-Älvsjö och covid-19-pandemin") == ["hägerst", "älvsjö", "covid", "19", "pandemin"]


def test_stop_words_are_dropped_and_positions_stay_contiguous():
    tokens = [(t.text, t.pos) for t in swedish_analyzer()("Rätt stöd i rätt tid", positions=True)]
    assert tokens == [("rätt", 0), ("stöd", 1), ("rätt", 2), ("tid", 3)]


@pytest.mark.parametrize("form, base", [
    ("barnet", "barn"), ("barnets", "barn"), ("barnen", "barn"),
    ("familjehemmen", "familjehem"), ("familjehemmet", "familjehem"),
    ("hemmet", "hem"), ("vårdnadsöverflytt", "vårdnadsöverflyttning"),
    ("insatser", "insats"), ("placeringar", "placering"), ("slutsatser", "slutsats"),
])
def test_stemmer_misses_are_repaired(form, base):
    assert stem(form) == stem(base)


def test_stem_filter_is_morphological_so_spelling_sees_whole_words():
    assert [t.text for t in swedish_analyzer()("familjehemmen placeringar", no_morph=True)] == [
        "familjehemmen", "placeringar",
    ]


def test_the_exact_field_holds_every_word_at_its_position_the_parts_of_a_text_apart():
    from svar.index.analysis import PART_BREAK, exact_analyzer

    analyzer = exact_analyzer()
    text = f"Regeringen är inte{PART_BREAK}inte alls"
    assert analyzer.index_positions(text) == {"regeringen": [0], "är": [1], "inte": [2, 4], "alls": [5]}
    # The token stream Whoosh would index says the same, and queries still leave stop words out.
    assert [(t.text, t.pos) for t in analyzer(text, positions=True, mode="index")] == \
        [("regeringen", 0), ("är", 1), ("inte", 2), ("inte", 4), ("alls", 5)]
    assert [t.text for t in analyzer("Regeringen är inte", mode="query")] == ["regeringen"]


def test_a_phrase_is_its_words_lower_cased_stop_words_too():
    from svar.search.query import ExactPhrase, parse

    parsed = parse('"Det är INTE acceptabelt"')
    assert isinstance(parsed.query, ExactPhrase)
    assert parsed.query.words == ("det", "är", "inte", "acceptabelt")
    assert parsed.phrases == [("det", "är", "inte", "acceptabelt")]
    assert parse('""').query is not None and parse('"?!"').phrases == []
