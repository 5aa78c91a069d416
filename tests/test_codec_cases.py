"""The stored-bytes codec reads and writes exactly the stored cases (tests/cases/codec.json).

The cases were written by the numpy codec the Rust core replaced (make_codec_cases.py says
what each entry holds): these bytes are what index files hold, so a change to them breaks
every existing index.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dedup import Config, Document, analyze
from dedup.store.codec import encode_features
from dedup.store.pages import Bloom, pack_page, pick_values, unpack_pages
from tests.cases.make_analysis_cases import documents
from tests.cases.make_codec_cases import decoded_case
from tests.cases.make_hash_cases import encode

CASES = json.loads((Path(__file__).parent / "cases" / "codec.json").read_text("utf-8"))
CONFIGS = [Config(), Config(min_sentence_words=1, stem_chars=3, word_ngram=3)]


@pytest.mark.parametrize("case", CASES["payloads"], ids=lambda c: c["id"])
def test_stored_payloads_decode_as_before(case: dict[str, Any]) -> None:
    got = decoded_case(bytes.fromhex(case["payload"]), case["id"])
    for key, value in got.items():
        assert value == case[key], key


def test_payloads_encode_as_before() -> None:
    texts = documents()
    assert len(texts) == len(CASES["payloads"])
    for i, (text, case) in enumerate(zip(texts, CASES["payloads"], strict=True)):
        feat = analyze(Document(case["id"], text), CONFIGS[i % 2])
        assert encode_features(feat).hex() == case["payload"], case["id"]


def test_pages_as_before() -> None:
    pages = CASES["pages"]
    blobs = [bytes.fromhex(p["blob"]) for p in pages["pages"]]
    counts = [p["count"] for p in pages["pages"]]
    bases = [p["base"] for p in pages["pages"]]
    values = unpack_pages(blobs, counts, bases)
    assert values.tolist() == pages["values"]
    picked = pick_values(blobs, np.array(pages["which"]), np.array(pages["slots"]))
    assert picked.tolist() == pages["picked"]
    start = 0
    for blob, count, base in zip(blobs, counts, bases, strict=True):
        own = np.array(pages["values"][start : start + count], dtype=np.uint64)
        assert pack_page(own, base) == blob
        start += count


def test_bloom_as_before() -> None:
    case = CASES["bloom"]
    rng = random.Random(case["seed"])
    keys = np.array(sorted(rng.getrandbits(64) for _ in range(case["keys"])), dtype=np.uint64)
    bloom = Bloom.sized(len(keys))
    bloom.add(keys)
    assert encode(bloom.words) == case["words"]
    probes = np.concatenate([keys[::7], np.array([rng.getrandbits(64) for _ in range(20000)],
                                                  dtype=np.uint64)])
    assert encode(probes) == case["probes"]
    assert bloom.maybe(probes).tolist() == case["maybe"]
    stored = Bloom.from_bytes(bytes(bloom.to_bytes()))
    assert stored.maybe(probes).tolist() == case["maybe"]
    small = Bloom.sized(1)
    small.add(keys[:3])
    assert small.words.tolist() == case["small_words"]
    assert small.maybe(probes[:200]).tolist() == case["small_maybe"]
