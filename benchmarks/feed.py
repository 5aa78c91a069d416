"""A seeded, streaming generator of a large synthetic news feed with known ground truth.

Articles (English, 2-6 KB) are written from a Zipfian vocabulary counted at run time in real
text: the labelled corpora in ``../shared/corpora/`` and the seed articles (nothing of them is
stored in this repository). The feed holds what a news pipeline meets:

- ``original``: a new story, on one of many topics (same-topic articles share topic words and
  names but no passages: they are the hard negatives);
- ``syndicated``: the story's body under another outlet's header and footer (some with their
  encoding damaged, as scrapers do);
- ``light_edit``: the body with a few words changed and perhaps a sentence dropped;
- ``partial``: a run of the story's paragraphs inside new text, or a short brief cut from it;
- ``rewrite``: every sentence reworded (synonyms, moved clauses, function words dropped);
- internal repeats: a body paragraph pasted again later in the same article;
- with ``--templated P``, a share ``P`` of new stories are automated reports (earnings, match
  results, weather: :mod:`benchmarks.feed_templates`): every report of a template shares its
  sentence shapes with the others and no fact, so only their copies are related;
- with ``--vocabulary N``, words are drawn from the ``N`` commonest only (a small-vocabulary
  feed, where unrelated articles share many words).

Everything streams (a window of recent stories is kept to derive copies from), so 1,000,000
articles need no more memory than 1,000. The same seed gives the same feed, and the feed of
``n`` articles is the first ``n`` of any longer one.

Usage::

    python benchmarks/feed.py 100000 --seed 1 --out /tmp/feed100k.jsonl
    python benchmarks/feed.py 10000 --templated 0.3 --out /tmp/templated.jsonl
    # writes /tmp/feed100k.jsonl (id, text, source, published) and /tmp/feed100k.truth.jsonl
"""

from __future__ import annotations

import argparse
import collections
import heapq
import itertools
import json
import math
import random
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import corpora_dir
from benchmarks.feed_templates import report

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPORA = corpora_dir()

RELATIONS = ("original", "syndicated", "light_edit", "partial", "rewrite")
#: Relations whose pairs the scan must find (the recall target); rewrites are reported apart.
COPY_RELATIONS = ("syndicated", "light_edit", "partial")

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}")
# Enough real text for a stable vocabulary; reading all 28 MB of PAN would only cost time.
_MAX_CORPUS_CHARS = 6_000_000
_FUNCTION_RANKS = 120
_WINDOW = 2_000
_OUTLET_WORDS = ("Times", "Herald", "Post", "Tribune", "Ledger", "Courier", "Gazette",
                 "Observer", "Chronicle", "Journal", "Express", "Standard", "Wire", "Mirror")


@dataclass(frozen=True)
class Vocabulary:
    """Words ranked by frequency in real text, their cumulative weights, and names."""

    words: list[str]
    cdf: list[float]
    names: list[str]
    origin: str

    @property
    def size(self) -> int:
        """Number of distinct words."""
        return len(self.words)


def _corpus_texts(corpora: Path, seeds: Path) -> tuple[list[str], str]:
    texts: list[str] = []
    used: list[str] = []
    total = 0
    seed_files = sorted(seeds.glob("*.txt"))
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in seed_files]
    if seed_files:
        used.append(f"{len(seed_files)} seeds")
    if not corpora.is_dir():
        print(f"feed: corpora not found at {corpora}; vocabulary from the seeds only",
              file=sys.stderr)
        return texts, ", ".join(used) or "nothing"
    clough = sorted((corpora / "clough_stevenson_dev").rglob("*.txt"))
    for p in clough:
        texts.append(p.read_bytes().decode("utf-8", errors="replace"))
    if clough:
        used.append(f"{len(clough)} Clough-Stevenson files")
    msrp = corpora / "msrp_train" / "msr_paraphrase_train.txt"
    if msrp.is_file():
        for line in msrp.read_text(encoding="utf-8-sig").splitlines()[1:]:
            cols = line.split("\t")
            texts.extend(cols[3:5])
        used.append("MSRP sentences")
    pan = sorted((corpora / "pan13_subset").glob("s*/*.txt"))
    n_pan = 0
    for p in pan:
        if total > _MAX_CORPUS_CHARS:
            break
        text = p.read_text(encoding="utf-8", errors="replace")
        texts.append(text)
        total += len(text)
        n_pan += 1
    if n_pan:
        used.append(f"{n_pan} PAN13 documents")
    return texts, ", ".join(used)


def load_vocabulary(corpora: Path = CORPORA, seeds: Path = SEEDS,
                    max_words: int = 40_000) -> Vocabulary:
    """Count words and names in real text; the counts are the Zipfian sampling weights.

    >>> v = load_vocabulary()
    >>> v.size > 1000 and v.words[0] == "the"
    True
    """
    texts, origin = _corpus_texts(corpora, seeds)
    counts: collections.Counter[str] = collections.Counter()
    names: collections.Counter[str] = collections.Counter()
    for text in texts:
        counts.update(w.lower() for w in _WORD.findall(text))
        names.update(_NAME.findall(text))
    ranked = [w for w, c in counts.most_common(max_words) if c >= 3]
    cdf = list(itertools.accumulate(float(counts[w]) for w in ranked))
    # A name is a word written capitalized mid-sentence more often than not.
    proper = [n for n, c in names.most_common() if c >= 3 and c > counts[n.lower()] // 2]
    return Vocabulary(ranked, cdf, proper[:5_000], origin)


@dataclass
class Outlet:
    """A news source: its name, quote style, header and footer boilerplate."""

    name: str
    curly: bool
    header: str
    footer: list[str]


@dataclass
class Story:
    """An emitted original, kept in the window so that copies can be derived from it."""

    id: str
    topic: int
    headline: str
    body: list[str]
    derived: int = 0
    template: str | None = None


@dataclass(order=True)
class _Pending:
    position: int
    order: int
    parent: Story = field(compare=False)
    relation: str = field(compare=False)


class FeedGenerator:
    """Writes articles one by one from a seed; see the module docstring.

    Args:
        seed: Seed of everything random.
        vocabulary: Word list and weights (``load_vocabulary()`` by default).
        outlets: Number of sources.
        templated: Share of new stories that are automated reports from templates (0 keeps
            the feed of a seed as it was before templates existed).
    """

    def __init__(self, seed: int = 1, vocabulary: Vocabulary | None = None,
                 outlets: int = 40, templated: float = 0.0) -> None:
        if not 0.0 <= templated <= 1.0:
            raise ValueError(f"templated must be in [0, 1] (got {templated})")
        self.templated = templated
        self.vocab = vocabulary or load_vocabulary()
        # Python's generator: scalar draws cost ~50 ns against ~1 us for numpy's, and its
        # sequence for a seed is stable across Python versions.
        self.rng = random.Random(seed)
        self.words = self.vocab.words
        n = self.vocab.size
        # Synonyms for rewrites: each content word is swapped with its neighbour in frequency
        # rank, so a rewrite keeps the register of the original.
        syn = np.arange(n)
        lo = _FUNCTION_RANKS
        hi = lo + (n - lo) // 2 * 2
        syn[lo:hi:2], syn[lo + 1 : hi : 2] = np.arange(lo + 1, hi, 2), np.arange(lo, hi, 2)
        self.synonym = {self.words[i]: self.words[int(syn[i])] for i in range(lo, n)}
        self.function_words = set(self.words[:_FUNCTION_RANKS])
        self.outlets = [self._outlet(i) for i in range(outlets)]
        self.start = datetime(2024, 1, 1, 6, 0, 0)

    # -- text pieces --------------------------------------------------------------------------

    def _draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.vocab.cdf, k=k)

    def _sentence(self, topic_words: list[str], topic_names: list[str]) -> str:
        rng = self.rng
        words = self._draw(rng.randint(8, 28))
        # Topic words and names make same-topic articles alike without shared passages.
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randint(0, len(words)), rng.choice(topic_words))
        if rng.random() < 0.5:
            words.insert(rng.randint(0, len(words)), rng.choice(topic_names))
        if rng.random() < 0.25:
            number = f"{rng.randint(2, 4999):,}" if rng.random() < 0.7 else \
                f"{rng.random() * 100:.1f}%"
            words.insert(rng.randint(0, len(words)), number)
        if rng.random() < 0.15:
            words[rng.randint(1, len(words) - 1)] += ","
        text = " ".join(words)
        text = text[0].upper() + text[1:] + "."
        if rng.random() < 0.12:
            text = f'"{text[:-1]}," said {rng.choice(topic_names)}.'
        return text

    def _paragraph(self, topic: tuple[list[str], list[str]]) -> str:
        return " ".join(self._sentence(*topic) for _ in range(self.rng.randint(2, 4)))

    def _topic(self, topic: int) -> tuple[list[str], list[str]]:
        # A topic's words and names come from its own generator: fixed whatever the position.
        trng = random.Random(topic * 7919 + 7)
        top = min(self.vocab.size, 8_000) - 1
        names = self.vocab.names or ["Smith"]
        return ([self.words[trng.randint(_FUNCTION_RANKS, top)] for _ in range(12)],
                [names[trng.randint(0, min(len(names), 1_500) - 1)] for _ in range(4)])

    def _outlet(self, i: int) -> Outlet:
        orng = random.Random(i * 104729 + 11)
        names = self.vocab.names or ["Metro"]
        name = f"The {names[orng.randint(0, min(200, len(names)) - 1)]} " \
               f"{_OUTLET_WORDS[i % len(_OUTLET_WORDS)]}"
        saved = self.rng
        self.rng = orng
        footer = [self._sentence(self._draw(12), [name]) for _ in range(orng.randint(1, 2))]
        self.rng = saved
        footer.append(f"Copyright 2024 {name}. All rights reserved. This material may not be "
                      "published, broadcast, rewritten or redistributed.")
        return Outlet(name, bool(orng.random() < 0.4), f"By Staff Reporter | {name}", footer)

    def _body(self, topic: int, chars: int) -> list[str]:
        words = self._topic(topic)
        body: list[str] = []
        size = 0
        while size < chars:
            para = self._paragraph(words)
            body.append(para)
            size += len(para) + 1
        return body

    # -- derivations --------------------------------------------------------------------------

    def _light_edit(self, body: list[str]) -> list[str]:
        rng = self.rng
        out: list[str] = []
        for para in body:
            words = para.split(" ")
            for k in range(len(words)):
                if rng.random() < 0.012:
                    words[k] = self._draw(1)[0]
            out.append(" ".join(words))
        if len(out) > 3 and rng.random() < 0.5:
            sentences = out[-1].split(". ")
            if len(sentences) > 1:
                out[-1] = ". ".join(sentences[:-1]) + "."
        return out

    def _reword(self, sentence: str) -> str:
        rng = self.rng
        words = sentence.rstrip(".").split(" ")
        out: list[str] = []
        for w in words:
            lower = w.lower()
            if lower in self.function_words and rng.random() < 0.3:
                continue
            syn = self.synonym.get(lower)
            if syn is not None and rng.random() < 0.4:
                w = syn
            out.append(w)
        if len(out) > 8 and rng.random() < 0.4:
            cut = rng.randint(3, 6)
            out = out[-cut:] + out[:-cut]
        text = " ".join(out)
        return (text[:1].upper() + text[1:] + ".") if text else sentence

    def _rewrite(self, body: list[str]) -> list[str]:
        return [" ".join(self._reword(s) for s in para.split(". ")) for para in body]

    def _partial(self, story: Story) -> list[str]:
        rng = self.rng
        body = story.body
        n = len(body)
        if rng.random() < 0.5:
            # Longer article around a run of the story's paragraphs.
            take = max(2, round(n * rng.uniform(0.5, 0.8)))
            start = rng.randint(0, n - take)
            copied = body[start : start + take]
            extra = self._body(story.topic, int(sum(map(len, copied)) * rng.uniform(0.2, 0.6)))
            cut = rng.randint(0, len(extra))
            return extra[:cut] + copied + extra[cut:]
        # A brief: a few consecutive paragraphs, nothing else.
        take = min(n, max(3, round(n * rng.uniform(0.4, 0.6))))
        start = rng.randint(0, n - take)
        return list(body[start : start + take])

    # -- articles -----------------------------------------------------------------------------

    def _compose(self, outlet: Outlet, headline: str, body: list[str],
                 repeat: bool) -> tuple[str, list[list[int]]]:
        body = list(body)
        repeats: list[list[int]] = []
        header_lines = 2
        if repeat and len(body) >= 3:
            src = self.rng.randint(0, len(body) - 2)
            dst = self.rng.randint(src + 2, len(body))
            body.insert(dst, body[src])
            repeats.append([header_lines + dst + 1, header_lines + src + 1])
        lines = [headline, outlet.header, *body, *outlet.footer]
        text = "\n".join(lines)
        if outlet.curly:
            text = _curl(text)
        return text, repeats

    def articles(self, n: int) -> Iterator[tuple[dict[str, str], dict[str, object]]]:
        """Yield ``n`` (record, truth) pairs: the JSONL record and what is known about it."""
        rng = self.rng
        pending: list[_Pending] = []
        order = 0
        topics = max(20, n // 40)
        topic_cdf = list(itertools.accumulate(1.0 / (k + 1) ** 1.1 for k in range(topics)))
        for position in range(n):
            doc_id = f"a{position:07d}"
            published = (self.start + timedelta(seconds=30 * position)).isoformat()
            outlet_i = rng.randrange(len(self.outlets))
            repeat = rng.random() < 0.08
            mojibake = False
            if pending and pending[0].position <= position:
                job = heapq.heappop(pending)
                parent, relation = job.parent, job.relation
                headline = parent.headline
                if relation == "syndicated":
                    body = parent.body
                    mojibake = rng.random() < 0.1
                elif relation == "light_edit":
                    body = self._light_edit(parent.body)
                elif relation == "partial":
                    body = self._partial(parent)
                    headline = self._sentence(*self._topic(parent.topic)).rstrip(".")
                else:
                    body = self._rewrite(parent.body)
                    headline = self._reword(headline)
                family, parent_id = parent.id, parent.id
                story = parent
            elif self.templated and rng.random() < self.templated:
                relation = "original"
                template, headline, body = report(rng, self.vocab.names or ["Smith"])
                story = Story(doc_id, -1, headline, body, template=template)
                family, parent_id = doc_id, None
                # A report is copied as it is or lightly edited; nobody rewrites one by hand.
                if rng.random() < 0.4:
                    for _ in range(min(3, _geometric(rng, 0.45))):
                        kind = rng.choice(("syndicated", "light_edit"))
                        delay = min(_WINDOW, _geometric(rng, 1 / 150))
                        heapq.heappush(pending, _Pending(position + delay, order, story, kind))
                        order += 1
            else:
                relation = "original"
                topic = rng.choices(range(topics), cum_weights=topic_cdf)[0]
                words = self._topic(topic)
                headline = " ".join(w.capitalize() for w in
                                    (self._draw(rng.randint(4, 7)) + words[0][:1]))
                body = self._body(topic, rng.randint(1_800, 5_600))
                story = Story(doc_id, topic, headline, body)
                family, parent_id = doc_id, None
                if rng.random() < 0.4:
                    for _ in range(min(6, _geometric(rng, 0.45))):
                        kind = rng.choices(RELATIONS[1:], cum_weights=(0.35, 0.55, 0.8, 1.0))[0]
                        delay = min(_WINDOW, _geometric(rng, 1 / 150))
                        heapq.heappush(pending, _Pending(position + delay, order, story, kind))
                        order += 1
            text, repeats = self._compose(self.outlets[outlet_i], headline, body, repeat)
            mojibake = mojibake and not text.isascii()
            if mojibake:
                text = text.encode("utf-8").decode("sloppy-windows-1252")
            record = {"id": doc_id, "text": text, "source": self.outlets[outlet_i].name,
                      "published": published}
            truth: dict[str, object] = {"id": doc_id, "family": family, "parent": parent_id,
                                        "relation": relation, "repeats": repeats,
                                        "mojibake": mojibake}
            if self.templated:
                truth["template"] = story.template
            yield record, truth


def _geometric(rng: random.Random, p: float) -> int:
    """Number of trials up to the first success (>= 1), as numpy's ``geometric``."""
    return 1 + int(math.log(1.0 - rng.random()) / math.log(1.0 - p))


def _curl(text: str) -> str:
    """Typographic quotes and apostrophes, as a third of the outlets print them."""
    text = re.sub(r"(?<=\w)'(?=\w)", "\u2019", text)
    text = re.sub(r'"(?=\w)', "\u201c", text)
    return text.replace('"', "\u201d")


def write_feed(path: Path, n: int, seed: int = 1,
               vocabulary: Vocabulary | None = None, templated: float = 0.0) -> Path:
    """Write ``n`` articles to ``path`` (JSONL) and the ground truth beside it.

    Returns:
        The path of the ground-truth file (``<stem>.truth.jsonl``).
    """
    import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252" for mojibake)

    truth_path = path.with_name(path.stem + ".truth.jsonl")
    gen = FeedGenerator(seed, vocabulary, templated=templated)
    with path.open("w", encoding="utf-8") as out, truth_path.open("w", encoding="utf-8") as tr:
        for record, truth in gen.articles(n):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            tr.write(json.dumps(truth) + "\n")
    return truth_path


def iter_records(n: int, seed: int = 1, vocabulary: Vocabulary | None = None,
                 templated: float = 0.0) -> Iterator[tuple[dict[str, str], dict[str, object]]]:
    """Yield (record, truth) pairs without writing files (for in-process benchmarks)."""
    import ftfy.bad_codecs  # noqa: F401

    yield from FeedGenerator(seed, vocabulary, templated=templated).articles(n)


@dataclass
class Truth:
    """Ground truth of a feed: each article's family and the parent-child pairs by relation."""

    family: dict[str, str]
    pairs: dict[str, set[tuple[str, str]]]
    repeats: dict[str, list[tuple[int, int]]]

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, object]]) -> Truth:
        """Build from truth rows (as written by :func:`write_feed`)."""
        family: dict[str, str] = {}
        pairs: dict[str, set[tuple[str, str]]] = {r: set() for r in RELATIONS[1:]}
        repeats: dict[str, list[tuple[int, int]]] = {}
        for row in rows:
            doc = str(row["id"])
            family[doc] = str(row["family"])
            if row["parent"] is not None:
                pairs[str(row["relation"])].add((str(row["parent"]), doc))
            reps = row.get("repeats") or []
            if reps:
                repeats[doc] = [(int(a), int(b)) for a, b in reps]  # type: ignore[union-attr]
        return cls(family, pairs, repeats)

    @classmethod
    def load(cls, path: Path) -> Truth:
        """Read a ``*.truth.jsonl`` file."""
        with path.open(encoding="utf-8") as f:
            return cls.from_rows(json.loads(line) for line in f)

    def restricted(self, ids: Iterable[str]) -> Truth:
        """Return the truth of a subset of the articles (pairs with both ends in ``ids``)."""
        keep = set(ids)
        return Truth({k: v for k, v in self.family.items() if k in keep},
                     {r: {p for p in pairs if p[0] in keep and p[1] in keep}
                      for r, pairs in self.pairs.items()},
                     {k: v for k, v in self.repeats.items() if k in keep})

    def score(self, found: Iterable[tuple[str, str]]) -> dict[str, float]:
        """Recall per relation (parent-child pairs found, either order) and precision.

        A found pair is correct when both articles belong to one family (two copies of one
        story are a true match even though neither is the other's parent).
        """
        found_set = {tuple(sorted(p)) for p in found}
        out: dict[str, float] = {}
        for relation, truth_pairs in self.pairs.items():
            hit = sum(1 for p in truth_pairs if tuple(sorted(p)) in found_set)
            out[f"recall_{relation}"] = hit / len(truth_pairs) if truth_pairs else float("nan")
        copies = [p for r in COPY_RELATIONS for p in self.pairs[r]]
        out["recall_copies"] = (sum(1 for p in copies if tuple(sorted(p)) in found_set)
                                / len(copies)) if copies else float("nan")
        correct = sum(1 for a, b in found_set if self.family.get(a) == self.family.get(b))
        out["precision"] = correct / len(found_set) if found_set else float("nan")
        out["found_pairs"] = float(len(found_set))
        return out


def main(argv: list[str] | None = None) -> int:
    """Command line: write a feed and its ground truth."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="JSONL file to write")
    parser.add_argument("--templated", type=float, default=0.0, metavar="P",
                        help="share of new stories that are automated reports from templates")
    parser.add_argument("--vocabulary", type=int, default=40_000, metavar="N",
                        help="draw words from the N commonest only (a small-vocabulary feed)")
    args = parser.parse_args(argv)
    if not 0.0 <= args.templated <= 1.0:
        parser.error(f"--templated must be in [0, 1] (got {args.templated})")
    if args.vocabulary < 200:
        parser.error(f"--vocabulary must be at least 200 words (got {args.vocabulary})")
    vocab = load_vocabulary(max_words=args.vocabulary)
    print(f"feed: vocabulary of {vocab.size} words and {len(vocab.names)} names from "
          f"{vocab.origin}", file=sys.stderr)
    truth = write_feed(args.out, args.n, args.seed, vocab, args.templated)
    print(f"feed: wrote {args.n} articles to {args.out} and the truth to {truth}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
