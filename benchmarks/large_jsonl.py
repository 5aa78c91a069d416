"""Write a large synthetic JSONL feed, to measure the peak memory of ``dedup scan`` on it.

Records are news-like: sentences of words drawn from a fixed vocabulary with a Zipf-like
spread, about 3 KB each; one record in 20 is a copy of an earlier one with a sentence changed,
so matching has work to do. Fixed seed, so the same size gives the same file.

Usage (the measurement in docs/robustness.md):

    .venv/bin/python benchmarks/large_jsonl.py /tmp/big.jsonl --mb 1024
    /usr/bin/time -v .venv/bin/dedup scan /tmp/big.jsonl -f json -o /tmp/big.report.json
    rm /tmp/big.jsonl /tmp/big.report.json
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

_VOCAB = 30_000


def _vocabulary(rng: np.random.Generator) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 11, size=_VOCAB)
    return ["".join(rng.choice(letters, size=n)) for n in lengths]


def _article(rng: np.random.Generator, vocab: list[str], weights: np.ndarray) -> str:
    sentences = []
    for _ in range(int(rng.integers(15, 35))):
        words = rng.choice(len(vocab), size=int(rng.integers(8, 25)), p=weights)
        sentence = " ".join(vocab[w] for w in words)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    return "\n".join(paragraphs)


def main() -> int:
    """Write the feed; print the number of records and bytes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--mb", type=float, default=100.0, help="size to write, in MB")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    vocab = _vocabulary(rng)
    ranks = np.arange(1, _VOCAB + 1, dtype=np.float64)
    weights = 1.0 / ranks
    weights /= weights.sum()
    target = int(args.mb * 1_000_000)
    written = 0
    count = 0
    recent: list[str] = []
    with open(args.path, "w", encoding="utf-8") as out:
        while written < target:
            if recent and rng.random() < 0.05:
                base = recent[int(rng.integers(len(recent)))]
                lines = base.split("\n")
                lines[int(rng.integers(len(lines)))] = _article(rng, vocab, weights).split("\n")[0]
                text = "\n".join(lines)
            else:
                text = _article(rng, vocab, weights)
                recent.append(text)
                if len(recent) > 500:
                    recent.pop(0)
            line = json.dumps({"id": f"doc{count}", "text": text}) + "\n"
            out.write(line)
            written += len(line)
            count += 1
    print(f"{count} records, {written} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
