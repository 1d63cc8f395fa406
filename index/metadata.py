"""Reading an answer's metadata from its cleaned text: dnr, title, people, closing date and signature.

Nothing is guessed: a field that is not found stays empty and a warning says so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .i18n import _
from .records import Person

MONTHS = {
    name: number
    for number, name in enumerate(
        "januari februari mars april maj juni juli augusti september oktober november december".split(), 1
    )
}

_DNR = re.compile(r"\bDnr\.?:?\s*([A-ZÅÄÖ]{1,12}(?:[- ][A-ZÅÄÖ]{1,12})?)\s*(\d{4})\s*/\s*(\d{1,6})\b")
_TITLE = re.compile(
    r"^(?:Svar på\s+)?(?:en\s+)?interpellation\b(?:\s+[\d/:]+)?\s+av\s+"
    r"(?P<interpellant>.+?)\s*\((?P<interpellant_party>[^()]*)\)\s+till\s+"
    r"(?P<respondent>.+?)(?:\s*\((?P<respondent_party>[^()]*)\))?\s+om\s+(?P<topic>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_CLOSING = re.compile(
    r"^(?:[A-ZÅÄÖ][a-zåäö]+\s+)?den\s+"
    r"(?:(?P<iso>\d{4}-\d{1,2}-\d{1,2})|(?P<day>\d{1,2})\s+(?P<month>[a-zåäö]+)\s+(?P<year>\d{4}))\b",
    re.IGNORECASE,
)
# A capitalised word still belongs to the role when it names one: "Statsrådet", "Utrikesminister".
_ROLE_SUFFIX = re.compile(r"(?:rådet|råd|ministern|minister|ordföranden?|ministerns)$", re.IGNORECASE)


@dataclass
class Metadata:
    """What an answer's text says about itself."""

    dnr: str = ""
    title: str = ""
    topic: str = ""
    interpellant: Person = field(default_factory=Person)
    respondent: Person = field(default_factory=Person)
    date: dt.date | None = None
    signature: str = ""
    # Paragraph indexes: where the body starts (after title and dnr) and where the closing starts.
    body_start: int = 0
    closing_start: int | None = None
    warnings: list[str] = field(default_factory=list)


# The Riksdag's interpellation number: riksmöte and number, "2017/18:53" ("1999/2000:12" for the one
# riksmöte written in full). Alone, or after "interpellation", it is the identifier of an answer to it.
_RIKSDAG_NUMBER = re.compile(r"^(?:interpellation(?:en)?\s+)?(\d{4})\s*/\s*(\d{2}|\d{4})\s*:\s*0*(\d{1,6})$", re.IGNORECASE)


def normalise_dnr(text: str) -> str:
    """"Dnr KS 2022/65", "ks 2022 / 65" → "KS 2022/65"; an interpellation number "2017/18 : 053" →
    "2017/18:53"; "" when the text holds no diary number."""
    text = text.strip()
    riksdag = _RIKSDAG_NUMBER.match(text)
    if riksdag:
        year, session, number = riksdag.groups()
        return f"{year}/{session}:{int(number)}"
    match = _DNR.search(text if text.startswith("Dnr") else "Dnr " + text.upper().removeprefix("DNR").strip(" :."))
    if not match:
        return ""
    prefix, year, number = match.groups()
    return f"{prefix.replace('-', ' ')} {year}/{int(number)}"


def parse_date(text: str) -> dt.date | None:
    """A closing line's date ("Stockholm den 22 mars 2022", "den 2025-08-27") as a date, else None."""
    match = _CLOSING.match(text.strip())
    if not match:
        return None
    try:
        if match["iso"]:
            year, month, day = map(int, match["iso"].split("-"))
            return dt.date(year, month, day)
        month_number = MONTHS.get(match["month"].lower())
        if month_number is None:
            return None
        return dt.date(int(match["year"]), month_number, int(match["day"]))
    except ValueError:
        return None


def split_person(text: str, party: str | None) -> Person:
    """"social- och trygghetsborgarrådet Alexander Ojanne" → role and name; a name alone has no role."""
    words = text.split()
    role_length = 0
    for word in words:
        # Role words are lower-case, elliptic ("Klimat- och miljöministern") or end in a role suffix.
        if word[:1].islower() or word.endswith("-") or _ROLE_SUFFIX.search(word):
            role_length += 1
        else:
            break
    return Person(
        name=" ".join(words[role_length:]), party=(party or "").strip(), role=" ".join(words[:role_length])
    )


def extract(paragraphs: list[str]) -> Metadata:
    """Read metadata from a cleaned answer's paragraphs."""
    meta = Metadata()
    dnr_at = next((i for i, p in enumerate(paragraphs[:8]) if _DNR.search(p)), None)
    if dnr_at is None:
        dnr_at = next((i for i, p in enumerate(paragraphs) if _DNR.search(p)), None)
    if dnr_at is not None:
        dnr = _DNR.search(paragraphs[dnr_at])
        assert dnr is not None, "dnr_at is a paragraph _DNR was found in"
        meta.dnr = normalise_dnr(dnr.group(0))
    else:
        meta.warnings.append(_("no diary number (Dnr) found"))

    title_at = next((i for i, p in enumerate(paragraphs[:6]) if _TITLE.match(p)), None)
    if title_at is not None:
        title = paragraphs[title_at]
        match = _TITLE.match(title)
        assert match is not None, "title_at is a paragraph _TITLE matches"
        meta.title = title
        meta.topic = match["topic"].strip()
        meta.interpellant = Person(name=match["interpellant"].strip(), party=match["interpellant_party"].strip())
        meta.respondent = split_person(match["respondent"], match["respondent_party"])
        if not meta.respondent.name:
            meta.warnings.append(_("no respondent name in the title"))
    else:
        meta.warnings.append(_("no title of the form 'Svar på interpellation av … till … om …' found"))
    meta.body_start = max(i for i in (title_at, dnr_at, -1) if i is not None) + 1

    for i in range(len(paragraphs) - 1, meta.body_start - 1, -1):
        date = parse_date(paragraphs[i])
        if date:
            meta.date = date
            meta.closing_start = i
            meta.signature = _signature(paragraphs[i + 1:])
            break
    else:
        meta.warnings.append(_("no closing date ('Stockholm den …') found"))
    return meta


def _signature(after_closing: list[str]) -> str:
    for paragraph in after_closing:
        words = []
        for word in paragraph.split():
            if not word[:1].isupper():
                break
            words.append(word)
        if words:
            return " ".join(words[:4])
    return ""
