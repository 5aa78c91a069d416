"""Verification gives exactly the stored matches, pair by pair and check by check.

tests/cases/verify.json was written by the numpy implementation of issue 22's rules before
the Rust core took them over (tests/cases/make_verify_cases.py says what it holds): the
seeds, feed articles, automated reports from templates and a small-vocabulary feed, each
pair with and without boilerplate keys. Floats are held to 1e-6.
"""

from __future__ import annotations

import collections
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dedup import Config, Document, analyze, compare
from dedup.document import Features, Unit
from dedup.store.codec import encode_features
from dedup.verify import Check, run_check
from tests.cases.make_verify_cases import match_fields

CASES = json.loads((Path(__file__).parent / "cases" / "verify.json").read_text("utf-8"))
GROUPS = {group["name"]: group for group in CASES["groups"]}
CONFIG = Config()


@cache
def documents(name: str) -> list[Features]:
    return [analyze(Document(str(k), text), CONFIG) for k, text in
            enumerate(GROUPS[name]["texts"])]


def assert_same(got: dict[str, Any] | None, expected: dict[str, Any] | None, where: str) -> None:
    if expected is None or got is None:
        assert got == expected, where
        return
    assert got["kind"] == expected["kind"], where
    for field in ("jaccard", "a_in_b", "b_in_a", "score"):
        assert got[field] == pytest.approx(expected[field], abs=1e-6), (where, field)
    assert len(got["passages"]) == len(expected["passages"]), where
    for mine, theirs in zip(got["passages"], expected["passages"], strict=True):
        assert mine[:4] == theirs[:4], where
        assert mine[4] == pytest.approx(theirs[4], abs=1e-6), where


@pytest.mark.parametrize("name", GROUPS)
def test_compare_gives_the_stored_matches(name: str) -> None:
    docs = documents(name)
    stop = set(GROUPS[name]["stop"])

    def is_boilerplate(unit: Unit) -> bool:
        return unit.key in stop

    for case in GROUPS[name]["pairs"]:
        a, b = docs[case["a"]], docs[case["b"]]
        match = compare(a, b, CONFIG, is_boilerplate if case["boilerplate"] else None)
        assert_same(match_fields(match), case["match"], f"{name} {case}")


@pytest.mark.parametrize("name", GROUPS)
def test_a_check_of_all_candidates_gives_the_stored_matches(name: str) -> None:
    docs = documents(name)
    checks: dict[tuple[int, bool], list[dict[str, Any]]] = collections.defaultdict(list)
    for case in GROUPS[name]["pairs"]:
        checks[case["b"], case["boilerplate"]].append(case)
    assert len(checks) > 1
    for (query, boilerplate), cases in checks.items():
        stop = np.array(GROUPS[name]["stop"] if boilerplate else [], dtype=np.uint64)

        def pack(k: int) -> tuple[str, None, None, bytes]:
            return (docs[k].id, None, None, encode_features(docs[k]))

        found = dict(run_check(Check(pack(query), tuple(pack(c["a"]) for c in cases), stop),
                               CONFIG))
        for position, case in enumerate(cases):
            match = found.get(position)
            assert_same(match_fields(match), case["match"], f"{name} {case}")
