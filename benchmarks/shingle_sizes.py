"""Which shingle sizes separate related from unrelated pairs: the measurements behind the defaults.

For word n-grams (n = 1..8) and character n-grams (n = 3..8) of the comparison text, exact
Jaccard and containment (the larger of both directions) of labelled pairs:

- seeds: 001~004 (a rewrite) against the 9 other pairs;
- Clough & Stevenson: each answer against its task's source, derived (cut/light/heavy) vs non;
- PAN 2013 subset: the 500 true pairs against 2,000 suspicious-source pairs that ``pairs_all``
  does not list (drawn with a fixed seed).

Printed per corpus and measure: ROC AUC, and the gap between the lowest related and the highest
unrelated score (positive: one threshold separates them all), and the share of related pairs
scoring above every unrelated one (the recall at no false link). Run from the project root::

    .venv/bin/python -m benchmarks.shingle_sizes
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path

import numpy as np

from benchmarks.quality import SEED_REWRITE, load_clough
from benchmarks.quality_base import DEFAULT_CORPORA, FOLDERS, SEEDS, read_documents, roc_auc, table
from benchmarks.quality_pan import load_pan
from dedup import Document, char_shingles, normalize, repair, word_shingles

Pairs = list[tuple[str, str, bool]]
Shingler = Callable[[str], np.ndarray]


def seed_pairs() -> tuple[list[Document], Pairs]:
    """The seeds and their 10 pairs, 001~004 related."""
    docs = read_documents([SEEDS])
    ids = sorted(d.id for d in docs)
    return docs, [(a, b, frozenset((a, b)) == SEED_REWRITE) for a, b in combinations(ids, 2)]


def clough_pairs(folder: Path) -> tuple[list[Document], Pairs]:
    """Answers against their task's source: derived is related, ``non`` is not."""
    docs, labels = load_clough(folder)
    return docs, [(f"orig_task{task}", answer, cat != "non")
                  for answer, (task, cat) in sorted(labels.items())]


def pan_pairs(folder: Path, negatives: int = 2000, seed: int = 0) -> tuple[list[Document], Pairs]:
    """The 500 true pairs and ``negatives`` unlisted suspicious-source pairs."""
    docs, truth, listed, _ = load_pan(folder)
    susp = sorted(d.id for d in docs if d.id.startswith("suspicious"))
    src = sorted(d.id for d in docs if d.id.startswith("source"))
    rng = random.Random(seed)
    pairs: Pairs = [(*sorted(p), True) for p in sorted(truth, key=sorted)]  # type: ignore[misc]
    seen: set[frozenset[str]] = set()
    while len(seen) < negatives:
        pair = frozenset((rng.choice(susp), rng.choice(src)))
        if pair not in listed and pair not in seen:
            seen.add(pair)
            pairs.append((*sorted(pair), False))  # type: ignore[arg-type]
    wanted = {d for a, b, _ in pairs for d in (a, b)}
    return [d for d in docs if d.id in wanted], pairs


def measure(docs: Sequence[Document], pairs: Pairs, shingler: Shingler) -> dict[str, float]:
    """AUC and gap of Jaccard and containment over ``pairs``."""
    norms = {d.id: normalize(repair(d.text)) for d in docs}
    sets = {i: shingler(t) for i, t in norms.items()}
    jac, con, labels = [], [], []
    for a, b, related in pairs:
        x, y = sets[a], sets[b]
        inter = len(np.intersect1d(x, y, assume_unique=True))
        union = len(x) + len(y) - inter
        jac.append(inter / union if union else 0.0)
        con.append(inter / min(len(x), len(y)) if min(len(x), len(y)) else 0.0)
        labels.append(related)
    out: dict[str, float] = {}
    for name, values in (("jaccard", jac), ("containment", con)):
        pos = [v for v, y in zip(values, labels, strict=True) if y]
        neg = [v for v, y in zip(values, labels, strict=True) if not y]
        out[f"{name}_auc"] = roc_auc(values, labels)
        out[f"{name}_gap"] = min(pos) - max(neg)
        out[f"{name}_clear"] = sum(1 for v in pos if v > max(neg)) / len(pos)
    return out


def shinglers() -> list[tuple[str, Shingler]]:
    """Every shingle kind measured."""
    out: list[tuple[str, Shingler]] = []
    for n in range(1, 9):
        out.append((f"word {n}", lambda t, n=n: word_shingles(t, n)))
    for n in range(3, 9):
        out.append((f"char {n}", lambda t, n=n: char_shingles(t, n)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    args = parser.parse_args(argv)
    corpora: list[tuple[str, Callable[[], tuple[list[Document], Pairs]]]] = [
        ("seeds", seed_pairs)]
    for name, load in (("clough", clough_pairs), ("pan", pan_pairs)):
        folder = args.corpora / FOLDERS[name]
        if folder.is_dir():
            corpora.append((name, lambda load=load, folder=folder: load(folder)))
        else:
            print(f"{name}: MISSING at {folder}, skipped")
    for name, load in corpora:
        docs, pairs = load()
        related = sum(1 for *_, y in pairs if y)
        print(f"\n## {name}: {related} related, {len(pairs) - related} unrelated pairs\n")
        rows = []
        for label, shingler in shinglers():
            m = measure(docs, pairs, shingler)
            rows.append([label, *(
                f"{m[f'{k}_auc']:.3f} / {m[f'{k}_gap']:+.3f} / {m[f'{k}_clear']:.2f}"
                for k in ("jaccard", "containment"))])
        print(table(["shingles", "Jaccard: AUC / gap / related above all unrelated",
                     "containment: AUC / gap / related above all unrelated"], rows), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
