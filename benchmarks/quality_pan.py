"""The PAN 2013 section of the quality harness: pair recall, precision counted fairly (a true
pair, or a shared verbatim run), the sample of other links to read, and PAN's character
measures of the passages (see docs/quality.md)."""

from __future__ import annotations

import difflib
import json
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import dedup
from benchmarks import reuse
from benchmarks.quality_base import (
    RIGHT,
    ROOT,
    Judge,
    Pair,
    Section,
    baseline_rows,
    read_documents,
    run_baselines,
    table,
    timed_scan,
)
from dedup import Config, Document
from dedup.paragraphs import line_starts

#: A link no truth vouches for is still right when the two pages share a verbatim run this long.
RUN_WORDS = 25
#: Verdicts a reader recorded for sampled PAN links (see docs/quality.md).
PAN_READING = ROOT / "benchmarks" / "pan_reading.json"

# -------------------------------------------------------------------------------------- pan


@dataclass
class Span:
    """A reused passage: offsets in the suspicious and the source document."""

    susp: str
    src: str
    this_offset: int
    this_length: int
    source_offset: int
    source_length: int


_FEATURE = re.compile(r"<feature\b[^>]*>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def load_pan(folder: Path, limit: int | None = None
             ) -> tuple[list[Document], set[Pair], set[Pair], list[Span]]:
    """Return documents, true pairs, listed pairs and true spans (``limit`` true pairs).

    With ``limit``, only the documents of the first ``limit`` true pairs (by name) and as many
    other documents again are read: a slice for quick runs.
    """
    truth_dir = folder / "truth_02-no-obfuscation"
    spans: list[Span] = []
    truth: set[Pair] = set()
    files = sorted(truth_dir.glob("*.xml"))
    for xml in files[:limit] if limit else files:
        text = xml.read_text(encoding="utf-8")
        susp = re.search(r'reference="([^"]+)"', text)
        if susp is None:
            raise SystemExit(f"{xml}: no reference attribute")
        susp_id = susp.group(1).removesuffix(".txt")
        for feature in _FEATURE.findall(text):
            attrs = dict(_ATTR.findall(feature))
            src_id = attrs["source_reference"].removesuffix(".txt")
            truth.add(frozenset((susp_id, src_id)))
            spans.append(Span(susp_id, src_id, int(attrs["this_offset"]),
                              int(attrs["this_length"]), int(attrs["source_offset"]),
                              int(attrs["source_length"])))
    listed: set[Pair] = set()
    for line in (folder / "pairs_all").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            listed.add(frozenset(p.removesuffix(".txt") for p in parts))
    paths = sorted((folder / "susp").glob("*.txt")) + sorted((folder / "src").glob("*.txt"))
    if limit:
        wanted = {d for p in truth for d in p}
        others = [p for p in paths if p.stem not in wanted][:: max(1, len(paths) // len(wanted))]
        paths = [p for p in paths if p.stem in wanted] + others[: len(wanted)]
    return read_documents(paths), truth, listed, spans


def _reanchor(susp: str, src: str, span: Span, slack: int = 150) -> tuple[range, range]:
    """Move a true span to where the verbatim text really is (the offsets are shifted).

    Matching blocks of 20 or more characters between windows around both spans mark the
    reused text; the re-anchored spans run from the first to the last such block.
    """
    s0 = max(0, span.this_offset - slack)
    s1 = min(len(susp), span.this_offset + span.this_length + slack)
    r0 = max(0, span.source_offset - slack)
    r1 = min(len(src), span.source_offset + span.source_length + slack)
    matcher = difflib.SequenceMatcher(None, susp[s0:s1], src[r0:r1], autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 20]
    if not blocks:
        return (range(span.this_offset, span.this_offset + span.this_length),
                range(span.source_offset, span.source_offset + span.source_length))
    return (range(s0 + blocks[0].a, s0 + blocks[-1].a + blocks[-1].size),
            range(r0 + blocks[0].b, r0 + blocks[-1].b + blocks[-1].size))


def _is_cross(pair: Pair) -> bool:
    """True for a suspicious-source pair (the only pairs PAN labels)."""
    return {d.split("-")[0] for d in pair} == {"suspicious", "source"}


def _oriented(pair: Pair) -> tuple[str, str]:
    """Return (suspicious, source) of a cross pair."""
    susp = next(d for d in pair if d.startswith("suspicious"))
    return susp, next(d for d in pair if d != susp)


def load_reading(path: Path) -> dict[Pair, str]:
    """Return the verdicts a reader recorded for PAN links: ``reuse`` or ``unrelated``.

    Raises:
        SystemExit: a verdict other than those two, naming the pair and the file.
    """
    if not path.is_file():
        return {}
    verdicts: dict[Pair, str] = {}
    for row in json.loads(path.read_text(encoding="utf-8"))["readings"]:
        if row["verdict"] not in ("reuse", "unrelated"):
            raise SystemExit(f"{path}: {row['a']} ~ {row['b']}: verdict {row['verdict']!r}, "
                             "expected 'reuse' or 'unrelated'")
        verdicts[frozenset((row["a"], row["b"]))] = row["verdict"]
    return verdicts


def _excerpt(text: str, span: range, width: int) -> str:
    return " ".join(text[span.start: span.stop].split())[:width]


@dataclass
class PanLinks:
    """The scored suspicious-source links of a PAN scan under the fair rule."""

    truth: list[Pair]
    verbatim: list[Pair]
    unverified: list[Pair]
    runs: dict[Pair, reuse.Run]

    @property
    def total(self) -> int:
        return len(self.truth) + len(self.verbatim) + len(self.unverified)


def _runs(pairs: Iterable[Pair], texts: dict[str, str]) -> dict[Pair, reuse.Run]:
    """The longest verbatim word run of each pair (words cached per document)."""
    cache: dict[str, list[str]] = {}

    def words_of(doc: str) -> list[str]:
        if doc not in cache:
            cache[doc] = reuse.words(texts[doc])
        return cache[doc]

    out = {}
    for pair in pairs:
        a, b = sorted(pair)
        out[pair] = reuse.longest_run(words_of(a), words_of(b))
    return out


def pan_passages(folder: Path, docs: Sequence[Document], spans: Sequence[Span],
                 links: dict[Pair, dedup.Match]) -> dict[str, Any]:
    """PAN's character measures of dedup's passages on the true pairs (see reuse.pan_scores).

    Each true span is re-anchored first (the published offsets are shifted); a passage's
    characters are its whole lines (``Passage`` reports lines), newlines left out.
    """
    texts = {d.id: d.text for d in docs}
    cases: dict[object, list[reuse.Alignment]] = {}
    shifts: list[int] = []
    kept = 0
    for s in spans:
        a, b = _reanchor(texts[s.susp], texts[s.src], s)
        if a.start == s.this_offset and len(a) == s.this_length:
            kept += 1
        shifts.append(abs(a.start - s.this_offset))
        cases.setdefault(frozenset((s.susp, s.src)), []).append(reuse.Alignment(a, b))
    detections: dict[object, list[reuse.Alignment]] = {}
    for pair in cases:
        m = links.get(pair)  # type: ignore[call-overload]
        if m is None:
            continue
        susp, src = _oriented(pair)  # type: ignore[arg-type]
        starts = {d: line_starts(texts[d]) for d in (susp, src)}
        found = []
        for p in m.passages:
            susp_lines, src_lines = (p.a_lines, p.b_lines) if m.a == susp else \
                (p.b_lines, p.a_lines)
            found.append(reuse.Alignment(
                reuse.line_span(starts[susp], len(texts[susp]), susp_lines),
                reuse.line_span(starts[src], len(texts[src]), src_lines)))
        detections[pair] = found
    as_reported = reuse.pan_scores(cases, detections)
    merged = reuse.pan_scores(cases, {k: reuse.merge_touching(v)
                                      for k, v in detections.items()})
    return {"reported": as_reported, "merged": merged, "spans": len(spans),
            "unmoved": kept, "median_shift": float(np.median(shifts)) if shifts else 0.0}


def evaluate_pan(folder: Path, config: Config, limit: int | None = None,
                 sample: int = 40, seed: int = 1, reading: Path | None = None) -> Section:
    """Pair recall and fair precision (truth or a shared verbatim run), a seeded sample of
    the links neither vouches for, and PAN's character measures of the passages."""
    docs, truth, listed, spans = load_pan(folder, limit)
    texts = {d.id: d.text for d in docs}
    report, seconds = timed_scan(docs, config)
    links = {frozenset((m.a, m.b)): m for m in report.matches}
    base = run_baselines(docs, keep=lambda a, b: _is_cross(frozenset((a, b))))

    # A run of RUN_WORDS words gives RUN_WORDS - 4 shared word 5-grams, so pairs sharing fewer
    # cannot hold one: only the others (and every dedup link, for the sample) are aligned.
    start = time.perf_counter()
    to_align = {p for p in links if _is_cross(p) and p not in truth}
    to_align |= {p for p, n in base.shared.items() if n >= RUN_WORDS - 4 and p not in truth}
    runs = _runs(sorted(to_align, key=sorted), texts)
    align_seconds = time.perf_counter() - start

    def label(pair: Pair) -> int | None:
        if not _is_cross(pair):
            return None
        if pair in truth:
            return 1
        run = runs.get(pair)
        return RIGHT if run is not None and run.length >= RUN_WORDS else 0

    evaluate = Judge(label, len(truth))
    rows = [("dedup", evaluate(set(links)))]
    rows += baseline_rows(base, evaluate)
    cross = sorted((p for p in links if _is_cross(p)), key=sorted)
    scored = PanLinks([p for p in cross if p in truth],
                      [p for p in cross if label(p) == RIGHT],
                      [p for p in cross if label(p) == 0], runs)
    verdicts = load_reading(reading) if reading else {}
    picked = sorted(reuse.stable_sample(scored.unverified, sample, seed), key=sorted)
    read = [verdicts[p] for p in picked if p in verdicts]
    reused = sum(1 for v in read if v == "reuse")
    lo, hi = reuse.binomial_interval(reused, len(read))
    sure = len(scored.truth) + len(scored.verbatim)
    n = max(1, scored.total)
    estimate = {"lower_bound": sure / n,
                "point": (sure + len(scored.unverified) * reused / len(read)) / n
                if read else float("nan"),
                "low": (sure + len(scored.unverified) * lo) / n,
                "high": (sure + len(scored.unverified) * hi) / n,
                "read": len(read), "read_reuse": reused}
    passages = pan_passages(folder, docs, spans, links)
    kinds = Counter(links[p].kind for p in truth if p in links)
    same_side = [p for p in links if not _is_cross(p)]
    susp_n = sum(1 for d in docs if d.id.startswith("suspicious"))
    listed_unverified = sum(1 for p in scored.unverified if p in listed)

    def kind_counts(pairs: Iterable[Pair]) -> str:
        counts = Counter(links[p].kind for p in pairs)
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"

    text = [
        f"{len(docs)} documents ({susp_n} suspicious, {len(docs) - susp_n} source), "
        f"{len(truth)} true pairs, {len(links)} links, scan {seconds:.1f} s, verbatim runs of "
        f"{len(runs)} pairs aligned in {align_seconds:.1f} s",
        f"Suspicious-source links: right when a true pair or when the two pages share an exact "
        f"run of {RUN_WORDS}+ words (longest common run of normalized words); every other "
        "link counts wrong here (a lower bound: the subset labels no negatives).",
        table(["method", "precision", "recall", "F1", "tp/fp/fn"],
              [[name, *prf.row()] for name, prf in rows]), "",
        f"dedup's {scored.total} suspicious-source links: {len(scored.truth)} true pairs "
        f"({kind_counts(scored.truth)}), {len(scored.verbatim)} others sharing a run of "
        f"{RUN_WORDS}+ words ({kind_counts(scored.verbatim)}), {len(scored.unverified)} "
        f"neither ({kind_counts(scored.unverified)}; {listed_unverified} of them listed in "
        f"`pairs_all`). Links between two suspicious or two source pages: {len(same_side)} "
        "(not scored).", "",
        f"Precision by the rule: {estimate['lower_bound']:.3f}. With the reading of a seeded "
        f"sample of the links neither vouches for ({len(picked)} drawn with seed {seed}, "
        f"{len(read)} read, {reused} of them reuse): "
        + (f"{estimate['point']:.3f}, 95% interval {estimate['low']:.3f}-{estimate['high']:.3f} "
           "(Wilson interval of the sample's share of reuse, applied to all the links it "
           "stands for)." if read else "not read yet (record verdicts in the reading file)."),
        "", "The sample to read (the best shared run, and the most similar aligned passage of "
        "each side):",
        *_sample_lines(picked, links, texts, runs, verdicts), "",
        _passage_text(passages),
    ]
    return Section("pan", "\n".join(text), {
        "scan_seconds": seconds, "align_seconds": align_seconds,
        "methods": {name: prf.to_dict() for name, prf in rows},
        "links": {"truth": len(scored.truth), "verbatim": len(scored.verbatim),
                  "unverified": len(scored.unverified), "same_side": len(same_side),
                  "unverified_listed": listed_unverified},
        "kinds_true": dict(kinds), "precision": estimate,
        "sample": [sorted(p) for p in picked],
        "passages": {k: (v.__dict__ | {"f1": v.f1, "plagdet": v.plagdet})
                     if isinstance(v, reuse.PanScores) else v for k, v in passages.items()},
        "documents": len(docs),
        "unverified": sorted([*sorted(p), links[p].kind, runs[p].length]
                             for p in scored.unverified)})


def _sample_lines(picked: Sequence[Pair], links: dict[Pair, dedup.Match],
                  texts: dict[str, str], runs: dict[Pair, reuse.Run],
                  verdicts: dict[Pair, str], width: int = 240) -> list[str]:
    """The sample, one block a link: ids, kind, best run, read verdict, an excerpt a side."""
    out = []
    for k, pair in enumerate(picked, start=1):
        m = links[pair]
        a, b = sorted(pair)
        run = runs[pair]
        shared = " ".join(reuse.words(texts[a])[run.a_start: run.a_start + min(run.length, 30)])
        out.append(f"[{k}] {a} ~ {b}: {m.kind}, score {m.score:.3f}, {len(m.passages)} "
                   f"passages; read: {verdicts.get(pair, 'unread')}; best shared run "
                   f"{run.length} words: \"{shared}\"")
        if not m.passages:
            out.append("    (no passage reported: judge by the shared run)")
        else:
            p = max(m.passages, key=lambda p: p.similarity)
            for doc, lines in ((m.a, p.a_lines), (m.b, p.b_lines)):
                span = reuse.line_span(line_starts(texts[doc]), len(texts[doc]), lines)
                out.append(f"    {doc.split('-')[0][:4]} {p.similarity:.2f}: "
                           f"{_excerpt(texts[doc], span, width)}")
    return out


def _passage_text(passages: dict[str, Any]) -> str:
    """The character measures, as reported and with touching passages merged."""
    rows = []
    for name, label in (("reported", "as reported"),
                        ("merged", "touching passages merged (not PAN's rule)")):
        s: reuse.PanScores = passages[name]
        rows.append([label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.granularity:.2f}",
                     f"{s.plagdet:.3f}", f"{s.detected_cases}/{s.cases}", s.detections])
    return "\n".join([
        f"Passages on the true pairs, characters as PAN scores them (macro precision and "
        f"recall, granularity, plagdet = F1 / log2(1 + granularity)); {passages['spans']} "
        f"true spans re-anchored to their best local alignment ({passages['unmoved']} left "
        f"where the offsets put them, median shift {passages['median_shift']:.0f} characters); "
        "a passage's characters are its whole lines:",
        table(["passages", "precision", "recall", "granularity", "plagdet",
               "cases detected", "detections"], rows)])
