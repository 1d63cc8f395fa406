"""Text from PDF answers with pypdf, laid out like the text exports the cleaning code already repairs.

Each page is extracted in pypdf's layout mode, which keeps the blank line between paragraphs that
plain extraction loses; pages are joined with a form feed, so a page break inside a sentence is
joined by ``cleaning.clean`` exactly as in a text export. Running headers and footers (the city's
letterhead, "Sida 2 (5)") are dropped here, because only the PDF shows that they repeat per page.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from pathlib import Path

from .errors import ReadError
from .i18n import _

# pypdf reports recoverable oddities through logging; a library must not print them to stderr
# (Python's last-resort handler would), but an application that configures logging still sees them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

PDF_MAGIC = b"%PDF-"
# A complete PDF ends with this marker (possibly followed by whitespace); a half-copied one does not.
PDF_END = b"%%EOF"
# How many non-blank lines at the top and bottom of a page may be running headers or footers.
EDGE_LINES = 2
# A lone page number at a page edge: "3", "Sida 3", "Sida 3 (5)", "3 av 5", "3/5", "- 3 -".
_PAGE_NUMBER = re.compile(r"^[-–]?\s*(?:sida\s*)?\d{1,4}\s*(?:\(\s*\d{1,4}\s*\)|av\s*\d{1,4}|/\s*\d{1,4})?\s*[-–]?$",
                          re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def is_pdf(data: bytes) -> bool:
    """Whether bytes are a PDF (the header may follow a little junk, as the PDF spec allows)."""
    return PDF_MAGIC in data[:1024]


def pdf_text(path: Path, data: bytes) -> str:
    """The text of a PDF answer, pages separated by form feeds; ReadError when it has none to give."""
    if PDF_END not in data[-2048:]:
        raise ReadError(_("{path}: a truncated PDF (it does not end with %%EOF); copy the whole file again").format(
            path=path))
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(path, reader)
        pages = [page.extract_text(extraction_mode="layout") for page in reader.pages]
    except ReadError:
        raise
    except (DependencyError, FileNotDecryptedError) as exc:
        raise ReadError(_("{path}: an encrypted PDF that svar cannot decrypt ({problem}); save an unencrypted "
                          "copy and index that").format(path=path, problem=exc)) from None
    except Exception as exc:  # pypdf raises many types (and stdlib ones) for damaged files
        raise ReadError(_("{path}: a damaged PDF that cannot be read ({problem})").format(
            path=path, problem=f"{type(exc).__name__}: {exc}")) from None
    if not any(page.strip() for page in pages):
        raise ReadError(_("{path}: a PDF without a text layer (a scan?); svar cannot read text from images").format(
            path=path))
    return "\f".join(drop_running_lines(pages))


def _decrypt(path: Path, reader) -> None:
    """Open a PDF that is encrypted only against editing (an empty user password), as many official ones are."""
    if not reader.decrypt(""):
        raise ReadError(_("{path}: an encrypted PDF that needs a password; save an unencrypted copy and index "
                          "that").format(path=path))


def drop_running_lines(pages: list[str]) -> list[str]:
    """The pages without their running headers and footers and lone page numbers.

    A line counts as running when, digits aside, the same line opens or closes at least half of the
    pages (and at least two): "Sida 1 (3)" and "Sida 2 (3)" are one running line.
    """
    lines = [page.split("\n") for page in pages]
    edges = [_edge_positions(page_lines) for page_lines in lines]
    counts = Counter(key for page_lines, positions in zip(lines, edges)
                     for key in {_key(page_lines[i]) for i in positions})
    needed = max(2, (len(pages) + 1) // 2)
    running = {key for key, count in counts.items() if count >= needed}
    result = []
    for page_lines, positions in zip(lines, edges):
        drop = {i for i in positions
                if _key(page_lines[i]) in running or _PAGE_NUMBER.match(page_lines[i].strip())}
        result.append("\n".join("" if i in drop else line for i, line in enumerate(page_lines)))
    return result


def _edge_positions(page_lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(page_lines) if line.strip()]
    return sorted(set(filled[:EDGE_LINES] + filled[-EDGE_LINES:]))


def _key(line: str) -> str:
    return _DIGITS.sub("#", _SPACES.sub(" ", line.strip()))
