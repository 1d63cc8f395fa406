"""The web page (`svar serve`) through Flask's test client: exact results on the seeds, links that carry
the search state, escaping of hostile queries and documents, and error pages."""

from __future__ import annotations

import re
import socket
import sys
import threading
import urllib.request
from html import unescape

import pytest

from svar.search import open_index
from svar.search.cli import main
from svar.search.library import AnswerIndex
from svar.search.web import create_app, make_server

HOSTILE_ANSWER = """Svar på interpellation av Eva Exempel (V) till kulturborgarrådet Ola <script>alert(1)</script> Test (S) om <script>alert("topic")</script> & <b>fet</b> text
Dnr KS 2024/999

Eva Exempel (V) har frågat mig om skriptet <script>alert("body")</script> i biblioteket & om <img src=x onerror=alert(2)> taggar.

1. Hur skyddar staden biblioteket mot <script>alert("question")</script>?

Biblioteket skyddas väl. Skriptet <script>alert("answer")</script> körs aldrig i biblioteket.

Stockholm den 3 maj 2024

Ola Test
"""


@pytest.fixture(scope="module")
def client(seed_index_dir):
    return create_app(seed_index_dir).test_client()


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile-index")
    with open_index(path, create=True) as answers:
        answers.add_text(HOSTILE_ANSWER, "evil.txt")
    return create_app(path).test_client()


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "text/html; charset=utf-8"
    return response.get_data(as_text=True)


def marks(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", html, re.S)]


def text_of(html: str, css_class: str) -> str:
    """The text of the first element with this class, tags dropped and whitespace collapsed."""
    match = re.search(rf'<(\w+) class="{css_class}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element with class {css_class}"
    return " ".join(unescape(re.sub(r"<[^>]+>", "", match[2])).split())


def hit_links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'<li class="hit">\s*<h2><a href="([^"]+)"', html)]


def facets(html: str) -> dict[str, list[tuple[str, int, str]]]:
    """Facet name → (value, count, link) for each value shown."""
    out = {}
    for name, body in re.findall(r'<section class="facet facet-(\w+)">(.*?)</section>', html, re.S):
        out[name] = [(unescape(value), int(count), unescape(href)) for href, value, count in
                     re.findall(r'<a href="([^"]+)"[^>]*>(.*?) <span class="count">(\d+)</span>', body)]
    return out


# -- results ------------------------------------------------------------------------------------------


def test_results_show_counts_marked_words_questions_and_links_to_passages(client):
    html = page(client, "/?q=familjehem")
    assert text_of(html, "summary") == "3 passages match familjehem · showing 1–3"
    assert marks(html) == ["familjehem", "familjehem", "familjehemsvården", "familjehemsvården"]
    assert hit_links(html) == ["/answer/KS%202020/1079?q=familjehem#p5", "/answer/KS%202026/469?q=familjehem#p1",
                               "/answer/KS%202020/1079?q=familjehem#p6"]
    assert [unescape(q) for q in re.findall(r'<span class="label">(Question \d):</span>', html)] == \
        ["Question 1", "Question 2"]
    # The word is in the first hit's question and in its answer, as often: the snippet is the answer's
    # words, signed by the respondent, and the question is shown above it (tests/test_attribution.py has
    # a snippet that is the question).
    assert text_of(html, "question") == ("Question 1: På vilket sätt ämnar du säkerställa att placerade barn får de "
                                         "besök i familjehem som ansvarig myndighet har förpliktigat sig att göra "
                                         "men som inte görs idag?")
    assert text_of(html, "snippet").startswith("Svar: Av interpellationen verkar framgå")
    assert html.count('<p class="snippet"') == 3
    assert [unescape(s) for s in re.findall(r'<p class="speaker">(.*?)</p>', html)] == [
        "— socialborgarrådet Jan Jönsson (L)", "— social- och trygghetsborgarrådet Alexander Ojanne (S)",
        "— socialborgarrådet Jan Jönsson (L)"]
    assert text_of(html, "meta") == ("KS 2020/1079 · 2021-04-06 · Alexandra Mattsson Åkerström (V) → "
                                     "socialborgarrådet Jan Jönsson (L)")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_facets_are_links_with_the_counts_of_the_whole_result(client):
    assert facets(page(client, "/?q=familjehem")) == {
        "party": [("L", 2, "/?q=familjehem&party=L"), ("V", 2, "/?q=familjehem&party=V"),
                  ("M", 1, "/?q=familjehem&party=M"), ("S", 1, "/?q=familjehem&party=S")],
        "respondent": [("Jan Jönsson", 2, "/?q=familjehem&respondent=Jan+J%C3%B6nsson"),
                       ("Alexander Ojanne", 1, "/?q=familjehem&respondent=Alexander+Ojanne")],
        "year": [("2021", 2, "/?q=familjehem&year=2021"), ("2026", 1, "/?q=familjehem&year=2026")],
        "kind": [("answer", 2, "/?q=familjehem&kind=answer"), ("preamble", 1, "/?q=familjehem&kind=preamble")],
    }


def test_each_facet_link_leads_to_exactly_its_count(client):
    shown = facets(page(client, "/?q=barn"))
    assert sum(len(values) for values in shown.values()) == 12
    for values in shown.values():
        for value, count, link in values:
            summary = text_of(page(client, link), "summary")
            assert summary.startswith(f"{count} passages match barn"), (value, summary)


def test_a_chosen_facet_is_marked_and_its_link_removes_it(client):
    html = page(client, "/?q=barn&party=V")
    assert text_of(html, "summary") == "9 passages match barn · showing 1–9"
    assert re.findall(r'<li class="selected"><a href="([^"]+)"', html) == ["/?q=barn"]
    assert text_of(html, "active") == "Party: V ×"
    assert facets(html)["year"] == [("2021", 5, "/?q=barn&party=V&year=2021"),
                                    ("2022", 4, "/?q=barn&party=V&year=2022")]


def test_pages_of_ten_with_previous_and_next(client):
    first = page(client, "/?q=barn")
    assert text_of(first, "summary") == "19 passages match barn · showing 1–10"
    assert len(hit_links(first)) == 10
    assert re.findall(r'<a rel="(\w+)" href="([^"]+)"', first) == [("next", "/?q=barn&amp;page=2")]
    second = page(client, "/?q=barn&page=2")
    assert text_of(second, "summary") == "19 passages match barn · showing 11–19"
    assert '<ol class="hits" start="11">' in second
    assert re.findall(r'<a rel="(\w+)" href="([^"]+)"', second) == [("prev", "/?q=barn")]
    assert text_of(page(client, "/?q=barn&page=3"), "note") == "There is no page 3. Go to the first page."


def test_one_result_per_answer_and_newest_first(client):
    html = page(client, "/?q=barn&group=1")
    assert text_of(html, "summary") == "4 answers match barn · showing 1–4"
    assert re.findall(r"(\d+) matching passages? in this answer", html) == ["8", "5", "4", "2"]
    newest = page(client, "/?q=barn&sort=oldest")
    assert text_of(newest, "summary") == "19 passages match barn · showing 1–10 · oldest first"
    assert re.findall(r'<span class="date">([^<]+)</span>', newest)[:6] == ["2021-04-06"] * 5 + ["2022-03-22"]


def test_did_you_mean_and_the_similar_words_note(client):
    html = page(client, "/?q=diskriminring")
    assert text_of(html, "note fuzzy") == "Not in the index, so searched as similar words: diskriminring → diskriminering."
    assert re.findall(r'Did you mean <a href="([^"]+)">([^<]+)</a>', html) == [("/?q=diskriminering", "diskriminering")]
    assert text_of(html, "summary") == "4 passages match diskriminring · showing 1–4"
    strict = page(client, "/?q=diskriminring&strict=1")
    assert "note fuzzy" not in strict
    assert text_of(strict, "summary") == "No passages match diskriminring."


def test_the_url_holds_the_whole_search_and_the_form_shows_it(client):
    html = page(client, "/?q=barn&party=V&year=2022&kind=answer&sort=oldest&strict=1")
    assert text_of(html, "summary") == "3 passages match barn · showing 1–3 · oldest first · only the words as typed"
    assert '<details class="filters">' in html  # closed: the filters in use are listed above the results
    assert text_of(html, "active") == "Party: V × Year: 2022 × Part: answer × clear all"
    assert '<input name="party" value="V"' in html and '<input name="year" value="2022"' in html
    assert '<option value="oldest" selected>' in html and '<option value="answer" selected>' in html
    assert '<input type="checkbox" name="strict" value="1" checked>' in html
    # Links keep every part of the state, in one fixed order, and the document page links back to it.
    state = "q=barn&party=V&year=2022&kind=answer&sort=oldest&strict=1"
    assert hit_links(html) == [f"/answer/KS%202022/65?{state}#p{n}" for n in (2, 3, 4)]
    document = page(client, hit_links(html)[0].split("#")[0])
    assert re.findall(r'<p class="back"><a href="([^"]+)"', document) == [f"/?{state}".replace("&", "&amp;")]


def test_a_submitted_form_is_redirected_to_the_short_url_of_its_search(client):
    response = client.get("/?q=+barn++&party=V&interpellant=&respondent=&year=2022&since=&until=&kind="
                          "&sort=relevance&strict=on")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?q=barn&party=V&year=2022&strict=1"
    response = client.get("/answer/KS%202022/65?page=1&q=barn")
    assert response.status_code == 302
    assert response.headers["Location"] == "/answer/KS%202022/65?q=barn"


def test_start_page_lists_the_answers_newest_first(client):
    html = page(client, "/")
    assert "<h1>4 answers in the index</h1>" in html
    assert re.findall(r'<li>\s*<a href="([^"]+)"', html) == [
        "/answer/KS%202026/469", "/answer/KS%202025/806", "/answer/KS%202022/65", "/answer/KS%202020/1079"]


def test_document_page_has_every_passage_with_an_anchor(client):
    html = page(client, "/answer/KS%202022/65")
    assert re.findall(r'<section class="passage" id="(p\d+)">', html) == ["p1", "p2", "p3", "p4", "p5"]
    assert re.search(r"<h1 lang=\"sv\">(.*?)</h1>", html)[1] == (
        "Svar på Interpellation av Alexandra Mattsson Åkerström (V) till socialborgarrådet Jan Jönsson (L) "
        "om risker för diskriminering när socialtjänsten beslutar om insatser till barn")
    assert re.findall(r'<span class="label">(Question \d):</span>', html) == ["Question 1", "Question 2", "Question 3"]
    assert "<dt>File</dt><dd>001_0e0d1be7763e56f3.txt</dd>" in html
    assert "back" not in re.findall(r'class="(\w+)"', html)  # no search to go back to
    assert page(client, "/answer/ks%202022/65") == html  # the dnr as anyone types it


# -- escaping ------------------------------------------------------------------------------------------


def test_a_query_with_markup_is_shown_as_text(client):
    html = page(client, "/?q=%3Cscript%3Ealert(1)%3C/script%3E%22%3E%3Cimg+src=x+onerror=alert(2)%3E")
    assert "<script" not in html and "<img" not in html
    assert '<input type="search" name="q" value="&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x ' \
           'onerror=alert(2)&gt;"' in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt; – svar</title>" \
        in html


def test_a_document_with_markup_is_shown_as_text(hostile_client):
    html = page(hostile_client, "/?q=biblioteket")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert marks(html) == ["Biblioteket", "biblioteket", "biblioteket"]
    assert 'Hur skyddar staden biblioteket mot &lt;script&gt;alert(&#34;question&#34;)&lt;/script&gt;?' in html
    assert '&lt;script&gt;alert(&#34;answer&#34;)&lt;/script&gt; körs aldrig i <mark>biblioteket</mark>.' in html
    assert '<a href="/answer/KS%202024/999?q=biblioteket#p2" lang="sv">&lt;script&gt;alert(&#34;topic&#34;)' \
           '&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt; text</a>' in html
    assert facets(html)["respondent"] == [
        ("Ola <script>alert(1)</script> Test", 2, "/?q=biblioteket&respondent=Ola+%3Cscript%3Ealert(1)%3C/script%3E+Test")]
    document = page(hostile_client, "/answer/KS%202024/999")
    assert "<script" not in document and "<img" not in document
    assert "om &lt;img src=x onerror=alert(2)&gt; taggar." in document
    assert "<p>1. Hur skyddar staden biblioteket mot &lt;script&gt;alert(&#34;question&#34;)&lt;/script&gt;?</p>" \
        in document


def test_pages_forbid_scripts(client):
    response = client.get("/?q=barn")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'self';")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    css = client.get("/static/svar.css")
    assert css.status_code == 200 and css.content_type.startswith("text/css")


# -- errors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "message"), [
    # Each named as the form labels it.
    ("/?q=barn&since=2022-02-30", "Since '2022-02-30': no such date; use YYYY-MM-DD"),
    ("/?q=barn&since=2023&until=2022", "Since '2023': later than Until '2022': nothing can match"),
    ("/?q=barn&year=22", "Year '22': give a four-digit year"),
    ("/?q=barn&kind=intro", "Part 'intro': use one of preamble, answer, closing, debate"),
    ("/?q=barn&sort=best", "Order 'best': use one of relevance, newest, oldest"),
    ("/?q=barn&page=0", "Page '0': give a page number (1, 2, …)"),
    ("/?q=barn&dnr=KS+2022/65&year=22x", "Year '22x': give a four-digit year"),
])
def test_a_filter_that_cannot_be_used_gets_a_400_page_saying_why(client, url, message):
    html = page(client, url, 400)
    assert text_of(html, "message") == message
    assert re.findall(r"<h1>(.*?)</h1>", html) == ["That search cannot be run"]
    assert 'search for “barn” without filters' in html and 'href="/?q=barn"' in html
    assert '<input type="search" name="q" value="barn"' in html and '<details class="filters"' in html


def test_the_400_page_keeps_the_form_as_typed_so_it_can_be_corrected(client):
    html = page(client, "/?q=barn&party=V&since=2022-02-30&sort=newest", 400)
    assert '<details class="filters" open>' in html
    assert '<input name="since" value="2022-02-30"' in html and '<input name="party" value="V"' in html
    assert '<option value="newest" selected>' in html
    html = page(client, "/?q=barn&year=twenty&sort=best", 400)
    assert '<input name="year" value="twenty"' in html and '<option value="relevance" selected>' in html


def test_unknown_answers_and_pages_get_a_404_page(client, seed_index_dir):
    html = page(client, "/answer/KS%201999/1", 404)
    assert text_of(html, "message") == f"no answer with Dnr 'KS 1999/1' in the index at {seed_index_dir}: see `svar list`"
    html = page(client, "/answer/%3Cscript%3Ealert(1)%3C/script%3E", 404)
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.findall(r"<h1>(.*?)</h1>", page(client, "/nothing-here", 404)) == ["Not Found"]


def test_a_missing_index_gets_a_503_page(tmp_path):
    html = page(create_app(tmp_path / "nowhere").test_client(), "/?q=barn", 503)
    assert text_of(html, "message") == (f"no index at {tmp_path / 'nowhere'}: make one from the answers' files or "
                                        f"folders: svar index PATH… --index {tmp_path / 'nowhere'}")


def test_an_unexpected_failure_shows_no_internals(seed_index_dir, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(AnswerIndex, "search", broken)
    html = page(create_app(seed_index_dir).test_client(), "/?q=barn", 500)
    assert text_of(html, "message") == "The page failed; the server's log says why."
    assert "secret internals" not in html and "Traceback" not in html


def test_the_page_sees_answers_indexed_while_it_runs(tmp_path):
    with open_index(tmp_path / "index", create=True) as answers:
        answers.add_text(HOSTILE_ANSWER.replace("KS 2024/999", "KS 2024/1"), "first.txt")
        client = create_app(tmp_path / "index").test_client()
        assert text_of(page(client, "/?q=biblioteket"), "summary") == "2 passages match biblioteket · showing 1–2"
        answers.add_text(HOSTILE_ANSWER.replace("KS 2024/999", "KS 2024/2"), "second.txt")
    assert text_of(page(client, "/?q=biblioteket"), "summary") == "4 passages match biblioteket · showing 1–4"
    assert "<h1>2 answers in the index</h1>" in page(client, "/")


# -- the server and the command ------------------------------------------------------------------------


def test_the_server_answers_many_readers_at_once(seed_index_dir):
    server = make_server(seed_index_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    summaries: list[str] = []

    def read(query: str) -> None:
        with urllib.request.urlopen(f"{base}/?q={query}", timeout=10) as response:
            summaries.append(text_of(response.read().decode("utf-8"), "summary"))

    try:
        readers = [threading.Thread(target=read, args=(q,)) for q in ("barn", "familjehem") * 8]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(summaries) == ["19 passages match barn · showing 1–10"] * 8 + \
        ["3 passages match familjehem · showing 1–3"] * 8


def test_serve_on_a_port_in_use_says_so(runner, seed_index_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", "--index", str(seed_index_dir), "--port", str(port)])
    assert result.exit_code == 1
    assert result.output == f"svar: cannot listen on 127.0.0.1:{port}: Address already in use; choose another port\n"


def test_serve_without_flask_says_how_to_install_it(runner, seed_index_dir, monkeypatch):
    import svar.search

    monkeypatch.setitem(sys.modules, "flask", None)  # `import flask` now raises ImportError
    monkeypatch.delitem(sys.modules, "svar.search.web")
    monkeypatch.delattr(svar.search, "web", raising=False)
    result = runner.invoke(main, ["serve", "--index", str(seed_index_dir)])
    assert result.exit_code == 1
    assert result.output == 'svar: the web page needs Flask, which is not installed: pip install "svar[web]"\n'
