"""Measuring relevance: MRR@k and recall@k of a judged query set, per kind of query."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .library import AnswerIndex


@dataclass(frozen=True)
class Judgement:
    """A query with the passages a demanding user wants, each named by dnr and a quoted substring
    (None: any passage of that answer)."""

    id: str
    query: str
    kind: str
    relevant: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class Score:
    """MRR@k and recall@k over the queries of one kind."""

    kind: str
    queries: int
    mrr: float
    recall: float


def load_judgements(path: Path) -> list[Judgement]:
    """Read a judged query set (JSON Lines: id, query, kind, relevant: [{dnr, text}])."""
    judgements = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            relevant = tuple((r["dnr"], r.get("text")) for r in item["relevant"])
            judgements.append(Judgement(item["id"], item["query"], item["kind"], relevant))
    return judgements


def _normal(text: str) -> str:
    return " ".join(text.split())


def _is(relevant: tuple[str, str | None], dnr: str, text: str) -> bool:
    return relevant[0] == dnr and (relevant[1] is None or _normal(relevant[1]) in _normal(text))


def judge(index: AnswerIndex, judgement: Judgement, *, k: int = 10, strict: bool = False) -> tuple[float, float]:
    """Reciprocal rank of the first relevant passage and the share of relevant entries found, in the top k."""
    hits = index.search(judgement.query, limit=k, strict=strict, snippets=False).hits
    reciprocal = 0.0
    found = set()
    for hit in hits:
        matched = [i for i, r in enumerate(judgement.relevant) if _is(r, hit.dnr, hit.text)]
        if matched and not reciprocal:
            reciprocal = 1.0 / hit.rank
        found.update(matched)
    return reciprocal, len(found) / len(judgement.relevant)


def evaluate(index: AnswerIndex, judgements: list[Judgement], *, k: int = 10, strict: bool = False) -> dict[str, Score]:
    """Scores per kind of query, and over all queries under "all"."""
    by_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for judgement in judgements:
        outcome = judge(index, judgement, k=k, strict=strict)
        by_kind[judgement.kind].append(outcome)
        by_kind["all"].append(outcome)
    return {
        kind: Score(kind, len(rows), sum(r for r, _ in rows) / len(rows), sum(c for _, c in rows) / len(rows))
        for kind, rows in by_kind.items()
    }
