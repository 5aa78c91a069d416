"""Posting segments that stay on disk: pages of sorted postings, read only where a key is.

Why: an index that kept every posting in memory (12 bytes each, ~650 an article) needed
~8 KB of RAM an article, so a scan of a large feed grew without bound. A paged segment keeps
in memory only the first key of each page (8 bytes a page of :data:`PAGE` postings) and a
Bloom filter (:data:`BLOOM_BITS` bits a posting) that turns away nearly every key the segment
does not hold; a key that passes costs one or two page reads. Pages are stored by the caller
(:mod:`dedup.store.sqlite`); this module holds the layout and the arithmetic, with no SQL.

Positions are global: page ``p`` holds postings ``p * PAGE`` to ``(p + 1) * PAGE - 1``, every
page but the last is full, so a position found in one page needs no other page to be exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dedup import _core
from dedup.errors import IndexMismatchError
from dedup.shingle import U32, U64, run_starts, sorted_unique
from dedup.store import spans
from dedup.store.codec import _REBUILD

__all__ = ["BLOOM_BITS", "HEAVY", "PAGE", "Bloom", "PageWriter", "PagedRun", "RepeatCounter",
           "Repeats", "merge_sorted", "pack_page", "pick_values", "unpack_page",
           "unpack_pages"]

#: Postings a page (the last page of a segment may hold fewer).
PAGE = 1024
#: Pages (and, in :meth:`PagedRun.gather`, key ranges) handled at once by a lookup: ~8 MB.
GROUP = 1024
#: Filter bits a posting. A key sets 3 bits in each of 3 words of 64 bits (picked by 3
#: multiplicative hashes, rust/src/pages.rs): 9 bits a key, at ~0.07% false positives,
#: measured on a million random keys; as good as a plain Bloom filter with 8 probes (0.06%)
#: at a third of the memory reads.
BLOOM_BITS = 16
#: The keys a paged segment holds at least :attr:`PagedRun.repeats_from` times (sorted) and
#: how many times each. From 2 (sentence keys): a count of its keys needs nothing else from
#: memory, since any other key it lets through is held once. From :data:`HEAVY` (passage
#: keys): enough to tell most stop buckets from memory, and few (~0.1% of the keys).
Repeats = tuple[U64, U32]
#: Fewest postings of a passage key in one segment for the segment to list it (see Repeats):
#: 14,626 keys of a segment of 18.6 million postings at 100,000 articles.
HEAVY = 16

#: ``read(pages, column)``: the stored bytes (:func:`pack_page`) of those pages (sorted page
#: numbers) of one segment, in order; ``column`` is ``"keys"`` or ``"nums"``. Bytes, not
#: values: a lookup decodes the keys of the pages it searches, but of their numbers only the
#: few it gathers (see :func:`pick_values`).
PageReader = Callable[[np.ndarray[Any, Any], str], list[bytes]]


class Bloom:
    """A Bloom filter over 64-bit hash keys, as words of 64 bits (in memory and on disk)."""

    def __init__(self, words: np.ndarray[Any, Any]) -> None:
        self.words = words
        self._count = np.uint64(len(words))

    @classmethod
    def sized(cls, count: int) -> Bloom:
        """Return an empty filter for ``count`` keys."""
        return cls(np.zeros(max(1, (count * BLOOM_BITS + 63) // 64), dtype=np.uint64))

    def add(self, keys: U64) -> None:
        """Set the bits of ``keys``."""
        _core.bloom_add(self.words, np.asarray(keys, dtype=np.uint64))

    def maybe(self, keys: U64) -> np.ndarray[Any, Any]:
        """Return the positions of ``keys`` that may be in the filter."""
        try:
            return _core.bloom_maybe(self.words, np.asarray(keys, dtype=np.uint64))
        except ValueError as exc:
            raise _damaged(exc) from None

    def to_bytes(self) -> memoryview:
        """Return the filter as stored (little-endian words), without a copy."""
        return self.words.astype("<u8", copy=False).view(np.uint8).data

    @classmethod
    def from_bytes(cls, data: bytes) -> Bloom:
        """Read a filter written by :meth:`to_bytes`, without a copy (it is only read).

        Raises:
            IndexMismatchError: if ``data`` is no whole number of words, or none.
        """
        if not data or len(data) % 8:
            raise _damaged(ValueError(f"a Bloom filter of {len(data)} bytes"))
        return cls(np.frombuffer(data, dtype="<u8"))


def _damaged(exc: ValueError) -> IndexMismatchError:
    return IndexMismatchError(f"a posting page or filter is damaged ({exc}): {_REBUILD}")


def pack_page(values: np.ndarray[Any, Any], base: int) -> bytes:
    """Return sorted or small unsigned ``values`` as offsets from ``base``, in as few whole
    bytes each as the largest needs, stored as they are (the Rust core writes them).

    Why not the delta-coded planes of :mod:`dedup.store.codec`: a page is read back on a
    lookup, where zlib and a cumulative sum cost ~5 times the rest of the read; a page's
    keys span 1/pages of the key space, so an offset from its first key takes ~1 byte more
    than a delta (6 bytes a key at 100 million postings).

    >>> unpack_page(pack_page(np.array([5, 9, 300], dtype=np.uint64), 5), 3, 5).tolist()
    [5, 9, 300]
    """
    return _core.pack_page(np.ascontiguousarray(values, dtype=np.uint64), base)


def unpack_page(data: bytes, count: int, base: int) -> U64:
    """Read ``count`` values written by :func:`pack_page` with the same ``base``."""
    return unpack_pages([data], [count], [base])


def unpack_pages(blobs: Sequence[bytes], counts: Sequence[int], bases: Sequence[int]) -> U64:
    """Read many pages written by :func:`pack_page` at once: their values, joined in order.

    One call of the Rust core for a lookup's thousands of pages, which checks each page's
    length against its count before reading it.

    Raises:
        IndexMismatchError: if a page is damaged (its width or length is not what its count
            needs), naming it and how to rebuild the index.
    """
    try:
        return _core.unpack_pages([bytes(b) for b in blobs], [int(c) for c in counts],
                                  [int(b) for b in bases])
    except ValueError as exc:
        raise _damaged(exc) from None


def pick_values(blobs: Sequence[bytes], which: np.ndarray[Any, Any],
                slots: np.ndarray[Any, Any]) -> U64:
    """Return value ``slots[i]`` of page ``blobs[which[i]]`` (written by :func:`pack_page`,
    offsets from the page's base, which the caller adds) for each ``i``, without decoding
    the rest of the pages.

    Why: an article's lookup gathers one or two numbers from each page it reads; decoding
    the pages' 1,024 numbers each cost more than reading them (~6% of a query at a million
    articles).

    Raises:
        IndexMismatchError: as :func:`unpack_pages`.
    """
    try:
        return _core.pick_values([bytes(b) for b in blobs],
                                 np.ascontiguousarray(which, dtype=np.int64),
                                 np.ascontiguousarray(slots, dtype=np.int64))
    except ValueError as exc:
        raise _damaged(exc) from None


@dataclass(frozen=True)
class PagedRun:
    """What memory holds of a paged segment: its size, page first keys and filter, and for
    sentence and passage segments its :data:`Repeats` (keys held ``repeats_from`` times or
    more, with their counts).
    """

    size: int
    firsts: U64
    bloom: Bloom
    repeats: Repeats | None = None
    repeats_from: int = 2

    def repeated(self, wanted: U64) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Return the positions of ``wanted`` the run lists in its repeats, and their counts
        (none when it keeps no repeats)."""
        if self.repeats is None:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        keys, counts = self.repeats
        at = np.searchsorted(keys, wanted)
        found = at < len(keys)
        found[found] = keys[at[found]] == wanted[found]
        return np.flatnonzero(found), counts[at[found]].astype(np.int64)

    def count_bounds(self, wanted: U64) -> tuple[np.ndarray[Any, Any], ...] | None:
        """Count ``wanted`` from memory where the run knows its repeated keys.

        Returns ``(repeated, counts, once)``: positions of ``wanted`` held two or more times,
        with their exact counts, and positions that the filter lets through but that are not
        repeated: each held once, or not at all (a false positive of the filter, ~0.07%):
        only a page read tells which. ``None`` when the run does not know its repeats.
        """
        if self.repeats is None or self.repeats_from != 2:
            return None
        where = self.bloom.maybe(wanted)
        listed, counts = self.repeated(wanted[where])
        once = np.ones(len(where), dtype=bool)
        once[listed] = False
        return where[listed], counts, where[once]

    def locate(self, wanted: U64, read: PageReader) -> tuple[np.ndarray[Any, Any], ...]:
        """Return which of ``wanted`` are posted (positions) and their global ranges.

        A key's run starts in the page before the first page that begins with it (or at that
        page's start) and ends in the last page that begins at or below it: at most two pages
        a key, one for most keys (no page begins with them). Keys are taken in groups that
        start in at most ``GROUP // 2`` distinct pages (so read at most :data:`GROUP`), so that
        a lookup of many keys holds a few MB of pages, not every page it touches. Grouped by
        how many pages they read, not by where the pages lie: the few hundred keys of one
        article then make one group (one read of the segment), where page ranges of a large
        segment made one group, and one SQL query, a key.
        """
        where = self.bloom.maybe(wanted)
        keys = wanted[where]
        left = np.searchsorted(self.firsts, keys, side="left")
        right = np.searchsorted(self.firsts, keys, side="right")
        before = right > 0  # a key below the first page's first key is not posted
        where, keys, left, right = where[before], keys[before], left[before], right[before]
        start_page = np.maximum(left - 1, 0)
        order = np.argsort(start_page, kind="stable")
        ordered = start_page[order]
        distinct = np.concatenate([[0], np.cumsum(ordered[1:] != ordered[:-1])])
        group = distinct // max(1, GROUP // 2)
        cuts = np.flatnonzero(np.diff(group)) + 1
        found = [self._locate_group(where[part], keys[part], start_page[part], right[part] - 1,
                                    read) for part in np.split(order, cuts) if len(part)]
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        return tuple(np.concatenate([f[i] for f in found]) for i in range(3))

    def _locate_group(self, where: np.ndarray[Any, Any], keys: U64,
                      start_page: np.ndarray[Any, Any], end_page: np.ndarray[Any, Any],
                      read: PageReader) -> tuple[np.ndarray[Any, Any], ...]:
        pages = sorted_unique(np.concatenate([start_page, end_page]))
        joined = self.decode(read(pages, "keys"), pages, "keys")  # pages in order: sorted
        starts = np.arange(len(pages), dtype=np.int64) * PAGE
        ends = np.minimum(starts + PAGE, len(joined))
        at_left = np.searchsorted(joined, keys, side="left")
        at_right = np.searchsorted(joined, keys, side="right")
        s = np.searchsorted(pages, start_page)
        e = np.searchsorted(pages, end_page)
        lo = np.where(at_left < ends[s], start_page * PAGE + at_left - starts[s],
                      (start_page + 1) * PAGE)
        hi = end_page * PAGE + np.minimum(at_right, ends[e]) - starts[e]
        found = hi > lo
        return where[found], lo[found].astype(np.int64), hi[found].astype(np.int64)

    def page_sizes(self, pages: np.ndarray[Any, Any] | Sequence[int]) -> list[int]:
        """Return how many postings each of ``pages`` holds (all full but the last)."""
        return [min(PAGE, self.size - p * PAGE) for p in np.asarray(pages).tolist()]

    def decode(self, blobs: Sequence[bytes], pages: np.ndarray[Any, Any] | Sequence[int],
               column: str, base: int = 0) -> U64:
        """Return the values of ``pages`` (their stored ``blobs``), joined in order: keys
        from each page's first key, numbers from ``base`` (the segment's first number)."""
        counts = self.page_sizes(pages)
        if column == "keys":
            return unpack_pages(blobs, counts, self.firsts[np.asarray(pages)].tolist())
        return unpack_pages(blobs, counts, [base] * len(counts))

    def gather(self, rows: np.ndarray[Any, Any], lo: np.ndarray[Any, Any],
               hi: np.ndarray[Any, Any], read: PageReader, base: int
               ) -> tuple[np.ndarray[Any, Any], ...]:
        """Return (row, number) pairs: ``rows[i]`` with each number posted in ``lo[i]:hi[i]``
        (numbers stored from ``base``), :data:`GROUP` ranges at a time (each a few pages at
        most: it is within the limit).
        """
        if not len(rows):
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        pairs = [self._gather_group(rows[i : i + GROUP], lo[i : i + GROUP], hi[i : i + GROUP],
                                    read, base) for i in range(0, len(rows), GROUP)]
        return np.concatenate([r for r, _ in pairs]), np.concatenate([n for _, n in pairs])

    @staticmethod
    def _gather_group(rows: np.ndarray[Any, Any], lo: np.ndarray[Any, Any],
                      hi: np.ndarray[Any, Any], read: PageReader, base: int
                      ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        positions = spans(lo, hi)
        page_of = positions // PAGE
        pages = sorted_unique(page_of)
        values = pick_values(read(pages, "nums"), np.searchsorted(pages, page_of),
                             positions % PAGE)
        return (np.repeat(rows, hi - lo).astype(np.int64, copy=False),
                values.astype(np.int64) + base)


class RepeatCounter:
    """Find the keys held at least ``least`` times in a sorted stream fed chunk by chunk,
    with their counts (:data:`Repeats`).

    A key's run may go on from one chunk into the next, so the last run of a chunk is
    carried (key, count) until a chunk starts with another key.
    """

    def __init__(self, least: int) -> None:
        self.least = least
        self._keys: list[U64] = []
        self._counts: list[np.ndarray[Any, Any]] = []
        self._carry: tuple[int, int] | None = None

    def feed(self, keys: U64) -> None:
        """Count the next sorted keys."""
        if not len(keys):
            return
        starts = run_starts(keys)
        run_keys = keys[starts]
        counts = np.diff(np.append(starts, len(keys)))
        if self._carry is not None:
            key, count = self._carry
            if int(run_keys[0]) == key:
                counts[0] += count
            else:
                self._keep(np.array([key], dtype=np.uint64), np.array([count]))
        self._keep(run_keys[:-1], counts[:-1])
        self._carry = (int(run_keys[-1]), int(counts[-1]))

    def _keep(self, keys: U64, counts: np.ndarray[Any, Any]) -> None:
        repeated = counts >= self.least
        if repeated.any():
            self._keys.append(keys[repeated])
            self._counts.append(counts[repeated])

    def finish(self) -> Repeats:
        """Return the repeated keys (sorted) and their counts, once the stream has ended."""
        if self._carry is not None:
            key, count = self._carry
            self._keep(np.array([key], dtype=np.uint64), np.array([count]))
            self._carry = None
        return (np.concatenate([np.zeros(0, np.uint64), *self._keys]),
                np.concatenate([np.zeros(0, np.uint32), *self._counts]).astype(np.uint32))


class PageWriter:
    """Cut a sorted stream of postings into pages, keeping first keys and the filter, and
    with ``repeats`` >= 2 the keys held that many times or more (:data:`Repeats`).

    ``write(page, keys, nums)`` stores one page; :meth:`finish` returns the run (what memory
    keeps) once the stream has ended.
    """

    def __init__(self, size: int, write: Callable[[int, U64, U32], None],
                 repeats: int = 0) -> None:
        self._size = size
        self._write = write
        self._bloom = Bloom.sized(size)
        self._firsts: list[int] = []
        self._keys: list[U64] = []
        self._nums: list[U32] = []
        self._pending = 0
        self._done = 0
        self._repeats = RepeatCounter(repeats) if repeats else None

    def feed(self, keys: U64, nums: U32) -> None:
        """Add the next sorted postings."""
        if not len(keys):
            return
        self._bloom.add(keys)
        if self._repeats is not None:
            self._repeats.feed(keys)
        self._keys.append(keys)
        self._nums.append(nums)
        self._pending += len(keys)
        if self._pending >= PAGE:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        keys = np.concatenate(self._keys)
        nums = np.concatenate(self._nums)
        whole = len(keys) if final else len(keys) - len(keys) % PAGE
        for start in range(0, whole, PAGE):
            self._firsts.append(int(keys[start]))
            self._write(len(self._firsts) - 1, keys[start : start + PAGE],
                        nums[start : start + PAGE])
        self._keys, self._nums = [keys[whole:]], [nums[whole:]]
        self._pending = len(keys) - whole
        self._done += whole

    def finish(self) -> PagedRun:
        """Write the last page and return the run."""
        if self._pending:
            self._flush(final=True)
        if self._done != self._size:
            raise RuntimeError(f"paged segment: {self._done} postings written, {self._size} "
                               "announced")
        counter = self._repeats
        return PagedRun(self._size, np.array(self._firsts, dtype=np.uint64), self._bloom,
                        counter.finish() if counter is not None else None,
                        counter.least if counter is not None else 0)


def merge_sorted(sources: Iterable[Iterator[tuple[U64, U32]]]) -> Iterator[tuple[U64, U32]]:
    """Merge streams of sorted postings (each a series of sorted chunks) into one.

    Holds one chunk of each stream at a time: everything up to the smallest last key among
    the chunks held can be put out, since no later chunk holds a smaller key.
    """
    streams = [iter(s) for s in sources]
    held: list[tuple[U64, U32] | None] = [_next_nonempty(s) for s in streams]
    while any(h is not None for h in held):
        live = [i for i, h in enumerate(held) if h is not None]
        bound = min(held[i][0][-1] for i in live)  # type: ignore[index]
        keys_out, nums_out = [], []
        for i in live:
            keys, nums = held[i]  # type: ignore[misc]
            cut = int(np.searchsorted(keys, bound, side="right"))
            keys_out.append(keys[:cut])
            nums_out.append(nums[:cut])
            if cut == len(keys):
                held[i] = _next_nonempty(streams[i])
            else:
                held[i] = (keys[cut:], nums[cut:])
        keys = np.concatenate(keys_out)
        order = np.argsort(keys, kind="stable")
        yield keys[order], np.concatenate(nums_out)[order]


def _next_nonempty(stream: Iterator[tuple[U64, U32]]) -> tuple[U64, U32] | None:
    for keys, nums in stream:
        if len(keys):
            return keys, nums
    return None
