"""Write a large synthetic JSONL feed, to measure the peak memory of ``dedup scan`` on it.

Records are news-like: sentences of function words and of content words drawn from a fixed
vocabulary with a Zipf-like spread, about 3 KB each; one record in 20 is a copy of an earlier
one with a sentence changed, so matching has work to do. Fixed seed, so the same size gives
the same file.

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
    # Zipf-like with a flattened head: no content word is in every sentence.
    weights = 1.0 / (ranks + 2000.0)
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0
    target = int(args.mb * 1_000_000)
    written = 0
    count = 0
    recent: list[str] = []
    with open(args.path, "w", encoding="utf-8") as out:
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


if __name__ == "__main__":
    sys.exit(main())
