"""svar's query layer: ranked, highlighted passages from the index, as a library and the `svar` command.

    from svar.search import open_index
    with open_index() as answers:
        result = answers.search("familjehem besök", party="V", limit=5)
        for hit in result.hits:
            print(hit.rank, hit.dnr, hit.snippet)
"""

from svar.index.errors import (
    FilterError,
    IndexDamagedError,
    IndexLockedError,
    IndexMissingError,
    ReadError,
    SvarError,
    UnknownDocumentError,
)
from svar.index.records import Person
from svar.index.writing import IndexReport

from .filters import Filters
from .library import AnswerIndex, open_index
from .results import Document, DocumentSummary, Hit, IndexStats, PassageView, SearchResult

__all__ = [
    "AnswerIndex", "Document", "DocumentSummary", "FilterError", "Filters", "Hit", "IndexDamagedError",
    "IndexLockedError", "IndexMissingError", "IndexReport", "IndexStats", "PassageView", "Person", "ReadError",
    "SearchResult", "SvarError", "UnknownDocumentError", "open_index",
]
