"""Readers: folders, files, JSONL and stdin; every bad input is a problem naming its place."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from dedup import Problem
from dedup.io import BinaryInputError, decode, read_paths, sniff
from tests.conftest import CORPORA


def read(
    paths: list[str], stdin: bytes | None = None
) -> tuple[list[tuple[str, str]], list[Problem]]:
    problems: list[Problem] = []
    stream = io.BytesIO(stdin) if stdin is not None else None
    docs = [(d.id, d.text) for d in read_paths(paths, problems, stdin=stream)]
    return docs, problems


def test_folder_is_read_recursively_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("second", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("nested", encoding="utf-8")
    (tmp_path / "a.txt").write_text("first", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("ignored", encoding="utf-8")
    docs, problems = read([str(tmp_path)])
    assert docs == [("a", "first"), ("b", "second")]
    # The nested a.txt has the id of the first: reported with where the first was read.
    assert [(p.source, p.id) for p in problems] == [(str(tmp_path / "sub" / "a.txt"), "a")]
    assert f"first read at {tmp_path / 'a.txt'}" in problems[0].message


def test_jsonl_records_and_their_problems_by_line(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "x", "text": "good one", "published": "2024-01-02"}),
        "{not json",
        json.dumps({"text": "no id"}),
        json.dumps({"id": "y"}),
        json.dumps({"id": "z", "text": 42}),
        "",
        json.dumps({"id": 7, "text": "integer id"}),
        json.dumps({"id": "w", "text": "bad date", "published": "yesterday"}),
        json.dumps(["a", "list"]),
    ]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, problems = read([str(feed)])
    assert docs == [("x", "good one"), ("7", "integer id")]
    assert [(p.line, p.source) for p in problems] == [(n, str(feed)) for n in (2, 3, 4, 5, 8, 9)]
    assert "no 'id'" in problems[1].message
    assert "no 'text'" in problems[2].message
    assert "must be a string" in problems[3].message
    assert "ISO 8601" in problems[4].message


def test_missing_paths_and_binary_files_are_problems_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (tmp_path / "ok.txt").write_text("fine text", encoding="utf-8")
    docs, problems = read([str(tmp_path), str(tmp_path / "missing.txt")])
    assert docs == [("ok", "fine text")]
    assert [p.source for p in problems] == [
        str(tmp_path / "image.txt"),
        str(tmp_path / "missing.txt"),
    ]
    assert "PNG" in problems[0].message
    assert "no such file" in problems[1].message


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        ("naïve café".encode(), "naïve café", "utf-8"),
        ("naïve café".encode("utf-16"), "naïve café", "utf-16"),
        ("“smart” quotes — and a dash".encode("cp1252"), "“smart” quotes — and a dash", "cp1252"),
    ],
)
def test_decode_detects_the_encoding(data: bytes, text: str, encoding: str) -> None:
    assert decode(data) == (text, encoding)


def test_mixed_utf8_and_cp1252_lines_are_decoded_line_by_line() -> None:
    data = "première ligne\n".encode() + "deuxième ligne\n".encode("cp1252") + "troisième".encode()
    assert decode(data) == ("première ligne\ndeuxième ligne\ntroisième", "mixed")


def test_gzip_is_binary() -> None:
    with pytest.raises(BinaryInputError, match="gzip"):
        decode(b"\x1f\x8b\x08\x00rest")


def test_stdin_as_jsonl_and_as_one_document() -> None:
    docs, problems = read(["-"], stdin=b'{"id": "a", "text": "one"}\n{"id": "b", "text": "two"}\n')
    assert docs == [("a", "one"), ("b", "two")]
    docs, problems = read(["-"], stdin=b"Plain text article.\n")
    assert docs == [("stdin", "Plain text article.\n")]
    docs, problems = read(["-"], stdin=b"")
    assert docs == []
    assert [p.message for p in problems] == ["stdin was empty"]


# Robustness (docs/robustness.md) ------------------------------------------------------------

CLOUGH = CORPORA / "clough_stevenson_dev" / "texts"


def _not_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_clough_cp1252_answers_are_decoded_as_cp1252_without_replacement_characters() -> None:
    if not CLOUGH.is_dir():
        pytest.skip(f"the Clough & Stevenson corpus is not at {CLOUGH}")
    files = [p for p in sorted(CLOUGH.glob("*.txt")) if _not_utf8(p)]
    assert len(files) >= 10  # 11 answers are cp1252 (measured when the corpus was collected)
    for path in files:
        text, encoding = decode(path.read_bytes())
        assert (path.name, encoding) == (path.name, "cp1252")
        assert "\ufffd" not in text
        assert any(c in text for c in "‘’“”–•")  # the Windows punctuation came through


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        ("café naïve".encode("latin-1"), "café naïve", "cp1252"),
        ("plain ascii words".encode("utf-16-le"), "plain ascii words", "utf-16-le"),
        ("plain ascii words".encode("utf-16-be"), "plain ascii words", "utf-16-be"),
        ("Ωμέγα".encode("utf-32"), "Ωμέγα", "utf-32"),
        # UTF-16 with a BOM but a lone surrogate: kept for repair to drop, not "binary".
        (b"\xff\xfe" + "é".encode("utf-16-le") + b"\x00\xd8", "é\ud800", "utf-16"),
        # An odd byte at the end of UTF-16: replaced, the rest kept.
        (b"\xff\xfe" + "ok".encode("utf-16-le") + b"!", "ok\ufffd", "utf-16"),
        ("Президент России заявил во вторник, что переговоры продолжатся на следующей неделе."
         .encode("cp1251"), "Президент России заявил во вторник, что переговоры продолжатся на "
         "следующей неделе.", "cp1251"),
        (b"", "", "utf-8"),
        (b"nul\x00inside", "nul\x00inside", "utf-8"),
    ],
)
def test_decode_more_encodings(data: bytes, text: str, encoding: str) -> None:
    assert decode(data) == (text, encoding)


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"PK\x03\x04\x14\x00", "zip"),
        (b"BZh91AY&SY\x00", "bzip2"),
        (b"\x00\x00\x00\x18ftypmp42", "MP4"),
        (bytes(range(256)) * 16, "control bytes"),
    ],
)
def test_binary_data_is_recognised(data: bytes, what: str) -> None:
    found = sniff(data)
    assert found is not None
    assert what in found


@pytest.mark.parametrize("text", ["ID3 tags hold the title of a song.", "GIF8 is not a word.",
                                  "BZh is not either.", "RIFF raff and ruffians."])
def test_text_that_starts_like_a_file_signature_is_text(text: str) -> None:
    assert sniff(text.encode()) is None


def test_duplicate_ids_are_reported_with_the_line_of_both(tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text('{"id": "a", "text": "x"}\n\n{"id": "a", "text": "y"}\n', encoding="utf-8")
    two.write_text('{"id": "a", "text": "z"}\n{"id": "b", "text": "z"}\n', encoding="utf-8")
    docs, problems = read([str(one), str(two)])
    assert docs == [("a", "x"), ("b", "z")]
    assert [(p.source, p.line, p.id) for p in problems] == [(str(one), 3, "a"),
                                                            (str(two), 1, "a")]
    assert all(f"first read at {one}:1" in p.message for p in problems)


def test_long_lines_and_long_files_are_capped(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "long", "text": "x" * 5000}) + "\n"
                    + json.dumps({"id": "short", "text": "fine"}) + "\n", encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text("é" * 3000, encoding="utf-8")
    problems: list[Problem] = []
    docs = list(read_paths([str(feed), str(big)], problems, max_bytes=1001))
    assert [(d.id, len(d.text)) for d in docs] == [("short", 4), ("big", 500)]
    assert docs[1].encoding == "utf-8"  # the cut did not split a character
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (1, "line is longer than 1001 bytes; skipped (raise --max-bytes to read it)"),
        (None, "file is larger than 1001 bytes")]


def test_utf16_jsonl_is_read_line_by_line(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes('{"id": "a", "text": "Ωμέγα"}\n{"id": "b", "text": "two"}\n'
                     .encode("utf-16"))
    problems: list[Problem] = []
    docs = list(read_paths([str(feed)], problems))
    assert [(d.id, d.text, d.encoding) for d in docs] == [("a", "Ωμέγα", "utf-16"),
                                                          ("b", "two", "utf-16")]
    assert problems == []


def test_hidden_files_are_left_out_and_binary_ones_named(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / ".notes.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / "a.txt").write_text("visible", encoding="utf-8")
    (tmp_path / "archive.zip").write_bytes(b"PK\x03\x04" + bytes(100))
    docs, problems = read([str(tmp_path)])
    assert docs == [("a", "visible")]
    assert [(p.source, "zip" in p.message) for p in problems] == [
        (str(tmp_path / "archive.zip"), True)]


def test_stdin_jsonl_after_blank_lines_and_a_closed_stdin(
        monkeypatch: pytest.MonkeyPatch) -> None:
    docs, problems = read(["-"], stdin=b'\n\n{"id": "a", "text": "one"}\n{oops\n')
    assert docs == [("a", "one")]
    assert [p.line for p in problems] == [4]
    monkeypatch.setattr(sys, "stdin", None)
    problems = []
    assert list(read_paths(["-"], problems)) == []
    assert "stdin is closed" in problems[0].message


def test_stdin_text_longer_than_the_cap_is_cut_and_reported() -> None:
    problems: list[Problem] = []
    docs = list(read_paths(["-"], problems, stdin=io.BytesIO(b"word " * 1000), max_bytes=100))
    assert [len(d.text) for d in docs] == [100]
    assert "more than 100 bytes" in problems[0].message
