"""Shingles: word and character n-grams of a comparison text, hashed to uint32 in numpy.

Hashes are deterministic (the same on every run, machine and Python version: no ``hash()``)
and computed without a Python loop over words: each word's hash is a polynomial over its
code points, read off prefix sums modulo 2**64, and n-grams combine word hashes the same way.
A final avalanche mix (the MurmurHash3 finalizer) spreads the bits before the top 32 are kept.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

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

# Odd multipliers: odd numbers are invertible modulo 2**64, which the prefix trick needs.
_P = 0x9E3779B97F4A7C15
_P_INV = pow(_P, -1, 2**64)
_Q = 0xC2B2AE3D27D4EB4F
_MASK64 = 2**64 - 1
_SPACE = 32

_S33 = np.uint64(33)
_S32 = np.uint64(32)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_Q64 = np.uint64(_Q)

_tables_lock = threading.Lock()
_pow: U64 = np.ones(1, dtype=np.uint64)
_inv_pow: U64 = np.ones(1, dtype=np.uint64)


def _powers(n: int) -> tuple[U64, U64]:
    """Return P**i and P**-i modulo 2**64 for i < n, grown on demand and shared."""
    global _pow, _inv_pow
    if len(_pow) < n:
        with _tables_lock:
            size = max(n, 2 * len(_pow), 4096)
            pw = np.empty(size, dtype=np.uint64)
            ipw = np.empty(size, dtype=np.uint64)
            pw[0] = ipw[0] = 1
            # cumprod of uint64 wraps around: exactly the arithmetic modulo 2**64 wanted.
            pw[1:] = np.cumprod(np.full(size - 1, _P, dtype=np.uint64))
            ipw[1:] = np.cumprod(np.full(size - 1, _P_INV, dtype=np.uint64))
            _pow, _inv_pow = pw, ipw
    return _pow[:n], _inv_pow[:n]


def finalize(h: U64) -> U32:
    """Mix 64-bit hashes (MurmurHash3's fmix64) and keep the top 32 bits.

    >>> finalize(np.array([0, 1], dtype=np.uint64)).tolist()
    [0, 3025583356]
    """
    # One copy, then in place: each temporary of a 4 KB article costs as much as the math.
    h = h.copy()
    _fmix64(h)
    h >>= _S32
    return h.astype(np.uint32)


def _fmix64(h: U64) -> None:
    """MurmurHash3's fmix64 of ``h``, in place."""
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33


def _windows(tokens: U64, count: int, width: int) -> U64:
    """Return the polynomial hash (before mixing) of the ``count`` windows of ``width`` tokens."""
    grams = tokens[:count].copy()
    for i in range(1, width):
        grams *= _Q64
        grams += tokens[i : count + i]
    return grams


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


def _code_points(text: str) -> U64:
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return raw.astype(np.uint64)


def token_hashes(norm: str, prefix: int | None = None) -> U64:
    """Return one 64-bit hash per word of a comparison text (words split by single spaces).

    Args:
        norm: Output of :func:`dedup.normalize`.
        prefix: If given, only the first ``prefix`` characters of each word count: a cheap
            stemmer under which "refugee" and "refugees" agree.

    Returns:
        uint64 hashes, one per word, in order.

    >>> a = token_hashes("the refugees came")
    >>> b = token_hashes("refugee", prefix=5)
    >>> bool(token_hashes("refugees", prefix=5)[0] == b[0]), bool(a[1] == b[0])
    (True, False)
    """
    if not norm:
        return np.empty(0, dtype=np.uint64)
    codes = _code_points(norm)
    n = len(codes)
    pw, ipw = _powers(n + 1)
    prefix_sums = np.empty(n + 1, dtype=np.uint64)
    prefix_sums[0] = 0
    np.cumsum(codes * pw[:n], out=prefix_sums[1:])
    spaces = np.flatnonzero(codes == _SPACE)
    starts = np.empty(len(spaces) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = spaces + 1
    ends = np.empty_like(starts)
    ends[:-1] = spaces
    ends[-1] = n
    if prefix is not None:
        np.minimum(ends, starts + prefix, out=ends)
    # Word hash = sum of c_j * P**(j - start): the prefix difference shifted back to 0.
    return (prefix_sums[ends] - prefix_sums[starts]) * ipw[starts]


def token_hashes_of_bytes(folded: bytes) -> U64:
    """Return :func:`token_hashes` of the words of ASCII bytes separated by runs of spaces.

    Equal to ``token_hashes(" ".join(folded.decode().split(" ")))`` without building that
    string: a word's hash depends only on its characters, not on where it stands.

    >>> a = token_hashes_of_bytes(b"  the  refugees came ")
    >>> bool((a == token_hashes("the refugees came")).all())
    True
    """
    return _words_of_padded(b" " + folded + b" ")[0]


def _words_of_padded(padded: bytes) -> tuple[U64, npt.NDArray[np.intp]]:
    """Hash the words of ASCII bytes that start and end with a space.

    One neighbour comparison finds every word edge: with a space at both ends the edges
    alternate start, end, start... (1.4x faster per article than two comparisons and the
    concatenations they needed at the ends).

    Returns:
        The word hashes, and the index before each word's first byte (its start edge).
    """
    codes = np.frombuffer(padded, dtype=np.uint8)
    is_space = codes == _SPACE
    edges = np.flatnonzero(is_space[1:] != is_space[:-1])
    if not len(edges):
        return np.empty(0, dtype=np.uint64), edges
    pw, ipw = _powers(len(codes) + 1)
    # sums[i] = sum of c_j * P**j for j <= i; a word spans (start edge, end edge].
    sums = np.cumsum(codes * pw[: len(codes)])
    before = edges[0::2]
    hashes = sums[edges[1::2]] - sums[before]
    hashes *= ipw[1:][before]
    return hashes, before


# Bytes of ASCII text hashed per pass of token_hashes_many (~16 feed articles): measured
# 15-16 us an article at 64 KB and at 128 KB, 18-19 at 32 KB, 23-27 at 16 KB (more calls).
_MANY_BYTES = 1 << 16

# Windows hashed per chunk of ngram_hashes_many: two uint64 buffers of 128 KiB.
_MANY_WINDOWS = 1 << 14


def token_hashes_many(texts: Sequence[bytes | str]) -> tuple[U64, npt.NDArray[np.intp]]:
    """Return the token hashes of many texts laid end to end, and each text's count.

    The same hashes as :func:`token_hashes_of_bytes` (for ``bytes``, as from
    :func:`dedup.normalize.folded_bytes`) or :func:`token_hashes` (for ``str``, as from
    :func:`dedup.normalize.normalize`) of each text, but ASCII texts are hashed many at a
    time: a few numpy calls per ~64 KB instead of per text, whose fixed cost is most of the
    cost of one article.

    Args:
        texts: Comparison texts: ASCII ``bytes`` (words split by runs of spaces) or ``str``
            (words split by single spaces).

    Returns:
        The uint64 hashes of all texts in order, and an ``intp`` array of how many belong to
        each text.

    >>> hashes, counts = token_hashes_many([b"the  cat ", "sat on", "", "東 京"])
    >>> counts.tolist()
    [2, 2, 0, 2]
    >>> bool((hashes[:2] == token_hashes("the cat")).all())
    True
    """
    counts = np.zeros(len(texts), dtype=np.intp)
    pieces: list[U64] = []
    group: list[bytes] = []
    members: list[int] = []
    size = 0
    for i, text in enumerate(texts):
        if isinstance(text, str):
            # Only single-spaced ASCII splits into the same words as bytes (normalize's output
            # always is; token_hashes gives "a  b" an empty word between two spaces).
            if not (text.isascii() and "  " not in text and text[:1] != " " != text[-1:]):
                _hash_group(group, members, pieces, counts)
                group, members, size = [], [], 0
                own = token_hashes(text)
                pieces.append(own)
                counts[i] = len(own)
                continue
            text = text.encode("ascii")
        if size + len(text) > _MANY_BYTES and group:
            _hash_group(group, members, pieces, counts)
            group, members, size = [], [], 0
        group.append(text)
        members.append(i)
        size += len(text) + 1
    _hash_group(group, members, pieces, counts)
    if not pieces:
        return np.empty(0, dtype=np.uint64), counts
    return (pieces[0] if len(pieces) == 1 else np.concatenate(pieces)), counts


def _hash_group(group: list[bytes], members: list[int], pieces: list[U64],
                counts: npt.NDArray[np.intp]) -> None:
    """Hash the words of ASCII texts joined by spaces; append them and set their counts."""
    if not group:
        return
    hashes, before = _words_of_padded(b" " + b" ".join(group) + b" ")
    # bounds[k] is the space before text k, bounds[k + 1] the one after it: its words are
    # those whose start edge (the byte before the word) lies in [bounds[k], bounds[k + 1]).
    bounds = np.empty(len(group) + 1, dtype=np.intp)
    bounds[0] = 0
    np.cumsum([len(text) + 1 for text in group], out=bounds[1:])
    found = np.searchsorted(before, bounds)
    counts[members] = np.diff(found)
    pieces.append(hashes)


def ngram_hashes(tokens: U64, n: int) -> U32:
    """Return the sorted, distinct uint32 hashes of the n-grams of a token hash sequence.

    A sequence shorter than ``n`` (but not empty) gives one shingle of all its tokens, so that
    short texts still have something to compare; an empty one gives an empty array.

    >>> ngram_hashes(np.arange(4, dtype=np.uint64), 2).size
    3
    >>> ngram_hashes(np.arange(1, dtype=np.uint64), 3).size
    1
    """
    count = len(tokens)
    if count == 0:
        return np.empty(0, dtype=np.uint32)
    width = min(n, count)
    grams = _windows(tokens, count - width + 1, width)
    # Salt with the width so that a 3-word text and a 3-gram of a longer one hash alike only
    # when they are the same words.
    grams += np.uint64(width)
    return sorted_unique(finalize(grams))


def ngram_hashes_many(tokens: U64, counts: npt.ArrayLike, n: int
                      ) -> tuple[U32, npt.NDArray[np.intp]]:
    """Return the n-gram hashes of many token sequences laid end to end (for signatures).

    Each sequence gives the same hashes as :func:`ngram_hashes`, but in window order, neither
    sorted nor deduplicated: a MinHash signature needs neither, and sorting is a third of
    the cost of :func:`ngram_hashes` on an article. Windows are hashed over the whole array
    a cache-sized chunk at a time; those that cross from one sequence into the next are
    dropped at the end.

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
    counts = np.asarray(counts, dtype=np.intp)
    if n < 1:
        raise ValueError(f"'n' must be >= 1 (got {n})")
    if counts.ndim != 1 or (counts < 0).any() or int(counts.sum()) != len(tokens):
        raise ValueError(
            f"'counts' must be non-negative and add up to len(tokens) = {len(tokens)} "
            f"(got a sum of {int(counts.sum())}); pass one count per sequence"
        )
    windows = np.where(counts >= n, counts - n + 1, np.minimum(counts, 1))
    span = max(len(tokens) - n + 1, 0)
    hashed = np.empty(span, dtype=np.uint32)
    work = np.empty(min(span, _MANY_WINDOWS), dtype=np.uint64)
    spare = np.empty_like(work)
    for lo in range(0, span, _MANY_WINDOWS):
        hi = min(lo + _MANY_WINDOWS, span)
        grams = work[: hi - lo]
        grams[:] = tokens[lo:hi]
        for i in range(1, n):
            grams *= _Q64
            grams += tokens[lo + i : hi + i]
        grams += np.uint64(n)
        _finalize_in_place(grams, spare[: hi - lo])
        hashed[lo:hi] = grams
    # The last n - 1 windows of each sequence cross its end (all of a short one's do).
    ends = np.cumsum(counts)
    crossing = ends[:, None] - np.arange(1, n, dtype=np.intp)
    crossing = crossing[(crossing >= (ends - counts)[:, None]) & (crossing < span)]
    keep = np.ones(span, dtype=bool)
    keep[crossing] = False
    out = hashed[keep]
    # A sequence shorter than n (rare: a line, a title) gives one window of all its tokens.
    short = np.flatnonzero((counts > 0) & (counts < n))
    if len(short):
        grams = np.array([_combine(tokens[ends[k] - counts[k] : ends[k]]) for k in short],
                         dtype=np.uint64)
        before = np.cumsum(windows) - windows
        out = np.insert(out, before[short] - np.arange(len(short)), finalize(grams))
    return out, windows


def _finalize_in_place(h: U64, spare: U64) -> None:
    """:func:`finalize` into ``h`` itself (the top 32 bits left in its low half), no allocation.

    Large temporaries cost page faults here (a 1.4 MB one ~1 ms on this VM), so the batch
    path reuses two chunk-sized buffers.
    """
    for multiplier in (_M1, _M2, None):
        np.right_shift(h, _S33, out=spare)
        np.bitwise_xor(h, spare, out=h)
        if multiplier is not None:
            np.multiply(h, multiplier, out=h)
    np.right_shift(h, _S32, out=h)


def _combine(tokens: U64) -> int:
    """Return the n-gram hash of all of ``tokens``, before :func:`finalize`."""
    gram = 0
    for token in tokens.tolist():
        gram = (gram * _Q + token) & _MASK64
    return (gram + len(tokens)) & _MASK64


def anchors(tokens: U64, n: int, window: int) -> U64:
    """Return the passage anchors of a token hash sequence: the smallest 64-bit word n-gram
    hash of every ``window`` consecutive n-grams, distinct and sorted (winnowing, Schleimer,
    Wilkerson and Aiken 2003).

    Why: two texts that share a run of ``window + n - 1`` words share a whole window of
    n-grams, hence its smallest hash, whatever surrounds the run; yet only about
    ``2 / (window + 1)`` of a text's n-grams are kept, and a verbatim n-gram of news text
    rarely recurs by chance, so these keys find copied passages and little else. A sequence
    shorter than one window gives its smallest n-gram; shorter than ``n``, none.

    >>> text = token_hashes("one two three four five six seven eight nine ten eleven")
    >>> inner = token_hashes("three four five six seven eight nine")
    >>> bool(np.isin(anchors(inner, 5, 3), anchors(text, 5, 3)).all())
    True
    """
    count = len(tokens) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    grams = _windows(tokens, count, n)
    _fmix64(grams)  # all 64 bits kept: keys of a large index must not collide
    smallest = (grams.min(keepdims=True) if count <= window
                else np.lib.stride_tricks.sliding_window_view(grams, window).min(axis=1))
    result: U64 = sorted_unique(smallest)
    return result


def word_shingles(norm: str, n: int = 5) -> U32:
    """Return the hashed word n-grams of a comparison text.

    >>> word_shingles("a b c d e f", 5).size
    2
    >>> bool((word_shingles("a b c") == word_shingles("a b c")).all())
    True
    """
    return ngram_hashes(token_hashes(norm), n)


def char_shingles(norm: str, n: int = 5) -> U32:
    """Return the hashed character n-grams of a comparison text (spaces included).

    >>> char_shingles("abcdef", 5).size
    2
    >>> char_shingles("", 5).size
    0
    """
    return ngram_hashes(_code_points(norm), n)
