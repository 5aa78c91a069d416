"""Config validation names the bad value and the fix."""

from __future__ import annotations

import pytest

from dedup import Config, ConfigError


@pytest.mark.parametrize(("changes", "message"), [
    ({"threshold": 1.5}, "'threshold' must be in [0.0, 1.0] (got 1.5)"),
    ({"num_perm": 0}, "'num_perm' must be a whole number >= 1 (got 0)"),
    ({"seed": -1}, "'seed' must be a whole number in [0, 2**32) (got -1)"),
    ({"passage_bands": 32}, "'passage_bands' * 'passage_rows' must be <= 'passage_num_perm'"),
    ({"sentence_bands": 11}, "'sentence_bands' * 'sentence_rows' must be <= 'passage_num_perm'"),
    ({"sentence_band_hits": 6}, "'sentence_band_hits' must be <= 'sentence_bands'"),
    ({"anchor_window": 0}, "'anchor_window' must be a whole number >= 1"),
    ({"min_sentence_words": -2}, "'min_sentence_words' must be a whole number >= 0 (got -2)"),
])
def test_bad_settings(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        Config(**changes)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_replace_validates_and_rejects_unknown_names() -> None:
    assert Config().replace(threshold=0.7).threshold == 0.7
    with pytest.raises(ConfigError, match="unknown setting"):
        Config().replace(treshold=0.7)
