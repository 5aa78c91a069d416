"""What runs on Spark's executors: analysis and verification with the library's own code.

Both work on Arrow record batches (``DataFrame.mapInArrow``) and need no Spark themselves,
so they are tested as plain functions. Analysis is :func:`dedup.analyze` and
:func:`dedup.keys.index_keys` (the same signatures, keys and payload the local index stores);
verification is :func:`dedup.verify.run_check`, the check a local scan runs in its worker
processes, fed the candidates' stored payloads (not their text).

Keys are unsigned 64-bit numbers; Spark has no such type, so they travel as ``long`` with the
same bits (equality, the only thing done with them in Spark, is unchanged).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from dedup.config import Config
from dedup.detector import parse_published
from dedup.document import Document, Features, analyze
from dedup.keys import IndexKeys, index_keys
from dedup.match import Match
from dedup.verify import Check, run_check

__all__ = [
    "ANALYSIS_SCHEMA",
    "INPUT_COLUMNS",
    "MATCH_SCHEMA",
    "VERIFY_COLUMNS",
    "analyze_batches",
    "match_row",
    "verify_batches",
]

#: Columns the analysis reads: arrival order, id, text, source, published.
INPUT_COLUMNS = ("p", "id", "text", "source", "published")

_REPEAT = "struct<line:int,end_line:int,first_line:int,first_end_line:int,similarity:double," \
          "exact:boolean>"
#: What the analysis gives per document (Spark DDL). ``error`` is set, and the rest empty,
#: when the document could not be analyzed. ``pass_keys``: the passage keys, each with
#: whether it is an anchor and which sentences (rows of ``unit_rows``) have it as a band key.
ANALYSIS_SCHEMA = (
    "p long, id string, source string, published string, published_ts double, error string, "
    "repairs int, truncated boolean, cleaned string, "
    f"repeats array<{_REPEAT}>, payload binary, bands array<long>, "
    "pass_keys array<struct<key:long,anchor:boolean,rows:array<int>>>, "
    "units array<long>, unit_rows array<long>, exact array<long>"
)

_PASSAGE_DDL = "struct<a_lines:array<int>,b_lines:array<int>,similarity:double>"
#: A verified match (Spark DDL): ``a_p`` and ``b_p`` are the arrival orders of ``a`` and ``b``.
MATCH_SCHEMA = (
    "a_p long, b_p long, a string, b string, kind string, jaccard double, a_in_b double, "
    f"b_in_a double, score double, passages array<{_PASSAGE_DDL}>"
)
#: Columns the verification reads: the new document, its candidates (``others``, each with
#: its arrival order ``q``), and of each the sentences many documents hold (``common``: key
#: ``u`` and ``t``, the arrival order of the ``boilerplate_df``-th document holding it).
VERIFY_COLUMNS = ("p", "id", "source", "published", "payload", "common", "others")


def _signed(keys: np.ndarray[Any, Any]) -> list[int]:
    """Return uint64 keys as the int64 numbers with the same bits (Spark's ``long``)."""
    return np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64).tolist()  # type: ignore[no-any-return]


def _pass_keys(keys: IndexKeys) -> list[dict[str, object]]:
    """Return each passage key of a document with its anchor flag and sentence rows."""
    anchors = set(_signed(keys.anchors))
    rows: dict[int, list[int]] = {}
    for row, bands in enumerate(keys.sentence_bands):
        for key in _signed(bands):
            rows.setdefault(key, []).append(row)
    return [{"key": key, "anchor": key in anchors, "rows": rows.get(key, [])}
            for key in _signed(keys.passages)]


def _analyzed(p: int, features: Features, keys: IndexKeys) -> dict[str, object]:
    return {
        "p": p, "id": features.id, "source": features.source, "published": features.published,
        "published_ts": parse_published(features.published), "error": None,
        "repairs": features.repairs, "truncated": features.truncated,
        "cleaned": features.cleaned,
        "repeats": [{"line": r.line, "end_line": r.end_line, "first_line": r.first_line,
                     "first_end_line": r.first_end_line, "similarity": r.similarity,
                     "exact": r.exact} for r in features.repeats],
        "payload": keys.payload, "bands": _signed(keys.bands), "pass_keys": _pass_keys(keys),
        "units": _signed(keys.units),
        "unit_rows": _signed(np.array([u.key for u in features.units], dtype=np.uint64)),
        "exact": _signed(keys.exact),
    }


def _failed(row: dict[str, Any], exc: Exception) -> dict[str, object]:
    return {"p": row["p"], "id": row["id"], "source": row["source"],
            "published": row["published"],
            "error": f"could not be processed ({type(exc).__name__}: {str(exc)[:200]}); "
                     "skipped, the rest was processed. This is a bug in dedup: please report "
                     "it with this document"}


def analyze_rows(rows: list[dict[str, Any]], config: Config) -> list[dict[str, object]]:
    """Analyze documents given as rows of :data:`INPUT_COLUMNS`; one output row each.

    The keys are signed a batch at a time (the signer is faster on many documents); a
    document whose analysis fails gets a row with ``error`` set instead.

    >>> row = {"p": 0, "id": "a", "text": "Officials said the bridge would reopen in May.",
    ...        "source": None, "published": "2024-03-01"}
    >>> out = analyze_rows([row], Config())[0]
    >>> out["id"], out["error"], out["published_ts"], len(out["exact"])
    ('a', None, 1709251200.0, 1)
    """
    done: list[tuple[int, Features]] = []
    out: list[dict[str, object] | None] = [None] * len(rows)
    for i, row in enumerate(rows):
        try:
            done.append((i, analyze(Document(row["id"], row["text"] or "", row["source"],
                                             row["published"]), config)))
        except Exception as exc:
            out[i] = _failed(row, exc)
    for (i, features), keys in zip(done, index_keys([f for _, f in done], config),
                                   strict=True):
        out[i] = _analyzed(rows[i]["p"], features, keys)
    return [row for row in out if row is not None]


def analyze_batches(batches: Iterator[pa.RecordBatch], config: Config,
                    schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Analyze each Arrow batch of :data:`INPUT_COLUMNS` rows (for ``mapInArrow``)."""
    for batch in batches:
        yield pa.RecordBatch.from_pylist(analyze_rows(batch.to_pylist(), config), schema=schema)


def match_row(a_p: int, b_p: int, match: Match) -> dict[str, object]:
    """Return ``match`` as a row of :data:`MATCH_SCHEMA`."""
    return {"a_p": a_p, "b_p": b_p, "a": match.a, "b": match.b, "kind": match.kind,
            "jaccard": match.jaccard, "a_in_b": match.a_in_b, "b_in_a": match.b_in_a,
            "score": match.score,
            "passages": [{"a_lines": list(p.a_lines), "b_lines": list(p.b_lines),
                          "similarity": p.similarity} for p in match.passages]}


def verify_row(row: dict[str, Any], config: Config) -> list[dict[str, object]]:
    """Verify one new document (a row of :data:`VERIFY_COLUMNS`) against its candidates.

    A sentence is boilerplate in this check when ``boilerplate_df`` documents that arrived
    before the new one hold it (as the local detector counts it when the document arrives).
    """
    p = row["p"]
    others = sorted(row["others"], key=lambda other: other["q"])  # in the order they arrived
    stop = {c["u"] for doc in (row, *others) for c in (doc["common"] or ()) if c["t"] < p}
    check = Check((row["id"], row["source"], row["published"], row["payload"]),
                  tuple((o["id"], o["source"], o["published"], o["payload"]) for o in others),
                  np.unique(np.array(sorted(stop), dtype=np.int64).view(np.uint64)))
    return [match_row(others[position]["q"], p, match)
            for position, match in run_check(check, config)]


def verify_batches(batches: Iterator[pa.RecordBatch], config: Config,
                   schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Verify each Arrow batch of :data:`VERIFY_COLUMNS` rows (for ``mapInArrow``)."""
    for batch in batches:
        found = [match for row in batch.to_pylist() for match in verify_row(row, config)]
        yield pa.RecordBatch.from_pylist(found, schema=schema)
