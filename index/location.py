"""Where the index lives: --index DIR, else $SVAR_INDEX, else a per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path


def default_index_dir() -> Path:
    """The index folder used when none is given: $SVAR_INDEX or the user's data folder."""
    configured = os.environ.get("SVAR_INDEX")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("svar", appauthor=False)) / "index"


def resolve_index_dir(index_dir: str | os.PathLike[str] | None) -> Path:
    """The index folder to use: the one given, else the default."""
    return Path(index_dir).expanduser() if index_dir else default_index_dir()


def bundled_seeds() -> list[Path]:
    """The seed answers shipped with svar, to build a first index from."""
    import svar.seeds

    return sorted(Path(svar.seeds.__file__).parent.glob("*.txt"))
