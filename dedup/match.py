"""Verification: is a candidate pair a copy, a near copy, a partial copy or a rewrite?

LSH only proposes. Here each pair is measured exactly: Jaccard and containment of the word
shingles of both documents, and an alignment of their sentences in order (a rewrite keeps the
story's order while it changes the words). The aligned sentences, grouped by paragraph, are
the passages a report shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from dedup import _core
from dedup.config import Config
from dedup.document import Features, Unit, passage_unit

__all__ = [
    "Kind",
    "Match",
    "Passage",
    "align",
    "compare",
    "compare_many",
    "order_overlap",
    "passage_similarity",
    "text_similarity",
]

Kind = Literal["exact", "near_duplicate", "partial", "rewrite"]
KINDS: tuple[Kind, ...] = ("exact", "near_duplicate", "partial", "rewrite")

F32 = npt.NDArray[np.float32]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


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


def _unit_stems(units: Sequence[Unit]) -> tuple[U32, I64]:
    sizes = np.array([len(u.stems) for u in units], np.int64)
    if not units:
        return np.zeros(0, dtype=np.uint32), sizes
    return np.concatenate([u.stems for u in units]), sizes


def passage_similarity(a: Sequence[Unit], b: Sequence[Unit]) -> F32:
    """Return the similarity of every sentence of ``a`` to every sentence of ``b`` (float32).

    The Dice similarity of their content stems (twice the shared over their total) rewards a
    reworded sentence that keeps the names, numbers and key words of the original; function
    words are not counted. Where each sentence states a number the other does not, they
    tell different facts, perhaps in the same words as two automated reports from one
    template do, and the pair scores minus its Dice: negative scores never align, and
    :func:`compare` counts them as evidence against a match. (Names that differ are no such
    evidence: a paraphrase names people and places in its own way.)

    >>> from dedup.document import NUMBER_BIT, Unit
    >>> def unit(*stems: int) -> Unit:
    ...     return Unit(1, 1, len(stems), np.array(stems, dtype=np.uint32), 0)
    >>> passage_similarity([unit(1, 2, 3)], [unit(1, 2), unit(4)]).tolist()
    [[0.800000011920929, 0.0]]
    >>> seven, eight = int(NUMBER_BIT) | 7, int(NUMBER_BIT) | 8
    >>> passage_similarity([unit(1, 2, seven)], [unit(1, 2, eight)]).tolist()
    [[-0.6666666865348816]]
    """
    return _core.passage_similarity(*_unit_stems(a), *_unit_stems(b))


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
    return _core.order_overlap(_unit_stems(a)[0], _unit_stems(b)[0], floor)


def align(similarity: F32, threshold: float) -> list[tuple[int, int]]:
    """Return the in-order pairs of sentences with the greatest total similarity.

    Only pairs at least ``threshold`` similar may align; each sentence aligns at most once,
    and pairs never cross. Dynamic programming over the rows and columns that have such a
    pair (two long unrelated pages cost next to nothing).

    >>> sim = np.array([[0.9, 0.1], [0.2, 0.8]], dtype=np.float32)
    >>> align(sim, 0.5)
    [(0, 0), (1, 1)]
    >>> align(np.array([[0.1, 0.9], [0.9, 0.1]], dtype=np.float32), 0.5)
    [(0, 1)]
    """
    return _core.align(np.ascontiguousarray(similarity, dtype=np.float32), threshold)


def _verbatim_shingles(config: Config) -> int:
    """Return the word shingles two texts share when they share a ``partial_words`` run.

    A verbatim run of n words gives n - k + 1 shared word k-grams.
    """
    return max(1, config.partial_words - config.word_ngram + 1)


def _arrays(doc: Features) -> tuple[U32, bytes, int, U32, I64, I64, I64, I64, U64]:
    """Return ``doc`` as the core reads it (see ``_core.verify``)."""
    units = doc.unit_arrays()
    return (doc.shingles, doc.exact_key, doc.words, units.stems, units.sizes, units.words,
            units.lines, units.end_lines, units.keys)


def compare_many(query: Features, others: Sequence[Features], config: Config,
                 boilerplate: npt.ArrayLike = ()) -> list[Match | None]:
    """Verify every candidate in ``others`` (each seen before ``query``) against ``query``.

    One call of the core for all of them, without the GIL: the cheap conditions every kind
    needs (shared shingles, sentences that align, a verbatim passage) rule most candidates
    out before the rest of :func:`compare`'s rules are measured.

    Args:
        query: The new document (``b`` of each match).
        others: Its candidates (``a`` of each match).
        config: Uses the verification thresholds.
        boilerplate: Keys of the sentences that are no evidence (see :func:`compare`).

    Returns:
        Per candidate, in order: its match, or ``None``.
    """
    if not others:
        return []
    stop = np.unique(np.asarray(boilerplate, dtype=np.uint64))
    verdicts = _core.verify(_arrays(query), [_arrays(o) for o in others], stop,
                            config.passage_threshold, config.near_duplicate_threshold,
                            config.partial_threshold, config.rewrite_threshold,
                            config.min_passages, _verbatim_shingles(config))
    return [None if v is None else Match(
        other.id, query.id, KINDS[v[0]], v[1], v[2], v[3], v[4],
        tuple(Passage((a, a_end), (b, b_end), similarity)
              for a, a_end, b, b_end, similarity in v[5]))
        for other, v in zip(others, verdicts, strict=True)]


def compare(
    a: Features, b: Features, config: Config, is_boilerplate: Callable[[Unit], bool] | None = None,
) -> Match | None:
    """Measure a candidate pair and return the match, or ``None`` if it is not one.

    The kinds, first that holds: ``exact`` (the same comparison text); ``near_duplicate``
    (word-shingle Jaccard >= ``near_duplicate_threshold``, and neither side has more than a
    fifth of its words in sentences the other lacks, headers and footers aside); ``partial``
    (one contains ``partial_threshold`` of the other's shingles); ``rewrite`` (at least
    ``min_passages`` sentences align, standing out from the rest of the two texts, and the
    score reaches ``rewrite_threshold``); ``partial`` again when the two only share a
    verbatim passage of about ``partial_words`` words, not all boilerplate nor only a byline
    or footer of both (web pages and syndicated stories copy passages into other text).
    Two texts worded alike whose sentences disagree on their numbers (automated reports of
    one template) are no match. The score is the aligned sentences' coverage of the shorter
    document (1.0 for exact copies); for a rewrite, the larger of that and the two
    documents' :func:`order_overlap`. The rules run in the core (rust/src/verify.rs).

    Args:
        a: The document seen first.
        b: The other document.
        config: Uses the verification thresholds.
        is_boilerplate: Says which sentences many unrelated documents share (footers); they
            are no evidence of a rewrite. Read by sentence key: a sentence it flags in
            either document is boilerplate in both.

    Returns:
        The match with its kind, scores and passages, or ``None``.
    """
    keys: list[int] = []
    if is_boilerplate is not None:
        keys = [u.key for u in (*a.units, *b.units) if is_boilerplate(u)]
    return compare_many(b, [a], config, np.array(keys, dtype=np.uint64))[0]
