"""PDF and Word answers: real PDFs (and .docx files) of the seed answers give the same metadata and
passages as their text exports."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from svar.search import open_index
from svar.search.cli import main
from svar.search.library import update_index

from generated import SEEDS, answer_text, docx_bytes, pdf_bytes


def _indexed(index_dir):
    with open_index(index_dir) as answers:
        return {s.dnr: answers.document(s.dnr) for s in answers.documents()}


def _without_source(document):
    return replace(document, summary=replace(document.summary, source=""))


def test_pdfs_of_the_seeds_index_exactly_like_their_text_exports(tmp_path):
    texts, pdfs = tmp_path / "texts", tmp_path / "pdfs"
    texts.mkdir(), pdfs.mkdir()
    mid_sentence_breaks = 0
    for seed in SEEDS:
        (texts / seed.name).write_bytes(seed.read_bytes())
        data = pdf_bytes(seed.read_text(encoding="utf-8"))
        (pdfs / seed.with_suffix(".pdf").name).write_bytes(data)
        # The PDFs really have what the cleaning has to undo: several pages, each with a running
        # header and a page-numbered footer, and page breaks inside sentences.
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
        assert len(pages) >= 3
        assert all(p.startswith("Stockholms stad") and "Sida" in p.splitlines()[-1] for p in pages)
        mid_sentence_breaks += sum(not p.splitlines()[-2].rstrip().endswith((".", "?", "!", ":")) for p in pages[:-1])
    assert mid_sentence_breaks >= 8
    assert update_index(tmp_path / "ix-text", [texts]).new == update_index(tmp_path / "ix-pdf", [pdfs]).new
    from_text, from_pdf = _indexed(tmp_path / "ix-text"), _indexed(tmp_path / "ix-pdf")
    assert sorted(from_pdf) == ["KS 2020/1079", "KS 2022/65", "KS 2025/806", "KS 2026/469"]
    for dnr, document in from_text.items():
        assert _without_source(from_pdf[dnr]) == _without_source(document), dnr
        assert from_pdf[dnr].summary.source.endswith(".pdf")
    # The letterhead and page numbers are not part of any passage.
    assert not any("Borgarrådsberedningen" in p.text or "Sida " in p.text
                   for d in from_pdf.values() for p in d.passages)


def test_swedish_letters_survive_the_pdf(tmp_path):
    path = tmp_path / "svar.pdf"
    path.write_bytes(pdf_bytes(answer_text(4)))  # seed 000 under KS 2031/4
    update_index(tmp_path / "ix", [path])
    with open_index(tmp_path / "ix") as answers:
        summary = answers.document("KS 2031/4").summary
        assert (summary.interpellant.name, summary.respondent.role) == (
            "Andréa Hedin", "social- och trygghetsborgarrådet")
        hits = answers.search("välfungerande", dnr="KS 2031/4").hits
        assert {h.snippet[s:e] for h in hits for s, e in h.highlights} == {"välfungerande"}


def test_svar_index_takes_a_pdf_and_a_folder_mixing_pdfs_and_text(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(pdf_bytes(answer_text(1)))
    (folder / "b.txt").write_text(answer_text(2), encoding="utf-8")
    single = tmp_path / "c.pdf"
    single.write_bytes(pdf_bytes(answer_text(3)))
    target = str(tmp_path / "ix")
    first = runner.invoke(main, ["index", str(single), "--index", target])
    assert (first.exit_code, first.stdout) == (0, "1 new, 0 updated, 0 unchanged, 0 rejected (8 passages written)\n")
    both = runner.invoke(main, ["index", str(folder), str(single), "--index", target])
    assert (both.exit_code, both.stdout) == (0, "2 new, 0 updated, 1 unchanged, 0 rejected (14 passages written)\n")


def test_an_owner_only_encrypted_pdf_is_read(tmp_path):
    # Many official PDFs are encrypted against editing only: anyone may open them without a password.
    path = tmp_path / "locked-for-editing.pdf"
    path.write_bytes(pdf_bytes(answer_text(2), encrypt_owner="kansliet"))
    assert PdfReader(path).is_encrypted
    assert update_index(tmp_path / "ix", [path]).new == ["KS 2031/2"]


@pytest.mark.parametrize("name, make, reason", [
    ("truncated.pdf", lambda: pdf_bytes(answer_text(1))[:4000],
     "a truncated PDF (it does not end with %%EOF); copy the whole file again"),
    ("secret.pdf", lambda: pdf_bytes(answer_text(1), encrypt_user="hemligt"),
     "an encrypted PDF that needs a password; save an unencrypted copy and index that"),
    ("damaged.pdf", lambda: b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nstartxref\n0\n%%EOF\n",
     None),
    ("scan.pdf", lambda: pdf_bytes("", header=False),
     "a PDF without a text layer (a scan?); svar cannot read text from images"),
    ("notes.pdf", lambda: "Svar på interpellation".encode(), "named .pdf but not a PDF"),
])
def test_unreadable_pdfs_are_rejected_by_name_and_the_rest_indexed(runner, tmp_path, name, make, reason):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(make())
    (folder / "good.pdf").write_bytes(pdf_bytes(answer_text(3)))
    result = runner.invoke(main, ["index", str(folder), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert result.stdout == "1 new, 0 updated, 0 unchanged, 1 rejected (8 passages written)\n"
    [line] = result.stderr.splitlines()
    assert line.startswith(f"svar: rejected: {folder / name}: ")
    if reason:
        assert line == f"svar: rejected: {folder / name}: {reason}"
    else:
        assert line.startswith(f"svar: rejected: {folder / name}: a damaged PDF that cannot be read (")


def test_docx_files_of_the_seeds_index_exactly_like_their_text_exports(tmp_path):
    texts, documents = tmp_path / "texts", tmp_path / "docx"
    texts.mkdir(), documents.mkdir()
    for seed in SEEDS:
        (texts / seed.name).write_bytes(seed.read_bytes())
        (documents / seed.with_suffix(".docx").name).write_bytes(docx_bytes(seed.read_text(encoding="utf-8")))
    (documents / "~$0_0dd4c633e39ebb4b.docx").write_bytes(b"\x0bAnna\x00" * 20)  # Word's owner file: skipped
    update_index(tmp_path / "ix-text", [texts])
    assert len(update_index(tmp_path / "ix-docx", [documents]).new) == 4
    from_text, from_docx = _indexed(tmp_path / "ix-text"), _indexed(tmp_path / "ix-docx")
    assert {dnr: _without_source(d) for dnr, d in from_docx.items()} == {
        dnr: _without_source(d) for dnr, d in from_text.items()}


@pytest.mark.parametrize("name, data, reason", [
    ("gammal.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
     "a password-protected or old-format (.doc) Word file; save it as an unprotected .docx or as PDF"),
    ("trasig.docx", b"PK\x03\x04 not really a zip", "a damaged .docx file that cannot be read (BadZipFile)"),
])
def test_unreadable_docx_files_are_rejected_by_name(runner, tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    result = runner.invoke(main, ["index", str(tmp_path / name), "--index", str(tmp_path / "ix")])
    assert (result.exit_code, result.stderr) == (1, f"svar: rejected: {tmp_path / name}: {reason}\n")
