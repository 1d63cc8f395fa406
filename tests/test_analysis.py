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
