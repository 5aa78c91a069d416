"""The streaming detector: documents go in one at a time or in batches, matches come out.

Each new document is analyzed, its candidates are read from two LSH indexes (whole documents,
for copies; sentences, for partial copies and rewrites), each candidate is verified, and the
document is added. Matches link documents into clusters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from dedup import __version__
from dedup.cluster import Cluster, build_clusters
from dedup.config import Config
from dedup.document import Document, Features, Unit, analyze
from dedup.errors import InputError
from dedup.index import BandIndex, optimal_params
from dedup.match import Match, compare
from dedup.minhash import MinHasher
from dedup.repeats import Repeat
from dedup.shingle import U32, U64

__all__ = ["Detector", "Problem", "Report", "Result", "scan"]

_BATCH = 256


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
    """What the detector found about one document when it was added."""

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
    """Everything a scan found: documents, matches, clusters and input problems."""

    config: Config
    documents: list[Result] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """Return the JSON report object described in DESIGN.md."""
        return {
            "dedup_version": __version__,
            "config": self.config.to_dict(),
            "documents": [d.to_dict() for d in self.documents],
            "matches": [m.to_dict() for m in self.matches],
            "clusters": [c.to_dict() for c in self.clusters],
            "errors": [e.to_dict() for e in self.errors],
        }


def _batches(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


class Detector:
    """Finds internal repeats and cross-document matches in a stream of documents.

    Args:
        config: Settings; ``Config()`` by default.

    >>> det = Detector()
    >>> text = "Officials said the bridge would reopen in May after repairs to its deck."
    >>> _ = det.add(Document("a", text))
    >>> [m.kind for m in det.add(Document("b", text)).matches]
    ['exact']
    """

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        cfg = self.config
        self.hasher = MinHasher(cfg.num_perm, cfg.seed)
        self.passage_hasher = MinHasher(cfg.passage_num_perm, cfg.seed)
        bands, rows = optimal_params(cfg.threshold, cfg.num_perm)
        self.doc_index = BandIndex(bands, rows, cfg.max_bucket)
        self.passage_index = BandIndex(cfg.passage_bands, cfg.passage_rows, cfg.max_bucket)
        self._features: list[Features] = []
        self._position: dict[str, int] = {}
        self._exact: dict[bytes, int] = {}
        self._unit_df: dict[int, int] = {}
        self._matches: list[Match] = []

    def __len__(self) -> int:
        return len(self._features)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._position

    @property
    def matches(self) -> list[Match]:
        """Every match found so far, in the order found."""
        return list(self._matches)

    def clusters(self) -> list[Cluster]:
        """Return the clusters of the documents added so far."""
        order = {f.id: i for i, f in enumerate(self._features)}
        published = {f.id: f.published for f in self._features}
        return build_clusters(order, published, ((m.a, m.b) for m in self._matches))

    def add(self, document: Document) -> Result:
        """Analyze ``document``, match it against everything added before, and add it.

        Raises:
            InputError: if a document with the same id was added before.
        """
        return self.add_many([document])[0]

    def add_many(self, documents: Iterable[Document]) -> list[Result]:
        """Add documents in order, computing signatures a batch at a time (faster than ``add``).

        Raises:
            InputError: on an id added before or repeated in the batch; nothing of that batch
                is added then.
        """
        results: list[Result] = []
        for batch in _batches(documents, _BATCH):
            seen: set[str] = set()
            for doc in batch:
                if doc.id in self._position or doc.id in seen:
                    raise InputError(f"duplicate id {doc.id!r}: ids must be unique",
                                     source=doc.source)
                seen.add(doc.id)
            features = [analyze(doc, self.config) for doc in batch]
            doc_keys = self.doc_index.keys(self.hasher.signatures([f.shingles for f in features]))
            unit_keys = self._unit_keys(features)
            for feat, keys, units in zip(features, doc_keys, unit_keys, strict=True):
                results.append(self._add(feat, keys, units))
        return results

    def _unit_keys(self, features: list[Features]) -> list[U64]:
        """Return, per document, the passage-index keys of its sentences ``(units, bands)``."""
        stems: list[U32] = [u.stems for f in features for u in f.units]
        keys = self.passage_index.keys(self.passage_hasher.signatures(stems))
        out: list[U64] = []
        pos = 0
        for f in features:
            out.append(keys[pos : pos + len(f.units)])
            pos += len(f.units)
        return out

    def _candidates(self, feat: Features, doc_keys: U64, unit_keys: U64) -> list[int]:
        found = set(self.doc_index.query(doc_keys))
        exact = self._exact.get(feat.exact_key)
        if exact is not None and feat.words:
            found.add(exact)
        hits: dict[int, int] = {}
        for keys in unit_keys:
            for doc in self.passage_index.query(keys):
                hits[doc] = hits.get(doc, 0) + 1
        needed = min(2, len(feat.units))
        found.update(doc for doc, count in hits.items() if count >= needed)
        return sorted(found)

    def _is_boilerplate(self, unit: Unit) -> bool:
        return self._unit_df.get(unit.key, 0) >= self.config.boilerplate_df

    def _add(self, feat: Features, doc_keys: U64, unit_keys: U64) -> Result:
        found: list[Match] = []
        for other in self._candidates(feat, doc_keys, unit_keys):
            match = compare(self._features[other], feat, self.config, self._is_boilerplate)
            if match is not None:
                found.append(match)
        position = len(self._features)
        self._features.append(feat)
        self._position[feat.id] = position
        self._exact.setdefault(feat.exact_key, position)
        self.doc_index.insert(position, doc_keys)
        for keys in unit_keys:
            self.passage_index.insert(position, np.unique(keys))
        for key in {u.key for u in feat.units}:
            self._unit_df[key] = self._unit_df.get(key, 0) + 1
        self._matches.extend(found)
        return Result(feat.id, feat.source, feat.encoding, feat.repairs, tuple(feat.repeats),
                      feat.text, feat.cleaned, tuple(found), feat.truncated)

    def report(self, results: Iterable[Result] = (), errors: Iterable[Problem] = ()) -> Report:
        """Return a report of ``results`` with every match and cluster found so far."""
        return Report(self.config, list(results), self.matches, self.clusters(), list(errors))


def scan(documents: Iterable[Document], config: Config | None = None) -> Report:
    """Find repeats and matches among ``documents`` and return the report.

    Documents with an id seen before are reported as errors and skipped.

    >>> text = "Officials said the bridge would reopen in May after repairs to its deck."
    >>> report = scan([Document("a", text), Document("b", text)])
    >>> [(m.a, m.b, m.kind) for m in report.matches]
    [('a', 'b', 'exact')]
    """
    detector = Detector(config)
    results: list[Result] = []
    errors: list[Problem] = []
    for batch in _batches(documents, _BATCH):
        fresh: list[Document] = []
        for doc in batch:
            if doc.id in detector or any(d.id == doc.id for d in fresh):
                errors.append(Problem(doc.source or doc.id,
                                      f"duplicate id {doc.id!r}: the later document was skipped",
                                      id=doc.id))
            else:
                fresh.append(doc)
        results.extend(detector.add_many(fresh))
    return detector.report(results, errors)
