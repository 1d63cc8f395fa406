"""The compound splitter: the parts of Swedish compounds, and the words it must leave whole."""

import subprocess
import sys

import pytest

from svar.index.compounds import TABLE_PATH, best_split, load_table, open_table, read_table, split_compound


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        # The last part keeps its inflection; the caller stems each part.
        ("familjehemsvården", ("familjehem", "vården")),
        ("mellantvångslösningar", ("mellan", "tvång", "lösningar")),
        ("placeringsbudgeten", ("placering", "budgeten")),
        ("socialtjänstinspektörerna", ("socialtjänst", "inspektörerna")),
        ("öppenvårdsinsatser", ("öppenvård", "insatser")),
        ("socialtjänstlagen", ("socialtjänst", "lagen")),
        ("stadsdelsnämnderna", ("stadsdel", "nämnderna")),
        ("vårdnadsöverflyttning", ("vårdnad", "överflyttning")),
        ("barnavårdscentraler", ("barnavård", "centraler")),
        ("arbetsmarknadsministern", ("arbetsmarknad", "ministern")),
        ("riksdagsledamot", ("riksdag", "ledamot")),
    ],
)
def test_compounds_split_into_the_fewest_longest_parts_without_linking_letters(word, parts):
    assert split_compound(word) == parts


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("familjehem", ("familj", "hem")),  # familje/XZ is familj + linking -e
        ("socialtjänst", ("social", "tjänst")),
        ("socialtjänsten", ("social", "tjänsten")),
        ("sjukvården", ("sjuk", "vården")),
        ("kvinnoföreningen", ("kvinn", "föreningen")),  # kvinna's -a becomes the linking -o
        ("stockholmsregionen", ("stockholm", "regionen")),  # a name may begin a compound
    ],
)
def test_lexicalised_words_and_their_parts_split_where_the_parts_are_found_alone(word, parts):
    assert split_compound(word) == parts


@pytest.mark.parametrize(
    "word",
    [
        # inflections of simple words
        "barnet", "hemmet", "vården", "placeringar", "tjänsten", "kommunen", "regeringen",
        # proper names (passed lower-cased)
        "stockholm", "stockholms", "göteborg", "bergström", "bandhagen",
        # lexicalised words whose parts would find them only by accident
        "undersökning", "framtiden", "motsvarande", "ungdomar", "sjukdomar", "fristående",
        "ordförande", "kombination", "riksdagen", "lagring", "värderingar", "biologiska",
        "arbetslösa", "meningslöst",
    ],
)
def test_words_that_are_not_compounds_stay_whole(word):
    assert split_compound(word) == ()


def test_three_equal_letters_written_as_two_are_shared_by_both_parts():
    assert split_compound("sekretesskyddade") == ("sekretess", "skyddade")
    assert split_compound("tullagen") == ("tull", "lagen")
    assert split_compound("mattider") == ("mat", "tider")  # the plain reading comes first


def test_a_linking_s_decides_between_readings_of_equal_length():
    assert split_compound("vindkraftsparken") == ("vindkraft", "parken")
    assert split_compound("skolelever") == ("skol", "elever")


def test_a_suffix_ering_is_not_a_linking_e_before_ring():
    assert split_compound("stadsplanering") == ("stad", "planering")
    assert split_compound("guldringar") == ("guld", "ringar")


@pytest.mark.parametrize("word", ["", "a", "hem", "barn", "bilar", "covid-19-pandemins", "covid19",
                                  "jour-familjehem", "2022", "jo:s", "familjehem "])
def test_short_words_and_words_with_digits_hyphens_or_spaces_are_not_split(word):
    # The tokenizer already splits at hyphens and digits ("covid", "19", "pandemins").
    assert split_compound(word) == ()


def test_a_capitalised_word_is_split_as_its_lower_case():
    assert split_compound("Socialtjänstlagen") == ("socialtjänst", "lagen")
    assert split_compound("Stockholm") == ()


def test_no_part_is_shorter_than_three_letters():
    table = load_table()
    for word in ["familjehemsvården", "mellantvångslösningar", "antidemokratiska", "minibuss", "varuhus"]:
        parts = best_split(word, table)
        assert parts and all(len(part) >= 3 for part in parts)
        assert all(part in word for part in parts)


def test_splits_are_cached_per_word():
    assert split_compound("placeringsbudgeten") is split_compound("placeringsbudgeten")


def test_the_table_is_read_once_per_process():
    assert load_table() is load_table()


def test_the_table_carries_its_licence_and_reads_the_same_twice():
    with open(TABLE_PATH, encoding="utf-8") as f:
        header = f.readline()
    assert "hunspell-sv" in header
    assert read_table(TABLE_PATH) == read_table(TABLE_PATH)


def test_the_table_read_a_block_at_a_time_answers_as_the_whole_table():
    whole, blocks = read_table(TABLE_PATH), open_table(TABLE_PATH)
    assert (len(whole.heads), len(whole.tails), len(whole.whole), len(whole.inflected)) == (47535, 450914, 35208, 4333)
    assert blocks.heads.blocks_read == 0
    for name in ("heads", "tails", "whole", "inflected"):
        forms, looked_up = getattr(whole, name), getattr(blocks, name)
        # Every third form, and forms a letter longer or shorter at either end (mostly not there).
        for form in sorted(forms)[::3]:
            for asked in (form, form + "s", form[:-1], form[1:], "ö" + form):
                if name == "heads":
                    assert looked_up.get(asked) == forms.get(asked), asked
                else:
                    assert (asked in looked_up) == (asked in forms), asked
    assert blocks.heads.get("xq") is None and "" not in blocks.tails


def test_importing_the_module_loads_nothing_and_needs_no_whoosh():
    code = (
        "import sys, svar.index.compounds as c\n"
        "assert c.load_table.cache_info().currsize == 0\n"
        "assert 'whoosh' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
