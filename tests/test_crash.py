"""Crashes and concurrency: a killed writer, and readers beside a writer.

A writer killed with SIGKILL in the middle of its batches leaves an index that opens, passes
the integrity check and holds every document acknowledged before the kill (and whole batches
only). A reader beside a writer sees each batch entirely or not at all.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dedup import Detector, Document
from tests.conftest import ROOT
from tests.test_detector import generated_feed
from tests.test_redis import drop, redis_index_url

BATCH = 64

_WRITER = """
import sys
from dedup import Detector
from tests.test_detector import generated_feed

docs = generated_feed(stories=400, seed=3)
with Detector(index=sys.argv[1]) as detector:
    print("ready", flush=True)
    for start in range(0, len(docs), {batch}):
        batch = docs[start : start + {batch}]
        detector.add_many(batch)
        print("ack " + " ".join(d.id for d in batch), flush=True)
"""


@pytest.mark.parametrize(("acks", "delay"), [(0, 0.3), (1, 0.0), (2, 0.05), (3, 0.12),
                                             (4, 0.2)])
def test_a_killed_writer_leaves_a_sound_index_with_every_acknowledged_document(
        tmp_path: Path, acks: int, delay: float) -> None:
    path = tmp_path / "feed.dedup"
    child = subprocess.Popen([sys.executable, "-c", _WRITER.replace("{batch}", str(BATCH)),
                              str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    acknowledged: list[str] = []
    try:
        assert child.stdout.readline().strip() == "ready"
        while len(acknowledged) < acks * BATCH:
            line = child.stdout.readline()
            assert line.startswith("ack "), line
            acknowledged.extend(line.split()[1:])
        time.sleep(delay)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    with Detector(index=path) as detector:
        assert detector.check() == []
        assert detector.store.stored(acknowledged) == set(acknowledged)
        # Batches are there whole or not at all. The writer may have committed more batches
        # than the test read acknowledgements of before the kill: whole ones only.
        extra = len(detector) - len(acknowledged)
        assert extra >= 0
        assert extra % BATCH == 0
        # It still takes documents, and matches them against those from before the kill.
        if acknowledged:
            original = next(d for d in generated_feed(stories=400, seed=3)
                            if d.id == acknowledged[0])
            again = detector.add(Document("after-the-crash", original.text))
            assert original.id in {m.a for m in again.matches}
        else:
            detector.add(Document("after-the-crash", "The index still takes documents."))
        assert "after-the-crash" in detector


def _doc(i: int) -> Document:
    rng = random.Random(i)
    words = " ".join(f"w{rng.getrandbits(40):x}" for _ in range(40))
    return Document(f"d{i}", f"Report number {i} from the wire desk.\n\n{words}.\n")


def _write(location: str, batches: int, size: int) -> None:
    with Detector(index=location) as detector:
        for b in range(batches):
            detector.add_many([_doc(b * size + i) for i in range(size)])


@pytest.fixture(params=["sqlite", "redis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "feed.dedup")
    else:
        url = redis_index_url("crash")
        yield url
        drop(url)


def test_a_reader_sees_whole_batches_while_a_writer_adds(location: str) -> None:
    batches, size = 40, 10
    Detector(index=location).close()
    writer = multiprocessing.get_context("spawn").Process(target=_write,
                                                          args=(location, batches, size))
    writer.start()
    seen_sizes = set()
    probes = 0
    try:
        with Detector(index=location) as reader:
            rng = random.Random(0)
            while writer.is_alive() or probes < 5:
                count = len(reader)
                assert count % size == 0, count
                seen_sizes.add(count)
                b = rng.randrange(batches)
                first, last = _doc(b * size), _doc(b * size + size - 1)
                probe = Document("probe", first.text + "\n" + last.text)
                found = {m.a for m in reader.query(probe).matches} & {first.id, last.id}
                assert found in (set(), {first.id, last.id}), (b, found)
                probes += 1
    finally:
        writer.join(120)
    assert writer.exitcode == 0
    assert probes >= 5
    assert len(seen_sizes) >= 2, "the reader never ran beside the writer"
    with Detector(index=location) as detector:
        assert len(detector) == batches * size
        assert detector.check() == []
        probe = Document("probe", _doc(0).text + "\n" + _doc(size - 1).text)
        assert {m.a for m in detector.query(probe).matches} == {"d0", f"d{size - 1}"}
