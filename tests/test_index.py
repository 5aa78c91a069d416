"""Banding matches datasketch's choice of (b, r); stop buckets are not followed."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch.lsh import _optimal_param

from dedup.errors import ConfigError
from dedup.index import BandIndex, band_keys, optimal_params


@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.5, 0.7, 0.9])
@pytest.mark.parametrize("num_perm", [32, 128])
def test_optimal_params_agree_with_datasketch(threshold: float, num_perm: int) -> None:
    assert optimal_params(threshold, num_perm) == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_optimal_params_reject_thresholds_outside_the_open_interval() -> None:
    with pytest.raises(ConfigError, match="'threshold'"):
        optimal_params(1.0, 128)


def test_band_keys_differ_per_band_and_need_enough_values() -> None:
    sig = np.zeros((1, 8), dtype=np.uint32)
    keys = band_keys(sig, 4, 2)
    assert len(set(keys[0].tolist())) == 4  # equal values in different bands never collide
    with pytest.raises(ConfigError, match="need 10"):
        band_keys(sig, 5, 2)


def test_query_finds_items_sharing_one_band_only() -> None:
    index = BandIndex(bands=4, rows=2)
    a = np.arange(8, dtype=np.uint32).reshape(1, 8)
    b = a.copy()
    b[0, 2:] += 100  # only the first band is equal
    index.insert(1, index.keys(a)[0])
    assert index.query(index.keys(b)[0]) == [1]
    c = a + 1000
    assert index.query(index.keys(c)[0]) == []


def test_stop_buckets_are_not_followed_and_removal_works() -> None:
    index = BandIndex(bands=1, rows=1, max_bucket=2)
    keys = np.array([42], dtype=np.uint64)
    index.insert(1, keys)
    index.insert(2, keys)
    assert index.query(keys) == [1, 2]
    index.insert(3, keys)
    assert index.query(keys) == []
    index.remove(3, keys)
    assert index.query_counts(keys) == {1: 1, 2: 1}
