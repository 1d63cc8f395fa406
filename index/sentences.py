"""Sentence boundaries in cleaned Swedish text, shared by passage splitting and snippets."""

from __future__ import annotations

import re

# Abbreviations whose full stop does not end a sentence ("I t.ex. Göteborg", "bl.a. DO").
_ABBREVIATIONS = frozenset(
    "t.ex bl.a s.k m.m o.s.v osv d.v.s dvs p.g.a pga f.d fr.o.m t.o.m m.fl resp kap jfr ca nr st prop dnr s.a.s"
    " mnkr mdkr kr milj".split()
)
_BOUNDARY = re.compile(r"[.!?…]+[”\"’)]*\s+(?=[\"”“'(]?[A-ZÅÄÖ0-9–])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``; every character belongs to one span."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        before = text[start:match.start() + 1].rsplit(None, 1)[-1].lower().rstrip(".")
        # Abbreviations, initials ("A. Hedin") and list numbers ("2. Anser …") do not end a sentence.
        if before in _ABBREVIATIONS or (len(before) == 1 and before.isalpha()) or (before.isdigit() and len(before) <= 2):
            continue
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans
