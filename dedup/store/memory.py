"""The in-memory index: sorted numpy posting arrays, gone when the process ends.

A feed posts some 600 keys an article (16 per sentence), so the postings must be compact:
each kind keeps one array of keys sorted with an array of document numbers beside it (12
bytes a posting, against ~70 for a dict of Python lists), looked up by binary search for all
of an article's keys at once. New postings wait in a small dict and are merged in when it
grows (a sort of the whole kind, so the total cost stays n log n); removed documents are
left out of every answer at once and dropped from the arrays at the next merge.
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

# Postings that wait in the dict before a merge: at least this many, or a quarter of the kind.
_FRESH_MIN = 1 << 16


class _Postings:
    """The postings of one kind: sorted arrays, a dict of recent ones, removed numbers."""

    def __init__(self) -> None:
        self.keys: U64 = np.zeros(0, dtype=np.uint64)
        self.docs: I32 = np.zeros(0, dtype=np.int32)
        self.fresh: dict[int, list[int]] = {}
        self.fresh_count = 0

    def add(self, keys: U64, num: int) -> None:
        for key in keys.tolist():
            self.fresh.setdefault(key, []).append(num)
        self.fresh_count += len(keys)
        if self.fresh_count > max(_FRESH_MIN, len(self.keys) // 4):
            self.merge(set())

    def merge(self, removed: set[int]) -> None:
        """Sort the recent postings into the arrays; drop those of removed documents."""
        new_keys = np.fromiter((k for k, docs in self.fresh.items() for _ in docs),
                               dtype=np.uint64, count=self.fresh_count)
        new_docs = np.fromiter((d for docs in self.fresh.values() for d in docs),
                               dtype=np.int32, count=self.fresh_count)
        keys = np.concatenate([self.keys, new_keys])
        docs = np.concatenate([self.docs, new_docs])
        if removed:
            kept = ~np.isin(docs, np.fromiter(removed, dtype=np.int32, count=len(removed)))
            keys, docs = keys[kept], docs[kept]
        # Numbers grow with time, so (key, number) order lists each key's documents in order.
        order = np.lexsort((docs, keys))
        self.keys, self.docs = keys[order], docs[order]
        self.fresh, self.fresh_count = {}, 0

    def members(self, keys: U64, removed: set[int]) -> dict[int, list[int]]:
        """Return the documents of each of ``keys`` that has any, in the order added."""
        wanted = np.asarray(keys, dtype=np.uint64)
        out: dict[int, list[int]] = {}
        if len(self.keys):
            lo = np.searchsorted(self.keys, wanted, side="left")
            hi = np.searchsorted(self.keys, wanted, side="right")
            hit = np.flatnonzero(hi > lo)
            docs = self.docs.tolist() if len(hit) > len(self.docs) // 64 else None
            for key, start, end in zip(wanted[hit].tolist(), lo[hit].tolist(),
                                       hi[hit].tolist(), strict=True):
                out[key] = docs[start:end] if docs is not None else self.docs[start:end].tolist()
        if self.fresh:
            fresh = self.fresh
            for key in wanted.tolist():
                recent = fresh.get(key)
                if recent:
                    out[key] = out.get(key, []) + recent
        if removed:
            out = {k: kept for k, v in out.items() if (kept := [d for d in v if d not in removed])}
        return out

    def counts(self, keys: U64, removed: set[int]) -> dict[int, int]:
        """Return how many documents each of ``keys`` has (those with any)."""
        if removed:
            return {k: len(v) for k, v in self.members(keys, removed).items()}
        wanted = np.asarray(keys, dtype=np.uint64)
        out: dict[int, int] = {}
        if len(self.keys):
            sizes = (np.searchsorted(self.keys, wanted, side="right")
                     - np.searchsorted(self.keys, wanted, side="left"))
            hit = np.flatnonzero(sizes)
            out = dict(zip(wanted[hit].tolist(), sizes[hit].tolist(), strict=True))
        if self.fresh:
            fresh = self.fresh
            for key in wanted.tolist():
                recent = fresh.get(key)
                if recent:
                    out[key] = out.get(key, 0) + len(recent)
        return out

    def total(self, removed: set[int]) -> int:
        """Return the number of postings of stored documents."""
        dead = int(np.isin(self.docs, list(removed)).sum()) if removed else 0
        dead += sum(1 for docs in self.fresh.values() for d in docs if d in removed)
        return len(self.docs) + self.fresh_count - dead


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
            for postings, keys in zip(self._postings, entry.keys, strict=True):
                postings.add(keys, num)
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
                postings.merge(self._removed)
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
            postings = self._postings[kind]
            listed = set(postings.docs.tolist()) | {
                d for docs in postings.fresh.values() for d in docs}
            missing = sorted(listed - self._records.keys() - self._removed)
            if missing:
                problems.append(f"{name} postings list unknown documents {missing[:10]}")
            if kind == DOC:
                bare = sorted(self._records.keys() - listed)
                problems.extend(f"document {n} has no document-band postings" for n in bare)
        return problems

    def close(self) -> None:
        """Nothing to release."""
