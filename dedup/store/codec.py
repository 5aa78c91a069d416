"""A stored document's verification data, and posting arrays, as compact bytes, and back.

Verification (:func:`dedup.match.compare`) reads of a stored document only its id, word
shingles, sentence units (lines, word counts, content stems, exact keys), exact-text key and
word count. Those are packed here, with numpy only (no zlib: it cost more time than it saved
bytes on hashes, which are random):

- sorted sets of hashes (the word shingles; the distinct content stems) in Elias-Fano form:
  ``n`` sorted values below ``2**32`` take ``32 - log2(n) + 2`` bits each, within two bits
  of the ``32 - log2(n)`` that any coding of a random set needs, plus up to 7 for low parts
  of whole bytes (read as bytes, not bit by bit);
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

from dedup.document import UNIT_ARRAYS, Features, Unit, UnitArrays
from dedup.errors import IndexMismatchError
from dedup.shingle import U32, U64, unique_inverse

__all__ = ["decode_features", "encode_features", "pack_ints", "pack_planes", "random_planes",
           "unit_keys", "unpack_ints", "unpack_planes"]

_VERSION = 2
# version, words, shingles, units, stem entries, distinct stems, truncated
_HEAD = struct.Struct("<BIIIIIB")
_EF_HEAD = struct.Struct("<BI")  # low bits, bytes of the high part


def _ef_pack(values: U32) -> bytes:
    """Return sorted uint32 ``values`` in Elias-Fano form, the low parts in whole bytes.

    The split between the unary high part and the low part is rounded to a whole byte (at
    most 7 bits a value more than the optimal split, ~0.5 byte a shingle of an article), so
    that the low parts are copied as bytes, not bit-packed: decoding a feed article's payload
    went from ~290 to ~196 us, and decoding was the largest part of a check worker's time at
    100,000 articles (docs/performance.md). :func:`_ef_unpack32` reads either split.
    """
    n = len(values)
    if n == 0:
        return _EF_HEAD.pack(0, 0)
    low_bytes = -(-(32 - n.bit_length()) // 8)
    high = (values.astype(np.uint64) >> np.uint64(8 * low_bytes)).astype(np.int64)
    unary = np.zeros(int(high[-1]) + n, dtype=np.uint8)
    unary[high + np.arange(n)] = 1
    high_bytes = np.packbits(unary, bitorder="little").tobytes()
    low = np.ascontiguousarray(values, dtype="<u4").view(np.uint8).reshape(n, 4)
    return _EF_HEAD.pack(8 * low_bytes, len(high_bytes)) + high_bytes + low[:, :low_bytes].tobytes()


def _ef_unpack32(data: memoryview, n: int) -> tuple[U32, int]:
    """Read ``n`` values below ``2**32`` in Elias-Fano form; return them and the bytes used.

    Low parts of whole bytes (what :func:`_ef_pack` writes) are read as bytes; others (as
    earlier versions wrote them) bit by bit.
    """
    low_bits, high_size = _EF_HEAD.unpack_from(data)
    pos = _EF_HEAD.size
    if n == 0:
        return np.zeros(0, dtype=np.uint32), pos
    unary = np.unpackbits(np.frombuffer(data[pos : pos + high_size], dtype=np.uint8),
                          bitorder="little")
    pos += high_size
    high = (np.nonzero(unary.view(np.bool_))[0][:n] - np.arange(n)).astype(np.uint32)
    low_size = (n * low_bits + 7) // 8
    values: U32 = high << np.uint32(low_bits) if low_bits < 32 else np.zeros(n, np.uint32)
    if low_bits:
        padded = np.zeros((n, 4), dtype=np.uint8)
        if low_bits % 8 == 0:
            padded[:, : low_bits // 8] = np.frombuffer(data[pos : pos + low_size],
                                                       dtype=np.uint8).reshape(n, -1)
        else:
            bits = np.zeros((n, 32), dtype=np.uint8)
            bits[:, :low_bits] = np.unpackbits(
                np.frombuffer(data[pos : pos + low_size], dtype=np.uint8), count=n * low_bits,
                bitorder="little").reshape(n, low_bits)
            padded = np.packbits(bits, axis=1, bitorder="little")
        values |= padded.view("<u4").reshape(n)
    return values, pos + low_size


def _small(values: np.ndarray[Any, Any]) -> bytes:
    """Return non-negative ints in the fewest whole bytes (1, 2, 4 or 8) that hold them all."""
    top = int(values.max()) if values.size else 0
    width = 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4 if top < 1 << 32 else 8
    return bytes([width]) + values.astype(f"<u{width}").tobytes()


def _unsmall(data: memoryview, n: int) -> tuple[np.ndarray[Any, Any], int]:
    width = data[0]
    end = 1 + n * width
    return np.frombuffer(data[1:end], dtype=f"<u{width}"), end


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
        planes[raw:] = np.frombuffer(zlib.decompress(data[cut:]), dtype=np.uint8).reshape(
            width - raw, count)
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
    """Return the verification data of ``features`` as compact bytes.

    >>> from dedup import Config, Document, analyze
    >>> feat = analyze(Document("a", "The mayor opened the bridge on Monday morning."), Config())
    >>> again = decode_features(encode_features(feat), "a")
    >>> again.shingles.tolist() == feat.shingles.tolist(), len(again.units) == len(feat.units)
    (True, True)
    """
    units = features.units
    shingles = np.sort(np.asarray(features.shingles, dtype=np.uint32))
    if units:
        stems = np.concatenate([u.stems for u in units]).astype(np.uint32, copy=False)
        distinct, where = unique_inverse(stems)
        table = np.array([(u.line, u.end_line - u.line, u.words, len(u.stems), u.key)
                          for u in units], dtype=np.uint64)
        table[1:, 0] -= table[:-1, 0].copy()  # lines as steps from the previous sentence
    else:
        stems = distinct = where = np.zeros(0, dtype=np.uint32)
        table = np.zeros((0, 5), dtype=np.uint64)
    head = _HEAD.pack(_VERSION, features.words, shingles.size, len(units), stems.size,
                      distinct.size, int(features.truncated))
    return b"".join([
        head,
        features.exact_key.ljust(16, b"\0")[:16],
        _ef_pack(shingles),
        _ef_pack(distinct),
        _small(where),
        *(_small(table[:, column]) for column in range(4)),
        table[:, 4].astype("<u8").tobytes(),
    ])


def _check_version(data: bytes, doc_id: str) -> None:
    version = data[0] if data else None
    if version != _VERSION:
        raise IndexMismatchError(
            f"stored document {doc_id!r} has payload format {version}, this dedup reads "
            f"{_VERSION}: open the index with the dedup version that wrote it"
        )


def unit_keys(data: bytes, doc_id: str) -> U64:
    """Return the sentence keys of :func:`encode_features` bytes without decoding the rest.

    They are the last ``8 * units`` bytes: the detector counts how many documents hold each
    sentence of a candidate (to tell boilerplate) before anything is decoded.

    Raises:
        IndexMismatchError: as :func:`decode_features`.
    """
    _check_version(data, doc_id)
    units = _HEAD.unpack_from(data)[3]
    return np.frombuffer(data, dtype="<u8", count=units, offset=len(data) - 8 * units).astype(
        np.uint64)


def decode_features(data: bytes, doc_id: str, source: str | None = None,
                    published: str | None = None) -> Features:
    """Rebuild the :class:`Features` that verification needs from :func:`encode_features` bytes.

    The text, repairs and repeats are not stored (they were reported when the document was
    added): the rebuilt features have an empty text and no repeats.

    Raises:
        IndexMismatchError: if the bytes were written by another format version.
    """
    _check_version(data, doc_id)
    _, n_words, n_shingles, n_units, n_stems, n_distinct, truncated = _HEAD.unpack_from(data)
    body = memoryview(data)[_HEAD.size :]
    exact_key = bytes(body[:16])
    pos = 16
    shingles, used = _ef_unpack32(body[pos:], n_shingles)
    pos += used
    distinct, used = _ef_unpack32(body[pos:], n_distinct)
    pos += used
    where, used = _unsmall(body[pos:], n_stems)
    pos += used
    stems = distinct[where]
    columns = []
    for _ in range(4):
        values, used = _unsmall(body[pos:], n_units)
        pos += used
        columns.append(values.astype(np.int64))
    keys = np.frombuffer(body[pos : pos + 8 * n_units], dtype="<u8").astype(np.uint64)
    line_deltas, spans, words, counts = columns
    lines = np.cumsum(line_deltas)
    arrays = UnitArrays(stems, counts, keys, words, lines, lines + spans)
    units = _StoredUnits(arrays)
    return Features(
        id=doc_id, source=source, published=published, encoding=None, text="", repairs=0,
        repeats=[], removed_lines=frozenset(), shingles=shingles, exact_key=exact_key,
        units=units, words=n_words, truncated=bool(truncated), extra={UNIT_ARRAYS: arrays},
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
