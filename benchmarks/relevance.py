#!/usr/bin/env python3
"""Relevance on the judged query sets: MRR@10 and recall@10 per kind of query, for svar's full
analysis and for the plain stemmed analyzer (strict search), side by side.

    python benchmarks/relevance.py [--riksdag-docs 1000] [--cost]

The seed set is judged over the four bundled seeds; the Riksdag sets (riksdag.jsonl, and
riksdag-quotable.jsonl for the kinds of issue 23) over 1,000 interpellations from ../shared/corpus
rendered by its make_answers.py (--docs 1000 --seed 7), reported as one table. The blind set
(riksdag-blind.jsonl: 80 queries of the held-out kinds of issue 23) is judged over 2,000 other
interpellations (--docs 2000 --seed 11); a helper wrote it from those documents without ever running
svar, and nothing was tuned on it: its first figures (2026-12-06, commit message) stand in for a
held-out set. Tuning on it from now on would make it one more development set. With --cost it also
builds the Riksdag index without the variant fields and reports the time and size they add.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from svar.index import writing
from svar.index.location import bundled_seeds
from svar.search import open_index
from svar.search.evaluation import evaluate, load_judgements

HERE = Path(__file__).resolve().parent
JUDGED = HERE.parent / "tests" / "judged"
CORPUS = HERE.parent.parent / "shared" / "corpus"
KINDS = ["plain", "question", "compound", "query-compound", "elliptic", "folded", "false-friend", "typo", "typo-swap",
         "name", "phrase", "negated-phrase", "paraphrase", "all"]
# The Riksdag sets: judged over the same 1,000 interpellations; the second holds the kinds of issue 23
# (query-side compounds, å/ä/ö false friends, swapped letters, names, negated phrases, paraphrases).
RIKSDAG_SETS = ("riksdag.jsonl", "riksdag-quotable.jsonl")
# The blind set: its own sample of the corpus, (documents, seed) for make_answers.py.
BLIND_SET, BLIND_SAMPLE = "riksdag-blind.jsonl", (2000, 11)


def riksdag_files(target: Path, docs: int, seed: int = 7) -> Path:
    """Render a judged Riksdag sample as answer-shaped files (deterministic for a seed)."""
    subprocess.run([sys.executable, str(CORPUS / "make_answers.py"), str(target), "--docs", str(docs), "--seed",
                    str(seed)], check=True, stdout=subprocess.DEVNULL)
    return target


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def table(name: str, index_dir: Path, *judged: Path) -> list[str]:
    judgements = [j for path in judged for j in load_judgements(path)]
    with open_index(index_dir) as answers:
        full = evaluate(answers, judgements)
        plain = evaluate(answers, judgements, strict=True)
    lines = [f"**{name}** ({len(judgements)} queries)", "",
             "| kind | queries | MRR@10 full | MRR@10 plain | recall@10 full | recall@10 plain |",
             "|---|---:|---:|---:|---:|---:|"]
    for kind in KINDS:
        if kind in full:
            f, p = full[kind], plain[kind]
            lines.append(f"| {kind} | {f.queries} | {f.mrr:.3f} | {p.mrr:.3f} | {f.recall:.3f} | {p.recall:.3f} |")
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--riksdag-docs", type=int, default=1000)
    parser.add_argument("--cost", action="store_true", help="also measure what the variant fields cost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        writing.index_files(tmp / "seeds", bundled_seeds())
        out = table("Seeds", tmp / "seeds", JUDGED / "seeds.jsonl")
        if (JUDGED / "riksdag.jsonl").exists() and CORPUS.exists():
            files = riksdag_files(tmp / "rd", args.riksdag_docs)
            started = time.perf_counter()
            report = writing.index_files(tmp / "rd-index", [files])
            full_seconds = time.perf_counter() - started
            out += table(f"Riksdag ({args.riksdag_docs} interpellations)", tmp / "rd-index",
                         *(JUDGED / name for name in RIKSDAG_SETS))
            if (JUDGED / BLIND_SET).exists():
                blind = riksdag_files(tmp / "blind", *BLIND_SAMPLE)
                writing.index_files(tmp / "blind-index", [blind])
                out += table(f"Riksdag, blind set ({BLIND_SAMPLE[0]:,} other interpellations)", tmp / "blind-index",
                             JUDGED / BLIND_SET)
            if args.cost:
                started = time.perf_counter()
                writing.index_files(tmp / "rd-plain", [files], variants=False)
                plain_seconds = time.perf_counter() - started
                full_size, plain_size = size_of(tmp / "rd-index"), size_of(tmp / "rd-plain")
                out += [
                    f"Indexing cost of the variant fields (exact, parts, folded) on {args.riksdag_docs} "
                    f"interpellations, {report.passages} passages:", "",
                    "| | build seconds | size on disk |", "|---|---:|---:|",
                    f"| plain fields only | {plain_seconds:.1f} | {plain_size / 1e6:.1f} MB |",
                    f"| with variant fields | {full_seconds:.1f} | {full_size / 1e6:.1f} MB |",
                    f"| ratio | {full_seconds / plain_seconds:.2f}× | {full_size / plain_size:.2f}× |", "",
                ]
    print("\n".join(out))


if __name__ == "__main__":
    main()
