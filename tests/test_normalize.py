"""The comparison form folds case, accents, punctuation, quotes and spacing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup import normalize


@pytest.mark.parametrize(("text", "expected"), [
    ("Hello,   World!", "hello world"),
    ("Pakistan’s ISI", "pakistans isi"),
    ("Pakistan's ISI", "pakistans isi"),
    ("“Quoted” — dashed", "quoted dashed"),
    ("Café  au lait", "cafe au lait"),
    ("STRASSE Straße", "strasse strasse"),
    ("ﬁne ① ２０２４", "fine 1 2024"),
    ("東京都", "東 京 都"),
    ("line\none\ttwo", "line one two"),
    ("", ""),
    ("  ...  ", ""),
])
def test_normalize_cases(text: str, expected: str) -> None:
    assert normalize(text) == expected


@given(st.text())
def test_normalize_is_idempotent_and_single_spaced(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert "  " not in once
    assert once == once.strip()
