"""dedup against the libraries users would pick instead, side by side in one process.

On one generated feed (``benchmarks/feed.py``) this times, per library:

- signatures from raw text (128 permutations): dedup's repair + normalize + word 5-grams +
  MinHash; datasketch as its docs teach (``MinHash.update_batch`` with its default SHA-1 hash,
  and ``MinHash.bulk``); rensa's ``RMinHash.update``; and the minimal numpy kernel (hash array
  times permutations, then min) on dedup's shingles, the floor of any numpy signer;
- indexing: LSH insert and query of the signatures (dedup ``BandIndex``, datasketch
  ``MinHashLSH``, rensa ``RMinHashLSH``), threshold 0.5;
- end to end: documents in, pairs out. For dedup that is ``scan`` (with verification); for
  the peers, signatures plus LSH candidates (what their docs stop at).

Each timing is the median of ``--repeats`` runs, as documents per second of wall time and of
CPU time of this process (the machine is shared: CPU time is the steadier of the two). Peak
memory of each end-to-end run is measured in a fresh child process (``ru_maxrss`` minus the
child's size after imports), since rensa's Rust heap is invisible to ``tracemalloc``. Recall
and precision come from the feed's ground truth, so that no speed is bought with misses.

Usage::

    python benchmarks/compare.py --n 2000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.feed import Truth, iter_records
from dedup import Config, Document, normalize, scan
from dedup.index import BandIndex, optimal_params
from dedup.minhash import MinHasher
from dedup.parallel import prefetch, signatures_of_texts, word_shingles_of_text

THRESHOLD = 0.5
NUM_PERM = 128

try:
    import rensa
except ImportError:  # an optional peer: `pip install rensa`
    rensa = None


def load_feed(n: int, seed: int, path: Path | None) -> tuple[list[dict[str, str]], Truth]:
    """Return the feed's records and truth, read from ``path`` or generated in memory."""
    if path is not None:
        truth = Truth.load(path.with_name(path.stem + ".truth.jsonl"))
        with path.open(encoding="utf-8") as f:
            records = [json.loads(line) for _, line in zip(range(n), f, strict=False)]
        return records, truth.restricted(r["id"] for r in records)
    rows = list(iter_records(n, seed))
    return [r for r, _ in rows], Truth.from_rows(t for _, t in rows)


def shingle_strings(text: str, n: int = 5) -> list[bytes]:
    """Word 5-grams as a datasketch user writes them, over the same comparison text as dedup."""
    words = normalize(text).split()
    if len(words) < n:
        return [" ".join(words).encode()] if words else []
    return [" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)]


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """Return the median wall and CPU seconds of ``repeats`` calls, and the last result."""
    walls, cpus = [], []
    result = None
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), result


# -- the contenders ---------------------------------------------------------------------------


def dedup_signatures(texts: list[str]) -> np.ndarray:
    return signatures_of_texts(texts, Config(num_perm=NUM_PERM))


def kernel_signatures(shingles: list[np.ndarray]) -> np.ndarray:
    """The floor: ``(h[:, None] * a + b).min(axis=0)`` per document, nothing else."""
    hasher = MinHasher(NUM_PERM, 1)
    a, b = hasher.a, hasher.b
    return np.stack([(h[:, None] * a + b).min(axis=0) if h.size else hasher.empty()
                     for h in shingles])


def datasketch_signatures(texts: list[str]) -> list[Any]:
    from datasketch import MinHash

    out = []
    for text in texts:
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch(shingle_strings(text))
        out.append(m)
    return out


def datasketch_bulk(texts: list[str]) -> list[Any]:
    from datasketch import MinHash

    return list(MinHash.bulk([shingle_strings(t) for t in texts], num_perm=NUM_PERM))


def rensa_signatures(texts: list[str]) -> list[Any]:
    out = []
    for text in texts:
        m = rensa.RMinHash(num_perm=NUM_PERM, seed=1)
        m.update([s.decode() for s in shingle_strings(text)])
        out.append(m)
    return out


def dedup_index(signatures: np.ndarray) -> set[tuple[int, int]]:
    bands, rows = optimal_params(THRESHOLD, NUM_PERM)
    index = BandIndex(bands, rows)
    pairs: set[tuple[int, int]] = set()
    keys = index.keys(signatures)
    for i, k in enumerate(keys):
        pairs.update((j, i) for j in index.query(k))
        index.insert(i, k)
    return pairs


def datasketch_index(minhashes: list[Any]) -> set[tuple[int, int]]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    pairs: set[tuple[int, int]] = set()
    for i, m in enumerate(minhashes):
        pairs.update((j, i) for j in lsh.query(m))
        lsh.insert(i, m)
    return pairs


def rensa_index(minhashes: list[Any]) -> set[tuple[int, int]]:
    bands, _ = optimal_params(THRESHOLD, NUM_PERM)
    # rensa needs num_perm divisible by its bands: the closest divisor of 128 to datasketch's.
    bands = min((b for b in range(1, NUM_PERM + 1) if NUM_PERM % b == 0),
                key=lambda b: abs(b - bands))
    lsh = rensa.RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=bands)
    pairs: set[tuple[int, int]] = set()
    for i, m in enumerate(minhashes):
        pairs.update((j, i) for j in lsh.query(m))
        lsh.insert(i, m)
    return pairs


def dedup_scan(records: list[dict[str, str]], workers: int = 1) -> set[tuple[str, str]]:
    docs = [Document(r["id"], r["text"], r.get("source"), r.get("published")) for r in records]
    config = Config()
    if workers > 1:
        with prefetch(docs, config, workers) as ahead:
            report = scan(ahead, config)
    else:
        report = scan(docs, config)
    return {(m.a, m.b) for m in report.matches}


def _ids(pairs: Iterable[tuple[int, int]], records: list[dict[str, str]]
         ) -> set[tuple[str, str]]:
    return {(records[a]["id"], records[b]["id"]) for a, b in pairs}


END_TO_END: dict[str, Callable[[list[dict[str, str]]], set[tuple[str, str]]]] = {
    "dedup scan (1 process)": lambda recs: dedup_scan(recs, 1),
    "dedup scan (2 workers)": lambda recs: dedup_scan(recs, 2),
    "datasketch update_batch + MinHashLSH": lambda recs: _ids(
        datasketch_index(datasketch_signatures([r["text"] for r in recs])), recs),
}
if rensa is not None:
    END_TO_END["rensa RMinHash + RMinHashLSH"] = lambda recs: _ids(
        rensa_index(rensa_signatures([r["text"] for r in recs])), recs)


def _child_peak(name: str, records: list[dict[str, str]], out: Any) -> None:
    from dedup.parallel import shutdown_workers

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    END_TO_END[name](records)
    out.send((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024)
    shutdown_workers()  # a Process child ends without atexit: stop its workers here


def peak_memory_mb(name: str, records: list[dict[str, str]]) -> float:
    """Peak resident memory (MiB) that one end-to-end run adds to a fresh process."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child_peak, args=(name, records, send))
    child.start()
    send.close()  # the child holds the only writer: its death ends recv with EOFError
    try:
        value = float(receive.recv())
    except EOFError:
        child.join()
        raise SystemExit(f"the peak-memory run of {name!r} died (exit code {child.exitcode}): "
                         "its traceback is above") from None
    child.join()
    return value


# -- the run ----------------------------------------------------------------------------------


SECTIONS = ("signatures", "index", "end_to_end")


def run(n: int, seed: int, repeats: int, feed: Path | None, memory: bool,
        e2e_n: int | None = None, sections: Iterable[str] = SECTIONS) -> dict[str, Any]:
    """Run every comparison and return the numbers (also printed as tables)."""
    records, truth = load_feed(n, seed, feed)
    texts = [r["text"] for r in records]
    n = len(texts)
    kb = sum(len(t.encode()) for t in texts) / n / 1024
    print(f"feed: {n} articles, mean {kb:.1f} KB, seed {seed}; medians of {repeats} runs; "
          f"rensa {'present' if rensa is not None else 'NOT INSTALLED'}")
    results: dict[str, Any] = {"n": n, "mean_kb": kb, "signatures": {}, "index": {},
                               "end_to_end": {}}

    def report(section: str, name: str, wall: float, cpu: float) -> None:
        results[section][name] = {"docs_per_s": n / wall, "docs_per_s_cpu": n / cpu}
        print(f"  {name:44s} {n / wall:10.0f} docs/s  {n / cpu:10.0f} docs/s (CPU)")

    print("signatures from raw text (128 permutations)")
    w, c, sigs = timed(lambda: dedup_signatures(texts), repeats)
    report("signatures", "dedup", w, c)
    shingles = [word_shingles_of_text(t) for t in texts]
    hasher = MinHasher(NUM_PERM, 1)
    w, c, _ = timed(lambda: hasher.signatures(shingles), repeats)
    report("signatures", "dedup signature step alone (MinHasher)", w, c)
    w, c, _ = timed(lambda: kernel_signatures(shingles), repeats)
    report("signatures", "minimal numpy kernel (h*a+b).min", w, c)
    w, c, ds = timed(lambda: datasketch_signatures(texts), repeats)
    report("signatures", "datasketch update_batch", w, c)
    w, c, _ = timed(lambda: datasketch_bulk(texts), repeats)
    report("signatures", "datasketch MinHash.bulk", w, c)
    rs = None
    if rensa is not None:
        w, c, rs = timed(lambda: rensa_signatures(texts), repeats)
        report("signatures", "rensa RMinHash.update", w, c)

    wanted = set(sections)
    if "index" in wanted:
        _run_index(sigs, ds, rs, repeats, report)
    if "end_to_end" in wanted:
        _run_end_to_end(records, truth, e2e_n, repeats, memory, results)
    _print_ratios(results["signatures"])
    return results


def _run_index(sigs: np.ndarray, ds: list[Any], rs: list[Any] | None, repeats: int,
               report: Callable[[str, str, float, float], None]) -> None:
    print("index: LSH insert + query, threshold 0.5")
    w, c, _ = timed(lambda: dedup_index(sigs), repeats)
    report("index", "dedup BandIndex", w, c)
    w, c, _ = timed(lambda: datasketch_index(ds), repeats)
    report("index", "datasketch MinHashLSH", w, c)
    if rs is not None:
        w, c, _ = timed(lambda: rensa_index(rs), repeats)
        report("index", "rensa RMinHashLSH", w, c)


def _run_end_to_end(records: list[dict[str, str]], truth: Truth, e2e_n: int | None,
                    repeats: int, memory: bool, results: dict[str, Any]) -> None:
    subset = records[: e2e_n or len(records)]
    truth = truth.restricted(r["id"] for r in subset)
    print(f"end to end: documents in, pairs out ({len(subset)} articles)")
    for name, fn in END_TO_END.items():
        w, c, pairs = timed(lambda fn=fn: fn(subset), repeats)  # type: ignore[misc]
        results["end_to_end"][name] = {"docs_per_s": len(subset) / w,
                                       "docs_per_s_cpu": len(subset) / c}
        print(f"  {name:44s} {len(subset) / w:10.0f} docs/s  {len(subset) / c:10.0f} docs/s "
              "(CPU of this process)")
        scores = truth.score(pairs)
        entry = results["end_to_end"][name]
        entry.update(scores)
        if memory:
            entry["peak_mb"] = peak_memory_mb(name, subset)
        print("    " + "  ".join(f"{k}={v:.3f}" if isinstance(v, float) and v < 2 else
                                   f"{k}={v:.0f}" for k, v in entry.items()
                                   if k not in ("docs_per_s", "docs_per_s_cpu")))


def _print_ratios(sig: dict[str, Any]) -> None:
    print("ratios (dedup / peer, wall and CPU)")
    ours = [k for k in sig if k == "dedup"]
    for peer in [k for k in sig if not k.startswith(("dedup", "minimal"))]:
        for mine in ours:
            wall = sig[mine]["docs_per_s"] / sig[peer]["docs_per_s"]
            cpu = sig[mine]["docs_per_s_cpu"] / sig[peer]["docs_per_s_cpu"]
            label = f"{mine.split(' (')[0]} vs {peer}"
            print(f"  signatures {label:48s} {wall:6.1f}x  {cpu:6.1f}x")
    step = sig["dedup signature step alone (MinHasher)"]
    floor = sig["minimal numpy kernel (h*a+b).min"]
    print(f"  signature step cost / numpy kernel cost: "
          f"{floor['docs_per_s'] / step['docs_per_s']:.2f} (wall) "
          f"{floor['docs_per_s_cpu'] / step['docs_per_s_cpu']:.2f} (CPU)")


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="articles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--feed", type=Path, help="read this JSONL feed instead of generating")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    parser.add_argument("--e2e-n", type=int, help="articles for the end-to-end runs (default: all)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--only", choices=SECTIONS, action="append",
                        help="run only this section (repeatable; signatures always run, "
                        "the others need them)")
    args = parser.parse_args(argv)
    results = run(args.n, args.seed, args.repeats, args.feed, not args.no_memory, args.e2e_n,
                  args.only or SECTIONS)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
