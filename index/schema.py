"""The one place that knows the index schema: which fields exist, how they are analysed and stored."""

from __future__ import annotations

from functools import lru_cache

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import PART_BREAK, exact_analyzer, fold, folded_analyzer, parts_analyzer, swedish_analyzer

# Bumped whenever a change to fields or analysis makes older indexes unreadable or wrong.
SCHEMA_VERSION = 6

# BM25F: how much a match counts in each text field, relative to the passage body. The last three
# hold variants of title, question and body, weighted so that at equal term statistics an exact
# word form (body plus the exact bonus) ranks above another form of its stem (body), above a
# compound part, above an å/ä/ö-less match. A word scores by its best field (see search/query.py).
FIELD_BOOSTS = {"question": 2.0, "title": 1.5, "body": 1.0, "exact": 0.3, "parts": 0.7, "folded": 0.6}
TEXT_FIELDS = tuple(FIELD_BOOSTS)
# The one field with positions: every word of a passage as written, stop words too, where a phrase
# is matched word for word (search/scorer.py).
PHRASE_FIELD = "exact"
# Whoosh indexes a number once per 4 bits of precision by default, for fast open ranges. These fields
# are only looked up by value, or in ranges over a few dozen distinct values (years, indexing runs),
# so one term each suffices: it cut 29 of a passage's 169 postings (a sixth of the build's work).
EXACT = 0  # shift_step: no precision tiers


def build_schema() -> Schema:
    """The schema of a passage document; one Whoosh document per passage."""
    text = swedish_analyzer()
    return Schema(
        dnr=ID(stored=True, sortable=True),
        passage=NUMERIC(stored=True, shift_step=EXACT),
        kind=ID(stored=True),
        question_number=NUMERIC(stored=True, shift_step=EXACT),
        title=TEXT(analyzer=text, stored=True, phrase=False),
        topic=STORED(),
        question=TEXT(analyzer=text, stored=True, phrase=False),
        body=TEXT(analyzer=text, stored=True, phrase=False),
        # Its terms are whole words as written: also the word list for "did you mean".
        exact=TEXT(analyzer=exact_analyzer(), phrase=True),
        parts=TEXT(analyzer=parts_analyzer(), phrase=False),
        folded=TEXT(analyzer=folded_analyzer(), phrase=False),
        date=DATETIME(stored=True, sortable=True),
        year=NUMERIC(stored=True, sortable=True, shift_step=EXACT),
        interpellant=ID(stored=True, sortable=True),
        interpellant_party=ID(stored=True, sortable=True),
        interpellant_key=KEYWORD(),
        respondent=ID(stored=True, sortable=True),
        respondent_role=STORED(),
        respondent_party=ID(stored=True, sortable=True),
        respondent_key=KEYWORD(),
        party=KEYWORD(),  # both parties, for "--party"
        signature=STORED(),
        source=ID(stored=True),  # indexed: a file whose dnr changes is found by its path
        start=STORED(),
        end=STORED(),
        content_hash=ID(stored=True),
        indexed_at=NUMERIC(stored=True, sortable=True, bits=64, shift_step=EXACT),  # milliseconds since the epoch
    )


@lru_cache(maxsize=1)
def shared_schema() -> Schema:
    """One ``build_schema()`` a process, for code that only reads it (the query parser, snippets'
    analyzers): never to be changed. Building one takes 0.7 ms, and every search needed two."""
    return build_schema()


def variant_text(title: str, question: str, body: str) -> str:
    """What the exact, parts and folded fields index for a passage: all of its searchable text, its
    parts apart (PART_BREAK: a phrase never runs from the title into the body).

    A numbered question's passage already holds the question in its body; it is not analysed twice.
    """
    parts = (title, "" if question in body else question, body)
    return PART_BREAK.join(part.replace(PART_BREAK, " ") for part in parts if part)


def dnr_key(dnr: str) -> str:
    """The form a dnr is indexed and looked up under: "ks 2022 / 65" → "KS 2022/65"; text that is no
    diary number ("FIL svar-3", a file's stand-in) with its spaces tidied."""
    from .metadata import normalise_dnr  # here: the metadata parser's patterns are not a search's to compile

    return normalise_dnr(dnr) or " ".join(dnr.split())


def name_key(name: str) -> str:
    """The searchable form of a person's name: folded words, space-separated."""
    return " ".join(fold(name).replace("-", " ").split())


def party_key(party: str) -> str:
    return fold(party).strip().upper()
