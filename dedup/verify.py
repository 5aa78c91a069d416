"""Verification of one new article against its candidates, from their stored bytes.

The detector plans each check where the index is: which candidates, and which sentences are
boilerplate. The check itself (decoding the candidates, then one call of
:func:`dedup.match.compare_many`, the core's verification of all of them) needs nothing
else, so it runs in this process or in a worker process, wherever a core is free
(:func:`dedup.parallel.start_checks`). A check carries documents as the codec's bytes (~5 KB
each), which pickle at the cost of a copy; Features objects cost more to pickle than
comparing them does.
"""

from __future__ import annotations

from dataclasses import dataclass

from dedup.config import Config
from dedup.document import Features
from dedup.match import Match, compare_many
from dedup.shingle import U64
from dedup.store.codec import decode_features

__all__ = ["Check", "Packed", "run_check"]

#: A document as a check sees it: id, source, published, and its codec bytes.
Packed = tuple[str, str | None, str | None, bytes]

_DECODED = 4096  # decoded documents kept: a story's copies are candidates again and again
_decoded: dict[Packed, Features] = {}


@dataclass(frozen=True, slots=True)
class Check:
    """The verification of ``new`` against ``others`` (candidates, in the order added).

    ``stop`` holds the keys of the sentences seen in ``boilerplate_df`` documents or more
    (footers, bylines): they are no evidence of a rewrite.
    """

    new: Packed
    others: tuple[Packed, ...]
    stop: U64


def _features(doc: Packed) -> Features:
    """Decode ``doc``, or take it from the documents decoded lately."""
    feat = _decoded.get(doc)
    if feat is None:
        feat = decode_features(doc[3], doc[0], doc[1], doc[2])
        if len(_decoded) >= _DECODED:
            _decoded.pop(next(iter(_decoded)))
        _decoded[doc] = feat
    return feat


def run_check(check: Check, config: Config) -> list[tuple[int, Match]]:
    """Return the matches of ``check``, each with the position of its candidate in ``others``.

    >>> import numpy as np
    >>> from dedup import Document, analyze
    >>> from dedup.store.codec import encode_features
    >>> text = "Officials said the bridge would reopen in May after repairs to its deck."
    >>> a, b = (analyze(Document(i, text), Config()) for i in "ab")
    >>> pack = lambda f: (f.id, None, None, encode_features(f))
    >>> [(i, m.kind) for i, m in run_check(Check(pack(b), (pack(a),), np.zeros(0, np.uint64)),
    ...                                    Config())]
    [(0, 'exact')]
    """
    new = _features(check.new)
    others = [_features(other) for other in check.others]
    matches = compare_many(new, others, config, check.stop)
    return [(position, match) for position, match in enumerate(matches) if match is not None]
