"""A Spark session for dedup: the settings that matter, and Python workers that import it."""

from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession

__all__ = ["JVM_FLAGS", "local_session"]

#: JVM flags that cut a small local session's start-up (C1 only, one GC thread): a few
#: seconds of a test run; a long job on a cluster wants the defaults.
JVM_FLAGS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def local_session(master: str | None = None, shuffle_partitions: int | None = None,
                  app_name: str = "dedup", quick_start: bool = False,
                  conf: dict[str, str] | None = None) -> SparkSession:
    """Return a Spark session (an existing one if there is one) set up for dedup.

    Python workers run this interpreter (``PYSPARK_PYTHON``, unless set), which has dedup;
    on a cluster dedup must be installed on every executor (docs/scaling.md).

    Args:
        master: Where to run: ``local[N]``, ``yarn``, ``spark://host:port``, ``k8s://...``;
            ``None``: what ``spark-submit`` was given, else ``local[*]``.
        shuffle_partitions: ``spark.sql.shuffle.partitions`` (Spark's default 200 is too
            many for a small local run, too few past ~50M articles).
        app_name: The application's name in Spark's UI.
        quick_start: Start the driver's JVM with :data:`JVM_FLAGS` (local tests and CLI runs).
        conf: Other Spark settings (``{"spark.driver.memory": "8g"}``: in local mode the
            executors live in the driver's JVM, 1 GB by default).
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name).config("spark.ui.showConsoleProgress",
                                                            "false")
    if master is not None:
        builder = builder.master(master)
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    if quick_start:
        builder = builder.config("spark.driver.extraJavaOptions", JVM_FLAGS)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
