"""Shared fixtures: the seed articles, read once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks import corpora_dir
from dedup import Document

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPORA = corpora_dir()


@pytest.fixture(scope="session")
def seed_documents() -> list[Document]:
    """The five seed articles as documents, in file-name order."""
    return [Document(p.stem, p.read_text(encoding="utf-8"), source=str(p))
            for p in sorted(SEEDS.glob("*.txt"))]


def _location(kind: str, tmp_path: Path, label: str) -> Iterator[str | None]:
    if kind == "memory":
        yield None
    elif kind == "sqlite":
        yield str(tmp_path / "feed.dedup")
    elif kind == "sqlite-paged":
        # Every segment in pages of 64 postings: the on-disk lookups run on every test.
        import dedup.store.pages
        import dedup.store.sqlite

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(dedup.store.sqlite, "PAGED_MIN", 1)
            patch.setattr(dedup.store.pages, "PAGE", 64)
            patch.setattr(dedup.store.pages, "GROUP", 3)  # lookups in several groups
            yield str(tmp_path / "feed.dedup")
    else:
        from tests.test_redis import drop, redis_index_url

        url = redis_index_url(label)
        yield url
        drop(url)


@pytest.fixture(params=["memory", "sqlite", "sqlite-paged", "redis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """Where a new, empty index lives, once per backend."""
    yield from _location(request.param, tmp_path, request.module.__name__.rpartition(".")[2])


@pytest.fixture(params=["sqlite", "redis"])
def kept(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """Where a new, empty index that outlives the object using it lives."""
    yield from _location(request.param, tmp_path, request.module.__name__.rpartition(".")[2])


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (2 cores) shared by every Spark test: a JVM starts once.

    Few shuffle partitions (the default 200 costs seconds a stage on small data) and JVM
    flags that cut start-up.
    """
    from dedup.spark import local_session

    session = local_session("local[2]", shuffle_partitions=4, app_name="dedup-tests",
                            quick_start=True)
    yield session
    session.stop()
