"""The records the indexer produces: an answer's metadata and its passages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    """An interpellant or respondent as named in the title."""

    name: str = ""
    party: str = ""
    role: str = ""


@dataclass(frozen=True)
class Passage:
    """A searchable unit of an answer: a question with its answer, or a bounded run of paragraphs."""

    dnr: str
    number: int
    kind: str  # "preamble", "answer" or "closing"
    text: str
    start: int  # character span in the cleaned document
    end: int
    question_number: int | None = None
    question: str = ""


@dataclass
class Answer:
    """One borgarråd answer: metadata read from the text, the cleaned text and its passages."""

    dnr: str
    title: str
    topic: str
    interpellant: Person
    respondent: Person
    date: dt.date | None
    signature: str
    text: str
    source: str = ""
    content_hash: str = ""
    passages: list[Passage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
