"""Shingles: word and character n-grams of a comparison text, hashed to uint32.

Hashes are deterministic (the same on every run, machine and Python version: no ``hash()``)
and stored in index files, so they are fixed bit for bit (tests/cases/hashes.json): a word's
hash is a polynomial over its code points modulo 2**64, n-grams combine word hashes the same
way, and a final avalanche mix (the MurmurHash3 finalizer) spreads the bits before the top 32
are kept. The hashing runs in the Rust core (:mod:`dedup._core`, rust/src/shingle.rs); these
functions are its typed Python face. The small numpy helpers over sorted arrays stay here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup import _core

__all__ = [
    "I64",
    "U32",
    "U64",
    "anchors",
    "char_shingles",
    "finalize",
    "in_sorted",
    "ngram_hashes",
    "ngram_hashes_many",
    "run_starts",
    "sorted_unique",
    "token_hashes",
    "token_hashes_many",
    "token_hashes_of_bytes",
    "unique_counts",
    "unique_inverse",
    "word_shingles",
]

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


def finalize(h: U64) -> U32:
    """Mix 64-bit hashes (MurmurHash3's fmix64) and keep the top 32 bits.

    >>> finalize(np.array([0, 1], dtype=np.uint64)).tolist()
    [0, 3025583356]
    """
    return _core.finalize(np.asarray(h, dtype=np.uint64))


def sorted_unique(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Return the distinct values of an integer array, sorted (what ``np.unique`` returns).

    ``np.unique`` goes through a hash table first in numpy >= 2.3, which costs ~10x more than
    a sort on the few thousand values of one article (see docs/performance.md).

    >>> sorted_unique(np.array([3, 1, 3, 2], dtype=np.uint32)).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    distinct: np.ndarray[Any, Any] = ordered[_run_starts(ordered)]
    return distinct


def unique_counts(values: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], I64]:
    """Return the sorted distinct values and how often each occurs (what
    ``np.unique(values, return_counts=True)`` returns, by one sort and no hash table).

    >>> [a.tolist() for a in unique_counts(np.array([3, 1, 3, 2], dtype=np.uint32))]
    [[1, 2, 3], [1, 1, 2]]
    """
    ordered = np.sort(values)
    starts = run_starts(ordered)
    return ordered[starts], np.diff(np.append(starts, ordered.size))


def in_sorted(table: np.ndarray[Any, Any], values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Say which of ``values`` are in the sorted ``table``, by one binary search each.

    ``np.isin`` sorts both arrays (~0.2 ms a call on the tens to hundreds of keys of an
    article); the tables here (stop words, boilerplate keys, an article's keys) are sorted.

    >>> in_sorted(np.array([2, 5, 9]), np.array([5, 1, 9, 10])).tolist()
    [True, False, True, False]
    """
    if not len(table):
        return np.zeros(len(values), dtype=bool)
    found = np.searchsorted(table, values)
    np.minimum(found, len(table) - 1, out=found)
    present: np.ndarray[Any, Any] = table[found] == values
    return present


def run_starts(ordered: np.ndarray[Any, Any]) -> I64:
    """Return the positions where each run of equal values of a sorted array starts.

    >>> run_starts(np.array([1, 1, 4, 7, 7, 7])).tolist()
    [0, 2, 3]
    """
    return np.flatnonzero(_run_starts(ordered))


def _run_starts(ordered: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Return where each run of equal values of a sorted array starts, as a mask."""
    first = np.empty(ordered.size, dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first


def unique_inverse(values: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], I64]:
    """Return the sorted distinct values and where each value is among them (what
    ``np.unique(values, return_inverse=True)`` returns, by one sort: ~4x faster on the
    hundreds of values of an article, for the reason of :func:`sorted_unique`).

    >>> [a.tolist() for a in unique_inverse(np.array([3, 1, 3, 2], dtype=np.uint32))]
    [[1, 2, 3], [2, 0, 2, 1]]
    """
    order = np.argsort(values)
    ordered = values[order]
    first = _run_starts(ordered)
    where = np.empty(ordered.size, dtype=np.int64)
    where[order] = np.cumsum(first) - 1
    return ordered[first], where


def token_hashes(norm: str, prefix: int | None = None) -> U64:
    """Return one 64-bit hash per word of a comparison text (words split by single spaces).

    Args:
        norm: Output of :func:`dedup.normalize`. Any ``str`` works, lone surrogates included:
            two spaces in a row hold an empty word between them.
        prefix: If given, only the first ``prefix`` characters of each word count: a cheap
            stemmer under which "refugee" and "refugees" agree.

    Returns:
        uint64 hashes, one per word, in order.

    Raises:
        OverflowError: if ``prefix`` is negative.

    >>> a = token_hashes("the refugees came")
    >>> b = token_hashes("refugee", prefix=5)
    >>> bool(token_hashes("refugees", prefix=5)[0] == b[0]), bool(a[1] == b[0])
    (True, False)
    """
    return _core.token_hashes(norm, prefix)


def token_hashes_of_bytes(folded: bytes) -> U64:
    """Return :func:`token_hashes` of the words of ASCII bytes separated by runs of spaces.

    Equal to ``token_hashes(" ".join(folded.decode().split()))`` without building that
    string: a word's hash depends only on its characters, not on where it stands.

    >>> a = token_hashes_of_bytes(b"  the  refugees came ")
    >>> bool((a == token_hashes("the refugees came")).all())
    True
    """
    return _core.token_hashes_of_bytes(folded)


def token_hashes_many(texts: Sequence[bytes | str]) -> tuple[U64, npt.NDArray[np.intp]]:
    """Return the token hashes of many texts laid end to end, and each text's count.

    The same hashes as :func:`token_hashes_of_bytes` (for ``bytes``, as from
    :func:`dedup.normalize.folded_bytes`) or :func:`token_hashes` (for ``str``, as from
    :func:`dedup.normalize.normalize`) of each text, in one call for the whole batch.

    Args:
        texts: Comparison texts: ASCII ``bytes`` (words split by runs of spaces) or ``str``
            (words split by single spaces).

    Returns:
        The uint64 hashes of all texts in order, and an ``intp`` array of how many belong to
        each text.

    Raises:
        TypeError: if an item is neither ``bytes`` nor ``str``.

    >>> hashes, counts = token_hashes_many([b"the  cat ", "sat on", "", "東 京"])
    >>> counts.tolist()
    [2, 2, 0, 2]
    >>> bool((hashes[:2] == token_hashes("the cat")).all())
    True
    """
    return _core.token_hashes_many(texts)


def ngram_hashes(tokens: U64, n: int) -> U32:
    """Return the sorted, distinct uint32 hashes of the n-grams of a token hash sequence.

    A sequence shorter than ``n`` (but not empty) gives one shingle of all its tokens, so that
    short texts still have something to compare; an empty one gives an empty array. Each
    n-gram is salted with its width, so that a 3-word text and a 3-gram of a longer one hash
    alike only when they are the same words.

    Raises:
        ValueError: if ``n`` < 1.

    >>> ngram_hashes(np.arange(4, dtype=np.uint64), 2).size
    3
    >>> ngram_hashes(np.arange(1, dtype=np.uint64), 3).size
    1
    """
    return _core.ngram_hashes(np.asarray(tokens, dtype=np.uint64), n)


def ngram_hashes_many(tokens: U64, counts: npt.ArrayLike, n: int
                      ) -> tuple[U32, npt.NDArray[np.intp]]:
    """Return the n-gram hashes of many token sequences laid end to end (for signatures).

    Each sequence gives the same hashes as :func:`ngram_hashes`, but in window order, neither
    sorted nor deduplicated: a MinHash signature needs neither.

    Args:
        tokens: Token hashes of all sequences in order (see :func:`token_hashes_many`).
        counts: Tokens per sequence; they must add up to ``len(tokens)``.
        n: Words per n-gram.

    Returns:
        The uint32 hashes, and how many belong to each sequence.

    Raises:
        ValueError: if ``n`` < 1 or the counts do not add up to ``len(tokens)``.

    >>> tokens, counts = token_hashes_many(["a b c d e f", "g h", ""])
    >>> hashes, per_text = ngram_hashes_many(tokens, counts, 5)
    >>> per_text.tolist()
    [2, 1, 0]
    >>> bool((np.sort(hashes[:2]) == ngram_hashes(tokens[:6], 5)).all())
    True
    """
    return _core.ngram_hashes_many(np.asarray(tokens, dtype=np.uint64),
                                   np.asarray(counts, dtype=np.intp), n)


def anchors(tokens: U64, n: int, window: int) -> U64:
    """Return the passage anchors of a token hash sequence: the smallest 64-bit word n-gram
    hash of every ``window`` consecutive n-grams, distinct and sorted (winnowing, Schleimer,
    Wilkerson and Aiken 2003).

    Why: two texts that share a run of ``window + n - 1`` words share a whole window of
    n-grams, hence its smallest hash, whatever surrounds the run; yet only about
    ``2 / (window + 1)`` of a text's n-grams are kept, and a verbatim n-gram of news text
    rarely recurs by chance, so these keys find copied passages and little else. A sequence
    shorter than one window gives its smallest n-gram; shorter than ``n``, none. All 64 bits
    are kept: keys of a large index must not collide.

    Raises:
        ValueError: if ``n`` or ``window`` < 1.

    >>> text = token_hashes("one two three four five six seven eight nine ten eleven")
    >>> inner = token_hashes("three four five six seven eight nine")
    >>> bool(np.isin(anchors(inner, 5, 3), anchors(text, 5, 3)).all())
    True
    """
    return _core.anchors(np.asarray(tokens, dtype=np.uint64), n, window)


def word_shingles(norm: str, n: int = 5) -> U32:
    """Return the hashed word n-grams of a comparison text.

    >>> word_shingles("a b c d e f", 5).size
    2
    >>> bool((word_shingles("a b c") == word_shingles("a b c")).all())
    True
    """
    return _core.word_shingles(norm, n)


def char_shingles(norm: str, n: int = 5) -> U32:
    """Return the hashed character n-grams of a comparison text (spaces included).

    >>> char_shingles("abcdef", 5).size
    2
    >>> char_shingles("", 5).size
    0
    """
    return _core.char_shingles(norm, n)
