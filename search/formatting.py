"""Rendering results for the terminal and as JSON; the library's records in, strings and dicts out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from svar.index.i18n import N_, _, ngettext

if TYPE_CHECKING:  # only named in annotations: `svar --help` need not build these dataclasses
    from svar.index.records import Person
    from svar.index.writing import IndexReport

    from .attribution import Speaker, SpokenPart
    from .results import Document, DocumentSummary, Hit, IndexStats, PassageView, SearchResult

Style = Callable[[str], str]
FORMATS = ("table", "json", "jsonl", "csv", "md")
# Text output is in the context's language (svar.index.i18n): these constants are marked for the
# catalog and translated where they are shown.
FACET_TITLES = {"party": N_("party"), "respondent": N_("respondent"), "year": N_("year"),
                "kind": N_("kind of passage")}
# Shown for a person whose name the parser could not read from the answer, explained once by UNKNOWN_NOTE.
UNKNOWN = N_("unknown")
UNKNOWN_NOTE = N_("unknown: a name svar could not read from the answer")
# A CSV cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(text: str) -> str:
    return text


def person(p: Person, *, with_role: bool = False) -> str:
    name = f"{p.role} {p.name}".strip() if with_role and p.role else p.name.strip()
    name = name or _(UNKNOWN)
    return f"{name} ({p.party})" if p.party else name


def unknown_respondents(facets: dict[str, dict[str, int]] | None, total: int | None = None) -> int:
    """How many of the counted passages (or answers) have no respondent's name (the parser missed it):
    each has one respondent unless it is unknown, which no filter can select. ``total``: how many
    matched; without it, the kind facet's sum, which is that total when passages are counted (every
    passage has one kind) but not answers (an answer counts once for each kind that matched)."""
    if not facets or "kind" not in facets or "respondent" not in facets:
        return 0
    counted = sum(facets["kind"].values()) if total is None else total
    return max(0, counted - sum(facets["respondent"].values()))


def _unknown_shown(*people: Person, with_role: bool = False) -> bool:
    """Whether person() shows one of these as UNKNOWN."""
    return any(not p.name.strip() and not (with_role and p.role) for p in people)


def person_json(p: Person, *, with_role: bool = False) -> dict:
    data = {"name": p.name, "party": p.party}
    if with_role:
        data["role"] = p.role
    return data


def said_by(speaker: Speaker | None, interpellant: Person, respondent: Person, *, with_role: bool = True) -> str:
    """Who said a quote, for its citation: the respondent as in the title ("socialborgarrådet Jan
    Jönsson (L)"), the interpellant named as such ("Alexandra Mattsson Åkerström (V), interpellant"),
    another member of a debate by name and party.
    No speaker (no snippet): the respondent, who signed the answer."""
    if speaker is not None and speaker.side == "interpellant":
        return _("{person}, interpellant").format(person=person(interpellant))
    if speaker is not None and speaker.side == "debater":  # another member, in the debate
        return f"{speaker.name} ({speaker.party})" if speaker.party else speaker.name
    return person(respondent, with_role=with_role)


def speaker_json(speaker: Speaker | None) -> dict | None:
    return None if speaker is None else {"side": speaker.side, "name": speaker.name, "party": speaker.party}


def parts_json(parts: tuple[SpokenPart, ...]) -> list[dict]:
    return [{"start": p.start, "end": p.end, "text": p.text, "speaker": speaker_json(p.speaker)} for p in parts]


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
    date = hit.date.isoformat() if hit.date else _("no date")
    where = " · " + _("passage {number} ({kind})").format(number=hit.passage, kind=hit.kind)
    if hit.matching_passages is not None:
        where += " · " + ngettext("{count} matching passage", "{count} matching passages",
                                  hit.matching_passages).format(count=hit.matching_passages)
    lines = [
        f"{hit.rank:>2}. {hit.dnr} · {date} · {person(hit.interpellant)} → {person(hit.respondent, with_role=True)}"
        + dim(f"  [{hit.score:.2f}]"),
        f"    {hit.topic or hit.title}" + dim(where),
    ]
    if hit.question_number is not None:
        lines.append("    " + _("Question {number}: {question}").format(number=hit.question_number,
                                                                        question=hit.question))
    snippet = marked(hit.snippet, hit.highlights, mark)
    if hit.speaker is not None:  # whose words these are: "Jan Jönsson (L): …"
        snippet = f"{said_by(hit.speaker, hit.interpellant, hit.respondent, with_role=False)}: {snippet}"
    lines.append(f"    {snippet}")
    return lines


def _searched_as(words: dict[str, list[str]], joiner: str) -> str:
    """What each typed word was searched as: "word → a + b; other → c"."""
    return "; ".join(f"{word} → {joiner.join(found)}" for word, found in words.items())


def search_text(result: SearchResult, mark: Style = _plain, dim: Style = _plain) -> str:
    lines: list[str] = []
    if result.compounds:
        lines.append(_("Not in the index, searched as its parts: {parts}").format(
            parts=_searched_as(result.compounds, " + ")))
    if result.parts_too:
        lines.append(_("Few passages hold it, also searched as its parts: {parts}").format(
            parts=_searched_as(result.parts_too, " + ")))
    if result.related:
        lines.append(_("Not in the index, searched as related words: {related}").format(
            related=_searched_as(result.related, ", ")))
    if result.fuzzy:
        lines.append(_("Not in the index, searched as similar words: {similar}").format(
            similar=_searched_as(result.fuzzy, ", ")))
    elif result.suggestion:
        lines.append(_("Did you mean: {suggestion}").format(suggestion=result.suggestion))
    grouped = bool(result.hits) and result.hits[0].matching_passages is not None
    query = repr(result.query)
    if grouped:
        matched = ngettext("{count} answer matches {query}", "{count} answers match {query}", result.total)
    else:
        matched = ngettext("{count} passage matches {query}", "{count} passages match {query}", result.total)
    matched = matched.format(count=result.total, query=query)
    if not result.hits:
        if result.total:
            lines.append(_("{matched}; none on this page.").format(matched=matched))
        else:
            reason = f": {result.reason}" if result.reason else ""
            lines.append(_("No passages match {query}").format(query=query) + reason
                         + ("" if reason.endswith("?") else "."))
    else:
        lines.append(_("{matched} (showing {first}–{last})").format(
            matched=matched, first=result.hits[0].rank, last=result.hits[-1].rank))
        for hit in result.hits:
            lines.append("")
            lines.extend(hit_lines(hit, mark, dim))
    if result.facets:
        lines.append("")
        lines.extend(facet_lines(result.facets, result.total))
    if (unknown_respondents(result.facets, result.total)
            or any(_unknown_shown(h.interpellant) or _unknown_shown(h.respondent, with_role=True)
                   for h in result.hits)):
        lines.append(_(UNKNOWN_NOTE))
    return "\n".join(lines)


def facet_lines(facets: dict[str, dict[str, int]], total: int | None = None) -> list[str]:
    """Counts per facet value, one line per facet: "party: V 5 · M 3"; passages whose respondent is
    unknown are counted as "unknown" last."""
    lines = []
    for name, counts in facets.items():
        values = [f"{value} {count}" for value, count in counts.items()]
        if name == "respondent" and (unknown := unknown_respondents(facets, total)):
            values.append(f"{_(UNKNOWN)} {unknown}")
        title = _(FACET_TITLES[name]) if name in FACET_TITLES else name
        lines.append(f"{title}: " + (" · ".join(values) or "–"))
    return lines


def _passage_fields(answer: Hit | DocumentSummary, passage: Hit | PassageView) -> dict:
    """The per-passage fields that search hits and `show` share: the passage and its answer's metadata."""
    return {
        "dnr": passage.dnr,
        "passage": passage.passage,
        "kind": passage.kind,
        "title": answer.title,
        "topic": answer.topic,
        "date": _iso(answer.date),
        "interpellant": person_json(answer.interpellant),
        "respondent": person_json(answer.respondent, with_role=True),
        "question_number": passage.question_number,
        "question": passage.question or None,
        "text": passage.text,
        "parts": parts_json(passage.parts),
    }


def hit_json(hit: Hit) -> dict:
    return {
        "rank": hit.rank,
        "score": hit.score,
        **_passage_fields(hit, hit),
        "snippet": hit.snippet,
        "highlights": [list(span) for span in hit.highlights],
        "speaker": speaker_json(hit.speaker),
        "source": hit.source,
        "matching_passages": hit.matching_passages,
    }


def search_json(result: SearchResult) -> dict:
    return {
        "query": result.query,
        "total": result.total,
        "total_exact": result.total_exact,
        "hits": [hit_json(h) for h in result.hits],
        "suggestion": result.suggestion,
        "fuzzy": result.fuzzy,
        "compounds": result.compounds,
        "parts_too": result.parts_too,
        "related": result.related,
        "facets": result.facets,
        "reason": result.reason,
    }


CSV_COLUMNS = ("rank", "score", "dnr", "passage", "kind", "date", "interpellant", "interpellant_party",
               "respondent", "respondent_role", "respondent_party", "topic", "question_number", "question",
               "speaker_side", "speaker", "speaker_party", "snippet", "text", "source")


def csv_cell(value):
    """A CSV cell a spreadsheet shows as text: text that starts like a formula gets a leading ' (the
    usual neutralisation, OWASP's CSV injection advice); numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def search_csv(result: SearchResult) -> str:
    """The hits as CSV, UTF-8 with a byte-order mark so spreadsheets read å/ä/ö right; no text cell
    starts with = + - @ tab or CR, which a spreadsheet would run as a formula (see csv_cell)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for h in result.hits:
        writer.writerow(map(csv_cell, [h.rank, h.score, h.dnr, h.passage, h.kind, _iso(h.date) or "", h.interpellant.name,
                         h.interpellant.party, h.respondent.name, h.respondent.role, h.respondent.party, h.topic,
                         h.question_number if h.question_number is not None else "", h.question,
                         h.speaker.side if h.speaker else "", h.speaker.name if h.speaker else "",
                         h.speaker.party if h.speaker else "", h.snippet, h.text, h.source]))
    return "\ufeff" + out.getvalue()


def search_markdown(result: SearchResult) -> str:
    """Citable quotes: the snippet, who said it, the diary number and date, and the question."""
    lines = [f"## {result.query}", "", _("Matching passages: {count}").format(count=result.total), ""]
    for h in result.hits:
        quote = h.snippet.replace("\n", " ")
        lines.append(f"> ”{quote}”")
        source = said_by(h.speaker, h.interpellant, h.respondent)  # whose words the quote is
        date = _iso(h.date) or _("no date")
        lines.append(f"> — {source}, Dnr {h.dnr}, {date}")
        lines.append("")
        context = f"Svar på interpellation av {person(h.interpellant)} om {h.topic}" if h.topic else h.title
        if h.question_number is not None:
            context += f", fråga {h.question_number}: {h.question}"
        lines.append(f"{h.rank}. {context}")
        lines.append("")
    return "\n".join(lines)


def render(result: SearchResult, output_format: str) -> str:
    """The result in one of the machine formats (json, jsonl, csv, md), ending in a newline."""
    if output_format == "json":
        return json.dumps(search_json(result), ensure_ascii=False, indent=2) + "\n"
    if output_format == "jsonl":
        return "".join(json.dumps(hit_json(h), ensure_ascii=False) + "\n" for h in result.hits)
    if output_format == "csv":
        return search_csv(result)
    if output_format == "md":
        return search_markdown(result)
    raise ValueError(f"unknown format {output_format!r}")


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
        **_passage_fields(summary, passage),
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
    date = _iso(s.date) or _("no date")
    lines = [
        s.title or s.dnr,
        f"Dnr {s.dnr} · {date} · {person(s.interpellant)} → {person(s.respondent, with_role=True)}",
        dim(_("source: {path}").format(path=s.source)) if s.source else "",
    ]
    for p in document.passages:
        lines.append("")
        heading = f"[{p.passage}] {p.kind}"
        if p.question_number is not None:
            heading += " · " + _("question {number}: {question}").format(number=p.question_number,
                                                                         question=p.question)
        lines.append(dim(heading))
        lines.append(p.text.replace("\n\n", "\n"))
    return "\n".join(line for line in lines if line is not None)


def list_text(summaries: list[DocumentSummary]) -> str:
    if not summaries:
        return _("The index is empty.")
    lines = [
        f"{s.dnr:<16} {_iso(s.date) or '':<10}  {person(s.interpellant)} → {person(s.respondent)}: {s.topic or s.title}"
        for s in summaries
    ]
    if any(_unknown_shown(s.interpellant, s.respondent) for s in summaries):
        lines.append(_(UNKNOWN_NOTE))
    return "\n".join(lines)


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
    last = stats.last_update.strftime("%Y-%m-%d %H:%M") if stats.last_update else _("never")
    rows = [(_("index:"), stats.path), (_("answers:"), stats.documents), (_("passages:"), stats.passages),
            (_("size:"), size), (_("last update:"), last)]
    width = max(len(label) for label, value in rows) + 2  # the values in one column
    return "\n".join(f"{label:<{width}}{value}" for label, value in rows)


def alerts_text(alerts, mark: Style = _plain, dim: Style = _plain) -> str:
    """New hits of saved searches, search by search."""
    lines: list[str] = []
    for alert in alerts:
        if lines:
            lines.append("")
        total = alert.result.total
        lines.append("== " + ngettext("{name}: {count} new passage for {query}",
                                      "{name}: {count} new passages for {query}", total).format(
            name=alert.search.name, count=total, query=repr(alert.search.query)))
        for hit in alert.result.hits:
            lines.append("")
            lines.extend(hit_lines(hit, mark, dim))
    return "\n".join(lines)


def alerts_json(alerts) -> list[dict]:
    return [{"name": a.search.name, "query": a.search.query, **search_json(a.result)} for a in alerts]


def saved_text(searches) -> str:
    if not searches:
        return _("No saved searches.")
    return "\n".join(
        f"{s.name}: {s.query!r}" + "".join(f" --{k.replace('_', '-')} {v}" for k, v in s.filters.given().items())
        + "  " + _("(last run: {when})").format(when=s.last_run or _("never"))
        for s in searches
    )


def saved_json(searches) -> list[dict]:
    return [{"name": s.name, "query": s.query, "filters": s.filters.given(), "created": s.created,
             "last_run": s.last_run} for s in searches]


def report_text(report: IndexReport) -> str:
    renamed = "".join("\n" + _("{old} → {new}: its file now has this Dnr; {old} removed").format(old=old, new=new)
                      for old, new in report.renamed)
    counts = [
        ngettext("{count} new", "{count} new", len(report.new)).format(count=len(report.new)),
        ngettext("{count} updated", "{count} updated", len(report.updated)).format(count=len(report.updated)),
        ngettext("{count} unchanged", "{count} unchanged", len(report.unchanged)).format(count=len(report.unchanged)),
        ngettext("{count} rejected", "{count} rejected", len(report.rejected)).format(count=len(report.rejected)),
    ]
    written = ngettext("({count} passage written)", "({count} passages written)",
                       report.passages).format(count=report.passages)
    return ", ".join(counts) + " " + written + renamed


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None
