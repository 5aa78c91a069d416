"""Readers: folders, files, JSONL and stdin; every bad input is a problem naming its place."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from dedup import Problem
from dedup.io import BinaryInputError, decode, read_paths


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
