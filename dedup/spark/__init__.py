"""dedup on Apache Spark: backfills past one machine, and daily feeds with a Parquet index.

The same analysis, keys, candidates and verification as a local scan, run on Spark's
executors, so that a Spark run gives the local run's answers (docs/scaling.md):

- :func:`scan` takes a DataFrame of documents and returns their matches, internal repeats
  and clusters as DataFrames;
- :class:`SparkIndex` keeps what was seen as Parquet tables, and
  :meth:`SparkIndex.match_and_add` matches a new batch against it (inside Structured
  Streaming's ``foreachBatch``), with retention by days.

Needs PySpark (``pip install 'dedup[spark]'``) and a Java runtime; ``import dedup`` never
imports it.
"""

from __future__ import annotations

try:
    import pyspark  # noqa: F401  (only to fail here, with the fix, when it is missing)
except ImportError as exc:  # pragma: no cover - the dev extra installs PySpark
    raise ImportError("dedup.spark needs PySpark: pip install 'dedup[spark]' (and a Java "
                      "runtime, e.g. apt-get install openjdk-17-jre-headless)") from exc

from dedup.spark.index import SparkIndex
from dedup.spark.scan import SparkScan, scan
from dedup.spark.session import local_session

__all__ = ["SparkIndex", "SparkScan", "local_session", "scan"]
