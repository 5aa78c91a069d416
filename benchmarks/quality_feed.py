"""The generated-feed section of the quality harness: the kinds dedup gives against the truth
relations ``benchmarks/feed.py`` writes."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from benchmarks.quality_base import (
    KIND_COLUMNS,
    Section,
    table,
    timed_scan,
)
from dedup import Config, Document, normalize

# ------------------------------------------------------------------------------------- feed


#: The kind each relation of the generated feed calls for (a pair whose two texts normalize
#: to the same text calls for ``exact`` whatever its relation). Relations not here are shown
#: in the matrix but not counted in the share.
FEED_KINDS = {"syndicated": "near_duplicate", "light_edit": "near_duplicate",
              "partial": "partial", "rewrite": "rewrite"}
FEED_ARTICLES = 2_000
FEED_SEED = 1
#: Share of the feed's new stories that are automated reports from templates (earnings,
#: match results, weather): two reports of one template are different stories.
FEED_TEMPLATED = 0.2


def evaluate_feed(corpora: Path, config: Config, n: int = FEED_ARTICLES,
                  seed: int = FEED_SEED) -> Section:
    """Kinds against the generated feed's truth relations (``benchmarks/feed.py``).

    Each derived article's truth names its parent and its relation; the pair's kind is the
    kind of dedup's link between them (``none`` without one). Links between two articles of
    one family that are not parent and child (two copies of one story), and between
    families, are counted apart.
    """
    from benchmarks import feed

    start = time.perf_counter()
    rows = list(feed.iter_records(n, seed, feed.load_vocabulary(corpora),
                                  templated=FEED_TEMPLATED))
    made = time.perf_counter() - start
    docs = [Document(r["id"], r["text"]) for r, _ in rows]
    texts = {r["id"]: r["text"] for r, _ in rows}
    truth = [t for _, t in rows]
    report, seconds = timed_scan(docs, config)
    links = {frozenset((m.a, m.b)): m for m in report.matches}
    family = {str(t["id"]): str(t["family"]) for t in truth}
    related = {frozenset((str(t["parent"]), str(t["id"]))): str(t["relation"])
               for t in truth if t["parent"] is not None}
    matrix: dict[str, Counter[str]] = {}
    agree = counted = 0
    for pair, relation in sorted(related.items(), key=lambda kv: sorted(kv[0])):
        kind = links[pair].kind if pair in links else "none"
        a, b = sorted(pair)
        expected = "exact" if normalize(texts[a]) == normalize(texts[b]) else \
            FEED_KINDS.get(relation)
        if expected is not None:
            counted += 1
            agree += kind == expected
        matrix.setdefault(relation, Counter())[kind] += 1
    for pair, m in links.items():
        if pair in related:
            continue
        a, b = sorted(pair)
        row = "same family, not parent-child" if family[a] == family[b] else \
            "different families"
        matrix.setdefault(row, Counter())[m.kind] += 1
    share = agree / counted if counted else float("nan")
    order = list(dict.fromkeys(r for r in (*feed.RELATIONS[1:], *sorted(matrix))
                               if r in matrix))
    text = [
        f"{n} generated articles (seed {seed}, made in {made:.1f} s), "
        f"{len(related)} parent-child pairs, {len(links)} links, scan {seconds:.1f} s",
        "Kind of dedup's link per truth relation (expected: "
        + ", ".join(f"{r} -> {k}" for r, k in FEED_KINDS.items())
        + "; `exact` when the two texts normalize alike). The last rows count links only:",
        table(["relation", *KIND_COLUMNS],
              [[r, *(matrix[r][k] for k in KIND_COLUMNS)] for r in order]),
        f"Related pairs given the kind of their relation: {agree} of {counted} "
        f"({share:.3f}).",
    ]
    return Section("feed", "\n".join(text), {
        "articles": n, "seed": seed, "scan_seconds": seconds, "agree": agree,
        "counted": counted, "share": share,
        "matrix": {r: dict(c) for r, c in matrix.items()}})
