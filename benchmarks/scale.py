"""How time and memory grow with the feed: 10k, 100k (and 1M) articles.

Two measurements, each in a fresh child process so that its peak memory is its own:

- ``scan``: the command users run, ``dedup scan --workers N FEED -f json -o REPORT``
  (JSONL in, JSON report out), with recall and precision from the feed's ground truth;
- ``signatures``: the linear core alone, streaming the JSONL: repair, shingles, MinHash and
  LSH insert + query of every article (no verification).

Feeds come from ``benchmarks/feed.py`` (write them under /tmp, never into the repository).

Usage::

    python benchmarks/feed.py 100000 --out /tmp/feed100k.jsonl
    python benchmarks/scale.py signatures /tmp/feed10k.jsonl /tmp/feed100k.jsonl
    python benchmarks/scale.py scan --workers 2 /tmp/feed10k.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.feed import Truth  # noqa: E402


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_scan(feed: Path, workers: int, out_dir: Path) -> dict[str, float]:
    """Time ``dedup scan`` on ``feed`` in a child process; score its report."""
    report = out_dir / f"{feed.stem}.report.json"
    command = [sys.executable, "-m", "dedup.cli", "scan", "--workers", str(workers),
               str(feed), "-f", "json", "-o", str(report)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, check=False, capture_output=True, text=True)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"dedup scan failed ({done.returncode}): {done.stderr[-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    truth = Truth.load(feed.with_name(feed.stem + ".truth.jsonl"))
    scores = truth.score((m["a"], m["b"]) for m in data["matches"])
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": _children_peak_mb(), **scores}


def _signatures_child(feed: str) -> None:
    """Child side of ``signatures``: stream the feed, sign, index, print the numbers."""
    from dedup import Config
    from dedup.index import BandIndex, optimal_params
    from dedup.parallel import signatures_of_texts

    config = Config()
    bands, rows = optimal_params(config.threshold, config.num_perm)
    index = BandIndex(bands, rows, config.max_bucket)
    start, cpu = time.perf_counter(), time.process_time()
    count = candidates = 0
    batch: list[str] = []

    def flush() -> None:
        nonlocal count, candidates
        for keys in index.keys(signatures_of_texts(batch, config)):
            candidates += len(index.query(keys))
            index.insert(count, keys)
            count += 1
        batch.clear()

    with open(feed, encoding="utf-8") as f:
        for line in f:
            batch.append(json.loads(line)["text"])
            if len(batch) == 1024:
                flush()
    flush()
    print(json.dumps({"docs": count, "wall_s": time.perf_counter() - start,
                      "cpu_s": time.process_time() - cpu, "candidates": candidates,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_signatures(feed: Path) -> dict[str, float]:
    """Run the streaming signature + index pass on ``feed`` in a child process."""
    done = subprocess.run([sys.executable, __file__, "_child", str(feed)], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["_child"]:
        _signatures_child(argv[1])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("scan", "signatures"))
    parser.add_argument("feeds", nargs="+", type=Path)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--out-dir", type=Path, default=Path("/tmp"))
    args = parser.parse_args(argv)
    for feed in args.feeds:
        docs = sum(1 for _ in feed.open(encoding="utf-8"))
        if args.mode == "scan":
            result = run_scan(feed, args.workers, args.out_dir)
        else:
            result = run_signatures(feed)
        per_s = docs / result["wall_s"]
        print(f"{args.mode} {feed.name}: {docs} docs " + " ".join(
            f"{k}={v:.3f}" if isinstance(v, float) and abs(v) < 10 else f"{k}={v:.0f}"
            for k, v in result.items()) + f" docs_per_s={per_s:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
