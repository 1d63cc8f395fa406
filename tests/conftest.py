"""Shared fixtures: the seed answers, an index built from them, and a CLI runner pointed at it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from svar.index import location
from svar.search import open_index
from svar.search.library import build_seed_index

# The tests expect svar's English, but the command line speaks the locale's language (a Swedish machine
# would get Swedish, here and in the processes the tests start): the session runs in a neutral locale.
# tests/test_i18n.py sets the locale it tests on each run.
for _variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_000 = SEEDS / "000_0dd4c633e39ebb4b.txt"
SEED_001 = SEEDS / "001_0e0d1be7763e56f3.txt"
SEED_003 = SEEDS / "003_d1b3fe83b20e443f.txt"
SEED_004 = SEEDS / "004_78b7350ddc391e2a.txt"


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed-index")
    build_seed_index(path)
    return path


@pytest.fixture(scope="session")
def seed_index(seed_index_dir):
    with open_index(seed_index_dir) as answers:
        yield answers


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory):
    """The Riksdag corpus index of tests/corpus.py (1,200 answers less 15 removed, several segments),
    built once per session; the tests fail, not skip, without ../shared/corpus."""
    from corpus import build_corpus_index, corpus_missing

    missing = corpus_missing()
    if missing:
        pytest.fail(missing, pytrace=False)
    return build_corpus_index(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def corpus_index_dir(corpus_index) -> Path:
    return corpus_index.path


@pytest.fixture
def runner(monkeypatch, tmp_path) -> CliRunner:
    """A CliRunner whose default index is a fresh folder, so nothing touches the user's data: it stands
    for the per-user folder (the one the first search fills with the seeds) and $SVAR_INDEX names it."""
    monkeypatch.setattr(location, "user_index_dir", lambda: tmp_path / "default-index")
    monkeypatch.setenv("SVAR_INDEX", str(tmp_path / "default-index"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return CliRunner()
