"""Why two articles match (or do not): the data behind ``dedup explain`` and the HTML report.

People decide whether to trust a duplicate flag by reading the two texts side by side. This
module measures one pair the way a scan does (:func:`dedup.compare`) and keeps what a reader
needs: the aligned passages with their text and the words they share, the kind with the rule
that chose it, and the internal repeats each side dropped before comparison. Formatting is
elsewhere (:func:`dedup.report.write_explanation`, :mod:`dedup.html_report`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import regex

from dedup.config import Config
from dedup.detector import Problem
from dedup.document import _STOPWORDS, Document, Features, analyze
from dedup.errors import InputError
from dedup.io import DEFAULT_MAX_BYTES, read_paths
from dedup.match import Kind, Match, compare
from dedup.normalize import normalize
from dedup.redact import redact
from dedup.repair import repair_count
from dedup.repeats import Repeat, removable
from dedup.shingle import in_sorted
from dedup.store import open_store
from dedup.store.codec import decode_features

__all__ = [
    "AlignedPassage",
    "Explanation",
    "Side",
    "describe_rule",
    "explain",
    "line_text",
    "read_documents",
    "read_pair",
    "read_texts",
    "shared_words",
    "stemmed_words",
]

# A word as a reader sees it: letters and digits, with inner apostrophes, dots and hyphens
# ("Pakistan’s", "U.S", "4.2", "anti-war") kept whole.
_WORD = regex.compile(r"\w+(?:['’.\-]\w+)*")
Marks = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Side:
    """One article of the pair: its repaired text (line numbers refer to it) and the
    internal repeats dropped from it before comparison."""

    id: str
    source: str | None
    text: str
    dropped: tuple[Repeat, ...]

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form."""
        return {"id": self.id, "source": self.source, "text": self.text,
                "dropped_repeats": [r.to_dict() for r in self.dropped]}


@dataclass(frozen=True, slots=True)
class AlignedPassage:
    """Lines of ``a`` aligned with lines of ``b``: their texts, and the words they share.

    ``a_marks`` and ``b_marks`` are ``(start, end)`` character offsets of the shared words
    in ``a_text`` and ``b_text``, for highlighting.
    """

    a_lines: tuple[int, int]
    b_lines: tuple[int, int]
    similarity: float
    a_text: str
    b_text: str
    shared: tuple[str, ...]
    a_marks: Marks
    b_marks: Marks

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form."""
        return {"a_lines": list(self.a_lines), "b_lines": list(self.b_lines),
                "similarity": round(self.similarity, 4), "a_text": self.a_text,
                "b_text": self.b_text, "shared": list(self.shared),
                "a_marks": [list(m) for m in self.a_marks],
                "b_marks": [list(m) for m in self.b_marks]}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything :func:`explain` found about one pair.

    ``match`` is what a scan would report for the pair (``None``: not a match), ``kind`` its
    kind; ``jaccard`` and the containments are measured whether or not they match, ``score``
    only for a match. ``rule`` says in one sentence which rule chose the kind (or why none
    did).
    """

    a: Side
    b: Side
    match: Match | None
    kind: Kind | None
    jaccard: float
    a_in_b: float
    b_in_a: float
    score: float | None
    passages: tuple[AlignedPassage, ...]
    rule: str

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form (``dedup explain --format json``)."""
        return {"a": self.a.to_dict(), "b": self.b.to_dict(), "kind": self.kind,
                "match": self.match is not None, "rule": self.rule,
                "jaccard": round(self.jaccard, 4),
                "containment": {"a_in_b": round(self.a_in_b, 4),
                                "b_in_a": round(self.b_in_a, 4)},
                "score": None if self.score is None else round(self.score, 4),
                "passages": [p.to_dict() for p in self.passages]}


@lru_cache(maxsize=8)
def _stop_stems(stem_chars: int) -> frozenset[str]:
    return frozenset(w[:stem_chars] for w in _STOPWORDS.split())


@lru_cache(maxsize=65536)
def _word_stems(word: str, stem_chars: int) -> tuple[str, ...]:
    """Return the content stems of one word as comparison sees them (function words none)."""
    stop = _stop_stems(stem_chars)
    return tuple(s for s in (t[:stem_chars] for t in normalize(word).split()) if s not in stop)


def stemmed_words(text: str, stem_chars: int) -> list[tuple[int, int, tuple[str, ...]]]:
    """Return each word of ``text``: its start and end offsets and its content stems.

    The stems are what sentence alignment compares (normalized, cut to ``stem_chars``
    characters); a function word has none.

    >>> stemmed_words("The Refugees’ boat", 5)
    [(0, 3, ()), (4, 12, ('refug',)), (14, 18, ('boat',))]
    """
    return [(m.start(), m.end(), _word_stems(m.group(), stem_chars))
            for m in _WORD.finditer(text)]


def shared_words(a_text: str, b_text: str,
                 config: Config | None = None) -> tuple[tuple[str, ...], Marks, Marks]:
    """Return the content words two passages share, and where they are in each.

    Words are compared as sentence alignment compares them: normalized, cut to
    ``config.stem_chars`` characters, function words left out.

    Returns:
        The shared words as they first appear in ``a_text`` (lower case, each once), and the
        ``(start, end)`` offsets of the shared words in ``a_text`` and in ``b_text``.

    >>> words, a_marks, b_marks = shared_words("Refugees crossed the river.",
    ...                                        "The river was crossed by a refugee.")
    >>> words, a_marks, b_marks
    (('refugees', 'crossed', 'river'), ((0, 8), (9, 16), (21, 26)), ((4, 9), (14, 21), (27, 34)))
    """
    stem_chars = (config or Config()).stem_chars
    a_words, b_words = stemmed_words(a_text, stem_chars), stemmed_words(b_text, stem_chars)
    a_stems = {s for _, _, stems in a_words for s in stems}
    b_stems = {s for _, _, stems in b_words for s in stems}
    common = a_stems & b_stems
    words: dict[str, None] = {}
    a_marks = []
    for start, end, stems in a_words:
        if any(s in common for s in stems):
            a_marks.append((start, end))
            words.setdefault(a_text[start:end].lower(), None)
    b_marks = tuple((start, end) for start, end, stems in b_words
                    if any(s in common for s in stems))
    return tuple(words), tuple(a_marks), b_marks


def line_text(lines: list[str], first: int, last: int) -> str:
    """Return lines ``first`` to ``last`` (1-based, inclusive) of ``lines``, joined.

    >>> line_text(["a", "b", "c"], 2, 3)
    'b\\nc'
    """
    return "\n".join(lines[first - 1 : last])


def describe_rule(match: Match | None, config: Config, *, jaccard: float = 0.0,
                  containment: float = 0.0) -> str:
    """Say in one sentence which rule of :func:`dedup.compare` chose the match's kind.

    The one place that puts the verification rules into words, from the match's figures
    and the thresholds of ``config``: when the rules change, this changes with them.

    Args:
        match: The match, or ``None`` when the pair is not one.
        config: The thresholds the pair was measured with.
        jaccard: For ``None``: the pair's word-shingle Jaccard.
        containment: For ``None``: the larger of its two containments.

    >>> from dedup.match import Match
    >>> describe_rule(Match("a", "b", "near_duplicate", 0.8, 0.9, 0.85, 0.9, ()), Config())[:60]
    'near_duplicate: the shingles say one copies the other (Jacca'
    >>> describe_rule(None, Config(), jaccard=0.02, containment=0.05)[:50]
    'no match: Jaccard 0.02 < near_duplicate_threshold '
    """
    c = config
    if match is None:
        return (f"no match: Jaccard {jaccard:.2f} < near_duplicate_threshold "
                f"{c.near_duplicate_threshold:.2f} and containment {containment:.2f} < "
                f"partial_threshold {c.partial_threshold:.2f} (or the sentences did not confirm "
                f"a copy: what was shared was boilerplate, or a template's sentences that "
                f"disagree on their numbers), and too few distinct sentences align in order "
                f"for a rewrite (rewrite_threshold {c.rewrite_threshold:.2f}, min_passages "
                f"{c.min_passages}) or a shared verbatim passage (partial_words {c.partial_words})")
    most = max(match.a_in_b, match.b_in_a)
    shingles = (f"Jaccard {match.jaccard:.2f}, containment {most:.2f} "
                f"(near_duplicate_threshold {c.near_duplicate_threshold:.2f}, partial_threshold "
                f"{c.partial_threshold:.2f})")
    if match.kind == "exact":
        return "exact: the two comparison texts are the same (case, punctuation and spacing aside)"
    copy = (match.jaccard >= c.near_duplicate_threshold or most >= c.partial_threshold)
    if match.kind == "near_duplicate":
        return (f"near_duplicate: the shingles say one copies the other ({shingles}) and "
                f"neither side has more than a fifth of its words in sentences the other lacks, "
                f"header and footer aside")
    if match.kind == "partial" and copy:
        return (f"partial: the shingles say one copies the other ({shingles}) and one side "
                f"carries more than a fifth of its words in sentences the other lacks")
    if match.kind == "partial":
        return (f"partial: the two share a verbatim passage of about {c.partial_words} words "
                f"or more, though too little of either for the other rules ({shingles})")
    return (f"rewrite: {len(match.passages)} passage(s) align in order, each more like its "
            f"counterpart than the rest of the other text, and the score {match.score:.2f} >= "
            f"rewrite_threshold {c.rewrite_threshold:.2f} ({shingles})")


def _document(value: Document | str, default_id: str) -> Document:
    if isinstance(value, Document):
        return value
    if isinstance(value, str):
        return Document(default_id, value)
    raise TypeError(f"expected a dedup.Document or a str (got {type(value).__name__})")


def _side(features: Features, config: Config) -> Side:
    return Side(features.id, features.source, features.text,
                tuple(removable(features.repeats, config.remove_threshold)))


def explain(a: Document | str, b: Document | str, config: Config | None = None) -> Explanation:
    """Measure one pair as a scan would, and return what a reader needs to judge it.

    The pair is measured alone: no index says which sentences are boilerplate (footers that
    many articles share), so against a large index a scan may give a weaker kind or none.

    Args:
        a: The article seen first (a :class:`dedup.Document`, or a text: its id is ``a``).
        b: The other (a text's id is ``b``).
        config: Settings; the defaults if ``None``.

    Returns:
        The explanation: texts, match or ``None``, scores, aligned passages, rule, repeats.

    Raises:
        TypeError: if ``a`` or ``b`` is neither a Document nor a str.

    >>> text = "Officials said the bridge would reopen in May after repairs to its deck."
    >>> e = explain(text, text + " Traffic will be diverted until then, they added.")
    >>> e.kind, e.passages[0].shared[:3]
    ('partial', ('officials', 'bridge', 'reopen'))
    """
    cfg = config or Config()
    fa, fb = analyze(_document(a, "a"), cfg), analyze(_document(b, "b"), cfg)
    shared = int(np.count_nonzero(in_sorted(fb.shingles, fa.shingles)))
    union = len(fa.shingles) + len(fb.shingles) - shared
    jaccard = shared / union if union else 0.0
    a_in_b = shared / len(fa.shingles) if len(fa.shingles) else 0.0
    b_in_a = shared / len(fb.shingles) if len(fb.shingles) else 0.0
    match = compare(fa, fb, cfg)
    lines_a, lines_b = fa.text.split("\n"), fb.text.split("\n")
    passages = []
    for p in match.passages if match is not None else ():
        a_text, b_text = line_text(lines_a, *p.a_lines), line_text(lines_b, *p.b_lines)
        words, a_marks, b_marks = shared_words(a_text, b_text, cfg)
        passages.append(AlignedPassage(p.a_lines, p.b_lines, p.similarity, a_text, b_text,
                                       words, a_marks, b_marks))
    if match is not None:
        jaccard, a_in_b, b_in_a = match.jaccard, match.a_in_b, match.b_in_a
    return Explanation(
        _side(fa, cfg), _side(fb, cfg), match, None if match is None else match.kind,
        jaccard, a_in_b, b_in_a, None if match is None else match.score, tuple(passages),
        describe_rule(match, cfg, jaccard=jaccard, containment=max(a_in_b, b_in_a)))


def read_pair(names: tuple[str, str], paths: list[str] | None = None,
              index: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
              ) -> tuple[Document, Document, Config | None]:
    """Return the two documents ``dedup explain`` names, and the settings to measure them by.

    Args:
        names: Two file names (each one document); or, with ``paths`` or ``index``, two ids.
        paths: Files and folders (as :func:`dedup.io.read_paths` reads them) holding the ids.
        index: An index holding the ids. It keeps no article text, only each document's
            source: a text file, or ``FILE:LINE`` of a JSONL file, is read again, and its
            analysis must give the fingerprint the index holds. The index's settings are
            returned (``None`` otherwise: the defaults).

    Raises:
        InputError: naming the file or id that cannot be read or found, or a source that
            changed since it was indexed.
    """
    if index is not None:
        return _from_index(names, index, max_bytes)
    if paths:
        found = _read_ids(names, paths, max_bytes)
        return found[names[0]], found[names[1]], None
    docs = []
    for name in names:
        problems: list[Problem] = []
        read = list(read_paths([name], problems, max_bytes=max_bytes))
        if problems:
            p = problems[0]
            raise InputError(p.message, source=p.source, line=p.line)
        if len(read) != 1:
            raise InputError(f"holds {len(read)} documents, not one: name two ids and give "
                             "the file with --in", source=name)
        docs.append(read[0])
    return docs[0], docs[1], None


def read_documents(ids: Iterable[str], paths: list[str], *,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Document]:
    """Return the documents with ``ids`` among those ``paths`` hold, read again.

    Reading stops once all are found; ids not found are left out. What cannot be read was
    reported when the paths were first read: it is not reported again.

    >>> read_documents(["nope"], ["no/such/file.txt"])
    {}
    """
    wanted = set(ids)
    found: dict[str, Document] = {}
    if not wanted:
        return found
    for doc in read_paths(paths, [], max_bytes=max_bytes):
        if doc.id in wanted:
            found[doc.id] = doc
            if len(found) == len(wanted):
                break
    return found


def read_texts(ids: Iterable[str], paths: list[str], config: Config | None = None, *,
               max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, str]:
    """Return the repaired texts (as analysis sees them) of the documents with ``ids``.

    For reports that show text after a scan that kept none: the inputs are read again, and
    only the texts asked for are kept. Line numbers of matches and repeats refer to these.
    """
    cfg = config or Config()
    return {doc_id: repair_count(doc.text[: cfg.max_chars])[0]
            for doc_id, doc in read_documents(ids, paths, max_bytes=max_bytes).items()}


def _read_ids(ids: tuple[str, str], paths: list[str], max_bytes: int) -> dict[str, Document]:
    """Return the two documents, or raise naming the ids not found."""
    found = read_documents(ids, paths, max_bytes=max_bytes)
    missing = [i for i in ids if i not in found]
    if missing:
        raise InputError(f"no document with id {', '.join(map(repr, missing))} in "
                         f"{', '.join(paths)}")
    return found


def _from_index(ids: tuple[str, str], location: str,
                max_bytes: int) -> tuple[Document, Document, Config | None]:
    store, config = open_store(location, None)
    try:
        records = store.find(ids)
    finally:
        store.close()
    shown = redact(location)
    docs = []
    for doc_id in ids:
        record = records.get(doc_id)
        if record is None:
            raise InputError(f"no document with id {doc_id!r} in the index {shown}")
        doc = _reread(record.id, record.source, shown, max_bytes)
        stored = decode_features(record.payload, record.id)
        if analyze(doc, config).exact_key != stored.exact_key:
            raise InputError(f"the text of {doc_id!r} at {record.source} is not the text "
                             f"the index {shown} holds (changed since it was added): give "
                             "the input it was added from with --in")
        docs.append(doc)
    return docs[0], docs[1], config


def _reread(doc_id: str, source: str | None, shown: str, max_bytes: int) -> Document:
    """Read a stored document's text again from its source: a file, or FILE:LINE of JSONL."""
    nothing = (f"the index {shown} keeps no article text, only where each came from, and "
               f"{doc_id!r}")
    if not source:
        raise InputError(f"{nothing} has no source: give its input with --in")
    path = source
    if not Path(path).is_file():
        head, _, line = source.rpartition(":")
        if not (line.isdigit() and Path(head).is_file()):
            raise InputError(f"{nothing} came from {source!r}, which is not a file here: "
                             "give its input with --in")
        path = head
    try:
        return _read_ids((doc_id, doc_id), [path], max_bytes)[doc_id]
    except InputError as exc:
        raise InputError(f"{nothing} is no longer in its source {source!r} ({exc}): give its "
                         "input with --in") from None
