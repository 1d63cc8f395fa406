"""Splitting a cleaned answer into passages at question boundaries.

A numbered question and its answer make one passage; questions listed first and answered later in
prose are linked to the prose by ordinal ("interpellantens andra fråga"); other text is cut at
paragraph boundaries into passages of bounded size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .records import Passage
from .sentences import sentence_spans

MIN_WORDS = 40
MAX_WORDS = 250

_QUESTION = re.compile(r"^(\d{1,2})[.)]\s+(.*\?.*)$", re.DOTALL)
_ORDINALS = {
    "första": 1, "andra": 2, "tredje": 3, "fjärde": 4, "femte": 5,
    "sjätte": 6, "sjunde": 7, "åttonde": 8, "nionde": 9, "tionde": 10,
}
_LAST = ("sista", "avslutande", "slutliga", "sistnämnda")
_ORDINAL_MENTION = re.compile(
    r"\b(" + "|".join([*_ORDINALS, *_LAST]) + r")\s+(?:och\s+\w+\s+)?(?:fråga|frågan|frågeställning)\b",
    re.IGNORECASE,
)


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


def split(dnr: str, text: str, body: range, closing_start: int | None) -> list[Passage]:
    """Cut the body paragraphs (indexes in ``body``) and the closing into passages, numbered from 1."""
    paragraphs = paragraphs_of(text)
    units = _units([paragraphs[i] for i in body])
    passages: list[Passage] = []
    for kind, number, question, members in units:
        chunks = _bounded(members) if kind == "preamble" else [members]
        for chunk in chunks:
            passages.append(_passage(dnr, len(passages) + 1, kind, chunk, text, number, question))
    if closing_start is not None and closing_start < len(paragraphs):
        passages.append(_passage(dnr, len(passages) + 1, "closing", paragraphs[closing_start:], text, None, ""))
    return passages


Unit = tuple[str, "int | None", str, list[Paragraph]]


def _units(body: list[Paragraph]) -> list[Unit]:
    """Group body paragraphs into (kind, question number, question, paragraphs) units."""
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
    return units


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
    match = _ORDINAL_MENTION.search(text[:300])
    if not match:
        return None
    word = match[1].lower()
    return max(listed) if word in _LAST else _ORDINALS[word]


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


def _passage(dnr: str, number: int, kind: str, members: list[Paragraph], text: str,
             question_number: int | None, question: str) -> Passage:
    start, end = members[0].start, members[-1].end
    return Passage(dnr=dnr, number=number, kind=kind, text=text[start:end], start=start, end=end,
                   question_number=question_number, question=question)
