"""Measures the quality harness scores dedup by: verbatim runs, PAN's character measures,
binomial intervals and threshold tuning.

Kept apart from ``benchmarks/quality.py`` (which reads the corpora and prints the tables) so
that each measure is small, documented and tested on its own.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from dedup import normalize

__all__ = [
    "Alignment",
    "PanScores",
    "Run",
    "binomial_interval",
    "char_ngrams",
    "dice",
    "jaccard",
    "line_span",
    "longest_run",
    "merge_touching",
    "pan_scores",
    "split_halves",
    "stable_sample",
    "tune_threshold",
    "words",
]


# ------------------------------------------------------------------------------ verbatim runs


def words(text: str) -> list[str]:
    """Return the words of ``text`` as dedup compares them (normalized, split on spaces).

    >>> words("The  Cat's HAT, again.")[:2]
    ['the', 'cats']
    """
    return normalize(text).split()


@dataclass(frozen=True)
class Run:
    """The longest run of words two texts share verbatim: its length and where it starts."""

    length: int
    a_start: int
    b_start: int


def longest_run(a: Sequence[str], b: Sequence[str]) -> Run:
    """Return the longest contiguous run of equal words in ``a`` and ``b``.

    An alignment of the two word sequences (difflib's longest common substring, with its
    "popular word" heuristic off so that frequent words are not skipped): exact, ~4 ms for
    a PAN pair of 2,300 and 740 words.

    >>> longest_run("a b c d e".split(), "x c d e y".split())
    Run(length=3, a_start=2, b_start=1)
    >>> longest_run([], ["a"]).length
    0
    """
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    block = matcher.find_longest_match(0, len(a), 0, len(b))
    return Run(block.size, block.a, block.b)


# ------------------------------------------------------------------------ PAN's measures


@dataclass(frozen=True)
class Alignment:
    """A reused passage (a case) or a reported one (a detection) of one document pair:
    characters ``this`` of the suspicious document and ``source`` of the source document."""

    this: range
    source: range

    def detects(self, other: Alignment) -> bool:
        """True when the two overlap on both sides (PAN's condition for a detection)."""
        return _overlap(self.this, other.this) > 0 and _overlap(self.source, other.source) > 0

    @property
    def size(self) -> int:
        """Characters on both sides."""
        return len(self.this) + len(self.source)


def _overlap(x: range, y: range) -> int:
    return max(0, min(x.stop, y.stop) - max(x.start, y.start))


def _union_size(parts: Iterable[range]) -> int:
    """Characters covered by the union of ``parts``."""
    total, end = 0, -1
    for part in sorted((p for p in parts if len(p)), key=lambda p: p.start):
        if part.stop > end:
            total += part.stop - max(part.start, end)
            end = part.stop
    return total


def _covered(target: Alignment, others: Sequence[Alignment]) -> int:
    """Characters of ``target`` inside the ``others`` that detect it (both sides)."""
    hits = [o for o in others if o.detects(target)]
    inside = [range(max(target.this.start, o.this.start), min(target.this.stop, o.this.stop))
              for o in hits]
    across = [range(max(target.source.start, o.source.start),
                    min(target.source.stop, o.source.stop)) for o in hits]
    return _union_size(inside) + _union_size(across)


@dataclass(frozen=True)
class PanScores:
    """PAN's text-alignment measures (Potthast et al. 2010): macro-averaged character
    precision and recall, granularity, and plagdet = F1 / log2(1 + granularity)."""

    precision: float
    recall: float
    granularity: float
    cases: int
    detections: int
    detected_cases: int

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def plagdet(self) -> float:
        """F1 discounted by granularity (1 when each case is reported once)."""
        return self.f1 / math.log2(1.0 + self.granularity)


def pan_scores(cases: dict[object, list[Alignment]],
               detections: dict[object, list[Alignment]]) -> PanScores:
    """Score detections against cases, document pair by document pair, as PAN does.

    Precision averages, over detections, the share of each detection's characters inside the
    cases it detects; recall averages, over cases, the share of each case's characters inside
    the detections that detect it; granularity is the mean number of detections per detected
    case. A pair without detections adds cases with recall 0; no detections at all give
    precision 0.

    >>> case = {1: [Alignment(range(0, 100), range(0, 100))]}
    >>> s = pan_scores(case, {1: [Alignment(range(0, 50), range(0, 50)),
    ...                           Alignment(range(50, 100), range(50, 150))]})
    >>> round(s.precision, 3), s.recall, s.granularity, round(s.plagdet, 3)
    (0.833, 1.0, 2.0, 0.574)
    """
    precisions: list[float] = []
    recalls: list[float] = []
    per_case: list[int] = []
    for key, pair_cases in cases.items():
        found = detections.get(key, [])
        for case in pair_cases:
            recalls.append(_covered(case, found) / max(1, case.size))
            hits = sum(1 for r in found if r.detects(case))
            if hits:
                per_case.append(hits)
        for r in found:
            precisions.append(_covered(r, pair_cases) / max(1, r.size))
    return PanScores(float(np.mean(precisions)) if precisions else 0.0,
                     float(np.mean(recalls)) if recalls else 0.0,
                     float(np.mean(per_case)) if per_case else 1.0,
                     len(recalls), len(precisions), len(per_case))


def merge_touching(found: Sequence[Alignment], gap: int = 1) -> list[Alignment]:
    """Merge detections whose two sides both overlap or lie within ``gap`` characters.

    Not PAN's rule: a view of how far granularity comes from reporting one copied passage
    as several adjacent sentence pairs.

    >>> merge_touching([Alignment(range(0, 9), range(5, 9)), Alignment(range(10, 20),
    ...                 range(10, 12))])
    [Alignment(this=range(0, 20), source=range(5, 12))]
    """
    out: list[Alignment] = []
    for r in sorted(found, key=lambda r: (r.this.start, r.source.start)):
        for k, m in enumerate(out):
            if (r.this.start <= m.this.stop + gap and m.this.start <= r.this.stop + gap
                    and r.source.start <= m.source.stop + gap
                    and m.source.start <= r.source.stop + gap):
                out[k] = Alignment(range(min(m.this.start, r.this.start),
                                         max(m.this.stop, r.this.stop)),
                                   range(min(m.source.start, r.source.start),
                                         max(m.source.stop, r.source.stop)))
                break
        else:
            out.append(r)
    return out


def line_span(starts: Sequence[int], length: int, lines: tuple[int, int]) -> range:
    """Return the characters of 1-based lines ``first..last`` (newline excluded).

    ``starts`` holds where each line starts (``dedup.paragraphs.line_starts``).

    >>> line_span([0, 4, 8], 10, (2, 3))
    range(4, 10)
    >>> line_span([0, 4, 8], 10, (1, 1))
    range(0, 3)
    """
    first, last = lines
    end = starts[last] - 1 if last < len(starts) else length
    return range(starts[first - 1], max(starts[first - 1], end))


# ----------------------------------------------------------------------- statistics


def binomial_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval of a proportion of ``k`` in ``n`` (scipy).

    >>> lo, hi = binomial_interval(40, 40)
    >>> round(lo, 3), hi
    (0.912, 1.0)
    """
    if n == 0:
        return (0.0, 1.0)
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))


def tune_threshold(scores: Sequence[float] | np.ndarray,
                   labels: Sequence[bool] | np.ndarray) -> float:
    """Return the threshold ``t`` for which "score >= t" is most accurate on these pairs.

    The candidates are the scores themselves; of equal accuracies the highest wins.

    >>> tune_threshold([0.9, 0.8, 0.4, 0.1], [True, True, False, False])
    0.8
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last = np.append(s[1:] != s[:-1], True)  # the last of each run of equal scores
    tp = np.cumsum(y)[last]
    fp = np.cumsum(~y)[last]
    correct = tp + (int((~y).sum()) - fp)
    return float(s[last][int(np.argmax(correct))])


def stable_sample(pairs: Iterable[frozenset[str]], size: int, seed: int
                  ) -> list[frozenset[str]]:
    """Return ``size`` of ``pairs``: those first in an order fixed by a hash of each pair.

    A random sample of any set of pairs, and a stable one: when the set changes (other
    rules link other pages), the pairs still in it keep their place, so verdicts recorded
    for an earlier sample keep counting.

    >>> pairs = [frozenset((f"a{k}", "b")) for k in range(10)]
    >>> first = stable_sample(pairs, 3, seed=1)
    >>> stable_sample(pairs[:5] + first, 3, seed=1) == first
    True
    """
    def rank(pair: frozenset[str]) -> bytes:
        return hashlib.blake2b(f"{seed}:{' ~ '.join(sorted(pair))}".encode()).digest()

    return sorted(set(pairs), key=rank)[:size]


def split_halves(n: int, seed: int) -> tuple[list[int], list[int]]:
    """Return a seeded split of ``range(n)`` into two halves.

    >>> a, b = split_halves(5, 1)
    >>> sorted(a + b), len(a)
    ([0, 1, 2, 3, 4], 2)
    """
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return sorted(order[: n // 2]), sorted(order[n // 2:])


def jaccard(a: set[str], b: set[str]) -> float:
    """Return |a & b| / |a | b| (0 for two empty sets).

    >>> jaccard({"a", "b"}, {"b", "c"})
    0.3333333333333333
    """
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def dice(a: set[str], b: set[str]) -> float:
    """Return 2 |a & b| / (|a| + |b|) (0 for two empty sets).

    >>> dice({"a", "b"}, {"b", "c"})
    0.5
    """
    total = len(a) + len(b)
    return 2 * len(a & b) / total if total else 0.0


def char_ngrams(text: str, n: int = 3) -> set[str]:
    """Return the character ``n``-grams of the lowercased text, spaces folded.

    >>> sorted(char_ngrams("Ab  c"))
    ['ab ', 'b c']
    """
    folded = " ".join(text.lower().split())
    return {folded[k: k + n] for k in range(len(folded) - n + 1)}
