"""Text from Word answers (.docx) with the standard library.

A .docx file is a zip of XML parts; the body is word/document.xml, a sequence of paragraphs (w:p)
made of runs of text (w:t), tabs and line breaks. Page headers and footers live in other parts and
are left out. Each paragraph becomes one line with a blank line after it: the layout the cleaning
and metadata code expect of a text export. That is all svar needs, so no dependency is added for it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from .errors import ReadError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BODY = "word/document.xml"
# The old binary Word format, and password-protected .docx files, are OLE compound files, not zips.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Unpacked, the body may not exceed this (a zip bomb would): far beyond any answer.
MAX_BODY_BYTES = 100 * 1024 * 1024


def docx_text(path: Path, data: bytes) -> str:
    """The paragraphs of a .docx answer, separated by blank lines; ReadError when it has none to give."""
    if data.startswith(_OLE_MAGIC):
        raise ReadError(f"{path}: a password-protected or old-format (.doc) Word file; "
                        f"save it as an unprotected .docx or as PDF")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if archive.getinfo(_BODY).file_size > MAX_BODY_BYTES:
                raise ReadError(f"{path}: the document inside this .docx is too large for an answer")
            root = ElementTree.fromstring(archive.read(_BODY))
    except ReadError:
        raise
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, EOFError, ValueError) as exc:
        raise ReadError(f"{path}: a damaged .docx file that cannot be read ({type(exc).__name__})") from None
    paragraphs = ["".join(_pieces(paragraph)).strip() for paragraph in root.iter(f"{_W}p")]
    if not any(paragraphs):
        raise ReadError(f"{path}: the file is empty")
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def _pieces(paragraph: ElementTree.Element):
    for element in paragraph.iter():
        if element.tag == f"{_W}t" and element.text:
            yield element.text
        elif element.tag == f"{_W}tab":
            yield "\t"
        elif element.tag in (f"{_W}br", f"{_W}cr"):
            yield "\n"
