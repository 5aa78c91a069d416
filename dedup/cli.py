"""The ``dedup`` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from dedup import __version__
from dedup.config import Config
from dedup.detector import Detector, Problem, scan
from dedup.errors import ConfigError, IndexMismatchError
from dedup.io import read_paths
from dedup.parallel import prefetch
from dedup.report import write_report

__all__ = ["main"]

EXIT_OK, EXIT_DUPLICATES, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3
_DEFAULTS = Config()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dedup",
        description="Find near-duplicate, syndicated and rewritten news articles.",
        epilog="Exit codes: 0 ran fine; 1 found duplicates (with --fail-on-duplicates); "
        "2 usage error; 3 some input could not be read (the rest was reported).",
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
        "--fail-on-duplicates", action="store_true", help="exit with 1 if any match was found"
    )
    scan_cmd.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colours in the text report",
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
        help="processes that analyze documents (repair, paragraphs, shingles) while the main "
        "one matches them; 2 or more uses more cores",
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
    settings.add_argument(
        "--max-chars",
        type=int,
        default=_DEFAULTS.max_chars,
        help="documents longer than this are cut for comparison (and flagged)",
    )
    _add_index_commands(commands)
    return parser


def _open_output(name: str) -> TextIO:
    if name == "-":
        return sys.stdout
    return open(name, "w", encoding="utf-8", errors="backslashreplace")


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
    )
    try:
        out = _open_output(args.output)
    except OSError as exc:
        print(
            f"dedup: cannot write the report to {args.output}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    problems: list[Problem] = []
    with prefetch(read_paths(args.paths, problems), config, args.workers) as documents:
        report = scan(documents, config, index=args.index, window=_days(args.window))
    report.errors = problems + report.errors
    color = {"auto": None, "always": True, "never": False}[args.color]
    try:
        write_report(report, out, args.format, color=color)
        out.flush()
    finally:
        if out is not sys.stdout:
            out.close()
    if report.errors:
        return EXIT_INPUT
    if args.fail_on_duplicates and report.matches:
        return EXIT_DUPLICATES
    return EXIT_OK


def _days(days: float | None) -> timedelta | None:
    if days is None:
        return None
    if not days >= 0:
        raise ConfigError(f"'--window' must be a number of days >= 0 (got {days!r})")
    return timedelta(days=days)


def _add_index_commands(commands: Any) -> None:
    """Add ``dedup index stats|remove|prune``."""
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


def _index(args: argparse.Namespace) -> int:
    location = args.index
    if "://" not in location and not Path(location).is_file():
        print(f"dedup: no index at {location}: give the path 'scan --index' wrote",
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
        keep = None if args.keep_days is None else _days(args.keep_days)
        pruned = detector.prune(before=args.before, keep=keep)
        print(f"removed {len(pruned)} document(s); {len(detector)} left")
        return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dedup`` command with ``argv`` (default: the process arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "index":
            return _index(args)
    except ConfigError as exc:
        parser.error(str(exc))
    except (IndexMismatchError, ConnectionError) as exc:
        print(f"dedup: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("dedup: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
