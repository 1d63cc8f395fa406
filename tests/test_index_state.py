"""The index under any sequence of changes equals a fresh build of the same files.

A hypothesis state machine adds answer files, revises them, corrects their diary numbers, deletes
them (and removes their answers), each change followed by an incremental run, and rebuilds, in any
order. After every run the index must hold exactly what a fresh build of the folder holds: the same
answers, passage for passage, and the same matches for a few searches. (Not the same scores: as in any
engine of segments, a replaced passage counts in the term statistics until its segment is merged.)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from svar.search import open_index
from svar.search.library import rebuild_index, update_index

from generated import answer_text

NUMBERS = range(4)  # files answer-0 … answer-3, each a seed answer (they take turns)
EXTRAS = ["Skyddsfonden ska utvärderas under året.", "Familjehemmen får mer stöd.", "Barn och unga först."]
QUERIES = ["barn", '"barn och unga"', "skyddsfonden", "familjehem* -besök"]


def _contents(index_dir: Path) -> tuple:
    """What a user can see of an index: each answer's passages, and what the searches match."""
    with open_index(index_dir) as answers:
        documents = tuple(
            (d.dnr, tuple((p.passage, p.kind, p.question, p.text) for p in answers.document(d.dnr).passages))
            for d in sorted(answers.documents(), key=lambda d: d.dnr))
        pages = tuple(
            (q, r.total, frozenset((h.dnr, h.passage) for h in r.hits))
            for q in QUERIES for r in [answers.search(q, limit=1000, snippets=False)])
    return documents, pages


class IndexState(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="svar-state-"))
        self.folder = self.root / "in"
        self.folder.mkdir()
        self.index_dir = self.root / "ix"
        self.files: dict[int, tuple[int, str]] = {}  # file number → (its dnr's number, extra sentence)
        self.indexed = False
        self.next_dnr = 100

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _write(self, number: int) -> None:
        dnr, extra = self.files[number]
        text = answer_text(number, extra=extra).replace(f"Dnr KS 2031/{number}", f"Dnr KS 2031/{dnr}", 1)
        (self.folder / f"answer-{number}.txt").write_text(text, encoding="utf-8")

    @initialize()
    def two_answers_indexed(self) -> None:
        for number in (0, 1):
            self.files[number] = (number, "")
            self._write(number)
        self.index()

    @rule(number=st.sampled_from(NUMBERS))
    def add_file(self, number: int) -> None:
        if number not in self.files:
            self.files[number] = (number, "")
            self._write(number)
        self.index()

    @rule(number=st.sampled_from(NUMBERS), extra=st.sampled_from(EXTRAS))
    def revise_file(self, number: int, extra: str) -> None:
        if number in self.files:
            self.files[number] = (self.files[number][0], extra)
            self._write(number)
        self.index()

    @rule(number=st.sampled_from(NUMBERS))
    def correct_dnr(self, number: int) -> None:
        if number in self.files:
            self.next_dnr += 1
            self.files[number] = (self.next_dnr, self.files[number][1])
            self._write(number)
        self.index()

    @precondition(lambda self: self.indexed)
    @rule(number=st.sampled_from(NUMBERS))
    def delete_file_and_its_answer(self, number: int) -> None:
        if number in self.files:
            dnr, _ = self.files.pop(number)
            (self.folder / f"answer-{number}.txt").unlink()
            with open_index(self.index_dir) as answers:
                answers.remove([f"KS 2031/{dnr}"])
        self.index()

    def index(self) -> None:
        update_index(self.index_dir, [self.folder], workers=1)
        self.indexed = True
        self._check()

    @rule()
    def rebuild(self) -> None:
        rebuild_index(self.index_dir, [self.folder], workers=1)
        self.indexed = True
        self._check()

    def _check(self) -> None:
        fresh = self.root / f"fresh-{self.next_dnr}"
        shutil.rmtree(fresh, ignore_errors=True)
        rebuild_index(fresh, [self.folder], workers=1)
        assert _contents(self.index_dir) == _contents(fresh)
        shutil.rmtree(fresh)

    @invariant()
    def never_an_old_dnr(self) -> None:
        if self.indexed:
            with open_index(self.index_dir) as answers:
                indexed = {d.dnr for d in answers.documents()}
            # What is indexed comes from files as they are now or were at the last run; a removed
            # answer never comes back.
            assert indexed <= {f"KS 2031/{n}" for n in range(self.next_dnr + 1)}


IndexState.TestCase.settings = settings(max_examples=10, stateful_step_count=6, deadline=None)
test_the_index_always_equals_a_fresh_build_of_its_files = IndexState.TestCase
