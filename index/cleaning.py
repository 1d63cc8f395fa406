"""Repairing what PDF-to-text exports do to an answer: padding, page breaks, wrapped and hyphenated lines.

The result has one paragraph per line and a blank line between paragraphs, which is what the
metadata and passage code expect.
"""

from __future__ import annotations

import re

# A whitespace-only line this long is page-header padding, not a paragraph break.
PADDING_WIDTH = 20
# This many blank lines in a row only happen around a page break.
PAGE_BREAK_BLANKS = 4

# Removed, and made plain spaces. Regular expressions, not str.translate: a translation table is
# looked up per character in Python's dict, 15 times slower over a 3,000-character answer.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile("[\u00a0\u2007\u202f\t]")

_TERMINAL = tuple(".!?:;")
# Lines that always open a new paragraph, even when no blank line precedes them. The chamber
# record's section heading ("7 § Svar på interpellation 2017/18:53 om …") and speaker lines ("Anf. 2
# JOHAN HEDIN (C):") are among them: a record is often exported without blank lines between speeches.
_ALWAYS_OPENS = re.compile(
    r"^(?:Dnr\b|Dok\.?\s?id\b|Interpellation \d{4}/\d+:\d|Svar\s*:|[A-ZÅÄÖ][a-zåäö]+ den \d|den \d{1,2} [a-zåäö]+ \d{4}\s*$|den \d{4}-\d\d-\d\d\s*$"
    r"|(?:\d+\s*§\s*|§\s*\d+\s*)?Svar på interpellation(?:en|erna)? \d{4}/\d{2,4}:\d|Anf\.\s*\d+\s)"
)
# A speaker line that ends in its colon: the speech starts a paragraph of its own on the next line.
_SPEAKER_LINE = re.compile(r"^Anf\.\s*\d+\s")
# Lines that open a new paragraph when the previous line ended a sentence.
_LIST_ITEM = re.compile(r"^(?:\d{1,2}[.)]\s|[•–\-]\s)")
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s")
# "barn- och ungdomsvården": a hyphen before these words is an elliptic compound, not a split word.
_ELLIPSIS_FOLLOWERS = re.compile(r"^(?:och|eller|samt|respektive|resp\.|liksom|som|till|men)\b")
_MARKDOWN_HEADING = re.compile(r"^(?:#{1,6}\s+)+")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_RUNS_OF_SPACES = re.compile(r" {2,}")


def clean(raw: str) -> str:
    """Return the cleaned text of an answer: paragraphs on single lines, separated by blank lines."""
    text = _SPACES.sub(" ", _INVISIBLE.sub("", raw.replace("\r\n", "\n").replace("\r", "\n")))
    # A form feed is a page break of its own, whatever shares its line.
    paragraphs = [_finish(lines) for lines in _paragraph_lines(text.replace("\f", "\n\f\n").split("\n"))]
    return "\n\n".join(p for p in paragraphs if p)


def _paragraph_lines(lines: list[str]) -> list[list[str]]:
    """Group physical lines into paragraphs, joining across page breaks that fall mid-sentence."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    blanks = 0
    page_break = False

    def close() -> None:
        nonlocal current
        if current:
            paragraphs.append(current)
            current = []

    for raw in lines:
        if "\f" in raw:
            page_break = True
        line = raw.replace("\f", " ").strip()
        if not line:
            blanks += 1
            page_break = page_break or len(raw) >= PADDING_WIDTH
            continue
        if current:
            ended_sentence = current[-1].endswith(_TERMINAL)
            if page_break or blanks >= PAGE_BREAK_BLANKS:
                # A page break inside a sentence ("den 1" … "oktober.") is not a paragraph break.
                if ended_sentence or _ALWAYS_OPENS.match(line) or _LIST_ITEM.match(line):
                    close()
            elif blanks:
                close()
            elif _ALWAYS_OPENS.match(line) or (ended_sentence and _LIST_ITEM.match(line)):
                close()
        blanks = 0
        page_break = False
        current.append(line)
        # A numbered question ends at the first line ending in "?"; its answer follows on the next line.
        if line.endswith("?") and _NUMBERED.match(current[0]):
            close()
        elif line.endswith(":") and _SPEAKER_LINE.match(current[0]):
            close()
    close()
    return paragraphs


def _finish(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        text = join_wrapped(text, line)
    text = _RUNS_OF_SPACES.sub(" ", text).strip()
    # Until nothing changes: taking "**" away can bare a heading mark ("** ## barn **"), and cleaning
    # must give the same text when run again on its own output. Every change shortens the text.
    while True:
        stripped = _MARKDOWN_EMPHASIS.sub(r"\2", _MARKDOWN_HEADING.sub("", text))
        stripped = _RUNS_OF_SPACES.sub(" ", stripped).strip()
        if stripped == text:
            return text
        text = stripped


def join_wrapped(left: str, right: str) -> str:
    """Join two wrapped lines, repairing a hyphen the exporter put at the line end.

    "familje-" + "hemmet" → "familjehemmet"; "Hägersten-" + "Älvsjö" keeps its hyphen; "jour-" +
    "och familjehem" keeps the elliptic compound; "covid-19-" + "pandemin" keeps it too.
    """
    if len(left) >= 2 and left.endswith("-") and left[-2].isalnum():
        if _ELLIPSIS_FOLLOWERS.match(right):
            return f"{left} {right}"
        if left[-2].isdigit() or left[-2].isupper() or right[:1].isupper() or right[:1].isdigit():
            return left + right
        return left[:-1] + right
    return f"{left} {right}"
