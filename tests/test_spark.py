"""dedup on Spark gives the local scan's answers, pair for pair, on a real local session."""

from __future__ import annotations

from typing import Any

import pytest

from dedup import Config, Document, Match, Passage, Report, scan
from dedup.cluster import Cluster
from dedup.errors import ConfigError
from dedup.spark import SparkScan
from dedup.spark import scan as spark_scan

_DOC_SCHEMA = "n long, id string, text string, source string, published string"


def frame(spark: Any, docs: list[Document]) -> Any:
    """A DataFrame of ``docs`` with their input order in column ``n``."""
    return spark.createDataFrame([(n, d.id, d.text, d.source, d.published)
                                  for n, d in enumerate(docs)], _DOC_SCHEMA)


def run(spark: Any, docs: list[Document], config: Config | None = None) -> SparkScan:
    return spark_scan(frame(spark, docs), source_col="source", published_col="published",
                      order_col="n", config=config)


def matches_of(result: SparkScan) -> list[Match]:
    """The Spark matches as :class:`Match` objects, in the local scan's order."""
    rows = result.matches.orderBy("b_p", "a_p").collect()
    return [Match(r.a, r.b, r.kind, r.jaccard, r.a_in_b, r.b_in_a, r.score,
                  tuple(Passage(tuple(p.a_lines), tuple(p.b_lines), p.similarity)
                        for p in r.passages)) for r in rows]


def clusters_of(result: SparkScan) -> list[Cluster]:
    """The Spark clusters as :class:`Cluster` objects, in the local scan's order."""
    groups: dict[str, list[Any]] = {}
    for row in result.clusters.collect():
        groups.setdefault(row.cluster, []).append(row)
    clusters = []
    for rows in groups.values():
        rows.sort(key=lambda r: r.p)
        assert {r.canonical for r in rows} == {rows[0].canonical}
        assert rows[0].cluster == rows[0].id
        clusters.append((rows[0].p, Cluster(tuple(r.id for r in rows), rows[0].canonical)))
    return [c for _, c in sorted(clusters, key=lambda pc: pc[0])]


def assert_same(result: SparkScan, report: Report) -> None:
    """The Spark scan's matches, clusters and repeats equal the local report's."""
    assert matches_of(result) == report.matches
    assert clusters_of(result) == report.clusters
    repeats = {(r.id, r.line, r.first_line, r.similarity, r.exact)
               for r in result.repeats.collect()}
    assert repeats == {(d.id, r.line, r.first_line, r.similarity, r.exact)
                       for d in report.documents for r in d.repeats}


def test_seeds_give_the_local_answers(spark: Any, seed_documents: list[Document]) -> None:
    result = run(spark, seed_documents)
    report = scan(seed_documents)
    assert len(report.matches) == 1
    assert_same(result, report)
    cleaned = {r.id: r.cleaned for r in result.documents.collect()}
    assert cleaned == {d.id: d.cleaned for d in report.documents}
    assert result.errors.count() == 0


def test_a_missing_column_is_named(spark: Any, seed_documents: list[Document]) -> None:
    with pytest.raises(ConfigError, match="'body' is not in the DataFrame"):
        spark_scan(frame(spark, seed_documents), text_col="body")
