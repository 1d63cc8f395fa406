"""What every layout module gives: ``matches`` to recognise its texts and ``read`` to read one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Protocol

from ..records import Interpellation, Passage, Person, Question


@dataclass
class Reading:
    """What a layout read from an answer's cleaned text.

    ``dnr`` is "" when the text names no identifier: the passages then carry "" too, and the loader
    gives them the stand-in it makes from the file name (index/loading.py).
    """

    layout: str
    dnr: str = ""
    title: str = ""
    topic: str = ""
    interpellant: Person = field(default_factory=Person)
    respondent: Person = field(default_factory=Person)
    date: dt.date | None = None
    signature: str = ""
    passages: list[Passage] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    interpellations: list[Interpellation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Layout(Protocol):
    """A layout module (index/layouts/<name>.py) has these three."""

    NAME: str

    def matches(self, paragraphs: list[str]) -> bool:
        """Whether a cleaned text's paragraphs are laid out this way."""

    def read(self, text: str, paragraphs: list[str]) -> Reading:
        """Metadata, questions and passages of a text this layout matches."""


def interpellations_of(interpellant: Person, questions: list[Question],
                       numbers: Sequence[str] = ()) -> list[Interpellation]:
    """The interpellations an answer replies to: one per asker, the interpellant first, then every
    other asker in the order their questions are stated. ``numbers``: the interpellations' numbers,
    where the layout names them, given to the askers in that order (a joint answer's heading lists
    them in the order the answer takes them up)."""
    askers: list[Person] = [interpellant] if interpellant.name else []
    for question in questions:
        for asker in (question.asker, *question.co_askers):
            if asker.name and not any(a.name == asker.name for a in askers):
                askers.append(asker)
    numbers = list(numbers)
    found = [Interpellation(numbers[i] if i < len(numbers) else "", asker) for i, asker in enumerate(askers)]
    # Numbers with no asker read from the text are listed too: the heading names every interpellation.
    found.extend(Interpellation(number, Person()) for number in numbers[len(askers):])
    return found
