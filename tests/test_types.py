"""The library type-checks: mypy over svar.index and svar.search, with the settings in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_error_in_the_library(tmp_path):
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    # The repository maps its folders to packages (index/ is svar.index): mypy sees them as installed.
    package = tmp_path / "svar"
    package.mkdir()
    for folder in ("index", "search"):
        (package / folder).symlink_to(REPO / folder, target_is_directory=True)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "mypy-cache"), "svar"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found")


def test_the_public_api_is_what_all_lists():
    """Every name in svar.search.__all__ is there (most are imported on first use), and it names the
    entry points an embedding program needs: opening, filters, results, errors, the language."""
    import svar.search as api

    resolved = {name: getattr(api, name) for name in api.__all__}
    assert [name for name, value in resolved.items()
            if not getattr(value, "__module__", "svar.").startswith("svar.")] == []
    assert {"open_index", "AnswerIndex", "Filters", "FilterField", "FilterError", "SearchResult", "Hit",
            "Document", "SvarError", "use_language"} <= set(api.__all__)
    with pytest.raises(AttributeError):
        api.not_there  # noqa: B018
