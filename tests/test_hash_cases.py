"""The hashing kernels give exactly the stored outputs (tests/cases/hashes.json).

The cases were written by the numpy kernels the Rust core replaced, on a seeded variety of
texts (ASCII, CJK, combining marks, emoji, lone surrogates, empty, one word, long): these
hashes are stored in index files, so any change to them breaks every existing index.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dedup import normalize
from dedup.index import band_keys
from dedup.minhash import MinHasher
from dedup.normalize import folded_bytes
from dedup.shingle import (
    anchors,
    char_shingles,
    finalize,
    ngram_hashes,
    ngram_hashes_many,
    token_hashes,
    token_hashes_many,
    token_hashes_of_bytes,
)

CASES = json.loads((Path(__file__).parent / "cases" / "hashes.json").read_text("utf-8"))
FULL = 16


def encoded(values: np.ndarray) -> Any:
    """An array as the cases store it: a list, or its shape, head and digest when long."""
    if values.size <= FULL:
        return values.tolist()
    flat = np.ascontiguousarray(values).ravel()
    digest = hashlib.blake2b(flat.astype(flat.dtype.newbyteorder("<")).tobytes(),
                             digest_size=16).hexdigest()
    return {"shape": list(values.shape), "head": flat[:4].tolist(), "blake2b": digest}


def _label(case: dict[str, Any]) -> str:
    return repr(case["text"][:30])


@pytest.mark.parametrize("case", CASES["cases"], ids=_label)
def test_per_text_hashes(case: dict[str, Any]) -> None:
    text = case["text"]
    tokens = token_hashes(text)
    assert tokens.dtype == np.uint64
    got = {
        "tokens": tokens,
        "stems5": token_hashes(text, prefix=5),
        "stems1": token_hashes(text, prefix=1),
        "ngrams1": ngram_hashes(tokens, 1),
        "ngrams3": ngram_hashes(tokens, 3),
        "ngrams5": ngram_hashes(tokens, 5),
        "anchors5_11": anchors(tokens, 5, 11),
        "anchors3_4": anchors(tokens, 3, 4),
        "chars5": char_shingles(text, 5),
        "chars3": char_shingles(text, 3),
        "finalize": finalize(tokens),
    }
    for name, values in got.items():
        assert encoded(values) == case[name], name
    folded = folded_bytes(text)
    assert (folded.decode("ascii") if folded is not None else None) == case.get("folded")
    if folded is not None:
        assert encoded(token_hashes_of_bytes(folded)) == case["folded_tokens"]


def test_batch_hashes_and_signatures() -> None:
    raw = [case["text"] for case in CASES["cases"][: CASES["texts"]]]
    norms = [normalize(t) for t in raw]
    expected = CASES["batch"]
    batch: list[bytes | str] = [folded_bytes(t) or normalize(t) for t in raw] + raw
    many_tokens, many_counts = token_hashes_many(batch)
    assert encoded(many_tokens) == expected["many_tokens"]
    assert many_counts.tolist() == expected["many_counts"]
    for n in (1, 5):
        flat, counts = ngram_hashes_many(many_tokens, many_counts, n)
        assert encoded(flat) == expected[f"many_grams{n}"]
        assert counts.tolist() == expected[f"many_grams{n}_counts"]
    flat, counts = ngram_hashes_many(many_tokens, many_counts, 5)
    assert (encoded(MinHasher(128, 1).signatures_flat(flat, counts))
            == expected["signatures_flat_128_1"])
    words = [ngram_hashes(token_hashes(t), 5) for t in raw + norms]
    chars = [char_shingles(t, 5) for t in raw + norms]
    sig128 = MinHasher(128, 1).signatures(words)
    sig32 = MinHasher(32, 1).signatures(chars)
    sig16 = MinHasher(16, 7).signatures(words)
    assert encoded(sig128) == expected["signatures_128_1"]
    assert [encoded(row) for row in sig128] == expected["rows_signatures_128_1"]
    assert encoded(sig32) == expected["signatures_32_1"]
    assert encoded(sig16) == expected["signatures_16_7"]
    assert encoded(band_keys(sig128, 25, 5)) == expected["band_keys_128_25_5"]
    assert encoded(band_keys(sig32, 5, 3)) == expected["band_keys_32_5_3"]
    assert encoded(band_keys(sig16, 8, 2)) == expected["band_keys_16_8_2"]
    # One set at a time gives the rows of the batch.
    hasher = MinHasher(128, 1)
    for hashes, row in zip(words[:10], sig128[:10], strict=True):
        assert np.array_equal(hasher.signature(hashes), row)
