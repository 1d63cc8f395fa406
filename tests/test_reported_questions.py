"""Questions an answer reports ("NN har frågat mig …"): each is a question of the answer, with its asker,
and the paragraphs that answer it are its passage, linked by order, ordinal, topic words or asker."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svar.index.loading import load_answer, parse_answer
from svar.index.records import Answer, Interpellation, Person
from svar.search import open_index

from conftest import SEED_000, SEED_001, SEED_003, SEED_004


def record(speech: str) -> Answer:
    """A chamber-record answer whose first speech is ``speech`` (paragraphs separated by blank lines)."""
    return parse_answer("Svar på interpellation 2023/24:10 om budgeten\n\nTisdagen den 5 december 2023\n\n"
                        f"Anf. 14 Finansminister BO EK (M):\n\n{speech}")


def stockholm(body: str, interpellant: str = "Anna Ek (C)") -> Answer:
    """A Stockholm answer with ``body`` between its title and its closing."""
    return parse_answer(f"Svar på interpellation av {interpellant} till finansborgarrådet Bo Ek (M) om budgeten\n"
                        f"Dnr KS 2024/1\n\n{body}\n\nStockholm den 3 maj 2024\n\nBo Ek")


def asked(answer: Answer) -> list[tuple[str, str]]:
    return [(q.asker.name, q.text) for q in answer.questions]


def cut(answer: Answer) -> list[tuple[str, int | None, str]]:
    """Each passage's kind, question number and first words."""
    return [(p.kind, p.question_number, " ".join(p.text.split()[:4])) for p in answer.passages]


# -- the forms a question is reported in -----------------------------------------------------------------


@pytest.mark.parametrize("sentence, asker, clause", [
    ("Anna Ek har frågat mig vilka åtgärder jag avser att vidta för att korta köerna.",
     "Anna Ek", "vilka åtgärder jag avser att vidta för att korta köerna"),
    ("Anna Ek har frågat mig om jag är beredd att sänka skatten.", "Anna Ek", "om jag är beredd att sänka skatten"),
    ("Anna Ek har frågat mig hur regeringen ska klara budgeten.", "Anna Ek", "hur regeringen ska klara budgeten"),
    ("Anna Ek (C) har i en interpellation frågat mig på vilket sätt regeringen följer upp budgeten.",
     "Anna Ek", "på vilket sätt regeringen följer upp budgeten"),
    ("Jonas Andersson i Linghem har frågat mig när vägen ska byggas om.",
     "Jonas Andersson i Linghem", "när vägen ska byggas om"),
    ("Anna Ek har frågat mig följande: Vilka åtgärder avser ministern att vidta?",
     "Anna Ek", "Vilka åtgärder avser ministern att vidta?"),
    ("Anna Ek har frågat statsministern om regeringen avser att sänka skatten.",
     "Anna Ek", "om regeringen avser att sänka skatten"),
    ("Anna Ek har frågat justitie- och migrationsministern Per Berg hur gränskontrollerna ska bemannas.",
     "Anna Ek", "hur gränskontrollerna ska bemannas"),
    ("Anna Ek frågar mig dels om skatten ska sänkas, dels när det i så fall ska ske.",
     "Anna Ek", "dels om skatten ska sänkas, dels när det i så fall ska ske"),
    ("Ann-Charlotte Hammar Johnsson har undrat vad regeringen gör åt ränteavdragen.",
     "Ann-Charlotte Hammar Johnsson", "vad regeringen gör åt ränteavdragen"),
    ("Anna Ek har ställt tre frågor till mig om reseavdraget och bensinskatten.",
     "Anna Ek", "om reseavdraget och bensinskatten"),
    ("Anna Ek har ställt en interpellation till mig och frågat om reseavdraget ska höjas.",
     "Anna Ek", "om reseavdraget ska höjas"),
    ("Jag har fått en interpellation från Anna Ek som frågar mig hur pendlarna ska klara kostnaderna.",
     "Anna Ek", "hur pendlarna ska klara kostnaderna"),
    ("Anna Ek har frågat mig, mot bakgrund av Riksrevisionens rapport, vilka åtgärder jag avser att vidta.",
     "Anna Ek", "vilka åtgärder jag avser att vidta"),
    ("Anna Ek har frågat mig – med hänvisning till Riksrevisionens rapport – hur tillsynen ska skärpas.",
     "Anna Ek", "hur tillsynen ska skärpas"),
])
def test_a_reported_question_is_a_question_with_its_asker(sentence, asker, clause):
    answer = record(f"Fru talman! {sentence}\n\nRegeringen följer frågan noga.")
    assert asked(answer) == [(asker, clause)]
    first = answer.passages[0]
    assert (first.kind, first.question_number, first.question) == ("answer", 1, clause)
    assert first.text == f"Fru talman! {sentence}\n\nRegeringen följer frågan noga."


def test_the_asker_goes_on_as_a_pronoun_in_every_word_order():
    answer = record(
        "Fru talman! Karin Holm (L) har frågat mig vilka åtgärder jag avser att vidta för att korta köerna. "
        "Hon har även frågat om jag avser att införa en vårdgaranti för barn. Vidare har hon frågat hur "
        "regionerna ska följas upp. Dessutom frågar hon när beskedet kommer. Slutligen undrar hon om "
        "pengarna räcker till alla regioner.\n\nKöerna ska kortas.")
    assert asked(answer) == [
        ("Karin Holm", "vilka åtgärder jag avser att vidta för att korta köerna"),
        ("Karin Holm", "om jag avser att införa en vårdgaranti för barn"),
        ("Karin Holm", "hur regionerna ska följas upp"),
        ("Karin Holm", "när beskedet kommer"),
        ("Karin Holm", "om pengarna räcker till alla regioner"),
    ]
    assert {q.asker for q in answer.questions} == {Person("Karin Holm", "L")}
    # Nothing links the prose to a later question: it answers them in the order asked, from the first.
    assert cut(answer) == [("answer", 1, "Fru talman! Karin Holm")]


def test_a_question_asked_jointly_names_every_asker():
    answer = record("Fru talman! Anna Ek (C) och Per Berg (M) har frågat mig om reseavdraget ska höjas.\n\n"
                    "Det ska det inte.")
    [question] = answer.questions
    assert (question.asker, question.co_askers) == (Person("Anna Ek", "C"), (Person("Per Berg", "M"),))
    assert answer.interpellations == [Interpellation("2023/24:10", Person("Anna Ek", "C")),
                                      Interpellation("", Person("Per Berg", "M"))]


def test_a_pronoun_after_the_interpellant_is_mentioned_stands_for_them():
    answer = parse_answer(
        "Svar på interpellation 2023/24:10 om budgeten\n\nAnf. 14 Finansminister BO LUND (M):\n\n"
        "Fru talman! Anna Eks interpellation handlar om pendlarna. Hon frågar om reseavdraget ska höjas.\n\n"
        "Det ska det inte.\n\nAnf. 15 ANNA EK (C):\n\nFru talman! Tack.")
    assert [(q.asker, q.text) for q in answer.questions] == [(Person("Anna Ek", "C"), "om reseavdraget ska höjas")]


def test_a_question_handed_over_from_another_minister_is_a_question_too():
    answer = record(
        "Fru talman! Anders Lind har frågat finansministern om regeringen avser att återinföra "
        "skattereduktionen för gåvor. Arbetet inom regeringen är så fördelat att det är jag som ska svara på "
        "interpellationen.\n\nHan har också frågat statsrådet Sara Nyqvist om hon avser att stärka "
        "civilsamhällets finansiering. Den interpellationen har överlämnats till mig.\n\n"
        "Skattereduktionen avskaffades 2016.\n\nNär det gäller civilsamhällets finansiering pågår en utredning.")
    assert asked(answer) == [
        ("Anders Lind", "om regeringen avser att återinföra skattereduktionen för gåvor"),
        ("Anders Lind", "om hon avser att stärka civilsamhällets finansiering"),
    ]
    assert cut(answer) == [("answer", 1, "Fru talman! Anders Lind"), ("answer", 2, "När det gäller civilsamhällets")]


def test_a_joint_answer_has_each_askers_question_and_interpellation():
    answer = stockholm(
        "Anna Ek har frågat mig hur staden ska finansiera simhallarna. Lena Sjö (S) har frågat mig om "
        "parkeringsavgifterna ska höjas i innerstaden.\n\nSimhallarna finansieras inom investeringsplanen.\n\n"
        "Vad gäller Lena Sjös fråga är svaret nej.")
    assert [(q.number, q.asker, q.text) for q in answer.questions] == [
        (1, Person("Anna Ek", "C"), "hur staden ska finansiera simhallarna"),
        (2, Person("Lena Sjö", "S"), "om parkeringsavgifterna ska höjas i innerstaden"),
    ]
    # The title names the first interpellant; the second is recorded with her interpellation.
    assert answer.interpellant == Person("Anna Ek", "C")
    assert answer.interpellations == [Interpellation("", Person("Anna Ek", "C")), Interpellation("", Person("Lena Sjö", "S"))]
    assert cut(answer) == [("answer", 1, "Anna Ek har frågat"), ("answer", 2, "Vad gäller Lena Sjös"),
                           ("closing", None, "Stockholm den 3 maj")]


def test_interpellanten_in_a_stockholm_answer_is_the_interpellant_of_the_title():
    answer = stockholm("Interpellanten har frågat mig om staden kan bygga fler förskolor i ytterstaden.\n\n"
                       "Staden bygger tolv nya förskolor.")
    assert [(q.asker, q.text, q.reported) for q in answer.questions] == [
        (Person("Anna Ek", "C"), "om staden kan bygga fler förskolor i ytterstaden", True)]
    assert cut(answer) == [("answer", 1, "Interpellanten har frågat mig"), ("closing", None, "Stockholm den 3 maj")]


def test_questions_listed_after_a_colon_are_the_interpellants_own_words():
    answer = record("Fru talman! Anna Ek har ställt följande frågor till mig:\n\n"
                    "– Vilka åtgärder avser ministern att vidta för att sänka skatten?\n\n"
                    "– Avser ministern att se över reseavdraget?\n\nSkatten sänks nästa år.\n\n"
                    "När det gäller reseavdraget ses det över.")
    assert [(q.text, q.reported) for q in answer.questions] == [
        ("Vilka åtgärder avser ministern att vidta för att sänka skatten?", False),
        ("Avser ministern att se över reseavdraget?", False),
    ]
    assert cut(answer) == [("answer", 1, "Fru talman! Anna Ek"), ("answer", 2, "När det gäller reseavdraget")]
    quoted = record("Fru talman! Anna Ek har frågat mig följande: Vilka åtgärder avser ministern att vidta?\n\n"
                    "Skatten sänks.")
    assert [(q.text, q.reported) for q in quoted.questions] == [("Vilka åtgärder avser ministern att vidta?", False)]


def test_numbered_questions_in_a_record_are_the_interpellants():
    answer = parse_answer(
        "Svar på interpellation 2023/24:10 om budgeten\n\nTisdagen den 5 december 2023\n\n"
        "Anf. 14 Finansminister BO EK (M):\n\nFru talman! Anna Ek har ställt följande frågor till mig:\n\n"
        "1. Vilka åtgärder avser ministern att vidta för att sänka skatten?\n\n"
        "2. Avser ministern att se över reseavdraget?\n\nSkatten sänks nästa år.\n\n"
        "När det gäller den andra frågan ses reseavdraget över.\n\nAnf. 15 ANNA EK (C):\n\nFru talman! Tack.")
    # Numbered questions are cut as they always have been (index/passages.py), with the debate's asker.
    assert [(q.number, q.asker, q.reported) for q in answer.questions] == [
        (1, Person("Anna Ek", "C"), False), (2, Person("Anna Ek", "C"), False)]
    assert cut(answer) == [("preamble", None, "Fru talman! Anna Ek"), ("answer", 1, "Skatten sänks nästa år."),
                           ("answer", 2, "När det gäller den"), ("debate", None, "Anf. 15 ANNA EK")]


@pytest.mark.parametrize("sentence", [
    "Moderaterna har frågat mig om skatten ska sänkas.",  # a party, not a person
    "Jag har frågat Skatteverket om reglerna kan förenklas.",  # the respondent asking
    "Många har frågat mig varför budgeten dröjer.",
    "Anna Ek har ställt en interpellation till mig om budgeten.",  # the topic, no question
    "Hon har frågat mig om skatten ska sänkas.",  # a pronoun with no one named before it
    "Anna Ek har frågat mig om det.",  # too short to be a question
    "Anna Ek har frågat sig själv om skatten ska sänkas.",
])
def test_sentences_that_report_no_question_leave_the_answer_uncut(sentence):
    answer = record(f"Fru talman! {sentence}\n\nRegeringen följer frågan noga.")
    assert answer.questions == []
    assert [p.kind for p in answer.passages] == ["preamble"]


# -- which paragraphs answer which question -------------------------------------------------------------


def test_paragraphs_are_linked_by_ordinal():
    answer = record(
        "Fru talman! Elin Berg har frågat mig hur jag ser på lärarbristen. Hon har vidare frågat vilka "
        "åtgärder jag avser att vidta för att lärare ska stanna i yrket. Slutligen har hon frågat om jag vill "
        "se över statsbidragen.\n\nLärarbristen är allvarlig.\n\nDen andra frågan gäller arbetsvillkoren.\n\n"
        "Fler lärare ska stanna.\n\nNär det gäller den sista frågan är jag öppen för det.")
    assert cut(answer) == [("answer", 1, "Fru talman! Elin Berg"), ("answer", 2, "Den andra frågan gäller"),
                           ("answer", 3, "När det gäller den")]
    assert answer.passages[1].text == "Den andra frågan gäller arbetsvillkoren.\n\nFler lärare ska stanna."


def test_paragraphs_are_linked_by_the_words_only_one_question_has():
    answer = record(
        "Fru talman! Karin Holm har frågat mig vilka åtgärder jag avser att vidta för att korta köerna till "
        "barnpsykiatrin. Hon har även frågat om jag avser att förstärka vårdgarantin för barn.\n\n"
        "Köerna är för långa.\n\nNär det gäller vårdgarantin ska den följas upp.\n\n"
        "Beträffande barn och regioner vill jag säga något mer.")
    # "vårdgarantin" is only in the second question; "barn" is in both, so the last paragraph, which
    # names nothing only one question has, stays with the question before it.
    assert cut(answer) == [("answer", 1, "Fru talman! Karin Holm"), ("answer", 2, "När det gäller vårdgarantin")]
    assert answer.passages[1].text.endswith("Beträffande barn och regioner vill jag säga något mer.")


def test_a_question_stated_later_opens_its_own_passage():
    answer = record(
        "Fru talman! Per Ek har frågat mig om bensinskatten ska sänkas.\n\nDen ska inte sänkas i år.\n\n"
        "Per Ek har också frågat mig hur landsbygden ska kompenseras.\n\nReseavdraget höjs.")
    assert cut(answer) == [("answer", 1, "Fru talman! Per Ek"), ("answer", 2, "Per Ek har också")]
    assert answer.passages[1].text == ("Per Ek har också frågat mig hur landsbygden ska kompenseras.\n\n"
                                       "Reseavdraget höjs.")


def test_prose_before_the_first_reported_question_is_preamble():
    answer = stockholm("Jag tackar för interpellationen.\n\nAnna Ek har frågat mig om budgeten är i balans.\n\n"
                       "Budgeten är i balans.")
    assert cut(answer) == [("preamble", None, "Jag tackar för interpellationen."),
                           ("answer", 1, "Anna Ek har frågat"), ("closing", None, "Stockholm den 3 maj")]


# -- the seeds keep their questions ---------------------------------------------------------------------


def test_the_seeds_keep_their_questions():
    # 000 refers to a question ("Vad gäller Andrea Hedins fråga om …") that it never reports first: no
    # question; the others number theirs, which are the interpellant's own words.
    assert load_answer(SEED_000).questions == []
    for seed, count in ((SEED_001, 3), (SEED_003, 5), (SEED_004, 3)):
        answer = load_answer(seed)
        assert [q.number for q in answer.questions] == list(range(1, count + 1))
        assert not any(q.reported for q in answer.questions)
        assert {q.asker for q in answer.questions} == {answer.interpellant}
        assert answer.interpellations == [Interpellation("", answer.interpellant)]
    assert load_answer(SEED_001).questions[1].text.startswith("Anser borgarrådet att socialtjänsten har den kompetens")


# -- who said it ----------------------------------------------------------------------------------------


def test_a_reported_question_is_the_respondents_words(tmp_path):
    text = ("Svar på interpellation 2023/24:10 om budgeten\n\nTisdagen den 5 december 2023\n\n"
            "Anf. 14 Finansminister BO EK (M):\n\nFru talman! Anna Ek har frågat mig om jag är beredd att "
            "sänka skatten för pensionärer.\n\nSkatten sänks nästa år.\n\nAnf. 15 ANNA EK (C):\n\n"
            "Fru talman! Jag tackar för svaret.")
    with open_index(tmp_path / "index", create=True) as answers:
        answers.add_text(text, source="budget.txt")
        document = answers.document("2023/24:10")
        hit = answers.search("pensionärer", kind="answer").hits[0]
    speakers = [{(part.speaker.side, part.speaker.name) for part in p.parts} for p in document.passages]
    assert speakers == [{("respondent", "Bo Ek")}, {("interpellant", "Anna Ek")}]
    assert (hit.question, hit.speaker.side) == ("om jag är beredd att sänka skatten för pensionärer", "respondent")


# -- any name, any clause -------------------------------------------------------------------------------

_FIRST = st.sampled_from(["Anna", "Per", "Ann-Charlotte", "Åsa", "Jonas", "Ebba", "Ulf", "Zeynep"])
_LAST = st.sampled_from(["Ek", "Lindqvist", "Öberg", "Hammar Johnsson", "Elmsäter-Svärd", "von Sydow", "Nilsson"])
_OPENING = st.sampled_from(["om", "hur", "vilka åtgärder", "vad", "när", "varför", "på vilket sätt", "huruvida"])
_WORDS = st.lists(st.sampled_from("regeringen avser att vidta kommunerna skolan vården polisen i hela landet "
                                  "ska kunna få mer resurser under året och för barn".split()), min_size=2, max_size=12)


@settings(max_examples=60, deadline=None)
@given(_FIRST, _LAST, st.sampled_from(["", " (S)", " (KD)"]), _OPENING, _WORDS)
def test_any_asker_and_clause_are_read_back(first, last, party, opening, words):
    name = f"{first} {last}"
    clause = f"{opening} {' '.join(words)}"
    answer = record(f"Fru talman! {name}{party} har frågat mig {clause}.\n\nSvaret följer.")
    assert [(q.asker.name, q.asker.party, q.text) for q in answer.questions] == [(name, party.strip(" ()"), clause)]
    assert answer.passages[0].question == clause
