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
runs a fast slice. This module holds the seeds and Clough sections and the command line; the
other sections are ``quality_feed``, ``quality_pan`` and ``quality_msrp``, their shared parts
``quality_base``, and the measures ``reuse``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import dedup
from benchmarks.quality_base import (
    DEFAULT_CORPORA,
    FOLDERS,
    KIND_COLUMNS,
    PRF,
    SEEDS,
    Judge,
    Pair,
    Section,
    baseline_rows,
    read_documents,
    run_baselines,
    table,
    timed_scan,
)
from benchmarks.quality_feed import FEED_ARTICLES, evaluate_feed
from benchmarks.quality_msrp import evaluate_msrp
from benchmarks.quality_pan import PAN_READING, evaluate_pan
from dedup import Config, Document, scan
from dedup.match import align, order_overlap, passage_similarity

CORPUS_NAMES = ("seeds", "clough", "feed", "pan", "msrp")
CATEGORIES = ("cut", "light", "heavy", "non")
# The kinds the graded Clough labels call for (the mapping).
EXPECTED_KINDS = {
    # A cut answer copies parts of a longer source: partial by the kinds' rules.
    "cut": {"exact", "near_duplicate", "partial"},
    "light": {"near_duplicate", "rewrite"},
    "heavy": {"rewrite"},
    "non": {"none"},
}
SEED_REWRITE = frozenset({"001_22eb800b89b5fc2c", "004_4255ebb52fea5816"})


# ------------------------------------------------------------------------------------ seeds


def evaluate_seeds(config: Config) -> Section:
    """The core acceptance on the seeds, with the margin of every verification threshold."""
    docs = read_documents([SEEDS])
    report, seconds = timed_scan(docs, config)
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
    return read_documents([folder / "texts"]), labels


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
    report, seconds = timed_scan(docs, config)
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
        "Kind of the answer-source link against the graded label (expected: "
        + "; ".join(f"{c} -> {' or '.join(sorted(k))}" for c, k in EXPECTED_KINDS.items())
        + "):",
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
