"""Write a large synthetic JSONL feed, and measure the peak memory of ``dedup scan`` on it.

Writing: records are news-like: sentences of function words and of content words drawn from
a fixed vocabulary with a Zipf-like spread, about 3 KB each; one record in 20 is a copy of an
earlier one with a sentence changed, so matching has work to do. Fixed seed, so the same size
gives the same file. (``benchmarks/feed.py`` writes a more realistic feed; either can be
measured.)

Measuring (``--measure``): each mode runs in its own process on the first MB of the feed
given by each ``--prefix-mb`` (0: the whole feed); the peak RSS is the kernel's
(``os.wait4``), and the RSS is also sampled every few seconds with the input position
reached, and with the memory of its worker processes (``--workers``; proportional set sizes,
so that pages they share count once), so that a run stopped at ``--limit`` (SIGTERM) still
shows how memory grew. Modes:
``read`` (read and parse every record, nothing else), ``index`` (``dedup scan --index FILE
-f jsonl``), ``memory`` (``dedup scan -f jsonl``, the in-memory index) and ``json``
(``dedup scan -f json``, in memory).

Usage (the measurements in docs/robustness.md):

    .venv/bin/python benchmarks/feed.py 240000 --out /tmp/big.jsonl          # about 1 GB
    .venv/bin/python benchmarks/large_jsonl.py /tmp/big.jsonl --measure read index \
        --prefix-mb 0
    .venv/bin/python benchmarks/large_jsonl.py /tmp/big.jsonl --measure memory index \
        --prefix-mb 5 10 20 40
    .venv/bin/python benchmarks/large_jsonl.py /tmp/big.jsonl --measure memory --workers 2 \
        --prefix-mb 0 --limit 3600
    rm /tmp/big.jsonl /tmp/big.truth.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

_VOCAB = 200_000
# Function words make up about half of news text; the detector drops them from sentences.
_STOPWORDS = [
    "the", "of", "and", "to", "a", "in", "that", "is", "was", "he", "for", "it", "with",
    "as", "his", "on", "be", "at", "by", "had", "are", "but", "from", "or", "have", "an",
    "they", "which", "one", "you", "were", "her", "all", "she", "there", "would", "their",
    "we", "him", "been", "has", "when", "who", "will", "more", "no", "if", "out", "so",
    "said", "what", "up", "its", "about", "into", "than", "them", "can", "only", "other",
    "new", "some", "could", "time", "these", "two", "may", "then", "do", "first", "any",
    "my", "now",
]


def _vocabulary(rng: np.random.Generator) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 11, size=_VOCAB)
    return ["".join(rng.choice(letters, size=n)) for n in lengths]


def _article(rng: np.random.Generator, vocab: list[str], cdf: np.ndarray) -> str:
    lengths = rng.integers(8, 25, size=int(rng.integers(15, 35)))
    # Inverse-CDF sampling of all the words at once: rng.choice(p=...) is far slower.
    total = int(lengths.sum())
    words = np.searchsorted(cdf, rng.random(total))
    function = rng.random(total) < 0.45
    stop = rng.integers(len(_STOPWORDS), size=total)
    tokens = [_STOPWORDS[s] if f else vocab[w]
              for w, f, s in zip(words.tolist(), function.tolist(), stop.tolist(), strict=True)]
    sentences = []
    start = 0
    for n in lengths.tolist():
        sentence = " ".join(tokens[start : start + n])
        start += n
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    return "\n".join(paragraphs)


def _write(path: str, mb: float, seed: int) -> int:
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng)
    ranks = np.arange(1, _VOCAB + 1, dtype=np.float64)
    # Zipf-like with a flattened head: no content word is in every sentence.
    weights = 1.0 / (ranks + 2000.0)
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0
    target = int(mb * 1_000_000)
    written = 0
    count = 0
    recent: list[str] = []
    with open(path, "w", encoding="utf-8") as out:
        while written < target:
            if recent and rng.random() < 0.05:
                base = recent[int(rng.integers(len(recent)))]
                lines = base.split("\n")
                lines[int(rng.integers(len(lines)))] = _article(rng, vocab, cdf).split("\n")[0]
                text = "\n".join(lines)
            else:
                text = _article(rng, vocab, cdf)
                recent.append(text)
                if len(recent) > 500:
                    recent.pop(0)
            line = json.dumps({"id": f"doc{count}", "text": text}) + "\n"
            out.write(line)
            written += len(line)
            count += 1
    print(f"{count} records, {written} bytes", file=sys.stderr)
    return 0


# -- measuring ---------------------------------------------------------------------------------

_READ = ("from dedup.io import read_paths; import sys; p = []; "
         "n = sum(1 for _ in read_paths([sys.argv[1]], p)); print(n, len(p))")
_SAMPLE_S = 5.0


def _prefix(feed: Path, mb: float, folder: Path) -> Path:
    """Return the feed cut after the first line that reaches ``mb`` MB (0: the feed itself)."""
    if mb <= 0:
        return feed
    target = int(mb * 1_000_000)
    cut = folder / f"prefix-{mb:g}mb.jsonl"
    with feed.open("rb") as src, cut.open("wb") as dst:
        written = 0
        for line in src:
            dst.write(line)
            written += len(line)
            if written >= target:
                break
    return cut


def _command(mode: str, feed: Path, folder: Path, workers: int) -> list[str]:
    python = sys.executable
    scan = [python, "-m", "dedup.cli", "scan", "--workers", str(workers), str(feed)]
    report = str(folder / "report")
    if mode == "read":
        return [python, "-c", _READ, str(feed)]
    if mode == "index":
        return [*scan, "--index", str(folder / "index.dedup"), "-f", "jsonl", "-o", report]
    if mode == "memory":
        return [*scan, "-f", "jsonl", "-o", report]
    if mode == "json":
        return [*scan, "-f", "json", "-o", report]
    raise ValueError(f"unknown mode {mode!r}: use read, index, memory or json")


def _proc_mb(pid: int, file: str, name: str, missing: float) -> float:
    """Return the ``name:`` line (in kB) of ``/proc/PID/FILE`` in MB, ``missing`` if absent."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="ascii") as lines:
            for line in lines:
                if line.startswith(name + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return missing


def _rss_mb(pid: int) -> float:
    return _proc_mb(pid, "status", "VmRSS", float("nan"))


def _pss_mb(pid: int) -> float:
    """Return the proportional set size of ``pid`` (shared pages split among their users)."""
    return _proc_mb(pid, "smaps_rollup", "Pss", 0.0)


def _tree_mb(pid: int) -> float:
    """Return the memory of ``pid`` and all its descendants (worker processes), in MB: the
    sum of their proportional set sizes, so that pages they share count once."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(_pss_mb(p) for p in tree)


def _position_mb(pid: int, feed: Path) -> float:
    """Return how far the process has read ``feed`` (its file offset), in MB."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(feed):
                with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as info:
                    return int(info.readline().split()[1]) / 1e6
    except (OSError, ValueError, IndexError):
        pass
    return float("nan")


def _run(mode: str, feed: Path, folder: Path, limit: float, workers: int) -> dict[str, object]:
    """Run one mode on ``feed``; return its peak RSS, time, samples and how it ended."""
    for old in folder.glob("index.dedup*"):
        old.unlink()
    start = time.monotonic()
    proc = subprocess.Popen(_command(mode, feed, folder, workers), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    samples: list[tuple[float, float, float, float]] = []
    stopped = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        elapsed = time.monotonic() - start
        if elapsed > limit and not stopped:
            proc.send_signal(signal.SIGTERM)
            stopped = True
        if not samples or elapsed - samples[-1][0] >= _SAMPLE_S:
            samples.append((elapsed, _position_mb(proc.pid, feed), _rss_mb(proc.pid),
                            _tree_mb(proc.pid)))
        time.sleep(0.5)
    proc.returncode = os.waitstatus_to_exitcode(status)
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    documents = None
    if mode == "read":
        documents = int(out.split()[0]) if out.split() else None
    elif (folder / "report").exists() and mode != "json":
        with (folder / "report").open("rb") as report:
            documents = sum(1 for line in report if line.startswith(b'{"type": "document"'))
    index = sum(p.stat().st_size for p in folder.glob("index.dedup*"))
    return {"mode": mode, "input_mb": feed.stat().st_size / 1e6, "documents": documents,
            "seconds": time.monotonic() - start, "peak_rss_mb": usage.ru_maxrss / 1024,
            "exit": proc.returncode, "stopped": stopped, "index_mb": index / 1e6,
            "peak_sampled_with_workers_mb": max((t for *_, t in samples), default=float("nan")),
            "samples": samples, "stderr": err.strip()[-300:]}


def _measure(feed: Path, modes: list[str], prefixes: list[float], limit: float,
             workers: int) -> int:
    print(f"load average at start: {os.getloadavg()}", flush=True)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="dedup-mem-") as tmp:
        folder = Path(tmp)
        for mb in prefixes:
            cut = _prefix(feed, mb, folder)
            for mode in modes:
                row = _run(mode, cut, folder, limit, workers)
                rows.append(row)
                print(json.dumps({k: v for k, v in row.items() if k != "samples"}), flush=True)
                for elapsed, position, rss, tree in row["samples"]:  # type: ignore[attr-defined]
                    print(f"    {elapsed:7.0f} s  read {position:8.1f} MB  RSS {rss:8.1f} MB"
                          f"  with workers (PSS) {tree:8.1f} MB", flush=True)
            if cut != feed:
                cut.unlink()
    print(f"load average at end: {os.getloadavg()}")
    print("\n| mode | input MB | documents | time s | peak RSS MB | index MB | finished |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mode']} | {r['input_mb']:.1f} | {r['documents']} | {r['seconds']:.0f} | "
              f"{r['peak_rss_mb']:.0f} | {r['index_mb']:.0f} | "
              f"{'no (stopped)' if r['stopped'] else 'exit ' + str(r['exit'])} |")
    for mode in modes:
        done = [r for r in rows if r["mode"] == mode and not r["stopped"]]
        for a, b in itertools.pairwise(done):
            slope = ((b["peak_rss_mb"] - a["peak_rss_mb"])  # type: ignore[operator]
                     / (b["input_mb"] - a["input_mb"]))  # type: ignore[operator]
            print(f"{mode}: {slope:.2f} MB of peak RSS per MB of input "
                  f"({a['input_mb']:.0f} to {b['input_mb']:.0f} MB)")
    return 0


def main() -> int:
    """Write the feed (or, with ``--measure``, measure scans of it); print what was done."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--mb", type=float, default=100.0, help="size to write, in MB")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1, help="dedup scan --workers")
    parser.add_argument("--measure", nargs="+", metavar="MODE",
                        choices=("read", "index", "memory", "json"),
                        help="measure these modes on the feed at PATH instead of writing it")
    parser.add_argument("--prefix-mb", nargs="+", type=float, default=[0.0],
                        help="measure on the first MB of the feed (0: all of it)")
    parser.add_argument("--limit", type=float, default=1800.0,
                        help="seconds after which a run is stopped with SIGTERM")
    args = parser.parse_args()
    if args.measure:
        return _measure(Path(args.path).resolve(), args.measure, args.prefix_mb, args.limit,
                        args.workers)
    return _write(args.path, args.mb, args.seed)


if __name__ == "__main__":
    sys.exit(main())
