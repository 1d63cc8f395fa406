"""A term's postings written into a whoosh3 segment a block at a time, not a posting at a time.

Whoosh's field writer takes one posting per call (type checks, running statistics, a length looked
up per posting) and pickles and compresses a block of them at every 128th: for a build of 3,000
answers (2.2 million postings) that loop was a third of the build. Here a term's postings arrive
as arrays, and each block is made with a handful of calls over slices of them. The bytes are those
W3PostingsWriter writes (tests/test_postings.py and tests/test_blocks.py compare whole segments with
Whoosh's own writer's).

What it relies on of the pinned whoosh3's codec, besides the layouts its readers read (a term's
postings: a magic, then per block its signed length, negative for the last, the pickled block info
and the pickled, perhaps compressed, ids, weights and values; a term's info: W3TermInfo._struct,
then where its postings are): W3FieldWriter's posting file, term index and field number
(_postfile, _tindex, _fieldid), W3Codec's block settings (_blocklimit, _compression, _inlinelimit),
how W3TermInfo.add_block sums up blocks, and what OrderedHashWriter.add does with a term's record
(its file, index, hash function, buckets and last key). For any other codec or field writer
``block_writer`` gives None and the caller adds postings one by one through Whoosh.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections.abc import Sequence
from itertools import chain
from operator import sub
from pickle import dumps

from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

__all__ = ["BlockWriter", "block_writer"]

_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC
_COMPRESSION_MIN_SIZE = whoosh3.COMPRESSION_MIN_SIZE


# W3TermInfo.to_bytes's layout: flags, total weight, document frequency, shortest and longest
# field length (as bytes), highest weight, first and last document; then where the postings are.
_TERMINFO = whoosh3.W3TermInfo._struct
# A term index record: the key's and the value's lengths (HashWriter.add), then both.
_LENGTHS = filetables._lengths
# A 32-bit float, as the block keeps weights.
_SINGLE = struct.Struct("f")
# Bytes of postings gathered before they are written out.
_FLUSH_AT = 1 << 20


class BlockWriter:
    """Writes whole terms through one W3FieldWriter (see block_writer)."""

    def __init__(self, fieldwriter, limit: int, compression: int) -> None:
        self._fieldwriter = fieldwriter
        self._limit = limit
        self._compression = compression
        self._fixed: int | None = None
        # What is written but not yet handed to the files (both written a megabyte or so at a
        # time), and where in each file the next piece goes.
        self._postings: list[bytes] = []
        self._terms: list[bytes] = []
        self._buffered = 0
        self._offset = 0
        self._terms_at = 0
        self._prefix = b""

    def start_field(self, fieldname: str, fieldobj) -> None:
        """Start a field (through the field writer, which numbers it)."""
        fieldwriter = self._fieldwriter
        fieldwriter.start_field(fieldname, fieldobj)
        self._offset = fieldwriter._postfile.tell()
        self._terms_at = fieldwriter._tindex.dbfile.tell()
        self._prefix = pack_ushort(fieldwriter._fieldid)
        self._fixed = fieldobj.format.fixed_value_size()

    def finish_field(self) -> None:
        self._flush()
        self._fieldwriter.finish_field()

    def _flush(self) -> None:
        fieldwriter = self._fieldwriter
        fieldwriter._postfile.write(b"".join(self._postings))
        fieldwriter._tindex.dbfile.write(b"".join(self._terms))
        self._postings, self._terms, self._buffered = [], [], 0

    def _add_term_info(self, key: bytes, value: bytes) -> None:
        """OrderedHashWriter.add of the field writer's term index, its record kept for the next _flush."""
        tindex = self._fieldwriter._tindex
        if key <= tindex.lastkey:
            raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{key!r}")
        at = self._terms_at
        tindex.index.append(at)
        record = _LENGTHS.pack(len(key), len(value)) + key + value
        self._terms.append(record)
        self._terms_at += len(record)
        hashed = tindex.hashfn(key)
        tindex.buckets[hashed & 255].append((hashed, at))
        tindex.lastkey = key

    def add_term(self, btext: bytes, docnums: array, weights: array, values: bytes | bytearray | Sequence[bytes],
                 lengths: Sequence[int | None]) -> None:
        """One term's postings, as W3FieldWriter's start_term, add (for each) and finish_term write them.

        ``docnums`` ascend (array "I"); ``weights`` (array "d") and ``lengths`` (each passage's field
        length, as the writer would pass it) are per posting; ``values`` are the encoded values, one
        a posting, or for a format of fixed value size all of them in one string (of that size each).
        """
        count = len(docnums)
        if count == 1:
            self._add_one(btext, docnums[0], weights[0], values, lengths[0])
            return
        if not count:
            raise ValueError(f"term {btext!r} has no postings")
        fixed, limit, compression = self._fixed, self._limit, self._compression
        pieces = [_MAGIC]
        size = len(_MAGIC)
        # What W3TermInfo.add_block gathers, block after block.
        total: float = 0
        top: float = 0
        shortest: int | None = None
        longest = 0
        for start in range(0, count, limit):
            end = start + limit
            if end >= count:
                end = count
            if start == 0 and end == count:
                ids, doubles, block_lengths = docnums, weights, lengths
            else:
                ids, doubles, block_lengths = docnums[start:end], weights[start:end], lengths[start:end]
            n = end - start
            minlength: int | None
            maxlength: int
            singles = array("f", doubles)  # the block keeps 32-bit weights; its maximum is of the given ones
            if n == 1:
                deltas: tuple[int, ...] = (ids[0],)
                heaviest = doubles[0]
                length = block_lengths[0]
                minlength, maxlength = (length, length) if length else (None, 0)
                first = singles[0]
                mini_weights: object = None if first == 1.0 else first
            else:
                deltas = tuple(map(sub, ids, chain((0,), ids)))
                heaviest = max(doubles)
                if 0 in block_lengths or None in block_lengths:
                    given = [length for length in block_lengths if length]
                    minlength = min(given) if given else None
                    maxlength = max(given) if given else 0
                else:
                    minlength, maxlength = min(block_lengths), max(block_lengths)  # type: ignore[type-var,assignment]
                first = singles[0]
                if singles.count(first) == n:
                    mini_weights = None if first == 1.0 else first
                else:
                    mini_weights = tuple(singles)
            maxweight = heaviest if heaviest > 0 else 0
            if fixed is None or fixed < 0:
                assert not isinstance(values, (bytes, bytearray)), "a variable-size format's values come one a posting"
                block_values = values if n == count else values[start:end]
                mini_values: object = tuple(value for value in block_values if value)
            elif fixed == 0:
                mini_values = None
            else:
                assert isinstance(values, (bytes, bytearray)), "a fixed-size format's values come in one string"
                mini_values = bytes(values[start * fixed:end * fixed])
            total += sum(singles)
            if shortest is None:
                shortest = minlength
            else:
                shortest = min(shortest, minlength)  # type: ignore[type-var]  # as W3TermInfo.add_block
            longest = max(longest, maxlength)
            top = max(top, maxweight)
            data = dumps((deltas, mini_weights, mini_values), 2)
            level = compression if len(data) >= _COMPRESSION_MIN_SIZE else 0
            if level:
                data = zlib.compress(data, level)
            info = dumps((n, ids[-1], maxweight, level, length_to_byte(minlength), length_to_byte(maxlength)), 2)
            blocklength = len(info) + len(data)
            pieces += (pack_int(-blocklength if end == count else blocklength), info, data)
            size += 4 + blocklength
        self._postings += pieces
        terminfo = _TERMINFO.pack(False, total, count, 0 if shortest is None else length_to_byte(shortest),
                                  length_to_byte(longest), top, docnums[0], docnums[-1])
        self._add_term_info(self._prefix + btext, terminfo + pack_long(self._offset) + pack_int(size))
        self._offset += size
        self._buffered += size
        if self._buffered >= _FLUSH_AT:
            self._flush()

    def _add_one(self, btext: bytes, docnum: int, weight: float, values: bytes | bytearray | Sequence[bytes],
                 length: int | None) -> None:
        """add_term of a term with one posting (two terms in five): the same bytes, made directly."""
        single = _SINGLE.unpack(_SINGLE.pack(weight))[0]  # the block keeps 32-bit weights
        fixed = self._fixed
        if fixed is None or fixed < 0:
            value = values[0]
            mini_values: object = (value,) if value else ()
        elif fixed == 0:
            mini_values = None
        else:
            assert isinstance(values, (bytes, bytearray)), "a fixed-size format's values come in one string"
            mini_values = bytes(values[:fixed])
        data = dumps(((docnum,), None if single == 1.0 else single, mini_values), 2)
        level = self._compression if len(data) >= _COMPRESSION_MIN_SIZE else 0
        if level:
            data = zlib.compress(data, level)
        maxweight = weight if weight > 0 else 0
        lengthbyte = length_to_byte(length) if length else 0
        info = dumps((1, docnum, maxweight, level, lengthbyte, lengthbyte), 2)
        blocklength = len(info) + len(data)
        self._postings += (_MAGIC, pack_int(-blocklength), info, data)
        size = len(_MAGIC) + 4 + blocklength
        terminfo = _TERMINFO.pack(False, 0 + single, 1, lengthbyte, lengthbyte, maxweight, docnum, docnum)
        self._add_term_info(self._prefix + btext, terminfo + pack_long(self._offset) + pack_int(size))
        self._offset += size
        self._buffered += size
        if self._buffered >= _FLUSH_AT:
            self._flush()


def block_writer(fieldwriter) -> BlockWriter | None:
    """A BlockWriter for a whoosh3 field writer whose codec never inlines postings; None otherwise."""
    if type(fieldwriter) is not whoosh3.W3FieldWriter:
        return None
    codec = fieldwriter._codec
    if (type(codec) is not whoosh3.W3Codec or codec._inlinelimit > 1
            or type(fieldwriter._tindex) is not filetables.OrderedHashWriter):
        return None
    return BlockWriter(fieldwriter, codec._blocklimit, codec._compression)
