"""The Riksdag's chamber record as a layout: identifier, sitting date, minister, interpellant, the answer
cut at its reported questions and the debate as passages of kind "debate"; and the one place a layout
is chosen. The records are tests/data/riksdag (written for these tests: invented people and wording,
laid out as the chamber record is)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svar.index import layouts
from svar.index.layouts import riksdag, stockholm
from svar.index.errors import ReadError
from svar.index.loading import load_answer, parse_answer
from svar.index.metadata import normalise_dnr
from svar.index.names import PARTICLES, normalise_name
from svar.index.records import Interpellation, Person
from svar.index.schema import dnr_key
from svar.index.speeches import speaker_line
from svar.search import open_index

from conftest import SEED_000, SEED_001, SEED_003, SEED_004

RIKSDAG = Path(__file__).resolve().parent / "data" / "riksdag"

# Per record: its identifier, sitting date, minister, interpellant, topic, the kinds of its passages and
# its warnings.
EXPECTED = {
    "2017-18-53-polisens-narvaro.txt": dict(
        dnr="2017/18:53", date=dt.date(2017, 12, 19),
        respondent=Person("Erik Strömberg", "S", "Justitie- och inrikesminister"),
        interpellant=Person("Lina Forsberg", "C"), topic="Polisens närvaro",
        kinds=["answer", "debate", "debate", "debate", "closing"], warnings=[],
    ),
    "2018-19-212-vardkoer-for-barn.txt": dict(
        dnr="2018/19:212", date=dt.date(2019, 3, 14),
        respondent=Person("Annika Bergqvist", "S", "Socialminister"),
        interpellant=Person("Karin Ahlström", "M"), topic="vårdköerna för barn och unga",
        kinds=["answer", "answer", "debate", "debate", "debate"], warnings=[],
    ),
    "2019-20-112-nattag-till-norrland.txt": dict(
        dnr="2019/20:112", date=dt.date(2020, 1, 28),
        respondent=Person("Gunnar Lindh", "S", "Infrastrukturminister"),
        interpellant=Person("Maria Öberg", "S"), topic="nattågen till Norrland",
        kinds=["answer", "answer", "debate", "debate", "debate"], warnings=[],
    ),
    "2020-21-418-skattereduktion-for-gavor.txt": dict(
        dnr="2020/21:418", date=dt.date(2021, 4, 23),
        respondent=Person("Per Holmgren", "S", "Statsrådet"),
        interpellant=Person("Anders Lindvall", "KD"), topic="skattereduktion för gåvor",
        kinds=["answer", "answer", "debate", "debate"], warnings=[],
    ),
    "2021-22-77-larartatheten.txt": dict(
        dnr="2021/22:77", date=dt.date(2021, 11, 17),
        respondent=Person("Karin Almström", "S", "Skolminister"),
        # No debate and no party in the answer: the interpellant's party is not known.
        interpellant=Person("Elin Söderberg", ""), topic="lärartätheten i grundskolan",
        kinds=["answer", "answer", "answer"], warnings=[],
    ),
    "2004-05-123-alghunting.txt": dict(
        dnr="2004/05:123", date=dt.date(2005, 2, 7),
        respondent=Person("Birgitta von Halle", "s", "Jordbruksminister"),
        interpellant=Person("Lars Berglöf", "c"), topic="älgförvaltningen",
        kinds=["answer", "debate", "debate", "debate", "closing"],
        # The record goes on with the next answer (13 §): that is not this answer's.
        warnings=["3 paragraphs after this answer's debate not indexed"],
    ),
    # Laid out as the record's web page is: "§ 3", no year in the sitting line (it is the riksmöte's),
    # speaker lines in ordinary case without a colon, the margin's "Svar på interpellationer" in between.
    "2015-16-115-gode-man.txt": dict(
        dnr="2015/16:115", date=dt.date(2015, 11, 13),
        respondent=Person("Johan Nordlund", "S", "Justitie- och migrationsminister"),
        interpellant=Person("Cecilia Hammarberg", "M"), topic="ensamkommande barns gode män",
        kinds=["answer", "answer", "debate", "debate", "closing"], warnings=[],
    ),
    "2022-23-301-elpriser.txt": dict(
        dnr="2022/23:301", date=dt.date(2023, 2, 2),
        respondent=Person("Thomas Ekberg", "M", "Energi- och näringsminister"),
        interpellant=Person("Sofia Wallin", "V"), topic="elpriserna i södra Sverige",
        kinds=["answer", "debate"], warnings=[],
    ),
}

# The reported question each record's first question passage holds, as the answer words it.
FIRST_QUESTIONS = {
    "2017-18-53-polisens-narvaro.txt":
        "vilka åtgärder jag avser att vidta för att polisen ska finnas på plats i hela landet, även i glesbygden",
    "2018-19-212-vardkoer-for-barn.txt":
        "vilka åtgärder jag avser att vidta för att korta köerna till barn- och ungdomspsykiatrin",
    "2019-20-112-nattag-till-norrland.txt": "hur jag avser att säkra nattågstrafiken till övre Norrland efter 2020",
    "2020-21-418-skattereduktion-for-gavor.txt":
        "om regeringen avser att återinföra skattereduktionen för gåvor till ideella organisationer",
    "2021-22-77-larartatheten.txt": "hur jag ser på att lärartätheten i grundskolan har minskat i flera kommuner",
    "2004-05-123-alghunting.txt":
        "om regeringen avser att ändra reglerna för älgjakten så att markägare och jägare får ett större "
        "inflytande över förvaltningen av älgstammen",
    "2015-16-115-gode-man.txt":
        "vad jag avser att göra för att det ska finnas ett samlat register över uppdragen som god man för "
        "ensamkommande barn",
    "2022-23-301-elpriser.txt":
        "när hushållen i elområde 3 och 4 kan räkna med att få ersättning för de höga elpriserna under vintern",
}


@pytest.fixture(scope="module")
def riksdag_index(tmp_path_factory):
    with open_index(tmp_path_factory.mktemp("riksdag-layout"), create=True) as answers:
        report = answers.add([RIKSDAG], workers=1)
        assert report.rejected == []
        assert sorted(report.new) == sorted(e["dnr"] for e in EXPECTED.values())
        yield answers


# -- each record, read ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_record_is_read_with_its_number_minister_date_and_interpellant(name):
    answer = load_answer(RIKSDAG / name)
    expected = EXPECTED[name]
    assert answer.layout == "riksdag"
    assert answer.dnr == expected["dnr"]
    assert answer.date == expected["date"]
    assert answer.respondent == expected["respondent"]
    assert answer.interpellant == expected["interpellant"]
    assert answer.topic == expected["topic"]
    assert answer.title.startswith("Svar på interpellation") and answer.title.endswith(expected["topic"])
    assert [p.kind for p in answer.passages] == expected["kinds"]
    assert answer.warnings == expected["warnings"]
    assert answer.signature == ""


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_first_question_passage_holds_the_reported_question(name):
    answer = load_answer(RIKSDAG / name)
    first = answer.passages[0]
    assert (first.kind, first.question_number, first.question) == ("answer", 1, FIRST_QUESTIONS[name])
    assert FIRST_QUESTIONS[name] in first.text
    assert first.text.startswith(("Fru talman!", "Herr talman!"))
    assert answer.questions[0].text == FIRST_QUESTIONS[name]
    assert answer.questions[0].reported
    assert answer.questions[0].asker.name == EXPECTED[name]["interpellant"].name
    assert answer.questions[0].interpellation == EXPECTED[name]["dnr"]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_passages_are_numbered_in_order_and_point_into_the_cleaned_text(name):
    answer = load_answer(RIKSDAG / name)
    assert [p.number for p in answer.passages] == list(range(1, len(answer.passages) + 1))
    for passage in answer.passages:
        assert answer.text[passage.start:passage.end] == passage.text
        assert passage.dnr == answer.dnr
    spans = [(p.start, p.end) for p in answer.passages]
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:]))
    # The speaker line of the answer and the sitting are metadata, in no passage.
    assert "Anf." not in answer.passages[0].text


def test_debate_speeches_are_passages_with_their_speaker_line_and_speaker():
    answer = load_answer(RIKSDAG / "2004-05-123-alghunting.txt")
    debate = [p for p in answer.passages if p.kind == "debate"]
    assert [(p.speaker.name, p.speaker.party, p.speaker.role) for p in debate] == [
        ("Lars Berglöf", "c", ""),
        ("Kerstin Andersson i Hjärtum", "kd", ""),
        ("Birgitta von Halle", "s", "Jordbruksminister"),
    ]
    assert [p.text.split("\n")[0] for p in debate] == [
        "Anf. 46 LARS BERGLÖF (c):", "Anf. 47 KERSTIN ANDERSSON i Hjärtum (kd):",
        "Anf. 48 Jordbruksminister BIRGITTA VON HALLE (s):",
    ]
    assert debate[-1].text.endswith("Jag tar med mig synpunkterna till det fortsatta arbetet.")
    assert answer.passages[-1].text == "Överläggningen var härmed avslutad."
    # The answer's own passages have no speaker: they are the respondent's.
    assert answer.passages[0].speaker == Person()


def test_a_record_exported_without_blank_lines_keeps_its_speeches_apart():
    # 2018/19:212 is hard-wrapped, with no blank line before a speaker line or after it.
    answer = load_answer(RIKSDAG / "2018-19-212-vardkoer-for-barn.txt")
    debate = [p for p in answer.passages if p.kind == "debate"]
    assert [p.text for p in debate] == [
        "Anf. 6 KARIN AHLSTRÖM (M):\n\nHerr talman! Jag tackar socialministern för svaret. Men vårdgarantin "
        "hålls inte. I min region väntar vart tredje barn längre än 30 dagar, och det har varit så i flera år.",
        "Anf. 7 Socialminister ANNIKA BERGQVIST (S):\n\nHerr talman! Jag delar oron för de regioner som inte "
        "klarar vårdgarantin, och det är skälet till att medlen nu villkoras.",
        "Anf. 8 KARIN AHLSTRÖM (M):\n\nHerr talman! Villkor hjälper inte de barn som står i kö i dag. Jag "
        "hoppas att ministern återkommer med mer kraftfulla åtgärder.",
    ]
    assert answer.title == "Svar på interpellation 2018/19:212 om vårdköerna för barn och unga"


def test_the_margin_notes_of_the_record_are_in_no_answer_passage():
    answer = load_answer(RIKSDAG / "2015-16-115-gode-man.txt")
    assert answer.passages[0].text.startswith("Fru talman! Cecilia Hammarberg har frågat mig")
    # "När det gäller antalet uppdrag per god man …" names the second question's words ("begränsa", "gode").
    second = answer.passages[1]
    assert (second.question_number, second.text.split(".")[0]) == (
        2, "När det gäller antalet uppdrag per god man anser jag att en begränsning kan bli nödvändig")


@pytest.mark.parametrize("speaker_and_speech", [
    # The speech on the speaker line's own line, and the speaker line wrapped inside the name.
    "Anf. 1 Justitie- och inrikesminister MORGAN JOHANSSON (S): Fru talman! Per Ek har frågat mig hur\n"
    "polisen ska nå fram i tid.\n\nPolisen ska nå fram.",
    "Anf. 1 Justitie- och inrikesminister MORGAN\nJOHANSSON (S):\nFru talman! Per Ek har frågat mig hur\n"
    "polisen ska nå fram i tid.\n\nPolisen ska nå fram.",
])
def test_the_speaker_line_is_found_however_the_export_broke_its_lines(speaker_and_speech):
    answer = parse_answer("Svar på interpellation 2017/18:60 om insatstider\nOnsdagen den 20 december 2017\n"
                          + speaker_and_speech)
    assert (answer.dnr, answer.date) == ("2017/18:60", dt.date(2017, 12, 20))
    assert answer.respondent == Person("Morgan Johansson", "S", "Justitie- och inrikesminister")
    assert [(p.kind, p.question, p.text) for p in answer.passages] == [
        ("answer", "hur polisen ska nå fram i tid",
         "Fru talman! Per Ek har frågat mig hur polisen ska nå fram i tid.\n\nPolisen ska nå fram.")]


def test_a_joint_answer_lists_every_interpellation_and_asker():
    answer = load_answer(RIKSDAG / "2019-20-112-nattag-till-norrland.txt")
    assert answer.interpellations == [
        Interpellation("2019/20:112", Person("Maria Öberg", "S")),
        Interpellation("2019/20:131", Person("Jonas Sjöström", "SD")),
    ]
    assert [(q.number, q.asker.name, q.interpellation) for q in answer.questions] == [
        (1, "Maria Öberg", "2019/20:112"), (2, "Jonas Sjöström", "2019/20:131"),
    ]
    # "Vad gäller Jonas Sjöströms fråga om punktligheten …" opens the answer to his question.
    second = answer.passages[1]
    assert (second.question_number, second.question) == (
        2, "vilka åtgärder jag avser att vidta för att förbättra punktligheten för nattågen mellan Stockholm och Luleå")
    assert second.text.startswith("Vad gäller Jonas Sjöströms fråga om punktligheten")


def test_the_interpellant_named_in_the_heading_is_taken_from_it():
    answer = parse_answer(
        "Svar på interpellation 2015/16:9 av Eva Ström (MP) om cykelvägar\n\nTisdagen den 6 oktober 2015\n\n"
        "Anf. 1 Infrastrukturminister OLA BERG (S):\n\nFru talman! Interpellanten har frågat mig om regeringen "
        "avser att bygga fler cykelvägar längs statliga vägar.\n\nRegeringen har avsatt medel för cykelvägar.")
    assert (answer.dnr, answer.interpellant) == ("2015/16:9", Person("Eva Ström", "MP"))
    assert answer.questions[0].asker == Person("Eva Ström", "MP")
    assert answer.questions[0].text == "om regeringen avser att bygga fler cykelvägar längs statliga vägar"


def test_a_record_without_its_sitting_line_warns_and_one_without_heading_is_no_answer():
    speech = ("Anf. 1 Statsrådet ANNA LIND (S):\n\nFru talman! Per Ek har frågat mig om skatten på diesel ska "
              "sänkas.\n\nDen ska inte sänkas i år.")
    answer = parse_answer("Svar på interpellation 2016/17:4 om dieselskatten\n\n" + speech)
    assert (answer.dnr, answer.date, answer.respondent) == ("2016/17:4", None, Person("Anna Lind", "S", "Statsrådet"))
    assert answer.warnings == ["no sitting date ('Tisdagen den 19 december 2017') found"]
    # Neither a heading nor a number: not read as an answer, as for any layout.
    with pytest.raises(ReadError, match="not an interpellation answer"):
        parse_answer(speech, source="/x/anf-utan-rubrik.txt")


# -- one place chooses the layout -----------------------------------------------------------------------


def test_the_layouts_are_asked_in_order_and_stockholm_takes_the_rest():
    assert layouts.LAYOUTS == (riksdag, stockholm)
    record = (RIKSDAG / "2017-18-53-polisens-narvaro.txt").read_text(encoding="utf-8").split("\n\n")
    assert layouts.detect(record) is riksdag
    assert layouts.detect(["Svar på interpellation av A B (V) till borgarrådet C D (S) om hem", "Text."]) is stockholm
    for seed in (SEED_000, SEED_001, SEED_003, SEED_004):
        assert load_answer(seed).layout == "stockholm"


def test_a_record_that_opens_with_other_business_is_read_from_the_answers_heading():
    answer = parse_answer(
        "Riksdagens protokoll 2016/17:40\n\nTisdagen den 6 december 2016\n\n§ 1 Justering av protokoll\n\n"
        "Anf. 1 TALMANNEN:\n\nProtokollet för den 29 november justerades.\n\n"
        "§ 2 Svar på interpellation 2016/17:88 om bredband på landsbygden\n\n"
        "Anf. 2 Digitaliseringsminister EVA HOLM (S):\n\nFru talman! Jonas Berg har frågat mig när alla "
        "hushåll på landsbygden kan räkna med snabbt bredband.\n\nMålet är att 98 procent ska ha det 2025.\n\n"
        "Anf. 3 JONAS BERG (C):\n\nFru talman! Tack för svaret.")
    assert (answer.layout, answer.dnr, answer.date) == ("riksdag", "2016/17:88", dt.date(2016, 12, 6))
    assert answer.respondent == Person("Eva Holm", "S", "Digitaliseringsminister")
    assert [(p.kind, p.speaker.name) for p in answer.passages] == [("answer", ""), ("debate", "Jonas Berg")]


def test_a_speaker_line_deep_in_a_text_does_not_make_it_a_record():
    body = "\n\n".join(f"Stycke {n} om budgeten." for n in range(20))
    answer = parse_answer(f"Svar på interpellation av A B (V) till borgarrådet C D (S) om hem\nDnr KS 2024/1\n\n"
                          f"{body}\n\nAnf. 3 ANNA LIND (S): citerad ur protokollet.")
    assert answer.layout == "stockholm"


# -- through the library: the number finds it, the kind filter leaves the debate out ------------------------


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_library_finds_each_record_by_its_number(riksdag_index, name):
    expected = EXPECTED[name]
    document = riksdag_index.document(expected["dnr"])
    summary = document.summary
    # The index keeps parties in capitals ("s" in the 2004/05 record is stored as "S").
    upper = lambda p: Person(p.name, p.party.upper(), p.role)  # noqa: E731
    assert (summary.dnr, summary.date, summary.respondent, summary.interpellant) == (
        expected["dnr"], expected["date"], upper(expected["respondent"]), upper(expected["interpellant"]))
    assert [p.kind for p in document.passages] == expected["kinds"]
    assert document.passages[0].question == FIRST_QUESTIONS[name]
    hits = riksdag_index.search("talman", dnr=expected["dnr"], limit=100).hits
    assert hits and {h.dnr for h in hits} == {expected["dnr"]}


@pytest.mark.parametrize("written", ["2017/18:53", "2017/18 : 053", " 2017/18:53 ", "interpellation 2017/18:53"])
def test_the_number_is_found_however_it_is_written(riksdag_index, written):
    assert riksdag_index.document(written).summary.dnr == "2017/18:53"
    assert {h.dnr for h in riksdag_index.search("polisen", dnr=written).hits} == {"2017/18:53"}


def test_kind_answer_leaves_the_debate_out(riksdag_index):
    # Every interpellant thanks the minister in the debate, never in an answer.
    everything = riksdag_index.search("tackar", limit=100)
    assert everything.total == 9
    assert {h.kind for h in everything.hits} == {"debate"}
    assert riksdag_index.search("tackar", kind="answer").total == 0
    answers = riksdag_index.search("vårdgarantin", kind="answer", limit=100)
    assert [(h.dnr, h.passage, h.question_number) for h in answers.hits] == [("2018/19:212", 2, 2)]
    assert riksdag_index.search("vårdgarantin", limit=100).total == 3


def test_each_debate_speech_is_signed_by_its_speaker(riksdag_index):
    document = riksdag_index.document("2017/18:53")
    signed = [(p.kind, {(part.speaker.side, part.speaker.name) for part in p.parts}) for p in document.passages[:4]]
    assert signed == [
        ("answer", {("respondent", "Erik Strömberg")}),
        ("debate", {("interpellant", "Lina Forsberg")}),
        ("debate", {("respondent", "Erik Strömberg")}),
        ("debate", {("interpellant", "Lina Forsberg")}),
    ]
    hit = riksdag_index.search("Jämtlands län insatstiderna", dnr="2017/18:53", kind=None, limit=1).hits[0]
    assert (hit.passage, hit.speaker.side, hit.speaker.name) == (2, "interpellant", "Lina Forsberg")


def test_another_member_in_the_debate_is_signed_by_name_never_as_the_minister(riksdag_index):
    # Anf. 23 in 2019/20:112 is Jonas Sjöström (SD), neither the interpellant nor the minister.
    result = riksdag_index.search('"resenärerna har hört löften"', kind="debate", limit=5)
    [hit] = result.hits
    assert (hit.dnr, hit.speaker.side, hit.speaker.name, hit.speaker.party) == (
        "2019/20:112", "debater", "Jonas Sjöström", "SD")
    from click.testing import CliRunner

    from svar.search.cli import main

    out = CliRunner().invoke(main, ["search", '"resenärerna har hört löften"', "--format", "md",
                                    "--index", str(riksdag_index.path)]).stdout
    assert "— Jonas Sjöström (SD), Dnr 2019/20:112" in out, out
    parts = riksdag_index.document("2019/20:112").passages
    signed = {(part.speaker.side, part.speaker.name) for p in parts if p.kind == "debate" for part in p.parts}
    assert ("debater", "Jonas Sjöström") in signed and ("respondent", "Jonas Sjöström") not in signed


# -- the parsers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("2017/18:53", "2017/18:53"),
    ("2017/18 : 053", "2017/18:53"),
    ("1999/2000:12", "1999/2000:12"),
    ("Interpellation 2004/05:123", "2004/05:123"),
    ("2017/18", ""),
    ("KS 2022/65", "KS 2022/65"),
])
def test_interpellation_numbers_as_identifiers(text, expected):
    assert normalise_dnr(text) == expected
    assert dnr_key(text) == (expected or " ".join(text.split()))


@given(st.integers(1990, 2099), st.integers(0, 99_999), st.sampled_from(["", " ", "  "]), st.integers(0, 3))
def test_an_interpellation_number_normalises_to_one_form(year, number, space, zeros):
    session = f"{year}/{(year + 1) % 100:02d}"
    written = f"{session}{space}:{space}{'0' * zeros}{number}"
    assert normalise_dnr(written) == f"{session}:{number}"
    assert normalise_dnr(normalise_dnr(written)) == normalise_dnr(written)


@pytest.mark.parametrize("line, number, person", [
    ("Anf. 1 Justitie- och inrikesminister MORGAN JOHANSSON (S):", 1,
     Person("Morgan Johansson", "S", "Justitie- och inrikesminister")),
    ("Anf. 12 Statsrådet ANNA JOHANSSON (S):", 12, Person("Anna Johansson", "S", "Statsrådet")),
    ("Anf. 2 SVEN-ERIK BUCHT (S):", 2, Person("Sven-Erik Bucht", "S")),
    ("Anf. 47 KERSTIN ANDERSSON i Hjärtum (kd):", 47, Person("Kerstin Andersson i Hjärtum", "kd")),
    ("Anf. 5 FÖRSTE VICE TALMANNEN:", 5, Person("", "", "förste vice talmannen")),
    ("Anf. 3 Vice statsminister Isabella Lind (MP)", 3, Person("Isabella Lind", "MP", "Vice statsminister")),
    ("Anf. 9 EU-minister BIRGITTA OHLSSON (L) replik:", 9, Person("Birgitta Ohlsson", "L", "EU-minister")),
])
def test_speaker_lines(line, number, person):
    found = speaker_line(line)
    assert (found.number, found.speaker) == (number, person)
    assert speaker_line("Anförande 1 av NN") is None


@pytest.mark.parametrize("written, expected", [
    ("ANNA SVENSSON", "Anna Svensson"),
    ("SVEN-ERIK BUCHT", "Sven-Erik Bucht"),
    ("BJÖRN VON SYDOW", "Björn von Sydow"),
    ("MATTIAS KARLSSON i Luleå", "Mattias Karlsson i Luleå"),
    ("Anna Svensson", "Anna Svensson"),
])
def test_names_in_capitals_are_written_as_names(written, expected):
    assert normalise_name(written) == expected


_NAME_PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöé", min_size=2, max_size=9)


@given(st.lists(_NAME_PART, min_size=2, max_size=4))
def test_a_name_in_capitals_reads_as_the_name_written_with_capitals_first(parts):
    expected = " ".join(p if i and p in PARTICLES else p.capitalize() for i, p in enumerate(parts))
    assert normalise_name(expected.upper()) == expected
    assert normalise_name(expected) == expected


_ROLES = st.sampled_from(["Justitie- och inrikesminister", "Statsrådet", "Finansminister", "Socialminister",
                          "Miljö- och klimatminister", "Vice statsminister"])
_GIVEN = st.sampled_from(["Anna", "Per", "Sven-Erik", "Åsa", "Zeynep", "Lars"])
_FAMILY = st.sampled_from(["Berg", "Lindqvist", "Öberg", "Hammar Johnsson", "von Sydow", "Elmsäter-Svärd"])
_PARTIES = st.sampled_from(["S", "M", "SD", "C", "V", "KD", "L", "MP"])


@given(_ROLES, _GIVEN, _FAMILY, _PARTIES, _GIVEN, _FAMILY, _PARTIES, st.dates(dt.date(1995, 1, 1), dt.date(2030, 12, 31)),
       st.integers(1, 999), st.booleans())
def test_any_record_is_read_back(role, given_name, family, party, asker_given, asker_family, asker_party, day,
                                 number, capitals):
    minister = f"{given_name} {family}"
    asker = f"{asker_given} {asker_family}"
    session = f"{day.year}/{(day.year + 1) % 100:02d}"
    months = "januari februari mars april maj juni juli augusti september oktober november december".split()
    weekday = ["Måndagen", "Tisdagen", "Onsdagen", "Torsdagen", "Fredagen", "Lördagen", "Söndagen"][day.weekday()]
    written = (lambda name: name.upper()) if capitals else (lambda name: name)
    text = (f"Svar på interpellation {session}:{number} om tågen\n\n"
            f"{weekday} den {day.day} {months[day.month - 1]} {day.year}\n\n"
            f"Anf. 1 {role} {written(minister)} ({party}):\n\n"
            f"Fru talman! {asker} har frågat mig hur tågen ska gå i tid.\n\nTågen ska gå i tid.\n\n"
            f"Anf. 2 {written(asker)} ({asker_party}):\n\nFru talman! Tack för svaret.")
    answer = parse_answer(text)
    assert (answer.dnr, answer.date) == (f"{session}:{number}", day)
    assert answer.respondent == Person(minister, party, role)
    assert answer.interpellant == Person(asker, asker_party)
    assert [(p.kind, p.question) for p in answer.passages] == [("answer", "hur tågen ska gå i tid"), ("debate", "")]
    assert answer.passages[1].speaker == Person(asker, asker_party)
