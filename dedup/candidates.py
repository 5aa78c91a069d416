"""Candidates: which indexed documents, and which earlier ones of its batch, a new one is
verified against.

A new article's candidates share a document band, the exact text or a passage anchor (a
verbatim run of ~15 words) with it, or sentence buckets with at least two of its sentences
(rewrites). Anchors and sentence bands are posted under one kind, :data:`PASSAGE`.

Every batch of articles is looked up at once (:class:`BatchLookups`): one search of each run
of postings for all the keys of the batch, instead of one per article (a feed article has
~300 keys, and per-article searches of every run were most of the detector's time at 100k
articles). The batch's own articles are searched as one run too, each seeing only those
before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

import numpy as np

from dedup.config import Config
from dedup.document import Unit
from dedup.shingle import (
    I64,
    U64,
    in_sorted,
    run_starts,
    sorted_unique,
    unique_counts,
    unique_inverse,
)
from dedup.store import DOC, EXACT, NO_LIMIT, PASSAGE, UNIT, Store, gather, locate, spans

__all__ = ["BatchLookups", "Keys", "Ref", "find_candidates"]

#: A candidate: (0, number) for a stored document, (1, position) for one earlier in the
#: batch, so that sorting puts them in the order they were added.
Ref = tuple[int, int]
#: The distinct uint64 keys of a document, per kind (DOC, PASSAGE, EXACT, UNIT).
Keys = tuple[U64, U64, U64, U64]


def _joined(batch: Sequence[Keys], kind: int) -> U64:
    """Return the keys of ``kind`` of every document of ``batch``, one after another."""
    return (np.concatenate([k[kind] for k in batch]) if batch
            else np.zeros(0, dtype=np.uint64))


class BatchLookups:
    """The index's answers for every key of a batch, and the batch's own postings.

    Args:
        store: The index.
        batch: The keys of each document of the batch, in order.
        limit: ``max_bucket``: larger buckets are stop buckets, not followed.
        own: Whether each document is compared with those before it in the batch (when
            they are being added, not only queried).
        least: ``boilerplate_df``, when sentence counts are only compared with it: the
            index may then answer counts that cannot reach it from memory, without reading
            them (:meth:`dedup.store.Store.counts`). ``None``: every count exact.
    """

    def __init__(self, store: Store, batch: Sequence[Keys], limit: int, own: bool,
                 least: int | None = None) -> None:
        self.store = store
        #: Per key kind, how many of the batch's lookups met a stop bucket and did not
        #: follow it (one key of one document each): what the caps left out.
        self.capped: dict[int, int] = {DOC: 0, PASSAGE: 0}
        self._least = least
        self._stored: dict[int, tuple[U64, I64, I64, I64]] = {}
        for kind, kind_limit in ((DOC, limit), (PASSAGE, limit), (EXACT, NO_LIMIT)):
            keys = sorted_unique(_joined(batch, kind))
            hits = store.lookup(kind, keys, kind_limit)
            order = np.argsort(hits.rows, kind="stable")
            bounds = np.searchsorted(hits.rows[order], np.arange(len(keys) + 1))
            self._stored[kind] = (keys, hits.sizes, bounds, hits.docs[order])
        self._own: dict[int, tuple[U64, I64]] = {}
        self._shared: dict[int, tuple[U64, I64, I64]] = {}
        if own:
            for kind in (DOC, PASSAGE, EXACT, UNIT):
                sizes = [len(k[kind]) for k in batch]
                keys = _joined(batch, kind)
                order = np.argsort(keys, kind="stable")  # positions ascending within a key
                positions = np.repeat(np.arange(len(batch), dtype=np.int64), sizes)
                self._own[kind] = (keys[order], positions[order])
                self._shared[kind] = _shared_with_earlier(*self._own[kind], len(batch))
        units = sorted_unique(_joined(batch, UNIT))
        self._asked = _AskedCounts()
        self._index_counts(units)

    def _enough(self, keys: U64) -> I64 | None:
        """The count from which each stored count of ``keys`` must be exact: ``least``,
        less the documents of the batch that hold the key (they add to it, up to that many)."""
        if self._least is None:
            return None
        enough = np.full(len(keys), self._least, dtype=np.int64)
        if UNIT in self._own:
            own_keys = self._own[UNIT][0]
            enough -= (np.searchsorted(own_keys, keys, side="right")
                       - np.searchsorted(own_keys, keys, side="left"))
        return enough

    def _earlier(self, kind: int, keys: U64, position: int) -> tuple[I64, I64]:
        """Return (row, position) pairs of the batch's documents before ``position``."""
        if position == 0 or kind not in self._own:
            return _no_pairs()
        own_keys, positions = self._own[kind]
        rows, found = gather(positions, *locate(own_keys, None, keys))
        before = found < position
        return rows[before], found[before]

    def _earlier_own(self, kind: int, keys: U64, position: int) -> tuple[I64, I64]:
        """As :meth:`_earlier`, for sorted ``keys`` of the document at ``position`` itself:
        read from the batch's shared keys, worked out once (most keys of an article are
        held by no other article of its batch, and need no search)."""
        if kind not in self._shared:
            return _no_pairs()
        shared, earlier, bounds = self._shared[kind]
        mine = slice(bounds[position], bounds[position + 1])
        if mine.start == mine.stop or not len(keys):
            return _no_pairs()
        asked = in_sorted(keys, shared[mine])
        return np.searchsorted(keys, shared[mine][asked]), earlier[mine][asked]

    def members(self, kind: int, keys: U64, position: int, limit: int) -> tuple[I64, I64]:
        """Return the followed buckets of ``keys`` over the index and the batch before
        ``position``, as (row, code) pairs: the document coded ``2 * number + (1 if of this
        batch else 0)`` is posted under ``keys[row]``. ``keys`` must be sorted keys of that
        kind of the document at ``position``. A bucket with more than ``limit`` documents in
        all is a stop bucket (boilerplate or a topic phrase, not evidence) and is not followed.
        """
        every, sizes, bounds, docs = self._stored[kind]
        at = np.searchsorted(every, keys)
        rows, stored = gather(docs, np.arange(len(keys)), bounds[at], bounds[at + 1])
        new_rows, new = self._earlier_own(kind, keys, position)
        total = sizes[at] + np.bincount(new_rows, minlength=len(keys))
        rows = np.concatenate([rows, new_rows])
        codes = np.concatenate([2 * stored, 2 * new + 1])
        # The store listed buckets up to the limit of the lookup; a caller may follow fewer.
        over = total > limit
        if kind in self.capped:
            self.capped[kind] += int(np.count_nonzero(over))
        followed = ~over[rows]
        return rows[followed], codes[followed]

    def held(self, keys: U64, position: int, own: bool = False) -> I64:
        """Return how many documents (indexed, and before ``position`` in the batch) hold
        each sentence of ``keys`` (sorted, distinct), 0 for none; ``own``: ``keys`` are the
        sentence keys of the document at ``position``. With ``least``, a count below it may
        be any number below it (compare it with ``least``, nothing else).

        Counted with numpy: a candidate's ~30 sentences, for each of a dozen candidates an
        article, were a dict lookup each (1.4 us a key, a fifth of the planning at 10k).
        """
        counts = self._index_counts(keys)
        rows, _ = (self._earlier_own if own else self._earlier)(UNIT, keys, position)
        if len(rows):
            counts += np.bincount(rows, minlength=len(keys))
        return counts

    def ask(self, keys: U64) -> None:
        """Read the index's counts of the sentence ``keys`` (any order, repeats allowed) now,
        for later calls of :meth:`held`: the candidates' sentences of several articles in one
        search of each run of postings, not one an article (a dozen runs at 100k articles,
        each searched for a few hundred keys, cost more in calls than in keys)."""
        self._index_counts(sorted_unique(keys))

    def _index_counts(self, keys: U64) -> I64:
        """Return the index's counts of the sentence ``keys`` (sorted, distinct): those asked
        before from memory, the others read from the index now (a candidate's sentences,
        unless :meth:`ask` was told of them) and kept for the rest of the batch: a story's
        articles are candidates of several of its articles, and the index does not change
        while a batch is planned.
        """
        counts, unasked = self._asked.find(keys)
        if len(unasked):
            asked = keys[unasked]
            counts[unasked] = fresh = _as_array(
                self.store.counts(UNIT, asked, self._enough(asked)), asked)
            self._asked.add(asked, fresh)
        return counts

    def boilerplate(self, keys: U64, position: int, least: int, own: bool = False) -> U64:
        """Return those of ``keys`` (sorted, distinct) that ``least`` documents or more hold
        (see :meth:`held`): sentences that are no evidence (footers, bylines). ``least`` must
        not be below the ``least`` the lookups were made with."""
        found: U64 = keys[self.held(keys, position, own) >= least]
        return found


class _AskedCounts:
    """The index's counts of the sentence keys asked so far (0 for those it does not hold).

    A dict, read and filled by ``map`` and ``zip`` over whole arrays: a lookup costs ~60 ns
    a key, where a comprehension testing each key cost 1.4 us, and a binary search of
    every array of counts asked (one an article) cost more as the batch went on.
    """

    def __init__(self) -> None:
        self._counts: dict[int, int] = {}

    def find(self, keys: U64) -> tuple[I64, I64]:
        """Return the known counts of ``keys`` (0 where unknown) and where they are unknown."""
        counts = np.fromiter(map(self._counts.get, keys.tolist(), repeat(-1)),
                             dtype=np.int64, count=len(keys))
        unknown = np.flatnonzero(counts < 0)
        counts[unknown] = 0
        return counts, unknown

    def add(self, keys: U64, counts: I64) -> None:
        """Keep the counts of ``keys``."""
        self._counts.update(zip(keys.tolist(), counts.tolist(), strict=True))


def _as_array(counts: dict[int, int], keys: U64) -> I64:
    """Return the ``counts`` of each of ``keys`` (sorted) as an array, 0 where absent."""
    out = np.zeros(len(keys), dtype=np.int64)
    if counts:
        held = np.fromiter(counts.keys(), dtype=np.uint64, count=len(counts))
        out[np.searchsorted(keys, held)] = np.fromiter(counts.values(), dtype=np.int64,
                                                       count=len(counts))
    return out


def _no_pairs() -> tuple[I64, I64]:
    none = np.zeros(0, dtype=np.int64)
    return none, none


def _shared_with_earlier(keys: U64, positions: I64, documents: int) -> tuple[U64, I64, I64]:
    """Return every (key, earlier position) pair of a batch's own postings, by later position.

    ``keys`` sorted, with the ``positions`` of their documents ascending within a key. Each
    posting is paired with the earlier postings of its key (one document holds a key once);
    the pairs of the document at ``p`` are ``[bounds[p], bounds[p + 1])`` of the result
    ``(keys, earlier positions, bounds)``, its keys ascending.
    """
    starts = run_starts(keys)
    run_start = np.repeat(starts, np.diff(np.append(starts, len(keys))))
    later = np.repeat(np.arange(len(keys)), np.arange(len(keys)) - run_start)
    earlier = spans(run_start, np.arange(len(keys)))
    order = np.lexsort((keys[later], positions[later]))
    later, earlier = later[order], earlier[order]
    bounds = np.searchsorted(positions[later], np.arange(documents + 1))
    return keys[later], positions[earlier], bounds


def find_candidates(keys: Keys, anchors: U64, units: Sequence[Unit],
                    unit_keys: U64, position: int, lookups: BatchLookups,
                    boilerplate: U64, config: Config) -> list[Ref]:
    """Return the documents worth verifying against a new one, in the order added.

    Those sharing a document bucket, the exact text or a passage anchor, and those sharing
    sentence buckets with at least two of its sentences. Anchors and sentences already seen
    in ``boilerplate_df`` documents (``boilerplate``: the keys of such sentences, sorted;
    footers, bylines) count for nothing: every article of an outlet carries them, so they
    would make every pair of its articles a candidate. ``unit_keys`` holds the band keys of
    each of ``units``, a row each.
    """
    limit = config.max_bucket
    # An anchor held by boilerplate_df documents is a footer or a stock blurb, like a sentence
    # held by that many (below): no evidence of a copy.
    codes = [lookups.members(DOC, keys[DOC], position, limit)[1],
             lookups.members(PASSAGE, anchors, position, config.boilerplate_df - 1)[1]]
    if len(keys[EXACT]):
        exact = lookups.members(EXACT, keys[EXACT], position, NO_LIMIT)[1]
        if len(exact):  # the first stored copy, else the first of this batch
            stored = exact[exact % 2 == 0]
            codes.append(np.array([(stored if len(stored) else exact).min()]))
    own = np.fromiter((unit.key for unit in units), dtype=np.uint64, count=len(units))
    evidence = unit_keys[~in_sorted(boilerplate, own)]
    if len(evidence):
        codes.append(_sentence_hits(evidence, position, lookups, config))
    found = sorted_unique(np.concatenate(codes))
    return sorted((code & 1, code >> 1) for code in found.tolist())


def _sentence_hits(evidence: U64, position: int, lookups: BatchLookups,
                   config: Config) -> I64:
    """Return the documents (coded as by :meth:`BatchLookups.members`) that two sentences hit.

    One sentence is enough if the article has only one. A sentence hits a document when
    ``sentence_band_hits`` of its band keys share a followed bucket with it. Counted with
    numpy over (sentence, document) pairs. ``evidence`` holds a row of band keys a sentence.
    """
    flat = evidence.ravel()
    unit_of = np.repeat(np.arange(len(evidence)), evidence.shape[1])
    keys, inverse = unique_inverse(flat)
    rows, codes = lookups.members(PASSAGE, keys, position, config.max_bucket)
    if not len(codes):
        return codes
    # Each posting (key, document) meets every sentence that has the key.
    order = np.argsort(inverse, kind="stable")
    by_key = inverse[order]
    lo = np.searchsorted(by_key, rows, side="left")
    hi = np.searchsorted(by_key, rows, side="right")
    units = len(evidence)
    pairs = np.repeat(codes, hi - lo) * units + unit_of[order[spans(lo, hi)]]
    pair, bands = unique_counts(pairs)
    docs, sentences = unique_counts(pair[bands >= config.sentence_band_hits] // units)
    result: I64 = docs[sentences >= min(2, units)]
    return result
