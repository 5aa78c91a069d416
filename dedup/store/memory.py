"""The in-memory index: sorted numpy posting arrays, gone when the process ends.

A feed posts some 600 keys an article (16 per sentence), so the postings must be compact and
cheap to add: each kind keeps a few sorted runs of keys with the document numbers beside
them (12 bytes a posting, against ~70 for a dict of Python lists), written a batch at a time
and looked up by binary search for all of an article's keys at once. Removed documents are
left out of every answer at once and dropped from the arrays when there are many.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.errors import InputError
from dedup.shingle import I64, U64
from dedup.store import (
    DEFAULT_BATCH,
    DOC,
    KIND_NAMES,
    KINDS,
    NO_LIMIT,
    Entry,
    Hits,
    Record,
    gather,
    key_filter,
    locate,
)

__all__ = ["MemoryStore"]

I32 = npt.NDArray[np.int32]

_FILTERED = 1 << 16  # runs of this many postings or more carry a key filter
_LARGEST = 1 << 24  # postings (192 MB) beyond which runs are not merged


class _Run:
    """One sorted run of postings: keys, the document numbers beside them, a key filter."""

    __slots__ = ("docs", "filter", "keys")

    def __init__(self, keys: U64, docs: I32, ordered: bool = False) -> None:
        if not ordered:
            # Numbers grow with time, so (key, number) order lists a key's documents in order.
            order = np.lexsort((docs, keys))
            keys, docs = keys[order], docs[order]
        self.keys, self.docs = keys, docs
        self.filter = key_filter(keys) if len(keys) >= _FILTERED else None

    @classmethod
    def merged(cls, old: _Run, new: _Run) -> _Run:
        """Return one run of the postings of both, ``new`` written after ``old``.

        The documents of ``new`` came later (larger numbers), so each of its postings goes
        after the postings of ``old`` with the same key: one binary search per new posting
        places it, where sorting both again cost ~5 times more.
        """
        if len(old.docs) and len(new.docs) and old.docs.max() >= new.docs.min():
            return cls(np.concatenate([old.keys, new.keys]), np.concatenate([old.docs, new.docs]))
        at = np.searchsorted(old.keys, new.keys, side="right") + np.arange(len(new.keys))
        from_new = np.zeros(len(old.keys) + len(new.keys), dtype=bool)
        from_new[at] = True
        keys = np.empty(len(from_new), dtype=np.uint64)
        docs = np.empty(len(from_new), dtype=np.int32)
        keys[at], docs[at] = new.keys, new.docs
        keys[~from_new], docs[~from_new] = old.keys, old.docs
        return cls(keys, docs, ordered=True)

    def find(self, wanted: U64) -> tuple[I64, I64, I64]:
        """Return which of ``wanted`` are here (positions) and where their postings lie."""
        return locate(self.keys, self.filter, wanted)


class _Postings:
    """The postings of one kind: a few sorted runs of (key, document number) arrays.

    Each call to :meth:`add` writes one sorted run; a run is merged with the one before it
    while that one is not more than twice its size (so there are ~log2(n) runs and each
    posting is merged ~log2(n) times), unless the two together would pass ``_LARGEST``
    postings: a merge holds both runs and the result at once, so merging without end would
    double the peak memory of a large index. Lookups search every run for all keys at once.
    """

    def __init__(self) -> None:
        self.runs: list[_Run] = []

    def add(self, keys: U64, docs: I32) -> None:
        self.runs.append(_Run(keys, docs))
        while (len(self.runs) > 1
               and len(self.runs[-2].keys) <= 2 * len(self.runs[-1].keys)
               and len(self.runs[-2].keys) + len(self.runs[-1].keys) <= _LARGEST):
            new, old = self.runs.pop(), self.runs.pop()
            self.runs.append(_Run.merged(old, new))

    def purge(self, removed: set[int]) -> None:
        """Drop the postings of removed documents."""
        gone = np.fromiter(removed, dtype=np.int32, count=len(removed))
        self.runs = [_Run(run.keys[kept], run.docs[kept]) for run in self.runs
                     if (kept := ~np.isin(run.docs, gone)).any()]

    def lookup(self, keys: U64, limit: int, removed: set[int]) -> Hits:
        """Return the postings of ``keys`` (see :class:`Hits`), as arrays throughout.

        A stop bucket costs its count only, unless documents were removed since the last
        purge: then every bucket is read, to leave the removed ones out of the sizes.
        """
        wanted = np.asarray(keys, dtype=np.uint64)
        sizes = np.zeros(len(wanted), dtype=np.int64)
        found: list[tuple[I32, I64, I64, I64]] = []
        for run in self.runs:
            hit, lo, hi = run.find(wanted)
            if hit.size:
                sizes[hit] += hi - lo
                found.append((run.docs, hit, lo, hi))
        if removed:
            sizes[:] = 0
        else:
            found = [(d, hit[keep], lo[keep], hi[keep]) for d, hit, lo, hi in found
                     if (keep := sizes[hit] <= limit).any()]
        if not found:
            return Hits(wanted, sizes)
        pairs = [gather(d, hit, lo, hi) for d, hit, lo, hi in found]
        rows = np.concatenate([r for r, _ in pairs])
        docs = np.concatenate([d for _, d in pairs])
        if removed:
            kept = ~np.isin(docs, np.fromiter(removed, dtype=np.int64, count=len(removed)))
            rows, docs = rows[kept], docs[kept]
            sizes = np.bincount(rows, minlength=len(wanted)).astype(np.int64)
            listed = sizes[rows] <= limit
            rows, docs = rows[listed], docs[listed]
        return Hits(wanted, sizes, rows, docs)

    def counts(self, keys: U64, removed: set[int]) -> dict[int, int]:
        """Return how many documents each of ``keys`` has (those with any)."""
        if removed:
            hits = self.lookup(keys, NO_LIMIT, removed)
            hit = np.flatnonzero(hits.sizes)
            return dict(zip(hits.keys[hit].tolist(), hits.sizes[hit].tolist(), strict=True))
        wanted = np.asarray(keys, dtype=np.uint64)
        sizes = np.zeros(len(wanted), dtype=np.int64)
        for run in self.runs:
            hit, lo, hi = run.find(wanted)
            sizes[hit] += hi - lo
        hit = np.flatnonzero(sizes)
        return dict(zip(wanted[hit].tolist(), sizes[hit].tolist(), strict=True))

    def total(self, removed: set[int]) -> int:
        """Return the number of postings of stored documents."""
        gone = list(removed)
        return sum(len(run.docs) - (int(np.isin(run.docs, gone).sum()) if gone else 0)
                   for run in self.runs)

    def documents(self) -> set[int]:
        """Return every document number with a posting."""
        return {n for run in self.runs for n in run.docs.tolist()}


class MemoryStore:
    """An index that lives as long as the process: the default of a :class:`Detector`.

    >>> store = MemoryStore()
    >>> keys = tuple(np.array([k], dtype=np.uint64) for k in (1, 2, 3, 4))
    >>> store.add([Entry("a", None, None, None, 3, 10, b"", keys)], added_ts=0.0)
    [0]
    >>> store.lookup(0, np.array([1, 9], dtype=np.uint64), limit=10).to_dict()
    {1: [0]}
    """

    def __init__(self) -> None:
        self.location = "memory"
        self._header: dict[str, Any] | None = None
        self._records: dict[int, Record] = {}
        self._ids: dict[str, int] = {}
        self._postings = [_Postings() for _ in KINDS]
        self._removed: set[int] = set()
        self._next = 0

    def header(self) -> dict[str, Any] | None:
        """Return the header, or ``None`` before :meth:`create`."""
        return self._header

    def create(self, header: dict[str, Any]) -> None:
        """Set the header if none is set."""
        if self._header is None:
            self._header = dict(header)

    def sync(self) -> None:
        """Nothing to catch up with: only this process writes here."""

    def __len__(self) -> int:
        return len(self._records)

    def batch_size(self) -> int:
        """Return DEFAULT_BATCH: a lookup here costs the same in any batch size."""
        return DEFAULT_BATCH

    def stored(self, ids: Iterable[str]) -> set[str]:
        """Return which of ``ids`` are stored."""
        return {i for i in ids if i in self._ids}

    def lookup(self, kind: int, keys: U64, limit: int) -> Hits:
        """Return the postings of ``keys`` (see :class:`Hits`)."""
        return self._postings[kind].lookup(keys, limit, self._removed)

    def counts(self, kind: int, keys: U64, enough: I64 | None = None) -> dict[int, int]:
        """Return the lengths of the posting lists of ``keys`` (all exact: ``enough`` spares
        no work here)."""
        return self._postings[kind].counts(keys, self._removed)

    def records(self, nums: Sequence[int]) -> dict[int, Record]:
        """Return the stored records among ``nums``."""
        return {n: self._records[n] for n in nums if n in self._records}

    def find(self, ids: Iterable[str]) -> dict[str, Record]:
        """Return the stored records among ``ids``."""
        return {i: self._records[self._ids[i]] for i in ids if i in self._ids}

    def add(self, entries: Sequence[Entry], added_ts: float) -> list[int]:
        """Store ``entries`` and return their numbers (all or none).

        Raises:
            InputError: if an id is stored already or repeated in ``entries``.
        """
        seen: set[str] = set()
        for entry in entries:
            if entry.id in self._ids or entry.id in seen:
                raise InputError(f"duplicate id {entry.id!r}: ids must be unique",
                                 source=entry.source)
            seen.add(entry.id)
        nums = []
        for entry in entries:
            num = self._next
            self._next += 1
            nums.append(num)
            self._ids[entry.id] = num
            self._records[num] = Record(num, entry.id, entry.source, entry.published,
                                        entry.published_ts, added_ts, entry.words, entry.chars,
                                        entry.payload)
        for kind, postings in zip(KINDS, self._postings, strict=True):
            keys = [entry.keys[kind] for entry in entries]
            sizes = [len(k) for k in keys]
            if sum(sizes):
                postings.add(np.concatenate(keys).astype(np.uint64, copy=False),
                             np.repeat(np.array(nums, dtype=np.int32), sizes))
        return nums

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id; return those that were stored."""
        removed = []
        for doc_id in dict.fromkeys(ids):
            num = self._ids.pop(doc_id, None)
            if num is None:
                continue
            removed.append(doc_id)
            del self._records[num]
            self._removed.add(num)
        if len(self._removed) > max(1024, len(self._records) // 8):
            for postings in self._postings:
                postings.purge(self._removed)
            self._removed = set()
        return removed

    def expired(self, before: float) -> list[str]:
        """Return the ids of documents published (else added) before ``before``."""
        return [r.id for r in self._records.values()
                if (r.published_ts if r.published_ts is not None else r.added_ts) < before]

    def stats(self) -> dict[str, Any]:
        """Return the number of documents and of postings per kind."""
        return {"location": self.location, "backend": "memory", "documents": len(self),
                "postings": {name: self._postings[kind].total(self._removed)
                             for kind, name in zip(KINDS, KIND_NAMES, strict=True)}}

    def compact(self) -> int:
        """Nothing to give back: removed documents are dropped as runs are merged."""
        return 0

    def check(self) -> list[str]:
        """Return inconsistencies between records and postings."""
        problems = []
        for kind, name in zip(KINDS, KIND_NAMES, strict=True):
            listed = self._postings[kind].documents()
            missing = sorted(listed - self._records.keys() - self._removed)
            if missing:
                problems.append(f"{name} postings list unknown documents {missing[:10]}")
            if kind == DOC:
                bare = sorted(self._records.keys() - listed)
                problems.extend(f"document {n} has no document-band postings" for n in bare)
        return problems

    def close(self) -> None:
        """Nothing to release."""
