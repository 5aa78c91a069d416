"""Whole-scan benchmark: documents in, report out, with recall on the ground truth."""

from __future__ import annotations

from typing import Any

from benchmarks.feed import Truth
from dedup import Document, scan

# Verification is quadratic on small feeds today (see docs/performance.md): keep it small.
SCAN_DOCS = 150


def test_scan(benchmark: Any, feed: tuple[list[Document], Truth]) -> None:
    docs, truth = feed
    docs = docs[:SCAN_DOCS]
    report = benchmark.pedantic(lambda: scan(docs), rounds=1, iterations=1)
    scores = truth.score((m.a, m.b) for m in report.matches)
    benchmark.extra_info.update({"docs": len(docs), **{k: round(v, 4) for k, v in scores.items()
                                                       if v == v}})
    # The target is recall of copies; precision is recorded (benchmarks/quality.py judges it).
    assert scores["recall_copies"] >= 0.98
