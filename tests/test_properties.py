"""Property-based tests for the parsers: cleaning, metadata, passages and the query parser."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from svar.index.cleaning import clean
from svar.index.errors import ReadError
from svar.index.loading import parse_answer
from svar.index.metadata import MONTHS, normalise_dnr, parse_date
from svar.search import query as query_parsing

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


query_pieces = st.sampled_from(['"', "(", ")", "AND", "OR", "NOT", "OCH", "-", "+", "*", "?", ":", "^2", "~",
                                "barn", "familjehem", "i", "och", "Göteborg", "title:", "[", "]", "{", "}", " "])


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(query_pieces, max_size=30).map("".join),
                 st.lists(query_pieces, max_size=30).map(" ".join)))
def test_query_parser_never_raises(text):
    parsed = query_parsing.parse(text)
    assert parsed.query is not None
    assert all(isinstance(stem, str) for stem in parsed.stems)
