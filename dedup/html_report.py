"""The HTML report of a scan: one self-contained file to read matches side by side.

Formatting only. :class:`HtmlCollector` takes each document's result as the scan goes and keeps
what the page shows but a scan report drops: the matches (also in a ``jsonl`` scan, whose report
keeps none) and the documents' internal repeats. The article texts are not kept during the scan
(its memory stays bounded by the index): the caller reads them again afterwards, for only the
documents the page shows (:func:`dedup.explanation.read_documents`), and :func:`write_html`
writes the page.

The page has no network access and runs from a ``file://`` URL: CSS and script are inline and
the data is one JSON block. Article text and ids are untrusted: the data is embedded as JSON
in ``<script type="application/json">`` with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, and
the script builds every element with ``textContent``, never ``innerHTML``. The side-by-side
view of a match is built when it is opened, so the page stays quick with 10,000 matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TextIO

from dedup import __version__
from dedup.config import Config
from dedup.detector import Report, Result
from dedup.explanation import stemmed_words
from dedup.match import Match
from dedup.repeats import Repeat, removable

__all__ = ["HtmlCollector", "script_json", "write_html"]

_BMP = re.compile("[\u0000-\uffff]*")
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(value: object) -> str:
    """Return ``value`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where ``\\u003c`` means the same
    character: no ``</script>`` or ``<!--`` can end or change the element. U+2028 and U+2029
    are escaped too (older JavaScript parsers end a line there).

    >>> script_json({"id": "</script><b>&"})
    '{"id": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


@dataclass(slots=True)
class HtmlCollector:
    """Keeps what the HTML page shows of each result: its matches and repeats, no text.

    Pass :meth:`result` as (or call it from) the scan's ``on_result``.

    >>> from dedup import Document, scan
    >>> text = "Officials said the bridge would reopen in May after repairs to its deck."
    >>> collector = HtmlCollector()
    >>> _ = scan([Document("a", text), Document("b", text)], on_result=collector.result)
    >>> collector.documents, [(m.a, m.b) for m in collector.matches], sorted(collector.wanted())
    (2, [('a', 'b')], ['a', 'b'])
    """

    documents: int = 0
    truncated: int = 0
    matches: list[Match] = field(default_factory=list)
    repeats: dict[str, tuple[Repeat, ...]] = field(default_factory=dict)

    def result(self, result: Result) -> None:
        """Keep what the page needs of one document's result."""
        self.documents += 1
        self.truncated += result.truncated
        self.matches.extend(result.matches)
        if result.repeats:
            self.repeats[result.id] = result.repeats

    def wanted(self) -> set[str]:
        """Return the ids whose text the page shows: in a match, or with repeats."""
        ids = set(self.repeats)
        for m in self.matches:
            ids.update((m.a, m.b))
        return ids


def _word_stems(text: str, config: Config, vocabulary: dict[str, int]) -> list[int]:
    """Return the content words of ``text`` for the page to find shared words in any passage.

    Flat ``[gap, length, k, stem_1 .. stem_k]`` a word (``gap`` from the end of the word
    before), its stems as numbers of ``vocabulary``: the page intersects the stems of two
    passages and marks the words that have one in common, which is what
    :func:`dedup.explanation.shared_words` does, computed once a document instead of once a
    passage (a tenth of the data at 10,000 matches).
    """
    out: list[int] = []
    end = 0
    # JavaScript counts UTF-16 units: a character past U+FFFF is two of them.
    wide = [0, *accumulate(ord(c) > 0xFFFF for c in text)] if not _BMP.fullmatch(text) else None
    for start, stop, stems in stemmed_words(text, config.stem_chars):
        if stems:
            if wide is not None:
                start, stop = start + wide[start], stop + wide[stop]
            out += [start - end, stop - start, len(stems)]
            out += [vocabulary.setdefault(stem, len(vocabulary)) for stem in stems]
            end = stop
    return out


def _doc_data(text: str | None, repeats: Iterable[Repeat], config: Config,
              vocabulary: dict[str, int]) -> dict[str, object]:
    dropped = {(r.line, r.first_line) for r in removable(list(repeats), config.remove_threshold)}
    words = _word_stems(text, config, vocabulary) if text is not None else []
    return {"text": text, "words": words,
            "repeats": [{**r.to_dict(), "end_line": max(r.line, r.end_line),
                         "dropped": (r.line, r.first_line) in dropped} for r in repeats]}


def write_html(collector: HtmlCollector, report: Report, texts: Mapping[str, str],
               out: TextIO, *, title: str = "dedup report") -> None:
    """Write the HTML page of a scan.

    Args:
        collector: What the scan's results gave (matches, repeats, counts).
        report: The scan's report: its config, clusters, errors and skipped ids.
        texts: The repaired text of each document the page shows (line numbers refer to it);
            a document missing here (added to an index by an earlier run, or no longer
            readable) is shown without its text, and the page says so.
        out: A text stream; the data is written a document and a match at a time.
        title: The page's title.
    """
    config = report.config
    kinds: dict[str, int] = {}
    for m in collector.matches:
        kinds[m.kind] = kinds.get(m.kind, 0) + 1
    stats = {"documents": collector.documents, "matches": len(collector.matches),
             "kinds": kinds, "clusters": len(report.clusters), "errors": len(report.errors),
             "truncated": collector.truncated, "skipped": len(report.skipped),
             "with_repeats": len(collector.repeats),
             "capped": sum(report.capped.values())}
    head = {"dedup_version": __version__, "config": config.to_dict(), "stats": stats,
            "clusters": [c.to_dict() for c in report.clusters],
            "errors": [e.to_dict() for e in report.errors]}
    out.write(_PAGE_HEAD.replace("{title}", _attr_text(title)))
    out.write('<script type="application/json" id="dedup-data">')
    out.write(script_json(head)[:-1] + ', "documents": {')
    vocabulary: dict[str, int] = {}
    for number, doc_id in enumerate(sorted(collector.wanted())):
        data = _doc_data(texts.get(doc_id), collector.repeats.get(doc_id, ()), config,
                         vocabulary)
        out.write(("," if number else "") + script_json(doc_id) + ":" + script_json(data))
    out.write('}, "matches": [')
    for number, match in enumerate(collector.matches):
        out.write(("," if number else "") + script_json(match.to_dict()))
    out.write("]}</script>\n")
    out.write(_PAGE_TAIL)


def _attr_text(text: str) -> str:
    """Escape text for an HTML text node (the title)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_PAGE_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; }
h1 { font-size: 1.4em; margin: 0 0 .3em; } h2 { font-size: 1.15em; margin: 1.4em 0 .4em; }
.stats { display: flex; flex-wrap: wrap; gap: .6em; margin: .6em 0; }
.stat { background: #f2f4f7; border-radius: 6px; padding: .35em .7em; }
.stat b { font-size: 1.15em; }
table.matches { border-collapse: collapse; width: 100%; }
table.matches th, table.matches td { padding: .3em .5em; border-bottom: 1px solid #e3e6ea;
  text-align: left; vertical-align: top; }
table.matches th { cursor: pointer; user-select: none; background: #f7f8fa; position: sticky;
  top: 0; }
table.matches th[data-dir="asc"]::after { content: " \\25B2"; }
table.matches th[data-dir="desc"]::after { content: " \\25BC"; }
tr.match { cursor: pointer; } tr.match:hover { background: #f5f9ff; }
tr.match.open { background: #eef4ff; }
.kind { font-weight: 600; border-radius: 4px; padding: 0 .4em; }
.kind-exact { background: #fde2e1; } .kind-near_duplicate { background: #fdebd3; }
.kind-partial { background: #fff4c2; } .kind-rewrite { background: #e4f0ff; }
.num { font-variant-numeric: tabular-nums; }
.id { font-family: ui-monospace, monospace; font-size: .92em; overflow-wrap: anywhere; }
.view { padding: .5em 0 1em; }
.pair { width: 100%; border-collapse: collapse; table-layout: fixed; }
.pair td { vertical-align: top; padding: .35em .6em; border-top: 1px solid #e3e6ea;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.pair th { text-align: left; padding: .3em .6em; }
.pair .sim { width: 6em; text-align: center; color: #555; white-space: pre-line; }
.pair tr.aligned td.text { background: #f0f7ee; }
.pair tr.gap td.text { color: #777; }
.ln { color: #999; font-size: .85em; display: block; }
mark { background: #ffe066; padding: 0; }
.repeat { background: #ffd9d9; text-decoration: line-through; text-decoration-color: #c33; }
.repeat-kept { background: #ffeccc; }
.note { color: #8a5a00; }
.controls { margin: .4em 0; display: flex; gap: 1em; align-items: center; }
details { margin: .3em 0; }
.article { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid #e3e6ea;
  padding: .5em; border-radius: 6px; }
.legend span { margin-right: 1em; }
</style>
</head>
<body>
<h1 id="title"></h1>
<div class="stats" id="stats"></div>
<div class="legend"><span><mark>shared word</mark></span>
<span class="repeat">internal repeat, dropped before comparison</span>
<span class="repeat-kept">internal repeat, kept</span></div>
<h2>Matches</h2>
<div class="controls"><label>Kind <select id="kind-filter"><option value="">all</option>
</select></label><label>Id contains <input id="id-filter" type="search"></label>
<span id="shown"></span>
<button id="prev" type="button">previous</button><button id="next" type="button">next</button>
</div>
<table class="matches" id="matches"><thead><tr>
<th data-key="n" class="num">#</th><th data-key="kind">kind</th>
<th data-key="score" class="num">score</th><th data-key="jaccard" class="num">jaccard</th>
<th data-key="containment" class="num">containment a in b / b in a</th>
<th data-key="a">a (seen first)</th><th data-key="b">b</th></tr></thead>
<tbody id="match-rows"></tbody></table>
<h2>Clusters</h2><div id="clusters"></div>
<h2>Internal repeats</h2><div id="repeats"></div>
<h2>Errors</h2><div id="errors"></div>
"""

_PAGE_TAIL = r"""<script>
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("dedup-data").textContent);
  const docs = data.documents;
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const fixed = (x) => (x === null || x === undefined) ? "" : Number(x).toFixed(2);
  const s = data.stats;
  const counted = (n, one, many) => n.toLocaleString("en") + " " + (n === 1 ? one : many);
  document.getElementById("title").textContent =
    "dedup " + data.dedup_version + ": " + counted(s.documents, "document", "documents") +
    ", " + counted(s.matches, "match", "matches");
  const stats = document.getElementById("stats");
  const stat = (value, one, many) => {
    const box = el("span", "stat");
    box.appendChild(el("b", null, value.toLocaleString("en")));
    box.appendChild(document.createTextNode(" " + (value === 1 ? one : many)));
    stats.appendChild(box);
  };
  stat(s.documents, "document", "documents");
  stat(s.matches, "match", "matches");
  Object.keys(s.kinds).sort().forEach((k) => stat(s.kinds[k], k, k));
  stat(s.clusters, "cluster", "clusters");
  stat(s.with_repeats, "with internal repeats", "with internal repeats");
  stat(s.errors, "error", "errors");
  if (s.truncated) stat(s.truncated, "truncated", "truncated");
  if (s.skipped) stat(s.skipped, "skipped (already in the index)",
                      "skipped (already in the index)");
  if (s.capped) stat(s.capped, "lookup of a capped bucket (not followed)",
                     "lookups of capped buckets (not followed)");

  // Matches: rows built once, sorted and filtered by moving them; views built on opening.
  const tbody = document.getElementById("match-rows");
  // A page of rows at a time: 10,000 rows in the DOM make every sort and filter slow.
  const PAGE = 200;
  let first = 0;
  const makeRow = (r) => {
    const m = r.m, i = r.n;
    const tr = el("tr", "match");
    tr.dataset.index = String(i);
    tr.appendChild(el("td", "num", i + 1));
    const kind = el("td");
    kind.appendChild(el("span", "kind kind-" + m.kind, m.kind));
    tr.appendChild(kind);
    tr.appendChild(el("td", "num", fixed(m.score)));
    tr.appendChild(el("td", "num", fixed(m.jaccard)));
    tr.appendChild(el("td", "num", fixed(m.containment.a_in_b) + " / " +
                                    fixed(m.containment.b_in_a)));
    tr.appendChild(el("td", "id", m.a));
    tr.appendChild(el("td", "id", m.b));
    tr.addEventListener("click", () => toggle(r));
    r.tr = tr;
    return tr;
  };
  const rows = data.matches.map((m, i) => ({tr: null, m: m, n: i, view: null}));
  const kinds = Array.from(new Set(data.matches.map((m) => m.kind))).sort();
  const select = document.getElementById("kind-filter");
  kinds.forEach((k) => select.appendChild(el("option", null, k)));
  const keyOf = {
    n: (r) => r.n, kind: (r) => r.m.kind, score: (r) => r.m.score,
    jaccard: (r) => r.m.jaccard, a: (r) => r.m.a, b: (r) => r.m.b,
    containment: (r) => Math.max(r.m.containment.a_in_b, r.m.containment.b_in_a),
  };
  let order = rows.slice();
  const render = () => {
    const kind = select.value;
    const text = document.getElementById("id-filter").value;
    const kept = order.filter((r) => (!kind || r.m.kind === kind) &&
                                     (!text || r.m.a.includes(text) || r.m.b.includes(text)));
    first = Math.max(0, Math.min(first, Math.floor((kept.length - 1) / PAGE) * PAGE));
    const frag = document.createDocumentFragment();
    kept.slice(first, first + PAGE).forEach((r) => {
      frag.appendChild(r.tr || makeRow(r));
      if (r.view && r.tr.classList.contains("open")) frag.appendChild(r.view);
    });
    tbody.replaceChildren(frag);
    document.getElementById("shown").textContent = kept.length ?
      (first + 1) + "-" + Math.min(first + PAGE, kept.length) + " of " + kept.length +
      " matches" + (kept.length < rows.length ? " (of " + rows.length + ")" : "") :
      "no matches shown";
    document.getElementById("prev").disabled = first === 0;
    document.getElementById("next").disabled = first + PAGE >= kept.length;
  };
  document.getElementById("prev").addEventListener("click", () => {
    first -= PAGE;
    render();
  });
  document.getElementById("next").addEventListener("click", () => {
    first += PAGE;
    render();
  });
  document.querySelectorAll("#matches th").forEach((th) => {
    th.addEventListener("click", () => {
      const dir = th.dataset.dir === "desc" ? "asc" : "desc";
      document.querySelectorAll("#matches th").forEach((o) => { delete o.dataset.dir; });
      th.dataset.dir = dir;
      const key = keyOf[th.dataset.key];
      const sign = dir === "asc" ? 1 : -1;
      order = rows.slice().sort((x, y) => {
        const p = key(x), q = key(y);
        return (p < q ? -1 : p > q ? 1 : x.n - y.n) * sign;
      });
      first = 0;
      render();
    });
  });
  const refilter = () => {
    first = 0;
    render();
  };
  select.addEventListener("change", refilter);
  document.getElementById("id-filter").addEventListener("input", refilter);

  // One line of an article: its number, its text with shared words marked.
  const lineNode = (text, number, marks, repeat) => {
    const span = el("span", repeat ? (repeat.dropped ? "repeat" : "repeat-kept") : null);
    if (repeat) span.title = "repeats line " + repeat.first_line;
    let at = 0;
    for (let k = 0; k < marks.length; k += 2) {
      if (marks[k] < at) continue;
      span.appendChild(document.createTextNode(text.slice(at, marks[k])));
      span.appendChild(el("mark", null, text.slice(marks[k], marks[k + 1])));
      at = marks[k + 1];
    }
    span.appendChild(document.createTextNode(text.slice(at)));
    return span;
  };
  // Lines first..last of a document, as nodes; marks are offsets in the lines joined by \n.
  const repeatAt = (doc) => {
    const at = {};
    (doc.repeats || []).forEach((r) => {
      for (let l = r.line; l <= r.end_line; l += 1) at[l] = r;
    });
    return at;
  };
  const block = (lines, first, last, marks, repeats) => {
    const cell = document.createDocumentFragment();
    let offset = 0;
    for (let l = first; l <= last; l += 1) {
      const text = lines[l - 1] === undefined ? "" : lines[l - 1];
      const local = [];
      for (let k = 0; k < marks.length; k += 2) {
        if (marks[k] >= offset && marks[k + 1] <= offset + text.length) {
          local.push(marks[k] - offset, marks[k + 1] - offset);
        }
      }
      if (text.trim()) {
        cell.appendChild(el("span", "ln", "line " + l));
        cell.appendChild(lineNode(text, l, local, repeats[l]));
        cell.appendChild(document.createTextNode("\n"));
      }
      offset += text.length + 1;
    }
    return cell;
  };
  // A document's content words, decoded once: [start, end, stems] (see _word_stems).
  const wordsOf = (doc) => {
    if (!doc.decoded) {
      const flat = doc.words || [];
      const words = [];
      let end = 0;
      for (let k = 0; k < flat.length;) {
        const start = end + flat[k], stop = start + flat[k + 1], n = flat[k + 2];
        words.push([start, stop, flat.slice(k + 3, k + 3 + n)]);
        end = stop;
        k += 3 + n;
      }
      const starts = [0];
      for (let k = 0; k < doc.text.length; k += 1) {
        if (doc.text[k] === "\n") starts.push(k + 1);
      }
      doc.decoded = {words: words, starts: starts};
    }
    return doc.decoded;
  };
  // Words of lines first..last of each side that share a stem with the other side's lines,
  // as offsets from the start of line first (the shared words of an aligned passage).
  const sharedMarks = (da, fa, ta, db, fb, tb) => {
    const range = (doc, f, t) => {
      const w = wordsOf(doc);
      const lo = w.starts[f - 1], hi = t < w.starts.length ? w.starts[t] : Infinity;
      return {lo: lo, words: w.words.filter((x) => x[0] >= lo && x[1] <= hi)};
    };
    const ra = range(da, fa, ta), rb = range(db, fb, tb);
    const stemsA = new Set(), common = new Set();
    ra.words.forEach((x) => x[2].forEach((s) => stemsA.add(s)));
    rb.words.forEach((x) => x[2].forEach((s) => { if (stemsA.has(s)) common.add(s); }));
    const marks = (r) => {
      const out = [];
      r.words.forEach((x) => {
        if (x[2].some((s) => common.has(s))) out.push(x[0] - r.lo, x[1] - r.lo);
      });
      return out;
    };
    return [marks(ra), marks(rb)];
  };
  const missing = (id) => el("span", "note", "The text of " + id + " is not in this " +
    "report: it was added to the index by an earlier run, or its input could not be read " +
    "again.");
  const sideBySide = (m) => {
    const view = el("div", "view");
    const da = docs[m.a] || {}, db = docs[m.b] || {};
    if (typeof da.text !== "string" || typeof db.text !== "string") {
      if (typeof da.text !== "string") view.appendChild(missing(m.a));
      if (typeof db.text !== "string") view.appendChild(missing(m.b));
    }
    const la = typeof da.text === "string" ? da.text.split("\n") : [];
    const lb = typeof db.text === "string" ? db.text.split("\n") : [];
    const ra = repeatAt(da), rb = repeatAt(db);
    const table = el("table", "pair");
    const head = el("tr");
    head.appendChild(el("th", "id", m.a));
    head.appendChild(el("th", "sim", "similarity"));
    head.appendChild(el("th", "id", m.b));
    table.appendChild(head);
    const row = (cls, a, sim, b) => {
      const tr = el("tr", cls);
      const ca = el("td", "text"), cb = el("td", "text");
      ca.appendChild(a);
      cb.appendChild(b);
      tr.appendChild(ca);
      tr.appendChild(el("td", "sim", sim));
      tr.appendChild(cb);
      table.appendChild(tr);
    };
    let na = 1, nb = 1;
    const gap = (lastA, lastB) => {
      const hasA = la.slice(na - 1, lastA).some((t) => t.trim());
      const hasB = lb.slice(nb - 1, lastB).some((t) => t.trim());
      if (hasA || hasB) {
        row("gap", hasA ? block(la, na, lastA, [], ra) : document.createDocumentFragment(), "",
            hasB ? block(lb, nb, lastB, [], rb) : document.createDocumentFragment());
      }
    };
    // Several sentences of one line can align with sentences of one other line: one row
    // for each pair of line ranges, with each sentence pair's similarity.
    const folded = [];
    m.passages.forEach((p) => {
      const last = folded[folded.length - 1];
      if (last && String(last.a_lines) === String(p.a_lines) &&
          String(last.b_lines) === String(p.b_lines)) {
        last.sims.push(fixed(p.similarity));
      } else {
        folded.push({a_lines: p.a_lines, b_lines: p.b_lines, sims: [fixed(p.similarity)]});
      }
    });
    const texts = typeof da.text === "string" && typeof db.text === "string";
    folded.forEach((p) => {
      gap(p.a_lines[0] - 1, p.b_lines[0] - 1);
      const marks = texts ? sharedMarks(da, p.a_lines[0], p.a_lines[1],
                                        db, p.b_lines[0], p.b_lines[1]) : [[], []];
      row("aligned", block(la, p.a_lines[0], p.a_lines[1], marks[0], ra),
          p.sims.join("\n"), block(lb, p.b_lines[0], p.b_lines[1], marks[1], rb));
      na = Math.max(na, p.a_lines[1] + 1);
      nb = Math.max(nb, p.b_lines[1] + 1);
    });
    gap(la.length, lb.length);
    view.appendChild(table);
    return view;
  };
  const toggle = (r) => {
    const tr = r.tr, m = r.m;
    if (tr.classList.toggle("open")) {
      if (!r.view) {
        r.view = el("tr", "view-row");
        const td = el("td");
        td.colSpan = 7;
        td.appendChild(sideBySide(m));
        r.view.appendChild(td);
      }
      tr.after(r.view);
    } else if (r.view) {
      r.view.remove();
    }
  };
  render();

  const clusters = document.getElementById("clusters");
  if (!data.clusters.length) clusters.appendChild(el("p", null, "none"));
  data.clusters.forEach((c, i) => {
    const p = el("p");
    p.appendChild(el("b", null, (i + 1) + ". "));
    c.members.forEach((id, k) => {
      if (k) p.appendChild(document.createTextNode(", "));
      p.appendChild(el("span", "id", id + (id === c.canonical ? " (canonical)" : "")));
    });
    clusters.appendChild(p);
  });

  const repeats = document.getElementById("repeats");
  const withRepeats = Object.keys(docs).filter((id) => docs[id].repeats.length).sort();
  if (!withRepeats.length) repeats.appendChild(el("p", null, "none"));
  withRepeats.forEach((id) => {
    const d = docs[id];
    const det = el("details");
    const sum = el("summary");
    sum.appendChild(el("span", "id", id));
    sum.appendChild(document.createTextNode(": " + d.repeats.map((r) =>
      (r.line === r.end_line ? "line " + r.line : "lines " + r.line + "-" + r.end_line) +
      " repeats line " + r.first_line + (r.exact ? " (exact)" : " (similarity " +
      fixed(r.similarity) + (r.dropped ? ", dropped)" : ", kept)"))).join("; ")));
    det.appendChild(sum);
    det.addEventListener("toggle", () => {
      if (!det.open || det.dataset.built) return;
      det.dataset.built = "1";
      const box = el("div", "article");
      if (typeof d.text === "string") {
        const lines = d.text.split("\n");
        box.appendChild(block(lines, 1, lines.length, [], repeatAt(d)));
      } else {
        box.appendChild(missing(id));
      }
      det.appendChild(box);
    });
    repeats.appendChild(det);
  });

  const errors = document.getElementById("errors");
  if (!data.errors.length) errors.appendChild(el("p", null, "none"));
  data.errors.forEach((e) => {
    errors.appendChild(el("p", null, e.source + (e.line ? ":" + e.line : "") + ": " +
                                     e.message));
  });
  document.body.dataset.ready = "1";
})();
</script>
</body>
</html>
"""
