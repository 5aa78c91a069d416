"""The command: help names every option with its default; exit codes as in DESIGN.md."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from dedup import Config, Detector, Document, Result
from dedup.cli import main
from dedup.document import Features, analyze_batch
from tests.conftest import SEEDS

STORY = ("The city council approved a budget of 4.2 billion dollars on Tuesday after a long "
         "debate. Most of the new money will go to schools, public transport and bridges.")


def test_help_lists_options_with_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--format", "--output", "--fail-on-duplicates", "--threshold", "--num-perm",
                   "--seed", "--near-duplicate-threshold", "--max-chars"):
        assert option in out
    assert "(default: 0.5)" in out
    assert "(default: text)" in out


def test_usage_errors_exit_with_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["scan"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", ".", "--threshold", "1.5"])
    assert exit_info.value.code == 2
    assert "'threshold' must be in [0.0, 1.0] (got 1.5)" in capsys.readouterr().err


def test_input_errors_exit_with_3_and_the_rest_is_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a", "text": STORY}) + "\n{oops\n"
                    + json.dumps({"id": "b", "text": STORY}) + "\n", encoding="utf-8")
    assert main(["scan", str(feed), "--format", "json"]) == 3
    report = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in report["documents"]] == ["a", "b"]
    assert [(m["a"], m["b"], m["kind"]) for m in report["matches"]] == [("a", "b", "exact")]
    assert report["errors"] == [{"source": str(feed), "line": 2,
                                 "message": report["errors"][0]["message"]}]


def test_duplicate_ids_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a", "text": STORY}) + "\n"
                    + json.dumps({"id": "a", "text": "other"}) + "\n", encoding="utf-8")
    assert main(["scan", str(feed), "--format", "jsonl"]) == 3
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["type"] for r in records] == ["header", "document", "error"]
    assert "duplicate id 'a'" in records[-1]["message"]


def test_output_file_and_unwritable_output(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(STORY, encoding="utf-8")
    out = tmp_path / "report.json"
    assert main(["scan", str(doc), "-f", "json", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["documents"][0]["id"] == "a"
    assert main(["scan", str(doc), "-o", str(tmp_path / "no" / "such" / "dir.json")]) == 2
    assert "cannot write the report" in capsys.readouterr().err


def test_text_report_for_people(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.txt").write_text(STORY + "\nFollow us for more.", encoding="utf-8")
    assert main(["scan", str(tmp_path), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "2 documents, 1 match, 1 cluster, 0 errors" in out
    assert "a (canonical), b" in out


def test_limits_are_options_with_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    out = capsys.readouterr().out
    for option, default in [("--max-chars", "2000000"), ("--max-sentences", "2000"),
                            ("--max-paragraphs", "1000"), ("--max-bytes", "268435456")]:
        assert option in out
        assert f"(default: {default})" in out


@pytest.mark.parametrize("option", ["--max-sentences", "--max-paragraphs", "--max-bytes",
                                    "--max-chars"])
def test_limits_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 option: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", str(tmp_path), option, "0"])
    assert exit_info.value.code == 2
    assert "must be a whole number >= 1 (got 0)" in capsys.readouterr().err


def test_an_internal_error_is_one_line_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something broke")

    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    monkeypatch.setattr("dedup.cli.scan", broken)
    monkeypatch.delenv("DEDUP_DEBUG", raising=False)
    assert main(["scan", str(tmp_path)]) == 70
    err = capsys.readouterr().err
    assert err.startswith("dedup: internal error: RuntimeError: something broke.")
    assert "Traceback" not in err
    monkeypatch.setenv("DEDUP_DEBUG", "1")
    with pytest.raises(RuntimeError, match="something broke"):
        main(["scan", str(tmp_path)])


# A document whose analysis fails ---------------------------------------------------------------


def _fails_for(doc_id: str) -> Callable[[Sequence[Document], Config], list[Features]]:
    """Return ``analyze_batch``, raising for a batch holding ``doc_id`` as a bug would."""

    def analyze_or_fail(documents: Sequence[Document], config: Config) -> list[Features]:
        if any(document.id == doc_id for document in documents):
            raise RuntimeError("boom")
        return analyze_batch(documents, config)

    return analyze_or_fail


@pytest.mark.parametrize("fmt", ["json", "jsonl", "text"])
def test_a_document_that_cannot_be_analyzed_is_an_error_and_the_rest_is_processed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        fmt: str) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": i, "text": f"{STORY} {n}"}) + "\n"
                            for n, i in enumerate(["a", "bad", "b"])), encoding="utf-8")
    monkeypatch.setattr("dedup.parallel.analyze_batch", _fails_for("bad"))
    monkeypatch.delenv("DEDUP_DEBUG", raising=False)
    assert main(["scan", str(feed), "--format", fmt, "--color", "never"]) == 3
    captured = capsys.readouterr()
    assert captured.err == ""
    if fmt == "text":
        assert "2 documents, 1 match, 1 cluster, 1 error" in captured.out
        assert f"{feed}:2: could not be processed (RuntimeError: boom)" in captured.out
        return
    if fmt == "json":
        report = json.loads(captured.out)
        documents, matches, errors = report["documents"], report["matches"], report["errors"]
    else:
        records = [json.loads(line) for line in captured.out.split("\n") if line]
        documents = [r for r in records if r["type"] == "document"]
        matches = [r for r in records if r["type"] == "match"]
        errors = [r for r in records if r["type"] == "error"]
    assert [d["id"] for d in documents] == ["a", "b"]
    assert [(m["a"], m["b"]) for m in matches] == [("a", "b")]
    assert [(e["source"], e["id"]) for e in errors] == [(f"{feed}:2", "bad")]
    assert errors[0]["message"].startswith("could not be processed (RuntimeError: boom); "
                                           "skipped, the rest was processed.")


def test_a_failing_document_shows_its_traceback_with_dedup_debug(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "bad.txt").write_text(STORY, encoding="utf-8")
    monkeypatch.setattr("dedup.parallel.analyze_batch", _fails_for("bad"))
    monkeypatch.setenv("DEDUP_DEBUG", "1")
    assert main(["scan", str(tmp_path), "-f", "json"]) == 3
    err = capsys.readouterr().err
    assert "dedup: document 'bad' could not be processed\nTraceback" in err
    assert "RuntimeError: boom" in err


def test_a_failure_of_every_document_is_an_internal_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Not a bad document but a bug (or a broken index): one line, exit 70, not 1,000 errors.
    for name in "abc":
        (tmp_path / f"{name}.txt").write_text(STORY, encoding="utf-8")
    monkeypatch.setattr("dedup.parallel.analyze_batch", lambda documents, config: 1 / 0)
    monkeypatch.delenv("DEDUP_DEBUG", raising=False)
    assert main(["scan", str(tmp_path), "-f", "json"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("dedup: internal error: ZeroDivisionError")


# Truncated documents ----------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "value", "text"), [
    ("--max-chars", "100", STORY * 3),
    ("--max-sentences", "2", STORY * 3),
    ("--max-paragraphs", "2", "\n\n".join(f"Paragraph {i} of a long article." for i in range(5))),
])
def test_the_text_report_lists_truncated_documents(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str,
        text: str) -> None:
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    (tmp_path / "short.txt").write_text("A short note.", encoding="utf-8")
    assert main(["scan", str(tmp_path), option, value, "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "2 documents, 0 matches, 0 clusters, 0 errors, 1 truncated" in out
    section = out.split("\nTruncated ")[1]
    assert section.startswith("(past a limit: --max-chars ")
    assert f"{option} {value}" in section.split("\n")[0]
    assert f"  long  ({tmp_path / 'long.txt'})" in section
    assert "short" not in section


def test_no_truncated_section_when_nothing_was_cut(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    assert main(["scan", str(tmp_path), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "truncated" not in out.lower()


# Streaming --------------------------------------------------------------------------------------


def test_jsonl_holds_the_same_records_as_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "feed.jsonl"
    lines = [json.dumps({"id": f"d{i}", "text": f"{STORY}\n{STORY}" if i % 3 else STORY})
             for i in range(600)]  # more than two batches
    feed.write_text("\n".join([*lines[:5], "{oops", *lines[5:]]) + "\n", encoding="utf-8")
    assert main(["scan", str(feed), "-f", "json"]) == 3
    report = json.loads(capsys.readouterr().out)
    assert main(["scan", str(feed), "-f", "jsonl"]) == 3
    records = [json.loads(line) for line in capsys.readouterr().out.split("\n") if line]
    assert records[0]["type"] == "header"
    assert records[0]["config"] == report["config"]
    for kind, key in [("document", "documents"), ("match", "matches"), ("cluster", "clusters"),
                      ("error", "errors")]:
        assert [{k: v for k, v in r.items() if k != "type"} for r in records
                if r["type"] == kind] == report[key]
    # The copies of one story fill the caps' buckets: what they left out closes the report.
    assert [r for r in records if r["type"] == "stats"] == [
        {"type": "stats", "capped": report["capped"]}]
    # Each document's matches follow it (nothing is kept to the end but for the clusters).
    rank = {"header": 0, "document": 1, "match": 1, "cluster": 2, "error": 3, "stats": 4}
    types = [r["type"] for r in records]
    assert types == sorted(types, key=rank.__getitem__)
    ids = [r.get("id") for r in records if r["type"] == "document"]
    for number, record in enumerate(records):
        if record["type"] == "match":
            before = [r["id"] for r in records[:number] if r["type"] == "document"]
            assert before[-1] == record["b"]
            assert record["a"] in before
    assert len(ids) == 600


def test_an_interrupted_jsonl_report_on_stdout_says_it_is_incomplete(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"d{i}", "text": f"{STORY} {i}"}) + "\n"
                            for i in range(300)), encoding="utf-8")
    real = Detector.add_many
    calls: list[int] = []

    def interrupted(self: Detector, documents: Iterable[Document]) -> list[Result]:
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(self, documents)

    monkeypatch.setattr(Detector, "add_many", interrupted)
    assert main(["scan", str(feed), "-f", "jsonl"]) == 130
    captured = capsys.readouterr()
    assert captured.err == "dedup: interrupted, the report written so far is incomplete\n"
    assert sum('"type": "document"' in line for line in captured.out.split("\n")) == 256
    # To a file, nothing is left: the report is only put in place when complete.
    calls.clear()
    assert main(["scan", str(feed), "-f", "jsonl", "-o", str(tmp_path / "r.jsonl")]) == 130
    assert capsys.readouterr().err == "dedup: interrupted, no report written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl"]


def test_text_report_lists_each_pair_of_aligned_lines_once(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(SEEDS), "--color", "never"]) == 0
    out = capsys.readouterr().out
    rows = [line.strip() for line in out.splitlines() if line.startswith("      line")]
    pairs = [row.split("  (")[0] for row in rows]
    assert pairs
    assert len(pairs) == len(set(pairs))
    # Two sentences of 001's line 3 align with two of 004's line 10: one row, two scores.
    assert any(", " in row.split("  (")[1] for row in rows)


def test_progress_goes_to_stderr_and_leaves_the_report_alone(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(SEEDS), "-f", "json", "--progress", "always"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert len(report["documents"]) == 5
    assert captured.err.startswith("dedup: 5 documents, ")
    assert ", 1 match, 0 input errors, " in captured.err
    # By default (auto) progress is drawn on a terminal only: stderr is not one here.
    assert main(["scan", str(SEEDS), "-f", "json"]) == 0
    assert capsys.readouterr().err == ""
