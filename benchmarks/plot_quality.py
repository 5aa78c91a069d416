"""Draw docs/quality_scores.png: dedup's scores per Clough category, with the thresholds.

Each answer is measured against its task's source with every threshold open, and shown as a
point in its category (cut, light, heavy, non) on three panels: word-shingle Jaccard (the
``near_duplicate`` threshold), containment (``partial``) and the rewrite score (``rewrite``,
which also needs ``min_passages`` aligned sentences). Filled points were linked to the source
by the scan, hollow ones were not. Run from the project root (needs matplotlib)::

    .venv/bin/python -m benchmarks.plot_quality [--out docs/quality_scores.png]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.quality import CATEGORIES, evaluate_clough
from benchmarks.quality_base import DEFAULT_CORPORA, FOLDERS, ROOT
from dedup import Config

PANELS = (
    ("jaccard", "word 5-shingle Jaccard", "near_duplicate"),
    ("containment", "containment (larger direction)", "partial"),
    ("score", "rewrite score", "rewrite"),
)
COLORS = {"cut": "#b2182b", "light": "#ef8a62", "heavy": "#67a9cf", "non": "#404040"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "quality_scores.png")
    args = parser.parse_args(argv)
    folder = args.corpora / FOLDERS["clough"]
    if not folder.is_dir():
        raise SystemExit(f"Clough & Stevenson corpus MISSING at {folder}: nothing to draw")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    config = Config()
    section = evaluate_clough(folder, config)
    scores = section.numbers["scores"]
    thresholds = section.numbers["thresholds"]
    rng = np.random.default_rng(0)
    fig, axes = plt.subplots(1, 3, figsize=(12, 4.2), sharey=False)
    for ax, (key, title, kind) in zip(axes, PANELS, strict=True):
        for x, cat in enumerate(CATEGORIES):
            rows = [r for r in scores if r["category"] == cat]
            ys = np.array([r[key] for r in rows])
            xs = x + rng.uniform(-0.18, 0.18, len(rows))
            linked = np.array([r["kind"] != "none" for r in rows])
            ax.scatter(xs[linked], ys[linked], s=28, color=COLORS[cat], zorder=3)
            ax.scatter(xs[~linked], ys[~linked], s=28, facecolors="none",
                       edgecolors=COLORS[cat], zorder=3)
        line = thresholds[kind]
        ax.axhline(line, color="black", linestyle="--", linewidth=1)
        ax.text(-0.45, line + 0.015, f"{kind} {line:g}", va="bottom", ha="left", fontsize=8)
        ax.set_xticks(range(len(CATEGORIES)), CATEGORIES)
        ax.set_xlim(-0.5, 3.5)
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(
        "Clough & Stevenson dev: each answer against its source "
        f"(filled = linked by dedup; rewrite also needs >= {thresholds['min_passages']} "
        "aligned sentences)", fontsize=10)
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
