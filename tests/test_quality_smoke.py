"""The quality harness on small slices of the labelled corpora: it runs, and quality holds.

The corpora are present in CI (``../shared/corpora``); a missing corpus fails here rather than
skipping, so a broken checkout cannot pass silently. The full measurements are
``benchmarks/quality.py`` (see docs/quality.md).
"""

from __future__ import annotations

import doctest
import io
import itertools
import json
import random
from pathlib import Path

import pytest

from benchmarks import reuse
from benchmarks.quality import run
from benchmarks.quality_base import FOLDERS, roc_auc
from benchmarks.quality_msrp import split_half_accuracy
from benchmarks.quality_pan import RUN_WORDS, evaluate_pan, load_reading
from dedup import Config
from dedup.paragraphs import line_starts
from tests.conftest import CORPORA


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_the_corpus_is_present(name: str) -> None:
    folder = CORPORA / FOLDERS[name]
    assert folder.is_dir(), f"labelled corpus missing at {folder}: see ../shared/corpora/README"


def test_harness_on_slices_keeps_quality() -> None:
    out = io.StringIO()
    sections = run(["seeds", "clough", "feed", "pan", "msrp"], CORPORA, Config(), pan_limit=6,
                   msrp_limit=200, out=out, pan_reading=None, feed_articles=300)
    text = out.getvalue()
    assert "MISSING" not in text
    assert set(sections) == {"seeds", "clough", "feed", "pan", "msrp"}
    seeds = sections["seeds"].numbers["methods"]["dedup"]
    assert (seeds["tp"], seeds["fp"], seeds["fn"]) == (1, 0, 0)
    # Clough is small enough to run whole: no independent answer linked, most derived found.
    clough = sections["clough"].numbers
    assert clough["methods"]["dedup"]["fp"] == 0
    assert clough["non_linked"] <= 1
    assert clough["methods"]["dedup"]["f1"] >= 0.9
    # Leave one task out: three folds, each choosing a value of the grid, counts pooled.
    loto = clough["loto"]
    assert [f["held_out"] for f in loto["folds"]] == ["a", "b", "c"]
    assert all(f["chosen"] in loto["grid"] for f in loto["folds"])
    assert loto["tp"] + loto["fn"] == 32
    assert loto["f1"] >= 0.85
    # The feed: every parent-child pair lands in the matrix; most get their relation's kind.
    feed = sections["feed"].numbers
    assert feed["counted"] == sum(sum(feed["matrix"][r].values())
                                  for r in ("syndicated", "light_edit", "partial", "rewrite")
                                  if r in feed["matrix"])
    assert feed["counted"] > 50
    assert feed["share"] >= 0.9
    pan = sections["pan"].numbers
    assert pan["methods"]["dedup"]["recall"] >= 0.9
    assert pan["precision"]["lower_bound"] >= 0.9
    passages = pan["passages"]["reported"]
    assert passages["cases"] >= 6
    assert passages["recall"] >= 0.6
    assert passages["plagdet"] <= passages["f1"]  # granularity only discounts
    msrp = sections["msrp"].numbers["methods"]
    assert set(msrp) == {"dedup sentence similarity (`text_similarity`)", "word-unigram Jaccard",
                         "character 3-gram Dice"}
    assert all(m["accuracy"] >= 0.6 for m in msrp.values())
    assert sections["msrp"].numbers["fixed"]["accuracy"] >= 0.65


@pytest.mark.parametrize(
    ("scores", "labels", "expected"),
    [
        ([0.9, 0.8, 0.1], [True, False, False], 1.0),
        ([0.1, 0.9], [True, False], 0.0),
        ([0.5, 0.5, 0.5], [True, False, True], 0.5),
    ],
)
def test_roc_auc(scores: list[float], labels: list[bool], expected: float) -> None:
    assert roc_auc(scores, labels) == pytest.approx(expected)


def test_reuse_measures_doctests() -> None:
    result = doctest.testmod(reuse)
    assert result.attempted >= 15
    assert result.failed == 0


def test_longest_run_is_the_longest_common_run() -> None:
    rng = random.Random(3)
    for _ in range(200):
        a = [rng.choice("abc") for _ in range(rng.randint(0, 12))]
        b = [rng.choice("abc") for _ in range(rng.randint(0, 12))]
        brute = max([k for i, j in itertools.product(range(len(a)), range(len(b)))
                     for k in range(1, min(len(a) - i, len(b) - j) + 1)
                     if a[i:i + k] == b[j:j + k]], default=0)
        run_ = reuse.longest_run(a, b)
        assert run_.length == brute
        assert a[run_.a_start:run_.a_start + brute] == b[run_.b_start:run_.b_start + brute]


def test_pan_scores_by_hand() -> None:
    case = reuse.Alignment(range(100, 200), range(0, 100))
    exact = reuse.pan_scores({1: [case]}, {1: [case]})
    assert (exact.precision, exact.recall, exact.granularity, exact.plagdet) == (1, 1, 1, 1)
    # Overlapping one side only does not detect: no credit, and the case counts missed.
    one_side = reuse.pan_scores({1: [case]}, {1: [reuse.Alignment(range(100, 200),
                                                                  range(500, 600))]})
    assert (one_side.precision, one_side.recall, one_side.detected_cases) == (0, 0, 0)
    # Half the case, reported as two halves of it: precision 1, recall 0.5, granularity 2.
    halves = [reuse.Alignment(range(100, 125), range(0, 25)),
              reuse.Alignment(range(125, 150), range(25, 50))]
    split = reuse.pan_scores({1: [case], 2: [case]}, {1: halves})
    assert split.precision == 1.0
    assert split.recall == pytest.approx(0.25)  # the second pair has no detection at all
    assert split.granularity == 2.0
    assert reuse.merge_touching(halves) == [reuse.Alignment(range(100, 150), range(0, 50))]


def test_line_span_matches_the_lines_of_the_text() -> None:
    text = "first line\nsecond\n\nlast one"
    starts = line_starts(text)
    lines = text.split("\n")
    for first in range(1, 5):
        for last in range(first, 5):
            span = reuse.line_span(starts, len(text), (first, last))
            assert text[span.start:span.stop] == "\n".join(lines[first - 1:last])


def test_tuned_threshold_is_most_accurate() -> None:
    rng = random.Random(5)
    scores = [rng.random() for _ in range(300)]
    labels = [s + rng.gauss(0, 0.2) > 0.5 for s in scores]
    t = reuse.tune_threshold(scores, labels)

    def accuracy(x: float) -> float:
        return sum((s >= x) == y for s, y in zip(scores, labels, strict=True)) / len(labels)

    assert accuracy(t) == max(accuracy(x) for x in scores)
    result = split_half_accuracy(scores, labels, seeds=(1, 2))
    assert len(result["thresholds"]) == 4
    assert result["accuracy_min"] <= result["accuracy"] <= result["accuracy_max"] <= 1.0
    assert result["accuracy"] > 0.7


def test_binomial_interval_holds_the_share() -> None:
    for k, n in ((0, 10), (7, 10), (36, 40), (40, 40)):
        lo, hi = reuse.binomial_interval(k, n)
        assert 0.0 <= lo <= k / n <= hi <= 1.0
    assert reuse.binomial_interval(0, 0) == (0.0, 1.0)


def test_pan_sample_uses_recorded_verdicts(tmp_path: Path) -> None:
    # On a slice, the links neither truth nor a verbatim run vouches for are sampled; a
    # recorded verdict for each makes the estimate exact, and the sample prints them.
    config = Config()
    first = evaluate_pan(CORPORA / FOLDERS["pan"], config, limit=30, sample=5, reading=None)
    sample = first.numbers["sample"]
    assert sample, "the slice should hold a link without truth or a verbatim run"
    assert all(row[3] < RUN_WORDS for row in first.numbers["unverified"])
    reading = tmp_path / "reading.json"
    reading.write_text(json.dumps({"readings": [
        {"a": a, "b": b, "verdict": "reuse", "note": ""} for a, b in sample]}))
    second = evaluate_pan(CORPORA / FOLDERS["pan"], config, limit=30, sample=5,
                          reading=reading)
    estimate = second.numbers["precision"]
    assert estimate["read"] == estimate["read_reuse"] == len(sample)
    links = second.numbers["links"]
    if links["unverified"] == len(sample):  # every such link read: no sampling error
        assert estimate["point"] == pytest.approx(1.0)
    assert estimate["low"] <= estimate["point"] <= estimate["high"]
    assert "read: reuse; best shared run" in second.text
    reading.write_text(json.dumps({"readings": [
        {"a": sample[0][0], "b": sample[0][1], "verdict": "maybe"}]}))
    with pytest.raises(SystemExit, match="verdict 'maybe'"):
        load_reading(reading)
