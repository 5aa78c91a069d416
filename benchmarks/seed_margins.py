"""Print every seed pair's measures beside the decision thresholds, and the repeats' margins.

Run: ``python benchmarks/seed_margins.py``. The margins say how far each decision sits from
its threshold: a result that holds by a hair is a coincidence, not a property.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from dedup import Config, Document, analyze
from dedup.match import align, compare, passage_similarity

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def main() -> None:
    """Print the pair table and the repeat table for the seeds."""
    config = Config()
    features = [analyze(Document(p.stem, p.read_text(encoding="utf-8")), config)
                for p in sorted(SEEDS.glob("*.txt"))]
    print(f"thresholds: near_duplicate jaccard >= {config.near_duplicate_threshold}, "
          f"partial containment >= {config.partial_threshold}, rewrite: >= "
          f"{config.min_passages} aligned sentences (each >= {config.passage_threshold}) "
          f"and score >= {config.rewrite_threshold}")
    print(f"{'pair':10} {'jaccard':>8} {'a_in_b':>7} {'b_in_a':>7} {'aligned':>8} "
          f"{'best sent.':>10} {'score':>6}  kind")
    for a, b in itertools.combinations(features, 2):
        similarity = passage_similarity(a.units, b.units)
        pairs = align(similarity, config.passage_threshold)
        best = float(similarity.max()) if similarity.size else 0.0
        match = compare(a, b, config)
        # The score compare() would give, even when it declines the pair.
        loose = compare(a, b, config.replace(min_passages=1, rewrite_threshold=0.0))
        score = loose.score if loose else 0.0
        print(f"{a.id[:3]}~{b.id[:3]:6} {match.jaccard if match else 0.0:8.3f} "
              f"{loose.a_in_b if loose else 0.0:7.3f} {loose.b_in_a if loose else 0.0:7.3f} "
              f"{len(pairs):8d} {best:10.3f} {score:6.3f}  {match.kind if match else '-'}")
    print(f"\nrepeats (removed from similarity {config.remove_threshold}):")
    for f in features:
        for r in f.repeats:
            print(f"  {f.id[:3]} line {r.line} ~ line {r.first_line}: similarity "
                  f"{r.similarity:.3f} exact={r.exact}")


if __name__ == "__main__":
    main()
