"""The in-memory index: dicts of posting lists, gone when the process ends."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from dedup.errors import InputError
from dedup.shingle import U64
from dedup.store import DOC, KIND_NAMES, KINDS, Entry, Record

__all__ = ["MemoryStore"]


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
        self._keys: dict[int, tuple[U64, ...]] = {}
        self._ids: dict[str, int] = {}
        self._postings: list[dict[int, list[int]]] = [{} for _ in KINDS]
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
        postings = self._postings[kind]
        out: dict[int, list[int] | None] = {}
        for key in np.asarray(keys, dtype=np.uint64).tolist():
            members = postings.get(key)
            if members:
                out[key] = list(members) if len(members) <= limit else None
        return out

    def counts(self, kind: int, keys: U64) -> dict[int, int]:
        """Return the lengths of the posting lists of ``keys``."""
        postings = self._postings[kind]
        out: dict[int, int] = {}
        for key in np.asarray(keys, dtype=np.uint64).tolist():
            members = postings.get(key)
            if members:
                out[key] = len(members)
        return out

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
            self._keys[num] = entry.keys
            for kind, keys in zip(KINDS, entry.keys, strict=True):
                postings = self._postings[kind]
                for key in keys.tolist():
                    postings.setdefault(key, []).append(num)
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
            for kind, keys in zip(KINDS, self._keys.pop(num), strict=True):
                postings = self._postings[kind]
                for key in keys.tolist():
                    members = postings[key]
                    members.remove(num)
                    if not members:
                        del postings[key]
        return removed

    def expired(self, before: float) -> list[str]:
        """Return the ids of documents published (else added) before ``before``."""
        return [r.id for r in self._records.values()
                if (r.published_ts if r.published_ts is not None else r.added_ts) < before]

    def stats(self) -> dict[str, Any]:
        """Return the number of documents and of postings per kind."""
        return {"location": self.location, "backend": "memory", "documents": len(self),
                "postings": {name: sum(len(m) for m in self._postings[kind].values())
                             for kind, name in zip(KINDS, KIND_NAMES, strict=True)}}

    def check(self) -> list[str]:
        """Return inconsistencies between records and postings."""
        problems = []
        for kind, name in zip(KINDS, KIND_NAMES, strict=True):
            for key, members in self._postings[kind].items():
                missing = [n for n in members if n not in self._records]
                if missing:
                    problems.append(f"{name} key {key} lists removed documents {missing}")
        for num in self._records:
            if not any(num in self._postings[DOC].get(k, ()) for k in
                       self._keys[num][DOC].tolist()):
                problems.append(f"document {num} has no document-band postings")
        return problems

    def close(self) -> None:
        """Nothing to release."""
