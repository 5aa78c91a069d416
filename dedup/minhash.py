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

from dedup.errors import ConfigError
from dedup.shingle import U32

__all__ = ["EMPTY_VALUE", "MinHasher"]

#: What every slot of an empty set's signature holds (as in datasketch).
EMPTY_VALUE = np.uint32(0xFFFFFFFF)

# Rows of the (shingles x permutations) product computed at once: 4096 x 128 uint32 is
# 2 MiB, near cache size, so the multiply, add and min reuse what is cached.
_BLOCK_ELEMENTS = 1 << 19


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

        Each set's (shingles x permutations) products are computed into one preallocated,
        cache-sized buffer and reduced with ``min`` in place: numpy does all per-shingle work,
        and Python loops only over sets (and over blocks of very large sets). Measured faster
        than one ``reduceat`` over all sets concatenated (see docs/performance.md).
        """
        out = np.full((len(sets), self.num_perm), EMPTY_VALUE, dtype=np.uint32)
        a, b, rows = self.a, self.b, self._rows
        buffer = np.empty((rows, self.num_perm), dtype=np.uint32)
        block_min = np.empty(self.num_perm, dtype=np.uint32)
        for i, hashes in enumerate(sets):
            mixed = _fmix32(np.asarray(hashes, dtype=np.uint32))
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
        return out

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
