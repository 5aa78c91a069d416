"""Shingles: word and character n-grams of a comparison text, hashed to uint32 in numpy.

Hashes are deterministic (the same on every run, machine and Python version: no ``hash()``)
and computed without a Python loop over words: each word's hash is a polynomial over its
code points, read off prefix sums modulo 2**64, and n-grams combine word hashes the same way.
A final avalanche mix (the MurmurHash3 finalizer) spreads the bits before the top 32 are kept.
"""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt

__all__ = [
    "U32",
    "U64",
    "char_shingles",
    "finalize",
    "ngram_hashes",
    "sorted_unique",
    "token_hashes",
    "token_hashes_of_bytes",
    "word_shingles",
]

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]

# Odd multipliers: odd numbers are invertible modulo 2**64, which the prefix trick needs.
_P = 0x9E3779B97F4A7C15
_P_INV = pow(_P, -1, 2**64)
_Q = 0xC2B2AE3D27D4EB4F
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
    h = h ^ (h >> _S33)
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    h >>= _S32
    return h.astype(np.uint32)


def sorted_unique(values: U32) -> U32:
    """Return the distinct values of a uint32 array, sorted (what ``np.unique`` returns).

    ``np.unique`` goes through a hash table first in numpy >= 2.3, which costs ~10x more than
    a sort on the few thousand values of one article (see docs/performance.md).

    >>> sorted_unique(np.array([3, 1, 3, 2], dtype=np.uint32)).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


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
    codes = np.frombuffer(folded, dtype=np.uint8)
    n = len(codes)
    is_word = codes != _SPACE
    if n == 0 or not is_word.any():
        return np.empty(0, dtype=np.uint64)
    # Word edges from neighbour comparisons: ~35% faster than np.diff with prepend/append.
    starts = np.flatnonzero(is_word[1:] > is_word[:-1])
    starts += 1
    ends = np.flatnonzero(is_word[:-1] > is_word[1:])
    ends += 1
    if is_word[0]:
        starts = np.concatenate((np.zeros(1, dtype=np.intp), starts))
    if is_word[-1]:
        ends = np.concatenate((ends, np.full(1, n, dtype=np.intp)))
    pw, ipw = _powers(n + 1)
    prefix_sums = np.empty(n + 1, dtype=np.uint64)
    prefix_sums[0] = 0
    np.cumsum(codes * pw[:n], out=prefix_sums[1:])
    return (prefix_sums[ends] - prefix_sums[starts]) * ipw[starts]


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
    grams = tokens[: count - width + 1].copy()
    for i in range(1, width):
        grams *= _Q64
        grams += tokens[i : count - width + 1 + i]
    # Salt with the width so that a 3-word text and a 3-gram of a longer one hash alike only
    # when they are the same words.
    grams += np.uint64(width)
    return sorted_unique(finalize(grams))


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
