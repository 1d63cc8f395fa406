"""Related words (search/related.py): a word that no answer uses is searched as the words of the
thesaurus that mean the same and that the answers do use, and the output says so in every mode.
At real size: the corpus index of tests/corpus.py."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from click.testing import CliRunner

from svar.index.analysis import STOP_WORDS, stem
from svar.index.compounds import split_compound
from svar.search import library, open_index
from svar.search.cli import main
from svar.search.related import related_words


@pytest.fixture(scope="module")
def answers(corpus_index_dir):
    with open_index(corpus_index_dir) as opened:
        yield opened


def _table_groups() -> list[list[str]]:
    """The table's groups: a line is a comment (starting with #), empty, or a group."""
    text = resources.files("svar.search").joinpath("data/related-sv.txt").read_text(encoding="utf-8")
    return [[word.strip() for word in line.split(",")] for line in text.splitlines() if line and line[0] != "#"]


def test_every_group_of_the_table_is_words_the_search_would_not_join_anyway():
    groups = _table_groups()
    assert len(groups) > 1000
    for group in groups:
        assert 2 <= len(group) <= 6, group
        for word in group:
            assert re.fullmatch(r"[^\W_]+(-[^\W_]+)*", word) and word == word.lower(), (word, group)
            assert word not in STOP_WORDS, (word, group)
        # Inflections of one word match already: a group never holds two words with one stem,
        stems = [stem(word) for word in group]
        assert len(set(stems)) == len(stems), group
        # and a compound matches its last part already ("pension" finds "ålderspension").
        for word in group:
            parts = split_compound(word)
            assert len(parts) < 2 or all(stem(parts[-1]) != stem(other) for other in group if other != word), group


def test_a_typed_word_finds_its_entry_through_its_inflections_only():
    assert "kärnkraft" in related_words("atomkraft")
    assert related_words("atomkraften") == related_words("atomkraft")
    assert related_words("bankrutten") == related_words("bankrutt") == ("konkurs",)
    # A short stem is never looked up ("mora" and "mor" share the stem "mor"), nor a longer word
    # with the typed word's stem ("fisk" is not "fiske").
    assert related_words("mora") == () and related_words("mor") != ()
    assert related_words("fisk") == () and related_words("fiske") != ()
    assert related_words("qwzx") == ()


def test_a_word_no_answer_uses_is_searched_as_its_related_words(answers, corpus_index_dir):
    result = answers.search("bankrutt", limit=20)
    assert result.related == {"bankrutt": ["konkurs"]}
    assert (result.fuzzy, result.compounds, result.parts_too, result.suggestion) == (None, None, None, None)
    assert result.plan == ("Sum(Best(question:konkur^2, title:konkur^1.5, body:konkur, parts:konkur^0.7, "
                           "folded:konkur^0.6)^0.8, exact:konkurs^0.24)")
    direct = answers.search("konkurs", limit=20)
    assert result.total == direct.total == 14
    assert [(h.dnr, h.passage) for h in result.hits] == [(h.dnr, h.passage) for h in direct.hits]
    assert all("konkurs" in h.snippet[a:b].lower() for h in result.hits for a, b in h.highlights[:1])
    # --strict searches the word as typed: nothing, and no related words said to have been searched.
    strict = answers.search("bankrutt", strict=True)
    assert (strict.total, strict.related) == (0, None)

    cli = CliRunner()
    out = cli.invoke(main, ["--index", str(corpus_index_dir), "search", "bankrutt", "--limit", "1"])
    assert out.exit_code == 0
    assert out.stdout.splitlines()[:2] == ["Not in the index, searched as related words: bankrutt → konkurs",
                                           "14 passages match 'bankrutt' (showing 1–1)"]
    data = json.loads(cli.invoke(main, ["--index", str(corpus_index_dir), "search", "bankrutt", "--json"]).stdout)
    assert (data["related"], data["fuzzy"], data["total"]) == ({"bankrutt": ["konkurs"]}, None, 14)
    for fmt in ("md", "table", "csv"):
        shown = cli.invoke(main, ["--index", str(corpus_index_dir), "search", "bankrutt", "--format", fmt])
        assert shown.exit_code == 0 and "RD 1998/217" in shown.stdout, fmt


def test_the_web_page_says_which_related_words_were_searched(corpus_index_dir):
    from svar.search.web import create_app

    page = create_app(corpus_index_dir).test_client().get("/?q=bankrutt").get_data(as_text=True)
    assert "Not in the index, so searched as related words:\n<strong>bankrutt</strong> → konkurs.</p>" in page
    assert "<strong>14</strong> passages match <q>bankrutt</q>" in page


def test_a_word_the_thesaurus_knows_is_not_taken_for_a_typo(answers):
    # "atlet" is spelt like "talet", but it is a word: searched as idrottare, not as talet.
    result = answers.search("atlet", limit=5)
    assert result.related == {"atlet": ["idrottare"]} and result.fuzzy is None and result.suggestion is None
    assert result.total == answers.search("idrottare").total == 60


def test_related_words_only_stand_in_for_a_word_the_index_does_not_hold(answers):
    # A word the answers use is searched as itself alone.
    assert answers.search("kärnkraft").related is None
    assert answers.search("konkurs").related is None
    # Not for a word in a phrase, after NOT, or written with a capital inside a query (a name).
    assert answers.search('"bankrutt"').related is None
    skola = answers.search("skola").total
    assert answers.search("skola -bankrutt").related is None and answers.search("skola -bankrutt").total == skola
    assert answers.search("skola Bankrutt").related is None and answers.search("skola Bankrutt").total == skola
    # A capital on the query's first word is sentence case.
    assert answers.search("Bankrutt").related == {"Bankrutt": ["konkurs"]}


def _held(answers, word: str) -> bool:
    """Whether some passage holds the word itself (not only words searched in its place)."""
    result = answers.search(word, limit=0, fuzzy=False)
    return result.total > 0 and (result.related, result.compounds) == (None, None)


def test_a_word_is_searched_as_exactly_its_related_words(answers, monkeypatch):
    # For every fourth table word that the corpus index does not hold, whose related words it does and which is
    # not a compound searched as its parts: the same passages in the same order as typing the
    # related words, and only the related words the table gives, those the index holds, at most
    # RELATED_MAX of them.
    member = sorted({word for group in _table_groups() for word in group})[::4]  # a quarter, for time
    checked = 0
    for word in member:
        result = answers.search(word, limit=20, snippets=False, fuzzy=False)
        if not result.related:
            continue
        if result.compounds:
            continue
        found = result.related[word]
        assert found == [r for r in related_words(word) if _held(answers, r)][:library.RELATED_MAX], word
        with monkeypatch.context() as patched:
            patched.setattr(library, "RARE_PASSAGES", -1)  # the related words as typed, not their parts
            direct = answers.search(" OR ".join(found), limit=20, snippets=False, fuzzy=False)
        assert result.total == direct.total, word
        assert [(h.dnr, h.passage) for h in result.hits] == [(h.dnr, h.passage) for h in direct.hits], word
        checked += 1
    assert checked >= 200, checked
