"""Where a detector keeps what it has seen: in memory, in one SQLite file, or on Redis.

Every backend holds the same things: a header saying how the index was made, one record per
document (id, source, publication date, lengths and the verification data of
:mod:`dedup.store.codec`), and posting lists from 64-bit keys to document numbers, of four
kinds: document LSH bands, passages (anchors: winnowed word n-grams, and sentence LSH
bands), exact-text keys and sentence keys (whose counts say which sentences are
boilerplate). The detector talks to a backend only
through :class:`Store`, so that a report does not depend on where the index lives.

>>> store, config = open_store(None, None)
>>> type(store).__name__, config.num_perm
('MemoryStore', 128)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from dedup import __version__
from dedup.config import Config
from dedup.errors import ConfigError, IndexMismatchError
from dedup.shingle import I64, U64

__all__ = [
    "DEFAULT_BATCH",
    "DOC",
    "EXACT",
    "FORMAT_VERSION",
    "KINDS",
    "NO_LIMIT",
    "PASSAGE",
    "UNIT",
    "Entry",
    "Filter",
    "Hits",
    "Record",
    "Store",
    "check_header",
    "gather",
    "key_filter",
    "locate",
    "make_header",
    "maybe_present",
    "open_store",
    "spans",
]

#: Version of the stored layout; raised whenever a reader of the old one would misread.
#: 2: verification data in Elias-Fano form (codec version 2), posting segments with raw low
#: byte planes, SQLite pages of 32 KB. 3: large SQLite segments in pages with a Bloom filter.
#: 4: passage postings are anchors (winnowed word n-grams) and 5 x 3 sentence bands.
#: 5: sentence stems carry a number bit, which the sentence bands hash; a sentence key hashes
#: its shape (numbers and names as "#").
FORMAT_VERSION = 5
#: Posting kinds: document bands, passages (anchors, sentence bands), exact-text keys,
#: sentence keys.
DOC, PASSAGE, EXACT, UNIT = 0, 1, 2, 3
#: Documents matched per round of lookups where the batch size does not change the cost.
DEFAULT_BATCH = 256
KINDS = (DOC, PASSAGE, EXACT, UNIT)
KIND_NAMES = ("doc_bands", "passages", "exact", "units")
# How the stored keys were computed: changing any of these changes every key.
_SCHEMES = {
    "hash_scheme": "affine32",
    "shingle_hash": "poly64-fmix64-top32",
    "band_hash": "splitmix64-bands-v1",
    "unit_key": "blake2b-64",
    "anchor_hash": "poly64-fmix64-winnow",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One analyzed document, ready to be written: its record and its posting keys.

    ``keys`` holds, per kind (:data:`DOC`, :data:`PASSAGE`, :data:`EXACT`, :data:`UNIT`), the
    distinct uint64 keys the document is posted under.
    """

    id: str
    source: str | None
    published: str | None
    published_ts: float | None
    words: int
    chars: int
    payload: bytes
    keys: tuple[U64, U64, U64, U64]


@dataclass(frozen=True, slots=True)
class Record:
    """A stored document: its number, metadata and verification data (see codec)."""

    num: int
    id: str
    source: str | None
    published: str | None
    published_ts: float | None
    added_ts: float
    words: int
    chars: int
    payload: bytes


#: A bucket limit that no bucket reaches (exact-text keys are followed however many).
NO_LIMIT = 1 << 62
Filter = tuple[int, np.ndarray[Any, Any]]  # shift, bitmap


_FILTER_STEP = 1 << 20  # keys turned into bits at a time


def key_filter(keys: U64) -> Filter:
    """Return a bitmap of which ranges of the key space hold one of the sorted ``keys``.

    Keys are uniform hashes, so with 4 to 8 ranges a key most ranges are empty: a key that is
    not among ``keys`` (most of an article's are not, in most runs of postings) is turned
    away by one bit, where a binary search of a large sorted run misses the CPU caches some
    15 times. 0.5 to 1 byte a key, kept in memory only; built a million keys at a time, so
    that building it never holds more than the bitmap and a few MB.
    """
    bits = min(40, len(keys).bit_length() + 2)
    shift = np.uint64(64 - bits)
    bitmap = np.zeros(max(1, (1 << bits) >> 3), dtype=np.uint8)
    for start in range(0, len(keys), _FILTER_STEP):
        ranges = keys[start : start + _FILTER_STEP] >> shift  # sorted, as the keys are
        ranges = ranges[np.flatnonzero(np.diff(ranges, prepend=ranges[:1] ^ 1))]
        byte = (ranges >> np.uint64(3)).astype(np.intp)
        first = np.flatnonzero(np.diff(byte, prepend=byte[:1] ^ 1))
        # Within a byte the bits are distinct, so their sum is their union.
        bitmap[byte[first]] |= np.add.reduceat(
            np.left_shift(1, ranges & np.uint64(7)).astype(np.uint8), first).astype(np.uint8)
    return int(shift), bitmap


def maybe_present(filter_: Filter, query: U64) -> np.ndarray[Any, Any]:
    """Return the positions of ``query`` that the filter does not rule out."""
    shift, bitmap = filter_
    where = (query >> np.uint64(shift)).astype(np.intp)
    return np.flatnonzero((bitmap[where >> 3] >> (where & 7).astype(np.uint8)) & 1)


def locate(run: U64, filter_: Filter | None, wanted: U64) -> tuple[I64, I64, I64]:
    """Return which of ``wanted`` are in the sorted ``run`` (positions) and where they lie.

    One binary search for each key the filter lets through; with sorted needles numpy's
    search reuses the previous bound. The end of a key's postings is looked for only where the
    key is present (most keys of an article are in no run).
    """
    where = np.arange(len(wanted)) if filter_ is None else maybe_present(filter_, wanted)
    lo = np.searchsorted(run, wanted[where], side="left")
    inside = lo < len(run)
    inside[inside] = run[lo[inside]] == wanted[where[inside]]
    where, lo = where[inside], lo[inside]
    return where, lo, np.searchsorted(run, wanted[where], side="right")


def spans(lo: I64, hi: I64) -> I64:
    """Return the positions ``lo[0]..hi[0]-1, lo[1]..hi[1]-1, ...`` as one array.

    >>> spans(np.array([2, 7]), np.array([4, 8])).tolist()
    [2, 3, 7]
    """
    lo, hi = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    count = hi - lo
    start = np.repeat(lo - (np.cumsum(count) - count), count)
    return start + np.arange(int(count.sum()), dtype=np.int64)


def gather(values: np.ndarray[Any, Any], rows: I64, lo: I64, hi: I64) -> tuple[I64, I64]:
    """Return (row, value) pairs: ``rows[i]`` with each of ``values[lo[i]:hi[i]]``.

    >>> [a.tolist() for a in gather(np.array([5, 6, 7]), np.array([0, 1]), np.array([0, 2]),
    ...                             np.array([2, 3]))]
    [[0, 0, 1], [5, 6, 7]]
    """
    return (np.repeat(rows, hi - lo).astype(np.int64, copy=False),
            values[spans(lo, hi)].astype(np.int64, copy=False))


def _no_postings() -> I64:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Hits:
    """The answer of :meth:`Store.lookup`, as arrays (an article looks up ~600 keys).

    ``sizes[i]`` is how many documents are posted under ``keys[i]`` (a stop bucket, over the
    limit, may say only ``limit + 1``). The documents of the buckets within the limit are
    listed as pairs: ``docs[j]`` is posted under ``keys[rows[j]]``, in no particular order.
    """

    keys: U64
    sizes: I64
    rows: I64 = field(default_factory=_no_postings)
    docs: I64 = field(default_factory=_no_postings)

    def to_dict(self) -> dict[int, list[int] | None]:
        """Return ``{key: sorted documents, or None for a stop bucket}`` for keys posted."""
        out: dict[int, list[int] | None] = {}
        listed = np.zeros(len(self.keys), dtype=bool)
        listed[self.rows] = True
        for i in np.flatnonzero(self.sizes).tolist():
            out[int(self.keys[i])] = [] if listed[i] else None
        for row, doc in zip(self.rows.tolist(), self.docs.tolist(), strict=True):
            members = out[int(self.keys[row])]
            assert members is not None
            members.append(doc)
        return {k: sorted(v) if v is not None else None for k, v in out.items()}


@runtime_checkable
class Store(Protocol):
    """What a backend does for the detector; every method that writes is atomic.

    Document numbers are assigned by the store, increase in the order documents are added,
    and are never reused.
    """

    location: str

    def batch_size(self) -> int:
        """Return how many documents the detector should match per round of lookups."""

    def header(self) -> dict[str, Any] | None:
        """Return the stored header, or ``None`` for an empty, new index."""

    def create(self, header: dict[str, Any]) -> None:
        """Write the header of a new index (a no-op if one is there; see check_header)."""

    def sync(self) -> None:
        """Catch up with what other processes wrote (a no-op for shared servers)."""

    def __len__(self) -> int:
        """Return the number of stored documents."""

    def stored(self, ids: Iterable[str]) -> set[str]:
        """Return which of ``ids`` are stored."""

    def lookup(self, kind: int, keys: U64, limit: int) -> Hits:
        """Return the postings of ``keys``: the documents of those posted at most ``limit``
        times, and the sizes of all (a larger bucket is a stop bucket: its documents are not
        listed). ``Hits.rows`` index ``keys`` as given; sorted keys search fastest.
        """

    def counts(self, kind: int, keys: U64, enough: I64 | None = None) -> dict[int, int]:
        """Return, for each of ``keys`` that has postings, how many documents it has.

        With ``enough`` (one number a key), a count is exact where it is at least that
        number; below it, it may be any number below it (an upper bound that spared reads):
        for callers that only compare counts with a threshold (boilerplate), as
        :class:`dedup.candidates.BatchLookups` does.
        """

    def records(self, nums: Sequence[int]) -> dict[int, Record]:
        """Return the records of those ``nums`` that are stored."""

    def find(self, ids: Iterable[str]) -> dict[str, Record]:
        """Return the records of those ``ids`` that are stored."""

    def add(self, entries: Sequence[Entry], added_ts: float) -> list[int]:
        """Store ``entries`` in one transaction and return their numbers.

        Raises:
            InputError: if an id is stored already; nothing is written then.
        """

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id in one transaction; return the ids that were stored."""

    def expired(self, before: float) -> list[str]:
        """Return the ids of documents published (else added) before ``before`` (epoch s)."""

    def stats(self) -> dict[str, Any]:
        """Return sizes: documents, postings per kind, bytes."""

    def check(self) -> list[str]:
        """Return integrity problems (an empty list when the index is sound)."""

    def compact(self) -> int:
        """Give back the space removed documents and merges left unused; return the bytes."""

    def close(self) -> None:
        """Release connections and files."""


def make_header(config: Config) -> dict[str, Any]:
    """Return the header that records how an index is made.

    >>> make_header(Config())["format_version"]
    5
    """
    return {"format": "dedup-index", "format_version": FORMAT_VERSION, **_SCHEMES,
            "dedup_version": __version__, "config": config.to_dict()}


def _show(value: object) -> str:
    return "(not set)" if value is _MISSING else json.dumps(value)


_MISSING = object()


def check_header(header: dict[str, Any], config: Config | None, location: str) -> Config:
    """Return the config an index was made with, after checking it against ``config``.

    Args:
        header: The stored header.
        config: The settings asked for, or ``None`` to take the stored ones.
        location: Where the index is, for messages.

    Raises:
        IndexMismatchError: naming every setting that differs, with both values, or saying
            that the header is not a dedup index's.

    >>> header = make_header(Config())
    >>> check_header(header, Config(num_perm=64), "feed.dedup")
    Traceback (most recent call last):
    ...
    dedup.errors.IndexMismatchError: index feed.dedup was built with other settings: \
num_perm: index 128, asked 64. Open it with the index's settings, or build a new index.
    """
    if header.get("format") != "dedup-index":
        raise IndexMismatchError(f"{location} is not a dedup index (no dedup header found)")
    if header.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index {location} has format version {header.get('format_version')!r}; this "
            f"dedup {__version__} reads version {FORMAT_VERSION}: use the dedup version that "
            "wrote it, or build the index again"
        )
    diffs = [f"{name}: index {_show(header.get(name, _MISSING))}, this dedup {_show(value)}"
             for name, value in _SCHEMES.items() if header.get(name, _MISSING) != value]
    stored = header.get("config")
    if not isinstance(stored, dict):
        raise IndexMismatchError(f"{location} is not a dedup index (its header has no config)")
    if config is not None:
        wanted = config.to_dict()
        for name in sorted(set(stored) | set(wanted)):
            have, want = stored.get(name, _MISSING), wanted.get(name, _MISSING)
            if have != want:
                diffs.append(f"{name}: index {_show(have)}, asked {_show(want)}")
    if diffs:
        raise IndexMismatchError(
            f"index {location} was built with other settings: {'; '.join(diffs)}. Open it "
            "with the index's settings, or build a new index."
        )
    if config is not None:
        return config
    try:
        return Config(**stored)
    except (TypeError, ConfigError) as exc:
        raise IndexMismatchError(
            f"index {location} has settings this dedup does not know ({exc}): use the dedup "
            "version that wrote it"
        ) from exc


def _is_redis(location: str) -> bool:
    return location.startswith(("redis://", "rediss://", "unix://"))


def open_store(index: str | os.PathLike[str] | Store | None,
               config: Config | None) -> tuple[Store, Config]:
    """Open (or create) the index named by ``index`` and return it with its settings.

    Args:
        index: ``None`` for a new in-memory index, a file path for an SQLite index, a
            ``redis://host:port/db`` URL (with optional ``?name=NAME``) for a Redis index, or
            a :class:`Store`.
        config: The settings to use; ``None`` takes a stored index's own (or the defaults).

    Raises:
        IndexMismatchError: if the index was made with other settings, or is not an index.
    """
    store: Store
    if index is None:
        from dedup.store.memory import MemoryStore

        store = MemoryStore()
    elif isinstance(index, str | os.PathLike):
        location = os.fspath(index)
        if _is_redis(location):
            from dedup.store.redis import RedisStore

            store = RedisStore(location)
        else:
            from dedup.store.sqlite import SQLiteStore

            store = SQLiteStore(Path(location))
    elif isinstance(index, Store):
        store = index
    else:
        raise TypeError(f"'index' must be None, a path, a redis:// URL or a Store "
                        f"(got {type(index).__name__})")
    try:
        header = store.header()
        if header is None:
            chosen = config or Config()
            store.create(make_header(chosen))
            header = store.header()
            if header is None:  # pragma: no cover - a backend that forgets its header
                raise IndexMismatchError(f"index {store.location} did not keep its header")
        return store, check_header(header, config, store.location)
    except BaseException:
        store.close()
        raise
