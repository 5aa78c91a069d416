"""Reading documents from folders, files, JSONL and stdin; bad input becomes a Problem.

Everything streams: a JSONL file is read a line at a time, so memory stays bounded whatever
its size. Nothing here raises on bad input: each unreadable file or record is reported with
the file and line at fault, and reading goes on with the rest. See ``docs/robustness.md``.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from dedup.detector import Problem
from dedup.document import Document

__all__ = ["DEFAULT_MAX_BYTES", "BinaryInputError", "decode", "read_jsonl", "read_paths", "sniff"]

# The largest JSONL line, and the largest part of a text file, that is read: far above any
# article (the analysis keeps ``Config.max_chars`` characters anyway), far below what would
# exhaust memory. A longer line is reported and skipped; a longer text file is cut.
DEFAULT_MAX_BYTES = 256 * 2**20

_JSONL_SUFFIXES = {".jsonl", ".ndjson"}
_TEXT_SUFFIXES = {".txt"}
# File signatures of formats that are never text: skip them with a clear message. Each one
# holds bytes that text does not start with, so that no article is taken for an image.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"\x1f\x8b": "gzip data (decompress it first)",
    b"PK\x03\x04": "a zip archive",
    b"%PDF-": "a PDF document",
    b"\xfd7zXZ": "xz data (decompress it first)",
    b"\x28\xb5\x2f\xfd": "zstd data (decompress it first)",
    b"7z\xbc\xaf\x27\x1c": "a 7-zip archive",
    b"\x7fELF": "an executable",
    b"SQLite format 3\x00": "an SQLite database",
    b"OggS\x00": "Ogg audio or video",
    b"ID3\x03\x00": "MP3 audio",
    b"ID3\x04\x00": "MP3 audio",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE = 65536
# C0 control bytes that text does not use (tab, newlines, form feed and escape are text).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b")


class BinaryInputError(ValueError):
    """Bytes that are not text in any encoding."""


def _utf16_without_bom(sample: bytes) -> str | None:
    """Return ``utf-16-le``/``-be`` if the bytes look like mostly-ASCII UTF-16 with no BOM.

    ASCII in UTF-16 puts a NUL in every other byte, on one side only: a pattern no 8-bit
    text and almost no binary format has.
    """
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if odd >= 0.4 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.4 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def sniff(data: bytes) -> str | None:
    """Say what binary format ``data`` (the start of a file is enough) is; ``None`` if text.

    Known file signatures, then the share of control bytes, which text in any 8-bit encoding
    (or in UTF-16/32) does not have.

    >>> sniff(b"\\x1f\\x8b\\x08\\x00")
    'gzip data (decompress it first)'
    >>> sniff("naïve café".encode("cp1252")) is None
    True
    """
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return what
    if data[4:8] == b"ftyp":
        return "an MP4 or QuickTime video"
    if data.startswith(b"RIFF") and data[8:12] in (b"WAVE", b"AVI ", b"WEBP"):
        return "a RIFF file (WAV, AVI or WebP)"
    if data.startswith(b"BZh") and data[4:10] == b"1AY&SY":
        return "bzip2 data (decompress it first)"
    sample = data[:_SAMPLE]
    if any(sample.startswith(bom) for bom, _ in _BOMS) or _utf16_without_bom(sample):
        return None
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    # A few NUL or control bytes in an article are damage that repair removes; a file made
    # of them is not text.
    if controls > max(8, 0.05 * len(sample)):
        return f"binary data ({controls * 100 // len(sample)}% control bytes)"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes of unknown encoding; return the text and the encoding used.

    UTF-8 (with or without BOM) and UTF-16/32 with BOM are read as such, and so is UTF-16
    without BOM when most of it is ASCII. Bytes that are UTF-8 in most lines but not all
    (files pasted together) are decoded a line at a time: ``"mixed"``. Other bytes are
    Windows-1252 (a superset of Latin-1's printable characters) unless charset-normalizer
    finds an encoding that reads them with less noise (Cyrillic, Greek, CJK ...); bytes no
    encoding fits are read as Latin-1, which never fails.

    Raises:
        BinaryInputError: for images, archives and other bytes that are not text.

    >>> decode("café".encode("cp1252"))
    ('café', 'cp1252')
    >>> decode(b"\\xef\\xbb\\xbfplain")
    ('plain', 'utf-8-sig')
    >>> decode("plain".encode("utf-16-le"))
    ('plain', 'utf-16-le')
    """
    what = sniff(data)
    if what is not None:
        raise BinaryInputError(f"binary file ({what}), not text")
    utf8 = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            if name == "utf-8-sig":
                data, utf8 = data[len(bom) :], name
                break
            return _decode_wide(data, name), name
    wide = _utf16_without_bom(data[:_SAMPLE])
    if wide is not None:
        return _decode_wide(data, wide), wide
    try:
        return data.decode("utf-8"), utf8
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    good = [_is_utf8(line) for line in lines]
    if sum(good) >= 0.5 * len(lines) and any(
        ok and _has_high(line) for ok, line in zip(good, lines, strict=True)
    ):
        text = "\n".join(
            line.decode("utf-8") if ok else line.decode("cp1252", "replace")
            for ok, line in zip(good, lines, strict=True)
        )
        return text, "mixed"
    return _decode_legacy(data)


def _decode_wide(data: bytes, name: str) -> str:
    """Decode UTF-16/32; lone surrogates are kept (repair drops them), broken tails replaced."""
    try:
        return data.decode(name, "surrogatepass")
    except UnicodeDecodeError:
        return data.decode(name, "replace")


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """Decode bytes that are not UTF-8: Windows-1252 unless another code page reads better."""
    try:
        western: str | None = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    # Short samples give detectors too little to go on: the Western code page is the safe
    # guess there.
    if len(data) < 64:
        return (western, "cp1252") if western is not None else (data.decode("latin-1"), "latin-1")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding in ("utf_8", "ascii") or best.encoding.startswith(
        ("utf_16", "utf_32")
    ):
        if western is not None:
            return western, "cp1252"
        return data.decode("latin-1"), "latin-1"
    text = str(best)
    if western is not None and (text == western or best.encoding == "cp1252"):
        return western, "cp1252"
    if western is not None:
        # Single-byte code pages read English with a curly quote equally well (the Clough
        # and Stevenson answers come out as cp775 or cp1250): keep Windows-1252 unless it
        # reads with more noise than the detector's pick.
        own = from_bytes(data, cp_isolation=["cp1252"]).best()
        if own is not None and own.chaos <= best.chaos:
            return western, "cp1252"
    return text, _encoding_name(best.encoding)


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
    return not line.isascii()


def _doc_id(path: Path) -> str:
    return path.stem if path.suffix else path.name


def _trim_partial_utf8(data: bytes) -> bytes:
    """Drop a UTF-8 sequence cut in the middle at the end of ``data`` (after a size cap)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return data
        if byte >= 0xC0:  # a lead byte: is its sequence complete?
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return data if back >= need else data[:-back]
    return data


# A read document with where it came from: (document, source, line or None).
_Found = tuple[Document, str, int | None]


def _read_text_file(path: Path, source: str, problems: list[Problem],
                    max_bytes: int) -> Iterator[_Found]:
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        problems.append(Problem(source, f"cannot read: {exc.strerror or exc}"))
        return
    if len(data) > max_bytes:
        data = _trim_partial_utf8(data[:max_bytes])
        problems.append(Problem(source, f"file is larger than {max_bytes} bytes: only the "
                                "first part was read (raise --max-bytes to read it all)"))
    try:
        text, encoding = decode(data)
    except BinaryInputError as exc:
        problems.append(Problem(source, f"{exc}; skipped"))
        return
    yield Document(_doc_id(path), text, source=source, encoding=encoding), source, None


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


def _record(text: str, encoding: str, source: str, number: int) -> Document:
    try:
        record = json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply to read") from None
    if not isinstance(record, dict):
        raise ValueError(
            f"expected a JSON object with 'id' and 'text', got {type(record).__name__}"
        )
    if "id" not in record or record["id"] is None:
        raise ValueError("record has no 'id'")
    doc_id = record["id"]
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or doc_id == "":
        raise ValueError(f"'id' must be a non-empty string or an integer (got {doc_id!r:.80})")
    if "text" not in record:
        raise ValueError(f"record {doc_id!r:.80} has no 'text'")
    body = record["text"]
    if not isinstance(body, str):
        raise ValueError(
            f"'text' of record {doc_id!r:.80} must be a string (got {type(body).__name__})"
        )
    src = record.get("source")
    return Document(
        str(doc_id),
        body,
        source=str(src) if src is not None else f"{source}:{number}",
        published=_check_published(record.get("published")),
        encoding=encoding,
    )


def _capped_lines(readline: Callable[[int], bytes], max_bytes: int) -> Iterator[bytes | None]:
    """Yield the lines ``readline`` gives, or ``None`` for a line longer than ``max_bytes``.

    A too long line is skipped a chunk at a time, so that it never sits in memory whole.
    """
    while True:
        line = readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:
                rest = readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
        else:
            yield line


def _jsonl(lines: Iterable[bytes | None], source: str, problems: list[Problem],
           max_bytes: int, first_number: int = 1,
           decoded_from: str | None = None) -> Iterator[_Found]:
    """Parse JSONL lines; ``decoded_from`` names the encoding of lines already made UTF-8."""
    for number, raw in enumerate(lines, start=first_number):
        if raw is None:
            problems.append(Problem(source, f"line is longer than {max_bytes} bytes; skipped "
                                    "(raise --max-bytes to read it)", line=number))
            continue
        if not raw.strip():
            continue
        try:
            if decoded_from is None:
                text, line_encoding = decode(raw)
            else:
                text, line_encoding = raw.decode("utf-8", "surrogatepass"), decoded_from
            yield _record(text, line_encoding, source, number), source, number
        except (ValueError, BinaryInputError) as exc:  # JSONDecodeError is a ValueError
            problems.append(Problem(source, str(exc), line=number))


def read_jsonl(stream: Iterable[bytes], source: str, problems: list[Problem]) -> Iterator[Document]:
    """Yield the documents of a JSONL stream; record problems with their line numbers.

    Each line is a JSON object with ``id`` and ``text`` and, optionally, ``source`` and
    ``published``. Blank lines are skipped. Ids are not checked for repeats here (see
    :func:`read_paths`).

    >>> problems = []
    >>> [d.id for d in read_jsonl([b'{"id": "a", "text": "x"}\\n', b'{oops\\n'], "feed", problems)]
    ['a']
    >>> [(p.line, p.message[:22]) for p in problems]
    [(2, 'Expecting property nam')]
    """
    for doc, _, _ in _jsonl(stream, source, problems, DEFAULT_MAX_BYTES):
        yield doc


def _walk(folder: Path, problems: list[Problem]) -> Iterator[Path]:
    """Yield the document files under ``folder``; report binary files and unreadable ones.

    Hidden files and folders (``.git``) are left out. Files with other suffixes are not
    documents, but binary ones are reported: a compressed feed or a damaged file must not
    vanish from a scan without a word.
    """

    def unreadable(exc: OSError) -> None:
        problems.append(Problem(str(exc.filename or folder),
                                f"cannot read folder: {exc.strerror or exc}"))

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            suffix = path.suffix.lower()
            if suffix in _TEXT_SUFFIXES or suffix in _JSONL_SUFFIXES:
                yield path
                continue
            what = _sniff_file(path)
            if what is not None:
                problems.append(Problem(str(path), f"binary file ({what}), not text; skipped"))


def _sniff_file(path: Path) -> str | None:
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        with path.open("rb") as stream:
            return sniff(stream.read(4096))
    except OSError:
        return None  # not a document file: its read errors are no one's concern


def _not_regular(path: Path) -> str | None:
    """Say why a file found in a folder cannot be read as a document, if it cannot."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if path.is_symlink():
            return f"broken symbolic link: {exc.strerror or exc}; skipped"
        return f"cannot read: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        # Reading a FIFO or a device found in a folder could block forever.
        return "not a regular file (a pipe, socket or device); skipped"
    return None


def read_paths(
    paths: Iterable[str],
    problems: list[Problem],
    stdin: BinaryIO | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Document]:
    """Yield documents from files, folders (``*.txt`` and ``*.jsonl``, recursively) and ``-``.

    A ``.jsonl`` (or ``.ndjson``) file gives one document a line; any other file gives one
    document whose id is its name without extension. ``-`` reads stdin: JSONL if its first
    non-blank line starts with ``{``, else one document with id ``stdin``. A document whose id
    was read before is reported (with the line of both) and skipped.

    Args:
        paths: What to read, in order.
        problems: Receives a :class:`Problem` for each file or record that cannot be read.
        stdin: The stream ``-`` reads (``sys.stdin.buffer`` by default).
        max_bytes: The longest JSONL line read (longer ones are reported and skipped), and
            how much of a text file is read (a longer one is cut, and reported).

    >>> problems = []
    >>> [d.id for d in read_paths(["no/such/file.txt"], problems)], problems[0].message
    ([], 'no such file or folder')
    """
    first_seen: dict[str, tuple[int, int | None]] = {}
    sources: list[str] = []
    for name in paths:
        for doc, source, line in _read_one(name, problems, stdin, max_bytes):
            seen = first_seen.get(doc.id)
            if seen is None:
                if not sources or sources[-1] != source:
                    sources.append(source)
                first_seen[doc.id] = (len(sources) - 1, line)
                yield doc
                continue
            where = sources[seen[0]] + (f":{seen[1]}" if seen[1] is not None else "")
            problems.append(Problem(source, f"duplicate id {doc.id!r:.80} (first read at "
                                    f"{where}): this one was skipped", line=line, id=doc.id))


def _read_one(name: str, problems: list[Problem], stdin: BinaryIO | None,
              max_bytes: int) -> Iterator[_Found]:
    if name == "-":
        yield from _read_stdin(stdin, problems, max_bytes)
        return
    path = Path(name)
    if path.is_dir():
        found = False
        for file in _walk(path, problems):
            found = True
            reason = _not_regular(file)
            if reason is not None:
                problems.append(Problem(str(file), reason))
                continue
            yield from _read_file(file, str(file), problems, max_bytes)
        if not found:
            problems.append(Problem(name, "folder has no .txt or .jsonl files"))
    elif path.exists():
        # A named pipe given by name is read (``dedup scan <(zcat feed.jsonl.gz)``).
        yield from _read_file(path, name, problems, max_bytes)
    else:
        problems.append(Problem(name, "no such file or folder"))


def _read_file(path: Path, source: str, problems: list[Problem],
               max_bytes: int) -> Iterator[_Found]:
    if path.suffix.lower() not in _JSONL_SUFFIXES:
        yield from _read_text_file(path, source, problems, max_bytes)
        return
    try:
        with path.open("rb") as stream:
            head = stream.peek(4)[:4]
            wide = next((name for bom, name in _BOMS
                         if head.startswith(bom) and name != "utf-8-sig"), None)
            if wide is None:
                yield from _jsonl(_capped_lines(stream.readline, max_bytes), source, problems,
                                  max_bytes)
                return
            # UTF-16/32 lines cannot be split on b"\n": read them as text, one line a record.
            text = io.TextIOWrapper(stream, encoding=wide, errors="surrogatepass", newline="")
            lines = (line.encode("utf-8", "surrogatepass") for line in iter(text.readline, ""))
            yield from _jsonl(lines, source, problems, max_bytes, decoded_from=wide)
    except OSError as exc:
        problems.append(Problem(source, f"cannot read: {exc.strerror or exc}"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(source, f"cannot read the rest of the file: {exc}"))


def _read_stdin(stdin: BinaryIO | None, problems: list[Problem],
                max_bytes: int) -> Iterator[_Found]:
    if stdin is not None:
        stream = stdin
    elif sys.stdin is None:
        problems.append(Problem("-", "stdin is closed: pipe documents into dedup or name "
                                "files instead of -"))
        return
    else:
        stream = sys.stdin.buffer
    blank: list[bytes] = []
    try:
        first = stream.readline(max_bytes + 1)
        while first and not first.strip():
            blank.append(first)
            first = stream.readline(max_bytes + 1)
    except (OSError, ValueError) as exc:
        problems.append(Problem("-", f"cannot read stdin: {exc}"))
        return
    if first.lstrip().startswith(b"{"):
        head: bytes | None = first
        if len(first) > max_bytes and not first.endswith(b"\n"):
            head = None  # too long: skip the rest of the line as _capped_lines would
            for rest in iter(lambda: stream.readline(1 << 20), b""):
                if rest.endswith(b"\n"):
                    break
        rest_lines = _guarded(_capped_lines(stream.readline, max_bytes), problems)
        yield from _jsonl(_prepend(head, rest_lines), "-", problems, max_bytes,
                          first_number=len(blank) + 1)
        return
    try:
        data = b"".join(blank) + first + stream.read(max(0, max_bytes - len(first)) + 1)
    except (OSError, ValueError) as exc:
        problems.append(Problem("-", f"cannot read stdin: {exc}"))
        return
    if len(data) > max_bytes:
        data = _trim_partial_utf8(data[:max_bytes])
        problems.append(Problem("-", f"stdin has more than {max_bytes} bytes: only the first "
                                "part was read (raise --max-bytes to read it all)"))
    try:
        text, encoding = decode(data)
    except BinaryInputError as exc:
        problems.append(Problem("-", f"{exc}; skipped"))
        return
    if text.strip():
        yield Document("stdin", text, source="-", encoding=encoding), "-", None
    else:
        problems.append(Problem("-", "stdin was empty"))


def _prepend(first: bytes | None, rest: Iterator[bytes | None]) -> Iterator[bytes | None]:
    yield first
    yield from rest


def _guarded(lines: Iterator[bytes | None], problems: list[Problem]) -> Iterator[bytes | None]:
    """Yield ``lines``; a read error ends them with a problem instead of an exception."""
    try:
        yield from lines
    except (OSError, ValueError) as exc:
        problems.append(Problem("-", f"cannot read stdin: {exc}"))
