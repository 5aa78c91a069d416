"""The command: help names every option with its default; exit codes as in DESIGN.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dedup.cli import main

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
