"""What each part of an svar index costs on disk: per field its term table and postings, the stored
fields, the length and value columns Whoosh keeps, and svar's own column file.

    python benchmarks/index_size.py INDEX_DIR

Whoosh writes a segment as one compound file (.seg) of sub-files: terms (.trm: every term with its
statistics, and the postings of a term with few of them inlined), postings (.pst), stored fields
(the _stored column), per-document columns (FIELD.col, the lengths _FIELD_len.col). A term's
entry (its key and encoded info, inlined postings included) counts for its field under "terms"; the
postings in .pst count for the field from the term info's offset and length. svar's columns (.cols beside the segment) are attributed per field
from their directory.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from index import columns, store  # noqa: E402


def sizes(index_dir: Path) -> tuple[Counter, int]:
    """(part name → bytes, total bytes on disk)."""
    ix = store.open_existing(index_dir, preload=False)
    parts: Counter = Counter()
    reader = ix.reader()
    for leaf, _ in reader.leaf_readers():
        segment = leaf.segment()
        if segment is None:
            continue
        compound = segment.open_compound_file(leaf._storage)
        postings_total = term_table = 0
        for name in compound.list():
            length = compound.file_length(name)
            extension = name.split(".", 1)[1] if "." in name else name
            if extension.endswith("pst"):
                postings_total += length
            elif extension.endswith("trm"):
                term_table = length
            else:
                parts[f"whoosh {extension}"] += length
        attributed = term_bytes = 0
        for fieldname in leaf.schema.names():
            if not leaf.schema[fieldname].indexed:
                continue
            terms = leaf._terms
            for btext in leaf.lexicon(fieldname):
                info = terms.term_info(fieldname, btext)
                # its key (field number, term) and info: the fixed part, then inlined postings or a pointer
                inlined = len(pickle.dumps(info._inlined, 2)) if info.is_inlined() else 12
                entry = len(btext) + 2 + info._struct.size + inlined
                parts[f"terms: {fieldname}"] += entry
                term_bytes += entry
                length = info._length
                if isinstance(length, tuple):  # whoosh3 reads it back as unpack_int's 1-tuple
                    length = length[0]
                if length and info._offset is not None and not info.is_inlined():
                    parts[f"postings: {fieldname}"] += length
                    attributed += length
        parts["terms: table overhead"] += term_table - term_bytes
        if postings_total > attributed:
            parts["postings: block headers, unattributed"] += postings_total - attributed
        path = Path(index_dir) / columns.final_name(segment.segment_id())
        found = list(index_dir.rglob(Path(path).name))
        if found:
            column_file = found[0]
            entries = list(columns.SegmentColumns(str(column_file)).entries())
            total = column_file.stat().st_size
            weights: Counter = Counter()
            for (fieldname, _btext), (_offset, count, code, positions) in entries:
                # passages uint32 + weights uint16, positions uint16 each; values: uint64 + uint8 per passage
                weights[fieldname] += count * 6 + positions * 2 if _btext is not None else count * 9
            known = sum(weights.values())
            for fieldname, share in weights.items():
                parts[f"svar columns: {fieldname}"] += share
            parts["svar columns: directory"] += total - known
    stored: Counter = Counter()
    for _docnum, fields in reader.iter_docs():
        for name, value in fields.items():
            stored[name] += len(pickle.dumps(value, 4))
    whole = sum(stored.values())
    total_stored = parts.pop("whoosh _stored.col", 0)
    for name, size in stored.items():  # the stored column's bytes shared out as the fields' pickles are
        parts[f"stored: {name}"] += round(total_stored * size / whole)
    reader.close()
    on_disk = sum(p.stat().st_size for p in Path(index_dir).rglob("*") if p.is_file())
    return parts, on_disk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index_dir", type=Path)
    args = parser.parse_args()
    parts, on_disk = sizes(args.index_dir)
    print("| part | MB | share |\n|---|---:|---:|")
    for name, size in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"| {name} | {size / 1e6:.1f} | {100 * size / on_disk:.1f} % |")
    print(f"| **on disk** | {on_disk / 1e6:.1f} | 100 % |")


if __name__ == "__main__":
    main()
