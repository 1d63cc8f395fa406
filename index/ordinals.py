"""Ordinal references to an answer's questions: "interpellantens andra fråga", "den sista frågan"."""

from __future__ import annotations

import re

ORDINALS = {
    "första": 1, "andra": 2, "tredje": 3, "fjärde": 4, "femte": 5,
    "sjätte": 6, "sjunde": 7, "åttonde": 8, "nionde": 9, "tionde": 10,
}
# Words that mean the last question, whatever its number.
LAST = ("sista", "avslutande", "slutliga", "sistnämnda")
_MENTION = re.compile(
    r"\b(" + "|".join([*ORDINALS, *LAST]) + r")\s+(?:och\s+\w+\s+)?(?:fråga|frågan|frågeställning)\b",
    re.IGNORECASE,
)
# An ordinal that links a paragraph to a question is near its start.
WINDOW = 300


def mentioned(text: str, last: int) -> int | None:
    """The number of the question an ordinal near the start of ``text`` names; ``last``: the number of
    the last question (what "den sista frågan" names). None when no ordinal names a question."""
    match = _MENTION.search(text[:WINDOW])
    if not match:
        return None
    word = match[1].lower()
    return last if word in LAST else ORDINALS[word]
