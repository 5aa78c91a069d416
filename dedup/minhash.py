"""MinHash signatures of many shingle sets at once, identical to datasketch's ``affine32``.

For the same uint32 shingle hashes, ``num_perm`` and ``seed``, a signature equals
``datasketch.MinHash(num_perm, seed, hashfunc=lambda h: h)`` after ``update_batch``: the input
is pre-mixed with the MurmurHash3 32-bit finalizer, then each permutation is ``a * h + b``
modulo 2**32 with odd ``a``, and the signature keeps the minimum of each. The permutation
parameters are drawn exactly as datasketch draws them, so signatures move between the two
libraries both ways.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.errors import ConfigError
from dedup.shingle import U32

__all__ = ["EMPTY_VALUE", "MinHasher"]

#: What every slot of an empty set's signature holds (as in datasketch).
EMPTY_VALUE = np.uint32(0xFFFFFFFF)

# Rows of the (shingles x permutations) product computed at once: 4096 x 128 uint32 is
# 2 MiB, near cache size, so the multiply, add and min reuse what is cached.
_BLOCK_ELEMENTS = 1 << 19

# Hashes per 1-D pass of the permutation-by-permutation path: 256 KiB of uint32, so the block
# and its products share a 512 KiB L2 cache; measured 34 us per feed article against 38 us at
# 32k and 60 us at 8k (more Python calls), and no better at 128k.
_PASS_ELEMENTS = 1 << 16


_S16 = np.uint32(16)
_S13 = np.uint32(13)
_C1 = np.uint32(0x85EBCA6B)
_C2 = np.uint32(0xC2B2AE35)


def _fmix32(h: U32) -> U32:
    # One copy, then in place (a temporary per step cost as much as the arithmetic).
    h = h ^ (h >> _S16)
    h *= _C1
    h ^= h >> _S13
    h *= _C2
    h ^= h >> _S16
    return h


@lru_cache(maxsize=32)
def _permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """Draw datasketch's odd ``a`` and ``b`` once per setting (a RandomState costs ~0.1 ms)."""
    gen = np.random.RandomState(seed)
    a: U32 = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b: U32 = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    # Shared between hashers: read-only, so no caller can change another's permutations.
    a.flags.writeable = False
    b.flags.writeable = False
    return a, b


class MinHasher:
    """Computes MinHash signatures (uint32 arrays of ``num_perm`` values) of shingle sets.

    Args:
        num_perm: Number of permutations, the signature's length.
        seed: Seed of the permutations; signatures are comparable only with the same seed.

    >>> hasher = MinHasher(num_perm=4, seed=1)
    >>> hasher.signature(np.array([1, 2, 3], dtype=np.uint32)).shape
    (4,)
    >>> bool((hasher.signature(np.array([], dtype=np.uint32)) == EMPTY_VALUE).all())
    True
    """

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if isinstance(num_perm, bool) or not isinstance(num_perm, int) or num_perm < 1:
            raise ConfigError(f"'num_perm' must be a whole number >= 1 (got {num_perm!r})")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise ConfigError(f"'seed' must be a whole number in [0, 2**32) (got {seed!r})")
        self.num_perm = num_perm
        self.seed = seed
        # Drawn in datasketch's order from the same generator: odd a, then b.
        self.a, self.b = _permutations(num_perm, seed)
        self._rows = max(1, _BLOCK_ELEMENTS // num_perm)
        # numpy scalars, so that each 1-D pass multiplies by one without converting it.
        self._a_scalars = list(self.a)
        self._b_scalars = list(self.b)

    def __repr__(self) -> str:
        return f"MinHasher(num_perm={self.num_perm}, seed={self.seed})"

    def empty(self) -> U32:
        """Return the signature of the empty set: every slot holds :data:`EMPTY_VALUE`."""
        return np.full(self.num_perm, EMPTY_VALUE, dtype=np.uint32)

    def signature(self, hashes: U32) -> U32:
        """Return the signature of one set of uint32 shingle hashes.

        Args:
            hashes: The set's hashes (duplicates are harmless).

        Returns:
            uint32 array of length ``num_perm``; an empty set gives all :data:`EMPTY_VALUE`.
        """
        signature: U32 = self.signatures([hashes])[0]
        return signature

    def signatures(self, sets: Sequence[U32]) -> U32:
        """Return the signatures of many sets as one ``(len(sets), num_perm)`` uint32 array.

        Two ways to the same result, chosen by an estimate of their cost. A batch runs
        permutation by permutation over all its sets at once (:meth:`_by_permutation`): three
        numpy calls per permutation and block of ~64k hashes, so the Python cost is spread
        over the whole batch and each call is a plain 1-D loop that numpy vectorizes. A few
        article-sized sets run set by set (:meth:`_by_set`): for them the ``3 * num_perm``
        calls of the other way would cost more than the arithmetic they save. See
        docs/performance.md for the figures.

        Args:
            sets: uint32 shingle hashes per set (duplicates are harmless).

        Returns:
            One row per set; an empty set's row holds :data:`EMPTY_VALUE` everywhere.
        """
        arrays = [np.asarray(hashes, dtype=np.uint32) for hashes in sets]
        out = np.full((len(arrays), self.num_perm), EMPTY_VALUE, dtype=np.uint32)
        total = sum(len(array) for array in arrays)
        if total == 0:
            return out
        if self._permutation_cost(total) < self._set_cost(len(arrays), total):
            lengths = np.fromiter((len(h) for h in arrays), dtype=np.intp, count=len(arrays))
            self._by_permutation(np.concatenate(arrays), lengths, out)
        else:
            self._by_set(arrays, out)
        return out

    def signatures_flat(self, hashes: U32, counts: npt.ArrayLike) -> U32:
        """Return the signatures of sets laid end to end in one array.

        The same rows as :meth:`signatures` of ``np.split(hashes, np.cumsum(counts)[:-1])``,
        without cutting the array into one per set (what
        :func:`dedup.shingle.ngram_hashes_many` returns).

        Args:
            hashes: uint32 hashes of all sets in order.
            counts: How many hashes belong to each set (they must add up to ``len(hashes)``).

        Returns:
            One row per set, as :meth:`signatures`.

        Raises:
            ValueError: if the counts do not add up to the number of hashes.

        >>> hasher = MinHasher(num_perm=4, seed=1)
        >>> flat = np.array([5, 6, 7], dtype=np.uint32)
        >>> both = hasher.signatures_flat(flat, [2, 0, 1])
        >>> bool((both == hasher.signatures([flat[:2], flat[:0], flat[2:]])).all())
        True
        """
        lengths = np.asarray(counts, dtype=np.intp)
        flat = np.asarray(hashes, dtype=np.uint32)
        if lengths.ndim != 1 or (lengths < 0).any() or int(lengths.sum()) != len(flat):
            raise ValueError(
                f"'counts' must be non-negative and add up to len(hashes) = {len(flat)} "
                f"(got a sum of {int(lengths.sum())}); pass one count per set"
            )
        out = np.full((len(lengths), self.num_perm), EMPTY_VALUE, dtype=np.uint32)
        if len(flat) == 0:
            return out
        if self._permutation_cost(len(flat)) < self._set_cost(len(lengths), len(flat)):
            self._by_permutation(flat, lengths, out)
        else:
            self._by_set(np.split(flat, np.cumsum(lengths)[:-1]), out)
        return out

    # Measured costs in ns (numpy 2.4, AVX2, one core; /tmp scratch timings of batches of 1 to
    # 256 feed articles, see docs/performance.md): a permutation pass over one block costs
    # ~3.8 us of calls, a set in the set-by-set path ~8 us; a (hash, permutation) pair ~0.33 ns
    # in 1-D passes against ~1 ns in the 2-D broadcast (whose rows of num_perm are short).
    _PASS_CALLS_NS = 3800.0
    _SET_CALLS_NS = 8000.0
    _PAIR_1D_NS = 0.33
    _PAIR_2D_NS = 1.0

    def _permutation_cost(self, total: int) -> float:
        blocks = -(-total // _PASS_ELEMENTS)
        pairs = total * self.num_perm
        return self.num_perm * blocks * self._PASS_CALLS_NS + pairs * self._PAIR_1D_NS

    def _set_cost(self, count: int, total: int) -> float:
        return count * self._SET_CALLS_NS + total * self.num_perm * self._PAIR_2D_NS

    def _by_set(self, arrays: list[U32], out: U32) -> None:
        """Fill ``out`` one set at a time, blocks of (shingles x permutations) at once.

        Each set's products go into one preallocated, cache-sized buffer and are reduced with
        ``min`` in place: numpy does all per-shingle work, Python loops over sets (and over
        blocks of very large sets).
        """
        a, b, rows = self.a, self.b, self._rows
        buffer = np.empty((min(rows, max(len(h) for h in arrays)), self.num_perm), np.uint32)
        block_min = np.empty(self.num_perm, dtype=np.uint32)
        for i, hashes in enumerate(arrays):
            if not len(hashes):
                continue
            mixed = _fmix32(hashes)
            target = out[i]
            for lo in range(0, len(mixed), rows):
                chunk = mixed[lo : lo + rows]
                products = buffer[: len(chunk)]
                np.multiply(chunk[:, None], a, out=products)
                products += b
                if lo == 0:
                    products.min(axis=0, out=target)
                else:
                    products.min(axis=0, out=block_min)
                    np.minimum(target, block_min, out=target)

    def _by_permutation(self, hashes: U32, lengths: npt.NDArray[np.intp], out: U32) -> None:
        """Fill ``out`` permutation by permutation over all sets concatenated.

        The hashes of all sets are cut into blocks of ~64k (256 KiB, so a block and its
        products stay in a 512 KiB L2 cache). Per block and permutation: one
        multiply, one add and one ``minimum.reduceat`` over the sets' segments. A set cut by a
        block edge gets a partial minimum from each block, merged with ``np.minimum``.
        """
        total = len(hashes)
        starts = np.cumsum(lengths) - lengths
        nonempty = np.flatnonzero(lengths)
        nonempty_starts = starts[nonempty]
        row = np.empty(min(_PASS_ELEMENTS, total), dtype=np.uint32)
        for lo in range(0, total, _PASS_ELEMENTS):
            hi = min(lo + _PASS_ELEMENTS, total)
            # The sets with hashes in [lo, hi): the one running in at lo, those starting after.
            first = int(np.searchsorted(nonempty_starts, lo, side="right")) - 1
            last = int(np.searchsorted(nonempty_starts, hi, side="left"))
            owners = nonempty[first:last]
            offsets = nonempty_starts[first:last] - lo
            offsets[0] = 0
            # Mixed per block: a temporary of the whole batch would cost page faults.
            chunk = _fmix32(hashes[lo:hi])
            products = row[: hi - lo]
            mins = np.empty((self.num_perm, len(owners)), dtype=np.uint32)
            for a, b, target in zip(self._a_scalars, self._b_scalars, mins, strict=True):
                np.multiply(chunk, a, out=products)
                np.add(products, b, out=products)
                np.minimum.reduceat(products, offsets, out=target)
            # Owners are distinct within a block, so this fancy assignment loses nothing.
            out[owners] = np.minimum(out[owners], mins.T)

    def to_datasketch(self, signature: U32) -> Any:
        """Return ``signature`` as a ``datasketch.LeanMinHash`` (scheme ``affine32``)."""
        from datasketch import LeanMinHash

        return LeanMinHash(
            seed=self.seed, hashvalues=np.asarray(signature, dtype=np.uint32), scheme="affine32"
        )

    def from_datasketch(self, minhash: Any) -> U32:
        """Return the signature held by a datasketch ``MinHash`` or ``LeanMinHash``.

        Raises:
            ValueError: if its scheme, seed or number of permutations differ from this hasher's.
        """
        scheme = getattr(minhash, "scheme", None)
        if scheme != "affine32":
            raise ValueError(
                f"expected a MinHash of scheme 'affine32' (got {scheme!r}); "
                "create it with datasketch >= 2 and its default scheme"
            )
        values = np.asarray(minhash.hashvalues, dtype=np.uint32)
        if minhash.seed != self.seed or len(values) != self.num_perm:
            raise ValueError(
                f"MinHash has seed={minhash.seed}, num_perm={len(values)}; this hasher has "
                f"seed={self.seed}, num_perm={self.num_perm}: build both with the same settings"
            )
        return values.copy()
