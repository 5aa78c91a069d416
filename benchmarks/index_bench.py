"""Benchmark of the persistent index: adds per second, query latency, bytes per article.

Sections (all on a generated news-like feed with fixed seeds; timings are wall-clock on
whatever machine runs this, so say which; add rates also in CPU time):

- ``file``: an SQLite index: add throughput of the index (encoding the verification data
  and writing one transaction per batch of 256, ``synchronous=FULL`` and ``NORMAL``), query
  latency of one new article (candidate lookups, reading and decoding the stored
  candidates, the index's part of a query, and verification apart), bytes per article and
  per posting kind, and datasketch's in-memory ``MinHashLSH`` bytes per article for the same
  signatures.
- ``add``: adds alone (encoding and writing), on new files, ``--rounds`` times.
- ``million``: the same index grown to ``--million`` articles (real articles of the feed plus
  synthetic ones with the same numbers of keys and the same payloads, random keys), then the
  query latency of new articles against it, and its bytes per article.
- ``existing``: query latency of new articles against an index file a real run left
  (``dedup scan --index FILE``), the articles taken from a JSONL feed after ``--skip``
  records (those the index holds): real keys, which collide as a feed's do, where the
  ``million`` section's random ones never do.
- ``build``: a real-key index file of the first ``--docs`` articles of a JSONL ``--feed``,
  added through the detector's own analysis and keys in batches of ``--batch`` (two
  analysis workers, no verification, ``synchronous=NORMAL``), for ``existing`` to query:
  what a ``dedup scan --index`` of the feed would store, in a fraction of its time.
- ``redis``: add throughput on Redis with 1 and 2 worker processes, dedup's layout (all keys;
  and document bands only, like for like) against datasketch's Redis storage, in one run.

Usage::

    .venv/bin/python benchmarks/index_bench.py file --repeat 3
    .venv/bin/python benchmarks/index_bench.py add --docs 2500 --rounds 3
    .venv/bin/python benchmarks/index_bench.py million --million 1000000 --dir /tmp/bench
    .venv/bin/python benchmarks/index_bench.py build --index /tmp/idx100k.dedup \
        --feed /tmp/big.jsonl --docs 100000
    .venv/bin/python benchmarks/index_bench.py existing --index /tmp/idx100k.dedup \
        --feed /tmp/big.jsonl --skip 100000 --probes 200 --repeat 2
    .venv/bin/python benchmarks/index_bench.py redis --redis redis://127.0.0.1:6379/14
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from dedup import Config, Detector, Document
from dedup.candidates import BatchLookups, find_candidates
from dedup.detector import _Prepared
from dedup.parallel import analyze_many
from dedup.store import DOC, EXACT, PASSAGE, UNIT, Entry
from dedup.store.sqlite import SQLiteStore

_FUNCTION = [
    "the", "a", "of", "to", "and", "in", "that", "for", "on", "is", "was", "with", "said", "by",
    "as", "at", "from", "it", "his", "its", "be", "has", "have", "are", "who", "were", "an",
    "will", "after", "not", "their", "but", "they", "had", "been", "this", "which", "more", "or",
    "also", "than", "its", "over", "about", "into", "up", "one", "two", "new", "when", "would",
    "could", "there",
]
_BATCH = 256


def feed(count: int, seed: int = 0) -> list[Document]:
    """News-like articles: 15-35 sentences of 10-25 words, a third of them function words.

    Content words come from a made-up vocabulary with Zipf-like frequencies; every tenth
    article is a near copy, every tenth a rewrite of an earlier one.
    """
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "do", "ga", "pe", "zu",
                 "fi", "ho", "ja", "an", "er", "ot", "is"]
    vocab = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
             for _ in range(30000)]
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(vocab))]
    docs: list[Document] = []
    stories: list[list[list[str]]] = []
    for i in range(count):
        if stories and i % 10 == 3:
            base = rng.choice(stories)
            sentences = [[rng.choice(vocab) if rng.random() < 0.05 else w for w in s]
                         for s in base]
        elif stories and i % 10 == 7:
            base = rng.choice(stories)
            sentences = [[rng.choice(vocab) if rng.random() < 0.35 else w for w in s]
                         for s in base]
        else:
            sentences = []
            for _ in range(rng.randint(15, 35)):
                n = rng.randint(10, 25)
                content = rng.choices(vocab, weights, k=n)
                sentences.append([rng.choice(_FUNCTION) if rng.random() < 0.33 else w
                                  for w in content])
            stories.append(sentences)
        lines = [" ".join(s).capitalize() + "." for s in sentences]
        text = "\n\n".join(" ".join(lines[j : j + 3]) for j in range(0, len(lines), 3))
        day = 1 + i * 30 // max(count, 1)
        docs.append(Document(f"bench-{seed}-{i}", text, source="bench",
                             published=f"2024-{1 + (day - 1) // 28 % 12:02d}-"
                                       f"{1 + (day - 1) % 28:02d}"))
    return docs


def prepared(docs: list[Document], config: Config) -> list[_Prepared]:
    """Analyze ``docs`` and compute their keys (not timed: analysis is not the index's)."""
    detector = Detector(config)
    out: list[_Prepared] = []
    for start in range(0, len(docs), _BATCH):
        out.extend(detector._prepare(analyze_many(docs[start : start + _BATCH], config)))
    return out


def _percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1e3
    return (f"p50 {np.percentile(ms, 50):.2f} ms, p90 {np.percentile(ms, 90):.2f} ms, "
            f"p99 {np.percentile(ms, 99):.2f} ms (n={len(ms)})")


def add_rate(store: Any, items: list[_Prepared], batch: int = _BATCH) -> tuple[float, float]:
    """Add ``items`` in batches, encoding included; return articles per second of wall-clock
    time and of this process's CPU time (the machine is shared: CPU time is the steadier)."""
    from dataclasses import replace

    from dedup.store.codec import encode_features

    start, cpu = time.perf_counter(), time.process_time()
    for lo in range(0, len(items), batch):
        # The keys stage encoded each payload already (in the analysis workers, in a scan):
        # encode again here, so that the rate includes it (encode_rate gives it alone).
        store.add([replace(item.entry(), payload=encode_features(item.features))
                   for item in items[lo : lo + batch]], time.time())
    return (len(items) / (time.perf_counter() - start),
            len(items) / (time.process_time() - cpu))


def encode_rate(items: list[_Prepared]) -> float:
    """Return payloads encoded per second of CPU time (the part of an add that a scan does
    in its analysis workers)."""
    from dedup.store.codec import encode_features

    cpu = time.process_time()
    for item in items:
        encode_features(item.features)
    return len(items) / (time.process_time() - cpu)


Timings = dict[str, list[float]]


def query_latency(detector: Detector, probes: list[_Prepared]) -> tuple[Timings, list[int]]:
    """Time checking one new article against the index, split into the index's part and
    verification.

    Returns, per article: ``lookups`` (its sentences' counts, document bands, exact key,
    sentence bands: the candidate list), ``fetch`` (reading and decoding every candidate),
    ``query`` (the whole of what :meth:`Detector.query` does after analysis: lookups, fetch,
    the boilerplate counts of the candidates' sentences, and verification), ``verify`` (the
    call of :func:`dedup.match.compare_many` inside it) and ``index`` (``query`` minus
    ``verify``); and the numbers of candidates.
    """
    import dedup.verify as verify_module
    from dedup.store.codec import decode_features

    detector.store.sync()
    limit = detector.config.max_bucket
    timings: Timings = {name: [] for name in ("lookups", "fetch", "index", "verify", "query")}
    counts = []
    spent = [0.0]
    # Verification: the one call of the core per check.
    originals = {"compare_many": verify_module.compare_many}

    def timed(function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start
        return run

    for item in probes:
        start = time.perf_counter()
        keys = item.keys
        lookups = BatchLookups(detector.store, [keys.by_kind], limit, own=False,
                               least=detector.config.boilerplate_df)
        refs = find_candidates(keys.by_kind, keys.anchors, item.features.units,
                               keys.sentence_bands, 0, lookups,
                               lookups.boilerplate(keys.units, 0, detector.config.boilerplate_df),
                               detector.config)
        middle = time.perf_counter()
        for record in detector.store.records([n for _, n in refs]).values():
            decode_features(record.payload, record.id)
        end = time.perf_counter()
        timings["lookups"].append(middle - start)
        timings["fetch"].append(end - middle)
        counts.append(len(refs))
    for name, function in originals.items():
        setattr(verify_module, name, timed(function))
    try:
        for item in probes:
            verify_module._decoded.clear()
            spent[0] = 0.0
            start = time.perf_counter()
            lookups = BatchLookups(detector.store, [item.keys.by_kind], limit, own=False,
                                   least=detector.config.boilerplate_df)
            [(_, check)] = detector._plans([item], lookups)
            if check is not None:
                verify_module.run_check(check, detector.config)
            took = time.perf_counter() - start
            timings["query"].append(took)
            timings["verify"].append(spent[0])
            timings["index"].append(took - spent[0])
    finally:
        for name, function in originals.items():
            setattr(verify_module, name, function)
    return timings, counts


def _report_queries(n: int, result: tuple[Timings, list[int]]) -> None:
    timings, counts = result
    print(f"query, one new article vs {n:,} indexed "
          f"(candidates per article median {int(np.median(counts))}, "
          f"p99 {int(np.percentile(counts, 99))}, max {max(counts)}):")
    for name, label in (("lookups", "key lookups (candidate list)"),
                        ("fetch", "read + decode the candidates"),
                        ("index", "index part of a query (lookups, fetch, counts)"),
                        ("verify", "verification (compare_many)"),
                        ("query", "whole query after analysis")):
        print(f"  {label}: {_percentiles(timings[name])}")


def datasketch_bytes(items: list[_Prepared], config: Config) -> float:
    """Bytes per article that datasketch's in-memory MinHashLSH holds for the same signatures."""
    from datasketch import MinHashLSH

    from dedup.minhash import MinHasher

    hasher = MinHasher(config.num_perm, config.seed)
    sigs = hasher.signatures([i.features.shingles for i in items])
    minhashes = [hasher.to_datasketch(s) for s in sigs]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    for item, m in zip(items, minhashes, strict=True):
        lsh.insert(item.features.id, m)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / len(items)


def section_file(args: argparse.Namespace) -> None:
    config = Config()
    docs = feed(args.docs)
    t = time.perf_counter()
    items = prepared(docs, config)
    print(f"feed: {len(docs)} articles, median {int(np.median([i.features.words for i in items]))}"
          f" words, analyzed in {time.perf_counter() - t:.1f} s (not part of the index)")
    keys = np.array([[len(k) for k in i.keys.by_kind] for i in items])
    print("keys per article (median): doc bands {}, passage bands {}, exact {}, units {}".format(
        *np.median(keys, axis=0).astype(int)))
    folder = Path(args.dir or tempfile.mkdtemp(prefix="dedup-bench-"))
    index_items, probes = items[: -args.probes], items[-args.probes :]
    for sync in ("FULL", "NORMAL"):
        path = folder / f"file-{sync}.dedup"
        for p in folder.glob(path.name + "*"):
            p.unlink()
        store = SQLiteStore(path, synchronous=sync)  # type: ignore[arg-type]
        Detector(config, store)  # writes the header
        rate, cpu_rate = add_rate(store, index_items)
        encoded = encode_rate(index_items)
        print(f"file index add, synchronous={sync}: {rate:,.0f} articles/s wall-clock, "
              f"{cpu_rate:,.0f}/s of CPU time ({len(index_items)} articles, batches of "
              f"{_BATCH}, one core); without encoding the payloads ({encoded:,.0f}/s alone, "
              f"done in the analysis workers in a scan): "
              f"{1 / (1 / cpu_rate - 1 / encoded):,.0f}/s of CPU time")
        store.close()
    with Detector(config, folder / "file-FULL.dedup") as detector:
        stats = detector.stats()
        for rep in range(args.repeat):
            print(f"repeat {rep + 1} of {args.repeat}")
            _report_queries(stats["documents"], query_latency(detector, probes))
    docs_n = stats["documents"]
    used, payload, postings = (stats[k] / docs_n for k in ("used_bytes", "payload_bytes",
                                                            "posting_bytes"))
    print(f"bytes per article: {used:,.0f} on disk (payload {payload:,.0f}, postings "
          f"{postings:,.0f}, rest {used - payload - postings:,.0f})")
    print("  postings per kind, bytes per article (bytes per posting): " + ", ".join(
        f"{name} {nbytes / docs_n:,.0f} ({nbytes / max(1, stats['postings'][name]):.2f})"
        for name, nbytes in stats["posting_bytes_by_kind"].items()))
    print(f"datasketch MinHashLSH (in memory, document bands only): "
          f"{datasketch_bytes(index_items, config):,.0f} bytes per article")


def section_add(args: argparse.Namespace) -> None:
    """Time adds alone, ``--rounds`` times on new files: for comparing two versions of the
    store under the same load (run it alternately with ``PYTHONPATH`` set to another
    checkout's folder)."""
    import dedup

    config = Config()
    items = prepared(feed(args.docs), config)
    folder = Path(args.dir or tempfile.mkdtemp(prefix="dedup-bench-"))
    for rnd in range(args.rounds):
        path = folder / f"add-{os.getpid()}-{rnd}.dedup"
        store = SQLiteStore(path)
        Detector(config, store)
        rate, cpu_rate = add_rate(store, items)
        stats = store.stats()
        used = stats["used_bytes"] / len(items)
        store.close()
        for p in folder.glob(path.name + "*"):
            p.unlink()
        print(f"add, synchronous=FULL, {len(items)} articles, batches of {_BATCH}: "
              f"{cpu_rate:,.0f}/s of CPU time, {rate:,.0f}/s wall-clock, {used:,.0f} bytes an "
              f"article (payload {stats['payload_bytes'] / len(items):,.0f}, postings "
              f"{stats['posting_bytes'] / len(items):,.0f}, segments {stats['segments']}) "
              f"[{Path(dedup.__file__).parent}]", flush=True)


def _synthetic(template: Entry, i: int, rng: np.random.Generator) -> Entry:
    keys = tuple(rng.integers(1, 2**63, len(k), dtype=np.uint64) for k in template.keys)
    return Entry(f"synthetic-{i}", template.source, template.published, template.published_ts,
                 template.words, template.chars, template.payload, keys)  # type: ignore[arg-type]


def section_million(args: argparse.Namespace) -> None:
    config = Config()
    docs = feed(args.docs)
    items = prepared(docs, config)
    index_items, probes = items[: -args.probes], items[-args.probes :]
    templates = [item.entry() for item in index_items]
    folder = Path(args.dir or tempfile.mkdtemp(prefix="dedup-bench-"))
    path = folder / "million.dedup"
    if args.reuse and path.exists():
        print(f"reusing {path} (built by an earlier run with the same --docs)")
        _million_queries(args, config, path, probes)
        return
    for p in folder.glob(path.name + "*"):
        p.unlink()
    store = SQLiteStore(path, synchronous="NORMAL")
    Detector(config, store)
    rng = np.random.default_rng(0)
    total = args.million
    batch = 1024
    start, cpu = time.perf_counter(), time.process_time()
    window = time.perf_counter()
    added = 0
    while added < total - len(index_items):
        n = min(batch, total - len(index_items) - added)
        entries = [_synthetic(templates[(added + j) % len(templates)], added + j, rng)
                   for j in range(n)]
        store.add(entries, time.time())
        added += n
        if added % (100 * batch) < batch:
            now = time.perf_counter()
            print(f"  {added:,} synthetic articles, last {100 * batch / (now - window):,.0f}/s",
                  flush=True)
            window = now
    took, took_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"synthetic build: {added:,} in {took:.0f} s ({added / took:,.0f} articles/s "
          f"wall-clock, {added / took_cpu:,.0f}/s of CPU time; NORMAL, batches of {batch}, "
          "random keys made in the loop)")
    rate, cpu_rate = add_rate(store, index_items)
    print(f"add of {len(index_items)} real articles on top, synchronous=NORMAL: {rate:,.0f}/s "
          f"wall-clock, {cpu_rate:,.0f}/s of CPU time")
    store.close()
    del store  # its postings, held in memory, are loaded again below
    _million_queries(args, config, path, probes)


def _million_queries(args: argparse.Namespace, config: Config, path: Path,
                     probes: list[_Prepared]) -> None:
    import resource

    t = time.perf_counter()
    with Detector(config, path) as detector:
        detector.store.sync()
        print(f"open and load the postings: {time.perf_counter() - t:.1f} s")
        plan = detector.store._db.execute(  # type: ignore[attr-defined]
            "EXPLAIN QUERY PLAN SELECT * FROM docs WHERE num IN (?, ?)", (1, 2)).fetchall()
        print(f"record fetch plan: {plan[-1][-1]}")
        for rep in range(args.repeat):
            print(f"repeat {rep + 1} of {args.repeat}")
            _report_queries(len(detector), query_latency(detector, probes))
        stats = detector.stats()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"bytes per article: {stats['used_bytes'] / stats['documents']:,.0f} on disk "
          f"(file {stats['file_bytes'] / 1e9:.2f} GB), segments {stats['segments']}, "
          f"peak memory of this process {maxrss:.1f} GB")


def section_existing(args: argparse.Namespace) -> None:
    from itertools import islice

    from dedup.detector import Problem
    from dedup.io import read_paths

    if not args.index or not args.feed:
        raise SystemExit("existing: give --index FILE and --feed JSONL")
    problems: list[Problem] = []
    docs = list(islice(read_paths([args.feed], problems), args.skip, args.skip + args.probes))
    if problems or not docs:
        raise SystemExit(f"existing: {len(docs)} articles read after {args.skip:,} from "
                         f"{args.feed}; {len(problems)} problems: {problems[:3]}")
    config = Config()
    probes = prepared(docs, config)
    t = time.perf_counter()
    with Detector(None, args.index) as detector:
        detector.store.sync()
        if detector.config != config:
            raise SystemExit(f"existing: {args.index} was built with other settings")
        print(f"open: {time.perf_counter() - t:.1f} s")
        for rep in range(args.repeat):
            print(f"repeat {rep + 1} of {args.repeat}")
            _report_queries(len(detector), query_latency(detector, probes))


def section_build(args: argparse.Namespace) -> None:
    import resource
    from itertools import islice

    from dedup.detector import Problem
    from dedup.io import read_paths

    if not args.index or not args.feed:
        raise SystemExit("build: give --index FILE (new) and --feed JSONL")
    if Path(args.index).exists():
        raise SystemExit(f"build: {args.index} exists; give a new path")
    config = Config()
    problems: list[Problem] = []
    docs = iter(islice(read_paths([args.feed], problems), args.docs))
    store = SQLiteStore(args.index, synchronous="NORMAL")
    detector = Detector(config, store)
    start, cpu, added = time.perf_counter(), time.process_time(), 0
    while batch := list(islice(docs, args.batch)):
        items = detector._prepare(analyze_many(batch, config, workers=2))
        store.add([item.entry() for item in items], time.time())
        added += len(items)
        if added % (args.batch * 25) == 0:
            print(f"  {added:,} articles, {time.perf_counter() - start:.0f} s", flush=True)
    stats = detector.stats()
    detector.close()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(f"built {args.index}: {added:,} articles in {time.perf_counter() - start:.0f} s "
          f"(this process {time.process_time() - cpu:.0f} s CPU, peak {maxrss:,.0f} MB), "
          f"{stats['used_bytes'] / max(1, added):,.0f} bytes an article, segments "
          f"{stats['segments']}; {len(problems)} input problems")


def _redis_worker(kind: str, url: str, items: list[Any], queue: Any) -> None:
    from dedup.store.redis import RedisStore

    start = time.perf_counter()
    if kind == "datasketch":
        import redis
        from datasketch import MinHashLSH

        client = redis.Redis.from_url(url)
        conn = client.connection_pool.connection_kwargs
        lsh = MinHashLSH(threshold=0.5, num_perm=128, storage_config={
            "type": "redis", "basename": b"dsbench",
            "redis": {"host": conn.get("host", "127.0.0.1"), "port": conn.get("port", 6379),
                      "db": conn.get("db", 0)}})
        with lsh.insertion_session(buffer_size=50000) as session:
            for key, minhash in items:
                session.insert(key, minhash)
    else:
        store = RedisStore(url)
        for lo in range(0, len(items), _BATCH):
            store.add(items[lo : lo + _BATCH], time.time())
        store.close()
    queue.put(time.perf_counter() - start)


def section_redis(args: argparse.Namespace) -> None:

    from dedup.minhash import MinHasher
    from dedup.store.redis import RedisStore

    config = Config()
    docs = feed(args.docs)
    items = prepared(docs, config)
    entries = [i.entry() for i in items]
    doc_only = [Entry(e.id, e.source, e.published, e.published_ts, e.words, e.chars, e.payload,
                      (e.keys[DOC], *(np.zeros(0, np.uint64) for _ in (PASSAGE, EXACT, UNIT))))
                for e in entries]
    hasher = MinHasher(config.num_perm, config.seed)
    sigs = hasher.signatures([i.features.shingles for i in items])
    minhashes = [(e.id, hasher.to_datasketch(s))
                 for e, s in zip(entries, sigs, strict=True)]
    ctx = multiprocessing.get_context("spawn")
    base = args.redis
    sep = "&" if "?" in base else "?"
    for workers in (1, 2):
        for kind, data in (("dedup, all keys", entries), ("dedup, document bands", doc_only),
                           ("datasketch", minhashes)):
            url = f"{base}{sep}name=bench{workers}"
            store = RedisStore(url)
            store.drop()
            if kind != "datasketch":
                Detector(config, store)
            else:
                import redis

                client = redis.Redis.from_url(base.split("?")[0])
                for key in client.scan_iter(match=b"dsbench*", count=1000):
                    client.delete(key)
            queue = ctx.Queue()
            shares = [data[w::workers] for w in range(workers)]
            procs = [ctx.Process(target=_redis_worker,
                                 args=("datasketch" if kind == "datasketch" else "dedup", url,
                                       share, queue)) for share in shares]
            for p in procs:
                p.start()
            took = max(queue.get() for _ in procs)
            for p in procs:
                p.join()
            if kind != "datasketch":
                memory = store.stats()["server_used_memory"]
                assert len(store) == len(data), (len(store), len(data))
                store.drop()
            else:
                for key in client.scan_iter(match=b"dsbench*", count=1000):
                    client.delete(key)
            store.close()
            print(f"redis, {workers} worker(s), {kind}: {len(data) / took:,.0f} articles/s"
                  + (f" (server memory {memory / len(data):,.0f} bytes per article)"
                     if kind != "datasketch" else ""), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("section", choices=("file", "add", "million", "existing", "build",
                                                "redis"))
    parser.add_argument("--docs", type=int, default=5000, help="articles in the feed")
    parser.add_argument("--probes", type=int, default=500, help="new articles to query")
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="query timing runs")
    parser.add_argument("--rounds", type=int, default=1, help="add: timed rounds")
    parser.add_argument("--reuse", action="store_true",
                        help="million: time queries on the index an earlier run left in --dir")
    parser.add_argument("--index", help="existing: the index file")
    parser.add_argument("--feed", help="existing: a JSONL feed, the index's articles first")
    parser.add_argument("--skip", type=int, default=0,
                        help="existing: records of --feed the index already holds")
    parser.add_argument("--batch", type=int, default=1024, help="build: articles a batch")
    parser.add_argument("--dir", help="folder for the index files (default: a temp folder)")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL",
                                                          "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()
    {"file": section_file, "add": section_add, "million": section_million,
     "existing": section_existing, "build": section_build,
     "redis": section_redis}[args.section](args)


if __name__ == "__main__":
    main()
