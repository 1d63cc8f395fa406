"""Opening and creating the Whoosh index on disk, with its schema version, as svar's own errors."""

from __future__ import annotations

import json
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from .errors import IndexDamagedError, IndexMissingError
from .schema import SCHEMA_VERSION, build_schema

INDEX_NAME = "svar"
VERSION_FILE = "svar-index.json"
REBUILD_HINT = "run `svar index --rebuild`"


def exists(index_dir: Path) -> bool:
    """Whether a svar index has been created in this folder."""
    return (index_dir / VERSION_FILE).is_file() and whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME)


def create(index_dir: Path) -> Index:
    """Create an empty index (replacing nothing: the folder must not hold one)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(index_dir), build_schema(), indexname=INDEX_NAME)
    (index_dir / VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}) + "\n", encoding="utf-8")
    return ix


def open_existing(index_dir: Path) -> Index:
    """Open an index for reading or writing, or say clearly why it cannot be opened."""
    if not index_dir.exists() or not any(index_dir.glob(f"_{INDEX_NAME}_*.toc")):
        raise IndexMissingError(f"no index at {index_dir}: run `svar index` to build one")
    check_version(index_dir)
    try:
        return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    except Exception as exc:  # Whoosh raises many types for a damaged TOC or segment
        raise IndexDamagedError(f"index at {index_dir} is damaged ({type(exc).__name__}): {REBUILD_HINT}") from exc


def open_or_create(index_dir: Path) -> Index:
    """Open the index, creating an empty one if the folder holds none."""
    if not index_dir.exists() or not any(index_dir.glob(f"_{INDEX_NAME}_*.toc")):
        return create(index_dir)
    return open_existing(index_dir)


def check_version(index_dir: Path) -> None:
    try:
        recorded = json.loads((index_dir / VERSION_FILE).read_text(encoding="utf-8"))["schema_version"]
    except (OSError, ValueError, KeyError, TypeError):
        raise IndexDamagedError(f"index at {index_dir} has no readable version record: {REBUILD_HINT}") from None
    if recorded != SCHEMA_VERSION:
        raise IndexDamagedError(
            f"index at {index_dir} was built by another svar version (schema {recorded}, "
            f"this svar reads {SCHEMA_VERSION}): {REBUILD_HINT}"
        )
