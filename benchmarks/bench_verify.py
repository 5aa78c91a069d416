"""Stage benchmark: verification (``compare``) of the feed's true parent-child pairs."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.feed import Truth
from dedup import Config, Document, analyze, compare
from dedup.document import Features


@pytest.fixture(scope="module")
def pairs(feed: tuple[list[Document], Truth], config: Config) -> list[tuple[Features, Features]]:
    docs, truth = feed
    features = {d.id: analyze(d, config) for d in docs}
    return [(features[a], features[b]) for rel in truth.pairs.values() for a, b in sorted(rel)]


def test_verification(benchmark: Any, pairs: list[tuple[Features, Features]],
                      config: Config) -> None:
    matches = benchmark(lambda: [compare(a, b, config) for a, b in pairs])
    assert sum(m is not None for m in matches) >= 0.9 * len(pairs)
    benchmark.extra_info["pairs"] = len(pairs)


def test_analyze(benchmark: Any, feed: tuple[list[Document], Truth], config: Config) -> None:
    docs = feed[0][:100]
    out = benchmark.pedantic(lambda: [analyze(d, config) for d in docs], rounds=3, iterations=1)
    assert len(out) == len(docs)
    benchmark.extra_info["docs"] = len(docs)
