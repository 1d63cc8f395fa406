"""Property-based tests for the parsers (cleaning, metadata, passages, the query parser) and the similar-word search."""

import datetime as dt
import sys

import pytest

from hypothesis import example, given, settings
from hypothesis import strategies as st

from svar.index.analysis import STOP_WORDS
from svar.index.cleaning import clean
from svar.index.errors import ReadError
from svar.index.loading import parse_answer
from svar.index.metadata import MONTHS, normalise_dnr, parse_date
from svar.search import query as query_parsing
from svar.search import suggest

# Text shaped like PDF exports: Swedish words, numbers, hyphens, question marks, padding, page breaks.
pieces = st.sampled_from([
    "barn", "familjehem", "socialtjänsten", "Åkerström", "öppenvård", "jour-", "och", "Hägersten-", "Älvsjö",
    "1.", "2.", "Hur", "ser", "det", "ut?", "Svar:", "Dnr", "KS", "2022/65", "den", "1", "oktober.", "35", "mnkr",
    "\n", "\n", "\n\n", " ", "  ", " " * 120 + "\n", "\f", "\r\n", "\t", "\u00ad", "**", "## ", "–", "Stockholm",
])
export_like = st.lists(pieces, max_size=80).map(" ".join)
any_text = st.one_of(export_like, st.text(max_size=300))


@settings(max_examples=300, deadline=None)
@given(any_text)
@example("** ##  barn **")  # emphasis around a heading mark: once found by this test, now always tried
def test_clean_output_is_tidy_and_stable(raw):
    text = clean(raw)
    assert clean(text) == text
    assert "\n\n\n" not in text
    for line in text.split("\n"):
        assert line == line.strip()
        assert "  " not in line
    assert "\f" not in text and "\r" not in text and "\u00ad" not in text


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_parse_answer_returns_consistent_passages_or_a_read_error(raw):
    title = "Svar på interpellation av Anna Ek (V) till socialborgarrådet Bo Ek (L) om barn\nDnr KS 2022/65\n\n"
    for text in (raw, title + raw):
        try:
            answer = parse_answer(text, source="/tmp/x.txt")
        except ReadError:
            continue
        assert answer.passages
        numbers = [p.number for p in answer.passages]
        assert numbers == list(range(1, len(numbers) + 1))
        previous_end = -1
        for passage in answer.passages:
            assert answer.text[passage.start:passage.end] == passage.text
            assert passage.start > previous_end  # in order, never overlapping
            previous_end = passage.end
            assert passage.kind in {"preamble", "answer", "closing"}
            assert (passage.question_number is None) == (passage.kind != "answer") or passage.kind == "answer"


@given(
    # A board prefix never spells "DNR" itself, which is the label the parser strips.
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ", min_size=1, max_size=6).filter(lambda p: not p.startswith("DNR")),
    st.integers(1900, 2100),
    st.integers(1, 99999),
)
def test_dnr_normalisation_round_trips(prefix, year, number):
    expected = f"{prefix} {year}/{number}"
    assert normalise_dnr(f"Dnr {prefix} {year}/{number}") == expected
    assert normalise_dnr(f"Dnr {prefix} {year} / {number:06d}") == expected
    assert normalise_dnr(expected.lower()) == expected


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_closing_dates_parse_in_both_forms(date):
    month = [name for name, number in MONTHS.items() if number == date.month][0]
    assert parse_date(f"Stockholm den {date.day} {month} {date.year}") == date
    assert parse_date(f"Stockholm den {date.isoformat()}") == date
    assert parse_date(f"den {date.day} {month} {date.year}") == date


query_pieces = st.sampled_from(['"', "(", ")", "AND", "OR", "NOT", "OCH", "-", "+", "*", "?", ":", "^2", "~", "~3",
                                '"~0', '"~999999', '"barn familjehem"~2', "s",
                                "barn", "familjehem", "i", "och", "Göteborg", "title:", "[", "]", "{", "}", " "])


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(query_pieces, max_size=30).map("".join),
                 st.lists(query_pieces, max_size=30).map(" ".join)))
def test_query_parser_never_raises(text):
    parsed = query_parsing.parse(text)
    assert parsed.query is not None
    assert all(isinstance(stem, str) for stem in parsed.stems)


def _osa(a: str, b: str) -> int:
    """The optimal string alignment distance by its definition: letters inserted, deleted or changed,
    and two adjacent letters swapped, each one edit, no part edited twice."""
    d = [[i + j if not (i and j) else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def test_the_reference_distance_counts_a_swap_as_one_edit():
    assert (_osa("marh", "mahr"), _osa("ca", "abc"), _osa("aboslut", "absolut"), _osa("aboslut", "beslut")) == (1, 3, 1, 2)


@pytest.fixture(scope="module")
def spelling_reader(seed_index_dir):
    from svar.index import store

    reader = store.open_existing(seed_index_dir).reader()
    # The spelling words: the exact field's, less the stop words it holds for phrases.
    yield reader, [w for w in (reader.schema["exact"].from_bytes(t) for t in reader.lexicon("exact")) if w not in STOP_WORDS]
    reader.close()


def _without_rapidfuzz(monkeypatch) -> None:
    """As without the fast extra: importing RapidFuzz fails."""
    for module in ("rapidfuzz", "rapidfuzz.distance", "rapidfuzz.process"):
        monkeypatch.setitem(sys.modules, module, None)


def _misspelt(word: str, data) -> str:
    """Now and then a swap of two adjacent letters, a changed, dropped or added letter, or two of those."""
    for _ in range(data.draw(st.integers(0, 2))):
        i = data.draw(st.integers(0, max(0, len(word) - 1)))
        how = data.draw(st.sampled_from(("swap", "swap", "change", "drop", "add")))
        letter = data.draw(st.sampled_from("abdeiklmnoprstuvåäö"))
        if how == "swap" and len(word) > 1:
            i = min(i, len(word) - 2)
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif how == "change":
            word = word[:i] + letter + word[i + 1:]
        elif how == "drop" and len(word) > 1:
            word = word[:i] + word[i + 1:]
        else:
            word = word[:i] + letter + word[i:]
    return word


@pytest.mark.parametrize("rapidfuzz", [True, False], ids=["rapidfuzz", "pure-python"])
def test_similar_words_are_exactly_the_words_within_the_distance(spelling_reader, monkeypatch, rapidfuzz):
    if rapidfuzz:
        pytest.importorskip("rapidfuzz", reason="the fast extra is not installed")
    else:
        _without_rapidfuzz(monkeypatch)
    reader, vocabulary = spelling_reader

    @settings(max_examples=150, deadline=None)
    @given(st.one_of(st.sampled_from(vocabulary), st.text(alphabet="abdeiklmnoprstuvåäö", min_size=1, max_size=12)),
           st.integers(1, 2), st.data())
    def check(word, distance, data):
        word = _misspelt(word, data)
        expected = {w for w in vocabulary if w != word and _osa(word, w) <= distance}
        found = suggest.similar_words(reader, word, distance)
        assert set(found) == expected
        assert found == sorted(expected, key=lambda w: (-reader.frequency("exact", w), w))

    check()


def test_the_pure_python_similar_words_are_rapidfuzz_s(spelling_reader, monkeypatch):
    # The same words, in the same order, for a sample of the index's words, each also with two
    # adjacent letters swapped and with one letter changed.
    pytest.importorskip("rapidfuzz", reason="the fast extra is not installed")
    reader, vocabulary = spelling_reader
    sample = ["aboslut"]
    for n, word in enumerate(vocabulary[::5]):
        i = n % max(1, len(word) - 1)
        sample += [word, word[:i] + word[i + 1:i + 2] + word[i] + word[i + 2:], word[:i] + "å" + word[i + 1:]]
    fast = {(word, distance): suggest.similar_words(reader, word, distance) for word in sample for distance in (1, 2)}
    _without_rapidfuzz(monkeypatch)
    slow = {(word, distance): suggest.similar_words(reader, word, distance) for word in sample for distance in (1, 2)}
    assert slow == fast
    assert len(sample) > 500 and sum(map(bool, fast.values())) > 500
    assert fast[("aboslut", 1)] == slow[("aboslut", 1)] == ["absolut"]  # a swap is one edit both ways


# Analysis: the token-at-a-time index path gives what the composed filters give.
analysis_pieces = st.sampled_from([
    "barn", "Barnet", "familjehem", "familjehemsvården", "jour-", "och", "eller", "socialtjänstlagen", "Åkerström",
    "att", "och", "i", "JO:s", "SoL:s", "2022/65", "3,5", "Hägersten-Älvsjö", "hemmet", "insatser", "ÖPPENVÅRD",
    "Andréa", "–", ".", ",", "?", "\n", "  ", "x", "é", "mellantvång", "vårdnadsöverflytten",
    "\x1e", "2022/\x1e65",  # PART_BREAK: between a passage's title, question and body
])
analysis_text = st.one_of(st.lists(analysis_pieces, max_size=60).map(" ".join), st.text(max_size=200))


@settings(max_examples=300, deadline=None)
@given(analysis_text, st.booleans(), st.booleans(), st.integers(0, 5))
def test_each_analyzer_indexes_token_by_token_as_its_filters_would(text, positions, chars, start_pos):
    from svar.index.schema import TEXT_FIELDS, build_schema

    schema = build_schema()
    for fieldname in TEXT_FIELDS:
        analyzer = schema[fieldname].analyzer
        options = dict(positions=positions, chars=chars, start_pos=start_pos, mode="index")
        fast = [(t.text, t.pos if positions else None, (t.startchar, t.endchar) if chars else None, t.boost)
                for t in analyzer(text, **options)]
        composed = [(t.text, t.pos if positions else None, (t.startchar, t.endchar) if chars else None, t.boost)
                    for t in analyzer.chain(text, **options)]
        assert fast == composed, fieldname


@settings(max_examples=300, deadline=None)
@given(analysis_text)
def test_the_positions_a_field_indexes_are_those_of_its_token_stream(text):
    # TermwiseWriter takes positions from index_positions; Whoosh's writer from the token stream.
    from svar.index.schema import TEXT_FIELDS, build_schema

    schema = build_schema()
    for fieldname in TEXT_FIELDS:
        analyzer = schema[fieldname].analyzer
        streamed: dict[str, list[int]] = {}
        for token in analyzer.chain(text, positions=True, mode="index"):
            streamed.setdefault(token.text, []).append(token.pos)
        assert analyzer.index_positions(text) == streamed, fieldname


@pytest.mark.parametrize("seed", sorted((__import__("pathlib").Path(__file__).resolve().parent.parent / "seeds").glob("*.txt")),
                         ids=lambda p: p.name[:3])
def test_the_seeds_are_analysed_token_by_token_as_their_filters_would(seed):
    from svar.index.schema import TEXT_FIELDS, build_schema

    text = seed.read_text(encoding="utf-8")
    schema = build_schema()
    for fieldname in TEXT_FIELDS:
        analyzer = schema[fieldname].analyzer
        fast = [(t.text, t.pos) for t in analyzer(text, positions=True, mode="index")]
        composed = [(t.text, t.pos) for t in analyzer.chain(text, positions=True, mode="index")]
        assert fast == composed and len(fast) > 10, fieldname


# Marking: looking only at the words that start like a query term marks what analysing every word marks.
marking_pieces = st.sampled_from([
    "barn", "Barnet", "barnens", "familjehem", "familjehemmet", "jour-", "och", "socialtjänsten", "Socialtjanst",
    "förskolan", "forskola", "FÖRSKOLA", "skolor", "2022års", "2022/65", "3,5", "JO:s", "EU:s", "Hägersten-Älvsjö",
    "vårdnadsöverflytten", "Andréa", "andrea", "é", "–", ".", "?", "\n", "  ", "_barn", "x_y", "ﬁsk", "İstanbul",
    "ΣΟΣ", "placeringar", "placering", "insatser", "ö", "Öppenvård", "öppenvården", "12.5kr", "stöd", "stödet",
    "12022", "x2022", "förskolor",
])
marking_text = st.one_of(st.lists(marking_pieces, max_size=50).map(" ".join), st.text(max_size=200))
marking_query = st.lists(st.sampled_from([
    "barn", "familjehem", "socialtjänst", "forskola", "förskola", "skol*", "famil*", "vårdnadsöverflyttning", "stöd",
    "placering", "andrea", "öppenvård", "2022", "eu", "hem", "jourhem", "insats", "*hem",
]), min_size=1, max_size=4).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(marking_text, marking_query)
@example("förskolan 12022 x2022 skolor", "skol* 2022")  # a term's start inside a longer token is no match
@example("Förskolan i Älvsjö och forskolan", "forskola")
def test_marking_only_words_that_start_like_a_term_marks_what_marking_every_word_does(text, query_text):
    from svar.search.snippets import MARKING_FIELDS, match_spans

    parsed = query_parsing.parse(query_text)
    prefixes = parsed.marking_prefixes(MARKING_FIELDS)
    parts = parsed.terms.get("parts", ())
    assert match_spans(text, parsed.matches, parts, prefixes) == match_spans(text, parsed.matches, parts)


def test_every_stem_starts_its_word_but_for_the_overrides():
    # What marking_prefixes and Weight.forms (near words) rely on, over every word of the seeds in every
    # marking field's form.
    import re
    from pathlib import Path

    from svar.index.analysis import STEM_OVERRIDES, fold, stem

    words = {w.lower() for seed in (Path(__file__).resolve().parent.parent / "seeds").glob("*.txt")
             for w in re.findall(r"[^\W_]+", seed.read_text(encoding="utf-8"))}
    assert len(words) > 1000
    for word in words | {fold(w) for w in words}:
        assert word.startswith(stem(word)) or word in STEM_OVERRIDES, word


column_terms = st.dictionaries(
    st.tuples(st.sampled_from(["body", "title", "exact", "interpellant_key"]),
              st.binary(min_size=0, max_size=6) | st.sampled_from([b"barn", b"barnen", b"barn\x00", b"\x00", b"\xff"])),
    st.integers(64, 90), max_size=25)


@settings(max_examples=150, deadline=None)
@given(column_terms, st.lists(st.tuples(st.sampled_from(["body", "title", "year", "exact"]), st.binary(max_size=6)),
                              max_size=10))
def test_a_column_file_finds_exactly_the_terms_written_to_it(tmp_path_factory, terms, absent):
    from array import array

    from svar.index.columns import ColumnWriter, SegmentColumns

    path = str(tmp_path_factory.mktemp("cols") / "segment.cols")
    writer = ColumnWriter(path, frozenset(["body", "title", "exact", "interpellant_key"]), numeric=frozenset(["year"]))
    for (fieldname, btext), count in sorted(terms.items()):
        writer.add(fieldname, btext, array("I", range(0, 2 * count, 2)), array("d", [1.0 + (count % 3)] * count))
    writer.add_value("year", 2021, array("I", [0, 3]))
    writer.close(doc_count=200)
    columns = SegmentColumns(path)
    for (fieldname, btext), count in terms.items():
        docs, weights = columns.postings(fieldname, btext)
        assert docs.tolist() == list(range(0, 2 * count, 2))
        assert weights.tolist() == [1 + count % 3] * count
    for key in absent:
        if key not in terms:
            assert columns.postings(*key) is None
    values, present = columns.values("year")
    assert (values[:4].tolist(), present[:4].tolist()) == ([2021, 0, 0, 2021], [True, False, False, True])
    assert sorted(k for k, _ in columns.entries()) == sorted([*terms, ("year", None)], key=lambda k: (k[0], k[1] or b""))


snippet_text = st.one_of(
    st.lists(st.one_of(marking_pieces, st.sampled_from([" ", "  ", "\n\n", "\t", "\u00a0", "\r\n", ". ", ".\n"])),
             max_size=80).map("".join),
    st.text(max_size=300))


@settings(max_examples=300, deadline=None)
@given(snippet_text, marking_query)
@example("Barn  och\n\nfamiljehem i jour- och\nfamiljehem.", "barn familjehem jourhem")
def test_a_snippet_is_one_line_and_highlights_the_matched_words_in_order(text, query_text):
    from svar.search.snippets import MARKING_FIELDS, make_snippet, match_spans

    parsed = query_parsing.parse(query_text)
    parts, prefixes = parsed.terms.get("parts", ()), parsed.marking_prefixes(MARKING_FIELDS)
    snippet, highlights = make_snippet(text, parsed.matches, parts=parts, prefixes=prefixes)
    assert "  " not in snippet and not any(char.isspace() and char != " " for char in snippet)
    # Each highlight is a matched word as the snippet shows it (its inner spaces folded), in the text's order.
    words = [" ".join(text[start:end].split()) for start, end, _ in match_spans(text, parsed.matches, parts, prefixes)]
    shown = [snippet[start:end] for start, end in highlights]
    assert any(words[k:k + len(shown)] == shown for k in range(len(words) - len(shown) + 1))


def _one_line_plainly(snippet: str, highlights: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Every run of whitespace as one space, character by character, each offset moved with its character."""
    out: list[str] = []
    new_position: list[int] = []
    for char in snippet:
        new_position.append(len(out))
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        out.append(char)
    new_position.append(len(out))
    return "".join(out), [(new_position[s], new_position[e]) for s, e in highlights]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n\t\u00a0\u2029x."), max_size=40), st.data())
def test_a_snippet_on_one_line_moves_its_marks_with_the_text(snippet, data):
    from svar.search.snippets import _one_line

    offsets = st.integers(0, len(snippet))
    highlights = [tuple(sorted(pair)) for pair in data.draw(st.lists(st.tuples(offsets, offsets), max_size=5))]
    expected = _one_line_plainly(snippet, highlights)
    folded = _one_line(snippet, highlights)
    if folded[0] != snippet:  # _one_line leaves a snippet with single spaces alone, as it was
        assert folded == expected
    else:
        assert expected[0] == snippet and folded[1] == highlights
