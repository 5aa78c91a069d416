"""benchmarks/compare.py's peak-memory runs: they run in a child, and a dead child fails loudly.

The benchmark itself is not a test (docs/performance.md); this only guards the plumbing that
a rename once broke, leaving the script waiting forever on a child that had died.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import compare

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _records() -> list[dict[str, str]]:
    return [{"id": p.stem, "text": p.read_text(encoding="utf-8")}
            for p in sorted(SEEDS.glob("*.txt"))]


@pytest.mark.parametrize("name", ["dedup scan (1 process)", "dedup scan (2 workers)"])
def test_peak_memory_of_a_dedup_run(name: str) -> None:
    assert compare.peak_memory_mb(name, _records()) >= 0


def test_a_dead_child_is_an_error_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(records: list[dict[str, str]]) -> set[tuple[str, str]]:
        raise RuntimeError("broken on purpose")

    monkeypatch.setitem(compare.END_TO_END, "broken", broken)
    with pytest.raises(SystemExit, match="'broken' died"):
        compare.peak_memory_mb("broken", _records())
