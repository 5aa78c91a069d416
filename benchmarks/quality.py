"""Detection quality of dedup on labelled data nobody here wrote, beside the usual baselines.

Run from the project root::

    .venv/bin/python -m benchmarks.quality                 # every corpus found
    .venv/bin/python -m benchmarks.quality --only clough   # one corpus
    .venv/bin/python -m benchmarks.quality --json out.json # also keep every number

Each corpus is scanned as a user would scan it: all its documents in one ``dedup.scan``, with
no pair given in advance; the links dedup makes are then scored against the labels. In the
same run, the baselines a user would try first: datasketch ``MinHashLSH`` on word 5-shingles
at thresholds 0.5 and 0.8, and exact Jaccard on the same shingles at the threshold that is
best on the very data it is scored on (an upper bound for that baseline). Exact containment
at its best threshold is shown too, because it is the natural measure of partial copies.

Corpora are read from ``../shared/corpora`` (see its README) or ``--corpora``; the script says
which it found and skips the others. Nothing here is a test: ``tests/test_quality_smoke.py``
runs a fast slice.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

import dedup
from benchmarks import corpora_dir, reuse
from dedup import Config, Document, normalize, scan, word_shingles
from dedup.detector import Problem
from dedup.io import read_paths
from dedup.match import align, order_overlap, passage_similarity, text_similarity
from dedup.paragraphs import line_starts

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = corpora_dir()
SEEDS = ROOT / "seeds"
#: Verdicts a reader recorded for sampled PAN links (see docs/quality.md).
PAN_READING = ROOT / "benchmarks" / "pan_reading.json"
CORPUS_NAMES = ("seeds", "clough", "feed", "pan", "msrp")
FOLDERS = {"clough": "clough_stevenson_dev", "pan": "pan13_subset", "msrp": "msrp_train"}
CATEGORIES = ("cut", "light", "heavy", "non")
KIND_COLUMNS = ("exact", "near_duplicate", "partial", "rewrite", "none")
# The kinds the graded Clough labels call for (the mapping).
EXPECTED_KINDS = {
    "cut": {"exact", "near_duplicate"},
    "light": {"near_duplicate", "rewrite"},
    "heavy": {"rewrite"},
    "non": {"none"},
}
#: A link no truth vouches for is still right when the two pages share a verbatim run this long.
RUN_WORDS = 25
#: A link's label when it is right but not one of the true pairs recall counts (see Judge).
RIGHT = 2
SEED_REWRITE = frozenset({"001_22eb800b89b5fc2c", "004_4255ebb52fea5816"})
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


# ------------------------------------------------------------------------------------ seeds


@dataclass
class Section:
    """What one corpus gave: printable text and the numbers behind it."""

    name: str
    text: str
    numbers: dict[str, Any] = field(default_factory=dict)


def _read(paths: Sequence[Path]) -> list[Document]:
    problems: list[Problem] = []
    docs = list(read_paths([str(p) for p in paths], problems))
    if problems:
        raise SystemExit(f"cannot read: {problems[0].source}: {problems[0].message}")
    return docs


def _timed_scan(docs: Sequence[Document], config: Config) -> tuple[dedup.Report, float]:
    start = time.perf_counter()
    report = scan(docs, config)
    return report, time.perf_counter() - start


def evaluate_seeds(config: Config) -> Section:
    """The core acceptance on the seeds, with the margin of every verification threshold."""
    docs = _read([SEEDS])
    report, seconds = _timed_scan(docs, config)
    links = {frozenset((m.a, m.b)): m for m in report.matches}
    truth = {SEED_REWRITE}

    evaluate = Judge(lambda pair: 1 if pair in truth else 0, len(truth))

    rows = [("dedup", evaluate(set(links)))]
    base = run_baselines(docs)
    rows += baseline_rows(base, evaluate)
    feats = {d.id: dedup.analyze(d, config) for d in docs}
    margins = []
    loose = config.replace(min_passages=1, rewrite_threshold=0.0, partial_threshold=1.0,
                           near_duplicate_threshold=1.0)
    for a, b in combinations(sorted(feats), 2):
        m = dedup.compare(feats[a], feats[b], loose)
        margins.append({
            "pair": f"{a[:3]}~{b[:3]}", "related": frozenset((a, b)) in truth,
            "jaccard": m.jaccard if m else 0.0,
            "containment": max(m.a_in_b, m.b_in_a) if m else 0.0,
            "aligned": aligned_count(feats[a], feats[b], config),
            "score": rewrite_score(m, feats[a], feats[b]),
            "kind": links[frozenset((a, b))].kind if frozenset((a, b)) in links else "none",
        })
    text = [f"{len(docs)} documents, {len(report.matches)} links, scan {seconds:.2f} s",
            table(["method", "precision", "recall", "F1", "tp/fp/fn"],
                  [[name, *prf.row()] for name, prf in rows]), "",
            "Every seed pair measured by the verifier (all thresholds open):",
            table(["pair", "related", "jaccard", "containment", "aligned sentences", "score",
                   "kind"],
                  [[r["pair"], "yes" if r["related"] else "no", f"{r['jaccard']:.3f}",
                    f"{r['containment']:.3f}", r["aligned"], f"{r['score']:.3f}", r["kind"]]
                   for r in margins])]
    return Section("seeds", "\n".join(text), {
        "links": sorted(sorted(p) for p in links), "scan_seconds": seconds,
        "methods": {name: prf.to_dict() for name, prf in rows}, "pairs": margins})


def rewrite_score(m: dedup.Match | None, a: dedup.document.Features,
                  b: dedup.document.Features) -> float:
    """The score ``compare`` gives a pair, also where too few sentences align to compute it."""
    return max(m.score if m else 0.0, order_overlap(a.units, b.units))


def aligned_count(a: dedup.document.Features, b: dedup.document.Features, config: Config) -> int:
    """Return how many sentence pairs the verifier aligns between two documents."""
    return len(align(passage_similarity(a.units, b.units), config.passage_threshold))


# ----------------------------------------------------------------------------------- clough


def load_clough(folder: Path) -> tuple[list[Document], dict[str, tuple[str, str]]]:
    """Return the answers and sources, and each answer's (task, category)."""
    with (folder / "file_list.csv").open(encoding="utf-8") as f:
        labels = {row["File"].removesuffix(".txt"): (row["Task"], row["Category"])
                  for row in csv.DictReader(f)}
    return _read([folder / "texts"]), labels


def _clough_truth(labels: dict[str, tuple[str, str]]) -> tuple[set[Pair], set[Pair]]:
    """Return the answer-source pairs that are derived, and every pair that may be linked.

    Two answers derived from one source share its text, so a link between them is right too;
    any link touching a ``non`` answer, or across tasks, is wrong.
    """
    derived = {a for a, (_, c) in labels.items() if c != "non"}
    source_pairs = {frozenset((a, f"orig_task{labels[a][0]}")) for a in derived}
    allowed = set(source_pairs)
    for a, b in combinations(sorted(derived), 2):
        if labels[a][0] == labels[b][0]:
            allowed.add(frozenset((a, b)))
    return source_pairs, allowed


#: The setting the leave-one-task-out check of Clough tunes, and the values it tries.
LOTO_SETTING = "rewrite_threshold"
LOTO_GRID = tuple(round(0.10 + 0.02 * k, 2) for k in range(16))


def clough_loto(docs: Sequence[Document], labels: dict[str, tuple[str, str]], config: Config,
                setting: str = LOTO_SETTING, grid: Sequence[float] = LOTO_GRID
                ) -> dict[str, Any]:
    """Leave one task out: ``setting`` chosen on two tasks' answers, tested on the third's.

    The whole corpus is scanned once per value of ``grid`` (as a user scans it); each task's
    answer-source links are counted apart. For each held-out task, the value with the best
    derived-vs-non F1 over the other two tasks is chosen (ties: the one nearest the default),
    and its counts on the held-out task are kept; the three folds' counts are pooled.
    """
    tasks = sorted({t for t, _ in labels.values()})
    counts: dict[float, dict[str, PRF]] = {}
    for value in grid:
        report = scan(docs, config.replace(**{setting: value}))
        links = {frozenset((m.a, m.b)) for m in report.matches}
        counts[value] = {}
        for task in tasks:
            linked = [c for a, (t, c) in labels.items()
                      if t == task and frozenset((a, f"orig_task{t}")) in links]
            derived = sum(1 for a, (t, c) in labels.items() if t == task and c != "non")
            tp = sum(1 for c in linked if c != "non")
            counts[value][task] = PRF(tp, len(linked) - tp, derived - tp)
    default = getattr(config, setting)
    folds = []
    pooled = PRF(0, 0, 0)
    for held in tasks:
        def train(value: float, held: str = held) -> PRF:
            parts = [counts[value][t] for t in tasks if t != held]
            return PRF(sum(p.tp for p in parts), sum(p.fp for p in parts),
                       sum(p.fn for p in parts))
        best = max(grid, key=lambda v: (round(train(v).f1, 9), -abs(v - default)))
        test = counts[best][held]
        pooled = PRF(pooled.tp + test.tp, pooled.fp + test.fp, pooled.fn + test.fn)
        folds.append({"held_out": held, "chosen": best, "train_f1": train(best).f1,
                      **test.to_dict()})
    return {"setting": setting, "grid": list(grid), "folds": folds, **pooled.to_dict()}


def evaluate_clough(folder: Path, config: Config) -> Section:
    """Derived vs non, per category, and kind against the graded labels."""
    docs, labels = load_clough(folder)
    report, seconds = _timed_scan(docs, config)
    links = {frozenset((m.a, m.b)): m for m in report.matches}
    source_pairs, allowed = _clough_truth(labels)
    answer_source = {frozenset((a, f"orig_task{t}")) for a, (t, _) in labels.items()}

    # Answer level: an answer is called derived when it is linked to its task's source.
    evaluate = Judge(lambda pair: (1 if pair in source_pairs else 0)
                     if pair in answer_source else None, len(source_pairs))

    rows = [("dedup", evaluate(set(links)))]
    base = run_baselines(docs)
    rows += baseline_rows(base, evaluate)
    per_cat: dict[str, Counter[str]] = {c: Counter() for c in CATEGORIES}
    scores: list[dict[str, Any]] = []
    for answer, (task, cat) in sorted(labels.items()):
        m = links.get(frozenset((answer, f"orig_task{task}")))
        per_cat[cat][m.kind if m else "none"] += 1
    feats = {d.id: dedup.analyze(d, config) for d in docs}
    loose = config.replace(min_passages=1, rewrite_threshold=0.0, partial_threshold=1.0,
                           near_duplicate_threshold=1.0)
    for answer, (task, cat) in sorted(labels.items()):
        m = dedup.compare(feats[f"orig_task{task}"], feats[answer], loose)
        found = links.get(frozenset((answer, f"orig_task{task}")))
        scores.append({"answer": answer, "category": cat,
                       "jaccard": m.jaccard if m else 0.0,
                       "containment": max(m.a_in_b, m.b_in_a) if m else 0.0,
                       "score": rewrite_score(m, feats[f"orig_task{task}"], feats[answer]),
                       "aligned": aligned_count(feats[f"orig_task{task}"], feats[answer], config),
                       "kind": found.kind if found else "none"})
    linked_any = {d for p in links for d in p}
    non = [a for a, (_, c) in labels.items() if c == "non"]
    wrong = [p for p in links if p not in allowed]
    recall_rows = []
    for cat in CATEGORIES:
        n = sum(per_cat[cat].values())
        hit = n - per_cat[cat]["none"]
        recall_rows.append([cat, n, hit, f"{hit / n:.3f}" if n else "-"])
    agree = sum(per_cat[c][k] for c in CATEGORIES for k in EXPECTED_KINDS[c])
    start = time.perf_counter()
    loto = clough_loto(docs, labels, config)
    loto_seconds = time.perf_counter() - start
    text = [
        f"{len(docs)} documents ({len(labels)} answers, 3 sources), {len(links)} links, "
        f"scan {seconds:.2f} s",
        "Answer level, derived (cut/light/heavy) vs non: an answer is called derived when it is "
        "linked to its task's source.",
        table(["method", "precision", "recall", "F1", "tp/fp/fn"],
              [[name, *prf.row()] for name, prf in rows]), "",
        "dedup, per category (linked to the source):",
        table(["category", "answers", "linked", "share"], recall_rows), "",
        f"`non` answers linked to anything: {sum(1 for a in non if a in linked_any)} of "
        f"{len(non)}; links that join a `non` answer or cross tasks: {len(wrong)} of "
        f"{len(links)} (links between two derived answers of one task count as right).", "",
        "Kind of the answer-source link against the graded label (expected: cut -> exact or "
        "near_duplicate, light -> near_duplicate or rewrite, heavy -> rewrite, non -> none):",
        table(["category", *KIND_COLUMNS],
              [[c, *(per_cat[c][k] for k in KIND_COLUMNS)] for c in CATEGORIES]),
        f"Kinds as the labels expect: {agree} of {len(labels)}.", "",
        f"Leave one task out: `{loto['setting']}` chosen among {loto['grid'][0]}-"
        f"{loto['grid'][-1]} (step {loto['grid'][1] - loto['grid'][0]:.2f}) for the best "
        "derived-vs-non F1 on two tasks' answers (ties: nearest the default), tested on the "
        f"third's; counts pooled over the three folds: F1 {loto['f1']:.3f} "
        f"({loto['tp']}/{loto['fp']}/{loto['fn']}).",
        table(["held-out task", "chosen", "F1 on the two others", "F1 held out",
               "tp/fp/fn held out"],
              [[f["held_out"], f["chosen"], f"{f['train_f1']:.3f}", f"{f['f1']:.3f}",
                f"{f['tp']}/{f['fp']}/{f['fn']}"] for f in loto["folds"]]),
        f"({len(loto['grid'])} scans, {loto_seconds:.1f} s.)",
    ]
    return Section("clough", "\n".join(text), {
        "loto": loto,
        "scan_seconds": seconds, "methods": {name: prf.to_dict() for name, prf in rows},
        "per_category": {c: dict(per_cat[c]) for c in CATEGORIES},
        "non_linked": sum(1 for a in non if a in linked_any), "non_total": len(non),
        "wrong_links": len(wrong), "links": len(links), "kind_agreement": agree,
        "scores": scores,
        "thresholds": {"near_duplicate": config.near_duplicate_threshold,
                       "partial": config.partial_threshold,
                       "rewrite": config.rewrite_threshold,
                       "min_passages": config.min_passages}})


# -------------------------------------------------------------------------------------- pan


@dataclass
class Span:
    """A reused passage: offsets in the suspicious and the source document."""

    susp: str
    src: str
    this_offset: int
    this_length: int
    source_offset: int
    source_length: int


_FEATURE = re.compile(r"<feature\b[^>]*>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def load_pan(folder: Path, limit: int | None = None
             ) -> tuple[list[Document], set[Pair], set[Pair], list[Span]]:
    """Return documents, true pairs, listed pairs and true spans (``limit`` true pairs).

    With ``limit``, only the documents of the first ``limit`` true pairs (by name) and as many
    other documents again are read: a slice for quick runs.
    """
    truth_dir = folder / "truth_02-no-obfuscation"
    spans: list[Span] = []
    truth: set[Pair] = set()
    files = sorted(truth_dir.glob("*.xml"))
    for xml in files[:limit] if limit else files:
        text = xml.read_text(encoding="utf-8")
        susp = re.search(r'reference="([^"]+)"', text)
        if susp is None:
            raise SystemExit(f"{xml}: no reference attribute")
        susp_id = susp.group(1).removesuffix(".txt")
        for feature in _FEATURE.findall(text):
            attrs = dict(_ATTR.findall(feature))
            src_id = attrs["source_reference"].removesuffix(".txt")
            truth.add(frozenset((susp_id, src_id)))
            spans.append(Span(susp_id, src_id, int(attrs["this_offset"]),
                              int(attrs["this_length"]), int(attrs["source_offset"]),
                              int(attrs["source_length"])))
    listed: set[Pair] = set()
    for line in (folder / "pairs_all").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            listed.add(frozenset(p.removesuffix(".txt") for p in parts))
    paths = sorted((folder / "susp").glob("*.txt")) + sorted((folder / "src").glob("*.txt"))
    if limit:
        wanted = {d for p in truth for d in p}
        others = [p for p in paths if p.stem not in wanted][:: max(1, len(paths) // len(wanted))]
        paths = [p for p in paths if p.stem in wanted] + others[: len(wanted)]
    return _read(paths), truth, listed, spans


def _reanchor(susp: str, src: str, span: Span, slack: int = 150) -> tuple[range, range]:
    """Move a true span to where the verbatim text really is (the offsets are shifted).

    Matching blocks of 20 or more characters between windows around both spans mark the
    reused text; the re-anchored spans run from the first to the last such block.
    """
    s0 = max(0, span.this_offset - slack)
    s1 = min(len(susp), span.this_offset + span.this_length + slack)
    r0 = max(0, span.source_offset - slack)
    r1 = min(len(src), span.source_offset + span.source_length + slack)
    matcher = difflib.SequenceMatcher(None, susp[s0:s1], src[r0:r1], autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 20]
    if not blocks:
        return (range(span.this_offset, span.this_offset + span.this_length),
                range(span.source_offset, span.source_offset + span.source_length))
    return (range(s0 + blocks[0].a, s0 + blocks[-1].a + blocks[-1].size),
            range(r0 + blocks[0].b, r0 + blocks[-1].b + blocks[-1].size))


def _is_cross(pair: Pair) -> bool:
    """True for a suspicious-source pair (the only pairs PAN labels)."""
    return {d.split("-")[0] for d in pair} == {"suspicious", "source"}


def _oriented(pair: Pair) -> tuple[str, str]:
    """Return (suspicious, source) of a cross pair."""
    susp = next(d for d in pair if d.startswith("suspicious"))
    return susp, next(d for d in pair if d != susp)


def load_reading(path: Path) -> dict[Pair, str]:
    """Return the verdicts a reader recorded for PAN links: ``reuse`` or ``unrelated``.

    Raises:
        SystemExit: a verdict other than those two, naming the pair and the file.
    """
    if not path.is_file():
        return {}
    verdicts: dict[Pair, str] = {}
    for row in json.loads(path.read_text(encoding="utf-8"))["readings"]:
        if row["verdict"] not in ("reuse", "unrelated"):
            raise SystemExit(f"{path}: {row['a']} ~ {row['b']}: verdict {row['verdict']!r}, "
                             "expected 'reuse' or 'unrelated'")
        verdicts[frozenset((row["a"], row["b"]))] = row["verdict"]
    return verdicts


def _excerpt(text: str, span: range, width: int) -> str:
    return " ".join(text[span.start: span.stop].split())[:width]


@dataclass
class PanLinks:
    """The scored suspicious-source links of a PAN scan under the fair rule."""

    truth: list[Pair]
    verbatim: list[Pair]
    unverified: list[Pair]
    runs: dict[Pair, reuse.Run]

    @property
    def total(self) -> int:
        return len(self.truth) + len(self.verbatim) + len(self.unverified)


def _runs(pairs: Iterable[Pair], texts: dict[str, str]) -> dict[Pair, reuse.Run]:
    """The longest verbatim word run of each pair (words cached per document)."""
    cache: dict[str, list[str]] = {}

    def words_of(doc: str) -> list[str]:
        if doc not in cache:
            cache[doc] = reuse.words(texts[doc])
        return cache[doc]

    out = {}
    for pair in pairs:
        a, b = sorted(pair)
        out[pair] = reuse.longest_run(words_of(a), words_of(b))
    return out


def pan_passages(folder: Path, docs: Sequence[Document], spans: Sequence[Span],
                 links: dict[Pair, dedup.Match]) -> dict[str, Any]:
    """PAN's character measures of dedup's passages on the true pairs (see reuse.pan_scores).

    Each true span is re-anchored first (the published offsets are shifted); a passage's
    characters are its whole lines (``Passage`` reports lines), newlines left out.
    """
    texts = {d.id: d.text for d in docs}
    cases: dict[object, list[reuse.Alignment]] = {}
    shifts: list[int] = []
    kept = 0
    for s in spans:
        a, b = _reanchor(texts[s.susp], texts[s.src], s)
        if a.start == s.this_offset and len(a) == s.this_length:
            kept += 1
        shifts.append(abs(a.start - s.this_offset))
        cases.setdefault(frozenset((s.susp, s.src)), []).append(reuse.Alignment(a, b))
    detections: dict[object, list[reuse.Alignment]] = {}
    for pair in cases:
        m = links.get(pair)  # type: ignore[call-overload]
        if m is None:
            continue
        susp, src = _oriented(pair)  # type: ignore[arg-type]
        starts = {d: line_starts(texts[d]) for d in (susp, src)}
        found = []
        for p in m.passages:
            susp_lines, src_lines = (p.a_lines, p.b_lines) if m.a == susp else \
                (p.b_lines, p.a_lines)
            found.append(reuse.Alignment(
                reuse.line_span(starts[susp], len(texts[susp]), susp_lines),
                reuse.line_span(starts[src], len(texts[src]), src_lines)))
        detections[pair] = found
    as_reported = reuse.pan_scores(cases, detections)
    merged = reuse.pan_scores(cases, {k: reuse.merge_touching(v)
                                      for k, v in detections.items()})
    return {"reported": as_reported, "merged": merged, "spans": len(spans),
            "unmoved": kept, "median_shift": float(np.median(shifts)) if shifts else 0.0}


def evaluate_pan(folder: Path, config: Config, limit: int | None = None,
                 sample: int = 40, seed: int = 1, reading: Path | None = None) -> Section:
    """Pair recall and fair precision (truth or a shared verbatim run), a seeded sample of
    the links neither vouches for, and PAN's character measures of the passages."""
    docs, truth, listed, spans = load_pan(folder, limit)
    texts = {d.id: d.text for d in docs}
    report, seconds = _timed_scan(docs, config)
    links = {frozenset((m.a, m.b)): m for m in report.matches}
    base = run_baselines(docs, keep=lambda a, b: _is_cross(frozenset((a, b))))

    # A run of RUN_WORDS words gives RUN_WORDS - 4 shared word 5-grams, so pairs sharing fewer
    # cannot hold one: only the others (and every dedup link, for the sample) are aligned.
    start = time.perf_counter()
    to_align = {p for p in links if _is_cross(p) and p not in truth}
    to_align |= {p for p, n in base.shared.items() if n >= RUN_WORDS - 4 and p not in truth}
    runs = _runs(sorted(to_align, key=sorted), texts)
    align_seconds = time.perf_counter() - start

    def label(pair: Pair) -> int | None:
        if not _is_cross(pair):
            return None
        if pair in truth:
            return 1
        run = runs.get(pair)
        return RIGHT if run is not None and run.length >= RUN_WORDS else 0

    evaluate = Judge(label, len(truth))
    rows = [("dedup", evaluate(set(links)))]
    rows += baseline_rows(base, evaluate)
    cross = sorted((p for p in links if _is_cross(p)), key=sorted)
    scored = PanLinks([p for p in cross if p in truth],
                      [p for p in cross if label(p) == RIGHT],
                      [p for p in cross if label(p) == 0], runs)
    verdicts = load_reading(reading) if reading else {}
    picked = sorted(reuse.stable_sample(scored.unverified, sample, seed), key=sorted)
    read = [verdicts[p] for p in picked if p in verdicts]
    reused = sum(1 for v in read if v == "reuse")
    lo, hi = reuse.binomial_interval(reused, len(read))
    sure = len(scored.truth) + len(scored.verbatim)
    n = max(1, scored.total)
    estimate = {"lower_bound": sure / n,
                "point": (sure + len(scored.unverified) * reused / len(read)) / n
                if read else float("nan"),
                "low": (sure + len(scored.unverified) * lo) / n,
                "high": (sure + len(scored.unverified) * hi) / n,
                "read": len(read), "read_reuse": reused}
    passages = pan_passages(folder, docs, spans, links)
    kinds = Counter(links[p].kind for p in truth if p in links)
    same_side = [p for p in links if not _is_cross(p)]
    susp_n = sum(1 for d in docs if d.id.startswith("suspicious"))
    listed_unverified = sum(1 for p in scored.unverified if p in listed)

    def kind_counts(pairs: Iterable[Pair]) -> str:
        counts = Counter(links[p].kind for p in pairs)
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"

    text = [
        f"{len(docs)} documents ({susp_n} suspicious, {len(docs) - susp_n} source), "
        f"{len(truth)} true pairs, {len(links)} links, scan {seconds:.1f} s, verbatim runs of "
        f"{len(runs)} pairs aligned in {align_seconds:.1f} s",
        f"Suspicious-source links: right when a true pair or when the two pages share an exact "
        f"run of {RUN_WORDS}+ words (longest common run of normalized words); every other "
        "link counts wrong here (a lower bound: the subset labels no negatives).",
        table(["method", "precision", "recall", "F1", "tp/fp/fn"],
              [[name, *prf.row()] for name, prf in rows]), "",
        f"dedup's {scored.total} suspicious-source links: {len(scored.truth)} true pairs "
        f"({kind_counts(scored.truth)}), {len(scored.verbatim)} others sharing a run of "
        f"{RUN_WORDS}+ words ({kind_counts(scored.verbatim)}), {len(scored.unverified)} "
        f"neither ({kind_counts(scored.unverified)}; {listed_unverified} of them listed in "
        f"`pairs_all`). Links between two suspicious or two source pages: {len(same_side)} "
        "(not scored).", "",
        f"Precision by the rule: {estimate['lower_bound']:.3f}. With the reading of a seeded "
        f"sample of the links neither vouches for ({len(picked)} drawn with seed {seed}, "
        f"{len(read)} read, {reused} of them reuse): "
        + (f"{estimate['point']:.3f}, 95% interval {estimate['low']:.3f}-{estimate['high']:.3f} "
           "(Wilson interval of the sample's share of reuse, applied to all the links it "
           "stands for)." if read else "not read yet (record verdicts in the reading file)."),
        "", "The sample to read (the best shared run, and the most similar aligned passage of "
        "each side):",
        *_sample_lines(picked, links, texts, runs, verdicts), "",
        _passage_text(passages),
    ]
    return Section("pan", "\n".join(text), {
        "scan_seconds": seconds, "align_seconds": align_seconds,
        "methods": {name: prf.to_dict() for name, prf in rows},
        "links": {"truth": len(scored.truth), "verbatim": len(scored.verbatim),
                  "unverified": len(scored.unverified), "same_side": len(same_side),
                  "unverified_listed": listed_unverified},
        "kinds_true": dict(kinds), "precision": estimate,
        "sample": [sorted(p) for p in picked],
        "passages": {k: (v.__dict__ | {"f1": v.f1, "plagdet": v.plagdet})
                     if isinstance(v, reuse.PanScores) else v for k, v in passages.items()},
        "documents": len(docs),
        "unverified": sorted([*sorted(p), links[p].kind, runs[p].length]
                             for p in scored.unverified)})


def _sample_lines(picked: Sequence[Pair], links: dict[Pair, dedup.Match],
                  texts: dict[str, str], runs: dict[Pair, reuse.Run],
                  verdicts: dict[Pair, str], width: int = 240) -> list[str]:
    """The sample, one block a link: ids, kind, best run, read verdict, an excerpt a side."""
    out = []
    for k, pair in enumerate(picked, start=1):
        m = links[pair]
        a, b = sorted(pair)
        run = runs[pair]
        shared = " ".join(reuse.words(texts[a])[run.a_start: run.a_start + min(run.length, 30)])
        out.append(f"[{k}] {a} ~ {b}: {m.kind}, score {m.score:.3f}, {len(m.passages)} "
                   f"passages; read: {verdicts.get(pair, 'unread')}; best shared run "
                   f"{run.length} words: \"{shared}\"")
        if not m.passages:
            out.append("    (no passage reported: judge by the shared run)")
        else:
            p = max(m.passages, key=lambda p: p.similarity)
            for doc, lines in ((m.a, p.a_lines), (m.b, p.b_lines)):
                span = reuse.line_span(line_starts(texts[doc]), len(texts[doc]), lines)
                out.append(f"    {doc.split('-')[0][:4]} {p.similarity:.2f}: "
                           f"{_excerpt(texts[doc], span, width)}")
    return out


def _passage_text(passages: dict[str, Any]) -> str:
    """The character measures, as reported and with touching passages merged."""
    rows = []
    for name, label in (("reported", "as reported"),
                        ("merged", "touching passages merged (not PAN's rule)")):
        s: reuse.PanScores = passages[name]
        rows.append([label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.granularity:.2f}",
                     f"{s.plagdet:.3f}", f"{s.detected_cases}/{s.cases}", s.detections])
    return "\n".join([
        f"Passages on the true pairs, characters as PAN scores them (macro precision and "
        f"recall, granularity, plagdet = F1 / log2(1 + granularity)); {passages['spans']} "
        f"true spans re-anchored to their best local alignment ({passages['unmoved']} left "
        f"where the offsets put them, median shift {passages['median_shift']:.0f} characters); "
        "a passage's characters are its whole lines:",
        table(["passages", "precision", "recall", "granularity", "plagdet",
               "cases detected", "detections"], rows)])


# ------------------------------------------------------------------------------------- msrp


def load_msrp(folder: Path, limit: int | None = None) -> list[tuple[bool, str, str]]:
    """Return (paraphrase, sentence 1, sentence 2) per pair: TAB-separated, UTF-8 with BOM."""
    rows = []
    text = (folder / "msr_paraphrase_train.txt").read_text(encoding="utf-8-sig")
    for line in text.splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) == 5:
            rows.append((parts[0] == "1", parts[3], parts[4]))
    return rows[:limit] if limit else rows


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _msrp_failures(pairs: Sequence[tuple[bool, str, str]], sims: Sequence[float],
                   threshold: float) -> dict[str, float]:
    """Describe the pairs the scorer gets wrong: numbers, length, low overlap."""
    from dedup.document import passage_unit

    config = Config()
    fp = fp_numbers = fp_longer = fn = fn_longer = 0
    missed: list[float] = []
    for (label, a, b), sim in zip(pairs, sims, strict=True):
        if label == (sim >= threshold):
            continue
        na, nb = len(passage_unit(a, config).stems), len(passage_unit(b, config).stems)
        longer = max(na, nb) >= 1.5 * max(1, min(na, nb))
        if label:
            fn += 1
            fn_longer += longer
            missed.append(sim)
        else:
            fp += 1
            fp_numbers += set(_NUMBER.findall(a)) != set(_NUMBER.findall(b))
            fp_longer += longer
    return {"fp": fp, "fp_numbers": fp_numbers / max(1, fp), "fp_longer": fp_longer / max(1, fp),
            "fn": fn, "fn_longer": fn_longer / max(1, fn),
            "fn_median": float(np.median(missed)) if missed else float("nan")}


#: Seeds of the MSRP protocol: each splits the pairs in two halves, a threshold is tuned on
#: one and tested on the other, both ways.
MSRP_SPLITS = (1, 2, 3, 4, 5)


def split_half_accuracy(scores: Sequence[float], labels: Sequence[bool],
                        seeds: Sequence[int] = MSRP_SPLITS) -> dict[str, Any]:
    """Accuracy and F1 of "score >= t" with ``t`` tuned on one half and tested on the other.

    For each seed the pairs are split in two halves; each half's most accurate threshold is
    tested on the other half. Returns the mean test accuracy and F1, their range, and the
    thresholds chosen.
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    accs: list[float] = []
    f1s: list[float] = []
    chosen: list[float] = []
    for seed in seeds:
        first, second = reuse.split_halves(len(s), seed)
        for tune, test in ((first, second), (second, first)):
            t = reuse.tune_threshold(s[tune], y[tune])
            pred = s[test] >= t
            truth = y[test]
            accs.append(float((pred == truth).mean()))
            prf = PRF(int((pred & truth).sum()), int((pred & ~truth).sum()),
                      int((~pred & truth).sum()))
            f1s.append(prf.f1)
            chosen.append(t)
    return {"accuracy": float(np.mean(accs)), "accuracy_min": min(accs),
            "accuracy_max": max(accs), "f1": float(np.mean(f1s)), "thresholds": chosen}


def evaluate_msrp(folder: Path, config: Config, limit: int | None = None) -> Section:
    """dedup's sentence similarity against lexical baselines, each at a threshold tuned on
    half the pairs and tested on the other half (see split_half_accuracy)."""
    pairs = load_msrp(folder, limit)
    labels = [y for y, _, _ in pairs]
    start = time.perf_counter()
    sims = [text_similarity(a, b, config) for _, a, b in pairs]
    seconds = time.perf_counter() - start
    measures: dict[str, list[float]] = {
        "dedup sentence similarity (`text_similarity`)": sims,
        "word-unigram Jaccard": [reuse.jaccard(set(reuse.words(a)), set(reuse.words(b)))
                                 for _, a, b in pairs],
        "character 3-gram Dice": [reuse.dice(reuse.char_ngrams(a), reuse.char_ngrams(b))
                                  for _, a, b in pairs],
    }
    results = {name: split_half_accuracy(scores, labels) | {"auc": roc_auc(scores, labels)}
               for name, scores in measures.items()}
    y = np.asarray(labels)
    fixed = np.asarray(sims) >= config.passage_threshold
    fixed_prf = PRF(int((fixed & y).sum()), int((fixed & ~y).sum()), int((~fixed & y).sum()))
    fixed_acc = float((fixed == y).mean())
    majority = float(y.mean())
    rows = [[name, f"{r['accuracy']:.3f} ({r['accuracy_min']:.3f}-{r['accuracy_max']:.3f})",
             f"{r['f1']:.3f}", f"{r['auc']:.3f}",
             f"{min(r['thresholds']):.3f}-{max(r['thresholds']):.3f}"]
            for name, r in results.items()]
    rows.append([f"dedup at its default `passage_threshold` {config.passage_threshold} "
                 "(no tuning, all pairs)", f"{fixed_acc:.3f}", f"{fixed_prf.f1:.3f}", "-",
                 f"{config.passage_threshold}"])
    rows.append(["everything a paraphrase (majority class)", f"{majority:.3f}",
                 f"{PRF(int(y.sum()), int((~y).sum()), 0).f1:.3f}", "0.500", "-"])
    failures = _msrp_failures(pairs, sims, config.passage_threshold)
    text = [
        f"{len(pairs)} sentence pairs ({sum(labels)} paraphrases), dedup's similarity "
        f"{seconds:.1f} s",
        f"Protocol: for each of the seeds {', '.join(map(str, MSRP_SPLITS))}, the pairs are "
        "split in two halves; the most accurate threshold on one half is tested on the other, "
        f"both ways: the mean (and range) of the {2 * len(MSRP_SPLITS)} test accuracies.",
        table(["measure", "accuracy, tuned on the other half", "F1", "ROC AUC",
               "thresholds chosen"], rows),
        "(Word 5-gram measures are left out: most sentence pairs share no 5-gram, so they "
        "degenerate to the majority class.)", "",
        f"Where dedup's similarity fails at t={config.passage_threshold}: "
        f"{failures['fp']} non-paraphrases called paraphrases, of which "
        f"{failures['fp_numbers']:.0%} differ in a number and {failures['fp_longer']:.0%} have "
        f"one sentence with 1.5 times the content words of the other (it adds a clause); "
        f"{failures['fn']} paraphrases missed, of which {failures['fn_longer']:.0%} differ that "
        f"much in length; half of them share less than {failures['fn_median']:.2f} "
        "(Dice) of their content stems.",
    ]
    return Section("msrp", "\n".join(text), {
        "methods": results, "fixed": {"accuracy": fixed_acc, **fixed_prf.to_dict()},
        "majority": majority, "failures": failures, "scorer_seconds": seconds,
        "scores": [[bool(y), float(s)] for y, s in zip(labels, sims, strict=True)]})


# ------------------------------------------------------------------------------------- feed


#: The kind each relation of the generated feed calls for (a pair whose two texts normalize
#: to the same text calls for ``exact`` whatever its relation). Relations not here are shown
#: in the matrix but not counted in the share.
FEED_KINDS = {"syndicated": "near_duplicate", "light_edit": "near_duplicate",
              "partial": "partial", "rewrite": "rewrite"}
FEED_ARTICLES = 2_000
FEED_SEED = 1


def evaluate_feed(corpora: Path, config: Config, n: int = FEED_ARTICLES,
                  seed: int = FEED_SEED) -> Section:
    """Kinds against the generated feed's truth relations (``benchmarks/feed.py``).

    Each derived article's truth names its parent and its relation; the pair's kind is the
    kind of dedup's link between them (``none`` without one). Links between two articles of
    one family that are not parent and child (two copies of one story), and between
    families, are counted apart.
    """
    from benchmarks import feed

    start = time.perf_counter()
    rows = list(feed.iter_records(n, seed, feed.load_vocabulary(corpora)))
    made = time.perf_counter() - start
    docs = [Document(r["id"], r["text"]) for r, _ in rows]
    texts = {r["id"]: r["text"] for r, _ in rows}
    truth = [t for _, t in rows]
    report, seconds = _timed_scan(docs, config)
    links = {frozenset((m.a, m.b)): m for m in report.matches}
    family = {str(t["id"]): str(t["family"]) for t in truth}
    related = {frozenset((str(t["parent"]), str(t["id"]))): str(t["relation"])
               for t in truth if t["parent"] is not None}
    matrix: dict[str, Counter[str]] = {}
    agree = counted = 0
    for pair, relation in sorted(related.items(), key=lambda kv: sorted(kv[0])):
        kind = links[pair].kind if pair in links else "none"
        a, b = sorted(pair)
        expected = "exact" if normalize(texts[a]) == normalize(texts[b]) else \
            FEED_KINDS.get(relation)
        if expected is not None:
            counted += 1
            agree += kind == expected
        matrix.setdefault(relation, Counter())[kind] += 1
    for pair, m in links.items():
        if pair in related:
            continue
        a, b = sorted(pair)
        row = "same family, not parent-child" if family[a] == family[b] else \
            "different families"
        matrix.setdefault(row, Counter())[m.kind] += 1
    share = agree / counted if counted else float("nan")
    order = list(dict.fromkeys(r for r in (*feed.RELATIONS[1:], *sorted(matrix))
                               if r in matrix))
    text = [
        f"{n} generated articles (seed {seed}, made in {made:.1f} s), "
        f"{len(related)} parent-child pairs, {len(links)} links, scan {seconds:.1f} s",
        "Kind of dedup's link per truth relation (expected: "
        + ", ".join(f"{r} -> {k}" for r, k in FEED_KINDS.items())
        + "; `exact` when the two texts normalize alike). The last rows count links only:",
        table(["relation", *KIND_COLUMNS],
              [[r, *(matrix[r][k] for k in KIND_COLUMNS)] for r in order]),
        f"Related pairs given the kind of their relation: {agree} of {counted} "
        f"({share:.3f}).",
    ]
    return Section("feed", "\n".join(text), {
        "articles": n, "seed": seed, "scan_seconds": seconds, "agree": agree,
        "counted": counted, "share": share,
        "matrix": {r: dict(c) for r, c in matrix.items()}})


# ------------------------------------------------------------------------------------- main


def find_corpora(root: Path) -> dict[str, Path | None]:
    """Return each corpus folder under ``root``, or ``None`` where it is missing."""
    found: dict[str, Path | None] = {"seeds": SEEDS if SEEDS.is_dir() else None,
                                     "feed": root if root.is_dir() else None}
    for name, folder in FOLDERS.items():
        path = root / folder
        found[name] = path if path.is_dir() else None
    return found


def run(names: Sequence[str], corpora: Path, config: Config, pan_limit: int | None = None,
        msrp_limit: int | None = None, out: Any = sys.stdout, pan_sample: int = 40,
        pan_reading: Path | None = PAN_READING,
        feed_articles: int = FEED_ARTICLES) -> dict[str, Section]:
    """Evaluate the named corpora that are present; print each section as it is done."""
    found = find_corpora(corpora)
    print(f"dedup {dedup.__version__}; corpora from {corpora}", file=out)
    for name in names:
        where = found[name]
        print(f"  {name}: {'found at ' + str(where) if where else 'MISSING, skipped'}", file=out)
    sections: dict[str, Section] = {}
    for name in names:
        where = found[name]
        if where is None:
            continue
        start = time.perf_counter()
        if name == "seeds":
            section = evaluate_seeds(config)
        elif name == "clough":
            section = evaluate_clough(where, config)
        elif name == "feed":
            section = evaluate_feed(where, config, feed_articles)
        elif name == "pan":
            section = evaluate_pan(where, config, pan_limit, pan_sample, reading=pan_reading)
        else:
            section = evaluate_msrp(where, config, msrp_limit)
        section.numbers["seconds"] = time.perf_counter() - start
        sections[name] = section
        print(f"\n## {name}\n\n{section.text}\n\n(section {name}: "
              f"{section.numbers['seconds']:.0f} s)", file=out, flush=True)
    return sections


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA,
                        help="folder holding the labelled corpora (default: %(default)s)")
    parser.add_argument("--only", default=",".join(CORPUS_NAMES),
                        help="comma-separated corpora to run (default: %(default)s)")
    parser.add_argument("--pan-limit", type=int, default=None,
                        help="only the first N true PAN pairs and as many other documents")
    parser.add_argument("--msrp-limit", type=int, default=None, help="only the first N pairs")
    parser.add_argument("--feed-articles", type=int, default=FEED_ARTICLES,
                        help="articles of the generated feed (default: %(default)s)")
    parser.add_argument("--pan-sample", type=int, default=40,
                        help="PAN links neither truth nor a verbatim run vouches for, printed "
                             "to read (default: %(default)s)")
    parser.add_argument("--pan-reading", type=Path, default=PAN_READING,
                        help="verdicts recorded for sampled PAN links (default: %(default)s)")
    parser.add_argument("--json", type=Path, default=None, help="also write every number here")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="change one Config setting (to measure alternatives)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(names) - set(CORPUS_NAMES))
    if unknown:
        parser.error(f"unknown corpus {', '.join(unknown)}; known: {', '.join(CORPUS_NAMES)}")
    changes: dict[str, Any] = {}
    for item in args.set:
        name, _, value = item.partition("=")
        changes[name] = json.loads(value)
    config = Config().replace(**changes)
    sections = run(names, args.corpora, config, args.pan_limit, args.msrp_limit,
                   pan_sample=args.pan_sample, pan_reading=args.pan_reading,
                   feed_articles=args.feed_articles)
    if args.json:
        args.json.write_text(json.dumps(
            {"dedup_version": dedup.__version__, "config": config.to_dict(),
             **{n: s.numbers for n, s in sections.items()}}, indent=1, default=str),
            encoding="utf-8")
    missing = [n for n in names if n not in sections]
    if missing:
        print(f"\nNot measured (corpus missing): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
