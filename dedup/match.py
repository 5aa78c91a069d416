"""Verification: is a candidate pair a copy, a near copy, a partial copy or a rewrite?

LSH only proposes. Here each pair is measured exactly: Jaccard and containment of the word
shingles of both documents, and an alignment of their sentences in order (a rewrite keeps the
story's order while it changes the words). The aligned sentences, grouped by paragraph, are
the passages a report shows.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.document import NUMBER_BIT, Features, Unit, passage_unit
from dedup.shingle import in_sorted, run_starts, unique_counts

__all__ = [
    "Kind",
    "Match",
    "Passage",
    "align",
    "compare",
    "order_overlap",
    "passage_similarity",
    "screen",
    "text_similarity",
]

Kind = Literal["exact", "near_duplicate", "partial", "rewrite"]
KINDS: tuple[Kind, ...] = ("exact", "near_duplicate", "partial", "rewrite")

F32 = npt.NDArray[np.float32]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

# A copied passage shows in at least one sentence pair sharing half its stems, even where line
# wrapping cuts the copy into other sentences than the original (PAN 2013: every true pair
# with a shared verbatim passage has one at 0.52 or more).
_VERBATIM_SENTENCE = 0.5
# A copy is partial when one side has more than this share of its words in sentences the
# other lacks, not counting unaligned sentences among its first and last _FRAME (a header,
# a footer).
_PARTIAL_SHARE = 0.2
_FRAME = 4
# A rewrite's aligned sentences are at least this much more alike than the rest of the two
# texts (_distinctness): the same story reworded, not the same vocabulary. Seeds, Clough and
# the feed: 0.5 and more for rewrites; ~0.2 for texts drawn from a small common vocabulary.
_DISTINCT = 0.35
# Sentences this similar are the same sentence, as a byline or a footer repeats.
_ECHO = 0.95
# Sentences this similar are worded alike: when their facts disagree, they are one template.
_ALIKE = 0.4


@dataclass(frozen=True, slots=True)
class Passage:
    """Lines of ``a`` that correspond to lines of ``b``, and how similar they are (0..1)."""

    a_lines: tuple[int, int]
    b_lines: tuple[int, int]
    similarity: float

    def to_dict(self) -> dict[str, object]:
        """Return the report form of the passage."""
        return {
            "a_lines": list(self.a_lines),
            "b_lines": list(self.b_lines),
            "similarity": round(self.similarity, 4),
        }


@dataclass(frozen=True, slots=True)
class Match:
    """A verified link between documents ``a`` (seen first) and ``b``.

    ``jaccard`` and ``containment`` are exact, over word shingles; ``score`` is the share of
    the shorter document that the aligned passages cover, weighted by their similarity.
    """

    a: str
    b: str
    kind: Kind
    jaccard: float
    a_in_b: float
    b_in_a: float
    score: float
    passages: tuple[Passage, ...]

    def to_dict(self) -> dict[str, object]:
        """Return the report form of the match (see DESIGN.md)."""
        return {
            "a": self.a,
            "b": self.b,
            "kind": self.kind,
            "jaccard": round(self.jaccard, 4),
            "containment": {"a_in_b": round(self.a_in_b, 4), "b_in_a": round(self.b_in_a, 4)},
            "score": round(self.score, 4),
            "passages": [p.to_dict() for p in self.passages],
        }


def _overlap_matrix(stems_a: U32, sizes_a: I64, stems_b: U32, sizes_b: I64) -> F32:
    """Return the matrix of shared stems between every sentence of ``a`` and of ``b``.

    Each side is its sentences' stems concatenated, with the count per sentence. A sort-merge
    join of (stem, sentence) entries: the work grows with the pairs that really share a stem,
    not with sentences times vocabulary (long web pages have thousands of both).
    """
    n, m = len(sizes_a), len(sizes_b)
    if not len(stems_a) or not len(stems_b):
        return np.zeros((n, m), dtype=np.float32)
    rows_a = np.repeat(np.arange(n, dtype=np.int64), sizes_a)
    # Any order of equal stems will do; numpy's stable sort of uint32 is ~15x slower here.
    order = np.argsort(stems_a)
    stems_a, rows_a = stems_a[order], rows_a[order]
    # Runs of equal stems in a: one binary search per entry of b finds its run.
    starts = run_starts(stems_a)
    run = np.diff(np.append(starts, len(stems_a)))
    spot = np.minimum(np.searchsorted(stems_a[starts], stems_b), len(starts) - 1)
    found = stems_a[starts[spot]] == stems_b
    rows_b = np.repeat(np.arange(m, dtype=np.int64), sizes_b)[found]
    lo, hits = starts[spot[found]], run[spot[found]]
    total = int(hits.sum())
    if total == 0:
        return np.zeros((n, m), dtype=np.float32)
    # For entry k of b, the entries lo[k] .. lo[k]+hits[k]-1 of a: one flat index run each.
    first = np.repeat(lo - (np.cumsum(hits) - hits), hits) + np.arange(total)
    cells = rows_a[first] * m + np.repeat(rows_b, hits)
    result: F32 = np.bincount(cells, minlength=n * m).astype(np.float32).reshape(n, m)
    return result


def _numbers(stems: U32, sizes: I64) -> tuple[U32, I64]:
    """Return each sentence's numbers (stems with :data:`NUMBER_BIT`), in the same layout."""
    is_number = (stems & NUMBER_BIT) > 0
    owner = np.repeat(np.arange(len(sizes)), sizes)
    return stems[is_number], np.bincount(owner[is_number], minlength=len(sizes)).astype(np.int64)


def _similarity(stems_a: U32, sizes_a: I64, stems_b: U32, sizes_b: I64) -> F32:
    """Return the passage similarity of every sentence of ``a`` to every sentence of ``b``.

    The Dice similarity of their content stems, except where each sentence states a number
    the other does not: then they tell different facts, perhaps in the same words as two
    automated reports from one template do, and the pair scores minus its Dice. Negative
    scores never align; :func:`compare` counts them as evidence against a match. (Names
    that differ are no such evidence: a paraphrase names people and places in its own way.)
    """
    similarity = _dice(_overlap_matrix(stems_a, sizes_a, stems_b, sizes_b), sizes_a, sizes_b)
    numbers_a, count_a = _numbers(stems_a, sizes_a)
    numbers_b, count_b = _numbers(stems_b, sizes_b)
    if not len(numbers_a) or not len(numbers_b):
        return similarity
    shared = _overlap_matrix(numbers_a, count_a, numbers_b, count_b)
    conflict = (shared < count_a[:, None]) & (shared < count_b[None, :]) & (shared >= 0)
    conflict &= (count_a[:, None] > 0) & (count_b[None, :] > 0)
    similarity[conflict] = -similarity[conflict]
    return similarity


def _unit_stems(units: Sequence[Unit]) -> tuple[U32, I64]:
    sizes = np.array([len(u.stems) for u in units], np.int64)
    if not units:
        return np.zeros(0, dtype=np.uint32), sizes
    return np.concatenate([u.stems for u in units]), sizes


def passage_similarity(a: Sequence[Unit], b: Sequence[Unit]) -> F32:
    """Return the similarity of every pair of sentences (see :func:`_similarity`).

    Dice (twice the shared stems over their total) rewards a reworded sentence that keeps
    the names, numbers and key words of the original; function words are not counted.
    """
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    return _similarity(*_unit_stems(a), *_unit_stems(b))


def _dice(shared: F32, sizes_a: npt.ArrayLike, sizes_b: npt.ArrayLike) -> F32:
    """Return twice the shared stems over the two sentences' sizes, for every pair."""
    size_a = np.asarray(sizes_a, dtype=np.float32)
    size_b = np.asarray(sizes_b, dtype=np.float32)
    total = size_a[:, None] + size_b[None, :]
    result: F32 = np.divide(2.0 * shared, total, out=np.zeros_like(shared), where=total > 0)
    return result


def text_similarity(a: str, b: str, config: Config | None = None) -> float:
    """Return the passage similarity of two short texts, each taken whole as one passage.

    The measure sentences are aligned by, on its own: for two sentences of two outlets, how
    much of the one the other keeps. ``config.passage_threshold`` is where it calls them the
    same passage.

    >>> text_similarity("Officials said the bridge would reopen in May.",
    ...                 "The bridge will reopen in May, officials said.")
    1.0
    >>> text_similarity("The bridge will reopen in May.", "Rain is expected on Sunday.")
    0.0
    """
    cfg = config or Config()
    return max(0.0, float(passage_similarity([passage_unit(a, cfg)], [passage_unit(b, cfg)])[0, 0]))


def order_overlap(a: Sequence[Unit], b: Sequence[Unit], floor: float = 0.0) -> float:
    """Return the share of content words two documents have in common, in the same order.

    A weighted longest common subsequence of the content stems, sentence after sentence:
    a rewrite keeps the story's details in the story's order even where no single sentence
    survives, while a text written independently on the same topic shares words in no
    particular order. A stem weighs 1 over the number of sentences it occurs in (in the
    side where it is commoner), so the topic words every sentence repeats count little and
    the names, numbers and details count fully; the total is divided by the weight of the
    lighter document. 0 when nothing is shared, 1 when one repeats all of the other.

    >>> from dedup.document import Unit
    >>> def unit(*stems: int) -> Unit:
    ...     return Unit(1, 1, len(stems), np.array(stems, dtype=np.uint32), 0)
    >>> order_overlap([unit(1, 2), unit(3)], [unit(1, 2), unit(3), unit(4)])
    1.0
    >>> order_overlap([unit(1), unit(2)], [unit(2), unit(1)])
    0.5

    ``floor`` lets a caller skip the pass: when even all the shared words in order could not
    reach it, 0.0 comes back at once.
    """
    if not a or not b:
        return 0.0
    seq_a = np.concatenate([u.stems for u in a])
    seq_b = np.concatenate([u.stems for u in b])
    # Units hold distinct stems, so occurrences in the sequence are sentence counts.
    vocab, counts = unique_counts(np.concatenate([seq_a, seq_b]))
    count_a = np.zeros(len(vocab), dtype=np.float64)
    np.add.at(count_a, np.searchsorted(vocab, seq_a), 1.0)
    count_b = counts - count_a
    weight = 1.0 / np.maximum(count_a, count_b)
    ia, ib = np.searchsorted(vocab, seq_a), np.searchsorted(vocab, seq_b)
    total = min(float(weight[ia].sum()), float(weight[ib].sum()))
    # Stems the other side lacks cannot be in a common subsequence: drop them first.
    ia, ib = ia[count_b[ia] > 0], ib[count_a[ib] > 0]
    if ia.size == 0 or total == 0.0:
        return 0.0
    if min(float(weight[ia].sum()), float(weight[ib].sum())) < floor * total:
        return 0.0
    # row[j]: the best weight in common with the first j stems of b, over the stems of a seen
    # so far. It never decreases along j, so a match at j lifts one run row[j:e] to a single
    # value, and bisection finds e: the work is per match, not per cell.
    places: dict[int, list[int]] = {}
    for j, token in enumerate(ib.tolist(), start=1):
        places.setdefault(token, []).append(j)
    weights = weight.tolist()
    row = [0.0] * (ib.size + 1)
    for token in ia.tolist():
        gain = weights[token]
        for j in reversed(places[token]):  # right to left: each reads the row before it
            lifted = row[j - 1] + gain
            if lifted > row[j]:
                end = bisect_left(row, lifted, j)
                row[j:end] = [lifted] * (end - j)
    return min(1.0, row[-1] / total)


def align(similarity: F32, threshold: float) -> list[tuple[int, int]]:
    """Return the in-order pairs of sentences with the greatest total similarity.

    Only pairs at least ``threshold`` similar may align; each sentence aligns at most once,
    and pairs never cross. Dynamic programming, one numpy pass a row.

    >>> sim = np.array([[0.9, 0.1], [0.2, 0.8]], dtype=np.float32)
    >>> align(sim, 0.5)
    [(0, 0), (1, 1)]
    >>> align(np.array([[0.1, 0.9], [0.9, 0.1]], dtype=np.float32), 0.5)
    [(0, 1)]
    """
    if similarity.size == 0:
        return []
    eligible = similarity >= threshold
    # Rows and columns with no eligible pair leave the table unchanged: drop them first, so
    # that two long unrelated pages cost next to nothing.
    keep_rows = np.flatnonzero(eligible.any(axis=1))
    keep_cols = np.flatnonzero(eligible.any(axis=0))
    if keep_rows.size == 0:
        return []
    sub = similarity[np.ix_(keep_rows, keep_cols)]
    return [(int(keep_rows[i]), int(keep_cols[j])) for i, j in _align_dense(sub, threshold)]


def _align_dense(similarity: F32, threshold: float) -> list[tuple[int, int]]:
    n, m = similarity.shape
    weight = np.where(similarity >= threshold, similarity, -np.inf).astype(np.float64)
    table = np.zeros((n + 1, m + 1), dtype=np.float64)
    for i in range(1, n + 1):
        prev = table[i - 1]
        best = np.maximum(prev[1:], prev[:-1] + weight[i - 1])
        table[i, 1:] = np.maximum.accumulate(best)
    pairs: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 and j > 0:
        here = table[i, j]
        if here == table[i - 1, j]:
            i -= 1
        elif here == table[i, j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1))
            i -= 1
            j -= 1
    pairs.reverse()
    return pairs


def _passages(
    a: Sequence[Unit], b: Sequence[Unit], pairs: list[tuple[int, int]], similarity: F32
) -> list[Passage]:
    """Group aligned sentence pairs into passages: runs that stay in one paragraph of a side."""
    groups: list[list[tuple[int, int]]] = []
    for i, j in pairs:
        if groups:
            pi, pj = groups[-1][-1]
            same_a = a[i].line <= a[pi].end_line
            same_b = b[j].line <= b[pj].end_line
            if i == pi + 1 and j == pj + 1 and (same_a or same_b):
                groups[-1].append((i, j))
                continue
        groups.append([(i, j)])
    out: list[Passage] = []
    for group in groups:
        weights = np.array([a[i].words + b[j].words for i, j in group], dtype=np.float64)
        sims = np.array([similarity[i, j] for i, j in group], dtype=np.float64)
        out.append(
            Passage(
                (a[group[0][0]].line, a[group[-1][0]].end_line),
                (b[group[0][1]].line, b[group[-1][1]].end_line),
                float((weights * sims).sum() / weights.sum()),
            )
        )
    return out


def _containment(a: Features, b: Features) -> tuple[float, float, float, int]:
    inter = int(np.count_nonzero(in_sorted(b.shingles, a.shingles)))  # both sorted, distinct
    size_a, size_b = len(a.shingles), len(b.shingles)
    union = size_a + size_b - inter
    return (
        inter / union if union else 0.0,
        inter / size_a if size_a else 0.0,
        inter / size_b if size_b else 0.0,
        inter,
    )


def _verbatim_shingles(config: Config) -> int:
    """Return the word shingles two texts share when they share a ``partial_words`` run.

    A verbatim run of n words gives n - k + 1 shared word k-grams.
    """
    return max(1, config.partial_words - config.word_ngram + 1)


_BITMAP = np.uint32((1 << 14) - 1)


def _present(distinct: U32, values: U32) -> I64:
    """Return the positions of the ``values`` that are in ``distinct`` (sorted, distinct).

    A bitmap of the low bits of ``distinct`` first: most values (a candidate's shingles)
    are not in it, and a gather from a 16 KB table rules those out for less than a binary
    search each (~2x faster for a query against a dozen candidates).
    """
    if not len(distinct):
        return np.zeros(0, dtype=np.int64)
    bitmap = np.zeros(int(_BITMAP) + 1, dtype=bool)
    bitmap[distinct & _BITMAP] = True
    maybe = np.flatnonzero(bitmap[values & _BITMAP])
    result: I64 = maybe[in_sorted(distinct, values[maybe])]
    return result


def screen(
    query: Features,
    others: Sequence[Features],
    config: Config,
    boilerplate: npt.ArrayLike = (),
) -> list[F32 | None]:
    """Say which of ``others`` could match ``query``, all candidates measured at once.

    A filter for :func:`compare`, never looser or stricter: ``None`` only where every kind's
    condition fails (the same text; enough shared shingles; two sentences each aligning
    with a sentence of the other; or a verbatim passage), so ``compare`` would return
    ``None``. One pass over the candidates' shingles and sentences replaces a dozen numpy
    calls per pair, which matters when most candidates of a large feed are same-topic
    articles that copy nothing.

    Args:
        query: The new document.
        others: Its candidates.
        config: Uses the verification thresholds.
        boilerplate: Keys of the sentences that are no evidence (see :func:`compare`).

    Returns:
        Per candidate, in order: ``None`` where it cannot match; else the similarity of its
        sentences (rows) to the query's (columns), boilerplate left out, which is what
        :func:`compare` of the two measures first: pass it on as ``similarity``.
    """
    if not others:
        return []
    count = len(others)
    # Shared shingles of every candidate: one sorted search over their concatenation.
    sizes = np.array([len(o.shingles) for o in others], dtype=np.int64)
    found = _present(query.shingles, np.concatenate([o.shingles for o in others]))
    owner = np.searchsorted(np.cumsum(sizes), found, side="right")
    shared = np.bincount(owner, minlength=count).astype(np.float64)
    union = sizes + len(query.shingles) - shared
    jaccard = np.divide(shared, union, out=np.zeros(count), where=union > 0)
    most = np.maximum(np.divide(shared, sizes, out=np.zeros(count), where=sizes > 0),
                      shared / max(len(query.shingles), 1))
    keep = (jaccard >= config.near_duplicate_threshold) | (most >= config.partial_threshold)
    keep |= np.array([o.exact_key == query.exact_key and o.words > 0 and query.words > 0
                      for o in others])
    stop = np.sort(np.asarray(boilerplate, dtype=np.uint64))

    def evidence(stems: U32, sizes: I64, keys: U64) -> tuple[U32, I64, npt.NDArray[np.bool_]]:
        kept = np.ones(len(keys), dtype=bool)
        if stop.size:
            kept = ~in_sorted(stop, keys)
            stems, sizes = stems[np.repeat(kept, sizes)], sizes[kept]
        return stems, sizes, kept

    q_stems, q_sizes, _ = evidence(*query.unit_arrays())
    arrays = [o.unit_arrays() for o in others]
    units_per = np.array([len(a[1]) for a in arrays], dtype=np.int64)
    c_stems, c_sizes, c_kept = evidence(np.concatenate([a[0] for a in arrays]),
                                        np.concatenate([a[1] for a in arrays]),
                                        np.concatenate([a[2] for a in arrays]))
    col_owner = np.repeat(np.arange(count), units_per)[c_kept]
    similarity = _similarity(q_stems, q_sizes, c_stems, c_sizes)
    if len(q_sizes) and len(c_sizes):
        eligible = similarity >= config.passage_threshold
        rows_hit = np.zeros((count, len(q_sizes)), dtype=bool)
        hit_rows, hit_cols = np.nonzero(eligible)
        rows_hit[col_owner[hit_cols], hit_rows] = True
        cols_hit = np.bincount(col_owner, weights=eligible.any(axis=0), minlength=count)
        need = config.min_passages
        keep |= (rows_hit.sum(axis=1) >= need) & (cols_hit >= need)
        best = np.zeros(count)
        np.maximum.at(best, col_owner, similarity.max(axis=0))
        keep |= (shared >= _verbatim_shingles(config)) & (best >= _VERBATIM_SENTENCE)
    # Each candidate's columns are one run (they were concatenated in order).
    ends = np.cumsum(np.bincount(col_owner, minlength=count)).tolist()
    starts = [0, *ends[:-1]]
    return [similarity[:, start:end].T.copy() if kept else None
            for kept, start, end in zip(keep.tolist(), starts, ends, strict=True)]


def _coverage(units_a: Sequence[Unit], units_b: Sequence[Unit], pairs: list[tuple[int, int]],
              similarity: F32) -> float:
    """Return the share of the shorter side's words that aligned, weighted by similarity."""
    words_a = sum(u.words for u in units_a)
    words_b = sum(u.words for u in units_b)
    if not pairs or not words_a or not words_b:
        return 0.0
    short_is_a = words_a <= words_b
    covered = sum(float(similarity[i, j]) * (units_a[i].words if short_is_a else units_b[j].words)
                  for i, j in pairs)
    return min(1.0, covered / (words_a if short_is_a else words_b))


def _unshared(units: Sequence[Unit], aligned: Sequence[int]) -> float:
    """Return the share of a side's words in sentences the other side lacks, framing aside.

    Unaligned sentences among the first and the last :data:`_FRAME` of a text longer than
    twice that are a header and a footer (a headline, a byline, an outlet's footer): one
    copy has them and another has not, which does not make it partial.
    """
    total = sum(u.words for u in units)
    if not total:
        return 1.0
    done = set(aligned)
    # A short text (a brief, a wire flash) has no header or footer to set aside.
    frame = _FRAME if len(units) > 2 * _FRAME else 0
    lacking = sum(u.words for k, u in enumerate(units)
                  if k not in done and frame <= k < len(units) - frame)
    return lacking / total


def _without_frame_echoes(similarity: F32) -> F32:
    """Return ``similarity`` with the verbatim pairs among both sides' first or last
    :data:`_FRAME` sentences set to 0 (a copy: the caller's matrix is left alone).

    >>> sim = np.eye(10, dtype=np.float32)
    >>> np.flatnonzero(np.diag(_without_frame_echoes(sim))).tolist()
    [4, 5]
    """
    n, m = similarity.shape
    out = similarity.copy()
    for rows, cols in ((slice(0, _FRAME), slice(0, _FRAME)),
                       (slice(max(0, n - _FRAME), n), slice(max(0, m - _FRAME), m))):
        block = out[rows, cols]
        block[block >= _ECHO] = 0.0
    return out


def _outside_frames(similarity: F32) -> float:
    """Return the best similarity of a pair that is not a header or footer of both sides.

    A byline and an outlet's footer sentence name the outlet alike; between two articles
    of one outlet they make no copied passage, whichever end of either text they sit at.

    >>> sim = np.zeros((10, 10), dtype=np.float32)
    >>> sim[0, 9] = 0.9
    >>> _outside_frames(sim)
    0.0
    >>> sim[5, 9] = 0.6
    >>> round(_outside_frames(sim), 2)
    0.6
    """
    n, m = similarity.shape
    if not n or not m:
        return 0.0
    rows = np.zeros(n, dtype=bool)
    cols = np.zeros(m, dtype=bool)
    rows[:_FRAME] = rows[max(0, n - _FRAME):] = True
    cols[:_FRAME] = cols[max(0, m - _FRAME):] = True
    inside = ~(rows[:, None] & cols[None, :])
    return float(similarity[inside].max()) if inside.any() else 0.0


def _distinctness(similarity: F32, pairs: list[tuple[int, int]]) -> float:
    """Return how much more alike the aligned sentences are than the sentences around them.

    The mean, over aligned pairs, of their similarity less the mean similarity of each of
    the two sentences to every other sentence of the other side. A rewrite's sentence is
    like its own counterpart and unlike the rest (~0.5 and more); in two texts drawn from
    one small vocabulary every sentence is like every other, and order alone aligns them
    (~0.1).

    >>> rewrite = np.array([[0.8, 0.1], [0.1, 0.7]], dtype=np.float32)
    >>> round(_distinctness(rewrite, [(0, 0), (1, 1)]), 2)
    0.65
    >>> alike = np.array([[0.6, 0.6], [0.55, 0.6]], dtype=np.float32)
    >>> round(_distinctness(alike, [(0, 0), (1, 1)]), 2)
    0.03
    """
    if not pairs:
        return 0.0
    positive = np.maximum(similarity, 0.0).astype(np.float64)
    n, m = positive.shape
    row_sums, col_sums = positive.sum(axis=1), positive.sum(axis=0)
    gains = []
    for i, j in pairs:
        others = row_sums[i] + col_sums[j] - 2 * positive[i, j]
        count = n + m - 2
        gains.append(positive[i, j] - (others / count if count else 0.0))
    return float(np.mean(gains))


def _contradicts(units_a: Sequence[Unit], units_b: Sequence[Unit], similarity: F32,
                 pairs: list[tuple[int, int]], config: Config) -> bool:
    """Say whether two documents tell different facts in the same words (a template's reports).

    True when at least two sentences of ``a`` have a partner in ``b`` worded alike
    (:data:`_ALIKE`) that disagrees on its numbers, these outnumber the aligned pairs that
    state numbers and agree on them, and fewer than ``min_passages`` aligned pairs are the
    same sentence word for word (bylines and footers that open or close both texts aside).
    A copy, even lightly edited, agrees on nearly every number; a page that copies passages
    into other text repeats their sentences, however many numbers its other lines differ in;
    two earnings reports from one template agree on no number and repeat no sentence but a
    fixed line or two.
    """
    if not len(similarity):
        return False
    conflicts = int(np.count_nonzero((similarity <= -_ALIKE).any(axis=1)))
    if conflicts < 2:
        return False
    verbatim = _without_frame_echoes(similarity) >= _ECHO
    if sum(1 for i, j in pairs if verbatim[i, j]) >= config.min_passages:
        return False
    agree = sum(1 for i, j in pairs if (units_a[i].stems >= NUMBER_BIT).any()
                and (units_b[j].stems >= NUMBER_BIT).any())
    return conflicts > agree


def _copy_kind(units_a: Sequence[Unit], units_b: Sequence[Unit], pairs: list[tuple[int, int]],
               jaccard: float, config: Config) -> Kind:
    """Tell a near-duplicate from a partial copy, once the shingles say one copies the other.

    Shingle containment cannot tell a light edit (changed words everywhere) from a partial
    copy (whole paragraphs missing): the aligned sentences can. ``near_duplicate``: neither
    side has more than :data:`_PARTIAL_SHARE` of its words in sentences the other lacks
    (headers and footers aside), so light edits, another outlet's boilerplate and a new
    headline stay near duplicates. ``partial``: one side carries substantial text the other
    lacks. Documents without sentences to align (lists, tables) are judged by their
    shingles alone.
    """
    if not units_a or not units_b:
        return "near_duplicate" if jaccard >= config.near_duplicate_threshold else "partial"
    extra_a = _unshared(units_a, [i for i, _ in pairs])
    extra_b = _unshared(units_b, [j for _, j in pairs])
    if max(extra_a, extra_b) <= _PARTIAL_SHARE:
        return "near_duplicate"
    return "partial"


def compare(
    a: Features, b: Features, config: Config, is_boilerplate: Callable[[Unit], bool] | None = None,
    *, similarity: F32 | None = None,
) -> Match | None:
    """Measure a candidate pair and return the match, or ``None`` if it is not one.

    The kinds, first that holds: ``exact`` (the same comparison text); ``near_duplicate``
    (word-shingle Jaccard >= ``near_duplicate_threshold``); ``partial`` (one contains
    ``partial_threshold`` of the other's shingles); ``rewrite`` (at least ``min_passages``
    sentences align and the score reaches ``rewrite_threshold``); ``partial`` again when the
    two only share a verbatim passage of about ``partial_words`` words, not all boilerplate
    (web pages and syndicated stories copy passages into other text). The score is the
    aligned sentences' coverage of the shorter document (1.0 for exact copies); for a
    rewrite, the larger of that and the two documents' :func:`order_overlap`.

    Args:
        a: The document seen first.
        b: The other document.
        config: Uses the verification thresholds.
        is_boilerplate: Says which sentences many unrelated documents share (footers); they
            are no evidence of a rewrite.
        similarity: The passage similarity of ``a``'s sentences to ``b``'s, boilerplate left
            out, when the caller has it (:func:`screen` gives it); measured here otherwise.

    Returns:
        The match with its kind, scores and passages, or ``None``.
    """
    jaccard, a_in_b, b_in_a, shared = _containment(a, b)
    units_a, units_b = a.units, b.units
    if is_boilerplate is not None:
        units_a = [u for u in units_a if not is_boilerplate(u)]
        units_b = [u for u in units_b if not is_boilerplate(u)]
    if similarity is not None and similarity.shape != (len(units_a), len(units_b)):
        raise ValueError(f"similarity has shape {similarity.shape}, the sentences "
                         f"{(len(units_a), len(units_b))}: pass the matrix screen gave")
    # Every sentence, boilerplate too: copies share their boilerplate (and a story that many
    # outlets copied is boilerplate itself), and templates are read by their conflicts.
    whole = passage_similarity(a.units, b.units)
    whole_pairs = align(whole, config.passage_threshold)
    if a.exact_key != b.exact_key and _contradicts(a.units, b.units, whole, whole_pairs, config):
        return None
    if similarity is None:
        if is_boilerplate is None:
            similarity = whole
        else:
            keep_a = [k for k, u in enumerate(a.units) if not is_boilerplate(u)]
            keep_b = [k for k, u in enumerate(b.units) if not is_boilerplate(u)]
            similarity = whole[np.ix_(keep_a, keep_b)]
    pairs = align(similarity, config.passage_threshold)
    coverage = _coverage(units_a, units_b, pairs, similarity)
    kind: Kind | None = None
    score: float | None = None
    if a.exact_key == b.exact_key and a.words > 0:
        kind, score = "exact", 1.0
    elif (jaccard >= config.near_duplicate_threshold
          or max(a_in_b, b_in_a) >= config.partial_threshold):
        kind = _copy_kind(a.units, b.units, whole_pairs, jaccard, config)
    if kind is None:
        # Lines that open or close both documents word for word are an outlet's byline and
        # footer (until the index has seen them often enough to call them boilerplate): no
        # evidence of a rewrite or of a copied passage.
        evidence = _without_frame_echoes(similarity)
        evidence_pairs = align(evidence, config.passage_threshold)
        if (len(evidence_pairs) >= config.min_passages
                and _distinctness(evidence, evidence_pairs) >= _DISTINCT):
            # The order measure costs a pass over both documents: only pairs that could be
            # a rewrite pay for it.
            covered = _coverage(units_a, units_b, evidence_pairs, evidence)
            floor = max(covered, config.rewrite_threshold)
            score = max(covered, order_overlap(units_a, units_b, floor))
            if score >= config.rewrite_threshold:
                kind = "rewrite"
        if (kind is None and shared >= _verbatim_shingles(config)
                and _outside_frames(evidence) >= _VERBATIM_SENTENCE):
            # Reworded elsewhere is a rewrite (above); a copied passage in other text is
            # partial. Some sentence outside the boilerplate must take part: a shared site
            # footer is no copied passage.
            kind = "partial"
    if kind is None:
        return None
    if score is None or kind != "rewrite":
        # Copies are measured by what the aligned passages cover; the order measure is the
        # rewrite's own evidence (and its cost, a pass over both documents, is paid only there).
        score = 1.0 if kind == "exact" else coverage
    return Match(
        a.id,
        b.id,
        kind,
        jaccard,
        a_in_b,
        b_in_a,
        score,
        tuple(_passages(units_a, units_b, pairs, similarity)),
    )
