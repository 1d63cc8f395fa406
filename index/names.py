"""People's names as the records write them: capitals normalised, and whether two spellings name one person.

The Riksdag's chamber record sets speakers' names in capitals ("MORGAN JOHANSSON", "SVEN-ERIK BUCHT",
"BJÖRN VON SYDOW"); the answer's own text writes them as names are written ("Morgan Johansson"). Both
are stored in the second form so that a name filter, a listing and an attribution see one person.
"""

from __future__ import annotations

import re
import unicodedata

# Name particles written in lower case inside a name ("Björn von Sydow", "Carl af Ugglas").
PARTICLES = frozenset({"von", "af", "de", "van", "der", "den", "du", "la", "da", "di", "del", "zu"})
_WORD = re.compile(r"[^\W\d_]+")


def is_capitals(word: str) -> bool:
    """Whether a word is written in capitals: two letters or more, none in lower case ("JOHANSSON",
    "SVEN-ERIK"); "S" alone, "EU-minister" and "Johansson" are not."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def normalise_name(name: str) -> str:
    """A name with its words in capitals written as names are: "ANNA SVENSSON" → "Anna Svensson",
    "SVEN-ERIK BUCHT" → "Sven-Erik Bucht", "BJÖRN VON SYDOW" → "Björn von Sydow". Words not in
    capitals are kept as written ("MATTIAS KARLSSON i Luleå" → "Mattias Karlsson i Luleå"); so is
    every space-separated word's spacing, tidied to one space."""
    words = name.split()
    out = []
    for i, word in enumerate(words):
        if not is_capitals(word):
            out.append(word)
        elif i and word.lower() in PARTICLES:
            out.append(word.lower())
        else:
            # Each part after a hyphen or apostrophe starts with a capital: "Sven-Erik", "O'Brien".
            out.append(re.sub(r"[^\W\d_]+", lambda m: m[0][:1].upper() + m[0][1:].lower(), word))
    return " ".join(out)


def fold_name(name: str) -> str:
    """A name folded for comparison: lower case, accents off, words only ("Andréa Hedin" and
    "ANDREA HEDIN" fold alike)."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain))


def same_person(a: str, b: str) -> bool:
    """Whether two spellings name one person: equal when folded, or one is the other with a
    constituency added ("Mattias Karlsson" and "Mattias Karlsson i Luleå")."""
    first, second = fold_name(a), fold_name(b)
    if not first or not second:
        return False
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    return longer.startswith(shorter + " i ")


def surname(name: str) -> str:
    """The folded last word of a name before any constituency ("Jonas Andersson i Linghem" → "andersson")."""
    words = fold_name(name).split()
    if "i" in words[1:]:
        words = words[:words.index("i", 1)]
    return words[-1] if words else ""
