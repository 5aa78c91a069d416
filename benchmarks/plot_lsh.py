"""Draw docs/lsh_s_curve.png: the chance that LSH bands propose a pair, by its Jaccard.

Two curves from the default ``Config``: the document bands (``b`` bands of ``r`` rows, as
:func:`dedup.index.optimal_params` chooses them for ``threshold`` and ``num_perm``) and the
sentence bands (``sentence_bands`` of ``sentence_rows``, one colliding band a sentence). A
pair whose signatures agree on each row with probability ``s`` (their Jaccard) collides in
a band with probability ``s**r`` and in at least one of ``b`` bands with probability
``1 - (1 - s**r)**b``. Nothing is measured: the curves are the formula at the real
parameters, so the figure changes when the defaults do. Run from the project root (needs
matplotlib, in the ``bench`` extra)::

    .venv/bin/python -m benchmarks.plot_lsh [--out docs/lsh_s_curve.png]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from dedup import Config
from dedup.index import optimal_params

ROOT = Path(__file__).resolve().parent.parent


def candidate_probability(s: npt.ArrayLike, bands: int, rows: int) -> npt.NDArray[np.float64]:
    """Return the chance that a pair at Jaccard ``s`` collides in at least one band.

    >>> candidate_probability([0.0, 1.0], 25, 5).tolist()
    [0.0, 1.0]
    >>> round(float(candidate_probability(0.5, 25, 5)), 3)
    0.552
    """
    s = np.asarray(s, dtype=np.float64)
    result: npt.NDArray[np.float64] = 1.0 - (1.0 - s**rows) ** bands
    return result


def curves(config: Config) -> list[tuple[str, int, int]]:
    """Return (label, bands, rows) of the document and sentence bands of ``config``."""
    b, r = optimal_params(config.threshold, config.num_perm)
    return [
        (f"document bands: {b} x {r} (threshold {config.threshold}, num_perm "
         f"{config.num_perm})", b, r),
        (f"sentence bands: {config.sentence_bands} x {config.sentence_rows} "
         f"(one band a sentence)", config.sentence_bands, config.sentence_rows),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Draw the figure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "lsh_s_curve.png")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    config = Config()
    s = np.linspace(0.0, 1.0, 401)
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=110)
    for (label, bands, rows), color in zip(curves(config), ("#2166ac", "#b2182b"), strict=True):
        ax.plot(s, candidate_probability(s, bands, rows), color=color, label=label)
        for x in (0.2, 0.5, 0.8):
            y = float(candidate_probability(x, bands, rows))
            ax.plot([x], [y], "o", color=color, markersize=4)
            ax.annotate(f"{y:.2f}", (x, y), textcoords="offset points", xytext=(6, -10),
                        fontsize=8, color=color)
    ax.axvline(config.threshold, color="#888888", linestyle="--", linewidth=1)
    ax.annotate(f"threshold {config.threshold}", (config.threshold, 0.03),
                textcoords="offset points", xytext=(4, 0), fontsize=8, color="#555555")
    ax.set_xlabel("Jaccard similarity s of the pair (documents: word 5-shingles; "
                  "sentences: content stems)")
    ax.set_ylabel("P(candidate) = 1 - (1 - s^r)^b")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(True, linewidth=0.3)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("How likely LSH is to propose a pair, with dedup's default bands", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
