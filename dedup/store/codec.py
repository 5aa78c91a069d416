"""A stored document's verification data, and posting arrays, as compact bytes, and back.

Verification (:func:`dedup.match.compare`) reads of a stored document only its id, word
shingles, sentence units (lines, word counts, content stems, exact keys), exact-text key and
word count. Those are packed by the Rust core (rust/src/codec.rs; no zlib: it cost more time
than it saved bytes on hashes, which are random), which reads them back checking every count
against the bytes there are, so that a damaged or hostile payload is an error naming the
document, never a crash or a huge allocation:

- sorted sets of hashes (the word shingles; the distinct content stems) in Elias-Fano form:
  ``n`` sorted values below ``2**32`` take ``32 - log2(n) + 2`` bits each, within two bits
  of the ``32 - log2(n)`` that any coding of a random set needs, plus up to 7 for low parts
  of whole bytes (read as bytes, not bit by bit: decoding a feed article's payload went from
  ~290 to ~196 us in numpy);
- each sentence's stems as positions in that distinct-stem list (one byte each for up to 256
  distinct stems), since sentences share stems;
- small numbers (lines, word counts) in the fewest whole bytes that hold the largest;
- the 64-bit sentence keys and the 16-byte exact key as they are: random bits.

Posting arrays of the SQLite index (:func:`pack_ints`) are sorted keys, delta-coded: the low
byte planes of the deltas are random and stored raw, only the high, mostly-zero planes go
through zlib.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

from dedup import _core
from dedup.document import UNIT_ARRAYS, Features, Unit, UnitArrays
from dedup.errors import IndexMismatchError
from dedup.shingle import U64

__all__ = ["decode_features", "encode_features", "pack_ints", "pack_planes", "random_planes",
           "unit_keys", "unpack_ints", "unpack_planes"]

_VERSION = 2
_REBUILD = ("build the index again (`dedup scan --index FILE` over the articles), or open it "
            "with the dedup version that wrote it")


def pack_planes(values: np.ndarray[Any, Any], raw: int) -> bytes:
    """Return unsigned ``values`` as byte planes: the lowest ``raw`` stored as they are, the
    rest (mostly zero, for small numbers) compressed with zlib.

    >>> nums = np.array([7, 300, 2], dtype=np.uint32)
    >>> unpack_planes(pack_planes(nums, 1), 3, np.uint32).tolist()
    [7, 300, 2]
    """
    width = values.dtype.itemsize
    raw = min(raw, width)
    planes = np.ascontiguousarray(values.astype(values.dtype.newbyteorder("<"))).view(
        np.uint8).reshape(-1, width).T
    cut = raw * len(values)
    flat = planes.tobytes()
    return bytes([raw]) + flat[:cut] + zlib.compress(flat[cut:], 1)


def unpack_planes(data: bytes | memoryview, count: int,
                  dtype: type[np.unsignedinteger[Any]]) -> np.ndarray[Any, Any]:
    """Read ``count`` values written by :func:`pack_planes`."""
    width = np.dtype(dtype).itemsize
    raw = data[0]
    cut = 1 + raw * count
    planes = np.empty((width, count), dtype=np.uint8)
    planes[:raw] = np.frombuffer(data, dtype=np.uint8, count=raw * count, offset=1).reshape(
        raw, count)
    if raw < width:
        want = (width - raw) * count
        inflate = zlib.decompressobj()
        high = inflate.decompress(data[cut:], want)  # never more than the planes hold
        if len(high) != want or inflate.unconsumed_tail:
            raise ValueError(f"packed planes hold {len(high)}+ bytes of high planes, "
                             f"{want} expected")
        planes[raw:] = np.frombuffer(high, dtype=np.uint8).reshape(width - raw, count)
    return np.ascontiguousarray(planes.T).view(np.dtype(dtype).newbyteorder("<")).reshape(
        count).astype(dtype, copy=False)


def random_planes(span: float, count: int) -> int:
    """Return how many low byte planes of ``count`` values spread over ``span`` are random.

    Those are not worth compressing: of values about ``span / count`` apart, the bytes below
    ``log2(span / count)`` bits are all but uniformly distributed (zlib saved under 3 % of
    the next plane, at the cost of running over it).

    >>> random_planes(2.0**64, 65536)
    6
    """
    if count == 0 or span < count:
        return 0
    return int(np.log2(span / count)) // 8


def pack_ints(values: U64) -> bytes:
    """Pack sorted uint64 values (posting keys) into compact bytes.

    The distinct values, delta-coded (see :func:`random_planes`), then how often each occurs:
    a key posted for several documents would otherwise add zero deltas that cost their full
    width in the raw planes.

    >>> keys = np.array([3, 10, 10, 2**63], dtype=np.uint64)
    >>> unpack_ints(pack_ints(keys)).tolist() == keys.tolist()
    True
    """
    keys = np.asarray(values, dtype=np.uint64)
    if keys.size:
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        distinct = keys[starts]
        runs = np.diff(np.append(starts, keys.size)).astype(np.uint32)
    else:
        distinct, runs = keys, np.zeros(0, dtype=np.uint32)
    deltas = distinct.copy()
    if distinct.size > 1:
        deltas[1:] = np.diff(distinct)
    span = float(distinct[-1] - distinct[0]) if distinct.size else 0.0
    repeats = pack_planes(runs - np.uint32(1), 0)  # mostly zeros: zlib takes them
    return (struct.pack("<III", keys.size, distinct.size, len(repeats)) + repeats
            + pack_planes(deltas, random_planes(span, distinct.size)))


def unpack_ints(data: bytes) -> U64:
    """Unpack what :func:`pack_ints` packed."""
    count, n_distinct, runs_size = struct.unpack_from("<III", data)
    view = memoryview(data)[12:]
    runs = unpack_planes(view[:runs_size], n_distinct, np.uint32)
    deltas = unpack_planes(view[runs_size:], n_distinct, np.uint64)
    distinct = np.cumsum(deltas, dtype=np.uint64)
    if count == n_distinct:
        return distinct
    result: U64 = np.repeat(distinct, runs.astype(np.int64) + 1)
    return result


def encode_features(features: Features) -> bytes:
    """Return the verification data of ``features`` as compact bytes (the Rust core,
    rust/src/codec.rs, writes them).

    >>> from dedup import Config, Document, analyze
    >>> feat = analyze(Document("a", "The mayor opened the bridge on Monday morning."), Config())
    >>> again = decode_features(encode_features(feat), "a")
    >>> again.shingles.tolist() == feat.shingles.tolist(), len(again.units) == len(feat.units)
    (True, True)
    """
    units = features.units
    empty = np.zeros(0, dtype=np.uint32)
    stems = (np.concatenate([u.stems for u in units]).astype(np.uint32, copy=False) if units
             else empty)
    columns = (np.array(column, dtype=np.uint64).reshape(-1) for column in (
        [len(u.stems) for u in units], [u.key for u in units], [u.line for u in units],
        [u.end_line for u in units], [u.words for u in units]))
    return _core.encode_payload(
        features.words, features.truncated, features.exact_key,
        np.ascontiguousarray(features.shingles, dtype=np.uint32), np.ascontiguousarray(stems),
        *columns)


def _check_version(data: bytes, doc_id: str) -> None:
    version = data[0] if data else None
    if version != _VERSION:
        raise IndexMismatchError(
            f"stored document {doc_id!r} has payload format {version}, this dedup reads "
            f"{_VERSION}: {_REBUILD}"
        )


def _damaged(exc: ValueError, doc_id: str) -> IndexMismatchError:
    reason = str(exc).split(": ", 1)[-1]
    return IndexMismatchError(f"stored document {doc_id!r} is damaged ({reason}): {_REBUILD}")


def unit_keys(data: bytes, doc_id: str) -> U64:
    """Return the sentence keys of :func:`encode_features` bytes without decoding the rest.

    They are the last ``8 * units`` bytes: the detector counts how many documents hold each
    sentence of a candidate (to tell boilerplate) before anything is decoded.

    Raises:
        IndexMismatchError: as :func:`decode_features`.
    """
    _check_version(data, doc_id)
    try:
        keys: U64 = _core.payload_unit_keys([bytes(data)])[0]
    except ValueError as exc:
        raise _damaged(exc, doc_id) from None
    return keys


def decode_features(data: bytes, doc_id: str, source: str | None = None,
                    published: str | None = None) -> Features:
    """Rebuild the :class:`Features` that verification needs from :func:`encode_features` bytes.

    The text, repairs and repeats are not stored (they were reported when the document was
    added): the rebuilt features have an empty text and no repeats. The bytes are read by
    the Rust core (rust/src/codec.rs), which checks every count against the bytes there are.

    Raises:
        IndexMismatchError: if the bytes were written by another format version, or are
            damaged (truncated, or a count or field the format never writes), naming the
            document, the fault and how to rebuild.
    """
    _check_version(data, doc_id)
    try:
        decoded = _core.decode_payloads([bytes(data)])[0]
    except ValueError as exc:
        raise _damaged(exc, doc_id) from None
    n_words, truncated, exact_key, shingles, stems, counts, keys, lines, spans, words = decoded
    arrays = UnitArrays(stems, counts, keys, words, lines, lines + spans)
    units = _StoredUnits(arrays)
    return Features(
        id=doc_id, source=source, published=published, encoding=None, text="", repairs=0,
        repeats=[], removed_lines=frozenset(), shingles=shingles, exact_key=exact_key,
        units=units, words=n_words, truncated=truncated, extra={UNIT_ARRAYS: arrays},
    )


class _StoredUnits(Sequence[Unit]):
    """A decoded document's sentences, made into :class:`Unit` objects on first use.

    Verification reads only the :class:`UnitArrays`; the units, ~35 objects a document,
    are made for the callers that read sentences one by one (explanations).
    """

    __slots__ = ("_arrays", "_made")

    def __init__(self, arrays: UnitArrays) -> None:
        self._arrays = arrays
        self._made: list[Unit] | None = None

    def _units(self) -> list[Unit]:
        if self._made is None:
            stems, sizes, keys, words, lines, end_lines = self._arrays
            ends = np.cumsum(sizes).tolist()
            self._made = [
                Unit(line, end_line, count, stems[end - size : end], key)
                for line, end_line, count, size, end, key in zip(
                    lines.tolist(), end_lines.tolist(), words.tolist(),
                    sizes.tolist(), ends, keys.tolist(), strict=True)
            ]
        return self._made

    def __len__(self) -> int:
        return len(self._arrays.keys)

    @overload
    def __getitem__(self, index: int) -> Unit: ...

    @overload
    def __getitem__(self, index: slice) -> list[Unit]: ...

    def __getitem__(self, index: int | slice) -> Unit | list[Unit]:
        return self._units()[index]

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._units())
