"""The embedded index: one SQLite file (standard library), in WAL mode.

Layout. ``meta`` holds the header and the next document number; ``docs`` one row per
document (number, unique id, source, dates, lengths, verification data); ``segments`` the
posting lists, as sorted arrays, one segment per kind and written batch, in the manner of a
log-structured merge tree: every ``FANOUT`` segments of one level are merged into one of the
next level, so that a lookup searches a few dozen sorted arrays. A small segment is packed into
two blobs of its row; one of ``PAGED_MIN`` postings or more is cut into ``pages`` rows
(:mod:`dedup.store.pages`), and its row holds the pages' first keys and a Bloom filter.

Why segments, not a ``(key, doc)`` table: posting keys are random 64-bit hashes, so a B-tree of
them is written at random places, and every posting costs a page write. Measured on this
machine (2 cores, shared): 187 documents/s with 409 postings a document, and 700/s with only the
25 document bands, falling as the table grows; one blob per batch is written sequentially.
Memory: small segments are read into memory (12 bytes a posting; there are at most
``FANOUT - 1`` a level below ``PAGED_MIN``), paged ones only as first keys and filters (~2
bytes a posting) plus a bounded cache of pages, so an index far larger than memory can be
searched. Other connections' segments are read when ``PRAGMA data_version`` says they changed;
a lookup runs in one read transaction, so the pages it reads are those of the segments it knows.

Durability: every :meth:`SQLiteStore.add` is one ``BEGIN IMMEDIATE`` transaction, with
``synchronous=FULL`` by default: the WAL is fsynced at each commit, so what ``add`` returned
is on disk even if the machine loses power. ``NORMAL`` (no fsync at commit) survives a killed
process but not a power cut, and is offered for bulk loads.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from dedup.errors import IndexMismatchError, InputError
from dedup.shingle import I64, U32, U64, sorted_unique
from dedup.store import (
    DEFAULT_BATCH,
    DOC,
    KIND_NAMES,
    KINDS,
    PASSAGE,
    UNIT,
    Entry,
    Hits,
    Record,
    gather,
    locate,
)
from dedup.store import pages as paging
from dedup.store.codec import pack_ints, pack_planes, unpack_ints, unpack_planes
from dedup.store.pages import (
    HEAVY,
    Bloom,
    PagedRun,
    PageReader,
    PageWriter,
    RepeatCounter,
    Repeats,
    merge_sorted,
    pack_page,
)

__all__ = ["FANOUT", "MAX_MERGED", "PAGED_MIN", "SQLiteStore"]

#: Segments of one level merged at once.
FANOUT = 8
#: Kinds whose paged segments list their keys held at least this many times, with counts
#: (:data:`dedup.store.pages.Repeats`): sentence keys from 2, so that a count that cannot reach
#: ``boilerplate_df`` needs no page; passage keys from ``HEAVY``, so that most stop buckets
#: are known from memory and their pages not read. Part of the file's format: a reader takes
#: a segment's repeats to start at these counts, so changing them needs a new format version.
_REPEATS_FROM = {UNIT: 2, PASSAGE: HEAVY}
#: Postings from which a segment is stored in pages and not held in memory (3 MB in memory).
PAGED_MIN = 1 << 18
#: Postings above which segments are no longer merged: of a group of ``FANOUT`` that would
#: pass it, the oldest that fit are merged into one segment set aside, searched as it is, and
#: the rest wait for the next group. A merge holds its output's filter (2 bytes a posting)
#: beside its inputs' (resident anyway), so this caps that jump at 256 MB; merging up to the
#: whole index made a 1 GB scan's memory jump from 0.6 to 1.5 GB at 83 million postings
#: (SQLite also copied the filter then: it is now written in place, ``_write_filter``). A
#: lower cap sets aside more, smaller segments, and a key found in the index costs a page
#: read in each: at 2^24, 100,000 feed articles left 8 set-aside passage segments, whose
#: merge cut an article's lookups from 47 to 28 ms (docs/notes/index-history.md).
MAX_MERGED = 1 << 27
_FILTER_CHUNK = 8 << 20  # bytes of a filter written at once
_CAPPED = 1000  # the level of segments that are set aside, too large to merge further
_APPLICATION_ID = 0x64656475  # "dedu"
_PAGE_CACHE = 32 << 20  # bytes of pages kept (as stored)
_NUMS_ALONG = 256  # pages of keys up to which a read takes their numbers along
_MAX_BATCH = 4096  # documents matched per round of lookups, at most
_MERGE_PAGES = 64  # pages of each input held at once while merging paged segments
_SQLITE_MAGIC = b"SQLite format 3\x00"
_CHUNK = 500  # SQL parameters per statement
# A stored document is ~3 KB: on 4 KB pages one fits a page, and ~1.1 KB a document was left
# empty. Measured on the benchmark feed (2,500 documents): 1,121 bytes a document besides
# payload and postings on 4 KB pages, 446 on 16 KB, 361 on 32 KB (and on 64 KB).
_PAGE_SIZE = 32768

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    num INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT, published TEXT,
    published_ts REAL, added_ts REAL NOT NULL, words INTEGER NOT NULL,
    chars INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS segments(
    seg INTEGER PRIMARY KEY AUTOINCREMENT, kind INTEGER NOT NULL, level INTEGER NOT NULL,
    size INTEGER NOT NULL, first_num INTEGER NOT NULL, last_num INTEGER NOT NULL,
    keys BLOB NOT NULL, nums BLOB NOT NULL, pages INTEGER NOT NULL, filter BLOB);
CREATE INDEX IF NOT EXISTS segments_level ON segments(kind, level);
CREATE TABLE IF NOT EXISTS pages(id INTEGER PRIMARY KEY, keys BLOB NOT NULL,
    nums BLOB NOT NULL);
"""

Segment = tuple[U64, U32]  # sorted keys, document numbers


@dataclass(frozen=True)
class _Seg:
    """A segment as memory holds it: its arrays (small ones) or its paged run."""

    kind: int
    level: int
    first: int
    last: int
    keys: U64 | None = None
    nums: U32 | None = None
    paged: PagedRun | None = None

    @property
    def size(self) -> int:
        return self.paged.size if self.paged is not None else len(self.keys)  # type: ignore[arg-type]


def _page_id(seg: int, page: int | np.ndarray[Any, Any]) -> Any:
    # Segment numbers are never reused (AUTOINCREMENT), so neither are page ids.
    return (seg << 32) + page



def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _pack_nums(nums: U32, first: int, last: int) -> bytes:
    # Sorted by key, the numbers are spread at random over first..last: every byte below
    # log2 of that range is random, and only the plane above it compresses.
    return pack_planes(nums - np.uint32(first), (last - first + 1).bit_length() // 8)


def _unpack_nums(data: bytes, count: int, first: int) -> U32:
    result: U32 = unpack_planes(data, count, np.uint32) + np.uint32(first)
    return result


def _sort(keys: U64, nums: U32, runs: bool = False) -> Segment:
    # Merged segments (runs=True) are runs of sorted keys, which timsort ("stable") merges in
    # O(n log runs); a new batch is in no order, where quicksort is faster. The order of
    # numbers under one key does not matter (lookups sort them).
    order = np.argsort(keys, kind="stable" if runs else "quicksort")
    return keys[order], nums[order]


class SQLiteStore:
    """A dedup index in one SQLite file; several processes may read and write it.

    Args:
        path: The file; created (with its header written on first use) if missing.
        synchronous: ``"FULL"`` (the default: acknowledged adds survive a power cut) or
            ``"NORMAL"`` (they survive a killed process only; faster bulk loads).
        timeout: Seconds to wait for another process's write transaction.

    Raises:
        IndexMismatchError: if ``path`` is a file but not a dedup index.
    """

    def __init__(self, path: str | Path, synchronous: Literal["FULL", "NORMAL"] = "FULL",
                 timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.location = str(path)
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"'synchronous' must be 'FULL' or 'NORMAL' (got {synchronous!r})")
        if self.path.is_dir():
            raise IndexMismatchError(f"{path} is a folder, not a dedup index file: give a file "
                                     "path")
        if self.path.exists() and self.path.stat().st_size > 0:
            with open(self.path, "rb") as fh:
                magic = fh.read(len(_SQLITE_MAGIC))
            if magic != _SQLITE_MAGIC:
                raise IndexMismatchError(
                    f"{path} is not a dedup index (not an SQLite file): give the path of an "
                    "index made by dedup, or a path that does not exist yet"
                )
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=timeout,
                                       check_same_thread=False)
        except sqlite3.OperationalError as exc:
            raise IndexMismatchError(f"cannot open index {path}: {exc}") from exc
        try:
            # Set before anything is written (it is fixed then): see _PAGE_SIZE.
            self._db.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            app_id = self._db.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if app_id != _APPLICATION_ID and tables:
                raise IndexMismatchError(
                    f"{path} is an SQLite file but not a dedup index (tables: "
                    f"{', '.join(sorted(tables))}): give the path of an index made by dedup"
                )
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise IndexMismatchError(f"index {path} cannot use WAL mode (got {mode!r})")
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise IndexMismatchError(f"{path} is not a dedup index ({exc})") from exc
        except BaseException:
            self._db.close()
            raise
        self._segments: dict[int, _Seg] = {}
        self._by_kind: list[list[tuple[int, _Seg]]] | None = None
        self._pages: OrderedDict[tuple[int, int, str], bytes] = OrderedDict()
        self._page_bytes = 0
        self._data_version = -1

    # Transactions -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """Hold one snapshot of the file (a read transaction) unless a transaction is open."""
        db = self._db
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN")
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts
            yield db
        finally:
            if db.in_transaction:
                db.execute("COMMIT")

    # Header -------------------------------------------------------------------------------

    def header(self) -> dict[str, Any] | None:
        """Return the stored header, or ``None`` for a new file."""
        try:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'header'").fetchone()
        except sqlite3.OperationalError:
            return None  # no meta table yet: a new index
        if row is None:
            return None
        try:
            header: dict[str, Any] = json.loads(row[0])
        except json.JSONDecodeError as exc:
            raise IndexMismatchError(f"{self.location}: the index header is damaged ({exc})"
                                     ) from exc
        return header

    def create(self, header: dict[str, Any]) -> None:
        """Create the tables and write ``header`` unless another process did first."""
        with self._write() as db:
            db.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('header', ?)", (json.dumps(header),))
            db.execute("INSERT OR IGNORE INTO meta VALUES ('next_num', '0')")

    # Reading ------------------------------------------------------------------------------

    def _load(self, seg: int) -> _Seg:
        kind, level, size, first, last, keys, nums, pages, bloom = self._db.execute(
            "SELECT kind, level, size, first_num, last_num, keys, nums, pages, filter "
            "FROM segments WHERE seg = ?", (seg,)).fetchone()
        head = (int(kind), int(level), int(first), int(last))
        if pages:
            return _Seg(*head, paged=PagedRun(int(size), unpack_ints(keys),
                                              Bloom.from_bytes(bloom), _unpack_repeats(nums),
                                              _REPEATS_FROM.get(int(kind), 0)))
        return _Seg(*head, keys=unpack_ints(keys), nums=_unpack_nums(nums, int(size), int(first)))

    def sync(self) -> None:
        """Read the segments that other connections added, and forget those they dropped."""
        with self._read() as db:
            version = db.execute("PRAGMA data_version").fetchone()[0]
            if version == self._data_version:
                return
            present = {r[0] for r in db.execute("SELECT seg FROM segments")}
            for seg in set(self._segments) - present:
                del self._segments[seg]
            for seg in sorted(present - set(self._segments)):
                self._segments[seg] = self._load(seg)
        self._by_kind = None
        self._data_version = version

    def _kind(self, kind: int) -> list[tuple[int, _Seg]]:
        if self._data_version < 0:
            self.sync()
        if self._by_kind is None:
            self._by_kind = [[] for _ in KINDS]
            for seg in sorted(self._segments):
                self._by_kind[self._segments[seg].kind].append((seg, self._segments[seg]))
        return self._by_kind[kind]

    def _reader(self, seg: int, segment: _Seg) -> PageReader:
        """Return the page reader of a paged segment, through a cache of the pages' bytes.

        A lookup of few pages (one article's) reads each page's numbers with its keys, in the
        same row: nearly every key it finds there is then gathered, and a second query of the
        same rows cost as much as the first (a query at a million articles read ~280 pages of
        keys, then ~280 of numbers). A batch's lookup reads thousands of pages, more than the
        cache keeps until it gathers, so it reads numbers apart, only where it needs them.
        The cache holds the rows' bytes as SQLite returns them, not decoded copies: a query
        decodes the keys of its pages and picks a few numbers (copying and decoding each
        page into the cache took ~15% of a query at a million articles).
        """
        def read(pages: np.ndarray[Any, Any], column: str) -> list[bytes]:
            wanted = pages.tolist()
            found = [self._pages.get((seg, p, column)) for p in wanted]
            missing = [p for p, blob in zip(wanted, found, strict=True) if blob is None]
            if not missing:
                return found  # type: ignore[return-value]
            along = column == "keys" and len(missing) <= _NUMS_ALONG
            columns = ("keys", "nums") if along else (column,)
            rows = self._fetch_rows(seg, missing, *columns)
            for p in missing:
                for name, blob in zip(columns, rows[p], strict=True):
                    self._pages[(seg, p, name)] = blob
                    self._page_bytes += len(blob)
            while self._page_bytes > _PAGE_CACHE and self._pages:
                self._page_bytes -= len(self._pages.popitem(last=False)[1])
            at = columns.index(column)
            return [blob if blob is not None else rows[p][at]
                    for p, blob in zip(wanted, found, strict=True)]
        return read

    def _fetch_rows(self, seg: int, pages: Sequence[int], *columns: str
                    ) -> dict[int, tuple[bytes, ...]]:
        """Read the stored bytes of ``pages`` of a paged segment: for each page, those of
        ``columns`` (``keys``, ``nums``)."""
        if not columns or any(column not in ("keys", "nums") for column in columns):
            raise ValueError(f"no page columns {columns!r}")
        names = ", ".join(columns)
        rows: dict[int, tuple[bytes, ...]] = {}
        if pages and len(pages) * 2 > pages[-1] - pages[0]:  # dense: one range, fewer SQL
            found = self._db.execute(f"SELECT id, {names} FROM pages WHERE id BETWEEN ? AND ?",
                                     (_page_id(seg, pages[0]), _page_id(seg, pages[-1])))
            rows.update((int(row[0]) & 0xFFFFFFFF, row[1:]) for row in found)
        else:
            for part in _chunks(pages):
                ids = [_page_id(seg, p) for p in part]
                sql = f"SELECT id, {names} FROM pages WHERE id IN ({','.join('?' * len(ids))})"
                found = self._db.execute(sql, ids)
                rows.update((int(row[0]) & 0xFFFFFFFF, row[1:]) for row in found)
        if any(p not in rows for p in pages):
            raise IndexMismatchError(f"{self.location}: segment {seg} lacks pages: the index is "
                                     "damaged; run 'dedup index check'")
        return rows

    def _fetch(self, seg: int, segment: _Seg, pages: Sequence[int]) -> Segment:
        """Read and decode ``pages`` (in order) of a paged segment: their keys and numbers."""
        assert segment.paged is not None
        rows = self._fetch_rows(seg, pages, "keys", "nums")
        keys = segment.paged.decode([rows[p][0] for p in pages], pages, "keys")
        nums = segment.paged.decode([rows[p][1] for p in pages], pages, "nums", segment.first)
        return keys, nums.astype(np.uint32)

    def _hits(self, kind: int, keys: U64, limit: int | None = None
              ) -> tuple[U64, np.ndarray[Any, Any], list[tuple[int, _Seg, Any, Any, Any]]]:
        """Find ``keys`` in every segment: the keys, their total counts, per-segment ranges.

        One binary search a segment in memory (:func:`dedup.store.locate`); a paged segment
        reads the pages of the keys its filter lets through. With ``limit``, keys that the
        segments in memory and the repeats of the paged ones already show to be stop
        buckets (more than ``limit`` postings) are not looked for in pages: their total is
        then that lower bound, over ``limit``.
        """
        query = np.asarray(keys, dtype=np.uint64)
        total = np.zeros(len(query), dtype=np.int64)
        found: dict[int, tuple[Any, Any, Any]] = {}
        if not len(query):
            return query, total, []
        segments = self._kind(kind)
        paged = [(seg, segment) for seg, segment in segments if segment.paged is not None]
        for seg, segment in segments:
            if segment.paged is None:
                found[seg] = where, left, right = self._hits_in(seg, segment, query)
                total[where] += right - left
        asked = np.arange(len(query))
        if limit is not None and paged:
            lower = total.copy()
            for _, segment in paged:
                listed, counts = segment.paged.repeated(query)  # type: ignore[union-attr]
                lower[listed] += counts
            stop = lower > limit
            total[stop] = lower[stop]
            asked = np.flatnonzero(~stop)
        for seg, segment in paged:
            where, left, right = self._hits_in(seg, segment, query[asked])
            found[seg] = where, left, right = asked[where], left, right
            total[where] += right - left
        ranges = [(seg, segment, *found[seg]) for seg, segment in segments
                  if seg in found and found[seg][0].size]
        return query, total, ranges

    def _hits_in(self, seg: int, segment: _Seg, query: U64
                 ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Find ``query`` in one segment: positions of those posted, and their ranges."""
        if segment.paged is not None:
            where, left, right = segment.paged.locate(query, self._reader(seg, segment))
        elif len(segment.keys):  # type: ignore[arg-type]
            where, left, right = locate(segment.keys, None, query)  # type: ignore[arg-type]
        else:
            where = left = right = np.zeros(0, dtype=np.int64)
        return where, left, right

    def lookup(self, kind: int, keys: U64, limit: int) -> Hits:
        """Return the postings of ``keys`` (see :class:`Hits`).

        A stop bucket costs its count only: its numbers are never read.
        """
        pairs = []
        with self._read():
            self.sync()
            query, total, ranges = self._hits(kind, keys, limit)
            for seg, segment, where, left, right in ranges:
                keep = total[where] <= limit
                if not keep.any():
                    continue
                if segment.paged is not None:
                    pairs.append(segment.paged.gather(where[keep], left[keep], right[keep],
                                                      self._reader(seg, segment),
                                                      segment.first))
                else:
                    pairs.append(gather(segment.nums, where[keep], left[keep],  # type: ignore[arg-type]
                                        right[keep]))
        if not pairs:
            return Hits(query, total)
        return Hits(query, total, np.concatenate([r for r, _ in pairs]),
                    np.concatenate([d for _, d in pairs]))

    def counts(self, kind: int, keys: U64, enough: I64 | None = None) -> dict[int, int]:
        """Return the lengths of the posting lists of ``keys`` (see :meth:`Store.counts`).

        With ``enough``, paged segments that know their repeated keys are counted from
        memory: a key they let through and do not repeat counts once, as an upper bound,
        and only keys whose bound reaches ``enough`` have those pages read. A sentence held
        by one candidate (most of a candidate's) then costs no page read.
        """
        with self._read():
            self.sync()
            if enough is None:
                query, total, _ = self._hits(kind, keys)
            else:
                query, total = self._bounded_counts(kind, keys, enough)
        return {int(query[i]): int(total[i]) for i in np.flatnonzero(total).tolist()}

    def _bounded_counts(self, kind: int, keys: U64, enough: I64) -> tuple[U64, I64]:
        query = np.asarray(keys, dtype=np.uint64)
        total = np.zeros(len(query), dtype=np.int64)
        maybe = np.zeros(len(query), dtype=np.int64)  # segments that may hold a key once
        unsure: list[tuple[int, _Seg, np.ndarray[Any, Any]]] = []
        for seg, segment in self._kind(kind):
            bounds = None if segment.paged is None else segment.paged.count_bounds(query)
            if bounds is None:
                where, left, right = self._hits_in(seg, segment, query)
                total[where] += right - left
                continue
            repeated, counts, once = bounds
            total[repeated] += counts
            maybe[once] += 1
            if len(once):
                unsure.append((seg, segment, once))
        need = (maybe > 0) & (total + maybe >= np.asarray(enough, dtype=np.int64))
        for seg, segment, once in unsure:
            ask = once[need[once]]
            if len(ask):
                assert segment.paged is not None
                held, _, _ = segment.paged.locate(query[ask], self._reader(seg, segment))
                total[ask[held]] += 1
        bound = ~need
        total[bound] += maybe[bound]
        return query, total

    _COLUMNS = "num, id, source, published, published_ts, added_ts, words, chars, data"

    @staticmethod
    def _record(row: tuple[Any, ...]) -> Record:
        return Record(int(row[0]), row[1], row[2], row[3], row[4], float(row[5]), int(row[6]),
                      int(row[7]), bytes(row[8]))

    def records(self, nums: Sequence[int]) -> dict[int, Record]:
        """Return the stored records among ``nums``."""
        out: dict[int, Record] = {}
        for part in _chunks(list(nums)):
            sql = f"SELECT {self._COLUMNS} FROM docs WHERE num IN ({','.join('?' * len(part))})"
            for row in self._db.execute(sql, tuple(part)):
                out[int(row[0])] = self._record(row)
        return out

    def find(self, ids: Iterable[str]) -> dict[str, Record]:
        """Return the stored records among ``ids``."""
        out: dict[str, Record] = {}
        for part in _chunks(list(dict.fromkeys(ids))):
            sql = f"SELECT {self._COLUMNS} FROM docs WHERE id IN ({','.join('?' * len(part))})"
            for row in self._db.execute(sql, tuple(part)):
                out[row[1]] = self._record(row)
        return out

    def stored(self, ids: Iterable[str]) -> set[str]:
        """Return which of ``ids`` are stored."""
        out: set[str] = set()
        for part in _chunks(list(dict.fromkeys(ids))):
            sql = f"SELECT id FROM docs WHERE id IN ({','.join('?' * len(part))})"
            out.update(r[0] for r in self._db.execute(sql, tuple(part)))
        return out

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def batch_size(self) -> int:
        """Return a batch size that grows with the index, from 256 up to 4,096 documents.

        A batch's lookups touch most pages of a large index (docs/notes/index-history.md): the
        cost of a batch grows with the index, not with the batch, so a batch of ``len/32`` documents
        keeps the lookup cost of a document about constant until the cap bounds memory.
        """
        return min(_MAX_BATCH, max(DEFAULT_BATCH, len(self) // 32))

    # Writing ------------------------------------------------------------------------------

    def _write_segment(self, kind: int, level: int, size: int, first: int, last: int,
                       chunks: Iterable[Segment]) -> tuple[int, _Seg]:
        """Store the sorted postings ``chunks`` as one segment: in its row, or in pages."""
        db = self._db
        head = (kind, level, first, last)
        if size < PAGED_MIN:
            parts = list(chunks)
            keys = np.concatenate([k for k, _ in parts]) if parts else np.zeros(0, np.uint64)
            nums = np.concatenate([n for _, n in parts]) if parts else np.zeros(0, np.uint32)
            seg = self._insert_row(kind, level, size, first, last, pack_ints(keys),
                                   _pack_nums(nums, first, last))
            return seg, _Seg(*head, keys=keys, nums=nums)
        seg = self._insert_row(kind, level, size, first, last, b"", b"")

        def write(page: int, keys: U64, nums: U32) -> None:
            db.execute("INSERT INTO pages VALUES (?, ?, ?)",
                       (_page_id(seg, page), pack_page(keys, int(keys[0])),
                        pack_page(nums, first)))

        writer = PageWriter(size, write, repeats=_REPEATS_FROM.get(kind, 0))
        for keys, nums in chunks:
            writer.feed(keys, nums)
        run = writer.finish()
        # A paged segment's own row has no numbers: that column holds its repeats, if kept.
        db.execute("UPDATE segments SET keys = ?, nums = ?, pages = ? WHERE seg = ?",
                   (pack_ints(run.firsts), _pack_repeats(run.repeats), len(run.firsts), seg))
        self._write_filter(seg, run.bloom.to_bytes())
        return seg, _Seg(*head, paged=run)

    def _write_filter(self, seg: int, data: memoryview) -> None:
        """Store a segment's filter in place, a chunk at a time: a bound blob is copied whole
        by SQLite first, which doubled the memory a large merge held."""
        self._db.execute("UPDATE segments SET filter = zeroblob(?) WHERE seg = ?",
                         (len(data), seg))
        with self._db.blobopen("segments", "filter", seg) as blob:
            for start in range(0, len(data), _FILTER_CHUNK):
                blob.write(data[start : start + _FILTER_CHUNK])

    def _insert_row(self, kind: int, level: int, size: int, first: int, last: int,
                    keys: bytes, nums: bytes) -> int:
        cursor = self._db.execute(
            "INSERT INTO segments(kind, level, size, first_num, last_num, keys, nums, pages) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 0)", (kind, level, size, first, last, keys, nums))
        seg = cursor.lastrowid
        if seg is None:  # pragma: no cover - sqlite3 always sets it after an INSERT
            raise RuntimeError("SQLite gave no rowid for a new segment")
        return seg

    def _drop(self, segs: Iterable[int]) -> None:
        for seg in segs:
            self._db.execute("DELETE FROM segments WHERE seg = ?", (seg,))
            self._db.execute("DELETE FROM pages WHERE id >= ? AND id < ?",
                             (_page_id(seg, 0), _page_id(seg + 1, 0)))

    def _segment(self, seg: int) -> _Seg:
        cached = self._segments.get(seg)
        return cached if cached is not None else self._load(seg)

    def _stream(self, seg: int, segment: _Seg) -> Iterator[Segment]:
        """Yield a segment's postings in order, a few pages at a time (memory stays small)."""
        if segment.paged is None:
            yield segment.keys, segment.nums  # type: ignore[misc]
            return
        count = len(segment.paged.firsts)
        for start in range(0, count, _MERGE_PAGES):
            pages = range(start, min(count, start + _MERGE_PAGES))
            keys, nums = self._fetch(seg, segment, pages)
            yield keys, nums

    def _merge(self, kind: int, written: dict[int, _Seg], dropped: set[int]) -> None:
        """Merge full levels of ``kind`` upwards (inside the caller's transaction); then
        groups of set-aside segments that fit under ``MAX_MERGED`` (an index written under a
        lower cap set aside smaller ones)."""
        level = 0
        while True:
            group = self._group(kind, level, written)
            if group is None:
                break
            fits = _fitting(group)
            if len(fits) == len(group):
                self._merge_group(kind, level + 1, group, written, dropped)
                level += 1
            elif len(fits) > 1:
                # As many of the oldest as fit under MAX_MERGED make one segment, set aside
                # (searched as it is); the rest wait for the next group of their level. All
                # set aside, a million feed articles left 17 passage segments
                # (docs/notes/index-history.md).
                self._merge_group(kind, _CAPPED, fits, written, dropped)
            else:
                self._set_aside(group[:1], written)
        while (group := self._group(kind, _CAPPED, written)) is not None and len(
                fits := _fitting(group)) > 1:
            self._merge_group(kind, _CAPPED, fits, written, dropped)

    def _set_aside(self, group: list[tuple[int, _Seg]], written: dict[int, _Seg]) -> None:
        """Move ``group`` to the level of segments no longer merged (see MAX_MERGED)."""
        self._db.executemany("UPDATE segments SET level = ? WHERE seg = ?",
                             [(_CAPPED, seg) for seg, _ in group])
        written.update((seg, replace(s, level=_CAPPED)) for seg, s in group)

    def _group(self, kind: int, level: int, written: dict[int, _Seg]
               ) -> list[tuple[int, _Seg]] | None:
        """Return the first ``FANOUT`` segments of a level (oldest first), if it has as many."""
        rows = self._db.execute(
            "SELECT seg FROM segments WHERE kind = ? AND level = ? ORDER BY seg",
            (kind, level)).fetchall()
        if len(rows) < FANOUT:
            return None
        return [(seg, written[seg] if seg in written else self._segment(seg))
                for (seg,) in rows[:FANOUT]]

    def _merge_group(self, kind: int, level: int, group: list[tuple[int, _Seg]],
                     written: dict[int, _Seg], dropped: set[int]) -> None:
        """Write ``group`` merged as one segment of ``level`` and drop its members."""
        seg, merged = self._write_segment(
            kind, level, sum(s.size for _, s in group), min(s.first for _, s in group),
            max(s.last for _, s in group),
            merge_sorted([self._stream(seg, s) for seg, s in group]))
        self._drop(seg for seg, _ in group)
        for old, _ in group:
            written.pop(old, None)
        dropped.update(seg for seg, _ in group)
        written[seg] = merged

    def _apply(self, written: dict[int, _Seg], dropped: set[int]) -> None:
        """Bring the cache in line with a committed write of this connection."""
        self.sync()  # what others wrote before us; our own commit does not move data_version
        for seg in dropped:
            self._segments.pop(seg, None)
        self._segments.update(written)
        self._by_kind = None

    def add(self, entries: Sequence[Entry], added_ts: float) -> list[int]:
        """Store ``entries`` in one transaction and return their numbers.

        Raises:
            InputError: if an id is stored already or repeated in ``entries``; nothing is
                written then.
        """
        if not entries:
            return []
        ids = [e.id for e in entries]
        written: dict[int, _Seg] = {}
        dropped: set[int] = set()
        with self._write() as db:
            taken = self.stored(ids)
            repeated = {i for i in ids if ids.count(i) > 1} if len(set(ids)) < len(ids) else set()
            if taken or repeated:
                bad = sorted(taken | repeated)[0]
                raise InputError(f"duplicate id {bad!r}: ids must be unique",
                                 source=next(e.source for e in entries if e.id == bad))
            start = int(db.execute("SELECT value FROM meta WHERE name = 'next_num'"
                                   ).fetchone()[0])
            nums = list(range(start, start + len(entries)))
            db.executemany(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(n, e.id, e.source, e.published, e.published_ts, added_ts, e.words, e.chars,
                  e.payload) for n, e in zip(nums, entries, strict=True)])
            db.execute("UPDATE meta SET value = ? WHERE name = 'next_num'",
                       (str(start + len(entries)),))
            for kind in KINDS:
                parts = [e.keys[kind] for e in entries]
                sizes = [len(p) for p in parts]
                if not sum(sizes):
                    continue
                keys, doc_nums = _sort(np.concatenate(parts).astype(np.uint64),
                                       np.repeat(np.array(nums, dtype=np.uint32), sizes))
                seg, segment = self._write_segment(kind, 0, len(keys), start,
                                                   start + len(entries) - 1,
                                                   [(keys, doc_nums)])
                written[seg] = segment
                self._merge(kind, written, dropped)
        self._apply(written, dropped)
        return nums

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id, with their postings, in one transaction.

        A segment that loses postings is written anew a few pages at a time.
        """
        wanted = list(dict.fromkeys(ids))
        written: dict[int, _Seg] = {}
        dropped: set[int] = set()
        with self._write() as db:
            found = self.find(wanted)
            if not found:
                return []
            gone = np.array(sorted(r.num for r in found.values()), dtype=np.uint32)
            for part in _chunks(gone.tolist()):
                db.execute(f"DELETE FROM docs WHERE num IN ({','.join('?' * len(part))})",
                           tuple(part))
            rows = db.execute(
                "SELECT seg FROM segments WHERE last_num >= ? AND first_num <= ?",
                (int(gone[0]), int(gone[-1]))).fetchall()
            for (seg,) in rows:
                segment = self._segment(seg)
                lost = sum(int(np.isin(nums, gone).sum()) for _, nums in self._stream(seg, segment))
                if not lost:
                    continue
                kept = ((keys[keep], nums[keep]) for keys, nums in self._stream(seg, segment)
                        if (keep := ~np.isin(nums, gone)).any())
                if lost < segment.size:
                    new, rewritten = self._write_segment(segment.kind, segment.level,
                                                         segment.size - lost, segment.first,
                                                         segment.last, kept)
                    written[new] = rewritten
                self._drop([seg])
                dropped.add(seg)
        self._apply(written, dropped)
        return [i for i in wanted if i in found]

    def expired(self, before: float) -> list[str]:
        """Return the ids of documents published (else added) before ``before``."""
        return [r[0] for r in self._db.execute(
            "SELECT id FROM docs WHERE coalesce(published_ts, added_ts) < ? ORDER BY num",
            (before,))]

    # Maintenance --------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Return documents, postings per kind, segments and bytes on disk."""
        db = self._db
        docs, payload = db.execute("SELECT count(*), coalesce(sum(length(data)), 0) FROM docs"
                                   ).fetchone()
        postings = dict.fromkeys(KIND_NAMES, 0)
        by_kind = dict.fromkeys(KIND_NAMES, 0)
        segments = 0
        for kind, count, size, nbytes in db.execute(
                "SELECT kind, count(*), sum(size), "
                "sum(length(keys) + length(nums) + coalesce(length(filter), 0)) "
                "FROM segments GROUP BY kind"):
            postings[KIND_NAMES[kind]] = int(size)
            segments += int(count)
            by_kind[KIND_NAMES[kind]] = int(nbytes)
        for kind, nbytes in db.execute(
                "SELECT s.kind, sum(length(p.keys) + length(p.nums)) FROM pages p "
                "JOIN segments s ON s.seg = (p.id >> 32) GROUP BY s.kind"):
            by_kind[KIND_NAMES[kind]] += int(nbytes)
        posting_bytes = sum(by_kind.values())
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        memory = self._memory_bytes()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        file_bytes = self._file_bytes()
        used = (pages - free) * page_size
        return {
            "location": self.location, "backend": "sqlite", "documents": int(docs),
            "postings": postings, "segments": segments,
            "payload_bytes": int(payload), "posting_bytes": posting_bytes,
            "posting_bytes_by_kind": by_kind,
            "file_bytes": file_bytes, "used_bytes": used,
            "bytes_per_document": round(used / docs, 1) if docs else None,
            "memory_bytes": memory,
        }

    def _memory_bytes(self) -> int:
        """Return what a process that opens the index holds of its segments: small segments
        decoded (12 bytes a posting), and of paged ones their first keys, filter and repeats.

        Read through blob handles: a handle gives a blob's length, and its first bytes,
        without reading the rest (a million-article index has ~700 MB of filters).
        """
        memory = 0
        for seg, size, pages in self._db.execute("SELECT seg, size, pages FROM segments"
                                                 ).fetchall():
            if not pages:
                memory += 12 * int(size)
                continue
            memory += 8 * int(pages)
            # No filter (a damaged file: `check` says so) counts nothing here.
            with (contextlib.suppress(sqlite3.OperationalError),
                  self._db.blobopen("segments", "filter", seg, readonly=True) as blob):
                memory += len(blob)
            with self._db.blobopen("segments", "nums", seg, readonly=True) as blob:
                size = _repeats_keys_bytes(blob.read(_REPEATS_HEAD))
                if size is not None:  # 8-byte keys and 4-byte counts, decoded
                    memory += 12 * ((len(blob) - _REPEATS_HEAD - size) // 4)
        return memory

    def compact(self) -> int:
        """Rewrite the file without its free pages (``VACUUM``); return the bytes given back.

        Merges and removals free pages that SQLite keeps for later writes (a million-article
        index held 1.6 GB of them after one large merge). Needs free disk space for a copy
        of the file, and time in proportion to its size; other processes wait meanwhile.
        """
        before = self._file_bytes()
        self._db.execute("VACUUM")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return max(0, before - self._file_bytes())

    def _file_bytes(self) -> int:
        """Return the bytes of the file and its write-ahead log (without reading them)."""
        wal = self.path.with_name(self.path.name + "-wal")
        return self.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)

    def check(self) -> list[str]:
        """Run SQLite's integrity check and check that postings and documents agree."""
        db = self._db
        problems = [r[0] for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        if problems:
            return problems
        with self._read():
            if self.header() is None:
                problems.append("the index has no header")
            nums = np.array([r[0] for r in db.execute("SELECT num FROM docs ORDER BY num")],
                            dtype=np.uint32)
            next_num = int(db.execute("SELECT value FROM meta WHERE name = 'next_num'"
                                      ).fetchone()[0])
            if len(nums) and int(nums[-1]) >= next_num:
                problems.append(f"next document number {next_num} is not above {nums[-1]}")
            covered: list[U32] = []
            for (seg,) in db.execute("SELECT seg FROM segments ORDER BY seg").fetchall():
                try:
                    found, seg_covered = self._check_segment(seg, nums)
                except IndexMismatchError as exc:
                    problems.append(str(exc))
                    continue
                problems.extend(found)
                covered.append(seg_covered)
            missing = np.setdiff1d(nums, np.concatenate([*covered, nums[:0]]))
            if len(missing):
                problems.append(f"{len(missing)} documents have no document-band postings "
                                f"(first: number {int(missing[0])})")
        return problems

    def _check_segment(self, seg: int, nums: U32) -> tuple[list[str], U32]:
        """Check one segment, a few pages at a time: order, documents, filter, first keys.

        Returns its problems and, for a document-band segment, the documents it covers (read
        in the same pass).
        """
        segment = self._load(seg)
        covered: list[U32] = []
        name = f"segment {seg} ({KIND_NAMES[segment.kind]})"
        problems: list[str] = []
        previous: int | None = None
        count = 0
        paged = segment.paged
        # The repeats kept in memory must be those of the pages: counted again, in the pass.
        recount = (RepeatCounter(paged.repeats_from)
                   if paged is not None and paged.repeats is not None else None)
        for keys, seg_nums in self._stream(seg, segment):
            if recount is not None:
                recount.feed(keys)
            if len(keys) and ((keys[1:] < keys[:-1]).any()
                              or (previous is not None and int(keys[0]) < previous)):
                problems.append(f"{name} is not sorted")
            if not np.isin(seg_nums, nums).all():
                problems.append(f"{name} lists removed documents")
            if segment.paged is not None:
                if len(segment.paged.bloom.maybe(keys)) < len(keys):
                    problems.append(f"{name}: its filter turns away keys it holds")
                firsts = keys[::paging.PAGE]
                expected = segment.paged.firsts[count // paging.PAGE:][:len(firsts)]
                if not np.array_equal(firsts, expected):
                    problems.append(f"{name}: its page first keys do not match its pages")
            if segment.kind == DOC:
                covered.append(seg_nums)
            previous = int(keys[-1]) if len(keys) else previous
            count += len(keys)
        if count != segment.size:
            problems.append(f"{name} holds {count} postings, not {segment.size}")
        elif recount is not None and paged is not None and paged.repeats is not None:
            again = recount.finish()
            if not (np.array_equal(again[0], paged.repeats[0])
                    and np.array_equal(again[1], paged.repeats[1])):
                problems.append(f"{name}: its repeated keys do not match its pages")
        return sorted(set(problems)), sorted_unique(np.concatenate([*covered, nums[:0]]))

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite when it is the last)."""
        self._db.close()


_REPEATS_HEAD = 5  # b"R", then the length of the packed keys (4 bytes); the counts follow


def _pack_repeats(repeats: Repeats | None) -> bytes:
    """Return a paged segment's repeated keys and their counts as its row stores them
    (``b""``: not kept, as in files written before they were)."""
    if repeats is None:
        return b""
    keys = pack_ints(repeats[0])
    return b"R" + len(keys).to_bytes(4, "little") + keys + repeats[1].astype("<u4").tobytes()


def _repeats_keys_bytes(head: bytes) -> int | None:
    """Return the length of the packed keys that a repeats blob starting with ``head``
    holds, or ``None`` if the blob holds no repeats."""
    if len(head) < _REPEATS_HEAD or head[:1] != b"R":
        return None
    return int.from_bytes(head[1:_REPEATS_HEAD], "little")


def _unpack_repeats(data: bytes) -> Repeats | None:
    """Read what :func:`_pack_repeats` wrote."""
    size = _repeats_keys_bytes(data[:_REPEATS_HEAD])
    if size is None:
        return None
    keys = unpack_ints(data[_REPEATS_HEAD : _REPEATS_HEAD + size])
    return keys, np.frombuffer(data, dtype="<u4", offset=_REPEATS_HEAD + size).astype(np.uint32)


def _fitting(group: list[tuple[int, _Seg]]) -> list[tuple[int, _Seg]]:
    """Return the oldest segments of ``group`` whose postings fit under ``MAX_MERGED``."""
    total = 0
    for count, (_, segment) in enumerate(group):
        total += segment.size
        if total > MAX_MERGED:
            return group[:count]
    return group
