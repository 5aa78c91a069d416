"""pytest-benchmark set-up: collect ``bench_*.py`` here and share one generated feed.

Run with ``pytest benchmarks/ --benchmark-only``. The repository's own test run (``pytest``,
testpaths ``tests`` and ``dedup``) never enters this folder, so it never runs them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.feed import Truth, iter_records
from dedup import Config, Document

#: Articles in the shared feed: enough for stable timings, small enough for a shared machine.
FEED_SIZE = 400
SEED = 1


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect ``bench_*.py`` as test modules (pytest only looks for ``test_*.py``)."""
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        module: pytest.Module = pytest.Module.from_parent(parent, path=file_path)
        return module
    return None


@pytest.fixture(scope="session")
def feed() -> tuple[list[Document], Truth]:
    """The first ``FEED_SIZE`` articles of the seed-1 feed, and its ground truth."""
    rows = list(iter_records(FEED_SIZE, SEED))
    docs = [Document(r["id"], r["text"], r["source"], r["published"]) for r, _ in rows]
    return docs, Truth.from_rows(t for _, t in rows)


@pytest.fixture(scope="session")
def texts(feed: tuple[list[Document], Truth]) -> list[str]:
    """The raw texts of the feed."""
    return [d.text for d in feed[0]]


@pytest.fixture(scope="session")
def config() -> Config:
    """Default settings (128 permutations)."""
    return Config()
