"""A stored document's verification data as compact bytes, and back.

Verification (:func:`dedup.match.compare`) reads of a stored document only its id, word
shingles, sentence units (lines, word counts, content stems, exact keys), exact-text key and
word count. Those are packed here: integer arrays are delta-coded where sorted, split into
byte planes (all lowest bytes, then the next ...) so that the near-empty high planes of small
numbers compress to almost nothing, and the whole is compressed with zlib. Random 32-bit hashes
cannot be compressed much: a sorted set of ``n`` of them still needs about
``32 - log2(n)`` bits each, which is what the byte planes get close to.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

import numpy as np

from dedup.document import Features, Unit
from dedup.errors import IndexMismatchError
from dedup.shingle import U32, U64

__all__ = ["decode_features", "encode_features", "pack_ints", "unpack_ints"]

_VERSION = 1
# version, words, shingles, units, stems, truncated
_HEAD = struct.Struct("<BIIIIB")
_LEVEL = 1  # level 6 saves 1% of the bytes of random hashes at twice the time


def _planes(values: np.ndarray[Any, Any]) -> bytes:
    """Return the little-endian bytes of ``values`` grouped by byte position."""
    width = values.dtype.itemsize
    raw = np.ascontiguousarray(values.astype(values.dtype.newbyteorder("<")))
    return raw.view(np.uint8).reshape(-1, width).T.tobytes()


def _unplanes(data: memoryview, count: int, dtype: type[np.unsignedinteger[Any]]) -> tuple[
        np.ndarray[Any, Any], int]:
    """Read ``count`` values written by :func:`_planes`; return them and the bytes used."""
    width = np.dtype(dtype).itemsize
    size = count * width
    planes = np.frombuffer(data[:size], dtype=np.uint8).reshape(width, count)
    values = np.ascontiguousarray(planes.T).view(np.dtype(dtype).newbyteorder("<"))
    return values.reshape(count).astype(dtype), size


def _delta(sorted_values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out = sorted_values.copy()
    if out.size > 1:
        out[1:] = np.diff(sorted_values)
    return out


def pack_ints(values: U64) -> bytes:
    """Pack sorted uint64 values (posting keys, document numbers) into compressed bytes.

    >>> keys = np.array([3, 10, 2**63], dtype=np.uint64)
    >>> unpack_ints(pack_ints(keys)).tolist() == keys.tolist()
    True
    """
    return zlib.compress(_planes(_delta(np.asarray(values, dtype=np.uint64))), 1)


def unpack_ints(data: bytes) -> U64:
    """Unpack what :func:`pack_ints` packed."""
    raw = memoryview(zlib.decompress(data))
    values, _ = _unplanes(raw, len(raw) // 8, np.uint64)
    result: U64 = np.cumsum(values, dtype=np.uint64)
    return result


def encode_features(features: Features) -> bytes:
    """Return the verification data of ``features`` as compressed bytes.

    >>> from dedup import Config, Document, analyze
    >>> feat = analyze(Document("a", "The mayor opened the bridge on Monday morning."), Config())
    >>> again = decode_features(encode_features(feat), "a")
    >>> again.shingles.tolist() == feat.shingles.tolist(), len(again.units) == len(feat.units)
    (True, True)
    """
    units = features.units
    shingles = np.asarray(features.shingles, dtype=np.uint32)
    lines = np.array([u.line for u in units], dtype=np.uint32)
    spans = np.array([u.end_line - u.line for u in units], dtype=np.uint32)
    words = np.array([u.words for u in units], dtype=np.uint32)
    keys = np.array([u.key for u in units], dtype=np.uint64)
    counts = np.array([len(u.stems) for u in units], dtype=np.uint32)
    stems = (np.concatenate([np.asarray(u.stems, dtype=np.uint32) for u in units])
             if units else np.zeros(0, dtype=np.uint32))
    head = _HEAD.pack(_VERSION, features.words, shingles.size, len(units), stems.size,
                      int(features.truncated))
    body = b"".join([
        features.exact_key.ljust(16, b"\0")[:16],
        _planes(_delta(np.sort(shingles))),
        _planes(_delta(lines)),
        _planes(spans),
        _planes(words),
        _planes(counts),
        _planes(keys),
        _planes(stems),
    ])
    return head + zlib.compress(body, _LEVEL)


def decode_features(data: bytes, doc_id: str, source: str | None = None,
                    published: str | None = None) -> Features:
    """Rebuild the :class:`Features` that verification needs from :func:`encode_features` bytes.

    The text, repairs and repeats are not stored (they were reported when the document was
    added): the rebuilt features have an empty text and no repeats.

    Raises:
        IndexMismatchError: if the bytes were written by another format version.
    """
    version, n_words, n_shingles, n_units, n_stems, truncated = _HEAD.unpack_from(data)
    if version != _VERSION:
        raise IndexMismatchError(
            f"stored document {doc_id!r} has payload format {version}, this dedup reads "
            f"{_VERSION}: open the index with the dedup version that wrote it"
        )
    body = memoryview(zlib.decompress(data[_HEAD.size:]))
    exact_key = bytes(body[:16])
    pos = 16
    shingle_deltas, used = _unplanes(body[pos:], n_shingles, np.uint32)
    pos += used
    shingles: U32 = np.cumsum(shingle_deltas, dtype=np.uint32)
    line_deltas, used = _unplanes(body[pos:], n_units, np.uint32)
    pos += used
    lines = np.cumsum(line_deltas, dtype=np.uint32)
    spans, used = _unplanes(body[pos:], n_units, np.uint32)
    pos += used
    words, used = _unplanes(body[pos:], n_units, np.uint32)
    pos += used
    counts, used = _unplanes(body[pos:], n_units, np.uint32)
    pos += used
    keys, used = _unplanes(body[pos:], n_units, np.uint64)
    pos += used
    stems, used = _unplanes(body[pos:], n_stems, np.uint32)
    ends = np.cumsum(counts)
    starts = ends - counts
    units = [
        Unit(int(line), int(line) + int(span), int(w), stems[s:e], int(k))
        for line, span, w, k, s, e in zip(lines.tolist(), spans.tolist(), words.tolist(),
                                          keys.tolist(), starts.tolist(), ends.tolist(),
                                          strict=True)
    ]
    return Features(
        id=doc_id, source=source, published=published, encoding=None, text="", repairs=0,
        repeats=[], removed_lines=frozenset(), shingles=shingles, exact_key=exact_key,
        units=units, words=n_words, truncated=bool(truncated),
    )
