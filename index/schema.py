"""The one place that knows the index schema: which fields exist, how they are analysed and stored."""

from __future__ import annotations

import unicodedata

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import swedish_analyzer

# Bumped whenever a change to fields or analysis makes older indexes unreadable or wrong.
SCHEMA_VERSION = 1

# BM25F: how much a match counts in each text field, relative to the passage body.
FIELD_BOOSTS = {"question": 2.0, "title": 1.5, "body": 1.0}
TEXT_FIELDS = tuple(FIELD_BOOSTS)


def build_schema() -> Schema:
    """The schema of a passage document; one Whoosh document per passage."""
    text = swedish_analyzer()
    return Schema(
        id=ID(unique=True, stored=True),  # "KS 2022/65#3"
        dnr=ID(stored=True, sortable=True),
        passage=NUMERIC(stored=True),
        kind=ID(stored=True),
        question_number=NUMERIC(stored=True),
        title=TEXT(analyzer=text, stored=True, phrase=True),
        topic=STORED(),
        question=TEXT(analyzer=text, stored=True, phrase=True),
        body=TEXT(analyzer=text, stored=True, phrase=True, spelling=True),
        date=DATETIME(stored=True, sortable=True),
        year=NUMERIC(stored=True, sortable=True),
        interpellant=ID(stored=True, sortable=True),
        interpellant_party=ID(stored=True, sortable=True),
        interpellant_key=KEYWORD(),
        respondent=ID(stored=True, sortable=True),
        respondent_role=STORED(),
        respondent_party=ID(stored=True, sortable=True),
        respondent_key=KEYWORD(),
        party=KEYWORD(),  # both parties, for "--party"
        signature=STORED(),
        source=STORED(),
        start=STORED(),
        end=STORED(),
        content_hash=ID(stored=True),
        indexed_at=NUMERIC(stored=True, sortable=True, bits=64),
    )


def fold(text: str) -> str:
    """Lower-case without accents, for matching names and parties: "Andréa" → "andrea"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(name: str) -> str:
    """The searchable form of a person's name: folded words, space-separated."""
    return " ".join(fold(name).replace("-", " ").split())


def party_key(party: str) -> str:
    return fold(party).strip().upper()
