"""Who said what: every quote is signed by its speaker, never the interpellant's question by the respondent.

Over every passage of the seeds, through the library, the command line and the web page; and the
attribution of a passage's text (search/attribution.py) on the forms an answer quotes a question in.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svar.search import query as query_parsing
from svar.search.attribution import INTERPELLANT, RESPONDENT, attribute
from svar.search.cli import main
from svar.search.snippets import MARKING_FIELDS, snippet_of
from svar.search.web import create_app

Q_469 = "Hur ser socialborgarrådet på att Stockholm ger färre insatser per barn än jämförbara storstäder?"
# The interpellant's words in each passage of the seeds (the questions repeated in the answers), exactly;
# every other passage and everything else is the respondent's.
ASKED = {
    ("KS 2026/469", 4): ["1. " + Q_469],
    ("KS 2026/469", 5): ["2. Hur ser socialborgarrådet på att Stockholms stad i större utsträckning ger öppna insatser "
                         "än andra storstadskommuner?"],
    ("KS 2026/469", 6): ["3. Ser socialborgarrådet att de öppna insatserna riskerar att tränga undan mer omfattande "
                         "insatser?"],
    ("KS 2026/469", 7): ["4. Ser socialborgarrådet att den nya socialtjänstlagen kommer att påverka vilka insatser som "
                         "ges och när?"],
    ("KS 2026/469", 8): ["5. Har socialborgarrådet analyserat om det finns barn som skulle behöva mer omfattande "
                         "insatser men som i dag enbart får öppna insatser?"],
    ("KS 2022/65", 1): [
        "1. Har staden kunskap kring hur det ser ut idag kring eventuella skillnader mellan kön, etnicitet och "
        "geografisk tillhörighet när det kommer till barn och ungas insatser i socialtjänsten? Ämnar några åtgärder "
        "vidtas med hänsyn till DO:s rapport och risker för diskriminering?\n\n"
        "2. Anser borgarrådet att socialtjänsten har den kompetens och tid som krävs för att arbeta med "
        "motivationsarbete tillsammans med familjer för att öka graden av samtycken?\n\n"
        "3. Planeras några särskilda insatser för att öka tilliten till socialtjänsten i områden där tilliten är låg? "
        "I t.ex. Göteborg arbetar socialtjänsten med särskilda kulturtolkar."],
    ("KS 2020/1079", 5): ["1. På vilket sätt ämnar du säkerställa att placerade barn får de besök i familjehem som "
                          "ansvarig myndighet har förpliktigat sig att göra men som inte görs idag?"],
    ("KS 2020/1079", 6): ["2. Vilka eventuella åtgärder ämnar du vidta för att socialtjänsten i staden har ett "
                          "fungerande egenkontrollsystem för exempelvis de barn som varit placerade sedan späd ålder "
                          "och ett övervägande om vårdnadsöverflytt bör göras?"],
    ("KS 2020/1079", 7): ["3. Har borgarrådet vidtagit några åtgärder för att säkerställa att alla barn och dess "
                          "familjer får likvärdigt stöd i hela staden efter exempelvis en placering? Ser du behov av "
                          "utveckling av arbetet med familjer efter en placering?"],
}
# For each passage with the interpellant's words: a word that is only there, not in the respondent's part.
ONLY_ASKED = {
    ("KS 2026/469", 4): "storstäder", ("KS 2026/469", 5): "storstadskommuner", ("KS 2026/469", 6): "omfattande",
    ("KS 2026/469", 7): "påverka", ("KS 2026/469", 8): "analyserat", ("KS 2022/65", 1): "kulturtolkar",
    ("KS 2020/1079", 5): "förpliktigat", ("KS 2020/1079", 6): "eventuella", ("KS 2020/1079", 7): "likvärdigt",
}
INTERPELLANTS = {"KS 2026/469": ("Andréa Hedin", "M"), "KS 2025/806": ("Andréa Hedin", "M"),
                 "KS 2022/65": ("Alexandra Mattsson Åkerström", "V"),
                 "KS 2020/1079": ("Alexandra Mattsson Åkerström", "V")}
RESPONDENTS = {"KS 2026/469": ("Alexander Ojanne", "S"), "KS 2025/806": ("Alexander Ojanne", "S"),
               "KS 2022/65": ("Jan Jönsson", "L"), "KS 2020/1079": ("Jan Jönsson", "L")}
PASSAGES = {"KS 2026/469": 9, "KS 2025/806": 5, "KS 2022/65": 5, "KS 2020/1079": 8}


@pytest.fixture(scope="module")
def documents(seed_index):
    return {dnr: seed_index.document(dnr) for dnr in PASSAGES}


def every_passage(documents):
    return [(dnr, p) for dnr, document in documents.items() for p in document.passages]


def sentences(text: str) -> list[str]:
    from svar.index.sentences import sentence_spans

    return [text[s:e].strip() for s, e in sentence_spans(text) if text[s:e].strip()]


def one_line(text: str) -> str:
    return " ".join(text.split())


# -- the passages ---------------------------------------------------------------------------------------


def test_every_passage_of_the_seeds_is_split_by_speaker_exactly(documents):
    assert {dnr: len(d.passages) for dnr, d in documents.items()} == PASSAGES
    for dnr, p in every_passage(documents):
        asked = [part.text for part in p.parts if part.speaker.side == INTERPELLANT]
        assert asked == ASKED.get((dnr, p.passage), []), (dnr, p.passage)
        for part in p.parts:
            assert part.text == p.text[part.start:part.end]
            names = INTERPELLANTS if part.speaker.side == INTERPELLANT else RESPONDENTS
            assert (part.speaker.name, part.speaker.party) == names[dnr]
        # The parts are the text in order: between them there is only whitespace.
        covered = "".join(p.text[a.end:b.start] for a, b in zip(p.parts, p.parts[1:]))
        assert not covered.strip() and not p.text[:p.parts[0].start].strip() and not p.text[p.parts[-1].end:].strip()


def test_every_sentence_of_a_stored_question_in_a_passage_is_the_interpellants(documents):
    checked = 0
    for dnr, p in every_passage(documents):
        # The passage's own question, and the questions of the other passages of its answer (the questions
        # listed up front in KS 2022/65 are those its later passages answer).
        questions = {other.question for other in documents[dnr].passages if other.question}
        for question in questions:
            for sentence in sentences(question):
                at = p.text.find(sentence)
                while at >= 0:
                    sides = {part.speaker.side for part in p.parts
                             if part.start < at + len(sentence) and at < part.end}
                    assert sides == {INTERPELLANT}, (dnr, p.passage, sentence)
                    assert any(part.start <= at and at + len(sentence) <= part.end for part in p.parts)
                    checked += 1
                    at = p.text.find(sentence, at + 1)
    # Sentences: five in 2026/469 4–8, four in 2020/1079 5–7, five in the list of KS 2022/65's first passage.
    assert checked == 14


def test_a_word_only_in_the_question_gives_a_hit_signed_by_the_interpellant(seed_index, documents):
    assert sorted(ONLY_ASKED) == sorted(ASKED)
    for (dnr, number), word in ONLY_ASKED.items():
        result = seed_index.search(word, dnr=dnr, limit=50)
        hit = next(h for h in result.hits if h.passage == number)
        assert hit.speaker.side == INTERPELLANT, (dnr, number, word, hit.snippet)
        assert (hit.speaker.name, hit.speaker.party) == INTERPELLANTS[dnr]
        assert hit.interpellant.name == hit.speaker.name
        # The snippet is the question's words, with the word marked.
        assert one_line(hit.snippet) in one_line(ASKED[(dnr, number)][0])
        assert word in [hit.snippet[s:e] for s, e in hit.highlights]


def test_a_snippet_never_spans_two_speakers(seed_index, documents):
    """Search a sample of the seeds' words; every snippet lies in one part and is signed by its speaker."""
    words = sorted({w.lower() for _, p in every_passage(documents) for w in re.findall(r"[^\W\d_]{5,}", p.text)})
    assert len(words) > 500
    parts = {(dnr, p.passage): p.parts for dnr, p in every_passage(documents)}
    sides = set()
    for word in words[::3]:
        for hit in seed_index.search(word, limit=30).hits:
            assert hit.speaker is not None and hit.snippet
            shown = one_line(hit.snippet.strip("…"))
            inside = [part for part in parts[(hit.dnr, hit.passage)] if shown in one_line(part.text)]
            assert inside, (word, hit.dnr, hit.passage, hit.snippet)
            assert {part.speaker for part in inside} == {hit.speaker}, (word, hit.dnr, hit.passage)
            assert hit.parts == parts[(hit.dnr, hit.passage)]
            sides.add(hit.speaker.side)
    assert sides == {INTERPELLANT, RESPONDENT}


def test_at_equal_matches_the_snippet_is_the_answer(seed_index):
    # "familjehem" is in question 1 of KS 2020/1079 and in the answer to it: the answer is quoted.
    hit = seed_index.search("familjehem", dnr="KS 2020/1079").hits[0]
    assert hit.passage == 5
    assert hit.snippet.startswith("Svar: Av interpellationen verkar framgå")
    assert (hit.speaker.side, hit.speaker.name, hit.speaker.party) == (RESPONDENT, "Jan Jönsson", "L")


# -- the command line -------------------------------------------------------------------------------------


def test_the_markdown_citation_of_the_question_names_the_interpellant(runner):
    result = runner.invoke(main, ["search", "kulturtolkar OR skyddsfonden", "--format", "md"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    quote = ("> ”3. Planeras några särskilda insatser för att öka tilliten till socialtjänsten i områden där tilliten "
             "är låg? I t.ex. Göteborg arbetar socialtjänsten med särskilda kulturtolkar.”")
    at = lines.index(quote)
    assert lines[at + 1] == "> — Alexandra Mattsson Åkerström (V), interpellant, Dnr KS 2022/65, 2022-03-22"
    # The answers are still the respondent's, and nothing the interpellant asked is signed by him.
    citations = [line for line in lines if line.startswith("> — ")]
    assert citations == ["> — socialborgarrådet Jan Jönsson (L), Dnr KS 2022/65, 2022-03-22",
                         "> — Alexandra Mattsson Åkerström (V), interpellant, Dnr KS 2022/65, 2022-03-22",
                         "> — socialborgarrådet Jan Jönsson (L), Dnr KS 2020/1079, 2021-04-06"]
    for line, citation in zip(lines, lines[1:]):
        if line.startswith("> ”") and "Jan Jönsson" in citation:
            assert "Planeras" not in line and "kulturtolkar" not in line


def test_json_and_jsonl_give_the_speaker_of_each_snippet(runner):
    data = json.loads(runner.invoke(main, ["search", "kulturtolkar OR skyddsfonden", "--json"]).stdout)
    assert [(h["dnr"], h["passage"], h["speaker"]) for h in data["hits"]] == [
        ("KS 2022/65", 4, {"side": "respondent", "name": "Jan Jönsson", "party": "L"}),
        ("KS 2022/65", 1, {"side": "interpellant", "name": "Alexandra Mattsson Åkerström", "party": "V"}),
        ("KS 2020/1079", 5, {"side": "respondent", "name": "Jan Jönsson", "party": "L"}),
    ]
    preamble = data["hits"][1]
    assert [(p["speaker"]["side"], p["text"][:30]) for p in preamble["parts"]] == [
        ("respondent", "Alexandra Mattsson Åkerström ("), ("interpellant", "1. Har staden kunskap kring hu")]
    assert all(preamble["text"][p["start"]:p["end"]] == p["text"] for p in preamble["parts"])
    lines = runner.invoke(main, ["search", "kulturtolkar OR skyddsfonden", "--format", "jsonl"]).stdout.splitlines()
    assert [json.loads(line)["speaker"]["side"] for line in lines] == ["respondent", "interpellant", "respondent"]


def test_csv_and_the_table_say_who_speaks(runner):
    text = runner.invoke(main, ["search", "kulturtolkar OR skyddsfonden", "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["speaker_side"], r["speaker"], r["speaker_party"]) for r in rows] == [
        ("respondent", "Jan Jönsson", "L"), ("interpellant", "Alexandra Mattsson Åkerström", "V"),
        ("respondent", "Jan Jönsson", "L")]
    table = runner.invoke(main, ["search", "kulturtolkar OR skyddsfonden"]).stdout.splitlines()
    snippets = [line for line in table if line.startswith("    ") and not line.startswith("    Question")
                and " · passage " not in line]
    assert [line.split(": ", 1)[0] for line in snippets] == [
        "    Jan Jönsson (L)", "    Alexandra Mattsson Åkerström (V), interpellant", "    Jan Jönsson (L)"]
    assert snippets[1].endswith(": 3. Planeras några särskilda insatser för att öka tilliten till socialtjänsten i "
                                "områden där tilliten är låg? I t.ex. Göteborg arbetar socialtjänsten med särskilda "
                                "kulturtolkar.")


def test_show_json_gives_each_passage_its_parts_with_speakers(runner):
    document = json.loads(runner.invoke(main, ["show", "KS 2022/65", "--json"]).stdout)
    alexandra = {"side": "interpellant", "name": "Alexandra Mattsson Åkerström", "party": "V"}
    jan = {"side": "respondent", "name": "Jan Jönsson", "party": "L"}
    first = document["passages"][0]
    assert first["parts"] == [
        {"start": 0, "end": 90, "text": "Alexandra Mattsson Åkerström (V) har i sin interpellation ställt följande "
                                        "frågor till mig:", "speaker": jan},
        {"start": 92, "end": len(first["text"]), "text": ASKED[("KS 2022/65", 1)][0], "speaker": alexandra},
    ]
    for passage in document["passages"][1:]:
        assert [(p["start"], p["end"], p["speaker"]) for p in passage["parts"]] == [(0, len(passage["text"]), jan)]
    answer = json.loads(runner.invoke(main, ["show", "KS 2026/469", "--json"]).stdout)["passages"][3]
    assert [(p["speaker"]["name"], p["text"][:20]) for p in answer["parts"]] == [
        ("Andréa Hedin", "1. Hur ser socialbor"), ("Alexander Ojanne", "Stockholm stad har s")]
    assert answer["parts"][0]["text"] == "1. " + answer["question"] == "1. " + Q_469


# -- the web page -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(seed_index_dir):
    return create_app(seed_index_dir).test_client()


def speakers(html: str) -> list[str]:
    return [unescape(s) for s in re.findall(r'<p class="speaker">(.*?)</p>', html)]


def test_the_results_page_signs_each_quote(client):
    html = client.get("/?q=kulturtolkar+OR+skyddsfonden").get_data(as_text=True)
    assert speakers(html) == ["— socialborgarrådet Jan Jönsson (L)", "— Alexandra Mattsson Åkerström (V), interpellant",
                              "— socialborgarrådet Jan Jönsson (L)"]
    hits = re.findall(r'<li class="hit">(.*?)</li>', html, re.S)
    assert "3. Planeras några särskilda insatser" in hits[1] and "<mark>kulturtolkar</mark>" in hits[1]


def test_a_snippet_that_is_the_question_is_shown_once_signed_by_the_interpellant(client):
    html = client.get("/?q=f%C3%B6rpliktigat").get_data(as_text=True)
    question = re.search(r'<p class="question">(.*?)</p>', html, re.S)[1]
    assert "<mark>förpliktigat</mark>" in question
    assert '<p class="snippet"' not in html
    assert speakers(html) == ["— Alexandra Mattsson Åkerström (V), interpellant"]


def test_the_document_page_quotes_the_questions_with_who_asked(client):
    html = client.get("/answer/KS%202022/65").get_data(as_text=True)
    figures = re.findall(r'<figure class="asked">(.*?)</figure>', html, re.S)
    assert len(figures) == 1
    assert [" ".join(unescape(re.sub(r"<[^>]+>", "", p)).split())
            for p in re.findall(r"<p>(.*?)</p>", figures[0], re.S)][2].startswith("3. Planeras några särskilda")
    assert "— Alexandra Mattsson Åkerström (V), interpellant" in figures[0]
    numbered = client.get("/answer/KS%202020/1079").get_data(as_text=True)
    assert len(re.findall(r'<figure class="asked">', numbered)) == 3


# -- attributing a passage's text -----------------------------------------------------------------------


def asked(text: str, question: str = "", interpellant: str = "Eva Exempel", respondent: str = "Ola Test") -> list[str]:
    parts = attribute(text, question, interpellant=interpellant, respondent=respondent)
    covered = "".join(text[a.end:b.start] for a, b in zip(parts, parts[1:]))
    assert not covered.strip(" \n”\".,"), covered
    return [text[p.start:p.end] for p in parts if p.side == INTERPELLANT]


def test_a_question_quoted_with_a_reporting_verb_is_the_interpellants():
    assert asked("Interpellanten frågar: ”Hur ska staden göra? Finns det planer?” och jag svarar nej.") == [
        "Hur ska staden göra? Finns det planer?"]
    assert asked("”Hur ska staden göra med detta?” frågar Eva Exempel i sin interpellation. Jag svarar.") == [
        "Hur ska staden göra med detta?"]
    assert asked("Andrea Hedin skriver att ”staden har misslyckats helt med placeringarna”. Det stämmer inte.",
                 interpellant="Andréa Hedin") == ["staden har misslyckats helt med placeringarna"]


def test_the_questions_an_introduction_announces_are_the_interpellants():
    assert asked("Eva Exempel har ställt följande frågor till mig:\n\nHur gör ni?\n\nVarför?\n\nVi gör så här.") == [
        "Hur gör ni?\n\nVarför?"]


def test_an_answer_quoted_after_an_introduction_is_not_the_interpellants():
    assert asked("Interpellanten frågade samma sak förra året och fick svaret:\n\n”Staden bygger fler bostäder.”") \
        == []
    assert asked("Då denna interpellation skrivs ska polisen enligt tidningen ha sagt att ”vi gick inte hårt fram”.") \
        == []


def test_reported_speech_names_and_terms_in_quotation_marks_stay_the_respondents():
    assert asked("Eva Exempel (V) har ställt en interpellation till mig om flickan, kallad ”Lilla hjärtat”.") == []
    assert asked("Jag hänvisar till projektet ”Rätt stöd i rätt tid” som interpellanten skriver om.") == []
    assert asked("Interpellanten menar att staden har misslyckats. Det stämmer inte.") == []
    # The respondent's own words, said in the debate on an interpellation, are his.
    assert asked("Jag sa i interpellationsdebatten i våras: ”Staden ska bygga fler bostäder.”") == []
    # Interpellant and respondent with one surname: the surname alone names neither.
    assert asked("Andersson skriver att ”staden har misslyckats helt med placeringarna”.", interpellant="Ulla Andersson",
                 respondent="Magdalena Andersson") == []
    assert asked("Ulla Andersson skriver att ”staden har misslyckats helt med placeringarna”.",
                 interpellant="Ulla Andersson", respondent="Magdalena Andersson") == [
        "staden har misslyckats helt med placeringarna"]
    assert asked("Vad gör staden då? Vi gör mycket.") == []


def test_an_answer_label_ends_the_question_even_inside_the_stored_question():
    assert asked("1. Hur gör ni? Svar: Vi gör bra saker.", "Hur gör ni? Svar: Vi gör bra saker.") == ["1. Hur gör ni?"]
    assert asked("1. Hur gör ni?\n\nSvar: Vi gör bra saker.", "Hur gör ni?") == ["1. Hur gör ni?"]


def test_the_stored_question_is_the_interpellants_wherever_it_is_repeated():
    question = "Vilka åtgärder vidtar staden mot bostadsbristen? Hur många bostäder byggs i år?"
    text = f"Frågan var: {question} Staden bygger mycket.\n\nHur många bostäder byggs i år? Det är svårt att säga."
    assert asked(text, question) == [question, "Hur många bostäder byggs i år?"]


# -- any passage ------------------------------------------------------------------------------------------

WORDS = st.sampled_from(["barn", "familjehem", "placeringar", "staden", "socialtjänsten", "insatser", "stöd",
                         "besök", "Göteborg", "t.ex.", "jour-", "och", "öppenvården", "2022", "tid"])
SENTENCE = st.tuples(st.lists(WORDS, min_size=1, max_size=25).map(" ".join), st.sampled_from([".", "?", "!"])
                     ).map(lambda s: s[0][:1].upper() + s[0][1:] + s[1])
PARAGRAPH = st.one_of(
    st.lists(SENTENCE, min_size=1, max_size=6).map(" ".join),  # the respondent's prose
    st.tuples(st.integers(1, 9), st.lists(SENTENCE, min_size=1, max_size=3).map(" ".join)).map(
        lambda q: f"{q[0]}. {q[1].rstrip('.!?')}?"),  # a numbered question
    st.tuples(SENTENCE, st.lists(WORDS, min_size=3, max_size=12).map(" ".join)).map(
        lambda q: f"{q[0]} Interpellanten frågar: ”{q[1]}?” Det svarar jag på."),  # a quoted question
    st.just("Svar: Det gör staden."),
)
PASSAGE = st.lists(PARAGRAPH, min_size=1, max_size=6).map("\n\n".join)
QUERY = st.lists(st.sampled_from(["barn", "familjehem", "placering", "stad", "insats", "besök", "göteborg",
                                  "jourhem", "tid"]), min_size=1, max_size=3).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(PASSAGE, QUERY, st.integers(40, 400))
def test_any_snippet_is_one_speakers_words(text, query_text, max_chars):
    parts = attribute(text, interpellant="Eva Exempel")
    parsed = query_parsing.parse(query_text)
    snippet = snippet_of(text, parsed.matches, max_chars, parts=parsed.terms.get("parts", ()),
                         prefixes=parsed.marking_prefixes(MARKING_FIELDS), sides=parts)
    shown = one_line(snippet.text.strip("…"))
    holding = [p for p in parts if shown in one_line(text[p.start:p.end])]
    assert holding and snippet.side in {p.side for p in holding}, (snippet, parts)
    # Numbered questions are always the interpellant's, and the prose never is.
    for paragraph in re.finditer(r"[^\n]+", text):
        at, paragraph = paragraph.start(), paragraph[0]
        side = {p.side for p in parts if p.start <= at < p.end}
        if re.match(r"\d\. ", paragraph):
            assert side == {INTERPELLANT}
        elif "Interpellanten" not in paragraph:
            assert side == {RESPONDENT}
