"""Normalization, paragraphs, sentences and analysis give exactly the stored outputs.

tests/cases/analysis.json was written by the Python implementations (regex, unicodedata)
before the Rust core took them over (tests/cases/make_analysis_cases.py says what each entry
holds), on the texts of tests/cases/hashes.json and on documents with paragraphs, odd
whitespace, lone surrogates, feed articles and the seeds. Comparison texts feed stored
hashes and lines feed reports: none may change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dedup.paragraphs import sentence_rows, split_paragraphs
from tests.cases.make_analysis_cases import case_of

CASES = json.loads((Path(__file__).parent / "cases" / "analysis.json").read_text("utf-8"))


def _label(case: dict[str, Any]) -> str:
    return repr(case["text"][:24])


@pytest.mark.parametrize("case", CASES["cases"], ids=_label)
def test_outputs_equal_the_stored_ones(case: dict[str, Any]) -> None:
    got = case_of(case["text"])
    assert sorted(got) == sorted(case)
    for key in ("normalize", "folded", "paragraphs", "sentences", "passage_unit"):
        assert got[key] == case[key], key
    for name, expected in case["analyze"].items():
        for field, value in expected.items():
            assert got["analyze"][name][field] == value, (name, field)


@pytest.mark.parametrize("case", CASES["cases"], ids=_label)
def test_pieces_are_their_slices_of_the_text(case: dict[str, Any]) -> None:
    text = case["text"]
    paragraphs = split_paragraphs(text)
    assert all(p.text == text[p.start : p.end] for p in paragraphs)
    rows = sentence_rows(text, paragraphs)
    assert all(row[0] == text[row[1] : row[2]] for para in rows for row in para)
