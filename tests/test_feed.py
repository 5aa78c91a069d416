"""The benchmark feed is deterministic and its ground truth is what it says."""

from __future__ import annotations

from itertools import islice

import pytest

from benchmarks.feed import (
    COPY_RELATIONS,
    CORPORA,
    RELATIONS,
    FeedGenerator,
    Truth,
    load_vocabulary,
)
from dedup import normalize

N = 400


@pytest.fixture(scope="module")
def rows() -> list[tuple[dict[str, str], dict[str, object]]]:
    import ftfy.bad_codecs  # noqa: F401  (the feed damages some encodings with it)

    return list(FeedGenerator(3, _VOCAB).articles(N))


_VOCAB = load_vocabulary()


def _body(text: str) -> list[str]:
    """Body paragraphs: the lines between the two header lines and the outlet's footer."""
    return [normalize(line) for line in text.split("\n")[2:] if line]


def test_vocabulary_is_zipfian_real_text() -> None:
    # Without ../shared/corpora the generator says so and counts the seeds only.
    assert _VOCAB.size > (5_000 if CORPORA.is_dir() else 200)
    assert _VOCAB.words[:3] == ["the", "of", "and"] or _VOCAB.words[0] == "the"
    assert _VOCAB.cdf == sorted(_VOCAB.cdf)
    # Zipf: the top 100 words carry a large share of the text, and the tail is long.
    assert 0.3 < _VOCAB.cdf[99] / _VOCAB.cdf[-1] < 0.7


def test_same_seed_same_feed_and_prefix_property() -> None:
    first = list(islice(FeedGenerator(5, _VOCAB).articles(60), 60))
    again = list(FeedGenerator(5, _VOCAB).articles(60))
    longer = list(islice(FeedGenerator(5, _VOCAB).articles(200), 60))
    other = list(FeedGenerator(6, _VOCAB).articles(60))
    assert first == again == longer
    assert first != other


def test_records_have_the_jsonl_fields_and_sizes(
        rows: list[tuple[dict[str, str], dict[str, object]]]) -> None:
    ids = [r["id"] for r, _ in rows]
    assert len(set(ids)) == N
    assert all(set(r) == {"id", "text", "source", "published"} for r, _ in rows)
    published = [r["published"] for r, _ in rows]
    assert published == sorted(published)
    originals = [len(r["text"].encode()) for r, t in rows if t["relation"] == "original"]
    assert min(originals) > 1_500
    assert max(originals) < 8_000
    assert 3_000 < sum(originals) / len(originals) < 5_500
    relations = {t["relation"] for _, t in rows}
    assert relations == set(RELATIONS)


def test_children_follow_their_parents_and_share_text(
        rows: list[tuple[dict[str, str], dict[str, object]]]) -> None:
    text = {r["id"]: r["text"] for r, _ in rows}
    position = {r["id"]: i for i, (r, _) in enumerate(rows)}
    for record, truth in rows:
        if truth["relation"] == "original":
            assert truth["parent"] is None
            assert truth["family"] == record["id"]
            continue
        parent = str(truth["parent"])
        assert position[parent] < position[record["id"]]
        mine, theirs = set(_body(record["text"])), set(_body(text[parent]))
        shared = len(mine & theirs) / max(1, len(mine))
        if truth["relation"] == "syndicated" and not truth["mojibake"]:
            assert set(_body(text[parent])[:-3]) <= mine  # footers differ, the body does not
        elif truth["relation"] == "partial":
            assert shared >= 0.3
        elif truth["relation"] == "rewrite":
            assert shared <= 0.2  # every sentence reworded


def test_repeats_point_at_identical_earlier_lines(
        rows: list[tuple[dict[str, str], dict[str, object]]]) -> None:
    count = 0
    for record, truth in rows:
        lines = record["text"].split("\n")
        for line, first in truth["repeats"]:  # type: ignore[attr-defined]
            assert first < line
            assert lines[line - 1] == lines[first - 1]
            count += 1
    assert count > 0


def test_truth_scores_recall_by_relation_and_precision_by_family(
        rows: list[tuple[dict[str, str], dict[str, object]]]) -> None:
    truth = Truth.from_rows(t for _, t in rows)
    every = [p for rel in truth.pairs.values() for p in rel]
    perfect = truth.score(every)
    assert perfect["precision"] == 1.0
    assert all(perfect[f"recall_{r}"] == 1.0 for r in COPY_RELATIONS)
    originals = [r["id"] for r, t in rows if t["relation"] == "original"][:2]
    wrong = truth.score([(originals[0], originals[1])])
    assert wrong["precision"] == 0.0
    assert wrong["recall_copies"] == 0.0


def test_templated_reports_share_shapes_and_only_their_copies_are_related() -> None:
    import ftfy.bad_codecs  # noqa: F401

    rows = list(FeedGenerator(4, _VOCAB, templated=1.0).articles(300))
    truth = [t for _, t in rows]
    originals = [t for t in truth if t["relation"] == "original"]
    assert {t["template"] for t in originals} == {"earnings", "match", "weather"}
    # A report is copied or lightly edited, never partly copied or rewritten.
    assert {t["relation"] for t in truth} <= {"original", "syndicated", "light_edit"}
    assert any(t["relation"] != "original" for t in truth)
    # Every report of a template carries the template's fixed line, each its own numbers.
    earnings = [r["text"] for r, t in rows if t["relation"] == "original"
                and t["template"] == "earnings"]
    assert all("generated automatically from company filings" in text for text in earnings)
    first_lines = {text.split("\n")[2] for text in earnings}
    assert len(first_lines) == len(earnings)


def test_no_templates_keeps_the_feed_of_a_seed() -> None:
    plain = list(FeedGenerator(5, _VOCAB).articles(40))
    assert plain == list(FeedGenerator(5, _VOCAB, templated=0.0).articles(40))
    assert all("template" not in t for _, t in plain)


def test_a_small_vocabulary_draws_from_the_commonest_words() -> None:
    small = load_vocabulary(max_words=500)
    assert small.size <= 500
    assert small.words == _VOCAB.words[:small.size]
