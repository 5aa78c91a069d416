"""dedup on Spark gives the local scan's answers, pair for pair, on a real local session."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dedup import Config, Document, Match, Passage, Report, scan
from dedup.cluster import Cluster
from dedup.errors import ConfigError
from dedup.spark import SparkIndex, SparkScan
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


@pytest.fixture(scope="module")
def feed() -> list[Document]:
    """A generated feed: originals, syndicated copies, light edits, partial copies,
    rewrites, internal repeats, damaged encodings, same-topic articles."""
    from benchmarks.feed import iter_records

    return [Document(r["id"], r["text"], r.get("source"), r.get("published"))
            for r, _ in iter_records(FEED_SIZE, seed=3)]


FEED_SIZE = 1000
STREAM_SIZE = 150


def test_a_generated_feed_gives_the_local_answers(spark: Any, feed: list[Document]) -> None:
    report = scan(feed)
    kinds = {m.kind for m in report.matches}
    assert kinds == {"exact", "near_duplicate", "partial", "rewrite"}
    result = run(spark, feed)
    assert_same(result, report)
    assert result.errors.count() == 0
    # Outlets' footers are held by more documents than a bucket may hold: capped, counted.
    assert {row.kind: row.buckets for row in result.capped.collect()}.get(1, 0) > 0


def test_repeated_ids_are_skipped_and_reported(spark: Any,
                                               seed_documents: list[Document]) -> None:
    docs = [*seed_documents, Document(seed_documents[1].id, seed_documents[4].text)]
    result = run(spark, docs)
    assert [(r.id, r.message) for r in result.errors.collect()] == [
        (seed_documents[1].id,
         f'duplicate id ["{seed_documents[1].id}"]: the later document was skipped')]
    assert_same(result, scan(seed_documents))


def _write_jsonl(path: Path, docs: list[Document], first: int) -> None:
    path.write_text("".join(json.dumps({"n": n, "id": d.id, "text": d.text, "source": d.source,
                                        "published": d.published}) + "\n"
                            for n, d in enumerate(docs, first)), encoding="utf-8")


def test_a_stream_of_micro_batches_finds_what_one_scan_finds(
        spark: Any, feed: list[Document], tmp_path: Path) -> None:
    docs = feed[:STREAM_SIZE]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    step = STREAM_SIZE // 3
    for i, start in enumerate(range(0, STREAM_SIZE, step)):
        _write_jsonl(inbox / f"part-{i}.jsonl", docs[start:start + step], start)
    index = SparkIndex(spark, str(tmp_path / "index"))
    found: list[Any] = []

    def each(batch: Any, batch_id: int) -> None:
        found.extend(index.match_and_add(batch, source_col="source", published_col="published",
                                         order_col="n").matches.collect())

    stream = (spark.readStream.schema(_DOC_SCHEMA).option("maxFilesPerTrigger", 1)
              .json(str(inbox)).writeStream.foreachBatch(each)
              .option("checkpointLocation", str(tmp_path / "checkpoint")).trigger(availableNow=True)
              .start())
    stream.awaitTermination(600)
    assert stream.exception() is None
    batches = [(b.numInputRows, b.batchId) for b in stream.recentProgress]
    assert len([n for n, _ in batches if n]) == 3
    found.sort(key=lambda r: (r.b_p, r.a_p))
    report = scan(docs)
    assert len(report.matches) > 10
    assert [(r.a, r.b, r.kind, r.score) for r in found] == [
        (m.a, m.b, m.kind, m.score) for m in report.matches]
    members = {row.id: row.cluster for row in index.clusters().collect()}
    assert len(members) == sum(len(c.members) for c in report.clusters)


def test_retention_forgets_whole_days(spark: Any, seed_documents: list[Document],
                                      tmp_path: Path) -> None:
    old, recent = seed_documents[0], seed_documents[2]
    index = SparkIndex(spark, str(tmp_path / "index"))
    first = [Document("old", old.text, published="2024-01-01"),
             Document("recent", recent.text, published="2024-02-28T23:00:00+00:00")]
    index.match_and_add(frame(spark, first), source_col="source", published_col="published",
                        order_col="n")
    assert index.prune(keep_days=10, today=date(2024, 3, 1)) == ["2024-01-01"]
    assert [r.id for r in index.documents().collect()] == ["recent"]
    copies = [Document("old-copy", old.text, published="2024-03-01"),
              Document("recent-copy", recent.text, published="2024-03-01")]
    batch = index.match_and_add(frame(spark, copies), source_col="source",
                                published_col="published", order_col="n")
    assert [(m.a, m.b, m.kind) for m in batch.matches.collect()] == [
        ("recent", "recent-copy", "exact")]
    again = index.match_and_add(frame(spark, copies[:1]), source_col="source",
                                published_col="published", order_col="n")
    assert [r.id for r in again.skipped.collect()] == ["old-copy"]
    with pytest.raises(ConfigError, match="'keep_days' must be a whole number >= 1"):
        index.prune(keep_days=0)


def test_the_spark_scan_command_writes_the_local_answers_as_parquet(
        spark: Any, seed_documents: list[Document], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from dedup.cli import main

    source = tmp_path / "seeds.jsonl"
    _write_jsonl(source, seed_documents, 0)
    out = tmp_path / "out"
    assert main(["spark-scan", str(source), str(out), "--master", "local[2]"]) == 0
    assert "5 documents, 1 matches, 2 documents in clusters, 0 errors" in capsys.readouterr().out
    match = scan(seed_documents).matches[0]
    rows = spark.read.parquet(str(out / "matches")).collect()
    assert [(r.a, r.b, r.kind, r.score) for r in rows] == [(match.a, match.b, match.kind,
                                                           match.score)]
    assert main(["spark-scan", str(source), str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_without_pyspark_the_command_says_what_to_install(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pyspark'] = None; from dedup.cli import main; "
            f"sys.exit(main(['spark-scan', {str(tmp_path)!r}, {str(tmp_path / 'o')!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 2
    assert "pip install 'dedup[spark]'" in done.stderr


_FOOTER = ("Copyright The Daily Ledger. All rights reserved. This material may not be published, "
           "broadcast, rewritten or redistributed without permission. Sign up for our morning "
           "newsletter to get the day's top stories from around the region delivered to your "
           "inbox, and follow us for breaking news alerts, weather updates and traffic reports.")


def test_templated_articles_cap_their_buckets_as_locally(spark: Any,
                                                         feed: list[Document]) -> None:
    # Short stories inside one outlet's long template: whole-article bands and passages that
    # more documents share than a bucket may hold (max_bucket lowered to make many).
    docs = [Document(d.id, "The Daily Ledger | Local news\n\n" + " ".join(d.text.split()[:40])
                     + "\n\n" + _FOOTER, d.source, d.published) for d in feed[:300]]
    config = Config(max_bucket=20)
    result = run(spark, docs, config)
    report = scan(docs, config)
    assert len(report.matches) > 50
    assert_same(result, report)
    capped = {row.kind: row.buckets for row in result.capped.collect()}
    assert capped.get(0, 0) > 0
    assert capped.get(1, 0) > 0
