"""Column files: one beside every live segment, gone with its segment, and a damaged one costs only
speed, never a result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from svar.index import parallel, store
from svar.index.columns import SegmentColumns
from svar.search import open_index
from svar.search.library import update_index

from generated import write_answers


def _segments(index_dir: Path) -> tuple[set[str], set[str], list[str]]:
    """The live generation's segment ids, the segment ids its column files are for, and leftovers."""
    live = store.live_generation(index_dir).path
    names = [p.name for p in live.iterdir()]
    segments = {n[:-len(".seg")] for n in names if n.endswith(".seg")}
    columns = {n[:-len(".cols")] for n in names if n.endswith(".cols")}
    leftovers = [n for n in names if n.endswith("cols.tmp")]
    return segments, columns, leftovers


def _page(result) -> list[tuple[str, int, float]]:
    return [(h.dnr, h.passage, round(h.score, 9)) for h in result.hits]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Forty answers analysed by two worker processes, then nine more deliveries of one answer each:
    at eight segments the merge policy merges the small ones into the new one."""
    root = tmp_path_factory.mktemp("columns")
    write_answers(root / "in", range(40))
    with pytest.MonkeyPatch.context() as patch:  # small batches, so forty answers go to the workers
        patch.setattr(parallel, "PARALLEL_FROM", 8)
        patch.setattr(parallel, "BATCH", 6)
        update_index(root / "ix", [root / "in"], workers=2)
    assert len(_segments(root / "ix")[0]) == 2
    for number in range(40, 49):
        write_answers(root / f"later-{number}", [number])
        update_index(root / "ix", [root / f"later-{number}"], workers=1)
    return root / "ix"


def test_every_live_segment_has_its_columns_and_no_dead_one_does(built):
    segments, columns, leftovers = _segments(built)
    # The workers' segments; the seventh delivery merged the six before it into its own; two since.
    # (A worker that started late may hold under a quarter of the other's passages: then the
    # merge took its segment too, as test_parallel shows.)
    assert len(segments) in (4, 5)
    assert columns == segments
    assert leftovers == []


def test_a_damaged_column_file_only_slows_the_search(built, tmp_path):
    with open_index(built) as answers:
        before = answers.search("socialtjänsten barn", limit=10, snippets=False)
        assert before.total == 268
    copy = tmp_path / "ix"
    shutil.copytree(built, copy)
    for path in copy.rglob("*.cols"):
        path.write_bytes(path.read_bytes()[:100])  # cut short, as by a full disk
    with open_index(copy) as answers:
        after = answers.search("socialtjänsten barn", limit=10, snippets=False)
    # Every posting is then read from Whoosh: the same page, scores and total.
    assert (after.total, _page(after)) == (268, _page(before))


def test_columns_without_positions_give_the_same_phrases(tmp_path, monkeypatch):
    # A term whose columns hold no positions (one past 65,535, say) has them read from Whoosh.
    built = tmp_path / "ix"
    write_answers(tmp_path / "in", range(40))
    update_index(built, [tmp_path / "in"], workers=1)
    for number in range(40, 43):
        write_answers(tmp_path / f"later-{number}", [number])
        update_index(built, [tmp_path / f"later-{number}"], workers=1)
    texts = ('"barn och unga"', '"rätt stöd" barn', '"enskilda fall" skyddsfonden', 'socialtjänsten "barn och unga"')
    with open_index(built) as answers:
        before = [(r.total, r.total_exact, _page(r)) for r in (answers.search(t, snippets=False) for t in texts)]
    monkeypatch.setattr(SegmentColumns, "positions", lambda self, fieldname, btext: None)
    with open_index(built) as answers:
        after = [(r.total, r.total_exact, _page(r)) for r in (answers.search(t, snippets=False) for t in texts)]
    assert [b[:2] for b in before] == [(130, True), (204, True), (21, True), (226, True)]
    assert after == before


