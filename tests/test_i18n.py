"""Swedish and English: the command line follows the locale, the web page Accept-Language (or the reader's
choice), and every user-visible string is in the gettext catalog (index/locale), which is current."""

from __future__ import annotations

import ast
import gettext
import io
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from svar.index import errors, i18n
from svar.search.cli import main

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "index" / "locale"
PO = LOCALE / "sv" / "LC_MESSAGES" / "svar.po"
MO = PO.with_suffix(".mo")
TEMPLATES = ROOT / "search" / "templates"
SWEDISH = {"LANG": "sv_SE.UTF-8"}
ENGLISH = {"LANG": "en_US.UTF-8"}

SEARCH = ["search", "fyra besök familjehem", "--limit", "1", "--facets", "--by-document"]
HIT = [
    " 1. KS 2020/1079 · 2021-04-06 · Alexandra Mattsson Åkerström (V) → socialborgarrådet Jan Jönsson (L)  [19.68]",
    "{where}",
    "    {question} 1: På vilket sätt ämnar du säkerställa att placerade barn får de besök i familjehem som ansvarig "
    "myndighet har förpliktigat sig att göra men som inte görs idag?",
    "    Jan Jönsson (L): Svar: Av interpellationen verkar framgå att frågan är ställd med anledning av en uppgift i "
    "2019 års socialtjänstrapport om att drygt 30 procent av barn och unga med helårsplacering i familjehem fått "
    "minst fyra besök. Enligt enhetscheferna inom barn och ungdom vid stadsdelsförvaltningarna är siffran inte "
    "korrekt.",
]


def run(env: dict[str, str], *args: str):
    return CliRunner(env=env).invoke(main, list(args))


# -- the command line --------------------------------------------------------------------------------


def test_a_search_under_a_swedish_locale_is_swedish(seed_index_dir):
    result = run(SWEDISH, "--index", str(seed_index_dir), *SEARCH)
    assert result.exit_code == 0
    hit = "\n".join(HIT).format(where="    Lilla Hjärtat · stycke 5 (answer) · 2 matchande stycken", question="Fråga")
    assert result.stdout == (
        "2 svar matchar 'fyra besök familjehem' (visar 1–1)\n\n" + hit + "\n\n"
        "parti: L 1 · M 1 · S 1 · V 1\n"
        "svarande: Alexander Ojanne 1 · Jan Jönsson 1\n"
        "år: 2021 1 · 2026 1\n"
        "typ av stycke: answer 1 · preamble 1\n"
    )
    counted = run(SWEDISH, "--index", str(seed_index_dir), "search", "skyddsfonden")
    assert counted.stdout.splitlines()[0] == "1 stycke matchar 'skyddsfonden' (visar 1–1)"
    none = run(SWEDISH, "--index", str(seed_index_dir), "search", "barn", "--party", "X")
    assert none.stdout == ("Inga stycken matchar 'barn': inget svar har partiet 'X' (partierna i indexet: "
                           "L, M, S, V).\n")


def test_the_same_search_under_an_english_locale_is_english(seed_index_dir):
    result = run(ENGLISH, "--index", str(seed_index_dir), *SEARCH)
    assert result.exit_code == 0
    hit = "\n".join(HIT).format(where="    Lilla Hjärtat · passage 5 (answer) · 2 matching passages",
                               question="Question")
    assert result.stdout == (
        "2 answers match 'fyra besök familjehem' (showing 1–1)\n\n" + hit + "\n\n"
        "party: L 1 · M 1 · S 1 · V 1\n"
        "respondent: Alexander Ojanne 1 · Jan Jönsson 1\n"
        "year: 2021 1 · 2026 1\n"
        "kind of passage: answer 1 · preamble 1\n"
    )


def test_help_follows_the_locale_clicks_own_words_too():
    swedish = run(SWEDISH, "search", "--help")
    assert swedish.exit_code == 0
    lines = swedish.stdout.splitlines()
    assert lines[:3] == ["Användning: svar search [OPTIONS] QUERY", "",
                         '  Sök efter stycken; vanliga ord, "exakta fraser", "ord nära varandra"~5,']
    assert lines[3] == "  AND/OR/NOT (OCH/ELLER/INTE), -ord."
    assert "Flaggor:" in lines
    assert "  --limit INTEGER RANGE           Antal träffar att visa.  [standard: 10; x>=1]" in lines
    assert "  -h, --help                      Visa den här hjälpen och avsluta." in lines
    top = run(SWEDISH, "--help").stdout.splitlines()
    assert top[0] == "Användning: svar [OPTIONS] COMMAND [ARGS]..."
    assert "  --version          Visa versionen och avsluta." in top
    assert "Kommandon:" in top and "  list    Svaren i indexet, nyast först." in top

    english = run(ENGLISH, "search", "--help").stdout.splitlines()
    assert english[:4] == ["Usage: svar search [OPTIONS] QUERY", "",
                           '  Search for passages; plain words, "exact phrases", "near words"~5, AND/OR/NOT,',
                           "  -word."]
    assert "Options:" in english
    assert "  --limit INTEGER RANGE           Hits to show.  [default: 10; x>=1]" in english
    # click makes the help option once, in the language of its first use: English after Swedish all the same.
    assert "  -h, --help                      Show this message and exit." in english


def test_usage_errors_and_svar_errors_follow_the_locale(seed_index_dir):
    index = ["--index", str(seed_index_dir)]
    usage = run(SWEDISH, *index, "search", "barn", "--limit", "x")
    assert (usage.exit_code, usage.stdout) == (2, "")
    assert usage.stderr == ("svar: Ogiltigt värde för '--limit': 'x' är inget giltigt tal (integer range) "
                            "(se: svar search --help)\n")
    missing = run(SWEDISH, *index, "show", "KS 1999/1")
    assert (missing.exit_code, missing.stderr) == (
        1, f"svar: inget svar med Dnr 'KS 1999/1' i indexet i {seed_index_dir}: se `svar list`\n")
    nowhere = run(SWEDISH, "--index", "/nonexistent/svar-index", "list")
    assert (nowhere.exit_code, nowhere.stderr) == (
        1, "svar: inget index i /nonexistent/svar-index: skapa ett från svarens filer eller mappar: "
           "svar index SÖKVÄG… --index /nonexistent/svar-index\n")

    usage = run(ENGLISH, *index, "search", "barn", "--limit", "x")
    assert (usage.exit_code, usage.stderr) == (
        2, "svar: Invalid value for '--limit': 'x' is not a valid integer range (see: svar search --help)\n")
    missing = run(ENGLISH, *index, "show", "KS 1999/1")
    assert (missing.exit_code, missing.stderr) == (
        1, f"svar: no answer with Dnr 'KS 1999/1' in the index at {seed_index_dir}: see `svar list`\n")


def test_indexing_reports_in_the_locales_language(tmp_path):
    from conftest import SEED_001, SEED_004

    index = ["--index", str(tmp_path / "index")]
    first = run(SWEDISH, *index, "index", str(SEED_001))
    assert (first.exit_code, first.stdout) == (0, "1 nytt, 0 uppdaterade, 0 oförändrade, 0 avvisade "
                                                  "(5 stycken skrivna)\n")
    again = run(ENGLISH, *index, "index", str(SEED_001), str(SEED_004), str(tmp_path / "missing.txt"))
    assert again.stdout == "1 new, 0 updated, 1 unchanged, 0 rejected (8 passages written)\n"
    assert again.stderr == f"svar: {tmp_path / 'missing.txt'}: no such file or folder\n"
    stats = run(SWEDISH, *index, "stats").stdout.splitlines()
    assert [line.split("  ")[0] for line in stats] == ["index:", "svar:", "stycken:", "storlek:", "senast uppdaterat:"]
    assert {line.index(value) for line, value in zip(stats, [str(tmp_path / "index"), "2", "13"])} == {20}


def test_the_first_language_the_locale_names_wins_for_clicks_words_too():
    # LANGUAGE is a list: its first language that svar speaks counts, and gettext (click) agrees.
    assert run({"LANGUAGE": "de:sv", "LANG": "C.UTF-8"}, "--help").stdout.startswith("Användning: svar")
    assert run({"LANGUAGE": "en:sv", "LANG": "sv_SE.UTF-8"}, "--help").stdout.startswith("Usage: svar")
    assert run({"LC_ALL": "sv_FI.UTF-8", "LANG": "en_US.UTF-8"}, "--help").stdout.startswith("Användning: svar")
    assert run({"LANG": "de_DE.UTF-8"}, "--help").stdout.startswith("Usage: svar")


def test_a_run_leaves_the_callers_language_and_gettext_domain_as_they_were():
    before = gettext.textdomain()
    assert run(SWEDISH, "--help").stdout.startswith("Användning:")
    assert (i18n.language(), gettext.textdomain()) == ("en", before)
    with i18n.use_language("sv"):
        assert i18n._("Search") == "Sök"
    assert i18n._("Search") == "Search"


def test_the_language_a_locale_or_header_names():
    assert [i18n.language_from_environment(env) for env in (
        {}, {"LANG": "sv_SE.UTF-8"}, {"LANG": "C"}, {"LANGUAGE": "nb:sv:en"}, {"LANGUAGE": "", "LANG": "sv"},
        {"LC_MESSAGES": "en_GB", "LANG": "sv_SE"},
    )] == ["en", "sv", "en", "sv", "sv", "en"]
    assert [i18n.language_from_accept(header) for header in (
        None, "sv", "sv-SE,sv;q=0.9,en;q=0.8", "en-GB,en;q=0.9,sv;q=0.8", "de, sv;q=0.5", "de, fr", "sv;q=0, en",
    )] == ["en", "sv", "sv", "en", "sv", "en", "en"]


# -- the web page ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(seed_index_dir):
    from svar.search.web import create_app

    return create_app(seed_index_dir).test_client()


def page(client, url: str, headers: dict[str, str] | None = None, status: int = 200) -> str:
    response = client.get(url, headers=headers or {})
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def text_of(html: str, css_class: str) -> str:
    match = re.search(rf'<(\w+) class="{css_class}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element with class {css_class}"
    return " ".join(unescape(re.sub(r"<[^>]+>", "", match[2])).split())


def language_links(html: str) -> list[tuple[str, str]]:
    links = re.findall(r'<a class="language" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    return [(unescape(href), name) for href, name in links]


def test_the_page_follows_accept_language(client):
    swedish = page(client, "/?q=familjehem", {"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.8"})
    assert '<html lang="sv">' in swedish
    assert text_of(swedish, "summary") == "3 stycken matchar familjehem · visar 1–3"
    assert re.findall(r'<span class="label">(.*?)</span>', swedish) == ["Fråga 1:", "Fråga 2:"]
    assert '<button type="submit">Sök</button>' in swedish and 'placeholder="Sök i svaren"' in swedish
    assert re.findall(r"<h2>([^<]+)</h2>", swedish)[:2] == ["Parti", "Svarande"]
    assert language_links(swedish) == [("/?q=familjehem&lang=en", "English")]

    english = page(client, "/?q=familjehem", {"Accept-Language": "en-GB,en;q=0.9,sv;q=0.8"})
    assert '<html lang="en">' in english
    assert text_of(english, "summary") == "3 passages match familjehem · showing 1–3"
    assert re.findall(r"<h2>([^<]+)</h2>", english)[:2] == ["Party", "Respondent"]
    assert language_links(english) == [("/?q=familjehem&lang=sv", "Svenska")]
    assert '<html lang="en">' in page(client, "/?q=familjehem")  # no header: English


def test_the_language_link_switches_and_the_choice_stays_in_every_link(client):
    chosen = page(client, "/?q=familjehem&lang=en", {"Accept-Language": "sv"})  # the link beats the header
    assert '<html lang="en">' in chosen and text_of(chosen, "summary").startswith("3 passages match")
    swedish = page(client, language_links(chosen)[0][0], {"Accept-Language": "en"})
    assert '<html lang="sv">' in swedish and text_of(swedish, "summary").startswith("3 stycken matchar")
    hits = re.findall(r'<li class="hit">\s*<h2><a href="([^"]+)"', swedish)
    assert hits[0] == "/answer/KS%202020/1079?q=familjehem&amp;lang=sv#p5"
    assert '<input type="hidden" name="lang" value="sv">' in swedish  # the search form sends it
    assert "/?q=familjehem&amp;party=V&amp;lang=sv" in swedish  # a facet link
    # A form's URL is tidied with the choice kept, last; a language svar does not speak is dropped.
    assert client.get("/?lang=sv&q=barn&party=").headers["Location"] == "/?q=barn&lang=sv"
    assert client.get("/?q=barn&lang=fi").headers["Location"] == "/?q=barn"
    document = page(client, "/answer/ks%202022/65?q=barn&lang=sv")
    assert "<dt>Interpellant</dt>" in document and "<dt>Datum</dt>" in document
    assert language_links(document) == [("/answer/KS%202022/65?q=barn&lang=en", "English")]
    assert re.search(r'<p class="back"><a href="([^"]+)">← träffar för <q>barn</q></a>', document)[1] == \
        "/?q=barn&amp;lang=sv"
    assert i18n.language() == "en"  # the request's language went with it


def test_error_pages_follow_the_language(client):
    bad = page(client, "/?q=barn&since=2022-02-30", {"Accept-Language": "sv"}, 400)
    assert re.findall(r"<h1>(.*?)</h1>", bad) == ["Den sökningen går inte att köra"]
    assert text_of(bad, "message") == "Från och med '2022-02-30': datumet finns inte; använd YYYY-MM-DD"
    assert "sök efter ”barn” utan filter" in bad
    missing = page(client, "/no-such-page", {"Accept-Language": "sv"}, 404)
    assert re.findall(r"<h1>(.*?)</h1>", missing) == ["Sidan finns inte"]
    assert language_links(missing) == [("/?lang=en", "English")]
    english = page(client, "/no-such-page", {"Accept-Language": "en"}, 404)
    assert re.findall(r"<h1>(.*?)</h1>", english) == ["Not Found"]


# -- the catalog -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The messages extracted now, as index/i18n.py's docstring extracts them (click's sources too)."""
    pot = tmp_path_factory.mktemp("catalog") / "svar.pot"
    click_sources = sorted(str(p) for p in Path(click.__file__).parent.glob("*.py"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "index/locale/babel.cfg", "--project=svar",
                                    "-o", str(pot), ".", *click_sources])
    with pot.open("rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def swedish_catalog():
    with PO.open("rb") as file:
        return read_po(file, locale="sv")


def _forms(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def test_every_message_has_a_swedish_translation(template, swedish_catalog):
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = swedish_catalog.get(message.id)
        if translated is None:
            problems.append(f"not in sv/svar.po: {message.id!r}")
        elif translated.fuzzy or not all(_forms(translated.string)):
            problems.append(f"untranslated or fuzzy: {message.id!r}")
    stale = [m.id for m in swedish_catalog if m.id and template.get(m.id) is None]
    assert not problems and not stale, "\n".join(problems + [f"no longer in the code: {s!r}" for s in stale])
    assert len(template) > 300  # svar's messages and click's were found


def test_translations_keep_the_placeholders(swedish_catalog):
    placeholder = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sd]|%%")
    problems = []
    for message in swedish_catalog:
        if not message.id:
            continue
        wanted = {tuple(sorted(placeholder.findall(form))) for form in _forms(message.id)}
        for form in _forms(message.string):
            found = tuple(sorted(placeholder.findall(form)))
            # A plural's singular may say "1" where the msgid has a number placeholder ({count} in both is usual).
            if found not in wanted:
                problems.append(f"{message.id!r}: {form!r}")
    assert not problems, "\n".join(problems)


def test_the_compiled_catalog_is_the_po_compiled(swedish_catalog):
    # Compared by content, not age: a checkout gives files any modification time.
    compiled = io.BytesIO()
    write_mo(compiled, swedish_catalog)
    assert MO.read_bytes() == compiled.getvalue(), "recompile: pybabel compile -d index/locale -D svar -l sv"


# -- no user-visible literal escapes the catalog -----------------------------------------------------

TRANSLATED = {"_", "ngettext", "N_"}
SHOWN = {"echo", "secho", "UsageError", "ClickException", "BadParameter", "progressbar"}
SVAR_ERRORS = {name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, errors.SvarError)}
LETTER = re.compile(r"[^\W\d_]")


def _literals(node: ast.AST) -> list[str]:
    """The text of string literals that an expression shows as they are (not through the catalog)."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) and LETTER.search(node.value) else []
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(node)] if any(_literals(part) for part in node.values) else []
    if isinstance(node, ast.FormattedValue):
        return _literals(node.value)
    if isinstance(node, ast.BinOp):
        return _literals(node.left) + _literals(node.right)
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [text for value in node.values for text in _literals(value)]
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in TRANSLATED:
            return []
        if isinstance(node.func, ast.Attribute) and node.func.attr in {"format", "join", "strip", "upper"}:
            return _literals(node.func.value)  # "text {x}".format(…): the text shows
    return []


def _called(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else ""


def _escapes(path: Path, *, shown: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        called = _called(node)
        arguments: list[ast.AST] = []
        if called in shown or called in SVAR_ERRORS - {"FilterError"}:
            arguments = [*node.args, *(k.value for k in node.keywords if k.arg in {"message", "label"})]
        elif called == "FilterError":  # (field, value, reason): the field's name is an identifier
            arguments = node.args[2:3] + [k.value for k in node.keywords if k.arg == "reason"]
        arguments += [k.value for k in node.keywords if k.arg == "help"]  # N_(): translated when shown
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        found += [f"{where}:{node.lineno}: {text!r}" for a in arguments for text in _literals(a)]
    return found


def test_no_literal_reaches_the_user_without_the_catalog():
    # The command line and its formatting: whatever is echoed, raised as a usage error or given as help.
    escapes = [e for name in ("cli.py", "formatting.py") for e in _escapes(ROOT / "search" / name, shown=SHOWN)]
    # The library and the indexer: the messages of svar's errors.
    for path in sorted([*(ROOT / "index").rglob("*.py"), *(ROOT / "search").glob("*.py")]):
        escapes += _escapes(path, shown=set())
    assert not escapes, "\n".join(sorted(set(escapes)))


def test_the_scan_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'click.echo(f"svar: {x} failed")\nclick.echo(_("fine {x}").format(x=1))\nclick.echo(", ".join(items))\n'
        'raise ReadError("no such file")\nraise ReadError(_("{path}: gone").format(path=p))\n'
        'click.option("--x", help="Not marked.")\nclick.option("--y", help=N_("Marked."))\n'
        'raise FilterError("since", value, "no such date")\nclick.echo("svar: " + message)\n', encoding="utf-8")
    found = [line.split(": ", 1)[1] for line in _escapes(sample, shown=SHOWN)]
    assert sorted(found) == sorted(map(repr, ["f'svar: {x} failed'", "no such file", "Not marked.", "no such date",
                                              "svar: "]))


class _VisibleText(HTMLParser):
    """Text a reader sees (or hears) in a template, with its {{ }} and {% %} taken out."""

    ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "value"}

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.texts += [value for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_data(self, data):
        self.texts.append(data)


def _template_text(source: str) -> list[str]:
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    source = re.sub(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", "", source, flags=re.S)  # in the catalog
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", source, flags=re.S)
    parser = _VisibleText()
    parser.feed(source)
    # "svar" is the program's name, in every language.
    return [text.strip() for text in parser.texts if LETTER.search(re.sub(r"\bsvar\b", "", text))]


def test_templates_show_no_text_outside_the_catalog():
    found = {path.name: _template_text(path.read_text(encoding="utf-8")) for path in sorted(TEMPLATES.glob("*.html"))}
    assert {name: texts for name, texts in found.items() if texts} == {}
    assert _template_text('<p title="Hello">{{ _("x") }} Words <b>{{ y }}</b>{# note #}</p> svar') == ["Hello", "Words"]


def test_every_command_and_option_has_its_help_in_the_catalog(swedish_catalog):
    missing = []

    def visit(command: click.Command, path: str) -> None:
        for item in [command, *command.params]:
            text = getattr(item, "help", None)
            if text and swedish_catalog.get(text) is None:
                missing.append(f"{path} {getattr(item, 'name', '')}: {text!r}")
        for name, sub in getattr(command, "commands", {}).items():
            visit(sub, f"{path} {name}")

    visit(main, "svar")
    assert not missing, "\n".join(missing)
