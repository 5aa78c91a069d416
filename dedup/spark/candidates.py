"""Candidate pairs in DataFrame operations, the same pairs a local scan verifies.

A local scan takes documents in order and, for each, follows the buckets of its keys among
the documents before it (:mod:`dedup.candidates`). What it finds for the document that
arrived ``p``-th depends only on the documents before it, so it can be computed for every
document at once, given each one's arrival order ``p``:

- a bucket (a key of a kind) is followed by the document ``p`` when at most ``max_bucket``
  documents before it hold the key (``boilerplate_df - 1`` for passage anchors); it then
  proposes every one of them. Each bucket's holders are ranked by ``p`` with a window whose
  row limit Spark applies before the shuffle as well, so a boilerplate bucket held by
  millions sends at most ``max_bucket + 2`` rows a partition, never a skewed shuffle;
- a sentence is boilerplate for ``p`` when ``boilerplate_df`` documents before ``p`` hold it:
  its ``t`` (the arrival of its ``boilerplate_df``-th holder) is below ``p``;
- a document is proposed by sentence bands when at least two of ``p``'s sentences that are not
  boilerplate (one, if it has only one) hit it with ``sentence_band_hits`` band keys;
- the same exact text proposes its first holder.
"""

from __future__ import annotations

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from dedup.config import Config
from dedup.store import DOC, PASSAGE

__all__ = ["boilerplate_times", "candidate_pairs", "capped_buckets", "common_units", "holdings",
           "unit_holdings"]

#: Intermediate tables read more than once: kept, spilling to disk past memory.
_KEEP = StorageLevel.MEMORY_AND_DISK


def holdings(docs: DataFrame) -> DataFrame:
    """Return the (kind, key, p, anchor, rows) bucket entries of analyzed documents.

    Document bands are kind :data:`dedup.store.DOC`; passage keys (anchors and sentence bands)
    :data:`dedup.store.PASSAGE`, with whether the key is an anchor of ``p`` and which of its
    sentences have it as a band key.
    """
    bands = docs.select(F.lit(DOC).alias("kind"), F.explode("bands").alias("key"), "p",
                        F.lit(False).alias("anchor"),
                        F.lit(None).cast("array<int>").alias("rows"))
    passages = docs.select("p", F.explode("pass_keys").alias("k")).select(
        F.lit(PASSAGE).alias("kind"), F.col("k.key").alias("key"), "p",
        F.col("k.anchor").alias("anchor"), F.col("k.rows").alias("rows"))
    return bands.unionByName(passages)


def unit_holdings(docs: DataFrame) -> DataFrame:
    """Return the (key, p) entries of the documents' sentence keys (each once a document)."""
    return docs.select(F.explode("units").alias("key"), "p")


def _ranked(entries: DataFrame, partition: list[str], limit: int) -> DataFrame:
    """Keep each bucket's first ``limit`` holders by ``p``, with their 1-based ``rn``."""
    rank = F.row_number().over(Window.partitionBy(*partition).orderBy("p"))
    return entries.withColumn("rn", rank).where(F.col("rn") <= limit)


def boilerplate_times(units: DataFrame, config: Config) -> DataFrame:
    """Return (key, t) for every sentence key held by ``boilerplate_df`` documents or more:
    ``t`` is the arrival order of its ``boilerplate_df``-th holder."""
    least = config.boilerplate_df
    return (_ranked(units, ["key"], least).where(F.col("rn") == least)
            .select("key", F.col("p").alias("t")).persist(_KEEP))


def common_units(docs: DataFrame, times: DataFrame) -> DataFrame:
    """Return (p, common): each document's sentences that many hold, as (u, t) structs."""
    mine = docs.select("p", F.explode("units").alias("key"))
    return (mine.join(times, "key")
            .groupBy("p").agg(F.collect_list(F.struct(F.col("key").alias("u"), "t"))
                              .alias("common")))


def capped_buckets(entries: DataFrame, config: Config) -> DataFrame:
    """Return (kind, buckets): per kind, the buckets too large for a later holder to follow
    (more than ``max_bucket`` holders): boilerplate and topic phrases, counted."""
    over = config.max_bucket + 1
    return (_ranked(entries.select("kind", "key", "p"), ["kind", "key"], over + 1)
            .where(F.col("rn") == over + 1).groupBy("kind").agg(F.count("*").alias("buckets")))


def candidate_pairs(docs: DataFrame, entries: DataFrame, times: DataFrame, config: Config,
                    new_from: int = 0) -> DataFrame:
    """Return the distinct (q, p) pairs, ``q`` before ``p``, that a local scan verifies.

    Args:
        docs: Analyzed documents (``p``, ``unit_rows``, ``exact``), at least those from
            ``new_from`` on.
        entries: :func:`holdings` of every document that may be a candidate (those before
            ``new_from`` too).
        times: :func:`boilerplate_times` of the sentence keys of every such document.
        config: Uses ``max_bucket``, ``boilerplate_df`` and ``sentence_band_hits``.
        new_from: Only documents from this arrival order on get candidates (a stream's new
            batch; 0 for a whole scan).
    """
    limit = config.max_bucket
    ranked = _ranked(entries, ["kind", "key"], limit + 1).persist(_KEEP)
    # Only holders with one before them have candidates (most keys have one holder).
    later = ranked.where((F.col("rn") > 1) & (F.col("p") >= new_from))
    earlier = ranked.select("kind", "key", F.col("p").alias("q"), F.col("rn").alias("rq"))
    # rn - 1 documents before p hold the key: at most limit, as the bucket limit counts them.
    # Kept: both kinds of evidence below read it.
    shared = (later.join(earlier, ["kind", "key"]).where(F.col("rq") < F.col("rn"))
              .drop("key", "rq").persist(_KEEP))
    is_passage = F.col("kind") == PASSAGE
    by_key = shared.where((F.col("kind") == DOC)
                          | (is_passage & F.col("anchor")
                             & (F.col("rn") <= config.boilerplate_df))).select("q", "p")
    by_sentences = _sentence_pairs(shared.where(is_passage & (F.size("rows") > 0)),
                                   docs, times, config, new_from)
    pairs = by_key.unionByName(by_sentences).unionByName(_exact_pairs(docs, new_from))
    found = pairs.distinct().persist(_KEEP)
    found.count()
    ranked.unpersist()
    shared.unpersist()
    return found


def _sentence_pairs(shared: DataFrame, docs: DataFrame, times: DataFrame, config: Config,
                    new_from: int) -> DataFrame:
    """Return the (q, p) pairs that two of p's sentences (not boilerplate) hit."""
    mine = docs.where(F.col("p") >= new_from) if new_from else docs
    rows = mine.select("p", F.posexplode("unit_rows").alias("row", "key"))
    boilerplate = (rows.join(times, "key").where(F.col("t") < F.col("p"))
                   .select("p", "row").distinct())
    evidence = (mine.select("p", F.size("unit_rows").alias("rows"))
                .join(boilerplate.groupBy("p").agg(F.count("*").alias("stop")), "p", "left")
                .select("p", (F.col("rows") - F.coalesce(F.col("stop"), F.lit(0)))
                        .alias("evidence")))
    hits = (shared.select("p", "q", F.explode("rows").alias("row"))
            .join(boilerplate, ["p", "row"], "left_anti")
            .groupBy("p", "q", "row").agg(F.count("*").alias("bands"))
            .where(F.col("bands") >= config.sentence_band_hits)
            .groupBy("p", "q").agg(F.count("*").alias("sentences")))
    need: Column = F.least(F.lit(2), F.col("evidence"))
    return hits.join(evidence, "p").where(F.col("sentences") >= need).select("q", "p")


def _exact_pairs(docs: DataFrame, new_from: int) -> DataFrame:
    """Return (first holder, p) for every later document with the same exact text."""
    exact = docs.select(F.explode("exact").alias("key"), "p")
    first = exact.groupBy("key").agg(F.min("p").alias("q"))
    pairs = exact.join(first, "key").where(F.col("p") > F.col("q"))
    return (pairs.where(F.col("p") >= new_from) if new_from else pairs).select("q", "p")
