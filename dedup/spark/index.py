"""A persistent index as Parquet tables, for daily feeds: match each batch, then add it.

Layout under the index's path (any path Spark writes: a folder, HDFS, S3):

- ``config/``: the settings the index was built with (one JSON line);
- ``docs/``: one row per document: arrival order ``p``, id, metadata, the payload that
  verification reads, sentence and exact keys;
- ``keys/``: the document-band and passage keys, a row each;
- ``matches/``: every match found, for clusters across batches.

``docs`` and ``keys`` are partitioned by ``day`` (the publication date, else the day added),
so that retention drops whole days. A batch's documents are matched against the index and
the documents of the batch before them, exactly as a local detector would add them, so a
feed streamed in micro-batches finds what one scan of it finds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dedup.config import Config
from dedup.errors import ConfigError, IndexMismatchError
from dedup.spark.candidates import (
    boilerplate_times,
    candidate_pairs,
    common_units,
    holdings,
    unit_holdings,
)
from dedup.spark.scan import (
    analyze_documents,
    arrival,
    cluster_members,
    first_of_each_id,
    verify_pairs,
)

__all__ = ["Batch", "SparkIndex"]

_DOCS = ("p long, id string, source string, published string, published_ts double, "
         "added_ts double, payload binary, units array<long>, exact array<long>, day string")
_KEYS = "kind int, key long, p long, day string"
_MATCHES = ("a_p long, b_p long, a string, b string, kind string, jaccard double, "
            "a_in_b double, b_in_a double, score double, "
            "passages array<struct<a_lines:array<int>,b_lines:array<int>,similarity:double>>")


@dataclass(frozen=True)
class Batch:
    """What :meth:`SparkIndex.match_and_add` found in one batch.

    Attributes:
        matches: As :attr:`dedup.spark.SparkScan.matches`, ``b`` the batch's document.
        repeats: As :attr:`dedup.spark.SparkScan.repeats`, for the batch's documents.
        errors: (id, source, message): documents skipped (a repeated id, a failed analysis).
        skipped: (id): documents already in the index, not compared or added again.
    """

    matches: DataFrame
    repeats: DataFrame
    errors: DataFrame
    skipped: DataFrame


class SparkIndex:
    """The documents seen so far, as Parquet tables under ``path``.

    Args:
        spark: The session.
        path: Where the tables are (created on the first batch).
        config: Settings; ``None`` takes the stored index's own, or ``Config()``.

    Raises:
        IndexMismatchError: if the stored index was built with other settings.
    """

    def __init__(self, spark: SparkSession, path: str, config: Config | None = None) -> None:
        self.spark = spark
        self.path = path.rstrip("/")
        stored = self._stored_config()
        if stored is not None and config is not None and stored != config:
            raise IndexMismatchError(
                f"the index at {self.path} was built with other settings than the ones "
                "given: open it without a config, or build a new index")
        self.config = config or stored or Config()
        if stored is None:
            self.spark.createDataFrame([(json.dumps(self.config.to_dict()),)], "value string") \
                .coalesce(1).write.mode("overwrite").text(self._table("config"))

    # Files --------------------------------------------------------------------------------

    def _table(self, name: str) -> str:
        return f"{self.path}/{name}"

    def _fs(self, path: str) -> tuple[Any, Any]:
        """Return Hadoop's file system of ``path`` and the path (any scheme Spark reads)."""
        jvm = self.spark.sparkContext._jvm
        if jvm is None:
            raise RuntimeError("the Spark session was stopped: start one to use the index")
        hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
        return hadoop_path.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration()), \
            hadoop_path

    def _exists(self, name: str) -> bool:
        fs, path = self._fs(self._table(name))
        return bool(fs.exists(path))

    def _stored_config(self) -> Config | None:
        if not self._exists("config"):
            return None
        line = self.spark.read.text(self._table("config")).first()
        return None if line is None else Config(**json.loads(line.value))

    def _read(self, name: str, schema: str) -> DataFrame:
        if not self._exists(name):
            return self.spark.createDataFrame([], schema)
        return self.spark.read.schema(schema).parquet(self._table(name))

    def documents(self) -> DataFrame:
        """Return the indexed documents: (p, id, source, published, published_ts, added_ts,
        payload, units, exact, day)."""
        return self._read("docs", _DOCS)

    def matches(self) -> DataFrame:
        """Return every match found so far whose documents are both still indexed."""
        kept = self.documents().select("p")
        return (self._read("matches", _MATCHES)
                .join(kept.withColumnRenamed("p", "a_p"), "a_p", "left_semi")
                .join(kept.withColumnRenamed("p", "b_p"), "b_p", "left_semi"))

    def clusters(self) -> DataFrame:
        """Return (id, cluster, canonical, p) for the clusters of the indexed documents."""
        return cluster_members(self.matches(), self.documents())

    # Matching -----------------------------------------------------------------------------

    def match_and_add(self, batch: DataFrame, id_col: str = "id", text_col: str = "text",
                      source_col: str | None = None, published_col: str | None = None, *,
                      order_col: str | None = None, now: datetime | None = None) -> Batch:
        """Match a batch of documents against the index and the batch's earlier documents,
        then add it; usable as Structured Streaming's ``foreachBatch`` function body.

        Args:
            batch: One row per document; columns as for :func:`dedup.spark.scan`.
            id_col: As for :func:`dedup.spark.scan`.
            text_col: As for :func:`dedup.spark.scan`.
            source_col: As for :func:`dedup.spark.scan`.
            published_col: As for :func:`dedup.spark.scan`; also the day a document is kept
                under (retention).
            order_col: The order within the batch (the batch's own order by default).
            now: When the batch is added (the day of undated documents); now by default.

        Returns:
            The batch's matches, repeats, errors and skipped documents, computed before the
            batch was added (they do not change when the index does).
        """
        cfg = self.config
        added = (now or datetime.now(UTC)).timestamp()
        old = self.documents()
        base = (old.agg(F.max("p")).first() or [None])[0]
        start = 0 if base is None else base + 1
        documents, repeated = first_of_each_id(
            arrival(batch, id_col, text_col, source_col, published_col, order_col, start))
        skipped = documents.join(old.select("id"), "id", "left_semi").select("id") \
            .localCheckpoint()
        fresh = documents.join(old.select("id"), "id", "left_anti")
        # Lineage cut here too: the first append would make Spark analyze the batch again,
        # against an index that then holds it.
        new = analyze_documents(fresh, cfg).localCheckpoint()
        ok = new.where(F.col("error").isNull())
        new_entries = holdings(ok)
        old_entries = (self._read("keys", _KEYS)
                       .join(new_entries.select("kind", "key"), ["kind", "key"], "left_semi")
                       .select("kind", "key", "p", F.lit(False).alias("anchor"),
                               F.lit(None).cast("array<int>").alias("rows")))
        entries = new_entries.unionByName(old_entries)
        units = unit_holdings(ok).unionByName(unit_holdings(old))
        every = ok.select("p", "unit_rows", "exact").unionByName(
            old.select("p", F.lit(None).cast("array<long>").alias("unit_rows"), "exact"))
        times = boilerplate_times(units, cfg)
        pairs = candidate_pairs(every, entries, times, cfg, new_from=start)
        payloads = ok.select("p", "id", "source", "published", "payload", "units").unionByName(
            old.select("p", "id", "source", "published", "payload", "units"))
        # Checkpointed (computed now, lineage cut): appending to the tables they were computed
        # from makes Spark recompute cached plans that read them, with the batch in the index.
        matches = verify_pairs(pairs, payloads, common_units(payloads, times),
                               cfg).localCheckpoint()
        repeats = ok.select("id", F.explode("repeats").alias("r")).select("id", "r.*") \
            .localCheckpoint()
        errors = repeated.unionByName(new.where(F.col("error").isNotNull()).select(
            "id", "source", F.col("error").alias("message"))).localCheckpoint()
        self._append(ok, added, matches)
        times.unpersist()
        pairs.unpersist()
        return Batch(matches, repeats, errors, skipped)

    def _append(self, ok: DataFrame, added: float, matches: DataFrame) -> None:
        """Add analyzed documents, their keys and their matches to the tables."""
        # The UTC day, whatever the session's time zone: whole days since the epoch.
        seconds = F.coalesce(F.col("published_ts"), F.lit(added))
        day_of = F.date_add(F.lit("1970-01-01").cast("date"),
                            F.floor(seconds / 86400).cast("int")).cast("string")
        docs = ok.select("p", "id", "source", "published", "published_ts",
                         F.lit(added).alias("added_ts"), "payload", "units", "exact",
                         day_of.alias("day"))
        docs.write.mode("append").partitionBy("day").parquet(self._table("docs"))
        keys = holdings(ok).join(docs.select("p", "day"), "p").select("kind", "key", "p", "day")
        keys.write.mode("append").partitionBy("day").parquet(self._table("keys"))
        matches.write.mode("append").parquet(self._table("matches"))

    # Forgetting ---------------------------------------------------------------------------

    def prune(self, keep_days: int, today: date | None = None) -> list[str]:
        """Forget every document of a day more than ``keep_days`` before ``today``.

        A document's day is its publication date (UTC), else the day it was added. Whole
        days go: their partitions are deleted.

        Args:
            keep_days: Days kept (today is one of them).
            today: The day counted from (today, UTC, by default).

        Returns:
            The days removed (``YYYY-MM-DD``).

        Raises:
            ConfigError: if ``keep_days`` is not a whole number >= 1.
        """
        if isinstance(keep_days, bool) or not isinstance(keep_days, int) or keep_days < 1:
            raise ConfigError(f"'keep_days' must be a whole number >= 1 (got {keep_days!r})")
        first_kept = ((today or datetime.now(UTC).date()) - timedelta(days=keep_days - 1))
        removed: set[str] = set()
        for name in ("docs", "keys"):
            if not self._exists(name):
                continue
            fs, path = self._fs(self._table(name))
            for status in fs.listStatus(path):
                part = status.getPath().getName()
                if part.startswith("day=") and part[4:] < first_kept.isoformat():
                    fs.delete(status.getPath(), True)
                    removed.add(part[4:])
        return sorted(removed)
