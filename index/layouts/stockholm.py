"""Stockholm's borgarråd answers, and the fallback for any text no other layout matches.

Title "Svar på interpellation av NN (P) till ROLE NN (P) om TOPIC", a "Dnr KS 2022/65" line, the
answer, then "Stockholm den …" and the signature (index/metadata.py reads these). The body is cut
at its numbered questions, else at the questions it reports (index/passages.py).
"""

from __future__ import annotations

from .. import metadata, passages
from .base import Reading, interpellations_of

NAME = "stockholm"


def matches(paragraphs: list[str]) -> bool:
    """Every text: this is the layout a text is read in when no other matches it."""
    return True


def read(text: str, paragraphs: list[str]) -> Reading:
    meta = metadata.extract(paragraphs)
    end = meta.closing_start if meta.closing_start is not None else len(paragraphs)
    division = passages.divide_answer(meta.dnr, text, range(meta.body_start, end), meta.closing_start,
                                      interpellant=meta.interpellant)
    return Reading(
        layout=NAME, dnr=meta.dnr, title=meta.title, topic=meta.topic, interpellant=meta.interpellant,
        respondent=meta.respondent, date=meta.date, signature=meta.signature, passages=division.passages,
        questions=division.questions, interpellations=interpellations_of(meta.interpellant, division.questions),
        warnings=list(meta.warnings),
    )
