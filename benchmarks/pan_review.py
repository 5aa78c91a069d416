"""Print PAN links the counting rule calls wrong, with their aligned sentences, for a reader.

The PAN subset lists only some of its related pairs (``pairs_all``), so a link it does not
list may still be a copy. This script shows what such links rest on, so that a person can
judge them::

    .venv/bin/python -m benchmarks.quality --only pan --json pan.json
    .venv/bin/python -m benchmarks.pan_review pan.json --kind rewrite --sample 40 --seed 1

By default it picks the links of ``--kind`` that share no verbatim passage of
``partial_words`` words (fewer word shingles than such a run gives, the rule ``compare``
applies): the ones only sentence alignment supports. Each is measured again with
:func:`dedup.compare` (boilerplate: the sentences of ``boilerplate_df`` pages or more, as the
scan counts them) and printed with its first aligned sentence pairs, side by side.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

import numpy as np

from benchmarks import corpora_dir
from benchmarks.quality import load_pan
from dedup import Config, analyze, compare
from dedup.match import _verbatim_shingles


def _lines(text: str, span: tuple[int, int], width: int) -> str:
    lines = text.split("\n")[span[0] - 1: span[1]]
    return " ".join(" ".join(lines).split())[:width]


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and print the sample."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("quality_json", type=Path,
                        help="the --json output of benchmarks.quality with PAN in it")
    parser.add_argument("--corpora", type=Path, default=corpora_dir())
    parser.add_argument("--kind", default="rewrite", help="only links of this kind")
    parser.add_argument("--all", action="store_true",
                        help="also links that share a verbatim passage")
    parser.add_argument("--sample", type=int, default=40, help="how many links to print")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=3, help="aligned passages shown per link")
    parser.add_argument("--width", type=int, default=200, help="characters shown per side")
    parser.add_argument("--pan-limit", type=int,
                        help="read only the slice benchmarks.quality --pan-limit N scanned")
    args = parser.parse_args(argv)

    wrong = json.loads(args.quality_json.read_text(encoding="utf-8"))["pan"]["wrong_links"]
    config = Config()
    docs, _, _, _ = load_pan(args.corpora / "pan13_subset", args.pan_limit)
    features = {d.id: analyze(d, config) for d in docs}
    verbatim = _verbatim_shingles(config)
    chosen = [(a, b) for a, b, kind in wrong if kind == args.kind and (
        args.all or len(np.intersect1d(features[a].shingles, features[b].shingles,
                                       assume_unique=True)) < verbatim)]
    print(f"{len(wrong)} links counted wrong; {len(chosen)} of kind {args.kind}"
          + ("" if args.all else f" sharing fewer than {verbatim} word "
             f"{config.word_ngram}-grams"))
    sample = sorted(random.Random(args.seed).sample(chosen, min(args.sample, len(chosen))))

    df = Counter(key for f in features.values() for key in {u.key for u in f.units})
    texts = {d.id: d.text for d in docs}
    aligned = []
    for n, (a, b) in enumerate(sample, start=1):
        match = compare(features[a], features[b], config,
                        lambda u: df[u.key] >= config.boilerplate_df)
        if match is None:
            print(f"\n[{n}] {a} ~ {b}: no match when measured alone")
            continue
        aligned.append(len(match.passages))
        print(f"\n[{n}] {a} ~ {b}: {match.kind}, score {match.score:.3f}, "
              f"{len(match.passages)} aligned passages")
        for p in match.passages[: args.pairs]:
            print(f"  {p.similarity:.2f} A: {_lines(texts[a], p.a_lines, args.width)}")
            print(f"       B: {_lines(texts[b], p.b_lines, args.width)}")
    if aligned:
        print(f"\naligned passages per link: median {np.median(aligned):.0f}, "
              f"min {min(aligned)}, max {max(aligned)}")


if __name__ == "__main__":
    main()
