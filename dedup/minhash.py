"""MinHash signatures of many shingle sets at once, identical to datasketch's ``affine32``.

For the same uint32 shingle hashes, ``num_perm`` and ``seed``, a signature equals
``datasketch.MinHash(num_perm, seed, hashfunc=lambda h: h)`` after ``update_batch``: the input
is pre-mixed with the MurmurHash3 32-bit finalizer, then each permutation is ``a * h + b``
modulo 2**32 with odd ``a``, and the signature keeps the minimum of each. The permutation
parameters are drawn exactly as datasketch draws them (numpy's ``RandomState``), so signatures
move between the two libraries both ways. The signing runs in the Rust core
(rust/src/minhash.rs), a whole batch of sets per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup import _core
from dedup.errors import ConfigError
from dedup.shingle import U32

__all__ = ["EMPTY_VALUE", "MinHasher"]

#: What every slot of an empty set's signature holds (as in datasketch).
EMPTY_VALUE = np.uint32(0xFFFFFFFF)


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

        Args:
            sets: uint32 shingle hashes per set (duplicates are harmless).

        Returns:
            One row per set; an empty set's row holds :data:`EMPTY_VALUE` everywhere.
        """
        arrays = [np.asarray(hashes, dtype=np.uint32) for hashes in sets]
        lengths = np.fromiter((len(h) for h in arrays), dtype=np.intp, count=len(arrays))
        flat = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint32)
        return _core.signatures(flat, lengths, self.a, self.b)

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
        return _core.signatures(np.asarray(hashes, dtype=np.uint32),
                                np.asarray(counts, dtype=np.intp), self.a, self.b)

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
