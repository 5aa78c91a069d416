"""Batch lookups answer as the index and the batch's earlier documents would, one by one."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from dedup.candidates import BatchLookups, Keys
from dedup.store import DOC, PASSAGE, UNIT, Entry
from dedup.store.memory import MemoryStore


def _keys(rng: np.random.Generator, pool: np.ndarray) -> Keys:
    def pick(n: int) -> np.ndarray:
        return np.unique(rng.choice(pool, size=n)).astype(np.uint64)

    return (pick(4), pick(12), np.zeros(0, dtype=np.uint64), pick(5))


@pytest.mark.parametrize("seed", range(5))
def test_members_and_counts_equal_a_plain_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pool = rng.integers(1, 2**63, 60, dtype=np.uint64)  # few keys: buckets fill up
    store = MemoryStore()
    stored = [_keys(rng, pool) for _ in range(40)]
    for start in range(0, 40, 8):
        store.add([Entry(f"s{start + i}", None, None, None, 1, 1, b"", k)
                   for i, k in enumerate(stored[start : start + 8])], 0.0)
    batch = [_keys(rng, pool) for _ in range(15)]
    limit = 6
    lookups = BatchLookups(store, batch, limit, own=True)
    for position, keys in enumerate(batch):
        for kind in (DOC, PASSAGE):
            buckets: dict[int, list[int]] = defaultdict(list)
            for number, k in enumerate(stored):
                for key in k[kind].tolist():
                    buckets[key].append(2 * number)
            for earlier, k in enumerate(batch[:position]):
                for key in k[kind].tolist():
                    buckets[key].append(2 * earlier + 1)
            want = {(row, code) for row, key in enumerate(keys[kind].tolist())
                    if len(buckets[key]) <= limit for code in buckets[key]}
            rows, codes = lookups.members(kind, keys[kind], position, limit)
            assert set(zip(rows.tolist(), codes.tolist(), strict=True)) == want
            assert len(rows) == len(want)
        counts: dict[int, int] = defaultdict(int)
        for k in [*stored, *batch[:position]]:
            for key in k[UNIT].tolist():
                counts[key] += 1
        probe = np.unique(np.concatenate([keys[UNIT], pool[:5]]))  # some not the batch's
        assert lookups.counts(probe, position) == {
            key: counts[key] for key in probe.tolist() if counts[key]}
