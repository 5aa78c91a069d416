"""Tests for dedup.repair: the data-driven cases, the seed articles and properties."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.repair import repair, repair_count

# The package re-exports the function under the module's name, so fetch the
# module itself for the internals checked below.
repair_module = importlib.import_module("dedup.repair")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
CASES = json.loads((Path(__file__).parent / "cases" / "repair.json").read_text(encoding="utf-8"))

# Residues the repair must not leave behind: â before s, whitespace or a
# straight quote, and Â at the end of a line.
ARTIFACT = re.compile(r"â(?=[s\s\"])|Â(?=[ \t]*$)", re.MULTILINE)

# Pieces that combine into mojibake, residues, real words with â/Â, controls
# and surrogates, so random texts hit the interesting paths often.
# fmt: off
FRAGMENTS = [
    "â", "Â", "Ã", "€", "™", "œ", "¦", "©", "\x9d", "\x80", '"', "'", "s", "t", "ll", "re",
    "m", "I", "don", "Pakistan", "NSAs", "ch", "teau", "hâlâ", "ră", "The", "1990", " ", " ",
    "\t", "\n", "\r", ".", ",", "-", "(", "’", "“", "”", "—", "é", "\xa0", "\u2028", "\x00",
    "\x0b", "\x1b[31m", "\ufeff", "\ud800", "\ud83d", "\udca9", "中", "ا", "\u0301", "🎉",
]
# fmt: on
MOJIBAKE_TEXT = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()))
TEXTS = st.one_of(ANY_TEXT, MOJIBAKE_TEXT)


def _seed(prefix: str) -> str:
    """Return the text of the seed whose file name starts with `prefix`."""
    (path,) = [p for p in SEEDS if p.name.startswith(prefix)]
    return path.read_text(encoding="utf-8")


def test_enough_cases() -> None:
    """The case file has 40+ cases: many repairs and many texts that must not change."""
    unchanged = [c for c in CASES if c["input"] == c["expected"]]
    assert len(CASES) >= 40
    assert len(unchanged) >= 20
    assert len(CASES) - len(unchanged) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_case(case: dict[str, str]) -> None:
    """Each case repairs to its expected text, with an honest non-zero count."""
    text, expected = case["input"], case["expected"]
    repaired, count = repair_count(text)
    assert repaired == expected
    assert repair(text) == expected
    assert (count == 0) == (text == expected)
    assert repair(expected) == expected
    assert repaired.count("\n") == text.count("\n")


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_is_clean_after_repair(path: Path) -> None:
    """No residue survives in any seed, and every seed keeps its lines."""
    text = path.read_text(encoding="utf-8")
    repaired = repair(text)
    assert ARTIFACT.findall(repaired) == []
    assert repaired.count("\n") == text.count("\n")
    assert repair(repaired) == repaired


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_damaged_seeds_have_artifacts(prefix: str) -> None:
    """Seeds 000 and 001 really are damaged, so the test above can fail."""
    assert ARTIFACT.findall(_seed(prefix))


def test_repair_count_seed_001() -> None:
    """Every â (or â") in seed 001 is one artifact, and each is counted once."""
    text = _seed("001")
    artifacts = re.findall(r'â"?', text)
    repaired, count = repair_count(text)
    assert count > 0
    assert count == len(artifacts)
    assert "â" not in repaired
    assert repaired.count("—") == text.count('â"')


def test_repair_count_seed_000() -> None:
    """Each paragraph-final Â of seed 000 is one repair."""
    text = _seed("000")
    line_ends = [line for line in text.split("\n") if line.endswith("Â")]
    repaired, count = repair_count(text)
    assert count == len(line_ends) > 0
    assert "Â" not in repaired


@pytest.mark.parametrize("prefix", ["002", "003", "004"])
def test_clean_seeds_untouched(prefix: str) -> None:
    """Seeds without damage come back identical, with a count of 0."""
    text = _seed(prefix)
    assert repair_count(text) == (text, 0)


def test_ascii_fast_path() -> None:
    """Plain ASCII is returned as is; ASCII control characters are still removed."""
    text = "Plain ASCII, with\ttabs\r\nand lines.\n"
    assert repair_count(text) == (text, 0)
    assert repair_count("bell\x07 and NUL\x00.") == ("bell and NUL.", 2)


def test_mojibake_chars_cover_ftfy_heuristic() -> None:
    """Every character ftfy's heuristic looks for is a mojibake character.

    The line filter in front of ftfy relies on it; a new ftfy release adding
    characters elsewhere would make this fail instead of silently missing
    mojibake.
    """
    pattern = ftfy.badness.BADNESS_RE.pattern
    chars = {ch for ch in pattern if not ch.isascii()}
    for low, high in re.findall(r"([^\x00-\x7f])-([^\x00-\x7f])", pattern):
        chars.update(chr(code) for code in range(ord(low), ord(high) + 1))
    mojibake = re.compile(f"[{repair_module._MOJIBAKE_CHARS}]")
    assert sorted(ch for ch in chars if not mojibake.match(ch)) == []


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_never_raises_and_idempotent(text: str) -> None:
    """Any str repairs without error to a fixed point, keeping the line breaks."""
    repaired, count = repair_count(text)
    assert repair(text) == repaired
    assert repair(repaired) == repaired
    assert repaired.count("\n") == text.count("\n")
    assert (count == 0) == (repaired == text)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_line_filter_matches_ftfy(text: str) -> None:
    """Running ftfy only on the lines the filter selects equals running it on all."""
    fixed, _ = repair_module._fix_with_ftfy(text)
    assert fixed == ftfy.fix_text(text, repair_module._FTFY_CONFIG)


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_cheap_probe_never_misses_a_line_for_ftfy(text: str) -> None:
    """The byte-level probe says "maybe" wherever the line filter would find something."""
    if repair_module._NEEDS_FTFY.search(text) is not None:
        assert repair_module._may_need_ftfy(text)


@pytest.mark.parametrize(("text", "probe", "needs"), [
    ("plain “quoted” text’s", False, False),
    ("’” two adjacent", True, True),
    ("Â nbsp", True, True),
    # The probe cannot see the letter after a run: it answers "maybe" (the filter decides).
    ("Âx", True, False),
    ("œ.", True, True),
    ("œuvre", True, False),
    ("bell\x07", True, True),
    ("C1 \x85", True, True),
    ("lone \ud800", True, True),
    ("東京 and café", False, False),
])
def test_cheap_probe_cases(text: str, probe: bool, needs: bool) -> None:
    assert repair_module._may_need_ftfy(text) is probe
    assert (repair_module._NEEDS_FTFY.search(text) is not None) is needs


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_probe_changes_no_output(text: str) -> None:
    """Repair with the probe equals repair with every text sent to the line filter."""
    fast = repair_count(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(repair_module, "_may_need_ftfy", lambda _: True)
        assert repair_count(text) == fast


def test_probe_changes_no_output_on_seeds_and_cases() -> None:
    texts = [p.read_text(encoding="utf-8") for p in SEEDS] + [c["input"] for c in CASES]
    fast = [repair_count(t) for t in texts]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(repair_module, "_may_need_ftfy", lambda _: True)
        assert [repair_count(t) for t in texts] == fast
