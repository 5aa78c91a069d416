"""Time and peak memory of analyzing and comparing one huge document of a given shape.

Each shape is a worst case for some stage: one line of sentences (alignment), many short
lines (repeats, alignment), CJK (one word a character), a run of dots (the sentence regex),
identical lines (repeats). Run one shape per process so that peak RSS is its own:

    for s in sentences lines cjk dots samelines; do
        .venv/bin/python benchmarks/limits.py $s 2000000; done
"""

from __future__ import annotations

import random
import resource
import sys
import time

from dedup import Config, Document
from dedup.document import analyze
from dedup.match import compare


def _text(shape: str, size: int) -> str:
    rng = random.Random(0)
    words = [f"word{i}" for i in range(20000)]

    def some(k: int) -> str:
        return " ".join(rng.choice(words) for _ in range(k))

    if shape == "sentences":
        return " ".join(some(12) + "." for _ in range(size // 100))
    if shape == "lines":
        return "\n".join(some(10) for _ in range(size // 80)) * 2
    if shape == "cjk":
        return "".join(chr(0x4E00 + rng.randrange(3000)) + ("。" if rng.random() < 0.05 else "")
                       for _ in range(size))
    if shape == "dots":
        return "." * size
    if shape == "samelines":
        return "The same line of text repeated here again and again now.\n" * (size // 56)
    raise SystemExit(f"unknown shape {shape!r}: sentences, lines, cjk, dots or samelines")


def main() -> int:
    """Print the seconds to analyze one copy, to compare two, the units and peak RSS."""
    shape, size = sys.argv[1], int(sys.argv[2])
    text = _text(shape, size)[:size]
    config = Config()
    start = time.perf_counter()
    one = analyze(Document("a", text), config)
    analyzed = time.perf_counter()
    two = analyze(Document("b", text), config)
    again = time.perf_counter()
    match = compare(one, two, config)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{shape} {len(text)} chars: analyze {analyzed - start:.2f} s, compare "
          f"{done - again:.2f} s, {len(one.units)} units, {match and match.kind}, "
          f"truncated {one.truncated}, peak {peak} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
