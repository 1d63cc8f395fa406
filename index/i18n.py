"""The language svar speaks to its user: English (the messages as written in the code) or Swedish.

Every user-visible string is written in English inside ``_()`` (or ``ngettext()``) and translated through
the gettext catalog in ``locale/`` (``svar.po`` → compiled ``svar.mo``, shipped as package data). The
language is per context (a ``ContextVar``), not per process: the command line sets it once from the
locale, the web page once per request from the reader's choice (``?lang=sv``) or ``Accept-Language``,
and a program that embeds the library chooses with ``use_language()``; without a choice svar speaks English.

Messages are translated when they are made (an exception's text, a result's reason), in the language of
the context that makes them. A constant shown later (a label, a heading) is marked with ``N_()`` and
translated where it is shown; so are the command line's help texts, which click reads at import, before
the locale is known. Messages in Python are ``str.format`` templates (``_("{count} new").format(…)``),
whose placeholders a translation keeps; the web page's templates are Jinja's (``%(name)s``, and a
literal ``%`` is written ``%%`` there).

The catalog: ``locale/babel.cfg`` maps the sources to Babel's extractors; ``locale/svar.pot`` is the
template extracted from svar's code, its templates and click's own messages (usage errors, "Usage:",
"Options"), which the command line shows in svar's language (see ``gettext_domain``);
``locale/sv/LC_MESSAGES/svar.po`` holds the Swedish and compiles to ``svar.mo`` beside it. After
changing a message, from the repository's root (the test extra installs Babel; tests/test_i18n.py
fails while the catalog is incomplete or the .mo stale)::

    pybabel extract -F index/locale/babel.cfg --project=svar -o index/locale/svar.pot . \\
        $(python -c 'import click, pathlib; print(*sorted(pathlib.Path(click.__file__).parent.glob("*.py")))')
    pybabel update --ignore-obsolete -i index/locale/svar.pot -d index/locale -D svar -l sv
    # translate the new and the fuzzy entries of index/locale/sv/LC_MESSAGES/svar.po, then:
    pybabel compile -d index/locale -D svar -l sv
"""

from __future__ import annotations

import contextlib
import gettext
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from pathlib import Path

DOMAIN = "svar"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("en", "sv")  # the first is the language the messages are written in
DEFAULT = "en"

_current: ContextVar[str] = ContextVar("svar_language", default=DEFAULT)


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` (English, or a missing catalog: the messages as written)."""
    if language == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def language() -> str:
    """The language of the current context: "en" or "sv"."""
    return _current.get()


def set_language(code: str | None) -> None:
    """Speak ``code`` ("sv", "sv_SE.UTF-8", "en" …) in this context from now on; unknown codes mean English."""
    _current.set(normalize(code))


@contextlib.contextmanager
def use_language(code: str | None) -> Iterator[str]:
    """Speak ``code`` inside the ``with`` block, then the language of before."""
    token = _current.set(normalize(code))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


@contextlib.contextmanager
def gettext_domain(code: str | None) -> Iterator[None]:
    """Inside the ``with`` block, when ``code`` is Swedish, ``gettext.gettext`` (the process-wide
    default domain, which click translates its own messages with) reads svar's catalog; the domain of
    before afterwards, and throughout for English.

    gettext takes the catalog's language from the process's locale (LANGUAGE, LC_ALL, LC_MESSAGES,
    LANG) just as ``language_from_environment`` reads it, so a program whose language comes from there
    (the command line) says click's messages in the same language as its own.
    """
    before = gettext.textdomain()
    if normalize(code) != DEFAULT:
        gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
        gettext.textdomain(DOMAIN)
    try:
        yield
    finally:
        gettext.textdomain(before)


def normalize(code: str | None) -> str:
    """The svar language a locale or language tag names: "sv" for sv, sv-SE, sv_FI.UTF-8; else English."""
    base = (code or "").strip().replace("-", "_").split("_")[0].split(".")[0].lower()
    return base if base in LANGUAGES else DEFAULT


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things, in the current language."""
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it (a constant translated where it is shown)."""
    return message


def language_from_environment(environ: Mapping[str, str]) -> str:
    """The language a process's locale asks for, as gettext reads it: the first of LANGUAGE (a
    colon-separated list; its first entry svar speaks), LC_ALL, LC_MESSAGES, LANG that is set."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if not value:
            continue
        if name == "LANGUAGE":
            # A list of preferences: the first that svar speaks wins; none of them, English.
            for entry in value.split(":"):
                base = entry.strip().replace("-", "_").split("_")[0].split(".")[0].lower()
                if base in LANGUAGES:
                    return base
            return DEFAULT
        return normalize(value)
    return DEFAULT


def language_from_accept(header: str | None) -> str:
    """The language an HTTP ``Accept-Language`` header prefers among svar's (quality values honoured)."""
    best, best_quality = DEFAULT, -1.0
    for position, item in enumerate((header or "").split(",")):
        tag, _sep, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip()
        if not tag or quality <= 0:
            continue
        base = tag.replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES and quality > best_quality:
            best, best_quality = base, quality
    return best
