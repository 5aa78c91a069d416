"""Batch lookups answer as the index and the batch's earlier documents would, one by one;
passage anchors find copied passages but not shared footers."""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
import pytest

from dedup import Detector, Document, scan
from dedup.candidates import BatchLookups, Keys, find_candidates
from dedup.keys import index_keys
from dedup.parallel import analyze_many
from dedup.store import DOC, PASSAGE, UNIT, Entry
from dedup.store.memory import MemoryStore
from tests.test_detector import _word


def _keys(rng: np.random.Generator, pool: np.ndarray) -> Keys:
    def pick(n: int) -> np.ndarray:
        return np.unique(rng.choice(pool, size=n)).astype(np.uint64)

    return (pick(4), pick(12), np.zeros(0, dtype=np.uint64), pick(5))


@pytest.mark.parametrize("seed", range(5))
def test_members_and_counts_equal_a_plain_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pool = rng.integers(1, 2**63, 60, dtype=np.uint64)  # few keys: buckets fill up
    store = MemoryStore()
    stored = [_keys(rng, pool) for _ in range(40)]
    for start in range(0, 40, 8):
        store.add([Entry(f"s{start + i}", None, None, None, 1, 1, b"", k)
                   for i, k in enumerate(stored[start : start + 8])], 0.0)
    batch = [_keys(rng, pool) for _ in range(15)]
    limit = 6
    calls: list[int] = []  # the index's counts asked for: one entry a call
    counts_of = store.counts
    store.counts = lambda *args: calls.append(1) or counts_of(*args)  # type: ignore[method-assign]
    lookups = BatchLookups(store, batch, limit, own=True)
    for position, keys in enumerate(batch):
        for kind in (DOC, PASSAGE):
            buckets: dict[int, list[int]] = defaultdict(list)
            for number, k in enumerate(stored):
                for key in k[kind].tolist():
                    buckets[key].append(2 * number)
            for earlier, k in enumerate(batch[:position]):
                for key in k[kind].tolist():
                    buckets[key].append(2 * earlier + 1)
            want = {(row, code) for row, key in enumerate(keys[kind].tolist())
                    if len(buckets[key]) <= limit for code in buckets[key]}
            rows, codes = lookups.members(kind, keys[kind], position, limit)
            assert set(zip(rows.tolist(), codes.tolist(), strict=True)) == want
            assert len(rows) == len(want)
        counts: dict[int, int] = defaultdict(int)
        for k in [*stored, *batch[:position]]:
            for key in k[UNIT].tolist():
                counts[key] += 1
        # Some not the batch's: asked of the index, then known. Every other document, they
        # are asked for first (unsorted, repeated), and held() asks the index nothing more.
        extra = rng.choice(pool, 6)
        probe = np.unique(np.concatenate([keys[UNIT], extra]))
        if position % 2:
            lookups.ask(np.concatenate([extra, extra[::-1]]))
        asked = len(calls)
        assert lookups.held(probe, position).tolist() == [counts[k] for k in probe.tolist()]
        if position % 2:
            assert len(calls) == asked
        # A document's own sentences are counted from the batch's shared keys.
        assert lookups.held(keys[UNIT], position, own=True).tolist() == [
            counts[key] for key in keys[UNIT].tolist()]
        assert lookups.boilerplate(probe, position, 3).tolist() == [
            key for key in probe.tolist() if counts[key] >= 3]


def _story(rng: random.Random, vocab: list[str], sentences: int) -> list[str]:
    return [" ".join(rng.choice(vocab) for _ in range(rng.randint(9, 14))).capitalize() + "."
            for _ in range(sentences)]


def test_a_verbatim_passage_in_other_text_is_a_candidate_and_a_shared_footer_is_not() -> None:
    rng = random.Random(3)
    vocab = sorted({_word(rng) for _ in range(3000)})
    source = _story(rng, vocab, 12)
    # Three sentences of the source (~35 words) inside an otherwise unrelated article.
    borrower = _story(rng, vocab, 5) + source[4:7] + _story(rng, vocab, 5)
    footer = " ".join(_story(rng, vocab, 3))  # ~35 words, on every article of an outlet
    outlet = [" ".join(_story(rng, vocab, 10)) + "\n\n" + footer for _ in range(7)]
    docs = [Document("source", " ".join(source)), Document("borrower", " ".join(borrower)),
            *(Document(f"outlet{i}", text) for i, text in enumerate(outlet))]
    with Detector() as detector:
        features = analyze_many(docs, detector.config)
        keys = index_keys(features, detector.config)
        lookups = BatchLookups(detector.store, [k.by_kind for k in keys], 200, own=True)
        found = {}
        for position, (feat, key) in enumerate(zip(features, keys, strict=True)):
            stop = lookups.boilerplate(key.units, position, detector.config.boilerplate_df)
            refs = find_candidates(key.by_kind, key.anchors, feat.units, key.sentence_bands,
                                   position, lookups, stop, detector.config)
            found[feat.id] = {features[n].id for _, n in refs}
    assert "source" in found["borrower"]
    # The footer's anchors and sentences are in boilerplate_df (5) documents from the sixth
    # article on: no candidates there, though the first ones pair up (not yet boilerplate).
    assert found["outlet5"] == found["outlet6"] == set()
    links = {frozenset((m.a, m.b)): m.kind for m in scan(docs).matches}
    assert frozenset(("source", "borrower")) in links
    assert not any({"outlet5", "outlet6"} & pair for pair in links)
