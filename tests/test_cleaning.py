"""Each repair of PDF-export damage, on the seed where it occurs and on small texts."""

from svar.index.cleaning import clean, join_wrapped
from svar.index.loading import load_answer
from svar.index.reading import decode

from conftest import SEED_000, SEED_001, SEED_003, SEED_004


def cleaned(path):
    return load_answer(path).text


def test_page_break_inside_a_sentence_is_joined():
    text = cleaned(SEED_003)
    assert "med planerad start den 1 oktober. Den nya socialtjänstlagen" in text


def test_page_break_between_sentences_keeps_the_paragraphs():
    text = cleaned(SEED_003)
    assert "De tre städerna är alltså inte helt jämförbara.\n\n2. Hur ser socialborgarrådet" in text


def test_page_padding_and_trailing_spaces_are_gone():
    for seed in (SEED_001, SEED_003, SEED_004):
        text = cleaned(seed)
        assert "  " not in text
        assert all(line == line.strip() for line in text.split("\n"))
        assert "\n\n\n" not in text


def test_wrapped_lines_are_joined_into_paragraphs():
    text = cleaned(SEED_001)
    assert ("Alexandra Mattsson Åkerström (V) har i sin interpellation ställt följande frågor till mig:"
            in text.split("\n\n"))


def test_real_hyphen_at_line_end_is_kept():
    assert "Hägersten-Älvsjö har exempelvis haft goda resultat" in cleaned(SEED_004)


def test_elliptic_compounds_keep_their_hyphen_and_space():
    assert "bristen på jour- och familjehem" in cleaned(SEED_003)
    assert "den sociala barn- och ungdomsvården" in cleaned(SEED_004)
    assert "till social- och trygghetsborgarrådet Alexander Ojanne" in load_answer(SEED_003).title


def test_markdown_heading_and_emphasis_are_removed_from_the_title():
    answer = load_answer(SEED_000)
    assert answer.title.startswith("Svar på interpellation av Andréa Hedin (M)")
    assert "*" not in answer.text and "#" not in answer.text


def test_word_split_by_the_exporter_is_joined():
    assert join_wrapped("placerade i familje-", "hem under året") == "placerade i familjehem under året"
    assert clean("Barnen bor i familje-\nhemmet sedan 2020.") == "Barnen bor i familjehemmet sedan 2020."


def test_hyphen_joins_keep_acronyms_digits_and_ellipsis():
    assert join_wrapped("inom BBIC-", "nätverk") == "inom BBIC-nätverk"
    assert join_wrapped("under covid-19-", "pandemin") == "under covid-19-pandemin"
    assert join_wrapped("stöd till jour-", "och familjehem") == "stöd till jour- och familjehem"


def test_form_feed_is_a_page_break():
    assert clean("beslut fattas den 1\f\noktober. Nästa stycke.") == "beslut fattas den 1 oktober. Nästa stycke."
    assert clean("Första stycket slutar här.\f\nAndra stycket.") == "Första stycket slutar här.\n\nAndra stycket."


def test_numbered_question_and_its_answer_become_separate_paragraphs():
    text = clean("1. Hur många barn\när placerade?\nSvaret är fyra.\n")
    assert text == "1. Hur många barn är placerade?\n\nSvaret är fyra."


def test_cp1252_and_latin1_files_keep_swedish_letters():
    sentence = "Socialtjänstens åtgärder för barn i Göteborg – 35 mnkr"
    assert decode(sentence.encode("cp1252")) == sentence
    assert decode("Åkerström får svar".encode("latin-1")) == "Åkerström får svar"


def test_mixed_encodings_decode_line_by_line():
    data = "Först utf-8: Jönsson\n".encode("utf-8") + "Sedan cp1252: Åkerström\n".encode("cp1252")
    assert decode(data) == "Först utf-8: Jönsson\nSedan cp1252: Åkerström\n"


def test_utf8_bom_is_dropped():
    assert decode("\ufeffDnr KS 2022/65".encode("utf-8")) == "Dnr KS 2022/65"


def test_invisible_characters_go_and_odd_spaces_become_plain_ones():
    text = "social\u00adtjänsten\u200b har\u00a0fått\ttre\u202fnya\u2007familjehem\u2060.\ufeff"
    assert clean(text) == "socialtjänsten har fått tre nya familjehem."
