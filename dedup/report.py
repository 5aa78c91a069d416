"""Formatting a report: for a person at a terminal, as one JSON object, or as JSONL records.

Formatting only: the report's content is decided elsewhere (:class:`dedup.Report`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal, TextIO

from rich.console import Console
from rich.markup import escape

from dedup import __version__
from dedup.detector import Report, Result
from dedup.repeats import repeat_blocks

__all__ = ["Format", "format_jsonl", "write_report"]

Format = Literal["text", "json", "jsonl"]


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def format_jsonl(report: Report) -> Iterator[str]:
    """Yield the report as JSON lines, each record with a ``type`` field, header first."""
    yield json.dumps(
        {"type": "header", "dedup_version": __version__, "config": report.config.to_dict()},
        ensure_ascii=False,
    )
    records: list[tuple[str, list[Any]]] = [
        ("document", report.documents),
        ("match", report.matches),
        ("cluster", report.clusters),
        ("error", report.errors),
    ]
    for kind, items in records:
        for item in items:
            yield json.dumps({"type": kind, **item.to_dict()}, ensure_ascii=False)


def _repeat_lines(doc: Result, remove_threshold: float) -> Iterator[str]:
    exact = [r for r in doc.repeats if r.exact]
    near = [r for r in doc.repeats if not r.exact]
    for first, last, of_first, of_last in repeat_blocks(exact):
        where = f"{_lines(first, last)} repeat {_lines(of_first, of_last)}"
        yield f"  {escape(doc.id)}  {where} (exact)"
    for r in near:
        fate = "dropped" if r.similarity >= remove_threshold else "kept"
        yield (
            f"  {escape(doc.id)}  line {r.line} resembles line {r.first_line} "
            f"(similarity {r.similarity:.2f}, {fate})"
        )


def _write_text(report: Report, out: TextIO, color: bool | None) -> None:
    console = Console(
        file=out, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False
    )
    n_docs, n_matches = len(report.documents), len(report.matches)
    console.print(
        f"[bold]dedup {__version__}[/]: {n_docs} document{'s' * (n_docs != 1)}, "
        f"{n_matches} match{'es' * (n_matches != 1)}, {len(report.clusters)} "
        f"cluster{'s' * (len(report.clusters) != 1)}, {len(report.errors)} "
        f"error{'s' * (len(report.errors) != 1)}"
    )
    repeat_lines = [
        line for d in report.documents for line in _repeat_lines(d, report.config.remove_threshold)
    ]
    if repeat_lines:
        console.print("\n[bold]Repeated paragraphs[/]")
        for line in repeat_lines:
            console.print(line)
    if report.matches:
        console.print("\n[bold]Matches[/]")
        for m in report.matches:
            console.print(
                f"  [bold]{m.kind}[/]  {escape(m.a)} ~ {escape(m.b)}  score {m.score:.2f}"
                f"  jaccard {m.jaccard:.2f}  containment {m.a_in_b:.2f}/{m.b_in_a:.2f}"
            )
            for p in m.passages:
                console.print(
                    f"      {_lines(*p.a_lines)} ~ {_lines(*p.b_lines)}  ({p.similarity:.2f})"
                )
    if report.clusters:
        console.print("\n[bold]Clusters[/]")
        for number, c in enumerate(report.clusters, start=1):
            members = ", ".join(
                escape(m) + (" (canonical)" if m == c.canonical else "") for m in c.members
            )
            console.print(f"  {number}. {members}")
    if report.errors:
        console.print("\n[bold red]Errors[/]")
        for e in report.errors:
            where = f"{e.source}:{e.line}" if e.line is not None else e.source
            console.print(f"  {escape(where)}: {escape(e.message)}")


def write_report(
    report: Report, out: TextIO, fmt: Format = "text", color: bool | None = None
) -> None:
    """Write ``report`` to ``out`` in format ``fmt``.

    Args:
        report: What a scan found.
        out: A text stream.
        fmt: ``text`` for people, ``json`` for one object (DESIGN.md), ``jsonl`` for records.
        color: Force colours on or off; ``None`` lets the terminal decide.
    """
    if fmt == "json":
        json.dump(report.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "jsonl":
        for line in format_jsonl(report):
            out.write(line + "\n")
    else:
        _write_text(report, out, color)
