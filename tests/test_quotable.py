"""Results a journalist can quote, at real size (the corpus index of tests/corpus.py): a word typed
with å/ä/ö is not matched by another word that only folds the same."""

from __future__ import annotations

import pytest

from svar.search import open_index


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
