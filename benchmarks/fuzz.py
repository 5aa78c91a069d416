"""Fuzz the readers, ``repair`` and the per-document analysis for a while (Hypothesis).

Each target gets a time budget and is run with fresh random seeds until the budget is spent.
A failure (an exception other than the documented ones, a broken invariant, or a slow input)
is shrunk by Hypothesis to a small input, printed, and with ``--save`` added to
``tests/cases/robustness.json``, which ``tests/test_robustness.py`` replays in every CI run.

Usage (the run reported in docs/robustness.md):

    .venv/bin/python benchmarks/fuzz.py --seconds 60
    .venv/bin/python benchmarks/fuzz.py --seconds 60 --target decode --save
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from dedup import Config, Document, analyze, repair, repair_count, scan
from dedup.detector import Problem
from dedup.io import BinaryInputError, decode, read_jsonl
from dedup.report import JsonlWriter, write_report

CASES = Path(__file__).resolve().parent.parent / "tests" / "cases" / "robustness.json"
# An input this small that takes longer than this is a blow-up, not a slow machine.
SLOW_SECONDS = 5.0

ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=2000)
PIECES = st.sampled_from(
    ["the", "budget", "école", "北京市", "שלום", "Москва", "🎉", "e\u0301", "\x00", "\ud800",
     "\udfff", "don’t", "donâ€™t", "â€", "Â", "Ã©", "â", "\u202e", "\ufeff", "\ufffd", ".", "...",
     "!", "?", "。", "\n", "\n\n", "\r\n", " ", "\t", "\x85", "\u2028", "“", "”", "'", '"', ")",
     "&amp;", "<p>", "1,000", "#"])
WORDY = st.lists(PIECES, max_size=300).map(" ".join) | st.lists(PIECES, max_size=300).map("".join)
# Short patterns repeated into long texts: where regexes and pairwise loops go quadratic.
REPEATED = st.tuples(st.lists(PIECES, min_size=1, max_size=6).map("".join),
                     st.integers(2_000, 40_000)).map(lambda p: (p[0] * p[1])[:200_000])
RECORD = st.builds(
    lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass"),
    st.dictionaries(st.sampled_from(["id", "text", "source", "published"]),
                    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                              ANY_TEXT, st.lists(st.integers(), max_size=2))))
LINES = st.lists(st.one_of(RECORD, st.binary(max_size=200),
                           RECORD.map(lambda b: b.decode("utf-8", "surrogatepass")
                                      .encode("utf-16", "surrogatepass"))), max_size=10)


class FindingError(Exception):
    """A broken invariant, with the input that broke it."""


def _check_decode(data: bytes) -> None:
    try:
        text, encoding = decode(data)
    except BinaryInputError:
        return
    if not isinstance(text, str) or not encoding:
        raise FindingError(f"decode returned {text!r:.60}, {encoding!r}")


def _check_jsonl(lines: list[bytes]) -> None:
    problems: list[Problem] = []
    docs = list(read_jsonl((line.replace(b"\n", b" ") + b"\n" for line in lines), "f", problems))
    if len(docs) + len(problems) > len(lines):
        raise FindingError("more documents and problems than lines")


def _check_repair(text: str) -> None:
    once, count = repair_count(text)
    if repair(once) != once:
        raise FindingError("repair is not idempotent")
    if once.count("\n") != text.count("\n"):
        raise FindingError("repair changed the number of lines")
    if count < 0:
        raise FindingError("negative repair count")


def _check_analyze(text: str) -> None:
    start = time.perf_counter()
    analyze(Document("x", text), Config())
    elapsed = time.perf_counter() - start
    if elapsed > SLOW_SECONDS:
        raise FindingError(f"analyze took {elapsed:.1f} s on {len(text)} characters")


def _check_report(pairs: list[tuple[str, str]]) -> None:
    docs = [Document(doc_id or "_", text) for doc_id, text in pairs]
    report = scan(docs, keep="summary")
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace")
    write_report(report, stream, "json")
    stream.flush()
    parsed = json.loads(raw.getvalue().decode("utf-8"))
    if parsed != json.loads(json.dumps(report.to_dict(), ensure_ascii=False)):
        raise FindingError("the JSON report written item by item differs from to_dict()")
    # The JSONL report as the command streams it: every line one valid record.
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace")
    writer = JsonlWriter(stream, report.config)
    writer.finish(scan(docs, on_result=writer.document, keep="none"))
    stream.flush()
    types = [json.loads(line)["type"] for line in raw.getvalue().decode("utf-8").split("\n")
             if line]
    if types.count("document") != len(report.documents) or types.count("match") != len(
            report.matches):
        raise FindingError(f"the streamed JSONL report lost records: {types}")


TARGETS: dict[str, tuple[Callable[[Any], None], st.SearchStrategy[Any]]] = {
    "decode": (_check_decode, st.binary(max_size=4000) | WORDY.map(
        lambda t: t.encode("utf-8", "surrogatepass"))),
    "jsonl": (_check_jsonl, LINES),
    "repair": (_check_repair, ANY_TEXT | WORDY),
    "analyze": (_check_analyze, ANY_TEXT | WORDY | REPEATED),
    "report": (_check_report, st.lists(st.tuples(ANY_TEXT, WORDY), max_size=4)),
}


def _encode(value: Any) -> Any:
    """A JSON form of a fuzz input that keeps bytes and lone surrogates exact."""
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    if isinstance(value, str):
        return {"utf16": value.encode("utf-16-le", "surrogatepass").hex()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def fuzz(name: str, seconds: float) -> tuple[int, list[dict[str, Any]]]:
    """Run one target for ``seconds``; return the examples tried and the findings."""
    check, strategy = TARGETS[name]
    tried = 0
    findings: list[dict[str, Any]] = []
    last: list[Any] = []

    def recorded(value: Any) -> None:
        nonlocal tried
        tried += 1
        try:
            check(value)
        except Exception:
            last[:] = [value]
            raise

    deadline = time.monotonic() + seconds
    round_number = 0
    while time.monotonic() < deadline:
        round_number += 1
        # Short rounds, so that slow inputs (the long repeated texts) keep to the budget.
        test = settings(max_examples=25, deadline=None, database=None,
                        suppress_health_check=list(HealthCheck))(
            seed(round_number * 7919 + int(time.time()))(given(strategy)(recorded)))
        try:
            test()
        except Exception as exc:  # the shrunk input is the last one that failed
            if not last:  # the strategy itself failed: a bug of this script
                raise
            finding = {"target": name, "input": _encode(last[0]),
                       "error": f"{type(exc).__name__}: {exc}"[:300]}
            if finding not in findings:
                findings.append(finding)
                print(json.dumps(finding), flush=True)
    return tried, findings


def main() -> int:
    """Fuzz every target (or one); exit 1 if anything was found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="budget per target")
    parser.add_argument("--target", choices=sorted(TARGETS), action="append")
    parser.add_argument("--save", action="store_true", help=f"add findings to {CASES}")
    args = parser.parse_args()
    found: list[dict[str, Any]] = []
    for name in args.target or list(TARGETS):
        tried, findings = fuzz(name, args.seconds)
        print(f"{name}: {tried} inputs in {args.seconds:.0f} s, {len(findings)} finding(s)",
              file=sys.stderr, flush=True)
        found.extend(findings)
    if args.save and found:
        cases = json.loads(CASES.read_text(encoding="utf-8")) if CASES.exists() else []
        cases.extend(f for f in found if f not in cases)
        CASES.write_text(json.dumps(cases, indent=1, ensure_ascii=True) + "\n",
                         encoding="utf-8")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
