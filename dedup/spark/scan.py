"""A whole scan on Spark: analysis, candidates, verification and clusters as DataFrames."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import StructType

from dedup.config import Config
from dedup.errors import ConfigError
from dedup.spark.candidates import (
    boilerplate_times,
    candidate_pairs,
    capped_buckets,
    common_units,
    holdings,
    unit_holdings,
)
from dedup.spark.components import components
from dedup.spark.executors import (
    ANALYSIS_SCHEMA,
    MATCH_SCHEMA,
    analyze_batches,
    verify_batches,
)

__all__ = [
    "SparkScan",
    "analyze_documents",
    "arrival",
    "cluster_members",
    "first_of_each_id",
    "scan",
    "scan_files",
    "verify_pairs",
]

_DOC_COLUMNS = ("p", "id", "source", "published", "payload")


def _arrow(ddl: str) -> pa.Schema:
    # A list of columns always parses as a StructType.
    return to_arrow_schema(cast(StructType, StructType.fromDDL(ddl)))


def _column(df: DataFrame, name: str | None, role: str) -> Column:
    """Return column ``name`` as a string column (null when not given)."""
    if name is None:
        return F.lit(None).cast("string")
    if name not in df.columns:
        raise ConfigError(f"{role} column {name!r} is not in the DataFrame (its columns: "
                          f"{', '.join(df.columns)})")
    return F.col(name).cast("string")


def _ordering(df: DataFrame, name: str) -> Column:
    """Return column ``name`` (of its own type: numbers order as numbers) as ``_order``."""
    _column(df, name, "order")
    return F.col(name).alias("_order")


def arrival(df: DataFrame, id_col: str, text_col: str, source_col: str | None,
            published_col: str | None, order_col: str | None, start: int = 0) -> DataFrame:
    """Return (p, id, text, source, published): ``p`` grows in the order documents arrive.

    The order is ``order_col``'s (ties by id) when given, else the DataFrame's own (a file
    read in order: a JSONL file's lines). ``p`` need not be dense, only increasing; it
    starts at ``start``.
    """
    picked = df.select(
        _column(df, id_col, "id").alias("id"), _column(df, text_col, "text").alias("text"),
        _column(df, source_col, "source").alias("source"),
        _column(df, published_col, "published").alias("published"),
        *([] if order_col is None else [_ordering(df, order_col)]))
    if order_col is not None:
        picked = picked.orderBy("_order", "id").drop("_order")
    return picked.select((F.monotonically_increasing_id() + F.lit(start)).alias("p"),
                         "id", "text", "source", "published")


def analyze_documents(documents: DataFrame, config: Config) -> DataFrame:
    """Analyze (p, id, text, source, published) rows on the executors; see
    :data:`dedup.spark.executors.ANALYSIS_SCHEMA` for what comes out."""
    schema = _arrow(ANALYSIS_SCHEMA)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return analyze_batches(batches, config, schema)

    return documents.mapInArrow(run, ANALYSIS_SCHEMA)


def verify_pairs(pairs: DataFrame, docs: DataFrame, common: DataFrame,
                 config: Config) -> DataFrame:
    """Verify candidate (q, p) pairs on the executors, a new document with all its
    candidates at once, shipping their stored payloads; return matches (MATCH_SCHEMA)."""
    schema = _arrow(MATCH_SCHEMA)
    with_common = docs.select(*_DOC_COLUMNS).join(common, "p", "left")
    others = (pairs.join(with_common.withColumnRenamed("p", "q"), "q")
              .groupBy("p").agg(F.collect_list(F.struct("q", "id", "source", "published",
                                                        "payload", "common")).alias("others")))
    checks = with_common.join(others, "p")

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return verify_batches(batches, config, schema)

    return checks.mapInArrow(run, MATCH_SCHEMA)


def cluster_members(matches: DataFrame, docs: DataFrame) -> DataFrame:
    """Return (id, cluster, canonical, p) for every document of a cluster.

    ``cluster`` is the id of its first member; ``canonical`` the earliest published member
    (ties and undated members by arrival), else the first, as :func:`dedup.cluster.
    build_clusters` chooses.
    """
    roots = components(matches.select(F.col("a_p").alias("u"), F.col("b_p").alias("v")))
    members = roots.join(docs.select(F.col("p").alias("vertex"), "id", "published"), "vertex")
    dated = F.col("published").isNotNull() & (F.col("published") != "")
    best = (members.groupBy("root").agg(
        F.min(F.struct((~dated).alias("undated"), F.when(dated, F.col("published"))
                       .alias("published"), F.col("vertex"), F.col("id"))).alias("best"),
        F.min(F.struct("vertex", "id")).alias("first"))
        .select("root", F.col("best.id").alias("canonical"), F.col("first.id").alias("cluster")))
    return members.join(best, "root").select("id", "cluster", "canonical",
                                             F.col("vertex").alias("p"))


@dataclass(frozen=True)
class SparkScan:
    """What a Spark scan found, as DataFrames (lazy, but analysis is done once and cached).

    Attributes:
        documents: (p, id, source, published, repairs, truncated, cleaned): every document
            analyzed; ``p`` is its arrival order, ``cleaned`` its text without dropped repeats.
        repeats: (id, line, end_line, first_line, first_end_line, similarity, exact): one row
            per internal repeat.
        matches: (a, b, kind, jaccard, a_in_b, b_in_a, score, passages, a_p, b_p), ``a``
            arrived first; the columns of the JSON report's matches.
        clusters: (id, cluster, canonical, p) for every document of a cluster of two or more.
        errors: (id, source, message): documents skipped (a repeated id, a failed analysis).
        capped: (kind, buckets): buckets too large to follow, per kind (0 document bands,
            1 passages), as counted from the input.
    """

    documents: DataFrame
    repeats: DataFrame
    matches: DataFrame
    clusters: DataFrame
    errors: DataFrame
    capped: DataFrame

    def write(self, path: str, mode: str = "errorifexists") -> None:
        """Write every table as Parquet under ``path`` (``path/matches`` ...)."""
        for name in ("documents", "repeats", "matches", "clusters", "errors", "capped"):
            getattr(self, name).write.mode(mode).parquet(f"{path.rstrip('/')}/{name}")


def first_of_each_id(documents: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Split documents into the first of each id and the later repeats (reported)."""
    seen = documents.withColumn("n", F.row_number().over(Window.partitionBy("id").orderBy("p")))
    repeated = seen.where(F.col("n") > 1).select(
        "id", "source", F.format_string("duplicate id %s: the later document was skipped",
                                        F.to_json(F.array("id"))).alias("message"))
    return seen.where(F.col("n") == 1).drop("n"), repeated


def scan(df: DataFrame, id_col: str = "id", text_col: str = "text",
         source_col: str | None = None, published_col: str | None = None, *,
         order_col: str | None = None, config: Config | None = None) -> SparkScan:
    """Find repeats, matches and clusters among the documents of a Spark DataFrame.

    The answers equal :func:`dedup.scan`'s over the same documents in the same order: the
    same analysis, keys, candidates and verification, run on the executors.

    Args:
        df: One row per document.
        id_col: Its unique id (a later row with an id seen before is skipped and reported).
        text_col: Its text.
        source_col: Where it came from, if known.
        published_col: Its ISO 8601 publication date, if known (picks clusters' canonical).
        order_col: The order documents arrived in (a local scan's input order); ``None``:
            the DataFrame's own order (a file read in order).
        config: Settings (``Config()`` by default).

    Raises:
        ConfigError: if a named column is missing.
    """
    cfg = config or Config()
    documents, repeated = first_of_each_id(
        arrival(df, id_col, text_col, source_col, published_col, order_col))
    analyzed = analyze_documents(documents, cfg).persist(StorageLevel.MEMORY_AND_DISK)
    ok = analyzed.where(F.col("error").isNull())
    failed = analyzed.where(F.col("error").isNotNull()).select(
        "id", "source", F.col("error").alias("message"))
    entries = holdings(ok)
    times = boilerplate_times(unit_holdings(ok), cfg)
    pairs = candidate_pairs(ok, entries, times, cfg)
    matches = verify_pairs(pairs, ok, common_units(ok, times), cfg).persist(
        StorageLevel.MEMORY_AND_DISK)
    return SparkScan(
        documents=ok.select("p", "id", "source", "published", "repairs", "truncated", "cleaned"),
        repeats=ok.select("id", F.explode("repeats").alias("r")).select("id", "r.*"),
        matches=matches.select("a", "b", "kind", "jaccard", "a_in_b", "b_in_a", "score",
                               "passages", "a_p", "b_p"),
        clusters=cluster_members(matches, ok),
        errors=repeated.unionByName(failed),
        capped=capped_buckets(entries, cfg),
    )


#: Columns read from JSONL input (one object a line, as ``dedup scan`` reads).
JSONL_SCHEMA = "id string, text string, source string, published string"


def scan_files(spark: SparkSession, source: str, target: str, *,
               input_format: str = "auto", order_col: str | None = None,
               config: Config | None = None, overwrite: bool = False) -> dict[str, int]:
    """Scan documents read from ``source`` and write the tables as Parquet under ``target``.

    Args:
        spark: The session.
        source: Any path Spark reads: a JSONL file or folder (``id``, ``text``, optional
            ``source`` and ``published``), or Parquet with those columns.
        target: Where ``documents``, ``repeats``, ``matches``, ``clusters``, ``errors`` and
            ``capped`` are written.
        input_format: ``jsonl``, ``parquet``, or ``auto`` (``jsonl`` for names ending in
            ``.jsonl``, ``.json`` or either with ``.gz``, else ``parquet``).
        order_col: The column giving the documents' order (default: as read; a single
            file is read in order, several files in no set order).
        config: Settings.
        overwrite: Replace tables already at ``target``.

    Returns:
        How many documents, matches, clustered documents and errors there were.

    Raises:
        ConfigError: on an unknown ``input_format`` or a missing column.
    """
    if input_format == "auto":
        name = source.rstrip("/").removesuffix(".gz")
        input_format = "jsonl" if name.endswith((".jsonl", ".json")) else "parquet"
    if input_format == "jsonl":
        frame = spark.read.schema(JSONL_SCHEMA + (f", {order_col} long" if order_col else "")) \
            .json(source)
    elif input_format == "parquet":
        frame = spark.read.parquet(source)
    else:
        raise ConfigError(f"'input_format' must be 'auto', 'jsonl' or 'parquet' "
                          f"(got {input_format!r})")
    columns = set(frame.columns)
    result = scan(frame, source_col="source" if "source" in columns else None,
                  published_col="published" if "published" in columns else None,
                  order_col=order_col, config=config)
    result.write(target, mode="overwrite" if overwrite else "errorifexists")
    return {"documents": result.documents.count(), "matches": result.matches.count(),
            "clustered": result.clusters.count(), "errors": result.errors.count()}
