"""Internal repeats are exactly the stored ones (tests/cases/repeats.json).

The cases were written by the Python implementation (difflib's matching blocks, the
paragraph LSH, the word-count bound) on articles with exact and edited copies of their
paragraphs, up to 90 paragraphs (past the bound's limit of 60), feed articles and the seeds,
under three configurations; tests/cases/make_repeat_cases.py says what each entry holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cases.make_repeat_cases import case_of

CASES = json.loads((Path(__file__).parent / "cases" / "repeats.json").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda case: repr(case["text"][:24]))
def test_repeats_equal_the_stored_ones(case: dict[str, Any]) -> None:
    got = case_of(case["text"])["repeats"]
    for name, expected in case["repeats"].items():
        assert got[name] == expected, name
