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
from benchmarks import corpora_dir
from dedup import Config, Document, normalize, scan, word_shingles
from dedup.detector import Problem
from dedup.io import read_paths
from dedup.match import align, order_overlap, passage_similarity, text_similarity
from dedup.paragraphs import line_starts

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = corpora_dir()
SEEDS = ROOT / "seeds"
CORPUS_NAMES = ("seeds", "clough", "pan", "msrp")
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
SEED_REWRITE = frozenset({"001_22eb800b89b5fc2c", "004_4255ebb52fea5816"})
Pair = frozenset[str]


# ----------------------------------------------------------------------------------- scores


@dataclass
class PRF:
    """Counts of a link prediction and the precision, recall and F1 they give."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> list[str]:
        return [f"{self.precision:.3f}", f"{self.recall:.3f}", f"{self.f1:.3f}",
                f"{self.tp}/{self.fp}/{self.fn}"]

    def to_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision,
                "recall": self.recall, "f1": self.f1}


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
    """Scores a set of links: ``label(pair)`` is 1 (true), 0 (counted false) or None (left
    out); ``positives`` is how many true pairs there are."""

    label: Any
    positives: int

    def __call__(self, found: Iterable[Pair]) -> PRF:
        labels = [self.label(p) for p in found]
        tp = sum(1 for v in labels if v == 1)
        return PRF(tp, sum(1 for v in labels if v == 0), self.positives - tp)


def best_threshold(scored: dict[Pair, float], judge: Judge) -> tuple[float, PRF]:
    """Return the threshold on ``scored`` whose links have the best F1, and their scores.

    One sweep down the sorted scores, so that PAN's hundreds of thousands of pairs are cheap.
    """
    best: tuple[float, PRF] = (1.0, PRF(0, 0, judge.positives))
    items = sorted(((v, judge.label(p)) for p, v in scored.items() if v > 0.0), reverse=True,
                   key=lambda item: item[0])
    tp = fp = 0
    for k, (value, label) in enumerate(items):
        tp += label == 1
        fp += label == 0
        if k + 1 < len(items) and items[k + 1][0] == value:
            continue  # a threshold takes every pair of equal score
        prf = PRF(tp, fp, judge.positives - tp)
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


def exact_overlaps(shingles: dict[str, np.ndarray],
                   keep: Any = None) -> tuple[dict[Pair, float], dict[Pair, float]]:
    """Return the exact Jaccard and the larger containment of every pair sharing a shingle.

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
    for i, j, v in zip(inter.row, inter.col, inter.data, strict=True):
        a, b = ids[i], ids[j]
        if keep is not None and not keep(a, b):
            continue
        pair = frozenset((a, b))
        jac[pair] = float(v / (sizes[i] + sizes[j] - v))
        con[pair] = float(v / min(sizes[i], sizes[j]))
    return jac, con


@dataclass
class Baselines:
    """The links of every baseline on one corpus."""

    lsh: dict[float, set[Pair]]
    jaccard: dict[Pair, float]
    containment: dict[Pair, float]


def run_baselines(docs: Sequence[Document], keep: Any = None) -> Baselines:
    """Compute the baseline links of ``docs``."""
    shingles = baseline_shingles(docs)
    jac, con = exact_overlaps(shingles, keep)
    return Baselines({t: lsh_links(shingles, t) for t in (0.5, 0.8)}, jac, con)


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
        f"Kinds as the labels expect: {agree} of {len(labels)}.",
    ]
    return Section("clough", "\n".join(text), {
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


def _line_ranges(text: str, lines: Iterable[tuple[int, int]]) -> np.ndarray:
    """Return a mask of the characters of ``text`` on the given 1-based line ranges."""
    starts = [*line_starts(text), len(text) + 1]
    mask = np.zeros(len(text), dtype=bool)
    for first, last in lines:
        mask[starts[first - 1]: starts[min(last, len(starts) - 1)] - 1] = True
    return mask


def evaluate_pan(folder: Path, config: Config, limit: int | None = None) -> Section:
    """Recall of the true pairs, precision against the listed pairs, and passage overlap."""
    docs, truth, listed, spans = load_pan(folder, limit)
    texts = {d.id: d.text for d in docs}
    report, seconds = _timed_scan(docs, config)
    links = {frozenset((m.a, m.b)): m for m in report.matches}

    def is_cross(pair: Pair) -> bool:
        kinds = {d.split("-")[0] for d in pair}
        return kinds == {"suspicious", "source"}

    def label(pair: Pair) -> int | None:
        if not is_cross(pair):
            return None
        return 1 if pair in truth else 0 if pair not in listed else None

    evaluate = Judge(label, len(truth))

    rows = [("dedup", evaluate(set(links)))]
    base = run_baselines(docs, keep=lambda a, b: is_cross(frozenset((a, b))))
    rows += baseline_rows(base, evaluate)
    kinds = Counter(links[p].kind for p in truth if p in links)
    false_kinds = Counter(m.kind for p, m in links.items() if is_cross(p) and p not in listed)
    same_side = sum(1 for p in links if not is_cross(p))
    # Passage overlap, characters and lines, on both sides, over the true pairs found.
    overlap: dict[str, list[float]] = {k: [] for k in (
        "susp_char_recall", "susp_char_precision", "src_char_recall", "src_char_precision",
        "susp_line_recall", "susp_line_precision", "src_line_recall", "src_line_precision")}
    by_pair: dict[Pair, list[Span]] = {}
    for s in spans:
        by_pair.setdefault(frozenset((s.susp, s.src)), []).append(s)
    for pair, pair_spans in sorted(by_pair.items(), key=lambda kv: sorted(kv[0])):
        m = links.get(pair)
        if m is None:
            continue
        susp_id = next(d for d in pair if d.startswith("suspicious"))
        src_id = next(d for d in pair if d.startswith("source"))
        susp, src = texts[susp_id], texts[src_id]
        true_susp = np.zeros(len(susp), dtype=bool)
        true_src = np.zeros(len(src), dtype=bool)
        for s in pair_spans:
            a, b = _reanchor(susp, src, s)
            true_susp[a.start:a.stop] = True
            true_src[b.start:b.stop] = True
        susp_lines = [p.a_lines if m.a == susp_id else p.b_lines for p in m.passages]
        src_lines = [p.b_lines if m.a == susp_id else p.a_lines for p in m.passages]
        for side, text, true, found in (("susp", susp, true_susp, susp_lines),
                                        ("src", src, true_src, src_lines)):
            got = _line_ranges(text, found)
            overlap[f"{side}_char_recall"].append((got & true).sum() / max(1, true.sum()))
            overlap[f"{side}_char_precision"].append((got & true).sum() / max(1, got.sum()))
            starts = [*line_starts(text), len(text)]
            true_lines = {i for i in range(len(starts) - 1)
                          if true[starts[i]:starts[i + 1]].any()}
            got_lines = {i for i in range(len(starts) - 1) if got[starts[i]:starts[i + 1]].any()}
            overlap[f"{side}_line_recall"].append(
                len(true_lines & got_lines) / max(1, len(true_lines)))
            overlap[f"{side}_line_precision"].append(
                len(true_lines & got_lines) / max(1, len(got_lines)))
    means = {k: float(np.mean(v)) if v else float("nan") for k, v in overlap.items()}
    susp_n = sum(1 for d in docs if d.id.startswith("suspicious"))
    text = [
        f"{len(docs)} documents ({susp_n} suspicious, {len(docs) - susp_n} source), "
        f"{len(truth)} true pairs, {len(links)} links, scan {seconds:.1f} s",
        "Suspicious-source links: a link to a true pair is right; a link that `pairs_all` does "
        "not list is wrong; a listed pair without truth is left out.",
        table(["method", "precision", "recall", "F1", "tp/fp/fn"],
              [[name, *prf.row()] for name, prf in rows]), "",
        "Kinds dedup gives the true pairs: " + ", ".join(
            f"{k} {v}" for k, v in sorted(kinds.items())) + "; kinds of the wrong links: "
        + (", ".join(f"{k} {v}" for k, v in sorted(false_kinds.items())) or "none")
        + f"; links between two suspicious or two source documents: {same_side}.", "",
        "Reported passages against the true spans (re-anchored), mean over the "
        f"{len(overlap['susp_char_recall'])} true pairs found:",
        table(["side", "char recall", "char precision", "line recall", "line precision"],
              [[side, *(f"{means[f'{side}_{u}_{m}']:.3f}" for u in ("char", "line")
                        for m in ("recall", "precision"))] for side in ("susp", "src")]),
    ]
    return Section("pan", "\n".join(text), {
        "scan_seconds": seconds, "methods": {name: prf.to_dict() for name, prf in rows},
        "kinds_true": dict(kinds), "kinds_false": dict(false_kinds), "same_side": same_side,
        "overlap": means, "documents": len(docs),
        "wrong_links": sorted([*sorted(p), links[p].kind] for p in links
                              if is_cross(p) and p not in listed)})


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


def evaluate_msrp(folder: Path, config: Config, limit: int | None = None) -> Section:
    """Accuracy, F1 and ROC AUC of the passage scorer on sentence pairs."""
    pairs = load_msrp(folder, limit)
    labels = [y for y, _, _ in pairs]
    start = time.perf_counter()
    sims = [text_similarity(a, b, config) for _, a, b in pairs]
    seconds = time.perf_counter() - start
    shingled = [(word_shingles(normalize(a), 5), word_shingles(normalize(b), 5))
                for _, a, b in pairs]
    jac = []
    for x, y in shingled:
        inter = len(np.intersect1d(x, y))
        union = len(x) + len(y) - inter
        jac.append(inter / union if union else 0.0)

    def scores(pred: Sequence[bool]) -> tuple[float, PRF]:
        tp = sum(1 for p, y in zip(pred, labels, strict=True) if p and y)
        fp = sum(1 for p, y in zip(pred, labels, strict=True) if p and not y)
        fn = sum(1 for p, y in zip(pred, labels, strict=True) if not p and y)
        acc = sum(1 for p, y in zip(pred, labels, strict=True) if p == y) / len(labels)
        return acc, PRF(tp, fp, fn)

    rows: list[tuple[str, float, PRF, float]] = []
    acc, prf = scores([s >= config.passage_threshold for s in sims])
    rows.append((f"dedup passage scorer, t={config.passage_threshold}", acc, prf,
                 roc_auc(sims, labels)))
    best_t = max(sorted(set(sims)), key=lambda t: scores([s >= t for s in sims])[0])
    acc, prf = scores([s >= best_t for s in sims])
    rows.append((f"dedup passage scorer, best t={best_t:.3f} (oracle)", acc, prf,
                 roc_auc(sims, labels)))
    from datasketch import MinHash, MinHashLSH

    for t in (0.5, 0.8):
        pred = []
        for x, y in shingled:
            if x.size == 0 or y.size == 0:
                pred.append(False)
                continue
            lsh = MinHashLSH(threshold=t, num_perm=128)
            mx = MinHash(num_perm=128, seed=1, hashfunc=lambda h: h)
            mx.update_batch(x.tolist())
            my = MinHash(num_perm=128, seed=1, hashfunc=lambda h: h)
            my.update_batch(y.tolist())
            lsh.insert("x", mx)
            pred.append(bool(lsh.query(my)))
        acc, prf = scores(pred)
        rows.append((f"datasketch MinHashLSH t={t}", acc, prf, float("nan")))
    jt = max(sorted(set(jac)), key=lambda t: scores([j >= t for j in jac])[0])
    acc, prf = scores([j >= jt for j in jac])
    rows.append((f"exact Jaccard, best t={jt:.3f}", acc, prf, roc_auc(jac, labels)))
    acc, prf = scores([True] * len(labels))
    rows.append(("everything a paraphrase (majority class)", acc, prf, 0.5))
    failures = _msrp_failures(pairs, sims, config.passage_threshold)
    text = [
        f"{len(pairs)} sentence pairs ({sum(labels)} paraphrases), scorer {seconds:.1f} s",
        table(["method", "accuracy", "precision", "recall", "F1", "ROC AUC"],
              [[n, f"{a:.3f}", f"{p.precision:.3f}", f"{p.recall:.3f}", f"{p.f1:.3f}",
                "-" if auc != auc else f"{auc:.3f}"] for n, a, p, auc in rows]),
        "",
        f"Where the scorer fails at t={config.passage_threshold}: "
        f"{failures['fp']} non-paraphrases called paraphrases, of which "
        f"{failures['fp_numbers']:.0%} differ in a number and {failures['fp_longer']:.0%} have "
        f"one sentence with 1.5 times the content words of the other (it adds a clause); "
        f"{failures['fn']} paraphrases missed, of which {failures['fn_longer']:.0%} differ that "
        f"much in length; half of them share less than {failures['fn_median']:.2f} "
        "(Dice) of their content stems: reworded with other words, which a lexical measure "
        "cannot see.",
    ]
    return Section("msrp", "\n".join(text), {
        "methods": {n: {"accuracy": a, **p.to_dict(), "auc": auc} for n, a, p, auc in rows},
        "failures": failures,
        "scores": [[bool(y), float(s)] for y, s in zip(labels, sims, strict=True)]})


# ------------------------------------------------------------------------------------- main


def find_corpora(root: Path) -> dict[str, Path | None]:
    """Return each corpus folder under ``root``, or ``None`` where it is missing."""
    found: dict[str, Path | None] = {"seeds": SEEDS if SEEDS.is_dir() else None}
    for name, folder in FOLDERS.items():
        path = root / folder
        found[name] = path if path.is_dir() else None
    return found


def run(names: Sequence[str], corpora: Path, config: Config, pan_limit: int | None = None,
        msrp_limit: int | None = None, out: Any = sys.stdout) -> dict[str, Section]:
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
        if name == "seeds":
            section = evaluate_seeds(config)
        elif name == "clough":
            section = evaluate_clough(where, config)
        elif name == "pan":
            section = evaluate_pan(where, config, pan_limit)
        else:
            section = evaluate_msrp(where, config, msrp_limit)
        sections[name] = section
        print(f"\n## {name}\n\n{section.text}", file=out, flush=True)
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
    sections = run(names, args.corpora, config, args.pan_limit, args.msrp_limit)
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
