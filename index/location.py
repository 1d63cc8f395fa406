"""Where the index lives: --index DIR, else $SVAR_INDEX, else a per-user data folder.

Only the per-user folder is ever filled with svar's bundled demo answers (by the first `svar
search` that finds no index there); a folder named by --index or $SVAR_INDEX holds what its user
put there, unless it is that same per-user folder.
"""

from __future__ import annotations

import os
from pathlib import Path


def user_index_dir() -> Path:
    """The per-user index folder, in the user's data folder (``~/.local/share/svar/index`` on Linux)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("svar", appauthor=False)) / "index"


def default_index_dir() -> Path:
    """The index folder used when none is given: $SVAR_INDEX or the per-user folder."""
    configured = os.environ.get("SVAR_INDEX")
    if configured:
        return Path(configured).expanduser()
    return user_index_dir()


def resolve_index_dir(index_dir: str | os.PathLike[str] | None) -> Path:
    """The index folder to use: the one given, else the default."""
    return Path(index_dir).expanduser() if index_dir else default_index_dir()


def is_user_index_dir(index_dir: str | os.PathLike[str]) -> bool:
    """Whether a folder is the per-user index folder, however it was named (the default, $SVAR_INDEX,
    --index; through a link or a relative path): the one folder that may hold the demo answers."""
    return _same_folder(Path(index_dir), user_index_dir())


def bundled_seeds() -> list[Path]:
    """The seed answers shipped with svar, to build a first index from."""
    import svar.seeds

    return sorted(Path(svar.seeds.__file__).parent.glob("*.txt"))


def _same_folder(a: Path, b: Path) -> bool:
    def canonical(path: Path) -> str:
        return os.path.normcase(str(path.expanduser().resolve()))  # resolve: a folder need not exist yet

    return canonical(a) == canonical(b)
