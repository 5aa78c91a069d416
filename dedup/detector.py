"""The streaming detector: documents go in one at a time or in batches, matches come out.

Each new document is analyzed, its candidates are read from the index (document LSH bands,
for copies; sentence bands, for partial copies and rewrites; exact-text keys), each candidate
is verified, and the document is added. Matches link documents into clusters.

The index lives in a :mod:`dedup.store` backend: in memory (the default), in one SQLite file,
or on Redis. Every backend answers the same questions, and the detector asks them the same
way, so a report does not depend on where the index lives.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from types import TracebackType
from typing import Any, Literal

import numpy as np

from dedup import __version__
from dedup.candidates import BatchLookups, Ref, find_candidates
from dedup.cluster import Cluster, build_clusters
from dedup.config import Config
from dedup.document import Document, Features
from dedup.errors import ConfigError, IndexMismatchError, InputError
from dedup.keys import IndexKeys, index_keys
from dedup.match import Match
from dedup.parallel import analyze_many, start_checks
from dedup.repeats import Repeat
from dedup.shingle import U64, in_sorted, sorted_unique
from dedup.store import DOC, PASSAGE, Entry, Store, open_store
from dedup.store.codec import unit_keys
from dedup.verify import Check, Packed

__all__ = ["Detector", "Problem", "Report", "Result", "parse_published", "scan"]

# Failures of the index itself (a full disk, a lost connection): not one document's fault.
# A damaged or older index (IndexMismatchError) is no document's fault either.
_STORE_FAILURES = (OSError, sqlite3.Error, IndexMismatchError)
_log = logging.getLogger("dedup")
#: Articles planned before their checks go out: their candidates' sentence counts are read
#: from the index in one call (two chunks of checks: the workers never wait for it).
_PLAN_AHEAD = 32


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that could not be read: where it was and why; the rest was still processed."""

    source: str
    message: str
    line: int | None = None
    id: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return the report form of the problem."""
        out: dict[str, object] = {"source": self.source}
        if self.line is not None:
            out["line"] = self.line
        if self.id is not None:
            out["id"] = self.id
        out["message"] = self.message
        return out


@dataclass(frozen=True, slots=True)
class Result:
    """What the detector found about one document when it was added.

    ``text`` is the repaired text and ``cleaned`` the same without the dropped repeated
    paragraphs. In a :func:`scan` report kept with ``keep="summary"`` both are ``""``: the
    reports do not print them, and the scan's memory is then bounded by the index, not the text.
    """

    id: str
    source: str | None
    encoding: str | None
    repairs: int
    repeats: tuple[Repeat, ...]
    text: str
    cleaned: str
    matches: tuple[Match, ...]
    truncated: bool = False

    def to_dict(self) -> dict[str, object]:
        """Return the report form of the document (matches are listed apart)."""
        out: dict[str, object] = {"id": self.id, "source": self.source,
                                  "encoding": self.encoding, "repairs": self.repairs,
                                  "repeats": [r.to_dict() for r in self.repeats]}
        if self.truncated:
            out["truncated"] = True
        return out


@dataclass(slots=True)
class Report:
    """Everything a scan found: documents, matches, clusters and input problems.

    ``skipped`` lists documents whose id was already in the index (added by an earlier run):
    they were not compared or added again. ``capped`` counts the lookups that met a bucket
    over its cap and did not follow it, by kind of key (``document_bands``: LSH bands of
    whole documents over ``max_bucket``; ``passages``: anchors held by ``boilerplate_df``
    documents and sentence bands over ``max_bucket``): the work the caps saved on templated
    and boilerplate-heavy feeds, and what a scan did not look at.
    """

    config: Config
    documents: list[Result] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    capped: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Return the JSON report object described in DESIGN.md."""
        out: dict[str, object] = {
            "dedup_version": __version__,
            "config": self.config.to_dict(),
            "documents": [d.to_dict() for d in self.documents],
            "matches": [m.to_dict() for m in self.matches],
            "clusters": [c.to_dict() for c in self.clusters],
            "errors": [e.to_dict() for e in self.errors],
        }
        if self.skipped:
            out["skipped"] = list(self.skipped)
        if any(self.capped.values()):
            out["capped"] = dict(self.capped)
        return out


def _batches(items: Iterable[Document], size: Callable[[], int]) -> Iterator[list[Document]]:
    """Cut ``items`` into lists of ``size()`` documents, asking again for each list."""
    it = iter(items)
    while batch := list(islice(it, size())):
        yield batch


def parse_published(published: str | None) -> float | None:
    """Return an ISO 8601 date or date-time as epoch seconds (UTC when no zone is given).

    Unknown or unreadable dates give ``None``: such documents are never left out of a
    window, and are pruned by the time they were added instead.

    >>> parse_published("2024-03-01")
    1709251200.0
    >>> parse_published("2024-03-01T12:00:00+01:00")
    1709290800.0
    >>> parse_published("last Tuesday") is None
    True
    """
    if not published:
        return None
    try:
        moment = datetime.fromisoformat(published.strip().replace("z", "Z"))
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(published.strip()), datetime.min.time())
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass(slots=True)
class _Prepared:
    """A new document with the keys it is looked up and posted under."""

    features: Features
    keys: IndexKeys
    published_ts: float | None
    packed: Packed  # as verification sees it (and the payload stored)

    def entry(self) -> Entry:
        f = self.features
        return Entry(f.id, f.source, f.published, self.published_ts, f.words, len(f.text),
                     self.keys.payload, self.keys.by_kind)


@dataclass(slots=True)
class _Plan:
    """A document's candidates, before the boilerplate among their sentences is known."""

    kept: list[Ref]  # the candidates in the window, in the order added
    others: tuple[Packed, ...]  # and as verification sees them
    boilerplate: U64  # the document's own sentences that are boilerplate
    theirs: U64  # the candidates' sentences it lacks, sorted


class Detector:
    """Finds internal repeats and cross-document matches in a stream of documents.

    Args:
        config: Settings; ``None`` takes a stored index's own, or ``Config()``.
        index: Where the index lives: ``None`` (in memory, gone with the detector), a file
            path (one SQLite file, kept between runs), a ``redis://host:port/db`` URL (shared
            by several processes; ``?name=NAME`` picks one of several indexes there), or a
            :class:`dedup.store.Store`.
        window: If given, a new document is compared only with stored ones published at most
            this far before or after it (documents without a date are always compared).

    Raises:
        IndexMismatchError: if the index was built with other settings than ``config``, or
            is not a dedup index.

    >>> det = Detector()
    >>> text = "Officials said the bridge would reopen in May after repairs to its deck."
    >>> _ = det.add(Document("a", text))
    >>> [m.kind for m in det.add(Document("b", text)).matches]
    ['exact']
    """

    def __init__(self, config: Config | None = None,
                 index: str | os.PathLike[str] | Store | None = None, *,
                 window: timedelta | None = None) -> None:
        if window is not None and (not isinstance(window, timedelta) or window < timedelta(0)):
            raise ConfigError(f"'window' must be a timedelta >= 0 or None (got {window!r})")
        self.store, self.config = open_store(index, config)
        self.window = window
        self._matches: list[Match] = []
        #: Lookups the caps left out, over every batch added (see :class:`Report`).
        self.capped: dict[str, int] = {"document_bands": 0, "passages": 0}
        # Position and date of the documents this detector reported on, for clusters.
        self._order: dict[str, int] = {}
        self._published: dict[str, str | None] = {}

    def __enter__(self) -> Detector:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the index (files, connections); the detector cannot be used after."""
        self.store.close()

    def __len__(self) -> int:
        return len(self.store)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and bool(self.store.stored([doc_id]))

    @property
    def matches(self) -> list[Match]:
        """Every match this detector found so far, in the order found."""
        return list(self._matches)

    def clusters(self) -> list[Cluster]:
        """Return the clusters formed by the matches this detector found."""
        return build_clusters(self._order, self._published,
                              ((m.a, m.b) for m in self._matches))

    # Adding -------------------------------------------------------------------------------

    def add(self, document: Document) -> Result:
        """Analyze ``document``, match it against everything added before, and add it.

        Raises:
            InputError: if a document with the same id was added before.
        """
        return self.add_many([document])[0]

    def add_many(self, documents: Iterable[Document]) -> list[Result]:
        """Add documents in order, a batch at a time (faster than ``add``).

        Each batch is written in one transaction: what this returns is in the index (on
        disk, for a file index) when it returns.

        Raises:
            InputError: on an id added before or repeated in the batch; nothing of that batch
                is added then.
        """
        results: list[Result] = []
        for batch in _batches(documents, self.store.batch_size):
            seen: set[str] = set()
            for doc in batch:
                if doc.id in seen:
                    raise InputError(f"duplicate id {doc.id!r}: ids must be unique",
                                     source=doc.source)
                seen.add(doc.id)
            taken = self.store.stored(seen)
            if taken:
                bad = next(d for d in batch if d.id in taken)
                raise InputError(f"duplicate id {bad.id!r}: ids must be unique",
                                 source=bad.source)
            results.extend(self._run(batch, commit=True))
        return results

    def query(self, document: Document) -> Result:
        """Return what adding ``document`` would report, without adding it."""
        return self._run([document], commit=False)[0]

    def _run(self, batch: list[Document], commit: bool) -> list[Result]:
        try:
            return self._run_batch(batch, commit)
        except IndexMismatchError as exc:  # a damaged stored document: name the index
            raise IndexMismatchError(f"index {self.store.location}: {exc}") from None

    def _run_batch(self, batch: list[Document], commit: bool) -> list[Result]:
        # Takes what an active dedup.parallel.prefetch analyzed in worker processes.
        features = analyze_many(batch, self.config)
        prepared = self._prepare(features)
        self.store.sync()
        # Each document is compared with the index and, when added, the batch before it.
        lookups = BatchLookups(self.store, [item.keys.by_kind for item in prepared],
                               self.config.max_bucket, own=commit,
                               least=self.config.boilerplate_df)
        refs: list[tuple[list[Ref], Check | None]] = []  # each check, with its candidates

        def planned() -> Iterator[Check | None]:
            for kept, check in self._plans(prepared, lookups):
                refs.append((kept, check))
                yield check

        # Checks run while the next ones are planned, and while the batch is written.
        checks = start_checks(planned(), self.config)
        nums = self.store.add([item.entry() for item in prepared], time.time()) if commit else []
        found: list[list[Match]] = []
        for (kept, check), checked in zip(refs, checks.results(), strict=True):
            found.append([match for _, match in checked])
            for position, match in checked:
                where, n = kept[position]
                if where == 0 and check is not None and match.a not in self._order:
                    self._order[match.a] = n  # a stored document, reported on by this one
                    self._published[match.a] = check.others[position][2]
        if commit:
            for kind, name in ((DOC, "document_bands"), (PASSAGE, "passages")):
                self.capped[name] = self.capped.get(name, 0) + lookups.capped[kind]
            for item, num in zip(prepared, nums, strict=True):
                self._order[item.features.id] = num
                self._published[item.features.id] = item.features.published
            for matches in found:
                self._matches.extend(matches)
        return [Result(f.id, f.source, f.encoding, f.repairs, tuple(f.repeats), f.text,
                       f.cleaned, tuple(m), f.truncated)
                for f, m in zip(features, found, strict=True)]

    def _prepare(self, features: list[Features]) -> list[_Prepared]:
        """Pair each document with its index keys (computed here if no worker did)."""
        missing = [f for f in features if f.keys is None]
        computed = iter(index_keys(missing, self.config))
        out: list[_Prepared] = []
        for f in features:
            keys = f.keys if f.keys is not None else next(computed)
            out.append(_Prepared(f, keys, parse_published(f.published),
                                 (f.id, f.source, f.published, keys.payload)))
        return out

    def _plans(self, batch: list[_Prepared],
               lookups: BatchLookups) -> Iterator[tuple[list[Ref], Check | None]]:
        """Plan the verification of each document of ``batch``, in order: its candidates,
        and its check (``None`` when there is nothing to compare with).

        Planned ``_PLAN_AHEAD`` at a time, so that the index's counts of the candidates'
        sentences are read for all of them in one call.
        """
        least = self.config.boilerplate_df
        for start in range(0, len(batch), _PLAN_AHEAD):
            plans = [self._plan(item, position, lookups, batch)
                     for position, item in enumerate(batch[start:start + _PLAN_AHEAD], start)]
            lookups.ask(np.concatenate([plan.theirs for plan in plans]))
            for position, plan in enumerate(plans, start):
                check = None
                if plan.others:
                    stop = np.concatenate([plan.boilerplate,
                                           lookups.boilerplate(plan.theirs, position, least)])
                    check = Check(batch[position].packed, plan.others, stop)
                yield plan.kept, check

    def _plan(self, item: _Prepared, position: int, lookups: BatchLookups,
              batch: list[_Prepared]) -> _Plan:
        """Plan the verification of ``item`` (at ``position`` in ``batch``): its candidates
        (those in the window), its sentences that are boilerplate, and the candidates'
        sentences that it lacks, whose counts the caller asks for several articles at once.
        """
        keys = item.keys
        boilerplate = lookups.boilerplate(keys.units, position, self.config.boilerplate_df,
                                          own=True)
        refs = find_candidates(keys.by_kind, keys.anchors, item.features.units,
                               keys.sentence_bands, position, lookups, boilerplate, self.config)
        stored = [n for where, n in refs if where == 0]
        records = self.store.records(stored) if stored else {}
        kept: list[Ref] = []
        others: list[Packed] = []
        for where, n in refs:
            if where == 0:
                rec = records.get(n)  # None: removed meanwhile by another process
                if rec is None or not self._in_window(rec.published_ts, item.published_ts):
                    continue
                packed: Packed = (rec.id, rec.source, rec.published, rec.payload)
            else:
                if not self._in_window(batch[n].published_ts, item.published_ts):
                    continue
                packed = batch[n].packed
            kept.append((where, n))
            others.append(packed)
        theirs = (sorted_unique(np.concatenate([unit_keys(p[3], p[0]) for p in others]))
                  if others else np.zeros(0, dtype=np.uint64))
        return _Plan(kept, tuple(others), boilerplate, theirs[~in_sorted(keys.units, theirs)])

    def _in_window(self, ts: float | None, new_ts: float | None) -> bool:
        """Say whether a document published at ``ts`` is compared with one at ``new_ts``."""
        if self.window is None or ts is None or new_ts is None:
            return True
        return abs(ts - new_ts) <= self.window.total_seconds()

    # Forgetting ---------------------------------------------------------------------------

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents from the index by id; return the ids that were there."""
        return self.store.remove(ids)

    def prune(self, before: datetime | str | None = None,
              keep: timedelta | None = None) -> list[str]:
        """Remove every document published (else added) before a moment; return their ids.

        Args:
            before: The moment (a datetime, or an ISO 8601 string).
            keep: Or: how much of the recent past to keep (``timedelta(days=30)``).

        Raises:
            ConfigError: unless exactly one of ``before`` and ``keep`` is given.
        """
        if (before is None) == (keep is None):
            raise ConfigError("give exactly one of 'before' (a date) and 'keep' (a timedelta)")
        if keep is not None:
            cutoff = time.time() - keep.total_seconds()
        elif isinstance(before, datetime):
            cutoff = (before if before.tzinfo else before.replace(tzinfo=UTC)).timestamp()
        else:
            parsed = parse_published(before)
            if parsed is None:
                raise ConfigError(f"'before' must be an ISO 8601 date or date-time "
                                  f"(got {before!r})")
            cutoff = parsed
        return self.remove(self.store.expired(cutoff))

    def stats(self) -> dict[str, Any]:
        """Return the size of the index: documents, postings, bytes (backend-specific)."""
        return self.store.stats()

    def check(self) -> list[str]:
        """Return the problems an integrity check of the index finds (none when sound)."""
        return self.store.check()

    def compact(self) -> int:
        """Give back the index's unused space (a file's free pages); return the bytes."""
        return self.store.compact()

    def report(self, results: Iterable[Result] = (), errors: Iterable[Problem] = ()) -> Report:
        """Return a report of ``results`` with every match and cluster found so far."""
        return Report(self.config, list(results), self.matches, self.clusters(), list(errors),
                      capped=dict(self.capped))


def scan(documents: Iterable[Document], config: Config | None = None,
         index: str | os.PathLike[str] | Store | None = None,
         window: timedelta | None = None, *,
         on_result: Callable[[Result], object] | None = None,
         keep: Literal["text", "summary", "none"] = "text") -> Report:
    """Find repeats and matches among ``documents`` and return the report.

    Documents with an id seen before in the input are reported as errors and skipped; with
    an ``index``, documents already in it are listed in ``skipped`` and not compared again.
    A document whose analysis or comparison fails (a bug, or an input no limit foresaw) is
    reported as an error naming its id, and the others are processed.

    Args:
        documents: The documents, read lazily, a batch at a time.
        config: As for :class:`Detector`.
        index: As for :class:`Detector`.
        window: As for :class:`Detector`.
        on_result: Called with each document's whole :class:`Result` (texts included) as
            soon as its batch is added: to write results as they come, or to keep the
            cleaned texts wanted.
        keep: What ``report.documents`` holds: ``"text"``, every :class:`Result` whole;
            ``"summary"``, each without its ``text`` and ``cleaned`` (both ``""``), which is
            all the reports print, so that memory does not grow with the text; ``"none"``,
            nothing, and ``report.matches`` is empty too (for callers that take each result,
            with its matches, from ``on_result``; the clusters are still reported).

    Raises:
        ConfigError: if ``keep`` is not one of the three.

    >>> text = "Officials said the bridge would reopen in May after repairs to its deck."
    >>> report = scan([Document("a", text), Document("b", text)])
    >>> [(m.a, m.b, m.kind) for m in report.matches]
    [('a', 'b', 'exact')]
    >>> [(d.id, d.cleaned) for d in scan([Document("a", text)], keep="summary").documents]
    [('a', '')]
    """
    if keep not in ("text", "summary", "none"):
        raise ConfigError(f"'keep' must be 'text', 'summary' or 'none' (got {keep!r})")
    results: list[Result] = []
    errors: list[Problem] = []
    skipped: list[str] = []
    seen: set[str] = set()
    pairs: list[tuple[str, str]] = []
    with Detector(config, index, window=window) as detector:
        for batch in _batches(documents, detector.store.batch_size):
            fresh: list[Document] = []
            for doc in batch:
                if doc.id in seen:
                    errors.append(Problem(doc.source or doc.id,
                                          f"duplicate id {doc.id!r}: the later document was "
                                          "skipped", id=doc.id))
                else:
                    seen.add(doc.id)
                    fresh.append(doc)
            if index is not None and fresh:
                old = detector.store.stored(d.id for d in fresh)
                skipped.extend(d.id for d in fresh if d.id in old)
                fresh = [d for d in fresh if d.id not in old]
            for result in _add_each(detector, fresh, errors):
                if on_result is not None:
                    on_result(result)
                if keep == "text":
                    results.append(result)
                elif keep == "summary":
                    results.append(replace(result, text="", cleaned=""))
            if keep == "none":
                # The caller has each match (in its result): keep what clusters need only.
                pairs.extend((m.a, m.b) for m in detector._matches)
                detector._matches.clear()
        if keep == "none":
            report = Report(detector.config, [], [], build_clusters(
                detector._order, detector._published, pairs), errors,
                capped=dict(detector.capped))
        else:
            report = detector.report(results, errors)
    report.skipped = skipped
    return report


def _add_each(detector: Detector, documents: list[Document],
              errors: list[Problem]) -> list[Result]:
    """Add a batch; if that fails, add its documents one by one and report those that fail.

    A failure of the index itself (a full disk, a lost connection), or one that every
    document of the batch meets alone, is no document's fault: it is raised.
    """
    try:
        return detector.add_many(documents)
    except _STORE_FAILURES:
        raise
    except Exception as exc:
        if len(documents) == 1:
            failed: list[tuple[Document, Exception]] = [(documents[0], exc)]
            results: list[Result] = []
        else:
            failed, results = [], []
            for doc in documents:
                try:
                    results.extend(detector.add_many([doc]))
                except _STORE_FAILURES:
                    raise
                except Exception as alone:
                    failed.append((doc, alone))
            if not results:
                raise failed[0][1] from None
    for doc, problem in failed:
        _log.debug("document %r could not be processed", doc.id, exc_info=problem)
        if isinstance(problem, InputError):
            message = f"{problem.reason}; skipped"
        else:
            message = (f"could not be processed ({type(problem).__name__}: "
                       f"{str(problem)[:200]}); skipped, the rest was processed. This is a "
                       "bug in dedup: please report it with this document")
        errors.append(Problem(doc.source or doc.id, message, id=doc.id))
    return results
