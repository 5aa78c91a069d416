"""What labelled related pairs share, for choosing candidate keys: exact sentences, stems.

For each pair of the seeds (all pairs), of Clough (every answer against its task's source,
and the independent answers of one task against each other) and of PAN (the true pairs),
prints how many pairs share an exact sentence key (``Unit.key``: what the index's sentence
keys hold) and the Jaccard and containment of the two documents' content-stem sets (the
stems of their sentences, function words dropped). A candidate key must be shared by the
related pairs and rarely by the others: these numbers say which keys could be (docs/index.md,
"One article against a real index of 100,000 articles").

Usage::

    .venv/bin/python -m benchmarks.key_overlap            # corpora from ../shared/corpora
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path

import numpy as np

from benchmarks.quality import load_clough
from benchmarks.quality_base import DEFAULT_CORPORA, FOLDERS, SEEDS
from benchmarks.quality_pan import load_pan
from dedup import Config, Document
from dedup.document import Features
from dedup.parallel import analyze_many


def _stems(f: Features) -> np.ndarray:
    if not f.units:
        return np.zeros(0, dtype=np.uint32)
    return np.unique(np.concatenate([u.stems for u in f.units]))


def overlap(a: Features, b: Features) -> tuple[int, float, float]:
    """Return the exact sentences two documents share, and their stem Jaccard and containment."""
    sa, sb = _stems(a), _stems(b)
    shared = len(np.intersect1d(sa, sb, assume_unique=True))
    union = len(sa) + len(sb) - shared
    sentences = len({u.key for u in a.units} & {u.key for u in b.units})
    return sentences, shared / max(1, union), shared / max(1, min(len(sa), len(sb)))


def _summary(name: str, rows: Sequence[tuple[int, float, float]]) -> str:
    r = np.array(rows, dtype=float).reshape(-1, 3)
    if not len(r):
        return f"{name}: no pairs"
    return (f"{name}: {len(r)} pairs, sharing an exact sentence {int((r[:, 0] > 0).sum())} "
            f"(2 or more: {int((r[:, 0] > 1).sum())}); stem Jaccard min/median/max "
            f"{r[:, 1].min():.3f}/{np.median(r[:, 1]):.3f}/{r[:, 1].max():.3f}; containment "
            f"min/median/max {r[:, 2].min():.3f}/{np.median(r[:, 2]):.3f}/{r[:, 2].max():.3f}")


def _analyzed(docs: Iterable[Document], config: Config) -> dict[str, Features]:
    return {f.id: f for f in analyze_many(list(docs), config, workers=1)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    args = parser.parse_args(argv)
    config = Config()
    seeds = _analyzed((Document(p.stem, p.read_text(encoding="utf-8"))
                       for p in sorted(SEEDS.glob("*.txt"))), config)
    for a, b in combinations(sorted(seeds), 2):
        print(_summary(f"seeds {a[:3]}~{b[:3]}", [overlap(seeds[a], seeds[b])]))
    clough_dir = args.corpora / FOLDERS["clough"]
    if clough_dir.is_dir():
        docs, labels = load_clough(clough_dir)
        found = _analyzed(docs, config)
        for category in ("cut", "light", "heavy", "non"):
            print(_summary(f"clough {category} vs source",
                           [overlap(found[a], found[f"orig_task{task}"])
                            for a, (task, cat) in labels.items() if cat == category]))
        non = sorted(a for a, (_, cat) in labels.items() if cat == "non")
        print(_summary("clough non vs non, one task",
                       [overlap(found[a], found[b]) for a, b in combinations(non, 2)
                        if labels[a][0] == labels[b][0]]))
    else:
        print(f"clough: not found under {args.corpora}")
    pan_dir = args.corpora / FOLDERS["pan"]
    if pan_dir.is_dir():
        docs, truth, _, _ = load_pan(pan_dir)
        wanted = {d for pair in truth for d in pair}
        found = _analyzed((d for d in docs if d.id in wanted), config)
        print(_summary("pan true pairs", [overlap(*(found[d] for d in sorted(pair)))
                                          for pair in truth]))
    else:
        print(f"pan: not found under {args.corpora}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
