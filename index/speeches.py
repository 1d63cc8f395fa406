"""Speaker lines of the Riksdag's chamber record: "Anf. 1 Justitie- och inrikesminister MORGAN JOHANSSON (S):".

Each speech ("anförande") opens with its number, the speaker (a minister's role before the name, a
member by name alone, the Speaker by office: "TALMANNEN") and the party, then a colon. The record sets
names in capitals; they are returned as names are written (index/names.py). Kept free of the
metadata parser: the search side reads speaker lines too (search/attribution.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .names import is_capitals, normalise_name
from .records import Person

# "Anf. 12 NAME (P):", "Anf. 3 Statsrådet NAME (S) replik:"; without a colon only when the line ends
# there or the speech follows at once ("… (S) Fru talman! …").
SPEAKER_LINE = re.compile(
    r"^Anf\.\s*(?P<number>\d{1,4})\s+(?P<speaker>[^():\n]+?)\s*(?:\((?P<party>[^()\n]{1,12})\))?"
    r"\s*(?:replik\s*)?(?::|$|(?=(?:Fru|Herr)\s+talman\b))"
)
# The Speaker and the deputies speak by office, not by name.
_OFFICES = re.compile(r"^(?:[A-ZÅÄÖ]+\s+)*(?:TALMANNEN|ÅLDERSPRESIDENTEN|ORDFÖRANDEN)$", re.IGNORECASE)
# Capitalised words that belong to a role written before a name in ordinary case ("Vice statsminister").
_ROLE_OPENERS = frozenset("vice biträdande tf. t.f. tillförordnade förste andre tredje".split())
_ROLE_SUFFIX = re.compile(r"(?:rådet|råd|ministern|minister|talmannen|presidenten)$", re.IGNORECASE)


@dataclass(frozen=True)
class SpeakerLine:
    """A speech's opening line: its number, its speaker, and where the line ends in the paragraph
    (the speech's own words start after it, at ``end`` past any spaces)."""

    number: int
    speaker: Person
    end: int


def speaker_line(paragraph: str) -> SpeakerLine | None:
    """The speaker line a paragraph opens with, or None."""
    match = SPEAKER_LINE.match(paragraph)
    if not match:
        return None
    person = speaker(match["speaker"], match["party"])
    if not person.name and not person.role:
        return None
    end = match.end()
    while end < len(paragraph) and paragraph[end].isspace():
        end += 1
    return SpeakerLine(int(match["number"]), person, end)


def speaker(text: str, party: str | None = None) -> Person:
    """A speaker as the record names them: "Justitie- och inrikesminister MORGAN JOHANSSON" → role
    "Justitie- och inrikesminister", name "Morgan Johansson"; "TALMANNEN" → role "talmannen", no name.

    In capitals, the name is the run of words in capitals (a constituency after it stays: "MATTIAS
    KARLSSON i Luleå"); written in ordinary case, the role is the words before the name that are in
    lower case, elliptic ("Justitie-"), end in a role ("Statsrådet", "Finansminister") or open one ("Vice").
    """
    words = text.split()
    party = (party or "").strip()
    if _OFFICES.match(" ".join(words)):
        return Person(name="", party=party, role=" ".join(words).lower())
    first_capitals = next((i for i, w in enumerate(words) if is_capitals(w)), None)
    if first_capitals is not None:
        return Person(name=normalise_name(" ".join(words[first_capitals:])), party=party,
                      role=" ".join(words[:first_capitals]))
    role_length = 0
    for word in words:
        if word[:1].islower() or word.endswith("-") or word.lower() in _ROLE_OPENERS or _ROLE_SUFFIX.search(word):
            role_length += 1
        else:
            break
    return Person(name=" ".join(words[role_length:]), party=party, role=" ".join(words[:role_length]))
