"""Shingles are deterministic, set-valued, and work for scripts written without spaces."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup import char_shingles, normalize, word_shingles
from dedup.shingle import ngram_hashes, token_hashes


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
