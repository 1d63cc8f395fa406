"""The web page's matches per year (search/histogram.py, templates/histogram.html): the bars' geometry
with exact values, and through Flask's test client on the seeds and the corpus index, every bar's link
returning exactly the bar's count, per passage and with one result per answer."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from svar.search.histogram import BAR_AREA, MIN_BAR, Bar, Histogram, year_histogram
from svar.search.web import create_app

SVG = "{http://www.w3.org/2000/svg}"


# -- the geometry ---------------------------------------------------------------------------------------


def test_a_year_with_no_match_between_the_first_and_last_gets_an_empty_slot():
    chart = year_histogram({"2021": 4, "2019": 8}, total=12)
    assert chart == Histogram(
        bars=(Bar(year=2019, count=8, left=6, x=12, width=36, height=72, y=16.0, count_y=12.0, center=30.0,
                  labelled=True),
              Bar(year=2020, count=0, left=54, x=60, width=36, height=0.0, y=88.0, count_y=84.0, center=78.0,
                  labelled=True),
              Bar(year=2021, count=4, left=102, x=108, width=36, height=36.0, y=52.0, count_y=48.0, center=126.0,
                  labelled=True)),
        slot=48, width=156, height=104, baseline=88, year_y=101, tallest=8, undated=0)
    assert (chart.first, chart.last) == (2019, 2021)


def test_the_tallest_bar_has_the_fixed_height_and_a_single_match_stays_visible():
    chart = year_histogram({"2000": 1000, "2001": 1, "2002": 500}, total=1501)
    assert [bar.height for bar in chart.bars] == [BAR_AREA, MIN_BAR, 36.0]
    assert [bar.y for bar in chart.bars] == [16.0, 86.0, 52.0]


def test_matches_without_a_date_are_the_total_less_the_years():
    assert year_histogram({"2019": 3, "2020": 2}, total=9).undated == 4


@pytest.mark.parametrize("counts", [{}, {"2021": 5}, {"2021": 5, "2022": 0}])
def test_fewer_than_two_years_draw_nothing(counts):
    # One bar says nothing the year facet does not; with a year filter set, only that year matches.
    assert year_histogram(counts, total=5) is None


def test_many_years_get_narrow_slots_and_a_year_written_every_second_year():
    chart = year_histogram({str(year): year - 1990 for year in range(1994, 2025)}, total=1000)
    assert (len(chart.bars), chart.slot, chart.width) == (31, 20, 632)
    assert [bar.year for bar in chart.bars if bar.labelled] == list(range(1994, 2025, 2))
    assert (chart.bars[-1].left, chart.bars[-1].x, chart.bars[-1].width) == (606, 608, 15)


def test_a_slot_is_wide_enough_for_the_largest_count():
    chart = year_histogram({"1980": 12345, "2019": 1}, total=12346)
    assert (len(chart.bars), chart.slot) == (40, 39)  # five digits of 7 px and 4 px to spare
    assert all(bar.labelled for bar in chart.bars)


# -- on the page ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(seed_index_dir):
    return create_app(seed_index_dir).test_client()


@pytest.fixture(scope="module")
def corpus_client(corpus_index_dir):
    return create_app(corpus_index_dir).test_client()


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def total(html: str) -> int:
    """The page's result count: the number in its summary, 0 when nothing matches."""
    summary = re.search(r'<p class="summary">(.*?)</p>', html, re.S)[1]
    found = re.search(r"<strong>(\d+)</strong>", summary)
    return int(found[1]) if found else 0


def chart(html: str) -> ET.Element | None:
    """The histogram's SVG, parsed as XML (so it must be well-formed), or None without one."""
    found = re.search(r"<svg\b.*?</svg>", html, re.S)
    return ET.fromstring(found[0]) if found else None


def bars(svg: ET.Element) -> list[tuple[str, str, str, int]]:
    """Per linked bar: its link, its aria-label, its <title> and the count written over it."""
    out = []
    for link in svg.iter(f"{SVG}a"):
        count = next(t for t in link.iter(f"{SVG}text") if t.get("class") == "count")
        out.append((unescape(link.get("href")), link.get("aria-label"), link.find(f"{SVG}title").text,
                    int(count.text)))
    return out


def test_the_seeds_matches_per_year_with_empty_years_and_links_to_each(client):
    html = page(client, "/?q=barn")
    svg = chart(html)
    assert svg.get("role") == "list" and svg.get("aria-labelledby") == "histogram-caption"
    assert re.search(r'<figcaption id="histogram-caption">(.*?)</figcaption>', html, re.S)[1] == \
        "Matching passages per year, 2021–2026"
    assert bars(svg) == [
        ("/?q=barn&year=2021", "2021: 5 passages", "2021: 5 passages", 5),
        ("/?q=barn&year=2022", "2022: 4 passages", "2022: 4 passages", 4),
        ("/?q=barn&year=2025", "2025: 2 passages", "2025: 2 passages", 2),
        ("/?q=barn&year=2026", "2026: 8 passages", "2026: 8 passages", 8),
    ]
    # 2023 and 2024 matched nothing: their slots are there, written but without a bar or a link.
    assert [(t.text, t.get("class")) for t in svg.iter(f"{SVG}text") if t.get("class") != "count"] == \
        [("2021", "year"), ("2022", "year"), ("2023", "year empty"), ("2024", "year empty"), ("2025", "year"),
         ("2026", "year")]
    assert [(r.get("x"), r.get("height")) for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"] == \
        [("12", "45.0"), ("60", "36.0"), ("204", "18.0"), ("252", "72.0")]
    # Above the results, below the summary.
    assert html.index('<p class="summary">') < html.index('<figure class="histogram">') < html.index('<ol class="hits"')


def test_with_one_result_per_answer_the_bars_count_answers(client):
    html = page(client, "/?q=barn&group=1")
    assert "Matching answers per year, 2021–2026" in html
    assert bars(chart(html)) == [
        (f"/?q=barn&year={year}&group=1", f"{year}: 1 answer", f"{year}: 1 answer", 1)
        for year in (2021, 2022, 2025, 2026)]


@pytest.mark.parametrize("url", ["/?q=barn&year=2021", "/?q=skyddsfonden", "/?q=skyddsfonden&group=1",
                                 "/?q=nosuchwordanywhere", "/"])
def test_no_histogram_for_one_year_a_year_filter_or_no_matches(client, url):
    # A year filter leaves one year, and one bar says no more than the total and the year facet.
    assert chart(page(client, url)) is None


@pytest.mark.parametrize("query", ["barn", "socialtjänsten", "familjehem", "insatser placering"])
@pytest.mark.parametrize("group", ["", "&group=1"])
def test_each_seed_bar_leads_to_exactly_its_count(client, query, group):
    svg = chart(page(client, f"/?q={query}{group}"))
    assert svg is not None
    for href, _, _, count in bars(svg):
        assert total(page(client, href)) == count, href


@pytest.mark.parametrize("query", ["skola", "regeringen", "polis AND narkotika", '"inte acceptabelt"'])
@pytest.mark.parametrize("group", ["", "&group=1"])
def test_each_corpus_bar_leads_to_exactly_its_count(corpus_client, query, group):
    html = page(corpus_client, f"/?q={query}{group}")
    svg = chart(html)
    assert svg is not None
    shown = bars(svg)
    assert len(shown) >= 2
    for href, label, title, count in shown:
        year = re.search(r"year=(\d{4})", href)[1]
        assert label == title == f"{year}: {count} {'answer' if group else 'passage'}{'s' if count != 1 else ''}"
        assert total(page(corpus_client, href)) == count, href
    # Every dated match is in a bar: what the bars leave out is said in the caption.
    caption = re.search(r'<figcaption id="histogram-caption">(.*?)</figcaption>', html, re.S)[1]
    undated = re.search(r"; (\d+) ha(?:s|ve) no date$", caption)
    assert sum(count for *_, count in shown) + (int(undated[1]) if undated else 0) == total(html)


def test_the_year_facet_counts_answers_with_one_result_per_answer(seed_index):
    # What makes the bars agree with their links in both modes: each facet value counts what its
    # filter returns, answers when one result per answer is asked for.
    grouped = seed_index.search("socialtjänsten", facets=True, by_document=True)
    assert grouped.total == 4
    assert grouped.facets == {
        "party": {"L": 2, "M": 2, "S": 2, "V": 2},
        "respondent": {"Alexander Ojanne": 2, "Jan Jönsson": 2},
        "year": {"2021": 1, "2022": 1, "2025": 1, "2026": 1},
        "kind": {"preamble": 4, "answer": 3},
    }
    for name, counts in grouped.facets.items():
        for value, count in counts.items():
            narrowed = seed_index.search("socialtjänsten", limit=1, by_document=True,
                                         **{name: int(value) if name == "year" else value})
            assert narrowed.total == count, (name, value)
