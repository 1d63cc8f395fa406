"""An index keeps its schema pickled, analyzers and all, and a writer adding to it analyses with the
analyzers read back from it: they analyse as the analyzers built in the process do, whether pickled
by this svar or by one whose analyzers kept less (their chain, stop filter's place and name only)."""

from __future__ import annotations

import pickle

from svar.index.analysis import TokenwiseAnalyzer
from svar.index.schema import TEXT_FIELDS, build_schema

TEXT = ("Familjehemsvården och socialtjänstlagen: jour- och familjehem för barnen i Hägersten-Älvsjö, "
        "JO:s beslut 2022/65.\x1eÖppenvårdsinsatser gavs till 3,5 procent av barnen.")


def _analysed(schema) -> dict[str, object]:
    found: dict[str, object] = {}
    for fieldname in TEXT_FIELDS:
        analyzer = schema[fieldname].analyzer
        found[fieldname] = (analyzer.index_positions(TEXT) if fieldname == "exact"
                            else analyzer.index_frequencies(TEXT))
    return found


def test_analyzers_read_back_from_a_pickled_schema_analyse_as_built():
    built = build_schema()
    expected = _analysed(built)
    assert expected["exact"]["familjehemsvården"] == [0] and expected["folded"] == {
        "familjehemsvard": 1, "socialtjanstlag": 1, "hagerst": 1, "alvsjo": 1, "oppenvardsinsat": 1}
    assert _analysed(pickle.loads(pickle.dumps(built, 2))) == expected


def test_analyzers_pickled_with_their_chain_name_and_stop_place_only_analyse_as_built():
    built = build_schema()
    for fieldname in TEXT_FIELDS:
        analyzer = built[fieldname].analyzer
        older = TokenwiseAnalyzer.__new__(TokenwiseAnalyzer)
        older.__setstate__({"chain": analyzer.chain, "_stop_at": analyzer._stop_at, "name": analyzer.name})
        assert older == analyzer
        assert older.index_frequencies(TEXT) == analyzer.index_frequencies(TEXT), fieldname
        assert older.index_positions(TEXT) == analyzer.index_positions(TEXT), fieldname
