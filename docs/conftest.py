"""Set-up for the doctests pytest collects from the pages in docs/.

Each page's examples run in a fresh folder holding a copy of ``seeds/``, so that they can
read the seeds and write ``feed.dedup`` as a reader would, without touching the checkout. A
page that names ``REDIS_URL`` gets the URL of a new, empty index on the test Redis server
(as ``tests/test_redis.py`` finds or starts it), deleted afterwards.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _pytest.doctest import DoctestItem

from tests.test_redis import drop, redis_index_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _page_sandbox(request: pytest.FixtureRequest, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch,
                  doctest_namespace: dict[str, Any]) -> Iterator[None]:
    if not isinstance(request.node, DoctestItem):
        yield
        return
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    page = Path(request.node.dtest.filename or "")
    if "REDIS_URL" not in page.read_text(encoding="utf-8"):
        yield
        return
    url = redis_index_url("docs")
    doctest_namespace["REDIS_URL"] = url
    try:
        yield
    finally:
        drop(url)
