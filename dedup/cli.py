"""The ``dedup`` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from dedup import __version__
from dedup.config import Config
from dedup.detector import Detector, Problem, Report, Result, scan
from dedup.errors import ConfigError, IndexMismatchError, InputError
from dedup.explanation import explain, read_pair, read_texts
from dedup.html_report import HtmlCollector, write_html
from dedup.io import DEFAULT_MAX_BYTES, read_paths
from dedup.parallel import prefetch, shutdown_workers
from dedup.progress import ScanProgress, When
from dedup.redact import redact
from dedup.report import JsonlWriter, write_explanation, write_report

__all__ = ["main"]

EXIT_OK, EXIT_DUPLICATES, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_INTERNAL = 130, 143, 70
_DEFAULTS = Config()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dedup",
        description="Find near-duplicate, syndicated and rewritten news articles.",
        epilog="Exit codes: 0 ran fine; 1 found duplicates (with --fail-on-duplicates); "
        "2 usage error, or the report cannot be written; 3 some input could not be read (the "
        "rest was reported); 70 internal error; 130 interrupted (Ctrl-C); 143 terminated "
        "(SIGTERM).",
    )
    parser.add_argument("--version", action="version", version=f"dedup {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    scan_cmd = commands.add_parser(
        "scan",
        help="report repeats and matches among documents",
        description="Read documents and report internal paragraph repeats, matches between "
        "documents (exact, near_duplicate, partial, rewrite) and clusters.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    scan_cmd.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a folder (its *.txt and *.jsonl files, recursively), a .txt file (one document, "
        "id = file name without extension), a .jsonl file (one JSON object a line with "
        "'id', 'text', optional 'source' and 'published'), or - for stdin",
    )
    scan_cmd.add_argument(
        "-f",
        "--format",
        choices=("text", "json", "jsonl"),
        default="text",
        help="report format: text for people, json (one object), jsonl",
    )
    scan_cmd.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="-",
        help="write the report to FILE instead of stdout",
    )
    scan_cmd.add_argument(
        "--html",
        metavar="FILE",
        help="also write an HTML page to FILE: matches sortable by score and kind, each "
        "opening the two texts side by side with the aligned passages and shared words "
        "marked, internal repeats, clusters and the scan's counts (one self-contained file; "
        "the texts are read again from the inputs after the scan, so not with -)",
    )
    scan_cmd.add_argument(
        "--fail-on-duplicates", action="store_true", help="exit with 1 if any match was found"
    )
    scan_cmd.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colours in the text report",
    )
    scan_cmd.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="documents done, their rate and the matches so far, on stderr: a live line on a "
        "terminal (auto), also plain lines every 10 s into a file or pipe (always)",
    )
    scan_cmd.add_argument(
        "--index",
        metavar="PATH",
        help="an index kept between runs: a file (created if missing) or a redis://host:port/db "
        "URL; documents are matched against it and added to it",
    )
    scan_cmd.add_argument(
        "--window",
        type=float,
        metavar="DAYS",
        help="compare a document only with indexed ones published at most DAYS before or "
        "after it (undated documents are always compared)",
    )
    scan_cmd.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes: they analyze documents (repair, paragraphs, shingles) and "
        "verify candidate pairs while the main one looks candidates up in the index; 2 or "
        "more uses more cores",
    )
    settings = scan_cmd.add_argument_group("detection settings")
    settings.add_argument(
        "--threshold",
        type=float,
        default=_DEFAULTS.threshold,
        help="estimated Jaccard above which whole documents become candidates",
    )
    settings.add_argument(
        "--num-perm", type=int, default=_DEFAULTS.num_perm, help="MinHash permutations per document"
    )
    settings.add_argument(
        "--seed", type=int, default=_DEFAULTS.seed, help="seed of the MinHash permutations"
    )
    settings.add_argument(
        "--near-duplicate-threshold",
        type=float,
        default=_DEFAULTS.near_duplicate_threshold,
        help="exact Jaccard of word shingles from which a match is a near_duplicate",
    )
    settings.add_argument(
        "--partial-threshold",
        type=float,
        default=_DEFAULTS.partial_threshold,
        help="containment of one document in the other from which a match is partial",
    )
    settings.add_argument(
        "--rewrite-threshold",
        type=float,
        default=_DEFAULTS.rewrite_threshold,
        help="aligned share of the shorter document from which a match is a rewrite",
    )
    settings.add_argument(
        "--remove-threshold",
        type=float,
        default=_DEFAULTS.remove_threshold,
        help="similarity from which a repeated paragraph is dropped before comparison",
    )
    limits = scan_cmd.add_argument_group(
        "limits", "caps that keep one huge or odd input from exhausting time or memory; "
        "a document they cut is flagged 'truncated' in the report (docs/robustness.md)")
    limits.add_argument(
        "--max-chars",
        type=int,
        default=_DEFAULTS.max_chars,
        help="documents longer than this many characters are cut for comparison",
    )
    limits.add_argument(
        "--max-sentences",
        type=int,
        default=_DEFAULTS.max_sentences,
        help="sentences of a document past this many are not aligned (alignment costs the "
        "product of two documents' sentence counts)",
    )
    limits.add_argument(
        "--max-paragraphs",
        type=int,
        default=_DEFAULTS.max_paragraphs,
        help="paragraphs of a document past this many are not checked for internal repeats",
    )
    limits.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help="JSONL lines longer than this many bytes are reported and skipped; text files "
        "longer than this are read up to it (and reported)",
    )
    _add_index_commands(commands)
    _add_explain_command(commands)
    _add_spark_command(commands)
    return parser


def _add_explain_command(commands: Any) -> None:
    """Add ``dedup explain A B``."""
    explain_cmd = commands.add_parser(
        "explain",
        help="show why two documents match (or do not), side by side",
        description="Measure two documents as a scan would and show them side by side: the "
        "aligned passages with their shared words highlighted, the scores, the kind and the "
        "rule that chose it, and the internal repeats each side dropped. A and B are two "
        "files; or, with --in or --index, two ids.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    explain_cmd.add_argument("a", metavar="A", help="the document seen first: a file, or an id")
    explain_cmd.add_argument("b", metavar="B", help="the other document: a file, or an id")
    where = explain_cmd.add_mutually_exclusive_group()
    where.add_argument("--in", dest="inputs", nargs="+", metavar="PATH",
                       help="files or folders holding the two ids (as 'scan' reads them)")
    where.add_argument("--index", metavar="PATH",
                       help="an index holding the two ids (a file or redis:// URL): it keeps "
                       "no text, so each document is read again from the source it was added "
                       "from, and its settings are used")
    explain_cmd.add_argument("-f", "--format", choices=("text", "json"), default="text",
                             help="text for people (side by side on a terminal), json for tools")
    explain_cmd.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                             help="colours and the side-by-side layout of the text format")


def _explain(args: argparse.Namespace) -> int:
    try:
        a, b, config = read_pair((args.a, args.b), args.inputs, args.index)
    except InputError as exc:
        print(f"dedup: {exc}", file=sys.stderr)
        return EXIT_INPUT
    explanation = explain(a, b, config)
    color = {"auto": None, "always": True, "never": False}[args.color]
    write_explanation(explanation, sys.stdout, args.format, color=color)
    return EXIT_OK


def _add_spark_command(commands: Any) -> None:
    """Add ``dedup spark-scan``."""
    spark_cmd = commands.add_parser(
        "spark-scan",
        help="scan a large input on Apache Spark, writing Parquet tables",
        description="Find repeats, matches and clusters with Spark (pip install "
        "'dedup[spark]'); the same answers as 'scan'. Writes OUTPUT/documents, repeats, "
        "matches, clusters, errors and capped as Parquet (docs/scaling.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    spark_cmd.add_argument("input", metavar="INPUT", help="JSONL or Parquet: any path Spark "
                           "reads (a file, a folder, hdfs://, s3a://)")
    spark_cmd.add_argument("output", metavar="OUTPUT", help="folder for the Parquet tables")
    spark_cmd.add_argument("--master",
                           help="Spark master: local[N], yarn, spark://host:port, k8s://... "
                           "(default: spark-submit's, else local[*])")
    spark_cmd.add_argument("--input-format", choices=("auto", "jsonl", "parquet"),
                           default="auto", help="auto: jsonl for .jsonl/.json names")
    spark_cmd.add_argument("--order-col", metavar="COLUMN",
                           help="the column giving the documents' order (default: as read)")
    spark_cmd.add_argument("--shuffle-partitions", type=int, metavar="N",
                           help="spark.sql.shuffle.partitions (Spark's default if not given)")
    spark_cmd.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                           help="a Spark setting, e.g. spark.driver.memory=8g (repeatable)")
    spark_cmd.add_argument("--overwrite", action="store_true",
                           help="replace tables already in OUTPUT")


def _spark_scan(args: argparse.Namespace) -> int:
    try:
        from dedup.spark import local_session
        from dedup.spark.scan import scan_files
    except ImportError as exc:
        print(f"dedup: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from pyspark.errors import AnalysisException

    conf = dict(item.partition("=")[::2] for item in args.conf)
    bad = [item for item in args.conf if "=" not in item]
    if bad:
        raise ConfigError(f"'--conf' takes KEY=VALUE (got {bad[0]!r})")
    session = local_session(args.master, args.shuffle_partitions,
                            conf=conf)
    try:
        counts = scan_files(session, args.input, args.output, input_format=args.input_format,
                            order_col=args.order_col, overwrite=args.overwrite)
    except AnalysisException as exc:  # no such input, output there already, a bad column
        print(f"dedup: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_USAGE
    print(f"dedup {__version__} on Spark: {counts['documents']} documents, "
          f"{counts['matches']} matches, {counts['clustered']} documents in clusters, "
          f"{counts['errors']} errors; tables in {args.output}")
    return EXIT_INPUT if counts["errors"] else EXIT_OK


class _Output:
    """Where the report goes: stdout, or a file that only a complete report replaces.

    A file is written beside its target and renamed over it at the end, so that an
    interrupted or failed scan never leaves half a report or destroys the previous one.
    Characters the stream cannot encode (lone surrogates from broken input) are written as
    backslash escapes, which is also what JSON calls them.
    """

    def __init__(self, name: str) -> None:
        self.name = self.target = name
        self._temp: str | None = None
        #: Whether what is written goes straight to the reader (no temporary file to drop).
        self.direct = True
        if name == "-":
            if sys.stdout is None:
                raise OSError(errno.EBADF, "stdout is closed")
            reconfigure = getattr(sys.stdout, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")
            self.stream: TextIO = sys.stdout
            return
        # Through a symbolic link, the file it points to is replaced, not the link.
        target = Path(os.path.realpath(name))
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "it is a folder")
        existing = target.stat() if target.exists() else None
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            # A device or a pipe (/dev/stdout, a FIFO) is written directly.
            self.stream = open(name, "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
            return
        self.direct = False
        fd, self._temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                          dir=target.parent)
        if existing is not None:
            mode = stat.S_IMODE(existing.st_mode)
        else:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(fd, mode)
        self.target = str(target)
        self.stream = os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace")

    def commit(self) -> None:
        """Flush the report and put it in place."""
        self.stream.flush()
        if self.stream is not sys.stdout:
            self.stream.close()
        if self._temp is not None:
            os.replace(self._temp, self.target)
            self._temp = None

    def discard(self) -> None:
        """Drop a report that was not finished (the target file is left as it was)."""
        if self.stream is not sys.stdout:
            with contextlib.suppress(OSError):  # the write that failed already said why
                self.stream.close()
        if self._temp is not None:
            Path(self._temp).unlink(missing_ok=True)
            self._temp = None


class _Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a service manager, ``docker stop``): stop as cleanly as on Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def _cannot_write(name: str, exc: OSError) -> int:
    where = "stdout" if name == "-" else name
    print(f"dedup: cannot write the report to {where}: {exc.strerror or exc}", file=sys.stderr)
    return EXIT_USAGE


def _scan(args: argparse.Namespace) -> int:
    config = Config(
        threshold=args.threshold,
        num_perm=args.num_perm,
        seed=args.seed,
        near_duplicate_threshold=args.near_duplicate_threshold,
        partial_threshold=args.partial_threshold,
        rewrite_threshold=args.rewrite_threshold,
        remove_threshold=args.remove_threshold,
        max_chars=args.max_chars,
        max_sentences=args.max_sentences,
        max_paragraphs=args.max_paragraphs,
    )
    if args.max_bytes < 1:
        raise ConfigError(f"'--max-bytes' must be a whole number >= 1 (got {args.max_bytes})")
    if args.html == "-" and args.output == "-":
        raise ConfigError("'--html -' and the report would both go to stdout: give --html a "
                          "file name, or send the report elsewhere with --output")
    if args.html is not None and "-" in args.paths:
        raise ConfigError("'--html' reads the inputs again for the texts it shows, and stdin "
                          "cannot be read twice: give files or folders instead of -")
    try:
        out = _Output(args.output)
    except OSError as exc:
        return _cannot_write(args.output, exc)
    collector = HtmlCollector() if args.html is not None else None
    problems: list[Problem] = []
    writing = False
    streamed: JsonlWriter | None = None
    previous = None
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        documents = read_paths(args.paths, problems, max_bytes=args.max_bytes)
        shown: When = args.progress if sys.stderr is not None else "never"
        with (ScanProgress(sys.stderr, shown, errors=lambda: len(problems)) as progress,
              prefetch(documents, config, args.workers) as ahead):

            def seen(result: Result) -> None:
                progress.result(result)
                if collector is not None:
                    collector.result(result)

            if args.format == "jsonl":
                # Each document's record is written as soon as it is added, and nothing of
                # it is kept: memory is bounded by the index, not by the input.
                writing = True
                writer = streamed = JsonlWriter(out.stream, config)
                writing = False

                def write_document(result: Result) -> None:
                    nonlocal writing
                    writing = True  # an OSError from here on is the report's, not the input's
                    writer.document(result)
                    writing = False
                    seen(result)

                report = scan(ahead, config, index=args.index, window=_days(args.window),
                              on_result=write_document, keep="none")
            else:
                # The reports print no text: keep none of it.
                report = scan(ahead, config, index=args.index, window=_days(args.window),
                              on_result=seen, keep="summary")
        report.errors = problems + report.errors
        color = {"auto": None, "always": True, "never": False}[args.color]
        writing = True
        if streamed is not None:
            streamed.finish(report)
        else:
            write_report(report, out.stream, args.format, color=color)
        if collector is not None:
            writing = False
            texts = read_texts(collector.wanted(), args.paths, report.config,
                               max_bytes=args.max_bytes)
            writing = True
            if not _write_html(args.html, collector, report, texts):
                out.discard()
                return EXIT_USAGE
        out.commit()
    except KeyboardInterrupt as exc:
        out.discard()
        shutdown_workers()  # before the interpreter's exit: see shutdown_workers
        kept = (f"; what was added to {redact(args.index)} before it stays there (run the same "
                "scan again to add the rest)" if args.index else "")
        how = "terminated" if isinstance(exc, _Terminated) else "interrupted"
        written = ("the report written so far is incomplete" if streamed is not None
                   and out.direct else "no report written")
        print(f"dedup: {how}, {written}{kept}", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, _Terminated) else EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``dedup scan ... | head``): nothing more to say to it, and
        # nothing left for the interpreter to flush at exit.
        out.discard()
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        out.discard()
        if writing:  # a full disk, a closed stream: the report's fault, not the input's
            return _cannot_write(args.output, exc)
        raise
    except BaseException:
        out.discard()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if report.errors:
        return EXIT_INPUT
    if args.fail_on_duplicates and report.matches:
        return EXIT_DUPLICATES
    return EXIT_OK


def _write_html(name: str, collector: HtmlCollector, report: Report,
                texts: dict[str, str]) -> bool:
    """Write the HTML page to ``name`` (whole or not at all); say why if it cannot be."""
    try:
        page = _Output(name)
    except OSError as exc:
        _cannot_write(name, exc)
        return False
    try:
        write_html(collector, report, texts, page.stream)
        page.commit()
    except OSError as exc:
        page.discard()
        _cannot_write(name, exc)
        return False
    except BaseException:
        page.discard()
        raise
    return True


def _days(days: float | None) -> timedelta | None:
    if days is None:
        return None
    if not days >= 0:
        raise ConfigError(f"'--window' must be a number of days >= 0 (got {days!r})")
    return timedelta(days=days)


def _add_index_commands(commands: Any) -> None:
    """Add ``dedup index stats|remove|prune|compact``."""
    index_cmd = commands.add_parser(
        "index",
        help="inspect and trim an index kept by 'scan --index'",
        description="Inspect and trim an index: a file or a redis:// URL.",
    )
    actions = index_cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    stats = actions.add_parser("stats", help="documents, postings and bytes of the index; "
                               "exit 3 if --check finds problems")
    stats.add_argument("index", metavar="PATH", help="the index file or redis:// URL")
    stats.add_argument("--check", action="store_true",
                       help="also run an integrity check (SQLite's and dedup's own)")
    stats.add_argument("-f", "--format", choices=("text", "json"), default="text")
    remove = actions.add_parser("remove", help="forget documents by id")
    remove.add_argument("index", metavar="PATH", help="the index file or redis:// URL")
    remove.add_argument("ids", nargs="+", metavar="ID", help="ids of documents to remove")
    prune = actions.add_parser("prune", help="forget documents published (else added) before "
                               "a date, or older than some days")
    prune.add_argument("index", metavar="PATH", help="the index file or redis:// URL")
    when = prune.add_mutually_exclusive_group(required=True)
    when.add_argument("--before", metavar="DATE", help="an ISO 8601 date or date-time")
    when.add_argument("--keep-days", type=float, metavar="N", help="keep the last N days")
    compact = actions.add_parser("compact", help="give back the space removals and merges "
                                 "left unused in an index file (needs room for a copy)")
    compact.add_argument("index", metavar="PATH", help="the index file or redis:// URL")


def _index(args: argparse.Namespace) -> int:
    location = args.index
    if "://" not in location and not Path(location).is_file():
        print(f"dedup: no index at {redact(location)}: give the path 'scan --index' wrote",
              file=sys.stderr)
        return EXIT_USAGE
    with Detector(index=location) as detector:
        if args.action == "stats":
            stats = detector.stats()
            if args.check:
                stats["problems"] = detector.check()
            if args.format == "json":
                print(json.dumps(stats, indent=2))
            else:
                for name, value in stats.items():
                    if isinstance(value, dict):
                        value = ", ".join(f"{k} {v}" for k, v in value.items())
                    elif isinstance(value, list):
                        value = "; ".join(value) if value else "none"
                    print(f"{name}: {value}")
            return EXIT_INPUT if stats.get("problems") else EXIT_OK
        if args.action == "remove":
            removed = detector.remove(args.ids)
            missing = [i for i in args.ids if i not in set(removed)]
            print(f"removed {len(removed)} document(s)")
            if missing:
                print(f"not in the index: {', '.join(missing)}", file=sys.stderr)
            return EXIT_OK
        if args.action == "compact":
            freed = detector.compact()
            print(f"gave back {freed:,} bytes")
            return EXIT_OK
        keep = None if args.keep_days is None else _days(args.keep_days)
        pruned = detector.prune(before=args.before, keep=keep)
        print(f"removed {len(pruned)} document(s); {len(detector)} left")
        return EXIT_OK


class _Stderr(logging.Handler):
    """Writes log records to whatever ``sys.stderr`` is when they are written."""

    def emit(self, record: logging.LogRecord) -> None:
        print(self.format(record), file=sys.stderr)


@contextlib.contextmanager
def _debug_log() -> Iterator[None]:
    """With ``DEDUP_DEBUG`` set, show dedup's debug log (tracebacks of failed documents)."""
    if not os.environ.get("DEDUP_DEBUG"):
        yield
        return
    logger = logging.getLogger("dedup")
    handler = _Stderr()
    handler.setFormatter(logging.Formatter("dedup: %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dedup`` command with ``argv`` (default: the process arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        with _debug_log():
            if args.command == "scan":
                return _scan(args)
            if args.command == "index":
                return _index(args)
            if args.command == "explain":
                return _explain(args)
            if args.command == "spark-scan":
                return _spark_scan(args)
    except ConfigError as exc:
        parser.error(str(exc))
    except (IndexMismatchError, ConnectionError) as exc:
        print(f"dedup: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("dedup: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        # A bug, or the machine out of memory: one line for the user, the traceback only
        # when asked for, since a user can act on neither.
        if os.environ.get("DEDUP_DEBUG"):
            raise
        print(f"dedup: internal error: {type(exc).__name__}: {exc}. Please report it with "
              "the command that caused it (DEDUP_DEBUG=1 shows the traceback).",
              file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
