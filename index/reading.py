"""Reading answer files into text: PDFs through pypdf, Word .docx files, and text exports with
encoding detection (UTF-8, UTF-16 with a BOM, cp1252/latin-1 and mixtures of them)."""

from __future__ import annotations

from pathlib import Path

from . import docx, pdf
from .errors import ReadError

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


def read_text(path: Path) -> tuple[str, bytes]:
    """Return the text of an answer file and its raw bytes (for the content hash)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ReadError(f"{path}: {size // (1024 * 1024)} MB is too large for an answer (limit {MAX_BYTES // (1024 * 1024)} MB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReadError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise ReadError(f"{path}: permission denied") from None
    except OSError as exc:
        raise ReadError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise ReadError(f"{path}: the file is empty")
    # Dispatch on the content, not the name: a PDF saved as .txt is still a PDF.
    if pdf.is_pdf(data):
        return pdf.pdf_text(path, data), data
    if path.suffix.lower() == ".pdf":
        raise ReadError(f"{path}: named .pdf but not a PDF")
    if path.suffix.lower() == ".docx":
        return docx.docx_text(path, data), data
    if b"\x00" in data[:8192] and not data.startswith(_UTF16_BOMS):
        raise ReadError(f"{path}: a binary file, not a text export of an answer")
    return decode(data), data
