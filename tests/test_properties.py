"""Invariants of the public functions over any input (Hypothesis).

Kept short for CI (a modest ``max_examples``); ``benchmarks/fuzz.py`` runs the same kind of
search for minutes, and what it found lives in ``tests/cases/robustness.json``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup import Config, Document, MinHasher, analyze, normalize, repair, repair_count, scan
from dedup.io import BinaryInputError, decode, read_jsonl
from dedup.report import write_report
from dedup.shingle import char_shingles, word_shingles
from tests.conftest import ROOT

# Every code point, lone surrogates and controls included: what a broken feed can hold.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)
# Text with words in it, from several scripts, and with the characters that break parsers.
WORDY = st.lists(
    st.sampled_from(["the", "council", "budget", "école", "naïve", "北京", "市政府", "שלום",
                     "Москва", "🎉", "e\u0301", "\x00", "\ud800", "don’t", "donâ€™t", "Â",
                     ".", "!", "?", "\n", "\n\n", "  ", "\t", "1,000", "“quote”"]),
    min_size=1, max_size=80).map(" ".join)
FEW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(ANY_TEXT)
def test_repair_never_raises_and_is_idempotent(text: str) -> None:
    once, count = repair_count(text)
    assert count >= 0
    assert repair(once) == once
    assert once.count("\n") == text.count("\n")


@FEW
@given(st.one_of(ANY_TEXT, WORDY), st.integers(1, 7))
def test_shingles_are_deterministic(text: str, n: int) -> None:
    norm = normalize(text)
    assert np.array_equal(word_shingles(norm, n), word_shingles(norm, n))
    assert np.array_equal(char_shingles(norm, n), char_shingles(norm, n))


@FEW
@given(st.lists(st.integers(0, 2**32 - 1), max_size=200), st.integers(0, 2**32 - 1))
def test_signatures_are_deterministic(values: list[int], seed: int) -> None:
    hashes = np.array(values, dtype=np.uint32)
    one, two = MinHasher(32, seed), MinHasher(32, seed)
    assert np.array_equal(one.signature(hashes), two.signature(hashes))
    assert np.array_equal(one.signatures([hashes])[0], one.signature(hashes))


def test_shingles_and_signatures_do_not_depend_on_the_process() -> None:
    # Python salts str hashes per process; nothing here may depend on them.
    code = ("from dedup import MinHasher, normalize; from dedup.shingle import word_shingles;"
            "s = word_shingles(normalize('The council approved the budget on Tuesday night'), 3);"
            "print(s.tolist(), MinHasher(8, 1).signature(s).tolist())")
    outs = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                           env={"PYTHONHASHSEED": str(seed)}, check=True).stdout
            for seed in (1, 2)}
    assert len(outs) == 1


@FEW
@given(st.one_of(ANY_TEXT, WORDY))
def test_a_document_always_matches_its_own_copy(text: str) -> None:
    report = scan([Document("a", text), Document("b", text)])
    if normalize(repair(text)).strip():
        assert [(m.a, m.b, m.kind) for m in report.matches] == [("a", "b", "exact")]
    else:  # nothing left to compare: no words, no match (and no crash)
        assert report.matches == []


@FEW
@given(st.one_of(ANY_TEXT, WORDY))
def test_analyze_never_raises(text: str) -> None:
    features = analyze(Document("x", text), Config())
    assert features.words >= 0


def _written(report: Any, fmt: str) -> str:
    """Write a report the way the command does, and return what a reader gets."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace")
    write_report(report, stream, fmt)  # type: ignore[arg-type]
    stream.flush()
    return raw.getvalue().decode("utf-8")


@FEW
@given(st.lists(st.tuples(ANY_TEXT.filter(bool), st.one_of(ANY_TEXT, WORDY)), max_size=4))
def test_reports_are_valid_json_for_any_input(records: list[tuple[str, str]]) -> None:
    docs = [Document(doc_id, text, source=doc_id) for doc_id, text in records]
    report = scan(docs)
    parsed = json.loads(_written(report, "json"))
    assert len(parsed["documents"]) + len(parsed["errors"]) == len(docs)
    # JSONL lines end at "\n" only: str.splitlines() would also cut at U+0085 and U+2028,
    # which JSON strings may hold unescaped.
    for line in _written(report, "jsonl").rstrip("\n").split("\n"):
        assert json.loads(line)["type"] in {"header", "document", "match", "cluster", "error"}
    assert _written(report, "text")


@FEW
@given(st.binary(max_size=400))
def test_decode_gives_text_or_says_binary(data: bytes) -> None:
    try:
        text, encoding = decode(data)
    except BinaryInputError:
        return
    assert isinstance(text, str)
    assert encoding


RECORD = st.builds(
    lambda v: json.dumps(v).encode(),
    st.dictionaries(st.sampled_from(["id", "text", "source", "published"]),
                    st.one_of(st.none(), st.integers(), st.text(max_size=20),
                              st.lists(st.integers(), max_size=2))))


@FEW
@given(st.lists(st.one_of(st.binary(max_size=60), RECORD), max_size=8))
def test_jsonl_reader_never_raises(lines: list[bytes]) -> None:
    problems: list[Any] = []
    docs = list(read_jsonl((line + b"\n" for line in lines), "feed", problems))
    assert len(docs) + len(problems) <= len(lines)
    assert all(isinstance(d.text, str) and d.id for d in docs)
