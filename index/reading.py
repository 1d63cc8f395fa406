"""Reading answer files into text: PDFs through pypdf, Word .docx files, and text exports with
encoding detection (UTF-8, UTF-16 with a BOM, cp1252/latin-1 and mixtures of them)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from . import docx, pdf
from .errors import ReadError
from .i18n import _

TEXT_SUFFIXES = frozenset({".txt", ".md", ".text", ".markdown"})
ANSWER_SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx"}
# Beyond this an "answer" is certainly not one; reading it would only waste memory.
MAX_BYTES = 20 * 1024 * 1024
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def is_answer_file(path: Path) -> bool:
    """Whether a file in a folder looks like something svar should read."""
    # ".name": hidden and partial files (rsync's); "~$name.docx": Word's owner file beside an open document.
    return path.suffix.lower() in ANSWER_SUFFIXES and not path.name.startswith((".", "~$"))


def decode(data: bytes) -> str:
    """Decode a text export without mangling å/ä/ö, whatever the exporter's encoding.

    Whole-file UTF-8 is tried first; when it fails, each line is decoded on its own, so a file
    pasted together from a UTF-8 and a cp1252 source keeps both halves readable.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith(_UTF16_BOMS):
        # Windows editors' "Unicode" text; only with a BOM, since UTF-16 cannot be told from binary otherwise.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return "".join(_decode_line(line) for line in data.splitlines(keepends=True))


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte.
        return line.decode("latin-1")


def _not_a_file(mode: int) -> str:
    """What a path is when it is not a regular file ("a named pipe (FIFO)", ...), or ""."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    return _("an unknown kind of file")


def _too_large(path: Path, size: int) -> str:
    return _("{path}: {size} MB is too large for an answer (limit {limit} MB)").format(
        path=path, size=size // (1024 * 1024), limit=MAX_BYTES // (1024 * 1024))


def read_text(path: Path) -> tuple[str, bytes]:
    """Return the text of an answer file and its raw bytes (for the content hash).

    Only a regular file is opened: a FIFO would block the reader (and the index's write lock) until
    something wrote to it, a device never ends; they, and link loops, are rejected by what they are.
    """
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if _not_a_file(mode):
            raise ReadError(_("{path}: {kind}, not a regular file; not opened").format(
                path=path, kind=_not_a_file(mode)))
        # O_NONBLOCK: should a FIFO take the file's place after the look above, opening it does not wait.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb") as file:
            info = os.fstat(file.fileno())
            if _not_a_file(info.st_mode):  # it changed since: opened, but not read
                raise ReadError(_("{path}: {kind}, not a regular file; not read").format(
                    path=path, kind=_not_a_file(info.st_mode)))
            if info.st_size > MAX_BYTES:
                raise ReadError(_too_large(path, info.st_size))
            data = file.read(MAX_BYTES + 1)  # a file still growing is not read past the limit either
            if len(data) > MAX_BYTES:
                raise ReadError(_too_large(path, len(data)))
    except FileNotFoundError:
        raise ReadError(_("{path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise ReadError(_("{path}: is a folder, not a file").format(path=path)) from None
    except PermissionError:
        raise ReadError(_("{path}: permission denied").format(path=path)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReadError(_("{path}: a loop of symbolic links (it leads back to itself); not followed").format(
                path=path)) from None
        raise ReadError(_("{path}: cannot be read ({reason})").format(path=path, reason=exc.strerror or exc)) from None
    if not data.strip():
        raise ReadError(_("{path}: the file is empty").format(path=path))
    # Dispatch on the content, not the name: a PDF saved as .txt is still a PDF.
    if pdf.is_pdf(data):
        return pdf.pdf_text(path, data), data
    if path.suffix.lower() == ".pdf":
        raise ReadError(_("{path}: named .pdf but not a PDF").format(path=path))
    if path.suffix.lower() == ".docx":
        return docx.docx_text(path, data), data
    if b"\x00" in data[:8192] and not data.startswith(_UTF16_BOMS):
        raise ReadError(_("{path}: a binary file, not a text export of an answer").format(path=path))
    return decode(data), data
