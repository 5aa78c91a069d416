"""benchmarks/index_bench.py's build and existing sections run end to end on a small feed.

The benchmark is not a test (docs/persistent-index.md); this guards its plumbing: a real-key
index built from a JSONL feed holds every article, and the articles after them can be queried
against it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks import index_bench
from dedup import Detector
from tests.conftest import SEEDS


def _run(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setattr(sys, "argv", ["index_bench.py", *args])
    index_bench.main()


def test_build_then_query_an_existing_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "feed.jsonl"
    seeds = sorted(SEEDS.glob("*.txt"))
    feed.write_text("".join(json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")})
                            + "\n" for p in seeds), encoding="utf-8")
    index = tmp_path / "seeds.dedup"
    _run(monkeypatch, "build", "--index", str(index), "--feed", str(feed), "--docs", "4",
         "--batch", "2")
    assert "4 articles" in capsys.readouterr().out
    with Detector(None, index) as detector:
        assert len(detector) == 4
    _run(monkeypatch, "existing", "--index", str(index), "--feed", str(feed), "--skip", "4",
         "--probes", "1")
    out = capsys.readouterr().out
    assert "one new article vs 4 indexed" in out
    with pytest.raises(SystemExit, match="exists"):
        _run(monkeypatch, "build", "--index", str(index), "--feed", str(feed))
