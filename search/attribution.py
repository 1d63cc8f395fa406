"""Who said which part of a passage: the interpellant's words repeated in the answer, or the respondent's.

An answer often repeats the interpellation: a numbered question before its answer ("1. På vilket sätt
…?"), the questions listed up front ("X har ställt följande frågor till mig:" and the list), a
question quoted in a sentence ("Interpellanten frågar: ”Hur …?”"). Those words are the interpellant's;
everything else is the respondent's, who signed the answer. The reading is conservative: only text
that is clearly the interpellation's (a numbered or stored question, the questions an introduction
announces, a quotation a reporting verb assigns to the interpellant) is the interpellant's; reported
speech and anything unclear stays the respondent's. The text of the passage's stored question is
the interpellant's wherever it is repeated, up to an answer label ("Svar:") inside it, except where
the answer reports it ("NN har frågat mig vilka åtgärder jag …": the respondent's words).

A speech of the debate that follows a chamber-record answer opens with its speaker line ("Anf. 2
JOHAN HEDIN (C):"): it is wholly the interpellant's or the respondent's when the line names one of them,
else the words of another member of the debate (DEBATER), named as the line names them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from svar.index.names import same_person
from svar.index.records import Person
from svar.index.sentences import sentence_spans
from svar.index.speeches import speaker_line

INTERPELLANT = "interpellant"
RESPONDENT = "respondent"
# Another member speaking in the debate after a chamber-record answer: named by their speaker line.
DEBATER = "debater"
SIDES = (INTERPELLANT, RESPONDENT)


@dataclass(frozen=True)
class Part:
    """A stretch of a passage's text, ``text[start:end]``, spoken by one side.

    Parts are in order and do not overlap; what lies between two parts is only whitespace and the
    quotation marks around a quoted question.
    """

    start: int
    end: int
    side: str
    # For DEBATER, the speaker as their speaker line names them.
    person: Person | None = None


@dataclass(frozen=True)
class Speaker:
    """Whose words a snippet or part is: the side and that person's name and party."""

    side: str
    name: str = ""
    party: str = ""


@dataclass(frozen=True)
class SpokenPart:
    """A part of a passage with its text and its speaker; ``start``/``end`` are offsets into the passage."""

    start: int
    end: int
    text: str
    speaker: Speaker


# A question as the indexer reads one (index/passages.py): "1. …?" or "1) …?", here also in quotation
# marks or labelled "Fråga 1:".
_NUMBERED = re.compile(r"[”\"“«]?\s*(?:\d{1,2}[.)]|Fråga\s+\d{1,2}\s*[:.])\s+\S.*\?", re.IGNORECASE | re.DOTALL)
# Where the respondent's words start inside a paragraph that begins with a question.
_ANSWER_LABEL = re.compile(r"(?:(?<=[.?!…”\"])\s+|^)(Svar(?:\s+på\s+fråga\s+\d{1,2})?\s*:)", re.MULTILINE)
_PARAGRAPH = re.compile(r"[^\n]+")
_QUOTE_MARKS = "”\"“«»"
_QUOTATION = re.compile(r"([”\"“«])([^”\"“«»\n]{2,}?)([”\"»])")
# Verbs that report what someone said or wrote, in the forms an answer uses them.
_VERBS = (
    r"fråga(?:r|de|t)?|undra(?:r|de|t)?|skriver|skrev|skrivit|ställ(?:er|de|t)|mena(?:r|de|t)|hävda(?:r|de|t)"
    r"|påstår|påstod|påstått|anför(?:de|t)?|framför(?:de|t)?|säger|sa|sade|sagt|står|stod"
    r"|efterfråga(?:r|de|t)|vill\s+veta|ville\s+veta|beskriver|beskrev|beskrivit|konstatera(?:r|de|t)"
    r"|påpeka(?:r|de|t)|understryker|underströk|lyfter|lyfte|lyft|tar\s+upp|tog\s+upp"
)
_VERB = re.compile(rf"\b(?:{_VERBS})\b", re.IGNORECASE)
# What may stand between a reporting verb and the quotation it introduces ("skriver bland annat att ”…”").
_BRIDGE = re.compile(
    r"(?:\s*[:,–-]\s*|\s+(?:att|följande|bland\s+annat|så\s+här|det|frågan|frågorna|följande\s+frågor?"
    r"|i\s+(?:sin|interpellationen)(?:\s+interpellation)?|mig|till\s+mig|interpellanten|vidare|också)\b)*\s*",
    re.IGNORECASE,
)
# A paragraph that announces the interpellation's questions: "… har ställt följande frågor till mig:".
_ANSWERED = re.compile(r"\bsvar(?:ar|ade|at|et|en)?\b", re.IGNORECASE)
_ANNOUNCES = re.compile(r"\b(?:frågor(?:na)?|frågan|fråga(?:r|t|de)?|följande|skriver|skrivit|undrar)\b", re.IGNORECASE)
_FOLLOWING_VERB = re.compile(rf"\s*,?\s*(?:{_VERBS})\b", re.IGNORECASE)
# What stands before a reported question in its sentence: a reporting verb, then only the addressee
# and linking words (no quotation mark or colon, which would make the words after it a quotation).
_REPORTING_TAIL = re.compile(r"\b(?:frågat|frågar|frågade|undrat|undrar|undrade|veta)\b[^.!?:;”\"“«»\n]{0,80}$",
                             re.IGNORECASE)


def attribute(text: str, question: str = "", *, interpellant: str = "", respondent: str = "") -> list[Part]:
    """The parts of a passage's ``text`` in order, each the interpellant's or the respondent's.

    ``question``: the question the passage answers, as stored; ``interpellant``: the interpellant's
    name, so that a quotation assigned to them by name ("… skriver Alexandra Mattsson Åkerström") is
    theirs (by surname alone unless ``respondent``, the respondent's name, has the same surname).
    Every character but whitespace and quotation marks around a quoted question is in a part.
    """
    debate = _debate_speech(text, interpellant, respondent)
    if debate is not None:
        side, person = debate
        start, end = _trimmed(text, 0, len(text))
        return [Part(start, end, side, person)] if start < end else []
    # (start, end) of the interpellant's words, and the extent that includes their quotation marks.
    found: list[tuple[int, int, int, int]] = []
    paragraphs = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text)]
    references = _references(interpellant, respondent)
    announced = False
    for start, end in paragraphs:
        start, end = _trimmed(text, start, end)
        if start >= end:
            continue
        paragraph = text[start:end]
        if _NUMBERED.match(paragraph):
            cut = _answer_label(paragraph)
            found.append(_span(text, start, start + cut if cut is not None else end))
            announced = announced and cut is None
            continue
        if announced and (_is_question(paragraph) or _is_quoted(paragraph)):
            found.append(_span(text, start, end))
            continue
        announced = _announces(paragraph, references)
        found.extend(_reported_quotations(text, start, end, references))
    for start, end in _occurrences(text, question):
        found.append(_span(text, start, end))
    return _parts(text, found)


def speaker_of(side: str, interpellant: Person, respondent: Person, person: Person | None = None) -> Speaker:
    """The Speaker for ``side``, named after ``interpellant`` or ``respondent``, or for DEBATER after
    ``person`` (the part's own speaker)."""
    if side == DEBATER and person is not None:
        return Speaker(side, person.name, person.party)
    named = interpellant if side == INTERPELLANT else respondent
    return Speaker(side, named.name, named.party)


def spoken_parts(text: str, parts: Sequence[Part], interpellant: Person, respondent: Person) -> tuple[SpokenPart, ...]:
    """The parts with their text and named speakers."""
    return tuple(SpokenPart(p.start, p.end, text[p.start:p.end], speaker_of(p.side, interpellant, respondent, p.person))
                 for p in parts)


# -- the interpellant's words ---------------------------------------------------------------------------


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _span(text: str, start: int, end: int) -> tuple[int, int, int, int]:
    start, end = _trimmed(text, start, end)
    return start, end, start, end


def _answer_label(paragraph: str) -> int | None:
    """Where an answer label ("Svar:") starts inside a question's paragraph, if it has one."""
    label = _ANSWER_LABEL.search(paragraph, 1)
    return label.start(1) if label else None


def _is_question(paragraph: str) -> bool:
    return paragraph.rstrip(_QUOTE_MARKS + " ").endswith("?")


def _is_quoted(paragraph: str) -> bool:
    return len(paragraph) > 2 and paragraph[0] in _QUOTE_MARKS and paragraph[-1] in _QUOTE_MARKS \
        and not any(c in _QUOTE_MARKS for c in paragraph[1:-1])


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


@lru_cache(maxsize=256)
def _references(interpellant: str, respondent: str = "") -> re.Pattern:
    """What names the interpellant in a sentence: "interpellanten", "interpellationen" (not compounds
    such as "interpellationsdebatten"), their surname or, when the respondent has the same, full name."""
    names = [r"interpellant(?:en|ens|s|er|erna)?", r"interpellation(?:en|ens|er|erna)?"]
    words = [w for w in re.findall(r"[^\W\d_]+", _fold(interpellant)) if len(w) > 1]
    if words:
        others = re.findall(r"[^\W\d_]+", _fold(respondent))
        named = words[-1:] if not others or others[-1] != words[-1] else words
        names.append(r"\W+".join(re.escape(w) for w in named) + r"s?")  # also in the genitive ("Hedins")
    return re.compile(r"\b(?:" + "|".join(names) + r")\b")


def _mentions(text: str, references: re.Pattern) -> bool:
    return references.search(_fold(text)) is not None


def _reported_quotations(text: str, start: int, end: int, references: re.Pattern) -> list[tuple[int, int, int, int]]:
    """Quotations in the paragraph ``text[start:end]`` that a reporting verb assigns to the
    interpellant: "Interpellanten skriver att ”…”" or "”…?” frågar interpellanten"."""
    paragraph = text[start:end]
    # A name or a term in quotation marks is not a quoted statement: three words at least.
    quotations = [q for q in _QUOTATION.finditer(paragraph) if len(q[2].split()) >= 3]
    if not quotations:
        return []
    # Sentence ends outside the quotations (a question mark inside one does not end the sentence).
    masked = _QUOTATION.sub(lambda q: q[1] + "x" * len(q[2]) + q[3], paragraph)
    ends = [e for _, e in sentence_spans(masked)]
    found = []
    for q in quotations:
        sentence_start = max((e for e in ends if e <= q.start()), default=0)
        sentence_end = min((e for e in ends if e > q.end()), default=len(paragraph))
        before, after = paragraph[sentence_start:q.start()], paragraph[q.end():sentence_end]
        if _introduces(before, references) or _follows(after, references):
            inner_start, inner_end = _trimmed(text, start + q.start(2), start + q.end(2))
            # The punctuation right after the closing mark ends the framing sentence: it goes with the marks.
            closing = re.match(r"[.,;:]*", paragraph[q.end():])
            assert closing is not None, "[.,;:]* matches any text, if only with nothing"
            outer_end = start + q.end() + len(closing[0])
            found.append((inner_start, inner_end, start + q.start(), outer_end))
    return found


def _announces(paragraph: str, references: re.Pattern) -> bool:
    """Whether a paragraph ends in a sentence that names the interpellant and announces what they asked
    or wrote, with a colon: "Alexandra Mattsson Åkerström (V) har ställt följande frågor till mig:"."""
    if not paragraph.endswith(":"):
        return False
    last = paragraph[sentence_spans(paragraph)[-1][0]:]
    # "… frågade jag interpellanten och fick svaret:" announces an answer, not the interpellation.
    return _ANNOUNCES.search(last) is not None and _ANSWERED.search(last) is None and _mentions(last, references)


def _introduces(before: str, references: re.Pattern) -> bool:
    """Whether the words before a quotation end with a reporting verb whose subject is the interpellant
    (named in the few words before it, or right after it: "skriver interpellanten att") and at most a
    few linking words before the quotation."""
    tail = before[-160:]  # the verb is followed by a few short words at most
    for verb in _VERB.finditer(tail):
        if _BRIDGE.fullmatch(tail, verb.end()) is None:
            continue
        subject = " ".join(tail[:verb.start()].split()[-4:])
        if _mentions(subject, references) or _mentions(tail[verb.end():], references):
            return True
    return False


def _follows(after: str, references: re.Pattern) -> bool:
    """Whether a quotation is followed by its attribution: "”…?” frågar interpellanten"."""
    verb = _FOLLOWING_VERB.match(after)
    return verb is not None and _mentions(" ".join(after[verb.end():].split()[:4]), references)


def _debate_speech(text: str, interpellant: str, respondent: str) -> tuple[str, Person | None] | None:
    """The side of a debate speech, by the speaker line it opens with, and for another member (DEBATER)
    the speaker; None when the passage is no speech."""
    line = speaker_line(text)
    if line is None or not line.speaker.name:
        return None
    if same_person(line.speaker.name, interpellant):
        return INTERPELLANT, None
    if same_person(line.speaker.name, respondent):
        return RESPONDENT, None
    return DEBATER, line.speaker


def _occurrences(text: str, question: str) -> list[tuple[int, int]]:
    """Where the stored question (up to an answer label in it) and each of its sentences of three words
    or more are repeated in ``text``, whatever the whitespace between the words, but not where the
    answer reports it (its respondent's words)."""
    return [(m.start(), m.end()) for pattern in _question_patterns(question) for m in pattern.finditer(text)
            if not _reported(text, m.start())]


def _reported(text: str, start: int) -> bool:
    """Whether the words at ``start`` are reported: in the same line, after a reporting verb followed by
    only the addressee and linking words ("… har frågat mig vilka …")."""
    line = text[max(0, start - 160):start].rsplit("\n", 1)[-1]
    return _REPORTING_TAIL.search(line) is not None


@lru_cache(maxsize=1024)
def _question_patterns(question: str) -> tuple[re.Pattern, ...]:
    question = question.strip()
    cut = _answer_label(question) if question else None
    question = question[:cut].strip() if cut is not None else question
    if not question:
        return ()
    pieces = [question] + [question[s:e].strip() for s, e in sentence_spans(question)]
    return tuple(re.compile(r"\s+".join(re.escape(w) for w in piece.split()))
                 for piece in dict.fromkeys(pieces) if piece == question or len(piece.split()) >= 3)


# -- parts ----------------------------------------------------------------------------------------------


def _parts(text: str, found: list[tuple[int, int, int, int]]) -> list[Part]:
    """The interpellant's spans merged, and the respondent's words between them, as ordered parts."""
    merged: list[list[int]] = []  # [start, end, outer start, outer end]
    for start, end, outer_start, outer_end in sorted(s for s in found if s[0] < s[1]):
        if merged and (start <= merged[-1][1] or not text[merged[-1][3]:outer_start].strip()):
            last = merged[-1]
            if end > last[1]:
                last[1] = end
                last[3] = max(last[3], outer_end)
            continue
        merged.append([start, end, outer_start, outer_end])
    parts: list[Part] = []
    at = 0
    for start, end, outer_start, outer_end in merged:
        parts.extend(_respondent(text, at, min(outer_start, start)))
        parts.append(Part(start, end, INTERPELLANT))
        at = max(outer_end, end)
    parts.extend(_respondent(text, at, len(text)))
    return parts


def _respondent(text: str, start: int, end: int) -> list[Part]:
    start, end = _trimmed(text, start, end)
    return [Part(start, end, RESPONDENT)] if start < end else []
