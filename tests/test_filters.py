"""One definition of the filters: the command line's options, the web form and URL, and the library's
keyword arguments are all made from ``Filters``, accept the same values and reject the same ones,
each naming the field in its own words."""

from __future__ import annotations

import json
import re
from html import unescape

from hypothesis import HealthCheck, given, settings, strategies as st

from svar.search import FilterError, Filters
from svar.search.cli import main
from svar.search.filters import FILTER_FIELDS
from svar.search.web import create_app

NAMES = ("party", "interpellant", "respondent", "year", "since", "until", "dnr", "kind")


def test_the_filters_are_the_fields_of_filters_in_one_order():
    assert tuple(FILTER_FIELDS) == NAMES
    assert FILTER_FIELDS["kind"].choices == ("preamble", "answer", "closing", "debate")
    assert [name for name, spec in FILTER_FIELDS.items() if spec.numeric] == ["year"]


def test_every_front_end_offers_every_filter(runner, seed_index_dir):
    for command in (["search", "--help"], ["watch", "add", "--help"]):
        help_text = runner.invoke(main, command).stdout
        assert [name for name in NAMES if f"  --{name} " in help_text] == list(NAMES), command
    html = create_app(seed_index_dir).test_client().get("/?q=barn").get_data(as_text=True)
    form = re.search(r'<details class="filters".*?</details>', html, re.S)[0]
    assert re.findall(r'<(?:input|select)\b[^>]*?\bname="(\w+)"', form) == [*NAMES, "sort", "group", "strict"]
    labels = re.findall(r"<label>([^<]+?)\s*<(?:input|select) name=", form)
    assert labels == ["Party", "Asked by", "Answered by", "Year", "Since", "Until", "Diary number", "Part", "Order"]


def test_the_dnr_filter_works_on_the_web_page_as_on_the_command_line(runner, seed_index_dir):
    client = create_app(seed_index_dir).test_client()
    html = client.get("/?q=barn&dnr=ks+2022/65").get_data(as_text=True)
    cli = runner.invoke(main, ["search", "barn", "--dnr", "ks 2022/65", "--count", "--index", str(seed_index_dir)])
    assert _web_total(html) == int(cli.stdout) == 4
    assert 'Diary number: ks 2022/65' in " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


# Values as a user types them, good and bad, for every filter.
TEXT = {
    "party": st.sampled_from(["", "V", "m", "S", "X", " l "]),
    "interpellant": st.sampled_from(["", "Hedin", "andrea hedin", "Mattsson", "Nobody"]),
    "respondent": st.sampled_from(["", "Jönsson", "Ojanne", "jan jonsson"]),
    "year": st.sampled_from(["", "2021", "2022", "2026", "22", "abc", "20222"]),
    "since": st.sampled_from(["", "2021", "2022-03", "2022-03-22", "2022-02-30", "igår", "2030"]),
    "until": st.sampled_from(["", "2022", "2025-12", "2021-04-06", "2022-13-01"]),
    "dnr": st.sampled_from(["", "KS 2022/65", "ks 2020/1079", "KS 1999/1"]),
    "kind": st.sampled_from(["", "answer", "preamble", "closing"]),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries(TEXT), words=st.sampled_from(["barn", "socialtjänsten", "familjehem besök"]))
def test_the_library_the_command_line_and_the_web_page_agree_on_every_filter_value(
        runner, seed_index, seed_index_dir, values, words):
    """The same text in each front end: the same total, or the same field rejected with the same reason."""
    set_values = {name: value for name, value in values.items() if value}
    try:
        expected: int | FilterError = seed_index.search(words, **set_values).total
    except FilterError as exc:
        expected = exc

    options = [part for name, value in set_values.items() for part in (f"--{name}", value)]
    cli = runner.invoke(main, ["search", words, *options, "--count", "--index", str(seed_index_dir)])
    response = create_app(seed_index_dir).test_client().get("/", query_string={"q": words, **set_values})
    html = response.get_data(as_text=True)
    if isinstance(expected, FilterError):
        label = FILTER_FIELDS[expected.field].label
        assert (cli.exit_code, cli.stderr) == (
            2, f"svar: {expected.worded(lambda f: '--' + f)} (see: svar search --help)\n")
        assert response.status_code == 400
        message = re.search(r'<p class="message">(.*?)</p>', html, re.S)[1]
        assert unescape(message) == expected.worded(lambda f: FILTER_FIELDS[f].label)
        assert unescape(message).startswith(f"{label} {expected.value!r}: ")
    else:
        assert (cli.exit_code, int(cli.stdout)) == (0, expected)
        if response.status_code == 302:  # tidied: the same search at its own short URL
            html = runner_follow(response, seed_index_dir)
        assert _web_total(html) == expected


def test_library_keyword_filters_as_text_or_as_values_give_the_same_filters():
    assert Filters.from_values({"year": "2022", "since": " 2022-01 ", "party": "", "kind": None}) == \
        Filters(year=2022, since="2022-01")
    assert json.dumps(Filters.from_values({"year": 2022}).given()) == '{"year": 2022}'


def runner_follow(response, seed_index_dir) -> str:
    client = create_app(seed_index_dir).test_client()
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _web_total(html: str) -> int:
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())
    match = re.search(r"(\d+) (?:passage|passages) match", text)
    if match:
        return int(match[1])
    assert "No passages match" in text, text[:500]
    return 0
