"""Stage benchmarks: LSH index insert and query of document signatures (threshold 0.5)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dedup import Config
from dedup.index import BandIndex, optimal_params
from dedup.parallel import signatures_of_texts


@pytest.fixture(scope="module")
def keys(texts: list[str], config: Config) -> np.ndarray:
    bands, rows = optimal_params(config.threshold, config.num_perm)
    return BandIndex(bands, rows).keys(signatures_of_texts(texts, config))


def _filled(keys: np.ndarray, config: Config) -> BandIndex:
    bands, rows = optimal_params(config.threshold, config.num_perm)
    index = BandIndex(bands, rows, config.max_bucket)
    for i, k in enumerate(keys):
        index.insert(i, k)
    return index


def test_index_insert(benchmark: Any, keys: np.ndarray, config: Config) -> None:
    index = benchmark(lambda: _filled(keys, config))
    assert len(index) > 0
    benchmark.extra_info["docs"] = len(keys)


def test_index_query(benchmark: Any, keys: np.ndarray, config: Config) -> None:
    index = _filled(keys, config)
    found = benchmark(lambda: [index.query(k) for k in keys])
    assert all(i in f for i, f in enumerate(found))
    benchmark.extra_info["docs"] = len(keys)
