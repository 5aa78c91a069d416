"""``dedup explain`` and ``dedup.explain``: one pair measured as a scan would, shown to a reader."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from dedup import Config, Detector, Document, Match, scan
from dedup.cli import main
from dedup.explanation import describe_rule, explain, shared_words
from tests.conftest import SEEDS

A = SEEDS / "001_22eb800b89b5fc2c.txt"
B = SEEDS / "004_4255ebb52fea5816.txt"
STORY = ("The city council approved a budget of 4.2 billion dollars on Tuesday after a long "
         "debate. Most of the new money will go to schools, public transport and bridges.")
OTHER = ("Heavy rain flooded the coastal road near the harbour overnight, and fishermen kept "
         "their boats in port while engineers inspected the sea wall for damage.")


def test_the_seed_rewrite_is_explained_with_passages_shared_words_and_repeats() -> None:
    e = explain(Document("001", A.read_text("utf-8")), Document("004", B.read_text("utf-8")))
    assert e.match is not None
    assert e.kind == "rewrite" == e.match.kind
    assert e.score == e.match.score
    assert e.rule.startswith("rewrite: ")
    assert f"rewrite_threshold {Config().rewrite_threshold:.2f}" in e.rule
    assert [(p.a_lines, p.b_lines) for p in e.passages] == [
        (p.a_lines, p.b_lines) for p in e.match.passages]
    first = e.passages[0]
    assert first.a_text.startswith("ISI backing small jihadi outfits")
    assert first.b_text.startswith("ISI backs small jihadi groups")
    assert first.shared == ("isi", "small", "jihadi", "afghanistan", "taliban")
    assert [first.a_text[s:t] for s, t in first.a_marks] == [
        "ISI", "small", "jihadi", "Afghanistan", "Taliban"]
    assert [first.b_text[s:t] for s, t in first.b_marks] == [
        "ISI", "small", "jihadi", "Afghanistan", "Taliban"]
    # 001 pastes lines 3-6 again as lines 7-10: dropped before comparison, and said so.
    assert [(r.line, r.first_line) for r in e.a.dropped] == [(7, 3), (8, 4), (9, 5), (10, 6)]
    assert e.b.dropped == ()
    data = json.loads(json.dumps(e.to_dict()))
    assert data["kind"] == "rewrite"
    assert data["a"]["id"] == "001"
    assert data["a"]["dropped_repeats"][0] == {"line": 7, "first_line": 3, "similarity": 1.0,
                                               "exact": True}
    assert data["passages"][0]["shared"] == list(first.shared)


@pytest.mark.parametrize(("b", "kind", "rule"), [
    (STORY, "exact", "exact: the two comparison texts are the same"),
    (STORY.replace("public", "local"), "near_duplicate",
     "near_duplicate: the shingles say one copies the other (Jaccard 0.7"),
    (STORY + " " + OTHER + " " + OTHER.replace("rain", "snow"), "partial",
     "partial: the shingles say one copies the other (Jaccard 0.46, containment 1.00"),
    (OTHER, None, "no match: Jaccard 0.00 < near_duplicate_threshold 0.70"),
])
def test_kinds_and_their_rules(b: str, kind: str | None, rule: str) -> None:
    e = explain(STORY, b)
    assert e.kind == kind
    assert e.rule.startswith(rule)
    assert (e.match is None) == (kind is None)
    if kind is None:
        assert e.passages == ()
        assert e.score is None


def test_describe_rule_names_the_verbatim_partial_and_the_thresholds_given() -> None:
    verbatim = Match("a", "b", "partial", 0.1, 0.2, 0.3, 0.2, ())
    assert describe_rule(verbatim, Config(partial_words=30)).startswith(
        "partial: the two share a verbatim passage of about 30 words")
    near = Match("a", "b", "near_duplicate", 0.9, 0.9, 0.9, 0.9, ())
    assert "near_duplicate_threshold 0.85" in describe_rule(
        near, Config(near_duplicate_threshold=0.85))


def test_shared_words_follow_the_stemming_of_alignment() -> None:
    # Words agree on their first stem_chars (5) characters; function words never count.
    words, a_marks, b_marks = shared_words("The refugees crossed", "A refugee crossing; the END")
    assert words == ("refugees", "crossed")
    assert b_marks == ((2, 9), (10, 18))
    assert len(a_marks) == 2


def test_explain_rejects_other_types() -> None:
    with pytest.raises(TypeError, match=r"expected a dedup\.Document or a str"):
        explain(STORY, 42)  # type: ignore[arg-type]


def test_cli_two_files_plain_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(A), str(B)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("rewrite  001_22eb800b89b5fc2c ~ 004_4255ebb52fea5816  jaccard 0.02")
    assert "\x1b[" not in out
    assert "│" not in out
    assert "line 1 ~ line 1  (similarity 0.56)" in out
    assert "  shared: isi, small, jihadi, afghanistan, taliban" in out
    assert "line 3 ~ line 10  (similarity 0.90, 0.67)" in out
    assert "001_22eb800b89b5fc2c dropped its internal repeats: lines 7-10 repeat lines 3-6" in out


def test_cli_side_by_side_on_a_terminal(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "140")
    assert main(["explain", str(A), str(B), "--color", "always"]) == 0
    out = capsys.readouterr().out
    assert "┃" in out
    assert "\x1b[1;33mjihadi\x1b[0m" in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    row = next(line for line in plain.splitlines() if line.startswith("│ ISI backing"))
    assert "│ ISI backs" in row  # the aligned passages are on the same row


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(A), str(B), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["kind"], data["a"]["id"], data["b"]["id"]) == (
        "rewrite", "001_22eb800b89b5fc2c", "004_4255ebb52fea5816")
    assert data["a"]["text"].startswith("ISI backing")  # repaired text: line numbers refer to it
    assert "Pakistan’s" in data["a"]["text"]


def _feed(tmp_path: Path, records: list[dict[str, str]]) -> Path:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return feed


def test_cli_ids_in_a_jsonl_file_markup_shown_as_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = _feed(tmp_path, [{"id": "[bold]x[/bold]", "text": STORY + " [red]boom[/red]"},
                            {"id": "other", "text": OTHER},
                            {"id": "y", "text": STORY + " boom"}])
    assert main(["explain", "[bold]x[/bold]", "y", "--in", str(feed)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("near_duplicate  [bold]x[/bold] ~ y")
    assert "bridges. [red]boom[/red]" in out


def test_cli_errors_name_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = _feed(tmp_path, [{"id": "x", "text": STORY}, {"id": "y", "text": OTHER}])
    assert main(["explain", "x", "nope", "--in", str(feed)]) == 3
    assert f"no document with id 'nope' in {feed}" in capsys.readouterr().err
    assert main(["explain", str(feed), str(A)]) == 3
    assert f"{feed}: holds 2 documents, not one: name two ids" in capsys.readouterr().err
    assert main(["explain", str(tmp_path / "missing.txt"), str(A)]) == 3
    assert "missing.txt: no such file or folder" in capsys.readouterr().err


def test_cli_ids_in_an_index_are_read_again_from_their_sources(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    feed = _feed(tmp_path, [{"id": "x", "text": STORY}, {"id": "y", "text": STORY + " More."},
                            {"id": "url", "text": OTHER, "source": "https://example.com/a"}])
    index = str(tmp_path / "feed.dedup")
    scan([], index=index)
    assert main(["scan", str(seeds), str(feed), "--index", index, "--format", "json"]) == 0
    capsys.readouterr()
    assert main(["explain", A.stem, B.stem, "--index", index, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "rewrite"
    assert main(["explain", "x", "y", "--index", index]) == 0  # FILE:LINE of a JSONL
    assert capsys.readouterr().out.startswith("near_duplicate  x ~ y")
    # What cannot be read again is said, never guessed.
    assert main(["explain", "x", "url", "--index", index]) == 3
    err = capsys.readouterr().err
    assert "keeps no article text" in err
    assert "'https://example.com/a'" in err
    assert "give its input with --in" in err
    (seeds / B.name).write_text("Something else entirely, written later.", encoding="utf-8")
    assert main(["explain", A.stem, B.stem, "--index", index]) == 3
    assert "is not the text the index" in capsys.readouterr().err
    assert main(["explain", A.stem, "nope", "--index", index]) == 3
    assert f"no document with id 'nope' in the index {index}" in capsys.readouterr().err
    with Detector(index=index) as detector:
        assert len(detector) == 8
