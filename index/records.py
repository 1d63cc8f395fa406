"""The records the indexer produces: an answer's metadata, the questions it answers and its passages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


# What a passage is: before the questions, an answer to one, the closing ("Stockholm den …"), or a
# speech of the debate after a chamber-record answer.
PASSAGE_KINDS = ("preamble", "answer", "closing", "debate")

@dataclass(frozen=True)
class Person:
    """An interpellant, respondent or speaker as the text names them."""

    name: str = ""
    party: str = ""
    role: str = ""


@dataclass(frozen=True)
class Interpellation:
    """One interpellation an answer replies to. A joint answer replies to several, each with its asker.

    ``number`` is the interpellation's own identifier where the layout gives one (the Riksdag's
    "2017/18:53"); a Stockholm answer names only its diary number, so there it is "".
    """

    number: str
    asker: Person


@dataclass(frozen=True)
class Question:
    """A question the answer replies to, as the answer states it.

    ``number`` counts the answer's questions from 1, as its passages' ``question_number`` does.
    ``text``: a numbered question as written ("Hur ser …?"), or a reported one as the answer words it,
    the reported clause ("vilka åtgärder jag avser att vidta för att korta köerna").
    ``reported``: whether the answer reports the question (the respondent's words) rather than
    quoting it (the interpellant's words). ``interpellation``: the number of the interpellation it
    was asked in, where the layout gives one. ``co_askers``: who asked it with ``asker``, when the
    answer names several ("Anna Ek och Per Berg har frågat mig …").
    """

    number: int
    text: str
    asker: Person = field(default_factory=Person)
    reported: bool = False
    interpellation: str = ""
    co_askers: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Passage:
    """A searchable unit of an answer: a question with its answer, a bounded run of paragraphs, or a
    speech of the debate that followed the answer."""

    dnr: str
    number: int
    kind: str  # one of PASSAGE_KINDS
    text: str
    start: int  # character span in the cleaned document
    end: int
    question_number: int | None = None
    question: str = ""
    # A debate passage's speaker as the record names them; empty for the answer's own passages, which
    # are the respondent's (apart from the questions they repeat).
    speaker: Person = field(default_factory=Person)


@dataclass
class Answer:
    """One answer to one or more interpellations: metadata read from the text, the cleaned text, the
    questions it answers and its passages.

    ``interpellant`` is the first interpellation's asker (the one the index stores); a joint answer's
    other askers are in ``interpellations``, and each question names its own asker. ``layout`` names
    the layout module that read the text (index/layouts).
    """

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
    questions: list[Question] = field(default_factory=list)
    interpellations: list[Interpellation] = field(default_factory=list)
    layout: str = ""
