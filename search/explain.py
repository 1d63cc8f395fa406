"""Why a search found nothing, when the reason is not the query's words: a filter value no answer
has (with the closest values that some have), a query of stop words only, or a phrase whose words
are there but never in that order."""

from __future__ import annotations

import difflib
import re

from whoosh.searching import Searcher

from svar.index.analysis import STOP_WORDS, fold
from svar.index.i18n import _
from svar.index.schema import name_key, party_key

from .filters import Filters
from .query import ParsedQuery
from .ranking import indexed_values

# The stored field whose indexed terms are the values a person filter can name.
_PEOPLE = {"interpellant": "interpellant", "respondent": "respondent"}


def why_nothing(searcher: Searcher, parsed: ParsedQuery, filters: Filters) -> str | None:
    """One sentence saying why nothing can match, or None when the words simply are not there; in the
    context's language (svar.index.i18n)."""
    if filters.party and filters.party.strip():
        known = sorted(indexed_values(searcher, "party"))
        if party_key(filters.party) not in known:
            return _("no answer has party {party} (the parties in the index: {parties})").format(
                party=repr(filters.party.strip()), parties=", ".join(known) or _("none"))
    for option, fieldname in _PEOPLE.items():
        value = getattr(filters, option)
        if not (value and value.strip()):
            continue
        names = indexed_values(searcher, fieldname)
        wanted = name_key(value).split()
        if not any(set(wanted) <= set(name_key(name).split()) for name in names):
            close = _closest(value, names)
            hint = _("; did you mean {names}?").format(names=_(" or ").join(close)) if close else ""
            if option == "interpellant":
                return _("no interpellant is called {name}").format(name=repr(value.strip())) + hint
            return _("no respondent is called {name}").format(name=repr(value.strip())) + hint
    if filters.year is not None:
        years = sorted(int(value) for value in indexed_values(searcher, "year"))
        if int(filters.year) not in years:
            span = f"{years[0]}–{years[-1]}" if years else _("none")
            return _("no answer is from {year} (the years in the index: {years})").format(year=filters.year, years=span)
    outside = re.findall(r"[^\W_]+", re.sub(r'"[^"]*"(?:~\d+)?', " ", parsed.text))
    if parsed.phrases and not outside:
        quoted = " ".join('"' + " ".join(words) + '"' for words in parsed.phrases)
        return _("no passage has the words of {phrases} one after another as written (a phrase matches its "
                 "words in that order, stop words too); without the quotes the words are searched anywhere"
                 ).format(phrases=quoted)
    if parsed.nears and not outside:
        quoted = " ".join('"' + " ".join(words) + f'"~{window}' for words, window in parsed.nears)
        return _("no passage has the words of {nears} that near each other (within that many words, in any "
                 "order); a larger number or no quotes finds them farther apart").format(nears=quoted)
    typed = re.findall(r"[^\W\d_]+", parsed.text)
    if typed and not parsed.phrases and all(word.lower() in STOP_WORDS for word in typed):
        return _("{query} holds only stop words, which are not searched on their own; put words that carry "
                 "the meaning in the query, or search a phrase in quotes").format(query=repr(parsed.text))
    return None


def _closest(value: str, names: list[str]) -> list[str]:
    """The names nearest ``value`` in spelling (whole name, or one of its words), at most three."""
    wanted = fold(value.strip())
    scored = []
    for name in names:
        words = [fold(name), *fold(name).replace("-", " ").split()]
        scored.append((max(difflib.SequenceMatcher(None, wanted, w).ratio() for w in words), name))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [name for ratio, name in scored[:3] if ratio >= 0.75]
