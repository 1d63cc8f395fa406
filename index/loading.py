"""From a file to an ``Answer``: read, clean, extract metadata, split into passages."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from . import cleaning, metadata, passages
from .errors import ReadError
from .reading import read_text
from .records import Answer


def parse_answer(raw: str, source: str = "", content_hash: str = "") -> Answer:
    """Turn the raw text of an answer into an ``Answer`` with its passages.

    An answer without a diary number is kept under a dnr made from its file name, with a warning,
    so that it can still be found and replaced; a text with neither a title nor a dnr is rejected.
    """
    # Composed Unicode, as queries are read: an "ä" exported as "a" plus a combining mark (macOS,
    # some PDF exports) is one letter to the metadata parser, the analyzer and a reader's query.
    text = cleaning.clean(unicodedata.normalize("NFC", raw))
    paragraphs = text.split("\n\n") if text else []
    if not paragraphs:
        raise ReadError(f"{source or 'text'}: no text left after cleaning")
    meta = metadata.extract(paragraphs)
    warnings = list(meta.warnings)
    dnr = meta.dnr
    if not dnr:
        if not meta.title:
            raise ReadError(
                f"{source or 'text'}: not an interpellation answer (no 'Svar på interpellation …' title and no Dnr)"
            )
        dnr = "FIL " + (Path(source).stem if source else content_hash[:12])
        warnings.append(f"indexed as '{dnr}'")
    end = meta.closing_start if meta.closing_start is not None else len(paragraphs)
    answer = Answer(
        dnr=dnr, title=meta.title, topic=meta.topic, interpellant=meta.interpellant,
        respondent=meta.respondent, date=meta.date, signature=meta.signature, text=text,
        source=source, content_hash=content_hash, warnings=warnings,
    )
    answer.passages = passages.split(dnr, text, range(meta.body_start, end), meta.closing_start)
    if not answer.passages:
        raise ReadError(f"{source or 'text'}: an answer with no text besides its title")
    return answer


def content_hash(data: bytes) -> str:
    """The identity of a file's content, to skip files that have not changed."""
    return hashlib.sha256(data).hexdigest()


def load_answer(path: Path) -> Answer:
    """Read and parse one answer file."""
    raw, data = read_text(path)
    return parse_answer(raw, source=str(path), content_hash=content_hash(data))
