"""Reading documents from folders, files, JSONL and stdin; bad input becomes a Problem.

Everything streams: a JSONL file is read a line at a time, so memory stays bounded whatever
its size. Nothing here raises on bad input: each unreadable file or record is reported with
the file and line at fault, and reading goes on with the rest.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from dedup.detector import Problem
from dedup.document import Document

__all__ = ["decode", "read_jsonl", "read_paths"]

_JSONL_SUFFIXES = {".jsonl", ".ndjson"}
# File signatures of formats that are never text: skip them with a clear message.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "gzip data",
    b"PK\x03\x04": "a zip archive",
    b"%PDF": "a PDF document",
    b"BZh": "bzip2 data",
    b"\xfd7zXZ": "xz data",
    b"\x7fELF": "an executable",
}


class BinaryInputError(ValueError):
    """Bytes that are not text in any encoding."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes of unknown encoding; return the text and the encoding used.

    UTF-8 (with or without BOM) and UTF-16/32 with BOM are read as such; other bytes go to
    charset-normalizer, and to cp1252 if it has no answer. Bytes that are UTF-8 in most lines
    but not all (files pasted together) are decoded a line at a time: ``"mixed"``.

    Raises:
        BinaryInputError: for images, archives and other bytes that are not text.

    >>> decode("café".encode("cp1252"))
    ('café', 'cp1252')
    >>> decode(b"\\xef\\xbb\\xbfplain")
    ('plain', 'utf-8-sig')
    """
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise BinaryInputError(f"binary file ({what}), not text")
    for bom, name in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:65536]
    if sample.count(b"\x00") > len(sample) // 100 + 1:
        raise BinaryInputError("binary file (NUL bytes, no text encoding fits), not text")
    lines = data.split(b"\n")
    good = sum(1 for line in lines if _is_utf8(line))
    if (
        lines
        and good >= 0.5 * len(lines)
        and any(_has_high(line) for line in lines if _is_utf8(line))
    ):
        text = "\n".join(
            line.decode("utf-8") if _is_utf8(line) else line.decode("cp1252", "replace")
            for line in lines
        )
        return text, "mixed"
    from charset_normalizer import from_bytes

    try:
        western: str | None = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    # Short samples give detectors too little to go on, and UTF-16/32 without a BOM was
    # already refused as binary above: in both cases the Western code page is the safe guess.
    best = from_bytes(data).best() if len(data) >= 64 else None
    if (
        best is not None
        and best.encoding not in ("utf_8", "ascii")
        and not best.encoding.startswith(("utf_16", "utf_32"))
    ):
        text = str(best)
        # Single-byte code pages often decode short text identically; prefer the common one.
        if text == western:
            return text, "cp1252"
        return text, _encoding_name(best.encoding)
    if western is not None:
        return western, "cp1252"
    return data.decode("latin-1"), "latin-1"


def _encoding_name(name: str) -> str:
    return {"cp1252": "cp1252", "latin_1": "latin-1", "iso8859_1": "latin-1"}.get(
        name, name.replace("_", "-")
    )


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _has_high(line: bytes) -> bool:
    return any(b >= 0x80 for b in line)


def _doc_id(path: Path) -> str:
    return path.stem if path.suffix else path.name


def _read_text_file(path: Path, source: str, problems: list[Problem]) -> Iterator[Document]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(source, f"cannot read: {exc.strerror or exc}"))
        return
    try:
        text, encoding = decode(data)
    except BinaryInputError as exc:
        problems.append(Problem(source, f"{exc}; skipped"))
        return
    yield Document(_doc_id(path), text, source=source, encoding=encoding)


def _check_published(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(
            f"'published' must be an ISO 8601 date string (got {type(value).__name__})"
        )
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'published' is not an ISO 8601 date: {value!r}") from None
    return value


def _record(raw: bytes, source: str, number: int) -> Document:
    text, encoding = decode(raw)
    record = json.loads(text)
    if not isinstance(record, dict):
        raise ValueError(
            f"expected a JSON object with 'id' and 'text', got {type(record).__name__}"
        )
    if "id" not in record or record["id"] is None:
        raise ValueError("record has no 'id'")
    doc_id = record["id"]
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or doc_id == "":
        raise ValueError(f"'id' must be a non-empty string or an integer (got {doc_id!r})")
    if "text" not in record:
        raise ValueError(f"record {doc_id!r} has no 'text'")
    body = record["text"]
    if not isinstance(body, str):
        raise ValueError(
            f"'text' of record {doc_id!r} must be a string (got {type(body).__name__})"
        )
    src = record.get("source")
    return Document(
        str(doc_id),
        body,
        source=str(src) if src is not None else f"{source}:{number}",
        published=_check_published(record.get("published")),
        encoding=encoding,
    )


def read_jsonl(stream: Iterable[bytes], source: str, problems: list[Problem]) -> Iterator[Document]:
    """Yield the documents of a JSONL stream; record problems with their line numbers.

    Each line is a JSON object with ``id`` and ``text`` and, optionally, ``source`` and
    ``published``. Blank lines are skipped.
    """
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            yield _record(raw, source, number)
        except (ValueError, BinaryInputError) as exc:  # JSONDecodeError is a ValueError
            problems.append(Problem(source, str(exc), line=number))


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder, onerror=None):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.suffix.lower() in (".txt", *_JSONL_SUFFIXES):
                yield path


def read_paths(
    paths: Iterable[str], problems: list[Problem], stdin: BinaryIO | None = None
) -> Iterator[Document]:
    """Yield documents from files, folders (``*.txt`` and ``*.jsonl``, recursively) and ``-``.

    A ``.jsonl`` file gives one document a line; any other file gives one document whose id is
    its name without extension. ``-`` reads stdin: JSONL if it starts with ``{``, else one
    document with id ``stdin``.

    Args:
        paths: What to read, in order.
        problems: Receives a :class:`Problem` for each file or record that cannot be read.
        stdin: The stream ``-`` reads (``sys.stdin.buffer`` by default).
    """
    for name in paths:
        if name == "-":
            yield from _read_stdin(stdin, problems)
            continue
        path = Path(name)
        if path.is_dir():
            found = False
            for file in _walk(path):
                found = True
                yield from _read_file(file, str(file), problems)
            if not found:
                problems.append(Problem(name, "folder has no .txt or .jsonl files"))
        elif path.exists():
            yield from _read_file(path, name, problems)
        else:
            problems.append(Problem(name, "no such file or folder"))


def _read_file(path: Path, source: str, problems: list[Problem]) -> Iterator[Document]:
    if path.suffix.lower() in _JSONL_SUFFIXES:
        try:
            with path.open("rb") as stream:
                yield from read_jsonl(stream, source, problems)
        except OSError as exc:
            problems.append(Problem(source, f"cannot read: {exc.strerror or exc}"))
    else:
        yield from _read_text_file(path, source, problems)


def _read_stdin(stdin: BinaryIO | None, problems: list[Problem]) -> Iterator[Document]:
    stream = stdin if stdin is not None else sys.stdin.buffer
    try:
        first = stream.readline()
    except (OSError, ValueError) as exc:
        problems.append(Problem("-", f"cannot read stdin: {exc}"))
        return
    if first.lstrip().startswith(b"{"):
        yield from read_jsonl(_Chain(first, stream), "-", problems)
        return
    try:
        data = first + stream.read()
    except (OSError, ValueError) as exc:
        problems.append(Problem("-", f"cannot read stdin: {exc}"))
        return
    try:
        text, encoding = decode(data)
    except BinaryInputError as exc:
        problems.append(Problem("-", f"{exc}; skipped"))
        return
    if text.strip():
        yield Document("stdin", text, source="-", encoding=encoding)
    else:
        problems.append(Problem("-", "stdin was empty"))


class _Chain:
    """A binary line iterator that yields ``first`` and then the rest of ``stream``."""

    def __init__(self, first: bytes, stream: BinaryIO) -> None:
        self._first: bytes | None = first
        self._stream = stream

    def __iter__(self) -> _Chain:
        return self

    def __next__(self) -> bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        line = self._stream.readline()
        if not line:
            raise StopIteration
        return line
