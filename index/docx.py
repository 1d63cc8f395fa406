"""Text from Word answers (.docx) with the standard library.

A .docx file is a zip of XML parts; the body is word/document.xml, a sequence of paragraphs (w:p)
made of runs of text (w:t), tabs and line breaks. Page headers and footers live in other parts and
are left out. Each paragraph becomes one line with a blank line after it: the layout the cleaning
and metadata code expect of a text export. That is all svar needs, so no dependency is added for it.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

from .errors import ReadError
from .i18n import _

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BODY = "word/document.xml"
# The old binary Word format, and password-protected .docx files, are OLE compound files, not zips.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Unpacked, the body may not exceed this: far beyond any answer (a 300-page answer's is a few MB). The
# size a zip declares is not trusted: the body is unpacked in chunks and counted, and reading stops
# past the limit, so a zip bomb (a few hundred kB unpacking to gigabytes) costs a moment, not memory.
MAX_BODY_BYTES = 20 * 1024 * 1024
# Parts (files) a .docx may hold; Word writes a dozen, more with images. zipfile reads the whole
# directory on opening, so the count is checked in the end record before that.
MAX_PARTS = 1000
_CHUNK = 64 * 1024
_END_RECORD = b"PK\x05\x06"


def docx_text(path: Path, data: bytes) -> str:
    """The paragraphs of a .docx answer, separated by blank lines; ReadError when it has none to give."""
    if data.startswith(_OLE_MAGIC):
        raise ReadError(_("{path}: a password-protected or old-format (.doc) Word file; save it as an "
                          "unprotected .docx or as PDF").format(path=path))
    parts = _declared_parts(data)
    if parts is not None and parts > MAX_PARTS:
        raise ReadError(_too_many_parts(path, parts))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if len(archive.infolist()) > MAX_PARTS:
                raise ReadError(_too_many_parts(path, len(archive.infolist())))
            if archive.getinfo(_BODY).file_size > MAX_BODY_BYTES:
                raise ReadError(_too_large(path))
            with archive.open(_BODY) as body:
                paragraphs = _paragraphs(path, body)
    except ReadError:
        raise
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, EOFError, ValueError, zlib.error,
            NotImplementedError, RuntimeError) as exc:
        raise ReadError(_("{path}: a damaged .docx file that cannot be read ({problem})").format(
            path=path, problem=type(exc).__name__)) from None
    if not any(paragraphs):
        raise ReadError(_("{path}: the file is empty").format(path=path))
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def _too_many_parts(path: Path, parts: int) -> str:
    return _("{path}: a .docx of {parts} parts, too many for an answer (limit {limit})").format(
        path=path, parts=parts, limit=MAX_PARTS)


def _too_large(path: Path) -> str:
    limit = MAX_BODY_BYTES // (1024 * 1024)
    return _("{path}: the document inside this .docx unpacks to more than {limit} MB, too large for an answer "
             "(limit {limit} MB)").format(path=path, limit=limit)


def _declared_parts(data: bytes) -> int | None:
    """The number of parts the zip's end record declares (0xFFFF: a zip64 archive, at least that
    many), or None when there is no end record (zipfile then says the file is damaged)."""
    end = data.rfind(_END_RECORD, max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or end + 22 > len(data):
        return None
    return int.from_bytes(data[end + 10:end + 12], "little")


def _paragraphs(path: Path, body) -> list[str]:
    """Each w:p's text, in document order (a paragraph inside another, as in a text box, also on its
    own, as before). Parsed as it is unpacked; each outermost paragraph, and whatever lies outside
    paragraphs, is dropped once read, so memory holds one paragraph, not the document's tree."""
    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(events=("start", "end"))
    paragraphs: list[str] = []
    open_paragraphs: list[int] = []  # indexes into paragraphs of the w:p elements not yet ended
    stack: list[ElementTree.Element] = []
    unpacked = 0
    while chunk := body.read(_CHUNK):
        unpacked += len(chunk)
        if unpacked > MAX_BODY_BYTES:
            raise ReadError(_too_large(path))
        parser.feed(chunk)
        _consume(parser, paragraphs, open_paragraphs, stack)
    parser.close()
    _consume(parser, paragraphs, open_paragraphs, stack)
    return paragraphs


def _consume(parser, paragraphs: list[str], open_paragraphs: list[int], stack: list) -> None:
    for event, element in parser.read_events():
        if event == "start":
            stack.append(element)
            if element.tag == f"{_W}p":
                open_paragraphs.append(len(paragraphs))
                paragraphs.append("")
            continue
        stack.pop()
        if element.tag == f"{_W}p":
            paragraphs[open_paragraphs.pop()] = "".join(_pieces(element)).strip()
        if not open_paragraphs and stack and len(stack[-1]) and stack[-1][-1] is element:
            del stack[-1][-1]  # read: not kept in the tree


def _pieces(paragraph: ElementTree.Element):
    for element in paragraph.iter():
        if element.tag == f"{_W}t" and element.text:
            yield element.text
        elif element.tag == f"{_W}tab":
            yield "\t"
        elif element.tag in (f"{_W}br", f"{_W}cr"):
            yield "\n"
