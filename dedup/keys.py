"""Index keys of analyzed documents: what each is looked up and posted under.

The sign stage between analysis and the index. Of each document it computes the document
LSH band keys (MinHash of the word shingles: copies), the passage keys (anchors of verbatim
runs, and LSH bands of each sentence's MinHash: partial copies and rewrites), the exact-text
key, each sentence's exact key (counted, to tell boilerplate), and the payload the index
stores for verification.

Why a stage of its own: with a prefetch it runs in the analysis worker processes, a chunk
at a time (the batch signer wants many sets at once), so that the process that owns the
index only looks keys up and writes them (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dedup.config import Config
from dedup.document import Features
from dedup.index import band_keys, optimal_params
from dedup.minhash import MinHasher
from dedup.shingle import U64, sorted_unique
from dedup.store.codec import encode_features

__all__ = ["IndexKeys", "index_keys"]


@dataclass(frozen=True, slots=True)
class IndexKeys:
    """The keys of one document, by kind, and its stored payload.

    ``sentence_bands`` has one row per unit (sentence) of the features: that sentence's
    band keys, which are among ``passages``, as are the ``anchors``.
    """

    bands: U64
    passages: U64
    anchors: U64
    sentence_bands: U64
    exact: U64
    units: U64
    payload: bytes

    @property
    def by_kind(self) -> tuple[U64, U64, U64, U64]:
        """The distinct keys per store kind (DOC, PASSAGE, EXACT, UNIT)."""
        return self.bands, self.passages, self.exact, self.units


def index_keys(features: Sequence[Features], config: Config) -> list[IndexKeys]:
    """Return the index keys of each of ``features`` (signed all at once: faster in batches).

    >>> from dedup import Document, analyze
    >>> cfg = Config()
    >>> feat = analyze(Document("a", "The mayor opened the new bridge on Monday. "
    ...                               "Traffic was light all day, officials said."), cfg)
    >>> keys = index_keys([feat], cfg)[0]
    >>> keys.sentence_bands.shape == (len(feat.units), cfg.sentence_bands)
    True
    >>> bool(np.isin(keys.sentence_bands, keys.passages).all())
    True
    """
    if not features:
        return []
    bands, rows = optimal_params(config.threshold, config.num_perm)
    doc_keys = band_keys(MinHasher(config.num_perm, config.seed).signatures(
        [f.shingles for f in features]), bands, rows)
    stems = [u.stems for f in features for u in f.units]
    unit_bands = (band_keys(MinHasher(config.passage_num_perm, config.seed).signatures(stems),
                            config.sentence_bands, config.sentence_rows)
                  if stems else np.zeros((0, config.sentence_bands), dtype=np.uint64))
    out: list[IndexKeys] = []
    pos = 0
    for f, keys in zip(features, doc_keys, strict=True):
        sentence_bands = unit_bands[pos : pos + len(f.units)]
        pos += len(f.units)
        # A sentence's band keys are distinct already: each band salts its own.
        passages = sorted_unique(np.concatenate([f.anchors, sentence_bands.ravel()]))
        exact = (np.array([int.from_bytes(f.exact_key[:8], "little")], dtype=np.uint64)
                 if f.words else np.zeros(0, dtype=np.uint64))
        units = sorted_unique(np.array([u.key for u in f.units], dtype=np.uint64))
        out.append(IndexKeys(sorted_unique(keys), passages, f.anchors, sentence_bands, exact,
                             units, encode_features(f)))
    return out
