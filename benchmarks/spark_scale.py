"""Spark in local mode against the local scan, on the same generated feeds (docs/scaling.md).

For each feed: ``dedup scan FEED --workers 2 -f jsonl`` and ``dedup spark-scan FEED OUT``
(each a fresh process: Spark's time includes its JVM's start), their wall times, and
whether they found the same (a, b, kind) matches.

Usage::

    python benchmarks/feed.py 10000 --out /tmp/feed10k.jsonl
    python benchmarks/spark_scale.py /tmp/feed10k.jsonl --master local[2] \\
        --conf spark.driver.memory=8g --shuffle-partitions 32
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_DEDUP = [sys.executable, "-c", "import sys; from dedup.cli import main; sys.exit(main())"]


def _timed(command: list[str]) -> float:
    """Run ``command``; return its wall time. (CPU times are not reported: the JVM and the
    worker processes are not children that this process waits for, so rusage misses them.)"""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def local_pairs(report: Path) -> set[tuple[str, str, str]]:
    """Return the (a, b, kind) matches of a ``dedup scan -f jsonl`` report."""
    with report.open(encoding="utf-8") as lines:
        records = (json.loads(line) for line in lines)
        return {(r["a"], r["b"], r["kind"]) for r in records if r["type"] == "match"}


def spark_pairs(tables: Path) -> set[tuple[str, str, str]]:
    """Return the (a, b, kind) matches that ``dedup spark-scan`` wrote (read with pyarrow)."""
    import pyarrow.parquet as pq

    rows = pq.read_table(tables / "matches", columns=["a", "b", "kind"]).to_pylist()
    return {(r["a"], r["b"], r["kind"]) for r in rows}


def measure(feed: Path, master: str, spark_args: list[str], workers: int) -> dict[str, object]:
    """Time both scans of ``feed`` and compare their matches."""
    articles = sum(1 for _ in feed.open(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="dedup-spark-") as tmp:
        report, tables = Path(tmp) / "local.jsonl", Path(tmp) / "spark"
        local_s = _timed([*_DEDUP, "scan", str(feed), "--workers", str(workers),
                                     "-f", "jsonl", "-o", str(report), "--progress", "never"])
        spark_s = _timed([*_DEDUP, "spark-scan", str(feed), str(tables),
                                     "--master", master, *spark_args])
        local, spark = local_pairs(report), spark_pairs(tables)
        shutil.rmtree(tables)
    return {"articles": articles, "local_s": round(local_s, 1), "spark_s": round(spark_s, 1),
            "ratio": round(spark_s / local_s, 2),
            "spark_ms_per_article": round(1000 * spark_s / articles, 2),
            "local_ms_per_article": round(1000 * local_s / articles, 2),
            "matches": len(local), "same_matches": local == spark}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("feeds", nargs="+", type=Path)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--workers", type=int, default=2, help="of the local scan")
    parser.add_argument("--shuffle-partitions", type=int, default=32)
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    spark_args = ["--shuffle-partitions", str(args.shuffle_partitions)]
    for item in args.conf:
        spark_args += ["--conf", item]
    for feed in args.feeds:
        print(json.dumps({"feed": str(feed), **measure(feed, args.master, spark_args,
                                                       args.workers)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
