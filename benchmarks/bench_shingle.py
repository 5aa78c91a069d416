"""Stage benchmarks: normalization and word 5-gram shingles of repaired articles."""

from __future__ import annotations

from typing import Any

import pytest

from dedup import normalize
from dedup.normalize import folded_bytes
from dedup.repair import repair
from dedup.shingle import ngram_hashes, ngram_hashes_many, token_hashes, token_hashes_many


@pytest.fixture(scope="module")
def repaired(texts: list[str]) -> list[str]:
    return [repair(t) for t in texts]


def test_normalize(benchmark: Any, repaired: list[str]) -> None:
    out = benchmark(lambda: [normalize(t) for t in repaired])
    assert all(out)
    benchmark.extra_info["docs"] = len(repaired)


def test_word_shingles(benchmark: Any, repaired: list[str]) -> None:
    norms = [normalize(t) for t in repaired]
    out = benchmark(lambda: [ngram_hashes(token_hashes(n), 5) for n in norms])
    assert min(s.size for s in out) > 100
    benchmark.extra_info["docs"] = len(norms)


def test_word_shingles_batched(benchmark: Any, repaired: list[str]) -> None:
    """Token and n-gram hashes of 256 articles at a time (unsorted, for signatures)."""
    items = [folded_bytes(t) or normalize(t) for t in repaired]

    def run() -> list[Any]:
        out = []
        for lo in range(0, len(items), 256):
            tokens, counts = token_hashes_many(items[lo : lo + 256])
            out.append(ngram_hashes_many(tokens, counts, 5))
        return out

    out = benchmark(run)
    assert sum(len(counts) for _, counts in out) == len(items)
    benchmark.extra_info["docs"] = len(items)
