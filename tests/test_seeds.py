"""Acceptance on the five seed articles: the first promise dedup makes.

001 repeats its lines 3-6 as 7-10, 002 its lines 2-10 as 11-19; 004 is another outlet's
rewrite of 001; 000 and 003 share the topic and copy nothing.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from dedup import Detector, Document, Report, find_repeats, remove_repeats, scan
from tests.conftest import SEEDS

A, B = "001_22eb800b89b5fc2c", "004_4255ebb52fea5816"
EXPECTED_EXACT_REPEATS = {
    "001_22eb800b89b5fc2c": [(7, 3), (8, 4), (9, 5), (10, 6)],
    "002_175bd1a941d29f3d": [(line, line - 9) for line in range(11, 20)],
}


def check_report(report: Report) -> None:
    """Assert everything the core issue expects of a report on the seeds."""
    docs = {d.id: d for d in report.documents}
    assert len(docs) == 5
    for doc_id, doc in docs.items():
        exact = [(r.line, r.first_line) for r in doc.repeats if r.exact]
        assert exact == EXPECTED_EXACT_REPEATS.get(doc_id, []), doc_id
    # 000 restates its standfirst: at most a near repeat, clearly below the exact copies.
    near = [r for d in docs.values() for r in d.repeats if not r.exact]
    assert [(d.id, r.line, r.first_line) for d in docs.values() for r in d.repeats
            if not r.exact] in ([], [("000_ca125b96806be2e4", 4, 2)])
    for r in near:
        assert r.similarity < report.config.remove_threshold - 0.05
    assert len(report.matches) == 1
    match = report.matches[0]
    assert {match.a, match.b} == {A, B}
    assert match.kind == "rewrite"
    assert len(match.passages) >= 4
    # In the same order in both texts.
    starts_a = [p.a_lines[0] for p in match.passages]
    starts_b = [p.b_lines[0] for p in match.passages]
    if match.a == B:
        starts_a, starts_b = starts_b, starts_a
    assert starts_a == sorted(starts_a)
    assert starts_b == sorted(starts_b)
    assert [sorted(c.members) for c in report.clusters] == [[A, B]]


def test_scan_of_the_seed_folder(seed_documents: list[Document]) -> None:
    check_report(scan(seed_documents))


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_scan_holds_when_the_seeds_are_shuffled(seed_documents: list[Document], seed: int) -> None:
    docs = list(seed_documents)
    random.Random(seed).shuffle(docs)
    check_report(scan(docs))


def test_one_at_a_time_through_a_detector(seed_documents: list[Document]) -> None:
    detector = Detector()
    results = [detector.add(doc) for doc in seed_documents]
    check_report(detector.report(results))
    # The match is reported when its second document arrives.
    assert [len(r.matches) for r in results] == [0, 0, 0, 0, 1]


def test_remove_repeats_drops_the_copies_and_keeps_the_restatement() -> None:
    text = (SEEDS / "001_22eb800b89b5fc2c.txt").read_text(encoding="utf-8")
    cleaned = remove_repeats(text)
    original = text.split("\n")
    assert cleaned.split("\n") == original[:6] + original[10:]
    restated = (SEEDS / "000_ca125b96806be2e4.txt").read_text(encoding="utf-8")
    assert remove_repeats(restated) == restated
    assert not find_repeats(remove_repeats((SEEDS / "002_175bd1a941d29f3d.txt").read_text(
        encoding="utf-8")))


def _run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "dedup.cli", *args], input=stdin,
                          capture_output=True, check=False, timeout=120)


def _report_from_json(data: dict[str, object]) -> Report:
    """Rebuild the parts of a report that check_report reads, from its JSON form."""
    from dedup import Config, Match, Passage, Repeat, Result
    from dedup.cluster import Cluster

    docs = [Result(d["id"], d["source"], d["encoding"], d["repairs"],
                   tuple(Repeat(r["line"], r["first_line"], r["similarity"], r["exact"])
                         for r in d["repeats"]), "", "", ())
            for d in data["documents"]]  # type: ignore[attr-defined]
    matches = [Match(m["a"], m["b"], m["kind"], m["jaccard"], m["containment"]["a_in_b"],
                     m["containment"]["b_in_a"], m["score"],
                     tuple(Passage(tuple(p["a_lines"]), tuple(p["b_lines"]), p["similarity"])
                           for p in m["passages"]))
               for m in data["matches"]]  # type: ignore[attr-defined]
    clusters = [Cluster(tuple(c["members"]), c["canonical"])
                for c in data["clusters"]]  # type: ignore[attr-defined]
    return Report(Config(**data["config"]), docs, matches, clusters, [])  # type: ignore[arg-type]


def test_cli_json_report_on_the_seed_folder() -> None:
    done = _run_cli("scan", str(SEEDS), "--format", "json")
    assert done.returncode == 0, done.stderr.decode()
    data = json.loads(done.stdout)
    assert set(data) == {"dedup_version", "config", "documents", "matches", "clusters", "errors"}
    assert data["errors"] == []
    check_report(_report_from_json(data))


def test_cli_reads_the_seeds_as_jsonl_from_stdin(seed_documents: list[Document]) -> None:
    lines = [json.dumps({"id": d.id, "text": d.text}) for d in reversed(seed_documents)]
    done = _run_cli("scan", "-", "--format", "json", stdin="\n".join(lines).encode())
    assert done.returncode == 0, done.stderr.decode()
    check_report(_report_from_json(json.loads(done.stdout)))


def test_fail_on_duplicates_exit_code() -> None:
    done = _run_cli("scan", str(SEEDS), "--fail-on-duplicates")
    assert done.returncode == 1
    alone = _run_cli("scan", str(SEEDS / "000_ca125b96806be2e4.txt"), "--fail-on-duplicates")
    assert alone.returncode == 0, alone.stderr.decode()
