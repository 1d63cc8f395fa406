"""Results a journalist can quote, at real size (the corpus index of tests/corpus.py): a word typed
with å/ä/ö is not matched by another word that only folds the same; an empty result says why when
the reason is not the words."""

from __future__ import annotations

import json

import pytest

from click.testing import CliRunner

from svar.search import open_index
from svar.search.cli import main


@pytest.fixture(scope="module")
def answers(corpus_index_dir):
    with open_index(corpus_index_dir) as opened:
        yield opened


def _marked(result) -> set[str]:
    return {hit.snippet[start:end].lower() for hit in result.hits for start, end in hit.highlights}


def test_a_word_typed_with_swedish_letters_has_no_false_friends(answers):
    # "gäng" (gang) and "gång" (time, walk) both fold to "gang".
    typed = answers.search("gäng", limit=100)
    assert typed.total == len(typed.hits) > 0
    marked = _marked(typed)
    assert marked and all("gäng" in word for word in marked)
    assert "gäng" in typed.plan and "folded:" not in typed.plan
    # Typed without the ä, the word is looked for with and without it: gång and gäng both.
    plain = answers.search("gang", limit=10_000)
    assert "folded:gang^0.6" in plain.plan
    assert {(h.dnr, h.passage) for h in typed.hits} <= {(h.dnr, h.passage) for h in plain.hits}
    assert any("gång" in word for word in _marked(answers.search("gang", limit=100)))


def test_a_word_typed_without_swedish_letters_still_finds_them(answers):
    folded = answers.search("arbetsloshet", limit=5)
    assert folded.hits and all(word.startswith("arbetslös") for word in _marked(folded))


def test_an_empty_result_names_the_filter_value_no_answer_has(answers, corpus_index_dir):
    party = answers.search("barn", party="X")
    assert (party.total, party.reason) == (0, "no answer has party 'X' (the parties in the index: "
                                              "-, C, FP, KD, KDS, L, M, MP, S, SD, V)")
    person = answers.search("barn", interpellant="Kakabave")
    assert person.reason == "no interpellant is called 'Kakabave'; did you mean Amineh Kakabaveh?"
    assert answers.search("barn", interpellant="Kakabaveh").total > 0
    assert answers.search("barn", respondent="Bodstrm").reason.startswith(
        "no respondent is called 'Bodstrm'; did you mean Thomas Bodström")
    assert answers.search("barn", year=1990).reason == "no answer is from 1990 (the years in the index: 1994–2024)"
    # The words themselves not being there is no such reason.
    assert answers.search("xyzzyqwv", strict=True).reason is None
    out = CliRunner().invoke(main, ["--index", str(corpus_index_dir), "search", "barn", "--party", "X"])
    assert (out.exit_code, out.stdout) == (0, "No passages match 'barn': no answer has party 'X' (the parties in "
                                              "the index: -, C, FP, KD, KDS, L, M, MP, S, SD, V).\n")


def test_a_query_of_stop_words_only_says_so(answers, corpus_index_dir):
    result = answers.search("och att det")
    assert result.total == 0
    assert result.reason == ("'och att det' holds only stop words, which are not searched on their own; put words "
                             "that carry the meaning in the query, or search a phrase in quotes")
    out = CliRunner().invoke(main, ["--index", str(corpus_index_dir), "search", "och att det", "--json"])
    assert out.exit_code == 0 and '"reason": "\'och att det\' holds only stop words' in out.stdout


def test_a_phrase_whose_words_never_stand_in_that_order_says_so(answers):
    result = answers.search('"inte regeringen kommer"')
    assert result.total == 0 and answers.search("inte regeringen kommer").total > 0
    assert result.reason == ('no passage has the words of "inte regeringen kommer" one after another as written '
                             "(a phrase matches its words in that order, stop words too); without the quotes the "
                             "words are searched anywhere")
    # A phrase of stop words is searched (word for word), so it is not called a query of stop words.
    assert answers.search('"och att det"').reason != answers.search("och att det").reason
    # Near words that never stand that near say so, with the distance.
    near = answers.search('"regeringen tomatsoppa"~3')
    assert near.total == 0 and answers.search('"regeringen tomatsoppa"~3 skola').total > 0
    assert near.reason == ('no passage has the words of "regeringen tomatsoppa"~3 that near each other (within that '
                           "many words, in any order); a larger number or no quotes finds them farther apart")


def test_the_web_page_says_why_nothing_matched(corpus_index_dir):
    from svar.search.web import create_app

    page = create_app(corpus_index_dir).test_client().get("/?q=barn&party=X")
    assert page.status_code == 200
    assert "No passages match <q>barn</q>: no answer has party &#39;X&#39; (the parties in the index: -, C, FP, KD, " \
           "KDS, L, M, MP, S, SD, V)." in page.get_data(as_text=True)


def test_a_compound_the_index_does_not_hold_is_searched_as_its_parts(answers, corpus_index_dir):
    result = answers.search("tågförseningar", limit=5)
    assert result.compounds == {"tågförseningar": ["tåg", "förseningar"]}
    assert "body:tåg" in result.plan and "body:försen" in result.plan
    first = result.hits[0].text.lower()
    assert "tåg" in first and "försen" in first  # both parts rank above either alone
    out = CliRunner().invoke(main, ["--index", str(corpus_index_dir), "search", "tågförseningar", "--limit", "1"])
    assert out.stdout.splitlines()[0] == "Not in the index, searched as its parts: tågförseningar → tåg + förseningar"
    # --strict searches the word as typed, and a word the index holds is never split.
    assert answers.search("tågförseningar", strict=True).total == 0
    assert answers.search("förseningar", limit=1).compounds is None


def test_a_part_few_passages_hold_is_searched_as_its_own_parts_too(answers, corpus_index_dir):
    # The splitter gives "smågriskastrering" → smågris + kastrering; "smågris" is itself a compound
    # few passages hold, so its parts are searched as well: the answer on castrating piglets, which
    # writes "gris" and "grisarna" more often than "smågrisar", comes first.
    assert answers.search("smågris", strict=True, limit=0).total <= 10
    result = answers.search("smågriskastrering", limit=3)
    assert result.compounds == {"smågriskastrering": ["smågris", "kastrering", "små", "gris"]}
    assert (result.total, [h.dnr for h in result.hits]) == (117, ["RD 1996/229"] * 3)
    out = CliRunner().invoke(main, ["--index", str(corpus_index_dir), "search", "smågriskastrering", "--limit", "1"])
    assert out.stdout.splitlines()[0] == ("Not in the index, searched as its parts: smågriskastrering → "
                                          "smågris + kastrering + små + gris")
    # A part that many passages hold stays whole: "skattehöjning" in "alkoholskattehöjning".
    assert answers.search("skattehöjning", strict=True, limit=0).total > 10
    assert answers.search("alkoholskattehöjning", limit=1).compounds == {
        "alkoholskattehöjning": ["alkohol", "skattehöjning"]}


def test_a_compound_few_passages_hold_is_also_searched_as_its_parts(answers, corpus_index_dir):
    # "museibesöken": seven passages of one answer hold the word; more hold "besök" and "musei" apart.
    alone = answers.search("museibesöken", strict=True, limit=100)
    result = answers.search("museibesöken", limit=alone.total + 20)
    assert result.parts_too == {"museibesöken": ["musei", "besöken"]} and result.compounds is None
    assert "body:museibesök" in result.plan and "body:besök^0.2" not in result.plan
    assert "Best(question:besök^2, title:besök^1.5, body:besök, parts:besök^0.7)^0.2" in result.plan
    assert (alone.total, result.total) == (7, 114)
    # Every passage that holds the word ranks above every passage found through its parts alone.
    holding = {(h.dnr, h.passage) for h in alone.hits}
    assert {(h.dnr, h.passage) for h in result.hits[:alone.total]} == holding
    assert all("museibesök" not in h.text.lower() for h in result.hits[alone.total:])
    out = CliRunner().invoke(main, ["--index", str(corpus_index_dir), "search", "museibesöken", "--limit", "1"])
    assert out.stdout.splitlines()[:2] == ["Few passages hold it, also searched as its parts: museibesöken → musei + besöken",
                                           "114 passages match 'museibesöken' (showing 1–1)"]
    data = json.loads(CliRunner().invoke(main, ["--index", str(corpus_index_dir), "search", "museibesöken", "--json"]).stdout)
    assert (data["parts_too"], data["compounds"], data["total"]) == ({"museibesöken": ["musei", "besöken"]}, None, 114)
    # A word many passages hold is not split, nor is anything under --strict.
    assert answers.search("arbetslösheten", limit=1).parts_too is None
    assert alone.parts_too is None


def test_the_web_page_says_a_rare_compound_was_also_searched_as_its_parts(corpus_index_dir):
    from svar.search.web import create_app

    page = create_app(corpus_index_dir).test_client().get("/?q=museibes%C3%B6ken").get_data(as_text=True)
    assert ("Few passages hold it, so also searched as its parts:\n<strong>museibesöken</strong> → "
            "musei + besöken.</p>") in page


def test_the_word_itself_ranks_above_its_parts_for_every_rare_compound(answers, monkeypatch):
    # Over the corpus index's rare compounds (every 40th word of its exact-form list that is one), the
    # passages the word alone finds come first (their order may change: the parts add to their scores),
    # then those found by its parts alone.
    from svar.search import library

    reader = answers._current_searcher().reader()
    field = reader.schema["exact"]
    words = [field.from_bytes(b) for b in reader.lexicon("exact")][::40]
    checked = 0
    for word in words:
        if not word.isalpha():
            continue
        expanded = answers.search(word, limit=200, snippets=False)
        if not expanded.parts_too:
            continue
        with monkeypatch.context() as patched:
            patched.setattr(library, "RARE_PASSAGES", -1)  # the word alone, as before parts were added
            alone = answers.search(word, limit=200, snippets=False)
        assert alone.parts_too is None and alone.total < expanded.total, word
        assert {(h.dnr, h.passage) for h in expanded.hits[:alone.total]} == {(h.dnr, h.passage) for h in alone.hits}, word
        checked += 1
    assert checked >= 20, checked


# -- exact phrases ----------------------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    import re

    from svar.index.analysis import TOKEN_PATTERN

    return [w.lower() for w in re.findall(TOKEN_PATTERN, text)]


def _holds(text: str, phrase: str) -> bool:
    words, wanted = _words(text), _words(phrase)
    return any(words[i:i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))


def _passage_text(answers, dnr: str, number: int) -> list[str]:
    shown = answers.document(dnr)
    passage = next(p for p in shown.passages if p.passage == number)
    return [shown.summary.title if passage.kind != "closing" else "", passage.question, passage.text]


@pytest.mark.parametrize("phrase", ["regeringen inte", "systemet inte acceptabelt", "det är inte acceptabelt",
                                    "inte minst", "ingen annan", "aldrig"])
def test_every_hit_of_a_phrase_holds_its_words_in_a_row_stop_words_too(answers, phrase):
    result = answers.search(f'"{phrase}"', limit=10_000)
    assert result.total == len(result.hits)
    for hit in result.hits:
        assert any(_holds(part, phrase) for part in _passage_text(answers, hit.dnr, hit.passage)), (hit.dnr, hit.passage)
        if _holds(hit.snippet, phrase):
            # Where the snippet shows the phrase, the phrase is what is marked, as one mark.
            marked = [hit.snippet[s:e].lower() for s, e in hit.highlights]
            assert marked and all(_words(m) == _words(phrase) for m in marked), (marked, hit.snippet)


def test_a_phrase_with_a_negation_is_not_the_phrase_without_it(answers):
    # Dropping "inte" would leave "regeringen" alone: over a thousand passages, most without the phrase.
    with_negation = answers.search('"regeringen inte"', limit=10_000)
    assert 0 < with_negation.total < answers.search("regeringen", snippets=False).total // 5
    # "systemet är acceptabelt" is not "systemet inte acceptabelt".
    for hit in answers.search('"systemet inte acceptabelt"', limit=100).hits:
        assert "systemet inte acceptabelt" in " ".join(_words(" ".join(_passage_text(answers, hit.dnr, hit.passage))))


def test_a_phrase_never_runs_from_one_part_of_a_passage_into_the_next(answers):
    # The last word of a title and the first of its passages' text are not a phrase: find such a pair.
    import re

    for entry in answers.documents()[:200]:
        shown = answers.document(entry.dnr)
        for passage in shown.passages:
            title_words, body_words = _words(shown.summary.title), _words(passage.text)
            if passage.kind == "closing" or not title_words or not body_words or passage.question:
                continue
            pair = f"{title_words[-1]} {body_words[0]}"
            if re.search(r"\d", pair):
                continue
            hits = answers.search(f'"{pair}"', limit=10_000).hits
            assert (entry.dnr, passage.passage) not in {(h.dnr, h.passage) for h in hits} or any(
                _holds(part, pair) for part in _passage_text(answers, entry.dnr, passage.passage))
            return
    pytest.fail("no passage with a title and a text to test")



def test_a_compound_part_is_marked_only_where_the_splitter_split_the_word(tmp_path):
    from generated import answer_text

    text = answer_text(1, extra="Vid anläggningen säljs ägg och hönsägg från en hönsanläggning.")
    with open_index(tmp_path / "ix", create=True) as answers:
        answers.add_text(text, source="egg.txt")
        hit = answers.search("ägg", limit=1).hits[0]
    marked = [hit.snippet[s:e] for s, e in hit.highlights]
    # "hönsägg" is split into höns + ägg; "anläggningen" and "hönsanläggning" hold the letters only.
    assert marked == ["ägg", "hönsägg"], hit.snippet


# -- words near each other ---------------------------------------------------------------------------------

def test_near_words_find_what_the_phrase_finds_and_words_a_little_apart(answers, corpus_index_dir):
    # A phrase of n words is its words within n - 1 of each other, in that order and as written:
    # "a b"~N finds every passage the phrase finds, and more.
    phrase = {(h.dnr, h.passage) for h in answers.search('"regeringen inte"', limit=10_000).hits}
    near = answers.search('"regeringen inte"~3', limit=10_000)
    assert phrase < {(h.dnr, h.passage) for h in near.hits}
    assert (len(phrase), near.total, near.plan) == (40, 107, '"regeringen inte"~3')
    # "inte" is a stop word: as written only; "regeringen" also as "regeringens", "regeringar".
    for hit in near.hits:
        words = _words(" ".join(p for p in _passage_text(answers, hit.dnr, hit.passage) if p))
        firsts = [i for i, w in enumerate(words) if w.startswith("regering")]
        assert any(words[j] == "inte" for i in firsts for j in range(max(0, i - 3), i + 4)), (hit.dnr, hit.passage)
    # Their words are marked as words, not as a phrase.
    assert {hit.snippet[s:e].lower() for hit in near.hits[:5] for s, e in hit.highlights} >= {"regeringen", "inte"}
    out = CliRunner().invoke(main, ["--index", str(corpus_index_dir), "search", '"regeringen inte"~3', "--json"])
    assert json.loads(out.stdout)["total"] == 107
    # The nearer, the higher: side by side (where the phrase stands) a passage keeps the whole score
    # of its words, as the phrase scores them; one word apart, 2/3 of it.
    phrase_scores = {(h.dnr, h.passage): h.score for h in answers.search('"regeringen inte"', limit=10_000).hits}
    near_scores = {(h.dnr, h.passage): h.score for h in near.hits}
    assert all(near_scores[key] == pytest.approx(score) for key, score in phrase_scores.items())
    # Order does not matter; a larger distance finds more; one word is a phrase of one word.
    assert answers.search('"inte regeringen"~3', limit=0).total == 107
    assert answers.search('"regeringen inte"~10', limit=0).total == 263
    assert answers.search('"inte"~4', limit=0).total == answers.search('"inte"', limit=0).total


def test_beside_a_compounds_parts_its_similar_and_related_words_weigh_a_parts_share(answers):
    # "skolbussar" splits into skol + bussar and the thesaurus relates it to "skolskjuts"; "skolmat"
    # splits into skol + mat and is spelt like "skolan", "skola", "skollag". The parts weigh 0.5, the
    # related and similar words 0.8 × 0.5: each as its constant says, whatever order the parser reads
    # the alternatives in.
    buses = answers.search("skolbussar", limit=1, snippets=False)
    assert (buses.compounds, buses.related) == ({"skolbussar": ["skol", "bussar"]}, {"skolbussar": ["skolskjuts"]})
    assert buses.plan == (
        "Sum(Best(question:skol^2, title:skol^1.5, body:skol, parts:skol^0.7, folded:skol^0.6)^0.5, exact:skol^0.15, "
        "Best(question:buss^2, title:buss^1.5, body:buss, parts:buss^0.7, folded:buss^0.6)^0.5, exact:bussar^0.15, "
        "Best(question:skolskjut^2, title:skolskjut^1.5, body:skolskjut, parts:skolskjut^0.7, folded:skolskjut^0.6)^0.4, "
        "exact:skolskjuts^0.12)")
    food = answers.search("skolmat", limit=1, snippets=False)
    assert (food.compounds, food.fuzzy) == ({"skolmat": ["skol", "mat"]}, {"skolmat": ["skolan", "skola", "skollag"]})
    assert "body:skollag, parts:skollag^0.7, folded:skollag^0.6)^0.4, exact:skollag^0.12" in food.plan
    assert food.plan.endswith("exact:skollag^0.12)")
