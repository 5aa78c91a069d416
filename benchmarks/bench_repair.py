"""Stage benchmark: encoding repair of raw articles (ftfy fast path plus residues)."""

from __future__ import annotations

from typing import Any

from dedup.repair import repair_count


def test_repair(benchmark: Any, texts: list[str]) -> None:
    repaired = benchmark(lambda: [repair_count(t) for t in texts])
    assert len(repaired) == len(texts)
    benchmark.extra_info["docs"] = len(texts)
