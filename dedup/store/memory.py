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
from dedup.shingle import U64
from dedup.store import DOC, KIND_NAMES, KINDS, Entry, Record

__all__ = ["MemoryStore"]

I32 = npt.NDArray[np.int32]

def _find(run: U64, keys: U64) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return where ``keys`` would start in the sorted ``run``, and which of them are there.

    One binary search for every key; the end of a key's postings is looked for only where the
    key is present (most keys of a new article are in no run).
    """
    start = np.searchsorted(run, keys, side="left")
    inside = np.flatnonzero(start < len(run))
    return start, inside[run[start[inside]] == keys[inside]]


class _Postings:
    """The postings of one kind: a few sorted runs of (key, document number) arrays.

    Each call to :meth:`add` writes one sorted run; a run is merged with the one before it
    while that one is not more than twice its size (so there are ~log2(n) runs and each
    posting is sorted ~log2(n) times). Lookups search every run at once for all keys.
    """

    def __init__(self) -> None:
        self.runs: list[tuple[U64, I32]] = []

    def add(self, keys: U64, docs: I32) -> None:
        order = np.lexsort((docs, keys))
        self.runs.append((keys[order], docs[order]))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (k1, d1), (k2, d2) = self.runs.pop(), self.runs.pop()
            keys, docs = np.concatenate([k2, k1]), np.concatenate([d2, d1])
            # Numbers grow with time, so (key, number) order lists a key's documents in order.
            order = np.lexsort((docs, keys))
            self.runs.append((keys[order], docs[order]))

    def purge(self, removed: set[int]) -> None:
        """Drop the postings of removed documents."""
        gone = np.fromiter(removed, dtype=np.int32, count=len(removed))
        self.runs = [(k[kept], d[kept]) for k, d in self.runs
                     if (kept := ~np.isin(d, gone)).any()]

    def members(self, keys: U64, removed: set[int]) -> dict[int, list[int]]:
        """Return the documents of each of ``keys`` that has any, in the order added."""
        wanted = np.asarray(keys, dtype=np.uint64)
        out: dict[int, list[int]] = {}
        for run_keys, run_docs in self.runs:
            lo, hit = _find(run_keys, wanted)
            hi = np.searchsorted(run_keys, wanted[hit], side="right")
            for key, start, end in zip(wanted[hit].tolist(), lo[hit].tolist(), hi.tolist(),
                                       strict=True):
                docs = run_docs[start:end].tolist()
                out[key] = out[key] + docs if key in out else docs
        if removed:
            out = {k: kept for k, v in out.items() if (kept := [d for d in v if d not in removed])}
        return out

    def counts(self, keys: U64, removed: set[int]) -> dict[int, int]:
        """Return how many documents each of ``keys`` has (those with any)."""
        if removed:
            return {k: len(v) for k, v in self.members(keys, removed).items()}
        wanted = np.asarray(keys, dtype=np.uint64)
        sizes = np.zeros(len(wanted), dtype=np.int64)
        for run_keys, _ in self.runs:
            lo, found = _find(run_keys, wanted)
            sizes[found] += np.searchsorted(run_keys, wanted[found], side="right") - lo[found]
        hit = np.flatnonzero(sizes)
        return dict(zip(wanted[hit].tolist(), sizes[hit].tolist(), strict=True))

    def total(self, removed: set[int]) -> int:
        """Return the number of postings of stored documents."""
        gone = list(removed)
        return sum(len(d) - (int(np.isin(d, gone).sum()) if gone else 0) for _, d in self.runs)

    def documents(self) -> set[int]:
        """Return every document number with a posting."""
        return {n for _, docs in self.runs for n in docs.tolist()}


class MemoryStore:
    """An index that lives as long as the process: the default of a :class:`Detector`.

    >>> store = MemoryStore()
    >>> keys = tuple(np.array([k], dtype=np.uint64) for k in (1, 2, 3, 4))
    >>> store.add([Entry("a", None, None, None, 3, 10, b"", keys)], added_ts=0.0)
    [0]
    >>> store.lookup(0, np.array([1, 9], dtype=np.uint64), limit=10)
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

    def stored(self, ids: Iterable[str]) -> set[str]:
        """Return which of ``ids`` are stored."""
        return {i for i in ids if i in self._ids}

    def lookup(self, kind: int, keys: U64, limit: int) -> dict[int, list[int] | None]:
        """Return the posting lists of ``keys`` (``None`` for those longer than ``limit``)."""
        found = self._postings[kind].members(keys, self._removed)
        return {key: docs if len(docs) <= limit else None for key, docs in found.items()}

    def counts(self, kind: int, keys: U64) -> dict[int, int]:
        """Return the lengths of the posting lists of ``keys``."""
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
