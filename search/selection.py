"""Which passages a filter lets through, segment by segment.

Filters (search/filters.py) are defined once, as a Whoosh query of terms, numeric ranges, AND and
OR; this evaluates that query over search/sources.py's arrays, so a search, a facet count and a
saved search all select exactly the same passages.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from .sources import SegmentSource, sortable


def allowed(filter_query: wq.Query, source: SegmentSource) -> np.ndarray:
    """Which passages of the segment ``filter_query`` lets through: a bool array, a passage each
    (deleted passages False)."""
    if filter_query is wq.NullQuery:
        return np.zeros(source.count, dtype=bool)
    if isinstance(filter_query, wq.NumericRange):  # DateRange too
        return _in_range(filter_query, source)
    if type(filter_query) is wq.Term:
        mask = np.zeros(source.count, dtype=bool)
        mask[source.term_docs(filter_query.fieldname, filter_query.text)] = True
        return mask
    if type(filter_query) is wq.And or type(filter_query) is wq.Or:
        parts = [allowed(child, source) for child in filter_query.subqueries]
        if not parts:
            return np.zeros(source.count, dtype=bool)
        combined = parts[0].copy()
        for part in parts[1:]:
            if type(filter_query) is wq.And:
                combined &= part
            else:
                combined |= part
        return combined
    raise TypeError(f"no filter evaluation for {type(filter_query).__name__}")


def _in_range(q: wq.NumericRange, source: SegmentSource) -> np.ndarray:
    values, present = source.values(q.fieldname)
    fieldobj = source.reader.schema[q.fieldname]
    keep = present.copy()
    for end, excluded, above in ((q.start, q.startexcl, True), (q.end, q.endexcl, False)):
        if end is None:
            continue
        bound = np.uint64(sortable(fieldobj, end))
        if above:
            keep &= (values > bound) if excluded else (values >= bound)
        else:
            keep &= (values < bound) if excluded else (values <= bound)
    return keep
