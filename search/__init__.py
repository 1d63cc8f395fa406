"""svar's query layer: ranked, highlighted passages from the index, as a library and the `svar` command.

    from svar.search import open_index
    with open_index() as answers:
        result = answers.search("familjehem besök", party="V", limit=5)
        for hit in result.hits:
            print(hit.rank, hit.dnr, hit.snippet)

Messages (errors, a result's ``reason``) are English unless a context asks for Swedish:
``with use_language("sv"): …``.
"""

from importlib import import_module

from svar.index.errors import (
    FilterError,
    IndexDamagedError,
    IndexLockedError,
    IndexMissingError,
    ReadError,
    SvarError,
    UnknownDocumentError,
)

# The rest is imported on first use, so that `svar --help` and a search load only what they need.
_LAZY = {
    "AnswerIndex": ".library", "open_index": ".library", "Filters": ".filters", "FilterField": ".filters",
    "FILTER_FIELDS": ".filters", "use_language": "svar.index.i18n", "set_language": "svar.index.i18n",
    "Document": ".results", "DocumentSummary": ".results", "Hit": ".results", "IndexStats": ".results",
    "PassageView": ".results", "SearchResult": ".results",
    "Person": "svar.index.records", "IndexReport": "svar.index.writing",
}

__all__ = [
    "FILTER_FIELDS", "AnswerIndex", "Document", "DocumentSummary", "FilterError", "FilterField", "Filters", "Hit",
    "IndexDamagedError", "IndexLockedError", "IndexMissingError", "IndexReport", "IndexStats", "PassageView",
    "Person", "ReadError", "SearchResult", "SvarError", "UnknownDocumentError", "open_index", "set_language",
    "use_language",
]


def __getattr__(name: str):
    if name in _LAZY:
        module = _LAZY[name]
        value = getattr(import_module(module, __name__) if module.startswith(".") else import_module(module), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
