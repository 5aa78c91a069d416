"""The one frozen configuration of dedup, with defaults and validation.

Every stage takes only the fields it needs; the whole object travels with an index so that
an index is never queried with settings it was not built with.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

from dedup.errors import ConfigError

__all__ = ["Config"]


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not (low <= value <= high):
        raise ConfigError(f"{name!r} must be in [{low}, {high}] (got {value!r})")


@dataclass(frozen=True, slots=True)
class Config:
    """Settings of every stage, with defaults measured on the seeds and the labelled corpora.

    See ``docs/configuration.md`` for the measurements behind each default.

    >>> Config().num_perm
    128
    >>> Config(threshold=1.5)
    Traceback (most recent call last):
    ...
    dedup.errors.ConfigError: 'threshold' must be in [0.0, 1.0] (got 1.5)
    """

    # MinHash (datasketch vocabulary)
    num_perm: int = 128
    seed: int = 1
    # Shingles of whole documents: word n-grams of the comparison text.
    word_ngram: int = 5
    # Shingles of paragraphs, for internal repeats: character n-grams.
    char_ngram: int = 5
    # Words of a sentence are cut to this many characters before comparison (a cheap stemmer).
    stem_chars: int = 5
    # Document-level LSH: estimated Jaccard above which two documents become candidates.
    threshold: float = 0.5
    # Candidates for passages (docs/configuration.md). Anchors: the smallest word n-gram hash
    # of each window of this many n-grams; any verbatim run of anchor_window + word_ngram - 1
    # words (15) gives two documents a common anchor, and one shared anchor makes a candidate.
    anchor_window: int = 11
    # Sentence bands, for rewrites (a reworded sentence keeps no 15-word run): each sentence's
    # content stems, signed with passage_num_perm permutations, cut into sentence_bands bands
    # of sentence_rows rows; a sentence hits a document when sentence_band_hits of its bands
    # collide with it, and two sentences hitting it make it a candidate.
    sentence_bands: int = 5
    sentence_rows: int = 3
    sentence_band_hits: int = 1
    # Sentence and paragraph LSH: permutations; bands and rows for near internal repeats.
    passage_num_perm: int = 32
    passage_bands: int = 16
    passage_rows: int = 2
    # Buckets holding more documents than this are boilerplate or topic words: not followed.
    max_bucket: int = 200
    # Internal repeats.
    min_paragraph_words: int = 8
    # Near (not exact) repeats need real paragraphs: in short lines a changed word and a
    # template around the headline ("0 Response to <title>") look alike.
    min_near_repeat_words: int = 20
    repeat_threshold: float = 0.5
    remove_threshold: float = 0.93
    # Cross-document verification.
    min_sentence_words: int = 5
    passage_threshold: float = 0.55
    near_duplicate_threshold: float = 0.7
    partial_threshold: float = 0.5
    # Documents sharing a verbatim passage of about this many words are partial copies.
    partial_words: int = 25
    min_passages: int = 2
    rewrite_threshold: float = 0.24
    boilerplate_df: int = 5
    # Limits that keep one bad record from eating the machine (docs/robustness.md).
    max_chars: int = 2_000_000
    # Sentence alignment costs time and memory in the product of two documents' sentence
    # counts: sentences past this many take part in shingles, not in alignment.
    max_sentences: int = 2_000
    # Internal repeats are looked for among this many paragraphs: thousands of look-alike
    # short lines (a log, a table) make every paragraph a candidate of every other.
    max_paragraphs: int = 1_000

    def __post_init__(self) -> None:
        for name in (
            "num_perm",
            "passage_num_perm",
            "word_ngram",
            "char_ngram",
            "stem_chars",
            "passage_bands",
            "passage_rows",
            "anchor_window",
            "sentence_bands",
            "sentence_rows",
            "sentence_band_hits",
            "max_bucket",
            "min_passages",
            "partial_words",
            "boilerplate_df",
            "max_chars",
            "max_sentences",
            "max_paragraphs",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name!r} must be a whole number >= 1 (got {value!r})")
        for name in ("min_paragraph_words", "min_near_repeat_words", "min_sentence_words"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{name!r} must be a whole number >= 0 (got {value!r})")
        if (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, int)
            or not (0 <= self.seed < 2**32)
        ):
            raise ConfigError(f"'seed' must be a whole number in [0, 2**32) (got {self.seed!r})")
        for name in (
            "threshold",
            "repeat_threshold",
            "remove_threshold",
            "passage_threshold",
            "near_duplicate_threshold",
            "partial_threshold",
            "rewrite_threshold",
        ):
            _check_range(name, getattr(self, name), 0.0, 1.0)
        for bands, rows in (("passage_bands", "passage_rows"), ("sentence_bands", "sentence_rows")):
            b, r = getattr(self, bands), getattr(self, rows)
            if b * r > self.passage_num_perm:
                raise ConfigError(f"{bands!r} * {rows!r} must be <= 'passage_num_perm' "
                                  f"(got {b} * {r} > {self.passage_num_perm})")
        if self.sentence_band_hits > self.sentence_bands:
            raise ConfigError(
                "'sentence_band_hits' must be <= 'sentence_bands' (a sentence cannot collide "
                f"in more bands than there are: got {self.sentence_band_hits} > "
                f"{self.sentence_bands})"
            )

    def replace(self, **changes: Any) -> Config:
        """Return a copy with some fields changed, validated again.

        >>> Config().replace(num_perm=64).num_perm
        64
        """
        names = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ConfigError(
                f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            )
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict, for reports and stored indexes."""
        return dataclasses.asdict(self)
