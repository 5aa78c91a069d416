"""Write tests/cases/verify.json: the verification of a seeded variety of document pairs.

Written from the repository root by ``python tests/cases/make_verify_cases.py`` at commit
cf6dd45, with the numpy implementation of :func:`dedup.match.compare` and ``screen`` (issue
22's rules) that the Rust core (rust/src/verify.rs) replaced in the next commit; ``screen``
is gone since, so the script runs only at that commit. tests/test_verify_cases.py holds
every later implementation to the file. Never regenerate it to make a failing test pass.

The file is self-contained: it keeps the texts (the seeds, and articles of the generated feed
with a vocabulary counted in the seeds only, so no corpus is needed) and, per group, the
boilerplate keys (sentence keys found in three or more of the group's documents). Each case
is a pair ``(a, b)`` of a group, compared with and without the boilerplate keys: the match's
kind, Jaccard, containments, score (rounded to 6 places) and passages, or ``None``; and
whether ``screen`` let the pair through (``screen(b, [a])``, as a check screens a query).
"""

from __future__ import annotations

import collections
import itertools
import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.feed import iter_records, load_vocabulary  # noqa: E402
from dedup import Config, Document, analyze  # noqa: E402
from dedup.document import Features, Unit  # noqa: E402
from dedup.match import Match, compare  # noqa: E402

OUT = ROOT / "tests" / "cases" / "verify.json"
CONFIG = Config()
NO_CORPORA = ROOT / "no-corpora"  # a path that does not exist: the vocabulary of the seeds
BOILERPLATE_DF = 3


def match_fields(match: Match | None) -> dict[str, Any] | None:
    """The match's fields (floats rounded to 6 places), or ``None``."""
    if match is None:
        return None
    return {
        "kind": match.kind,
        "jaccard": round(match.jaccard, 6),
        "a_in_b": round(match.a_in_b, 6),
        "b_in_a": round(match.b_in_a, 6),
        "score": round(match.score, 6),
        "passages": [[*p.a_lines, *p.b_lines, round(p.similarity, 6)] for p in match.passages],
    }


def stop_keys(docs: list[Features]) -> list[int]:
    """Sentence keys found in :data:`BOILERPLATE_DF` or more of ``docs``."""
    df: collections.Counter[int] = collections.Counter()
    for doc in docs:
        df.update({u.key for u in doc.units})
    return sorted(k for k, n in df.items() if n >= BOILERPLATE_DF)


def analyze_all(texts: list[str]) -> list[Features]:
    return [analyze(Document(str(i), text), CONFIG) for i, text in enumerate(texts)]


def groups() -> list[tuple[str, list[str], list[tuple[int, int]]]]:
    """Each group: its name, its texts and the pairs (a, b) of positions to compare."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    out = [("seeds", seeds, [(i, j) for i in range(len(seeds)) for j in range(i + 1, len(seeds))])]
    vocabulary = load_vocabulary(NO_CORPORA)
    small = load_vocabulary(NO_CORPORA, max_words=2000)
    for name, records in (("feed", iter_records(150, 7, vocabulary)),
                          ("templated", iter_records(80, 8, vocabulary, templated=1.0)),
                          ("small_vocabulary", iter_records(100, 9, small))):
        texts: list[str] = []
        ids: dict[str, int] = {}
        families: dict[str, list[int]] = collections.defaultdict(list)
        for record, truth in records:
            ids[record["id"]] = len(texts)
            families[str(truth["family"])].append(len(texts))
            texts.append(record["text"])
        # Every pair within a family (copies of one story, and its rewrites), and as many
        # pairs across families (same-topic or same-template articles among them).
        related = sorted({(a, b) for members in families.values()
                          for a, b in itertools.combinations(members, 2)})[:60]
        rng = random.Random(len(texts))
        unrelated: set[tuple[int, int]] = set()
        while len(unrelated) < len(related) + 10:
            a, b = sorted(rng.sample(range(len(texts)), 2))
            if (a, b) not in related:
                unrelated.add((a, b))
        out.append((name, texts, [*related, *sorted(unrelated), (0, 0)]))
    return out


def main() -> None:
    cases: list[dict[str, Any]] = []
    from dedup.match import screen  # type: ignore[attr-defined]  # numpy, at cf6dd45 only

    for name, texts, pairs in groups():
        docs = analyze_all(texts)
        stop = stop_keys(docs)
        stop_set = set(stop)

        def is_boilerplate(unit: Unit, keys: set[int] = stop_set) -> bool:
            return unit.key in keys

        results = []
        for a, b in pairs:
            for boilerplate in (False, True):
                keys = np.array(stop if boilerplate else [], dtype=np.uint64)
                screened = screen(docs[b], [docs[a]], CONFIG, keys)[0] is not None
                match = compare(docs[a], docs[b], CONFIG, is_boilerplate if boilerplate else None)
                if match is not None and not screened:
                    raise AssertionError(f"{name} {a} {b}: screen refused a match")
                results.append({"a": a, "b": b, "boilerplate": boilerplate,
                                "screened": screened, "match": match_fields(match)})
        # Only the texts the cases use are kept (the keys came from all of them).
        used = sorted({r["a"] for r in results} | {r["b"] for r in results})
        place = {old: new for new, old in enumerate(used)}
        for r in results:
            r["a"], r["b"] = place[r["a"]], place[r["b"]]
        cases.append({"name": name, "texts": [texts[k] for k in used], "stop": stop,
                      "pairs": results})
        kinds = collections.Counter(r["match"]["kind"] if r["match"] else None for r in results)
        print(name, len(texts), "texts", len(results), "cases", dict(kinds), file=sys.stderr)
    OUT.write_text(json.dumps({"config": "Config()", "groups": cases}, ensure_ascii=False,
                              indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
