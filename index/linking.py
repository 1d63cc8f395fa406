"""Which paragraphs of an answer answer which of its reported questions (index/reported.py).

A paragraph that reports a question opens that question's answer: the answer runs on, paragraph by
paragraph, until a paragraph opens another. Several questions stated together (in one paragraph, or
in paragraphs that follow each other) are answered in the order they were asked: the answer opens
with the first, and a later paragraph goes to another question only when it names it, by ordinal
("Den andra frågan …") or by referring to it ("När det gäller frågan om vårdgarantin …", "Vad gäller
Andrea Hedins fråga om …") with words of that question that the other questions do not share.
Paragraphs before the first reported question are preamble.

A pronoun ("Hon har även frågat …") stands for the asker named before it; with none named before, for
the interpellant (the title's, or the record's) when the answer has mentioned them by name before it
("Johan Hedins interpellation gäller … Han frågar …"); else the sentence is not read as a question.
"Interpellanten" stands for the asker named before it, or for the interpellant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import ordinals
from .analysis import STOP_WORDS, stem
from .names import fold_name, normalise_name, same_person, surname
from .records import Person, Question
from .reported import Referral, Statement, referral, statements

# (kind, question number, question text, paragraph indexes), as index/passages.py groups paragraphs.
Unit = tuple[str, "int | None", str, list[int]]

# Words of this genre too common to tell one question from another.
_GENRE_WORDS = frozenset(
    "fråga frågan frågor frågorna frågat frågar gäller beträffar angående svar svaret svara mitt min "
    "interpellant interpellanten interpellation interpellationen avser avse vidta åtgärd åtgärder "
    "regeringen statsrådet ministern borgarrådet kommer vill också även finns mer".split()
)
_WORD = re.compile(r"[^\W\d_]+")
# The shortest stem that counts as the start of a longer word's stem.
PREFIX = 5
# A subject that is a role and a name ("Statsministern Stefan Löfven"): the role is not the asker's name.
_ROLE_ENDINGS = ("ministern", "rådet", "interpellanten", "ledamoten")
# A listed question: a dash or bullet, then the question ("– Vilka åtgärder avser ministern att vidta?").
_LIST_ITEM = re.compile(r"^[–•\-]\s+(?P<text>\S.*)$", re.DOTALL)
# Words that name the interpellant without a name: they may open an answer's first question.
_INTERPELLANT_WORDS = ("interpellant", "frågeställar")


@dataclass
class ReportedAnswer:
    """An answer body grouped at its reported questions."""

    units: list[Unit] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


def reported_units(paragraphs: list[str], interpellant: Person = Person()) -> ReportedAnswer | None:
    """Group the body ``paragraphs`` (texts, in order) into units at their reported questions; None
    when no paragraph reports one."""
    questions, stated = _questions(paragraphs, interpellant)
    if not questions:
        return None
    answer = ReportedAnswer(questions=questions)
    units = answer.units
    current: int | None = None
    after_statement = False
    for i, text in enumerate(paragraphs):
        if i in stated:
            if current is not None and after_statement:
                # Questions stated one paragraph after another are answered in the order they were asked.
                units[-1][3].append(i)
            else:
                first = stated[i][0]
                units.append(("answer", first.number, first.text, [i]))
                current = first.number
            after_statement = True
            continue
        after_statement = False
        target = linked(text, questions) if current is not None and len(questions) > 1 else None
        if target is not None and target != current:
            units.append(("answer", target, questions[target - 1].text, [i]))
            current = target
        elif current is not None:
            units[-1][3].append(i)
        elif units:
            units[-1][3].append(i)
        else:
            units.append(("preamble", None, "", [i]))
    return answer


def linked(text: str, questions: list[Question]) -> int | None:
    """The number of the question a paragraph names at its start, by ordinal or by referring to it;
    None when it names none, or none unambiguously."""
    number = ordinals.mentioned(text, len(questions))
    if number is not None:
        return number if number <= len(questions) else None
    found = referral(text)
    return _referred(found, questions) if found is not None else None


def _questions(paragraphs: list[str], interpellant: Person) -> tuple[list[Question], dict[int, list[Question]]]:
    """The reported questions in order, and the paragraphs that state them (by index)."""
    questions: list[Question] = []
    stated: dict[int, list[Question]] = {}
    askers: list[Person] = []  # everyone named so far, to keep a party read at the first mention
    last: Person | None = None
    for i, text in enumerate(paragraphs):
        for statement in statements(text):
            before = " ".join([*paragraphs[:i], text[:statement.start]])
            asker = _asker(statement, last, interpellant, askers, before)
            if asker is None:
                continue
            last = asker
            co_askers = tuple(_named(name, party, interpellant, askers) for name, party in statement.others)
            # "… har ställt följande frågor till mig:" then one question per listed paragraph. Listed
            # or after a colon, a question is quoted, in the interpellant's words; else it is reported.
            items = _listed_after(paragraphs, i) if statement.listed else [(i, statement.clause)]
            reported = not (statement.listed or statement.quoted)
            for at, clause in items:
                question = Question(number=len(questions) + 1, text=clause, asker=asker, reported=reported,
                                    co_askers=co_askers)
                questions.append(question)
                stated.setdefault(i, []).append(question)
                if at != i:
                    stated.setdefault(at, []).append(question)
    return questions, stated


def _listed_after(paragraphs: list[str], i: int) -> list[tuple[int, str]]:
    """The listed paragraphs after paragraph ``i`` ("– Vilka åtgärder …?"), by index, without their marks."""
    items = []
    for at in range(i + 1, len(paragraphs)):
        item = _LIST_ITEM.match(paragraphs[at])
        if not item:
            break
        items.append((at, item["text"].strip()))
    return items


def _asker(statement: Statement, last: Person | None, interpellant: Person, askers: list[Person],
           before: str) -> Person | None:
    """Who asked: the person named, or the one a pronoun stands for (None when it stands for no one
    known). ``before``: the answer's text before the statement."""
    if statement.pronoun:
        if last is not None:
            return last
        if not interpellant.name:
            return None
        # "Interpellanten", or a pronoun after the interpellant was mentioned ("Johan Hedins
        # interpellation gäller … Han frågar …").
        name = surname(interpellant.name)
        mentioned = bool({name, name + "s"} & set(fold_name(before).split()))  # "Hedin", "Hedins"
        return interpellant if mentioned or statement.pronoun.lower().startswith(_INTERPELLANT_WORDS) else None
    return _named(statement.asker, statement.party, interpellant, askers)


def _named(written: str, party: str, interpellant: Person, askers: list[Person]) -> Person:
    """The person a name in a statement names: as first named in the answer (with the party given
    then), or as the title names the interpellant."""
    words = written.split()
    while len(words) > 2 and words[0].lower().endswith(_ROLE_ENDINGS):
        words = words[1:]
    name = normalise_name(" ".join(words))
    for known in askers:
        if same_person(known.name, name):
            return known
    if interpellant.name and same_person(interpellant.name, name):
        person = Person(interpellant.name, interpellant.party or party)
    else:
        person = Person(name, party)
    askers.append(person)
    return person


def _referred(found: Referral, questions: list[Question]) -> int | None:
    candidates = questions
    if found.asker:
        by_asker = [q for q in questions if same_person(q.asker.name, found.asker)
                    or (surname(q.asker.name) and surname(q.asker.name) == surname(found.asker))]
        if len(by_asker) == 1:
            return by_asker[0].number
        candidates = by_asker or questions
    words = _topic(found.sentence)
    shared = set.intersection(*(_topic(q.text) for q in questions)) if len(questions) > 1 else set()
    scores = [(_overlap(words, _topic(q.text) - shared), q.number) for q in candidates]
    best = max(score for score, _ in scores)
    winners = [number for score, number in scores if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def _topic(text: str) -> set[str]:
    """The stems of a text's content words: three letters or more, no stop words or genre words."""
    words = (w.lower() for w in _WORD.findall(text))
    return {stem(w) for w in words if len(w) >= 3 and w not in STOP_WORDS and w not in _GENRE_WORDS}


def _overlap(words: set[str], question: set[str]) -> int:
    """How many of ``words`` (stems) a question's stems share: the same stem, or one the start of the
    other when that start is a word of its own ("begräns" in "begränsning", "vårdgaranti" in
    "vårdgarantin")."""
    return sum(1 for w in words if any(w == q or (min(len(w), len(q)) >= PREFIX and (w.startswith(q) or q.startswith(w)))
                                       for q in question))
