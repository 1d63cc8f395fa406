"""From a file to an ``Answer``: read, clean, recognise the layout, read metadata, questions and passages."""

from __future__ import annotations

import dataclasses
import hashlib
import unicodedata
from pathlib import Path

from . import cleaning, layouts
from .errors import ReadError
from .i18n import _
from .reading import read_text
from .records import Answer


def parse_answer(raw: str, source: str = "", content_hash: str = "") -> Answer:
    """Turn the raw text of an answer into an ``Answer`` with its questions and passages.

    The layout (a Stockholm answer, the Riksdag's chamber record) is recognised in one place,
    index/layouts. An answer without an identifier (diary or interpellation number) is kept under a
    dnr made from its file name, with a warning, so that it can still be found and replaced; a text
    with neither a title nor an identifier is rejected.
    """
    # Composed Unicode, as queries are read: an "ä" exported as "a" plus a combining mark (macOS,
    # some PDF exports) is one letter to the metadata parser, the analyzer and a reader's query.
    text = cleaning.clean(unicodedata.normalize("NFC", raw))
    paragraphs = text.split("\n\n") if text else []
    if not paragraphs:
        raise ReadError(_("{source}: no text left after cleaning").format(source=source or _("text")))
    reading = layouts.detect(paragraphs).read(text, paragraphs)
    warnings = list(reading.warnings)
    dnr = reading.dnr
    passages = reading.passages
    if not dnr:
        if not reading.title:
            raise ReadError(_("{source}: not an interpellation answer (no 'Svar på interpellation …' title and "
                              "no Dnr)").format(source=source or _("text")))
        dnr = "FIL " + (Path(source).stem if source else content_hash[:12])
        warnings.append(_("indexed as '{dnr}'").format(dnr=dnr))
        passages = [dataclasses.replace(p, dnr=dnr) for p in passages]
    if not passages:
        raise ReadError(_("{source}: an answer with no text besides its title").format(source=source or _("text")))
    return Answer(
        dnr=dnr, title=reading.title, topic=reading.topic, interpellant=reading.interpellant,
        respondent=reading.respondent, date=reading.date, signature=reading.signature, text=text,
        source=source, content_hash=content_hash, passages=passages, warnings=warnings,
        questions=reading.questions, interpellations=reading.interpellations, layout=reading.layout,
    )


def content_hash(data: bytes) -> str:
    """The identity of a file's content, to skip files that have not changed."""
    return hashlib.sha256(data).hexdigest()


def load_answer(path: Path) -> Answer:
    """Read and parse one answer file."""
    raw, data = read_text(path)
    return parse_answer(raw, source=str(path), content_hash=content_hash(data))
