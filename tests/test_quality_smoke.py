"""The quality harness on small slices of the labelled corpora: it runs, and quality holds.

The corpora are present in CI (``../shared/corpora``); a missing corpus fails here rather than
skipping, so a broken checkout cannot pass silently. The full measurements are
``benchmarks/quality.py`` (see docs/quality.md).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from benchmarks import pan_review
from benchmarks.quality import FOLDERS, load_pan, roc_auc, run
from dedup import Config
from tests.conftest import CORPORA


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_the_corpus_is_present(name: str) -> None:
    folder = CORPORA / FOLDERS[name]
    assert folder.is_dir(), f"labelled corpus missing at {folder}: see ../shared/corpora/README"


def test_harness_on_slices_keeps_quality() -> None:
    out = io.StringIO()
    sections = run(["seeds", "clough", "pan", "msrp"], CORPORA, Config(), pan_limit=6,
                   msrp_limit=100, out=out)
    text = out.getvalue()
    assert "MISSING" not in text
    assert set(sections) == {"seeds", "clough", "pan", "msrp"}
    seeds = sections["seeds"].numbers["methods"]["dedup"]
    assert (seeds["tp"], seeds["fp"], seeds["fn"]) == (1, 0, 0)
    # Clough is small enough to run whole: no independent answer linked, most derived found.
    clough = sections["clough"].numbers
    assert clough["methods"]["dedup"]["fp"] == 0
    assert clough["non_linked"] <= 1
    assert clough["methods"]["dedup"]["f1"] >= 0.9
    pan = sections["pan"].numbers["methods"]["dedup"]
    assert pan["recall"] >= 0.9
    assert pan["precision"] >= 0.9
    msrp = sections["msrp"].numbers["methods"]
    scorer = next(v for k, v in msrp.items() if k.startswith("dedup passage scorer, t="))
    assert scorer["accuracy"] >= 0.65


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


def test_pan_review_prints_the_links_it_is_given(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # Two links "counted wrong": a true pair (a verbatim copy) and a pair of pages that share
    # nothing. By default only the pair without a verbatim passage is picked; with --all both,
    # the copy shown with its aligned sentences.
    docs, truth, _, _ = load_pan(CORPORA / FOLDERS["pan"], limit=6)
    copy = min(sorted(pair) for pair in truth)
    ids = sorted(d.id for d in docs)
    unrelated = next([a, b] for a in ids for b in ids
                     if a < b and frozenset((a, b)) not in truth and a.startswith("source")
                     and b.startswith("susp"))
    report = tmp_path / "pan.json"
    report.write_text(json.dumps({"pan": {"wrong_links": [[*copy, "partial"],
                                                          [*unrelated, "partial"]]}}))
    pan_review.main([str(report), "--corpora", str(CORPORA), "--pan-limit", "6",
                     "--kind", "partial"])
    out = capsys.readouterr().out
    assert "1 of kind partial sharing fewer than 21 word 5-grams" in out
    assert f"{unrelated[0]} ~ {unrelated[1]}: no match when measured alone" in out
    assert f"{copy[0]} ~ {copy[1]}" not in out
    pan_review.main([str(report), "--corpora", str(CORPORA), "--pan-limit", "6",
                     "--kind", "partial", "--all"])
    out = capsys.readouterr().out
    assert "2 of kind partial" in out
    assert f"{copy[0]} ~ {copy[1]}: partial" in out
    assert re.search(r"\n  [01]\.\d\d A: \S.*\n {7}B: \S", out)  # an aligned pair, shown
    assert f"{unrelated[0]} ~ {unrelated[1]}: no match when measured alone" in out
