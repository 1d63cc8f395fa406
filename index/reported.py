"""Questions an answer reports rather than quotes, and sentences that refer back to one.

Most answers state their questions in reported speech, in the respondent's words:

- "Johan Hedin har frågat mig vilka åtgärder jag avser att vidta för att korta köerna."
- "Hon har även frågat om jag avser att …", "Vidare har hon frågat …", "Dessutom frågar han …"
- "Han har också frågat statsrådet Anna Berg om … Den interpellationen har överlämnats till mig."
- one answer to two interpellations: "Johan Hedin har frågat mig … Lena Ek har frågat mig …"
- "Johan Hedin har ställt tre frågor till mig om …", "… har ställt följande frågor till mig:" and the
  questions listed after it ("– Vilka åtgärder …?"), "… har frågat mig följande: Vilka …?"

A ``Statement`` is such a sentence: who asked (a name, or a pronoun standing for the asker named
before) and the reported clause ("vilka åtgärder jag avser att vidta för att korta köerna"). The
reading is conservative, since a sentence taken for a question re-cuts the answer's passages: the
asker must be a person's name of two words or more (not "Moderaterna har frågat …", "Jag har
frågat …"), a pronoun or "interpellanten", right before or after the reporting verb; between the
verb and the clause stand only the addressee and linking words ("mig", "statsrådet Anna Berg",
"även"); and the clause opens as an indirect question does ("om", "hur", "vilka", "på vilket sätt")
or follows a colon.

A ``Referral`` is a paragraph's opening sentence that refers back to a question ("Vad gäller Andrea
Hedins fråga om en genomlysning …", "När det gäller frågan om vårdgarantin …"): index/linking.py
uses it to link the paragraph to the question it answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .names import PARTICLES
from .sentences import sentence_spans

# A word of a person's name: capitalised, hyphenated or with an apostrophe ("Ann-Charlotte", "O'Brien").
_NAME_WORD = r"[A-ZÅÄÖÆØÉÈÜ][^\W\d_]*(?:[-'’][^\W\d_]+)*"
_PARTICLE = "|".join(sorted(PARTICLES))
# Two to five words, particles inside ("Björn von Sydow"), a constituency after ("Jonas Andersson i Linghem").
NAME = (rf"{_NAME_WORD}(?:\s+(?:(?:{_PARTICLE})\s+)?{_NAME_WORD}){{1,4}}"
        rf"(?:\s+i\s+{_NAME_WORD}(?:-{_NAME_WORD})?)?")
_PARTY = r"\s*\((?P<party>[^()\s]{1,8})\)"
_PRONOUN = r"(?:[Hh]on|[Hh]an|[Hh]en|[Ii]nterpellanten|[Ii]nterpellanterna|[Ff]rågeställaren)"
# Words that open a sentence and put the verb before its subject ("Vidare har hon frågat …").
_LEAD = r"(?:Vidare|Dessutom|Slutligen|Avslutningsvis|Därutöver|Därtill|Därefter|Sedan|Till\s+sist|Också|Även)"
_ADVERB = (r"(?:även|också|vidare|dessutom|slutligen|därutöver|därtill|därefter|sedan|avslutningsvis|"
           r"särskilt|specifikt|bl\.\s?a\.|bland\s+annat|till\s+sist"
           r"|i\s+(?:en|sin|denna|samma)\s+interpellation(?:\s+till\s+mig)?"
           r"|ställt\s+(?:en|två|tre)\s+interpellation(?:er)?\s+till\s+mig\s+och)")
# A reporting verb after "har"/"hade", and as a finite verb.
_PERFECT = (r"(?:frågat|undrat|velat\s+veta"
            r"|ställt\s+(?:(?:följande|en|ett\s+antal|några|flera|två|tre|fyra|fem)\s+)?fråg(?:a|an|or|orna))")
_FINITE = r"(?:frågar|frågade|undrar|undrade|vill\s+veta|ville\s+veta)"
_OTHER = rf"{NAME}(?:\s*\([^()\s]{{1,8}}\))?"
# The asker named (with the askers of a joint question: "Anna Ek (C) och Per Berg (M)"), or a pronoun.
_SUBJECT = (rf"(?:(?P<name>{NAME})(?:{_PARTY})?(?P<others>(?:\s*,\s*{_OTHER})*\s+och\s+{_OTHER})?"
            rf"|(?P<pronoun>{_PRONOUN}))")
_ADVERBS = rf"(?:{_ADVERB},?\s+){{0,3}}"

# "Johan Hedin (C) har även frågat …", "Hon frågar …"
_SUBJECT_FIRST = re.compile(
    rf"^(?:{_LEAD},?\s+)?{_SUBJECT}\s+(?:(?:har|hade)\s+{_ADVERBS}{_PERFECT}|{_ADVERBS}{_FINITE})\b")
# "Vidare har hon frågat …", "Dessutom har Johan Hedin frågat …"
_INVERTED_PERFECT = re.compile(rf"^{_LEAD},?\s+(?:har|hade)\s+{_SUBJECT}\s+{_ADVERBS}{_PERFECT}\b")
# "Dessutom frågar hon …", "Slutligen undrar Johan Hedin …"
_INVERTED_FINITE = re.compile(rf"^{_LEAD},?\s+{_FINITE}\s+{_SUBJECT}\b(?:\s+{_ADVERBS})?")
# "… en interpellation från Johan Hedin som frågar …"
_RELATIVE = re.compile(
    rf"\b(?:från|av)\s+{_SUBJECT},?\s+som\s+(?:(?:har|hade)\s+{_ADVERBS}{_PERFECT}|{_ADVERBS}{_FINITE})\b")
_OTHER_ASKER = re.compile(rf"(?P<name>{NAME})(?:{_PARTY})?")
# A greeting that opens a speech: not part of the sentence after it.
_GREETING = re.compile(r"^(?:(?:Fru|Herr)\s+(?:talman|ålderspresident)|Talman)\s*!\s*", re.IGNORECASE)

# Words that open an indirect question; a preposition before "vilken/vilket/vilka" opens one too.
_OPENERS = frozenset(
    "om huruvida hur vad vilka vilken vilket varför när var vart vem vems dels rörande angående kring gällande".split())
_PREPOSITIONS = frozenset("på i till inom med av för genom från under utifrån".split())
# Between the verb and the clause: the addressee and linking words.
_BRIDGE = frozenset(
    "mig oss regeringen statsministern statsrådet och samt även också dessutom vidare särskilt bland annat "
    "bl.a. följande frågan frågor frågorna till interpellanten".split())
_BRIDGE_SUFFIXES = ("ministern", "ministrarna", "rådet", "råden", "-")
# An insertion between commas after the addressee ("mig, mot bakgrund av rapporten, vilka …"): words at most.
MAX_INSERTION = 12
_DASHES = frozenset("– — -".split())
# Every reporting verb above contains one of these.
_CUE = re.compile(r"fråga[rdt]|undra|veta|ställt")
MAX_BRIDGE = 8
MIN_CLAUSE_WORDS = 3

# A sentence that refers back to a question: its opening phrase, or "X:s fråga", or "frågan om".
_REFERRAL_OPENING = re.compile(
    r"^(?:(?:När|Vad)\s+det\s+gäller|Vad\s+gäller|Vad\s+beträffar|Beträffande|Angående|Avseende|Rörande"
    r"|I\s+(?:fråga|frågan)\s+om|När\s+det\s+kommer\s+till|Som\s+svar\s+på|Till\s+(?:den\s+\w+\s+)?frågan"
    r"|Frågan\s+om|Den\s+\w+\s+frågan)\b",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(rf"(?P<name>{NAME})(?:s|'s|'|’s|’)\s+(?:\w+\s+)?fråg(?:a|an|or|orna)\b")
_ABOUT = re.compile(r"\bfråg(?:a|an|or|orna)\s+(?:om|kring|rörande|gällande|huruvida|hur|vad|vilk)", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    """A sentence that reports a question. Offsets are into the paragraph it was read from.

    ``asker``: the asker's name as written, with ``party`` when the name has one; or "" when a word
    stands for them, ``pronoun`` ("Hon", "interpellanten": index/linking.py says whom it names).
    ``listed``: the sentence ends in a colon before the questions themselves, listed in the paragraphs
    after it ("… har ställt följande frågor till mig:", then "– Vilka …?"); ``clause`` is then "".
    ``quoted``: the clause is the question itself after a colon ("… har frågat mig följande: Vilka …?"),
    the interpellant's words rather than the respondent's.
    """

    start: int  # the sentence
    end: int
    clause: str
    clause_start: int
    asker: str = ""
    party: str = ""
    pronoun: str = ""
    listed: bool = False
    quoted: bool = False
    # The other askers of a question asked jointly ("Anna Ek och Per Berg har frågat mig …"): (name, party).
    others: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Referral:
    """A paragraph's opening sentence that refers back to a question: its text, for topic words and
    ordinals, and the asker it names ("Andrea Hedins fråga" → "Andrea Hedin"; else "")."""

    sentence: str
    asker: str = ""


def statements(paragraph: str) -> list[Statement]:
    """The sentences of a paragraph that report a question, in order."""
    if not _CUE.search(paragraph):  # most paragraphs: no reporting verb, no sentence to read
        return []
    found = []
    for start, end in sentence_spans(paragraph):
        sentence = paragraph[start:end]
        greeting = _GREETING.match(sentence)
        offset = start + (greeting.end() if greeting else 0)
        statement = _statement(paragraph, offset, end)
        if statement is not None:
            found.append(statement)
    return found


def referral(paragraph: str) -> Referral | None:
    """The paragraph's opening sentence when it refers back to a question, else None."""
    spans = sentence_spans(paragraph)
    if not spans:
        return None
    sentence = paragraph[spans[0][0]:spans[0][1]].strip()
    greeting = _GREETING.match(sentence)
    if greeting:
        sentence = sentence[greeting.end():]
    possessive = _POSSESSIVE.search(sentence)
    if possessive:
        return Referral(sentence, possessive["name"])
    if _REFERRAL_OPENING.match(sentence) or _ABOUT.search(sentence):
        return Referral(sentence)
    return None


def _statement(paragraph: str, start: int, end: int) -> Statement | None:
    sentence = paragraph[start:end]
    stripped = len(sentence) - len(sentence.lstrip())
    start += stripped
    sentence = sentence[stripped:]
    for pattern in (_SUBJECT_FIRST, _INVERTED_PERFECT, _INVERTED_FINITE):
        match = pattern.match(sentence)
        if match:
            break
    else:
        match = _RELATIVE.search(sentence)
        if match is None:
            return None
    clause = _clause(sentence, match.end())
    if clause is None:
        return None
    clause_start, clause_text = clause
    quoted = bool(clause_text) and sentence[:clause_start].rstrip().endswith(":")
    name = match["name"] or ""
    return Statement(start=start, end=start + len(sentence.rstrip()), clause=clause_text,
                     clause_start=start + clause_start, asker=name, party=match["party"] or "",
                     pronoun=match["pronoun"] or "", listed=not clause_text, quoted=quoted,
                     others=tuple((m["name"], m["party"] or "") for m in _OTHER_ASKER.finditer(match["others"] or "")))


def _clause(sentence: str, at: int) -> tuple[int, str] | None:
    """Where the reported clause starts after the verb (ending at ``at``), and its text; "" when the
    sentence ends in a colon after the addressee (the questions are listed after it)."""
    tokens = list(re.finditer(r"\S+", sentence[at:]))
    i = bridged = 0
    while i < len(tokens) and bridged <= MAX_BRIDGE:
        token = tokens[i]
        word = token[0].strip(",;():").lower()
        if token[0].endswith(":"):
            if i == len(tokens) - 1:
                return (len(sentence), "") if word in _BRIDGE or word.endswith(_BRIDGE_SUFFIXES) else None
            # "… har frågat mig följande: Vilka åtgärder …?": the direct question after the colon.
            return _text(sentence, at + token.end())
        following = tokens[i + 1][0].lower() if i + 1 < len(tokens) else ""
        if word in _OPENERS or (word in _PREPOSITIONS and following.startswith("vilk")):
            return _text(sentence, at + token.start())
        bridged += 1
        if (word in _BRIDGE or word.endswith(_BRIDGE_SUFFIXES) or token[0][:1].isupper()
                or re.fullmatch(r"\([^()]{1,8}\),?", token[0])):
            i += 1
            continue
        closing = _insertion_end(tokens, i)
        if closing is None:
            return None
        i = closing + 1
    return None


def _insertion_end(tokens: list[re.Match], i: int) -> int | None:
    """When token ``i`` opens an insertion between commas or dashes ("mig, mot bakgrund av X, vilka",
    "mig – med hänvisning till X – vilka"), the index of its last token (the closing comma or dash);
    else None."""
    window = range(i + 1, min(i + 1 + MAX_INSERTION, len(tokens)))
    if tokens[i][0] in _DASHES:
        return next((k for k in window if tokens[k][0] in _DASHES), None)
    if not i or not tokens[i - 1][0].endswith(","):
        return None
    return next((k for k in range(i, window.stop) if tokens[k][0].endswith(",")), None)


def _text(sentence: str, start: int) -> tuple[int, str] | None:
    while start < len(sentence) and sentence[start].isspace():
        start += 1
    text = sentence[start:].rstrip()
    if text.endswith((".", "!")) and not text.endswith(".."):
        text = text[:-1].rstrip()
    if len(text.split()) < MIN_CLAUSE_WORDS:
        return None
    return start, text
