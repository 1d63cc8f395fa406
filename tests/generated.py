"""Answer files made for the indexing tests: the seed answers under new diary numbers, and PDFs of them.

Not a test module: test_pdf, test_incremental, test_crash, test_robustness and test_concurrency import it.
"""

from __future__ import annotations

import re
from pathlib import Path

from svar.index.cleaning import clean

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
_DNR_LINE = re.compile(r"Dnr KS \d{4}/\d+")


def answer_text(number: int, *, year: int = 2031, extra: str = "") -> str:
    """A seed answer (they take turns) under the diary number "KS {year}/{number}".

    ``extra`` is added as a sentence of its own before the closing, to make a changed version.
    """
    text = SEEDS[number % len(SEEDS)].read_text(encoding="utf-8")
    text, found = _DNR_LINE.subn(f"Dnr KS {year}/{number}", text, count=1)
    assert found == 1
    if extra:
        closing = text.index("Stockholm den")
        text = f"{text[:closing]}{extra}\n\n{text[closing:]}"
    return text


def write_answers(folder: Path, numbers, *, year: int = 2031, extra: str = "") -> list[Path]:
    """Write answers ``numbers`` into ``folder`` as answer-NNNN.txt; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in numbers:
        path = folder / f"answer-{number:04d}.txt"
        path.write_text(answer_text(number, year=year, extra=extra), encoding="utf-8")
        paths.append(path)
    return paths


def pdf_bytes(text: str, *, page_format=(148, 160), font_size: float = 11, header: bool = True,
              encrypt_user: str | None = None, encrypt_owner: str | None = None) -> bytes:
    """A real PDF of an answer as a word processor would lay it out.

    The text is cleaned first (one paragraph per line); each paragraph is set with fpdf2's line
    wrapping, a small page makes page breaks fall inside paragraphs and sentences, and every page
    gets a running header ("Stockholms stad …") and footer ("Sida N (M)") like the city's PDFs.
    """
    from fpdf import FPDF

    class Answer(FPDF):
        def header(self):
            if header:
                self.set_font("Helvetica", size=8)
                self.cell(0, 4, "Stockholms stad   Borgarrådsberedningen", new_x="LMARGIN", new_y="NEXT")
                self.ln(3)

        def footer(self):
            if header:
                self.set_y(-12)
                self.set_font("Helvetica", size=8)
                self.cell(0, 4, f"Sida {self.page_no()} ({{nb}})", align="R")

    pdf = Answer(format=page_format)
    pdf.core_fonts_encoding = "windows-1252"  # å/ä/ö and the typographic quotes and dashes of the seeds
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(14, 10, 14)
    if encrypt_user is not None or encrypt_owner is not None:
        pdf.set_encryption(owner_password=encrypt_owner or "owner", user_password=encrypt_user or "")
    pdf.add_page()
    for number, paragraph in enumerate(clean(text).split("\n\n")):
        pdf.set_font("Helvetica", style="B" if number == 0 else "", size=font_size)
        pdf.multi_cell(0, font_size * 0.5, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(font_size * 0.35)
    return bytes(pdf.output())


def docx_bytes(text: str) -> bytes:
    """A minimal but valid Word .docx of an answer: each cleaned paragraph a w:p, long ones split into
    runs, the title with a manual line break (as people type them), a header part that must be ignored."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    def run(words: str) -> str:
        return f'<w:r><w:t xml:space="preserve">{escape(words)}</w:t></w:r>'

    paragraphs = []
    for number, paragraph in enumerate(clean(text).split("\n\n")):
        if number == 0 and " till " in paragraph:
            left, right = paragraph.split(" till ", 1)
            paragraphs.append(f"<w:p>{run(left)}<w:r><w:br/></w:r>{run('till ' + right)}</w:p>")
        else:
            middle = len(paragraph) // 2
            paragraphs.append(f"<w:p>{run(paragraph[:middle])}{run(paragraph[middle:])}</w:p>")
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                               'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                               '</Types>',
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document {namespace}><w:body>'
                             f'{"".join(paragraphs)}</w:body></w:document>',
        "word/header1.xml": f'<w:hdr {namespace}><w:p>{run("Stockholms stad")}</w:p></w:hdr>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content.encode("utf-8"))
    return buffer.getvalue()
