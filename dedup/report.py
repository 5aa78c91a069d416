"""Formatting a report: for a person at a terminal, as one JSON object, or as JSONL records.

Formatting only: the report's content is decided elsewhere (:class:`dedup.Report`). The JSON
report is written an item at a time (never built as one object in memory), and
:class:`JsonlWriter` writes each document's record while the scan is still going.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Literal, Protocol, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dedup import __version__
from dedup.config import Config
from dedup.detector import Report, Result
from dedup.explanation import AlignedPassage, Explanation, Marks, Side, line_text
from dedup.repeats import repeat_blocks

__all__ = ["Format", "JsonlWriter", "counted", "format_jsonl", "write_explanation",
           "write_report"]

Format = Literal["text", "json", "jsonl"]


class _Item(Protocol):
    def to_dict(self) -> dict[str, object]: ...


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _header(config: Config) -> str:
    return json.dumps(
        {"type": "header", "dedup_version": __version__, "config": config.to_dict()},
        ensure_ascii=False,
    )


def _record(kind: str, item: _Item) -> str:
    return json.dumps({"type": kind, **item.to_dict()}, ensure_ascii=False)


def _sections(report: Report) -> list[tuple[str, Sequence[_Item]]]:
    return [
        ("document", report.documents),
        ("match", report.matches),
        ("cluster", report.clusters),
        ("error", report.errors),
    ]


def format_jsonl(report: Report) -> Iterator[str]:
    """Yield the report as JSON lines, each record with a ``type`` field, header first."""
    yield _header(report.config)
    for kind, items in _sections(report):
        for item in items:
            yield _record(kind, item)
    yield from _stats(report)


def _stats(report: Report) -> Iterator[str]:
    """Yield the closing ``stats`` record: what the caps left out, when they left anything."""
    if any(report.capped.values()):
        yield json.dumps({"type": "stats", "capped": dict(report.capped)}, ensure_ascii=False)


class JsonlWriter:
    """Writes a JSONL report while the scan runs: each document as soon as it is added.

    The header is written at once; :meth:`document` writes one document's record and then
    those of the matches found when it was added (with earlier documents); :meth:`finish`
    writes what is only known at the end (clusters, errors), and the documents and matches
    the report itself holds, if any. The records are those of :func:`format_jsonl`, each
    type in the same order, but a document's matches follow it instead of coming after all
    the documents: nothing is kept to the end but what clusters need.

    Args:
        out: A text stream.
        config: The configuration of the scan (written in the header).

    >>> import io
    >>> from dedup import Document, scan
    >>> text = "Officials said the bridge would reopen in May after repairs to its deck."
    >>> out = io.StringIO()
    >>> writer = JsonlWriter(out, Config())
    >>> writer.finish(scan([Document("a", text), Document("b", text)],
    ...                    on_result=writer.document, keep="none"))
    >>> [json.loads(line)["type"] for line in out.getvalue().split("\\n") if line]
    ['header', 'document', 'document', 'match', 'cluster']
    """

    def __init__(self, out: TextIO, config: Config) -> None:
        self.out = out
        out.write(_header(config) + "\n")

    def document(self, result: Result) -> None:
        """Write the records of one document and of the matches found when it was added."""
        self.out.write(_record("document", result) + "\n")
        for match in result.matches:
            self.out.write(_record("match", match) + "\n")

    def finish(self, report: Report) -> None:
        """Write the rest of ``report``: its documents, matches, clusters and errors."""
        for kind, items in _sections(report):
            for item in items:
                self.out.write(_record(kind, item) + "\n")
        for line in _stats(report):
            self.out.write(line + "\n")


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


def counted(n: int, one: str, many: str) -> str:
    """Return ``n`` and the word for it, as the reports print counts.

    >>> counted(1, "match", "matches"), counted(2000, "match", "matches")
    ('1 match', '2,000 matches')
    """
    return f"{n:,} {one if n == 1 else many}"


def _write_text(report: Report, out: TextIO, color: bool | None) -> None:
    console = Console(
        file=out, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False
    )
    n_docs, n_matches = len(report.documents), len(report.matches)
    n_cut = sum(d.truncated for d in report.documents)
    console.print(
        f"[bold]dedup {__version__}[/]: {counted(n_docs, 'document', 'documents')}, "
        f"{counted(n_matches, 'match', 'matches')}, "
        f"{counted(len(report.clusters), 'cluster', 'clusters')}, "
        f"{counted(len(report.errors), 'error', 'errors')}"
        + (f", {n_cut} truncated" if n_cut else "")
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
            # Several sentences of one line can align with sentences of one other line:
            # one row per pair of lines, with each sentence pair's similarity.
            rows: dict[tuple[str, str], list[str]] = {}
            for p in m.passages:
                rows.setdefault((_lines(*p.a_lines), _lines(*p.b_lines)), []).append(
                    f"{p.similarity:.2f}")
            for (a_lines, b_lines), similarities in rows.items():
                console.print(f"      {a_lines} ~ {b_lines}  ({', '.join(similarities)})")
    if report.clusters:
        console.print("\n[bold]Clusters[/]")
        for number, c in enumerate(report.clusters, start=1):
            members = ", ".join(
                escape(m) + (" (canonical)" if m == c.canonical else "") for m in c.members
            )
            console.print(f"  {number}. {members}")
    truncated = [d for d in report.documents if d.truncated]
    if truncated:
        cfg = report.config
        console.print(
            "\n[bold]Truncated[/] (past a limit: --max-chars "
            f"{cfg.max_chars}, --max-sentences {cfg.max_sentences} or --max-paragraphs "
            f"{cfg.max_paragraphs}; only what is within the limits was compared)"
        )
        for d in truncated:
            where = f"  ({escape(d.source)})" if d.source and d.source != d.id else ""
            console.print(f"  {escape(d.id)}{where}")
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
        _write_json(report, out)
    elif fmt == "jsonl":
        for line in format_jsonl(report):
            out.write(line + "\n")
    else:
        _write_text(report, out, color)


def _write_json(report: Report, out: TextIO) -> None:
    """Write ``json.dump(report.to_dict(), indent=2)`` item by item, never all in memory.

    The output is the same, byte for byte (a test holds it to that): the long lists are
    written one item at a time, each indented as ``json.dump`` would indent it.
    """
    parts: list[tuple[str, object]] = [
        ("dedup_version", __version__),
        ("config", report.config.to_dict()),
        ("documents", report.documents),
        ("matches", report.matches),
        ("clusters", report.clusters),
        ("errors", report.errors),
    ]
    if report.skipped:
        parts.append(("skipped", list(report.skipped)))
    if any(report.capped.values()):
        parts.append(("capped", dict(report.capped)))
    out.write("{")
    for number, (key, value) in enumerate(parts):
        out.write(("," if number else "") + "\n  " + json.dumps(key) + ": ")
        if key in ("documents", "matches", "clusters", "errors"):
            items: Sequence[_Item] = value  # type: ignore[assignment]
            if not items:
                out.write("[]")
                continue
            out.write("[")
            for position, item in enumerate(items):
                encoded = json.dumps(item.to_dict(), ensure_ascii=False, indent=2)
                out.write(("," if position else "") + "\n    " + encoded.replace("\n", "\n    "))
            out.write("\n  ]")
        else:
            out.write(json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  "))
    out.write("\n}\n")


_SHARED = "bold yellow"


def _marked(text: str, marks: Marks) -> Text:
    """Return ``text`` with the shared words styled (rich Text: no markup is parsed)."""
    out = Text(text)
    for start, end in marks:
        out.stylize(_SHARED, start, end)
    return out


def _dropped_lines(side: Side) -> list[str]:
    return [f"{_lines(first, last)} repeat {_lines(of_first, of_last)}"
            for first, last, of_first, of_last in repeat_blocks(list(side.dropped))]


def _rows(e: Explanation) -> list[tuple[AlignedPassage, str]]:
    """The passages, those over the same lines as the one before folded into it (several
    sentences of one line can align with sentences of one other line), with similarities."""
    rows: list[tuple[AlignedPassage, list[str]]] = []
    for p in e.passages:
        if rows and (rows[-1][0].a_lines, rows[-1][0].b_lines) == (p.a_lines, p.b_lines):
            rows[-1][1].append(f"{p.similarity:.2f}")
        else:
            rows.append((p, [f"{p.similarity:.2f}"]))
    return [(p, ", ".join(sims)) for p, sims in rows]


def write_explanation(explanation: Explanation, out: TextIO, fmt: Literal["text", "json"] =
                      "text", color: bool | None = None) -> None:
    """Write what :func:`dedup.explain` found, for a person or as JSON.

    On a terminal the two texts are side by side: each aligned passage in one row with the
    shared words highlighted, the unaligned lines between them dimmed. Into a file or pipe
    (or with ``color=False``) the passages are listed one after another with their shared
    words, in plain text.

    Args:
        explanation: The pair.
        out: A text stream.
        fmt: ``text`` or ``json`` (``Explanation.to_dict``).
        color: Force the terminal layout on or off; ``None`` lets the stream decide.
    """
    if fmt == "json":
        out.write(json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    e = explanation
    console = Console(file=out, highlight=False, soft_wrap=True, force_terminal=color,
                      no_color=color is False)
    scores = (f"jaccard {e.jaccard:.2f}  containment {e.a_in_b:.2f}/{e.b_in_a:.2f}"
              + (f"  score {e.score:.2f}" if e.score is not None else ""))
    console.print(Text.assemble((e.kind or "no match", "bold"), f"  {e.a.id} ~ {e.b.id}  ",
                                scores))
    console.print(Text(e.rule))
    if console.is_terminal:
        _side_by_side(console, e)
    else:
        for p, similarities in _rows(e):
            console.print(f"\n{_lines(*p.a_lines)} ~ {_lines(*p.b_lines)}  "
                          f"(similarity {similarities})", markup=False)
            console.print(Text("  a: " + p.a_text.replace("\n", "\n     ")))
            console.print(Text("  b: " + p.b_text.replace("\n", "\n     ")))
            console.print(Text("  shared: " + (", ".join(p.shared) or "(none)")))
    for side in (e.a, e.b):
        dropped = _dropped_lines(side)
        if dropped:
            console.print(Text(f"\n{side.id} dropped its internal repeats: "
                               + "; ".join(dropped)))


def _gap(lines: list[str], first: int, last: int) -> Text:
    return Text(line_text(lines, first, last).strip("\n"), style="dim")


def _side_by_side(console: Console, e: Explanation) -> None:
    """Both texts in two columns, aligned passages in one row each, from the top."""
    table = Table(show_header=True, expand=True, show_lines=True)
    table.add_column(Text(e.a.id), ratio=1, overflow="fold")
    table.add_column("", justify="center", width=6)
    table.add_column(Text(e.b.id), ratio=1, overflow="fold")
    lines_a, lines_b = e.a.text.split("\n"), e.b.text.split("\n")
    next_a = next_b = 1

    def gap(last_a: int, last_b: int) -> None:
        a, b = _gap(lines_a, next_a, last_a), _gap(lines_b, next_b, last_b)
        if a.plain.strip() or b.plain.strip():
            table.add_row(a, "", b)

    for p, similarities in _rows(e):
        gap(p.a_lines[0] - 1, p.b_lines[0] - 1)
        middle = Text(f"{p.a_lines[0]}~{p.b_lines[0]}\n", style="dim")
        middle.append(similarities.replace(", ", "\n"), style="")
        table.add_row(_marked(p.a_text, p.a_marks), middle, _marked(p.b_text, p.b_marks))
        next_a, next_b = max(next_a, p.a_lines[1] + 1), max(next_b, p.b_lines[1] + 1)
    gap(len(lines_a), len(lines_b))
    console.print(table, soft_wrap=False)
