"""Banded LSH over MinHash signatures: which stored items might be similar to a new one.

A signature of ``b * r`` values is cut into ``b`` bands of ``r`` rows; two items are
candidates when any band is equal. Bands are hashed to one 64-bit key each (in the Rust
core, for many signatures at once), so an index is a map from key to item ids: a dict here, a table
or a Redis set in the stored indexes. Buckets that grow past ``max_bucket`` items are stop
buckets (a footer, a topic phrase): they are kept but not followed, so they cannot make
every article a candidate of every other.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from dedup import _core
from dedup.errors import ConfigError
from dedup.shingle import U32, U64

__all__ = ["BandIndex", "band_keys", "optimal_params"]


def _collision_probability(s: np.ndarray, b: int, r: int) -> np.ndarray:
    return 1.0 - (1.0 - s**r) ** b


@lru_cache(maxsize=256)
def optimal_params(threshold: float, num_perm: int, fp_weight: float = 0.5,
                   fn_weight: float = 0.5) -> tuple[int, int]:
    """Return the bands ``b`` and rows ``r`` that best separate similarities at ``threshold``.

    Minimises the weighted area of false positives (below the threshold) and false negatives
    (above it) under the banding S-curve, as datasketch's ``MinHashLSH`` does.

    >>> optimal_params(0.5, 128)
    (25, 5)
    """
    if not 0.0 < threshold < 1.0:
        raise ConfigError(f"'threshold' must be in (0.0, 1.0) for LSH (got {threshold!r})")
    grid_low = np.linspace(0.0, threshold, 201)
    grid_high = np.linspace(threshold, 1.0, 201)
    best = (1, 1)
    best_error = float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = np.trapezoid(_collision_probability(grid_low, b, r), grid_low)
            fn = np.trapezoid(1.0 - _collision_probability(grid_high, b, r), grid_high)
            error = fp_weight * fp + fn_weight * fn
            if error < best_error:
                best_error, best = float(error), (b, r)
    return best


def band_keys(signatures: U32, bands: int, rows: int) -> U64:
    """Return the ``(n, bands)`` uint64 bucket keys of ``n`` signatures.

    >>> sig = np.arange(8, dtype=np.uint32).reshape(1, 8)
    >>> band_keys(sig, 4, 2).shape
    (1, 4)
    """
    sigs = np.atleast_2d(signatures)
    if sigs.shape[1] < bands * rows:
        raise ConfigError(
            f"signatures have {sigs.shape[1]} values; {bands} bands x {rows} rows need "
            f"{bands * rows}: lower 'bands' or 'rows', or raise 'num_perm'"
        )
    return _core.band_keys(np.ascontiguousarray(sigs, dtype=np.uint32), bands, rows)


class BandIndex:
    """An in-memory banded LSH index from bucket keys to integer item ids.

    Args:
        bands: Number of bands ``b``.
        rows: Rows per band ``r``.
        max_bucket: Buckets holding more items than this are not followed by queries.

    >>> index = BandIndex(bands=2, rows=2)
    >>> sig = np.array([[1, 2, 3, 4]], dtype=np.uint32)
    >>> index.insert(7, index.keys(sig)[0])
    >>> index.query(index.keys(sig)[0])
    [7]
    """

    def __init__(self, bands: int, rows: int, max_bucket: int = 200) -> None:
        self.bands = bands
        self.rows = rows
        self.max_bucket = max_bucket
        self._buckets: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def keys(self, signatures: U32) -> U64:
        """Return the bucket keys of signatures (see :func:`band_keys`)."""
        return band_keys(signatures, self.bands, self.rows)

    def insert(self, item: int, keys: U64 | Iterable[int]) -> None:
        """Add ``item`` to the bucket of each key."""
        buckets = self._buckets
        for key in np.asarray(keys, dtype=np.uint64).tolist():
            members = buckets.get(key)
            if members is None:
                buckets[key] = [item]
            else:
                members.append(item)

    def remove(self, item: int, keys: U64 | Iterable[int]) -> None:
        """Remove ``item`` from the buckets of its keys (absent items are ignored)."""
        for key in np.asarray(keys, dtype=np.uint64).tolist():
            members = self._buckets.get(key)
            if members and item in members:
                members.remove(item)
                if not members:
                    del self._buckets[key]

    def query(self, keys: U64 | Iterable[int]) -> list[int]:
        """Return the distinct items sharing a followed bucket with ``keys``, in id order."""
        found: set[int] = set()
        for key in np.asarray(keys, dtype=np.uint64).tolist():
            members = self._buckets.get(key)
            if members and len(members) <= self.max_bucket:
                found.update(members)
        return sorted(found)

    def query_counts(self, keys: U64 | Iterable[int]) -> dict[int, int]:
        """Return, for each item sharing a followed bucket with ``keys``, how many it shares."""
        counts: dict[int, int] = {}
        for key in np.asarray(keys, dtype=np.uint64).tolist():
            members = self._buckets.get(key)
            if members and len(members) <= self.max_bucket:
                for item in members:
                    counts[item] = counts.get(item, 0) + 1
        return counts
