"""Shingles are deterministic, set-valued, and work for scripts written without spaces."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import char_shingles, normalize, word_shingles
from dedup.normalize import folded_bytes
from dedup.shingle import (
    anchors,
    ngram_hashes,
    ngram_hashes_many,
    token_hashes,
    token_hashes_many,
    token_hashes_of_bytes,
    unique_inverse,
)


def test_same_text_same_hashes_in_another_process() -> None:
    text = "the council approved the budget on tuesday night after a long debate"
    here = word_shingles(text, 5).tolist()
    code = ("from dedup import word_shingles; "
            f"print(word_shingles({text!r}, 5).tolist())")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": "123"}).stdout
    assert str(here) == there.strip()


def test_word_shingles_count_and_order_sensitivity() -> None:
    assert word_shingles("a b c d e f g", 5).size == 3
    assert not np.array_equal(word_shingles("a b c d e"), word_shingles("e d c b a"))
    # A set: the six windows of a repeated phrase hold five distinct shingles.
    assert word_shingles("a b c d e a b c d e").size == 5


def test_short_texts_still_have_one_shingle_and_empty_has_none() -> None:
    assert word_shingles("one two", 5).size == 1
    assert word_shingles("", 5).size == 0
    assert char_shingles("abc", 5).size == 1


def test_prefix_stems_agree_on_inflections() -> None:
    a = token_hashes("refugees concerns ideologies", prefix=5)
    b = token_hashes("refugee concern ideology", prefix=5)
    assert np.array_equal(a, b)
    assert not np.array_equal(token_hashes("refugees"), token_hashes("refugee"))


def test_cjk_text_is_shingled_per_character() -> None:
    original = "中国国家航天局今天宣布嫦娥六号探测器成功着陆月球背面"
    copy = "据报道，" + original + "。"
    a, b = word_shingles(normalize(original)), word_shingles(normalize(copy))
    assert a.size > 10
    assert np.isin(a, b).all()


@given(st.text(max_size=200))
def test_shingles_are_deterministic_and_sorted(text: str) -> None:
    norm = normalize(text)
    first, second = word_shingles(norm), word_shingles(norm)
    assert np.array_equal(first, second)
    assert first.dtype == np.uint32
    assert (np.diff(first.astype(np.int64)) > 0).all()


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_ngram_hashes_of_distinct_tokens_are_distinct(n: int) -> None:
    tokens = np.arange(1, 200, dtype=np.uint64)
    assert ngram_hashes(tokens, n).size == 199 - n + 1


# Words, runs of spaces, non-ASCII letters and CJK: texts that take each path of the batch
# functions (bytes, ASCII str, non-ASCII str) and short ones under any n.
_WORDY = st.lists(st.sampled_from(["a", "bb", "the", "refugees", " ", "  ", "café", "東", "x1"]),
                  max_size=25).map("".join)


def _as_item(text: str, kind: int) -> bytes | str:
    """The text as a batch item: folded bytes, its comparison str, or itself (any spacing)."""
    folded = folded_bytes(text)
    if kind == 2:
        return text
    return folded if kind == 0 and folded is not None else normalize(text)


def _one_at_a_time(item: bytes | str) -> np.ndarray:
    return token_hashes_of_bytes(item) if isinstance(item, bytes) else token_hashes(item)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_WORDY, st.integers(0, 2)), max_size=12), st.integers(1, 6))
def test_batch_functions_equal_one_text_at_a_time(
        texts: list[tuple[str, int]], n: int) -> None:
    items = [_as_item(text, kind) for text, kind in texts]
    tokens, counts = token_hashes_many(items)
    assert counts.tolist() == [len(_one_at_a_time(item)) for item in items]
    expected_tokens = [_one_at_a_time(item) for item in items]
    assert np.array_equal(tokens, np.concatenate([np.empty(0, np.uint64), *expected_tokens]))
    hashes, per_item = ngram_hashes_many(tokens, counts, n)
    pieces = np.split(hashes, np.cumsum(per_item)[:-1]) if len(items) else []
    for own, piece, count in zip(expected_tokens, pieces, per_item.tolist(), strict=True):
        assert count == len(piece)
        assert np.array_equal(np.unique(piece), ngram_hashes(own, n))
        # Window order, one hash per window (not deduplicated), as the signer may take it.
        assert len(piece) == (max(len(own) - n + 1, 0) if len(own) >= n else min(len(own), 1))


def test_batch_functions_on_many_short_texts() -> None:
    """Texts shorter than an n-gram, empty ones and longer ones side by side."""
    texts = [f"word{i} " * (i % 9) + "end" for i in range(40)] + ["", "a b"]
    tokens, counts = token_hashes_many([t.encode() for t in texts])
    hashes, per_text = ngram_hashes_many(tokens, counts, 5)
    pieces = np.split(hashes, np.cumsum(per_text)[:-1])
    for text, piece in zip(texts, pieces, strict=True):
        assert np.array_equal(np.unique(piece), word_shingles(text, 5)), text


def test_ngram_hashes_many_refuses_bad_counts() -> None:
    tokens = np.arange(5, dtype=np.uint64)
    with pytest.raises(ValueError, match="add up to len\\(tokens\\) = 5"):
        ngram_hashes_many(tokens, [2, 2], 3)
    with pytest.raises(ValueError, match="'n' must be >= 1"):
        ngram_hashes_many(tokens, [5], 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=0, max_size=60),
       st.lists(st.integers(0, 2**64 - 1), min_size=0, max_size=60),
       st.lists(st.integers(0, 50), min_size=15, max_size=40),
       st.integers(1, 12), st.integers(1, 6))
def test_a_shared_run_of_window_plus_n_minus_one_tokens_shares_an_anchor(
        before: list[int], after: list[int], run: list[int], window: int, n: int) -> None:
    shared = run[: window + n - 1]
    if len(shared) < window + n - 1:
        return
    a = np.array([*before, *shared, *after], dtype=np.uint64)
    b = np.array([*after, *shared], dtype=np.uint64)
    kept_a, kept_b = anchors(a, n, window), anchors(b, n, window)
    assert np.intersect1d(kept_a, kept_b).size >= 1
    assert (np.diff(kept_a.astype(object)) > 0).all()  # sorted and distinct


def test_anchors_keep_about_two_in_window_plus_one_and_nothing_of_short_texts() -> None:
    tokens = token_hashes(normalize(" ".join(f"w{i}" for i in range(5000))))
    kept = anchors(tokens, 5, 11)
    assert 2 / 12 * 0.8 < len(kept) / (len(tokens) - 4) < 2 / 12 * 1.2
    assert anchors(tokens[:4], 5, 11).size == 0
    assert anchors(tokens[:7], 5, 11).size == 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=400), st.integers(1, 50))
def test_unique_inverse_equals_numpy(values: list[int], spread: int) -> None:
    array = np.array([v % (spread * 7 + 1) if spread < 25 else v for v in values],
                     dtype=np.uint64)
    distinct, where = unique_inverse(array)
    expected, inverse = np.unique(array, return_inverse=True)
    assert distinct.tolist() == expected.tolist()
    assert where.tolist() == inverse.tolist()
