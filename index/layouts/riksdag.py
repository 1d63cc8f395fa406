"""The Riksdag's chamber record: a minister's spoken answer to an interpellation and the debate after it.

    7 § Svar på interpellation 2017/18:53 om Polisens närvaro      (the heading; "7 §" is optional)
    Tisdagen den 19 december 2017                                   (the sitting)
    Anf. 1 Justitie- och inrikesminister MORGAN JOHANSSON (S):
    Fru talman! Johan Hedin har frågat mig vilka åtgärder …         (the answer: the minister's speech)
    Anf. 2 JOHAN HEDIN (C):
    Fru talman! Tack för svaret. …                                  (the debate, speech by speech)
    Överläggningen var härmed avslutad.

The identifier is the interpellation's number ("2017/18:53"; a joint answer's heading lists several,
"Svar på interpellationerna 2017/18:53 och 60 om …": the first is the identifier, all are recorded);
the date is the sitting's; the respondent is the first speaker. The interpellant is the one the
heading names, where it does ("… 2017/18:53 av Johan Hedin (C) om …"), else the first asker the answer
reports, else the first speaker of the debate other than the minister; the party, where the answer
does not give it, is the one the debate's speaker line gives that person.

The answer is the first speech, cut at the questions it reports (index/passages.py); every later
speech is one passage of kind "debate", opening with its speaker line, with its speaker. The record's
closing words ("Överläggningen var härmed avslutad.") are a passage of kind "closing".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from .. import passages
from ..i18n import _, ngettext
from ..metadata import MONTHS, normalise_dnr
from ..names import same_person
from ..passages import Paragraph
from ..records import Interpellation, Person, Question
from ..speeches import SpeakerLine, speaker_line
from .base import Reading, interpellations_of

NAME = "riksdag"
# The heading, the sitting and the first speech are within the first paragraphs of a record's section.
HEAD = 15

_NUMBER = r"\d{4}/\d{2,4}:\d+(?:\s*[-–]\s*\d+)?"
_MORE = r"(?:\s*(?:,|och|samt)\s*(?:\d{4}/\d{2,4}:)?\d+(?:\s*[-–]\s*\d+)?)*"
_HEADING = re.compile(
    r"^(?:\d+\s*§\s*|§\s*\d+\s*)?(?:\(forts\.\)\s*)?"
    rf"(?P<title>Svar\s+på\s+interpellation(?:en|erna)?\s+(?P<numbers>{_NUMBER}{_MORE})"
    r"(?:\s+av\s+(?P<asker>[^()]+?)\s*\((?P<party>[^()]{1,8})\))?"
    r"(?:\s+om\s+(?P<topic>.+?))?)\s*$",
    re.DOTALL,
)
# The sitting; the record's own heading often leaves the year out ("Tisdagen den 19 december").
_SITTING = re.compile(
    r"\b(?:Mån|Tis|Ons|Tors|Fre|Lör|Sön)dagen\s+den\s+(?P<day>\d{1,2})\s+(?P<month>[a-zåäö]+)(?:\s+(?P<year>\d{4}))?\b",
    re.IGNORECASE,
)
# A riksmöte opens in September: its sittings from September on are in its first year, the rest in its second.
FIRST_MONTH = 9
# The record's own words after the last speech.
_DEBATE_CLOSED = re.compile(r"^Överläggningen\s+(?:var|är)\s+(?:härmed\s+)?avslutad", re.IGNORECASE)
# Page furniture the record's text carries between paragraphs: the margin's section name, the running
# head, a page number. Not part of any speech.
_FURNITURE = re.compile(r"^(?:Svar på interpellationer|Prot\.\s*\d{4}/\d{2,4}:\d+(?:\s+\d{1,2}\s+[a-zåäö]+)?|\d{1,4})$")


def matches(paragraphs: list[str]) -> bool:
    """A text is a chamber record when one of its first paragraphs is a speaker line ("Anf. 1 …:"), or
    is an answer's heading ("Svar på interpellation 2017/18:53 om …") and a speech follows it."""
    head = paragraphs[:HEAD]
    if any(speaker_line(p) is not None for p in head):
        return True
    heading_at = next((i for i, p in enumerate(head) if _HEADING.match(p)), None)
    return heading_at is not None and any(speaker_line(p) is not None for p in paragraphs[heading_at + 1:])


def read(text: str, paragraphs: list[str]) -> Reading:
    spans = passages.paragraphs_of(text)
    reading = Reading(layout=NAME)
    speeches = [(i, line) for i, p in enumerate(paragraphs) if (line := speaker_line(p)) is not None]
    # The answer is the first speech after the answer's heading: a record may open with other business.
    heading_at = next((i for i, p in enumerate(paragraphs) if _HEADING.match(p) and i < speeches[-1][0]), None)
    if heading_at is not None and heading_at > speeches[0][0]:
        speeches = [(i, line) for i, line in speeches if i > heading_at]
    # The Speaker's words before the answer ("TALMANNEN: Interpellationen har överlämnats …") are procedure.
    while len(speeches) > 1 and not speeches[0][1].speaker.name:
        speeches = speeches[1:]
    first_speech = speeches[0][0]
    heading_at = heading_at if heading_at is not None and heading_at < first_speech else None
    numbers: list[str] = []
    heading_asker = Person()
    heading = _HEADING.match(paragraphs[heading_at]) if heading_at is not None else None
    if heading is not None:
        reading.title = " ".join(heading["title"].split())
        reading.topic = " ".join((heading["topic"] or "").split())
        numbers = _numbers(heading["numbers"])
        reading.dnr = numbers[0]
        if heading["asker"]:
            heading_asker = Person(" ".join(heading["asker"].split()), heading["party"].strip())
    else:
        reading.warnings.append(_("no heading of the form 'Svar på interpellation 2017/18:53 om …' found"))
    reading.date = _sitting(paragraphs[:first_speech], numbers[0] if numbers else "")
    if reading.date is None:
        reading.warnings.append(_("no sitting date ('Tisdagen den 19 december 2017') found"))

    end, closing = _end_of_debate(paragraphs, first_speech, set(numbers), reading.warnings)
    speeches = [(i, line) for i, line in speeches if i < end]
    reading.respondent = speeches[0][1].speaker
    answer_end = speeches[1][0] if len(speeches) > 1 else end
    body = _speech_body(spans, first_speech, speeches[0][1], answer_end)
    debaters = [line.speaker for _, line in speeches[1:]]
    # Whom "interpellanten" and an unintroduced pronoun stand for: the heading's asker, else the first
    # member to speak after the minister (an interpellation debate opens with the interpellant).
    presumed = heading_asker if heading_asker.name else _first_member(debaters, reading.respondent)
    division = passages.divide(reading.dnr, text, body, interpellant=presumed)
    reading.passages = division.passages
    reading.interpellant = _interpellant(heading_asker, division.questions, debaters, reading.respondent)
    # Numbered questions carry no asker of their own: they are the interpellant's.
    questions = [_with_parties(q, debaters) if q.asker.name else dataclasses.replace(q, asker=reading.interpellant)
                 for q in division.questions]
    reading.interpellations = interpellations_of(reading.interpellant, questions, numbers)
    reading.questions = [_with_interpellation(q, reading.interpellations) for q in questions]
    for k, (i, line) in enumerate(speeches[1:], start=1):
        stop = speeches[k + 1][0] if k + 1 < len(speeches) else end
        members = [spans[i]] + [p for p in spans[i + 1:stop] if not _is_furniture(p.text)]
        reading.passages.append(passages.passage_of(reading.dnr, len(reading.passages) + 1, "debate",
                                                    members, text, speaker=line.speaker))
    if closing is not None:
        reading.passages.append(passages.passage_of(reading.dnr, len(reading.passages) + 1, "closing",
                                                    spans[closing:closing + 1], text))
    return reading


def _numbers(text: str) -> list[str]:
    """The interpellation numbers a heading lists, each in full: "2003/04:11, 13 och 28" → three,
    "2008/09:37-41" → five."""
    found: list[str] = []
    session = ""
    for match in re.finditer(r"(?:(\d{4}/\d{2,4}):)?(\d+)(?:\s*[-–]\s*(\d+))?", text):
        session = match[1] or session
        first = int(match[2])
        last = int(match[3]) if match[3] and int(match[3]) >= first else first
        found.extend(normalise_dnr(f"{session}:{n}") for n in range(first, min(last, first + 50) + 1))
    return found


def _sitting(head: list[str], number: str) -> dt.date | None:
    """The sitting's date. Without a year, the year is the riksmöte's (of the interpellation ``number``,
    "2017/18:53"): its first from September on, else its second."""
    for paragraph in head:
        match = _SITTING.search(paragraph)
        month = MONTHS.get(match["month"].lower()) if match is not None else None
        if match is None or month is None:
            continue
        year = int(match["year"]) if match["year"] else _year_in_session(number, month)
        try:
            return dt.date(year, month, int(match["day"])) if year else None
        except ValueError:
            continue
    return None


def _year_in_session(number: str, month: int) -> int | None:
    session = re.match(r"(\d{4})/", number)
    if not session:
        return None
    first = int(session[1])
    return first if month >= FIRST_MONTH else first + 1


def _end_of_debate(paragraphs: list[str], first_speech: int, numbers: set[str],
                   warnings: list[str]) -> tuple[int, int | None]:
    """Where this answer's section of the record ends (a paragraph index), and the record's closing
    paragraph if it has one: at "Överläggningen var härmed avslutad." or the heading of another answer
    (this answer's own heading repeated is a running head). Anything after is not this answer's: a
    warning says so."""
    for i in range(first_speech + 1, len(paragraphs)):
        closed = _DEBATE_CLOSED.match(paragraphs[i])
        heading = _HEADING.match(paragraphs[i])
        if heading and numbers and set(_numbers(heading["numbers"])) <= numbers:
            continue
        if closed or heading:
            after = len(paragraphs) - i - (1 if closed else 0)
            if after:
                warnings.append(ngettext("{count} paragraph after this answer's debate not indexed",
                                         "{count} paragraphs after this answer's debate not indexed", after
                                         ).format(count=after))
            return i, (i if closed else None)
    return len(paragraphs), None


def _speech_body(spans: list[Paragraph], at: int, line: SpeakerLine, end: int) -> list[Paragraph]:
    """The paragraphs of a speech without its speaker line (which may share its paragraph with the
    first words of the speech) and without page furniture."""
    body = [p for p in spans[at + 1:end] if not _is_furniture(p.text)]
    first = spans[at]
    if line.end < len(first.text):
        body.insert(0, Paragraph(first.start + line.end, first.end, first.text[line.end:]))
    return body


def _is_furniture(paragraph: str) -> bool:
    return _FURNITURE.match(paragraph) is not None or (_HEADING.match(paragraph) is not None)


def _first_member(debaters: list[Person], respondent: Person) -> Person:
    """The first speaker of the debate who is not the minister, as a person (without a role)."""
    member = next((d for d in debaters if d.name and not same_person(d.name, respondent.name)), Person())
    return Person(member.name, member.party)


def _interpellant(heading: Person, questions: list[Question], debaters: list[Person], respondent: Person) -> Person:
    if heading.name:
        return heading
    named = next((q.asker for q in questions if q.asker.name), None)
    return _with_party(named, debaters) if named is not None else _first_member(debaters, respondent)


def _with_parties(question: Question, debaters: list[Person]) -> Question:
    """The question with its askers' parties, from the debate's speaker lines where the answer gives none."""
    return dataclasses.replace(question, asker=_with_party(question.asker, debaters),
                               co_askers=tuple(_with_party(p, debaters) for p in question.co_askers))


def _with_party(person: Person, debaters: list[Person]) -> Person:
    """The person with the party the debate's speaker line gives them, when the answer gives none."""
    if person.party or not person.name:
        return person
    party = next((d.party for d in debaters if d.party and same_person(d.name, person.name)), "")
    return Person(person.name, party, person.role)


def _with_interpellation(question: Question, interpellations: list[Interpellation]) -> Question:
    number = next((i.number for i in interpellations if i.asker.name == question.asker.name), "")
    return dataclasses.replace(question, interpellation=number) if number else question

