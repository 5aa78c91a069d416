"""Stage benchmarks: MinHash signatures (128 permutations), against the minimal numpy kernel
and datasketch's ``update_batch`` on the same articles."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from benchmarks.compare import (
    datasketch_signatures,
    kernel_signatures,
)
from dedup import Config
from dedup.minhash import MinHasher
from dedup.parallel import signatures_of_texts, word_shingles_of_text


@pytest.fixture(scope="module")
def shingles(texts: list[str]) -> list[np.ndarray]:
    return [word_shingles_of_text(t) for t in texts]


def test_signature_step(benchmark: Any, shingles: list[np.ndarray]) -> None:
    hasher = MinHasher(128, 1)
    sigs = benchmark(lambda: hasher.signatures(shingles))
    assert sigs.shape == (len(shingles), 128)
    benchmark.extra_info["docs"] = len(shingles)


def test_minimal_numpy_kernel(benchmark: Any, shingles: list[np.ndarray]) -> None:
    sigs = benchmark(lambda: kernel_signatures(shingles))
    assert sigs.shape == (len(shingles), 128)
    benchmark.extra_info["docs"] = len(shingles)


def test_signatures_from_raw_text(benchmark: Any, texts: list[str], config: Config) -> None:
    sigs = benchmark(lambda: signatures_of_texts(texts, config))
    assert sigs.shape == (len(texts), 128)
    benchmark.extra_info["docs"] = len(texts)


def test_datasketch_update_batch_from_raw_text(benchmark: Any, texts: list[str]) -> None:
    few = texts[:100]  # datasketch is ~10x slower: fewer articles keep the run short
    out = benchmark.pedantic(lambda: datasketch_signatures(few), rounds=3, iterations=1)
    assert len(out) == len(few)
    benchmark.extra_info["docs"] = len(few)
