"""Passage candidate keys compared: what each scheme finds, and what it costs an index.

A scheme decides which documents a new one is verified against, besides the document bands
and the exact text. For each scheme this prints, pair by pair (no index, no stop buckets but
the boilerplate rule below):

- how many labelled related pairs it makes candidates (seeds, Clough against the source,
  PAN true pairs, the generated test feed of ``tests/test_detector.py``), and how many
  unrelated ones (the other seed pairs, Clough ``non`` answers);
- on a generated feed (``benchmarks/feed.py`` output with its truth file), the share of
  related pairs found, the rate of chance candidates among unrelated pairs, the keys an
  article is posted under, the share of a new article's keys already posted by the first
  ``--base`` articles (on a file index, each such key costs page reads) and the postings it
  reads (buckets capped at ``max_bucket``).

Schemes: ``Srows x bands hN``: sentence LSH bands (content stems of each sentence, the
detector's signatures), a sentence hitting a document when N bands collide, two sentences
making it a candidate; ``Aw``: anchors, the smallest word 5-gram hash of every ``w`` (the
detector's :func:`dedup.shingle.anchors`), one shared anchor making a candidate. As in the
detector, sentences and anchors held by ``boilerplate_df`` documents of the base count for
nothing. The default is ``S5x3 h1 + A11``.

Usage::

    .venv/bin/python benchmarks/feed.py 11000 --seed 1 --out /tmp/feed11k.jsonl
    .venv/bin/python -m benchmarks.candidate_keys /tmp/feed11k.jsonl --base 10000 --probes 1000
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations, islice
from pathlib import Path

import numpy as np

from benchmarks.quality import load_clough
from benchmarks.quality_base import DEFAULT_CORPORA, FOLDERS, SEEDS
from benchmarks.quality_pan import load_pan
from dedup import Config, Document, normalize
from dedup.index import band_keys
from dedup.minhash import MinHasher
from dedup.parallel import analyze_many
from dedup.shingle import U64, anchors, token_hashes

CONFIG = Config()
SENTENCE_SCHEMES = {"S16x2 h2": (16, 2, 2), "S10x3 h1": (10, 3, 1), "S5x3 h1": (5, 3, 1)}
WINDOWS = (5, 11, 21)
DEFAULT = "S5x3 h1 + A11"


@dataclass
class Keys:
    """One document's keys under every scheme."""

    id: str
    units: U64  # exact sentence keys, in unit order
    bands: dict[str, U64]  # scheme -> (units, bands) keys
    anchors: dict[int, U64]  # window -> anchors


def prepare(docs: Sequence[Document]) -> list[Keys]:
    """Analyze ``docs`` as the detector does and compute every scheme's keys."""
    features = analyze_many(list(docs), CONFIG, workers=1)
    stems = [u.stems for f in features for u in f.units]
    hasher = MinHasher(CONFIG.passage_num_perm, CONFIG.seed)
    sigs = hasher.signatures(stems) if stems else np.zeros((0, CONFIG.passage_num_perm))
    out, pos = [], 0
    for f in features:
        n = len(f.units)
        mine = sigs[pos : pos + n]
        pos += n
        tokens = token_hashes(normalize(f.cleaned))
        out.append(Keys(
            f.id, np.array([u.key for u in f.units], dtype=np.uint64),
            {name: band_keys(mine, b, r) if n else np.zeros((0, b), dtype=np.uint64)
             for name, (b, r, _) in SENTENCE_SCHEMES.items()},
            {w: anchors(tokens, CONFIG.word_ngram, w) for w in WINDOWS}))
    return out


class Rules:
    """Candidate rules, with the boilerplate of a base of documents left out."""

    def __init__(self, base: Sequence[Keys] = ()) -> None:
        least = CONFIG.boilerplate_df
        units = Counter(k for d in base for k in set(d.units.tolist()))
        self.boiler = {k for k, c in units.items() if c >= least}
        self.stop: dict[int, set[int]] = {}
        for w in WINDOWS:
            held = Counter(k for d in base for k in d.anchors[w].tolist())
            self.stop[w] = {k for k, c in held.items() if c >= least}

    def kept_units(self, d: Keys) -> np.ndarray:
        return np.array([k not in self.boiler for k in d.units.tolist()], dtype=bool)

    def kept_anchors(self, d: Keys, w: int) -> U64:
        return np.array([k for k in d.anchors[w].tolist() if k not in self.stop[w]],
                        dtype=np.uint64)

    def sentences(self, a: Keys, b: Keys, name: str) -> bool:
        hits = SENTENCE_SCHEMES[name][2]
        keep = self.kept_units(a)
        if not keep.any() or not len(b.units):
            return False
        hit = np.isin(a.bands[name][keep], b.bands[name].ravel()).sum(axis=1) >= hits
        return int(hit.sum()) >= min(2, int(keep.sum()))

    def anchored(self, a: Keys, b: Keys, w: int) -> bool:
        return bool(np.isin(self.kept_anchors(a, w), b.anchors[w]).any())

    def schemes(self) -> dict[str, Callable[[Keys, Keys], bool]]:
        rules: dict[str, Callable[[Keys, Keys], bool]] = {
            name: (lambda a, b, n=name: self.sentences(a, b, n)) for name in SENTENCE_SCHEMES}
        for w in WINDOWS:
            rules[f"A{w}"] = lambda a, b, w=w: self.anchored(a, b, w)
        rules[DEFAULT] = lambda a, b: self.sentences(a, b, "S5x3 h1") or self.anchored(a, b, 11)
        return rules

    def keys(self, d: Keys, scheme: str) -> U64:
        """The keys ``d`` is looked up under (boilerplate left out)."""
        parts = []
        for part in scheme.split(" + "):
            if part.startswith("A"):
                parts.append(self.kept_anchors(d, int(part[1:])))
            else:
                name = next(n for n in SENTENCE_SCHEMES if n.startswith(part.split()[0]))
                parts.append(np.unique(d.bands[name][self.kept_units(d)]))
        return np.unique(np.concatenate(parts))


def labelled_groups(corpora: Path) -> dict[str, list[tuple[Keys, Keys]]]:
    """Labelled pairs: related ones, and unrelated ones on the same topics."""
    from tests.test_detector import generated_feed

    groups: dict[str, list[tuple[Keys, Keys]]] = {}
    seeds = {d.id: d for d in prepare([Document(p.stem, p.read_text(encoding="utf-8"))
                                       for p in sorted(SEEDS.glob("*.txt"))])}
    related = {frozenset(("001_22eb800b89b5fc2c", "004_4255ebb52fea5816"))}
    pairs = list(combinations(sorted(seeds), 2))
    groups["seeds: rewrite"] = [(seeds[a], seeds[b]) for a, b in pairs if {a, b} in related]
    groups["seeds: unrelated"] = [(seeds[a], seeds[b]) for a, b in pairs
                                  if {a, b} not in related]
    if (corpora / FOLDERS["clough"]).is_dir():
        docs, labels = load_clough(corpora / FOLDERS["clough"])
        found = {d.id: d for d in prepare(docs)}
        for category in ("cut", "light", "heavy", "non"):
            groups[f"clough: {category}"] = [
                (found[a], found[f"orig_task{task}"])
                for a, (task, cat) in labels.items() if cat == category]
    if (corpora / FOLDERS["pan"]).is_dir():
        docs, truth, _, _ = load_pan(corpora / FOLDERS["pan"])
        wanted = {d for pair in truth for d in pair}
        found = {d.id: d for d in prepare([d for d in docs if d.id in wanted])}
        groups["pan: true pairs"] = [tuple(found[d] for d in sorted(p))  # type: ignore[misc]
                                     for p in truth]
    test_feed = {d.id: d for d in prepare(generated_feed())}
    groups["test feed: variants"] = [(d, test_feed[i.split("-")[0]])
                                     for i, d in test_feed.items() if "-v" in i]
    return groups


def feed_measures(path: Path, base_n: int, probes_n: int) -> None:
    """Recall, chance candidates and index cost of every scheme on a generated feed."""
    truth_path = path.with_name(path.stem + ".truth.jsonl")
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in islice(fh, base_n + probes_n)]
    with truth_path.open(encoding="utf-8") as fh:
        truth = [json.loads(line) for line in islice(fh, base_n + probes_n)]
    docs = prepare([Document(r["id"], r["text"]) for r in rows])
    base, probes = docs[:base_n], docs[base_n:]
    by_id = {d.id: d for d in docs}
    family = {t["id"]: t["family"] for t in truth}
    related = [(by_id[t["id"]], by_id[t["parent"]], t["relation"]) for t in truth[base_n:]
               if t.get("parent") in by_id and t["parent"] != t["id"]]
    rng = np.random.default_rng(0)
    chance: list[tuple[Keys, Keys]] = []
    while len(chance) < 3000:
        a, b = probes[rng.integers(len(probes))], base[rng.integers(len(base))]
        if family[a.id] != family[b.id]:
            chance.append((a, b))
    rules = Rules(base)
    print(f"\n{path.name}: {base_n:,} base articles, {len(probes):,} new; "
          f"{len(related)} related pairs ({dict(Counter(r for _, _, r in related))})")
    print("| scheme | keys an article | posted | postings read | related found | chance rate |")
    print("|---|---:|---:|---:|---|---:|")
    for name, rule in rules.schemes().items():
        posted: Counter[int] = Counter()
        for d in base:
            posted.update(rules.keys(d, name).tolist())
        sizes = [[posted.get(k, 0) for k in rules.keys(d, name).tolist()] for d in probes]
        keys = np.median([len(s) for s in sizes])
        share = np.mean([sum(1 for c in s if c) / max(1, len(s)) for s in sizes])
        read = np.mean([sum(min(c, CONFIG.max_bucket) for c in s) for s in sizes])
        found = Counter(r for a, b, r in related if rule(a, b))
        total = Counter(r for _, _, r in related)
        rate = sum(rule(a, b) for a, b in chance) / len(chance)
        print(f"| {name} | {keys:.0f} | {share:.3f} | {read:,.0f} | "
              + ", ".join(f"{r} {found[r]}/{total[r]}" for r in sorted(total))
              + f" | {rate:.4f} |", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("feed", type=Path, nargs="?", help="a benchmarks/feed.py JSONL")
    parser.add_argument("--base", type=int, default=10_000)
    parser.add_argument("--probes", type=int, default=1_000)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    args = parser.parse_args(argv)
    rules = Rules().schemes()
    print("| pairs | " + " | ".join(rules) + " |")
    print("|---|" + "---:|" * len(rules))
    for group, pairs in labelled_groups(args.corpora).items():
        counts = [sum(bool(rule(a, b) or rule(b, a)) for a, b in pairs) for rule in rules.values()]
        print(f"| {group} ({len(pairs)}) | " + " | ".join(map(str, counts)) + " |", flush=True)
    if args.feed:
        feed_measures(args.feed, args.base, args.probes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
