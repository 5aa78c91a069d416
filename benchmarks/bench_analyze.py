"""Stage benchmark: per-article analysis (repair, paragraphs, repeats, sentences, units).

The whole of ``analyze`` on the shared feed (seed 1), then its two largest steps alone:
internal repeats over already split and normalized paragraphs, and sentence splitting.
"""

from __future__ import annotations

from typing import Any

import pytest

from dedup import Config, Document, analyze, normalize
from dedup.paragraphs import Span, sentence_rows, split_paragraphs
from dedup.repair import repair
from dedup.repeats import find_repeats_in


def test_analyze(benchmark: Any, feed: tuple[list[Document], Any], config: Config) -> None:
    docs = feed[0]
    out = benchmark(lambda: [analyze(d, config) for d in docs])
    assert sum(len(f.units) for f in out) > 10 * len(docs)
    assert any(f.repeats for f in out)  # the feed pastes paragraphs again: repeats are found
    benchmark.extra_info["docs"] = len(docs)


@pytest.fixture(scope="module")
def split(texts: list[str]) -> list[tuple[str, list[Span], list[str]]]:
    """Repaired texts with their paragraphs and the paragraphs' comparison texts."""
    out = []
    for text in texts:
        repaired = repair(text)
        paragraphs = split_paragraphs(repaired)
        out.append((repaired, paragraphs, [normalize(p.text) for p in paragraphs]))
    return out


def test_find_repeats_in(benchmark: Any, split: list[tuple[str, list[Span], list[str]]],
                         config: Config) -> None:
    out = benchmark(lambda: [find_repeats_in(p, config, n) for _, p, n in split])
    assert all(r.exact for repeats in out for r in repeats)  # the feed's repeats are pasted
    benchmark.extra_info["docs"] = len(split)


def test_sentence_rows(benchmark: Any, split: list[tuple[str, list[Span], list[str]]]) -> None:
    out = benchmark(lambda: [sentence_rows(t, p) for t, p, _ in split])
    assert sum(len(rows) for doc in out for rows in doc) > 10 * len(split)
    benchmark.extra_info["docs"] = len(split)
