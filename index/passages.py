"""Splitting a cleaned answer into passages at question boundaries.

A numbered question and its answer make one passage; questions listed first and answered later in
prose are linked to the prose by ordinal ("interpellantens andra fråga"); an answer without numbered
questions is cut at the questions it reports ("NN har frågat mig …", index/linking.py); other text is
cut at paragraph boundaries into passages of bounded size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import linking, ordinals
from .records import Passage, Person, Question
from .sentences import sentence_spans

MIN_WORDS = 40
MAX_WORDS = 250

_QUESTION = re.compile(r"^(\d{1,2})[.)]\s+(.*\?.*)$", re.DOTALL)


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def paragraphs_of(text: str) -> list[Paragraph]:
    """The paragraphs of a cleaned text with their character spans."""
    found = []
    for match in re.finditer(r"[^\n]+", text):
        found.append(Paragraph(match.start(), match.end(), match.group()))
    return found


@dataclass
class Division:
    """An answer body cut into passages, and the questions it answers (numbered or reported)."""

    passages: list[Passage] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


def split(dnr: str, text: str, body: range, closing_start: int | None, *,
          interpellant: Person = Person()) -> list[Passage]:
    """Cut the body paragraphs (indexes in ``body``) and the closing into passages, numbered from 1."""
    return divide_answer(dnr, text, body, closing_start, interpellant=interpellant).passages


def divide_answer(dnr: str, text: str, body: range, closing_start: int | None, *,
                  interpellant: Person = Person()) -> Division:
    """``split``, with the questions the body answers. ``interpellant``: the asker a pronoun or
    "interpellanten" stands for when no asker was named before (the title's interpellant)."""
    paragraphs = paragraphs_of(text)
    division = divide(dnr, text, [paragraphs[i] for i in body], interpellant=interpellant)
    if closing_start is not None and closing_start < len(paragraphs):
        division.passages.append(passage_of(dnr, len(division.passages) + 1, "closing", paragraphs[closing_start:], text))
    return division


def divide(dnr: str, text: str, body: list[Paragraph], *, interpellant: Person = Person()) -> Division:
    """Cut body paragraphs (spans of ``text``, in order) into passages numbered from 1.

    Numbered questions, when the body has any, decide the cut as they always have; otherwise the
    questions the body reports do, when it reports any.
    """
    units, listed = _units(body)
    questions = _numbered_questions(units, listed, interpellant)
    if not questions and not any(_QUESTION.match(p.text) for p in body):
        reported = linking.reported_units([p.text for p in body], interpellant)
        if reported is not None:
            units = [(kind, number, question, [body[i] for i in members])
                     for kind, number, question, members in reported.units]
            questions = reported.questions
    passages: list[Passage] = []
    for kind, number, question, members in units:
        chunks = _bounded(members) if kind == "preamble" else [members]
        for chunk in chunks:
            passages.append(passage_of(dnr, len(passages) + 1, kind, chunk, text, number, question))
    return Division(passages, questions)


def _numbered_questions(units: list["Unit"], listed: dict[int, str], interpellant: Person) -> list[Question]:
    """The numbered questions: those listed up front and those answered one by one, by number."""
    texts = dict(listed)
    for kind, number, question, _ in units:
        if kind == "answer" and number is not None:
            texts.setdefault(number, question)
    return [Question(number=n, text=texts[n], asker=interpellant) for n in sorted(texts)]


Unit = tuple[str, "int | None", str, list[Paragraph]]


def _units(body: list[Paragraph]) -> tuple[list[Unit], dict[int, str]]:
    """Group body paragraphs into (kind, question number, question, paragraphs) units; also the
    questions listed up front, by number."""
    units: list[Unit] = []
    listed: dict[int, str] = {}
    i = 0
    while i < len(body):
        question = _QUESTION.match(body[i].text)
        if question:
            run = _listed_run(body, i)
            if len(run) >= 2:
                # Questions listed up front, answered later in prose: the list is preamble.
                for paragraph in run:
                    match = _QUESTION.match(paragraph.text)
                    assert match is not None, "_listed_run takes only paragraphs _QUESTION matches"
                    listed[int(match[1])] = match[2].strip()
                _append(units, "preamble", None, "", run)
                i += len(run)
                continue
            members = [body[i]]
            i += 1
            while i < len(body) and not _QUESTION.match(body[i].text):
                members.append(body[i])
                i += 1
            units.append(("answer", int(question[1]), question[2].strip(), members))
            continue
        number = _ordinal(body[i].text, listed) if listed else None
        if number is not None:
            # Prose between the list and the first ordinal answers the first question when the
            # first ordinal met is "andra": answers follow the order of the questions.
            if number == 2 and 1 in listed and not any(u[1] == 1 for u in units) and units and units[-1][0] == "preamble":
                pending = _trailing_prose(units)
                if pending:
                    units.append(("answer", 1, listed[1], pending))
            units.append(("answer", number, listed.get(number, ""), [body[i]]))
        elif units and units[-1][0] == "answer" and listed:
            units[-1][3].append(body[i])
        else:
            _append(units, "preamble", None, "", [body[i]])
        i += 1
    return units, listed


def _listed_run(body: list[Paragraph], i: int) -> list[Paragraph]:
    run = []
    while i < len(body) and _QUESTION.match(body[i].text):
        run.append(body[i])
        i += 1
    return run


def _append(units: list[Unit], kind: str, number: int | None, question: str, members: list[Paragraph]) -> None:
    if units and units[-1][0] == kind == "preamble":
        units[-1][3].extend(members)
    else:
        units.append((kind, number, question, list(members)))


def _trailing_prose(units: list[Unit]) -> list[Paragraph]:
    """Take the prose after the listed questions off the last preamble unit."""
    kind, number, question, members = units[-1]
    last_question = max((k for k, p in enumerate(members) if _QUESTION.match(p.text)), default=None)
    if last_question is None:
        return []
    pending = members[last_question + 1:]
    del members[last_question + 1:]
    return pending


def _ordinal(text: str, listed: dict[int, str]) -> int | None:
    return ordinals.mentioned(text, max(listed))


def _bounded(members: list[Paragraph]) -> list[list[Paragraph]]:
    """Cut a run of paragraphs into chunks of MIN_WORDS–MAX_WORDS, splitting long paragraphs at sentences."""
    pieces: list[Paragraph] = []
    for paragraph in members:
        pieces.extend(_sentence_groups(paragraph) if paragraph.words > MAX_WORDS else [paragraph])
    chunks: list[list[Paragraph]] = []
    words = 0
    for piece in pieces:
        fits = words + piece.words <= MAX_WORDS
        if chunks and fits and (words < MIN_WORDS or piece.words < MIN_WORDS):
            chunks[-1].append(piece)
            words += piece.words
        else:
            chunks.append([piece])
            words = piece.words
    # A short tail joins the chunk before it when that keeps the bound.
    if len(chunks) > 1 and sum(p.words for p in chunks[-1]) < MIN_WORDS:
        if sum(p.words for p in chunks[-2]) + sum(p.words for p in chunks[-1]) <= MAX_WORDS:
            chunks[-2].extend(chunks.pop())
    return chunks


def _sentence_groups(paragraph: Paragraph) -> list[Paragraph]:
    groups: list[Paragraph] = []
    start = paragraph.start
    words = 0
    for s, e in sentence_spans(paragraph.text):
        n = len(paragraph.text[s:e].split())
        if words and words + n > MAX_WORDS:
            groups.append(_sub(paragraph, start, paragraph.start + s))
            start, words = paragraph.start + s, 0
        words += n
    groups.append(_sub(paragraph, start, paragraph.end))
    return groups


def _sub(paragraph: Paragraph, start: int, end: int) -> Paragraph:
    text = paragraph.text[start - paragraph.start:end - paragraph.start]
    stripped = text.rstrip()
    return Paragraph(start, start + len(stripped), stripped)


def passage_of(dnr: str, number: int, kind: str, members: list[Paragraph], text: str,
               question_number: int | None = None, question: str = "", speaker: Person = Person()) -> Passage:
    """The passage spanning ``members`` (paragraphs of ``text``, in order)."""
    start, end = members[0].start, members[-1].end
    return Passage(dnr=dnr, number=number, kind=kind, text=text[start:end], start=start, end=end,
                   question_number=question_number, question=question, speaker=speaker)
