"""The signer equals datasketch's affine32 MinHash bit for bit, and converts both ways."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import ConfigError, MinHasher, normalize, word_shingles
from dedup.minhash import EMPTY_VALUE
from tests.conftest import SEEDS


def _datasketch(hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda h: h)
    m.update_batch(hashes)
    return np.asarray(m.hashvalues)


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (256, 42), (1, 0)])
def test_random_sets_equal_datasketch(num_perm: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    hasher = MinHasher(num_perm, seed)
    sets = [rng.integers(0, 2**32, size=n, dtype=np.uint32) for n in (1, 2, 17, 700, 9000)]
    for hashes, signature in zip(sets, hasher.signatures(sets), strict=True):
        assert np.array_equal(signature, _datasketch(hashes, num_perm, seed))


def test_real_shingles_equal_datasketch() -> None:
    hasher = MinHasher()
    for path in sorted(SEEDS.glob("*.txt")):
        hashes = word_shingles(normalize(path.read_text(encoding="utf-8")), 5)
        assert np.array_equal(hasher.signature(hashes), _datasketch(hashes, 128, 1)), path.name


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=60), max_size=8))
def test_batches_equal_one_at_a_time(sets: list[list[int]]) -> None:
    hasher = MinHasher(32, 3)
    arrays = [np.array(s, dtype=np.uint32) for s in sets]
    batch = hasher.signatures(arrays)
    assert batch.shape == (len(arrays), 32)
    for array, row in zip(arrays, batch, strict=True):
        assert np.array_equal(row, hasher.signature(array))
        assert np.array_equal(row, _datasketch(array, 32, 3))


def test_empty_set_gives_the_empty_signature_of_datasketch() -> None:
    hasher = MinHasher()
    empty = hasher.signature(np.array([], dtype=np.uint32))
    assert (empty == EMPTY_VALUE).all()
    assert np.array_equal(empty, MinHash(num_perm=128, seed=1).hashvalues)
    assert hasher.signatures([]).shape == (0, 128)


def test_round_trip_through_lean_minhash_and_into_a_datasketch_index() -> None:
    hasher = MinHasher()
    text = normalize((SEEDS / "003_7896003b2d4fef40.txt").read_text(encoding="utf-8"))
    signature = hasher.signature(word_shingles(text))
    lean = hasher.to_datasketch(signature)
    assert isinstance(lean, LeanMinHash)
    assert np.array_equal(hasher.from_datasketch(lean), signature)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    lsh.insert("doc", lean)
    other = MinHash(num_perm=128, seed=1, hashfunc=lambda h: h)
    other.update_batch(word_shingles(text))
    assert lsh.query(other) == ["doc"]


def test_from_datasketch_refuses_other_settings() -> None:
    with pytest.raises(ValueError, match="seed=2"):
        MinHasher().from_datasketch(MinHash(num_perm=128, seed=2))
    with pytest.raises(ValueError, match="affine32"):
        MinHasher().from_datasketch(MinHash(num_perm=128, seed=1, scheme="legacy"))


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_num_perm_is_a_clear_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="'num_perm' must be"):
        MinHasher(num_perm=bad)  # type: ignore[arg-type]


# Large sets beside empty and single-hash ones, in one batch.
_BATCH_SIZES = [0, 1, 700, 0, 65_535, 2, 70_000, 0, 3, 140_000, 1]


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (32, 5)])
def test_batch_rows_equal_datasketch_and_one_set_at_a_time(num_perm: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    sets = [rng.integers(0, 2**32, size=n, dtype=np.uint32) for n in _BATCH_SIZES]
    hasher = MinHasher(num_perm, seed)
    out = hasher.signatures(sets)
    for i, hashes in enumerate(sets):
        # datasketch on the big sets takes seconds: check those one set at a time.
        if len(hashes) <= 700:
            assert np.array_equal(out[i], _datasketch(hashes, num_perm, seed)), i
        else:
            assert np.array_equal(out[i], hasher.signature(hashes)), i
    assert (out[[0, 3, 7]] == EMPTY_VALUE).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=40), min_size=1, max_size=30))
def test_flat_batches_equal_lists_of_sets(sets: list[list[int]]) -> None:
    hasher = MinHasher(16, 9)
    arrays = [np.array(s, dtype=np.uint32) for s in sets]
    one_by_one = np.stack([hasher.signature(a) for a in arrays])
    flat = np.concatenate(arrays)
    assert np.array_equal(hasher.signatures_flat(flat, [len(s) for s in sets]), one_by_one)
    assert np.array_equal(hasher.signatures(arrays), one_by_one)


@pytest.mark.parametrize("counts", [[1, 1], [4], [-1, 4], [[3]]])
def test_signatures_flat_refuses_counts_that_do_not_add_up(counts: list[int]) -> None:
    with pytest.raises(ValueError, match="'counts' must be non-negative and add up to"):
        MinHasher(8, 1).signatures_flat(np.arange(3, dtype=np.uint32), counts)


def test_signatures_flat_of_nothing() -> None:
    hasher = MinHasher(8, 1)
    assert hasher.signatures_flat(np.empty(0, dtype=np.uint32), []).shape == (0, 8)
    empty = hasher.signatures_flat(np.empty(0, dtype=np.uint32), [0, 0])
    assert (empty == EMPTY_VALUE).all()
    assert empty.shape == (2, 8)
