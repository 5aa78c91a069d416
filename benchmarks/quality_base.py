"""What every section of the quality harness shares: link scores, the baselines a user
would try first, reading and scanning a corpus (see ``benchmarks/quality.py``)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

import dedup
from benchmarks import corpora_dir
from dedup import Config, Document, normalize, scan, word_shingles
from dedup.detector import Problem
from dedup.io import read_paths

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = corpora_dir()
SEEDS = ROOT / "seeds"
FOLDERS = {"clough": "clough_stevenson_dev", "pan": "pan13_subset", "msrp": "msrp_train"}
KIND_COLUMNS = ("exact", "near_duplicate", "partial", "rewrite", "none")
#: A link's label when it is right but not one of the true pairs recall counts (see Judge).
RIGHT = 2
Pair = frozenset[str]


# ----------------------------------------------------------------------------------- scores


@dataclass
class PRF:
    """Counts of a link prediction and the precision, recall and F1 they give.

    ``extra`` counts links that are right without being one of the true pairs recall is
    counted over (PAN: pages sharing a verbatim run that the truth does not list).
    """

    tp: int
    fp: int
    fn: int
    extra: int = 0

    @property
    def precision(self) -> float:
        right = self.tp + self.extra
        return right / (right + self.fp) if right + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> list[str]:
        right = f"{self.tp}+{self.extra}" if self.extra else f"{self.tp}"
        return [f"{self.precision:.3f}", f"{self.recall:.3f}", f"{self.f1:.3f}",
                f"{right}/{self.fp}/{self.fn}"]

    def to_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "extra": self.extra,
                "precision": self.precision, "recall": self.recall, "f1": self.f1}


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Return the ROC AUC: the chance a random positive outscores a random negative.

    >>> roc_auc([0.9, 0.8, 0.1], [True, False, False])
    1.0
    >>> roc_auc([0.5, 0.5], [True, False])
    0.5
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    pos, neg = int(y.sum()), int((~y).sum())
    if not pos or not neg:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # Average ranks over ties (Mann-Whitney U).
    _, first, counts = np.unique(sorted_s, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


@dataclass
class Judge:
    """Scores a set of links: ``label(pair)`` is 1 (a true pair), ``RIGHT`` (right, but not
    one of the true pairs), 0 (counted false) or None (left out); ``positives`` is how many
    true pairs there are."""

    label: Any
    positives: int

    def __call__(self, found: Iterable[Pair]) -> PRF:
        labels = [self.label(p) for p in found]
        tp = sum(1 for v in labels if v == 1)
        return PRF(tp, sum(1 for v in labels if v == 0), self.positives - tp,
                   sum(1 for v in labels if v == RIGHT))


def best_threshold(scored: dict[Pair, float], judge: Judge) -> tuple[float, PRF]:
    """Return the threshold on ``scored`` whose links have the best F1, and their scores.

    One sweep down the sorted scores, so that PAN's hundreds of thousands of pairs are cheap.
    """
    best: tuple[float, PRF] = (1.0, PRF(0, 0, judge.positives))
    items = sorted(((v, judge.label(p)) for p, v in scored.items() if v > 0.0), reverse=True,
                   key=lambda item: item[0])
    tp = fp = extra = 0
    for k, (value, label) in enumerate(items):
        tp += label == 1
        fp += label == 0
        extra += label == RIGHT
        if k + 1 < len(items) and items[k + 1][0] == value:
            continue  # a threshold takes every pair of equal score
        prf = PRF(tp, fp, judge.positives - tp, extra)
        if prf.f1 > best[1].f1:
            best = (value, prf)
    return best


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


# -------------------------------------------------------------------------------- baselines


def baseline_shingles(docs: Sequence[Document]) -> dict[str, np.ndarray]:
    """Word 5-shingles of each document, as a user would make them (normalized words)."""
    return {d.id: word_shingles(normalize(d.text), 5) for d in docs}


def lsh_links(shingles: dict[str, np.ndarray], threshold: float, num_perm: int = 128) -> set[Pair]:
    """Return the pairs datasketch ``MinHashLSH`` puts in one bucket at ``threshold``."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    links: set[Pair] = set()
    for key, hashes in shingles.items():
        if hashes.size == 0:
            continue
        mh = MinHash(num_perm=num_perm, seed=1, hashfunc=lambda h: h)
        mh.update_batch(hashes.tolist())
        links.update(frozenset((key, other)) for other in lsh.query(mh))
        lsh.insert(key, mh)
    return links


def exact_overlaps(shingles: dict[str, np.ndarray], keep: Any = None
                   ) -> tuple[dict[Pair, float], dict[Pair, float], dict[Pair, int]]:
    """Return the exact Jaccard, the larger containment and the count of shared shingles of
    every pair sharing a shingle.

    ``keep(a, b)`` may restrict the pairs kept (all pairs by default).
    """
    ids = list(shingles)
    sizes = np.array([len(shingles[i]) for i in ids], dtype=np.float64)
    allh = np.concatenate([shingles[i] for i in ids]) if ids else np.empty(0, np.uint32)
    _, cols = np.unique(allh, return_inverse=True)
    rows = np.repeat(np.arange(len(ids)), sizes.astype(np.int64))
    x = sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)),
                          shape=(len(ids), int(cols.max()) + 1 if len(cols) else 0))
    inter = sparse.triu(x @ x.T, k=1).tocoo()
    jac: dict[Pair, float] = {}
    con: dict[Pair, float] = {}
    shared: dict[Pair, int] = {}
    for i, j, v in zip(inter.row, inter.col, inter.data, strict=True):
        a, b = ids[i], ids[j]
        if keep is not None and not keep(a, b):
            continue
        pair = frozenset((a, b))
        jac[pair] = float(v / (sizes[i] + sizes[j] - v))
        con[pair] = float(v / min(sizes[i], sizes[j]))
        shared[pair] = int(v)
    return jac, con, shared


@dataclass
class Baselines:
    """The links of every baseline on one corpus."""

    lsh: dict[float, set[Pair]]
    jaccard: dict[Pair, float]
    containment: dict[Pair, float]
    shared: dict[Pair, int]


def run_baselines(docs: Sequence[Document], keep: Any = None) -> Baselines:
    """Compute the baseline links of ``docs``."""
    shingles = baseline_shingles(docs)
    jac, con, shared = exact_overlaps(shingles, keep)
    return Baselines({t: lsh_links(shingles, t) for t in (0.5, 0.8)}, jac, con, shared)


def baseline_rows(base: Baselines, evaluate: Judge) -> list[tuple[str, PRF]]:
    """Score every baseline with ``evaluate``."""
    out = [(f"datasketch MinHashLSH t={t}", evaluate(links)) for t, links in base.lsh.items()]
    t, prf = best_threshold(base.jaccard, evaluate)
    out.append((f"exact Jaccard, best t={t:.3f}", prf))
    t, prf = best_threshold(base.containment, evaluate)
    out.append((f"exact containment, best t={t:.3f}", prf))
    return out


# ---------------------------------------------------------------------------------- corpora


@dataclass
class Section:
    """What one corpus gave: printable text and the numbers behind it."""

    name: str
    text: str
    numbers: dict[str, Any] = field(default_factory=dict)


def read_documents(paths: Sequence[Path]) -> list[Document]:
    """Read files or folders as the CLI does; a file that cannot be read stops the run."""
    problems: list[Problem] = []
    docs = list(read_paths([str(p) for p in paths], problems))
    if problems:
        raise SystemExit(f"cannot read: {problems[0].source}: {problems[0].message}")
    return docs


def timed_scan(docs: Sequence[Document], config: Config) -> tuple[dedup.Report, float]:
    """Scan ``docs`` and return the report and the seconds it took."""
    start = time.perf_counter()
    report = scan(docs, config)
    return report, time.perf_counter() - start
