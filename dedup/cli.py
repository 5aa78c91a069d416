"""The ``dedup`` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from dedup import __version__
from dedup.config import Config
from dedup.detector import Problem, scan
from dedup.errors import ConfigError
from dedup.io import read_paths
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
    report = scan(read_paths(args.paths, problems), config)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dedup`` command with ``argv`` (default: the process arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
    except ConfigError as exc:
        parser.error(str(exc))
    except KeyboardInterrupt:
        print("dedup: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
