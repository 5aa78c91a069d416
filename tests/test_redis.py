"""The Redis index: a real redis-server, several processes at once, and the test server itself.

``REDIS_URL`` (set by ``.ci/run``) names the server; without it a private ``redis-server`` is
started on a Unix socket if the binary is installed. In CI (``CI`` set) an unreachable server
fails the tests instead of skipping them.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from functools import cache
from pathlib import Path

import pytest

from dedup import Detector, Document, InputError
from dedup.store.redis import RedisStore


@cache
def _server_url() -> str | None:
    """Return the URL of a reachable Redis server, starting one if needed and possible."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="dedup-redis-"))
    sock = folder / "redis.sock"
    proc = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(proc.terminate)
    deadline = time.monotonic() + 10
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return f"unix://{sock}?db=15"


def redis_index_url(label: str = "t") -> str:
    """Return the URL of a new, empty index on the test server (fail in CI, skip elsewhere)."""
    url = _server_url()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Redis: .ci/run must install and start redis-server")
        pytest.skip("redis-server is not installed (apt-get install redis-server) and "
                    "REDIS_URL is not set")
    sep = "&" if "?" in url else "?"
    full = f"{url}{sep}name={label}-{uuid.uuid4().hex[:12]}"
    try:
        RedisStore(full).close()
    except ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis: {exc}")
        pytest.skip(str(exc))
    return full


def drop(url: str) -> None:
    """Delete every key of the index at ``url``."""
    store = RedisStore(url)
    try:
        store.drop()
    finally:
        store.close()


@pytest.fixture
def redis_url() -> object:
    url = redis_index_url()
    yield url
    drop(url)


def _doc(i: int, prefix: str) -> Document:
    words = " ".join(f"w{prefix}{i}x{j}" for j in range(40))
    return Document(f"{prefix}-{i}", f"Story {i} of writer {prefix}. {words}.")


def _writer(url: str, prefix: str, count: int, batch: int) -> None:
    with Detector(index=url) as detector:
        for start in range(0, count, batch):
            detector.add_many([_doc(i, prefix) for i in range(start, min(count, start + batch))])


def test_two_processes_writing_one_index_lose_nothing(redis_url: str) -> None:
    Detector(index=redis_url).close()  # create the index before the race
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(redis_url, p, 300, 20)) for p in "ab"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    store = RedisStore(redis_url)
    try:
        assert len(store) == 600
        assert store.stored(f"{p}-{i}" for p in "ab" for i in range(300)) == {
            f"{p}-{i}" for p in "ab" for i in range(300)}
        assert store.check() == []
        nums = sorted(r.num for r in store.find(f"a-{i}" for i in range(300)).values())
        assert len(set(nums)) == 300
    finally:
        store.close()


def _racer(url: str, queue: multiprocessing.Queue[str]) -> None:
    with Detector(index=url) as detector:
        won = 0
        for i in range(100):
            try:
                detector.add(_doc(i, "same"))
                won += 1
            except InputError:
                pass
        queue.put(str(won))


def test_two_processes_adding_the_same_ids_store_each_once(redis_url: str) -> None:
    Detector(index=redis_url).close()
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[str] = ctx.Queue()
    workers = [ctx.Process(target=_racer, args=(redis_url, queue)) for _ in range(2)]
    for w in workers:
        w.start()
    wins = [int(queue.get(timeout=120)) for _ in workers]
    for w in workers:
        w.join(60)
    assert sum(wins) == 100
    with Detector(index=redis_url) as detector:
        assert len(detector) == 100
        assert detector.check() == []


def test_index_names_keep_indexes_apart(redis_url: str) -> None:
    other = redis_index_url("other")
    try:
        with Detector(index=redis_url) as a, Detector(index=other) as b:
            a.add(_doc(1, "x"))
            assert len(a) == 1
            assert len(b) == 0
    finally:
        drop(other)


def test_unreachable_server_and_bad_names_are_clear_errors() -> None:
    with pytest.raises(ConnectionError, match=r"cannot reach Redis at redis://127\.0\.0\.1:1/"):
        RedisStore("redis://127.0.0.1:1/0")
    with pytest.raises(ValueError, match="index name 'a b'"):
        RedisStore("redis://127.0.0.1:1/0?name=a b")
