"""The hashing kernels give exactly the stored outputs (tests/cases/hashes.json).

The cases were written by the numpy kernels the Rust core replaced, on a seeded variety of
texts (ASCII, CJK, combining marks, emoji, lone surrogates, empty, one word, long;
tests/cases/make_hash_cases.py says what each entry holds): these hashes are stored in index
files, so any change to them breaks every existing index.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dedup.minhash import MinHasher
from tests.cases.make_hash_cases import batch_case, case_of

CASES = json.loads((Path(__file__).parent / "cases" / "hashes.json").read_text("utf-8"))


def _label(case: dict[str, Any]) -> str:
    return repr(case["text"][:30])


@pytest.mark.parametrize("case", CASES["cases"], ids=_label)
def test_per_text_hashes(case: dict[str, Any]) -> None:
    got = case_of(case["text"])
    assert sorted(got) == sorted(case)
    for key, value in case.items():
        assert got[key] == value, key


def test_batch_hashes_and_signatures() -> None:
    got = batch_case([case["text"] for case in CASES["cases"][: CASES["texts"]]])
    assert sorted(got) == sorted(CASES["batch"])
    for key, value in CASES["batch"].items():
        assert got[key] == value, key


def test_one_set_at_a_time_gives_the_rows_of_a_batch() -> None:
    rng = np.random.default_rng(4)
    sets = [rng.integers(0, 2**32, size=n, dtype=np.uint32) for n in (0, 1, 5, 300, 4000)]
    hasher = MinHasher(128, 1)
    for hashes, row in zip(sets, hasher.signatures(sets), strict=True):
        assert np.array_equal(hasher.signature(hashes), row)
