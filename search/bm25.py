"""BM25F: the one place svar computes a term's score in a passage.

The formula is Whoosh's ``scoring.bm25`` with Whoosh's statistics (``idf`` over every passage
written, deleted ones too; the field's average length; a passage's length as its one-byte
quantised form), computed for a whole posting list at a time, operation for operation as Whoosh
computes it for one posting, so that a score is the same float Whoosh's own scorer gives
(tests/reference.py scores every passage through Whoosh and compares).

A field's weight (FIELD_BOOSTS in index/schema.py) comes as the query leaf's boost, multiplied
after the BM25 part, as Whoosh's boost wrapper does.
"""

from __future__ import annotations

import math
from functools import lru_cache

from whoosh.util.numeric import byte_to_length

# Passages are short and similar in length; a milder length normalisation than the usual 0.75 keeps
# long question-and-answer passages from being buried under short preamble ones.
B = 0.6
K1 = 1.2

# Length byte → the field length it stands for, as Whoosh decodes it (byte 0: the field is empty).
BYTE_LENGTHS = tuple(byte_to_length(b) for b in range(256))


def idf(doc_frequency: int, doc_count: int) -> float:
    """Whoosh's inverse document frequency: ``doc_count`` counts every passage written."""
    return math.log(doc_count / (doc_frequency + 1)) + 1


@lru_cache(maxsize=64)  # an index that keeps changing has new average lengths in each state
def length_parts(avgfl: float):
    """K1 * ((1 - B) + B * fl / avgfl) for each length byte's fl, as a read-only numpy array."""
    import numpy as np

    lengths = np.array(BYTE_LENGTHS, dtype=np.float64)
    parts = K1 * ((1 - B) + B * lengths / avgfl)
    parts.flags.writeable = False
    return parts


def scores(term_idf: float, avgfl: float, tf, length_bytes):
    """The BM25 part of each posting: ``tf`` its term frequencies (float64), ``length_bytes`` the
    passages' length bytes in the field (uint8), both numpy arrays of the same length."""
    return term_idf * ((tf * (K1 + 1)) / (tf + length_parts(avgfl)[length_bytes]))
