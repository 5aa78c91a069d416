"""Stage benchmarks: normalization and word 5-gram shingles of repaired articles."""

from __future__ import annotations

from typing import Any

import pytest

from dedup import normalize
from dedup.repair import repair
from dedup.shingle import ngram_hashes, token_hashes


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
