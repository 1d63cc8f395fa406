"""Rendering results for the terminal and as JSON; the library's records in, strings and dicts out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from svar.index.records import Person

from .results import Document, DocumentSummary, Hit, IndexStats, PassageView, SearchResult
from svar.index.writing import IndexReport

Style = Callable[[str], str]


def _plain(text: str) -> str:
    return text


def person(p: Person, *, with_role: bool = False) -> str:
    name = f"{p.role} {p.name}".strip() if with_role and p.role else p.name
    return f"{name} ({p.party})" if p.party else name or "?"


def person_json(p: Person, *, with_role: bool = False) -> dict:
    data = {"name": p.name, "party": p.party}
    if with_role:
        data["role"] = p.role
    return data


def marked(text: str, highlights: list[tuple[int, int]], mark: Style) -> str:
    """The text with each highlighted span passed through ``mark``."""
    out, last = [], 0
    for start, end in sorted(highlights):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(mark(text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


def hit_lines(hit: Hit, mark: Style = _plain, dim: Style = _plain) -> list[str]:
    date = hit.date.isoformat() if hit.date else "no date"
    lines = [
        f"{hit.rank:>2}. {hit.dnr} · {date} · {person(hit.interpellant)} → {person(hit.respondent, with_role=True)}"
        + dim(f"  [{hit.score:.2f}]"),
        f"    {hit.topic or hit.title}" + dim(f" · passage {hit.passage} ({hit.kind})"),
    ]
    if hit.question_number is not None:
        lines.append(f"    Question {hit.question_number}: {hit.question}")
    lines.append(f"    {marked(hit.snippet, hit.highlights, mark)}")
    return lines


def search_text(result: SearchResult, mark: Style = _plain, dim: Style = _plain) -> str:
    lines: list[str] = []
    if result.fuzzy:
        similar = "; ".join(f"{word} → {', '.join(words)}" for word, words in result.fuzzy.items())
        lines.append(f"Not in the index, searched as similar words: {similar}")
    elif result.suggestion:
        lines.append(f"Did you mean: {result.suggestion}")
    if not result.hits:
        lines.append(f"No passages match {result.query!r}.")
        return "\n".join(lines)
    shown = f"{result.hits[0].rank}–{result.hits[-1].rank}"
    lines.append(f"{result.total} passages match {result.query!r} (showing {shown})")
    for hit in result.hits:
        lines.append("")
        lines.extend(hit_lines(hit, mark, dim))
    return "\n".join(lines)


def hit_json(hit: Hit) -> dict:
    return {
        "rank": hit.rank,
        "score": hit.score,
        "dnr": hit.dnr,
        "passage": hit.passage,
        "kind": hit.kind,
        "title": hit.title,
        "topic": hit.topic,
        "date": _iso(hit.date),
        "interpellant": person_json(hit.interpellant),
        "respondent": person_json(hit.respondent, with_role=True),
        "question_number": hit.question_number,
        "question": hit.question or None,
        "text": hit.text,
        "snippet": hit.snippet,
        "highlights": [list(span) for span in hit.highlights],
        "source": hit.source,
    }


def search_json(result: SearchResult) -> dict:
    return {
        "query": result.query,
        "total": result.total,
        "hits": [hit_json(h) for h in result.hits],
        "suggestion": result.suggestion,
        "fuzzy": result.fuzzy,
    }


def summary_json(summary: DocumentSummary) -> dict:
    return {
        "dnr": summary.dnr,
        "title": summary.title,
        "topic": summary.topic,
        "date": _iso(summary.date),
        "interpellant": person_json(summary.interpellant),
        "respondent": person_json(summary.respondent, with_role=True),
        "signature": summary.signature,
        "source": summary.source,
        "passages": summary.passages,
    }


def passage_json(summary: DocumentSummary, passage: PassageView) -> dict:
    return {
        "dnr": passage.dnr,
        "passage": passage.passage,
        "kind": passage.kind,
        "title": summary.title,
        "topic": summary.topic,
        "date": _iso(summary.date),
        "interpellant": person_json(summary.interpellant),
        "respondent": person_json(summary.respondent, with_role=True),
        "question_number": passage.question_number,
        "question": passage.question or None,
        "text": passage.text,
        "start": passage.start,
        "end": passage.end,
        "source": summary.source,
    }


def document_json(document: Document) -> dict:
    data = summary_json(document.summary)
    data["passages"] = [passage_json(document.summary, p) for p in document.passages]
    return data


def document_text(document: Document, dim: Style = _plain) -> str:
    s = document.summary
    lines = [
        s.title or s.dnr,
        f"Dnr {s.dnr} · {_iso(s.date) or 'no date'} · {person(s.interpellant)} → {person(s.respondent, with_role=True)}",
        dim(f"source: {s.source}") if s.source else "",
    ]
    for p in document.passages:
        lines.append("")
        heading = f"[{p.passage}] {p.kind}"
        if p.question_number is not None:
            heading += f" · question {p.question_number}: {p.question}"
        lines.append(dim(heading))
        lines.append(p.text.replace("\n\n", "\n"))
    return "\n".join(line for line in lines if line is not None)


def list_text(summaries: list[DocumentSummary]) -> str:
    if not summaries:
        return "The index is empty."
    return "\n".join(
        f"{s.dnr:<16} {_iso(s.date) or '':<10}  {person(s.interpellant)} → {person(s.respondent)}: {s.topic or s.title}"
        for s in summaries
    )


def stats_json(stats: IndexStats) -> dict:
    return {
        "path": stats.path,
        "documents": stats.documents,
        "passages": stats.passages,
        "size_bytes": stats.size_bytes,
        "last_update": stats.last_update.isoformat(timespec="seconds") if stats.last_update else None,
        "schema_version": stats.schema_version,
    }


def stats_text(stats: IndexStats) -> str:
    size = f"{stats.size_bytes / 1024 / 1024:.1f} MB" if stats.size_bytes >= 1024 * 1024 else f"{stats.size_bytes / 1024:.0f} kB"
    last = stats.last_update.strftime("%Y-%m-%d %H:%M") if stats.last_update else "never"
    return "\n".join([
        f"index:        {stats.path}",
        f"answers:      {stats.documents}",
        f"passages:     {stats.passages}",
        f"size:         {size}",
        f"last update:  {last}",
    ])


def report_text(report: IndexReport) -> str:
    return (
        f"{len(report.new)} new, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.rejected)} rejected ({report.passages} passages written)"
    )


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None
