"""Passages at question boundaries: numbered questions, ordinal links, bounded preamble chunks."""

from svar.index.loading import load_answer, parse_answer
from svar.index.passages import MAX_WORDS, MIN_WORDS

from conftest import SEED_000, SEED_001, SEED_003, SEED_004


def answers_of(path):
    return [p for p in load_answer(path).passages if p.kind == "answer"]


def test_003_has_five_question_passages():
    passages = answers_of(SEED_003)
    assert [p.question_number for p in passages] == [1, 2, 3, 4, 5]
    assert [p.question for p in passages] == [
        "Hur ser socialborgarrådet på att Stockholm ger färre insatser per barn än jämförbara storstäder?",
        "Hur ser socialborgarrådet på att Stockholms stad i större utsträckning ger öppna insatser än andra storstadskommuner?",
        "Ser socialborgarrådet att de öppna insatserna riskerar att tränga undan mer omfattande insatser?",
        "Ser socialborgarrådet att den nya socialtjänstlagen kommer att påverka vilka insatser som ges och när?",
        "Har socialborgarrådet analyserat om det finns barn som skulle behöva mer omfattande insatser men som i dag enbart får öppna insatser?",
    ]
    # Each holds its question and the answer up to the next question.
    assert passages[3].text.startswith("4. Ser socialborgarrådet")
    assert passages[3].text.endswith("som redan pågår inom stadens öppenvård.")


def test_004_has_three_question_passages_with_svar():
    passages = answers_of(SEED_004)
    assert [p.question_number for p in passages] == [1, 2, 3]
    assert passages[0].question == (
        "På vilket sätt ämnar du säkerställa att placerade barn får de besök i familjehem som ansvarig "
        "myndighet har förpliktigat sig att göra men som inte görs idag?"
    )
    assert "\n\nSvar: Av interpellationen verkar framgå" in passages[0].text
    assert passages[2].text.endswith("kan också ge oss möjlighet att identifiera potential för förbättring.")


def test_001_prose_answers_are_linked_to_listed_questions_by_ordinal():
    passages = load_answer(SEED_001).passages
    assert [(p.kind, p.question_number) for p in passages] == [
        ("preamble", None), ("answer", 1), ("answer", 2), ("answer", 3), ("closing", None),
    ]
    assert passages[0].text.startswith("Alexandra Mattsson Åkerström (V) har i sin interpellation")
    assert passages[2].text.startswith("När det gäller interpellantens andra fråga")
    assert passages[2].question.startswith("Anser borgarrådet att socialtjänsten har den kompetens")
    assert passages[3].text.startswith("När det gäller interpellantens avslutande fråga")
    assert passages[3].question.startswith("Planeras några särskilda insatser")
    assert passages[1].text.startswith("Jag vill först säga")


def test_000_without_questions_is_cut_at_paragraphs_within_bounds():
    passages = load_answer(SEED_000).passages
    assert [p.kind for p in passages] == ["preamble"] * 4 + ["closing"]
    assert [len(p.text.split()) for p in passages[:-1]] == [104, 134, 85, 78]
    assert passages[-1].text == "Stockholm den 2025-08-27\n\nAlexander Ojanne"


def test_passage_spans_point_into_the_cleaned_text():
    for path in (SEED_000, SEED_001, SEED_003, SEED_004):
        answer = load_answer(path)
        assert [p.number for p in answer.passages] == list(range(1, len(answer.passages) + 1))
        for passage in answer.passages:
            assert answer.text[passage.start:passage.end] == passage.text
            assert passage.dnr == answer.dnr


def test_long_paragraph_is_split_at_sentences_never_mid_sentence():
    sentence = "Staden har under året arbetat vidare med placeringar i familjehem och jourhem. "
    body = sentence * 60  # one 720-word paragraph
    answer = parse_answer(f"Svar på interpellation av A B (V) till borgarrådet C D (S) om hem\nDnr KS 2024/1\n\n{body}")
    sizes = [len(p.text.split()) for p in answer.passages]
    assert all(MIN_WORDS <= s <= MAX_WORDS for s in sizes)
    assert sum(sizes) == 720
    assert all(p.text.endswith("jourhem.") for p in answer.passages)
