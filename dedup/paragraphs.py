"""Split a text into paragraphs and sentences that remember where they stood.

Reports speak of 1-based lines of the original text, so every piece keeps its character
offsets and the lines it spans.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import regex

__all__ = ["SentenceRow", "Span", "line_starts", "sentence_rows", "split_paragraphs",
           "split_sentences"]

_LINE = regex.compile(r"[^\n]*\n?")
# A sentence ends at . ! ? (or their CJK forms), perhaps followed by closing quotes or
# brackets, where whitespace follows. Abbreviations split too: harmless for comparison.
# The lookbehind and possessive quantifiers make it start only at the head of a run of
# stops and never backtrack into it: a 50 MB line of dots costs linear, not quadratic, time.
_SENTENCE_END = regex.compile(r"(?<![.!?。！？])[.!?。！？]++[\"'”’)\]]*+(?=\s)|[。！？]+")
_FINAL_PUNCT = ('.', '!', '?', ':', '"', '”', "'", '’', ')', '。', '！', '？')


@dataclass(frozen=True, slots=True)
class Span:
    """A paragraph or a sentence: its text and where it stands in the original.

    ``start``/``end`` are character offsets (end exclusive); ``line``/``end_line`` are the
    1-based lines of its first and last character.
    """

    text: str
    start: int
    end: int
    line: int
    end_line: int


def line_starts(text: str) -> list[int]:
    """Return the character offset at which each line starts (line 1 first).

    >>> line_starts("a\\nbc\\n")
    [0, 2, 5]
    """
    starts = [0]
    pos = text.find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset)


def _is_wrapped(lines: list[str]) -> bool:
    """Whether the text is hard-wrapped: paragraphs of several lines separated by blank lines.

    News scraped from HTML has one paragraph a line; text from e-mail or PDFs wraps lines at a
    fixed width and separates paragraphs by blank lines. A line that ends without closing
    punctuation and is followed by another non-blank line marks wrapping.
    """
    stripped = [ln.strip() for ln in lines]
    if "" not in stripped:
        return False
    nonblank = [i for i, s in enumerate(stripped) if s]
    if not nonblank:
        return False
    runs_on = sum(
        1 for i in nonblank
        if i + 1 < len(stripped) and stripped[i + 1] and not stripped[i].endswith(_FINAL_PUNCT)
    )
    return runs_on >= 0.5 * len(nonblank)


def split_paragraphs(text: str) -> list[Span]:
    """Return the paragraphs of ``text``: one a line, or blank-line blocks if hard-wrapped.

    Args:
        text: The original (or repaired) text; offsets refer to it.

    Returns:
        Non-blank paragraphs in order, surrounding whitespace trimmed.

    >>> [(p.line, p.text) for p in split_paragraphs("Title\\n\\nBody one.\\nBody two.\\n")]
    [(1, 'Title'), (3, 'Body one.'), (4, 'Body two.')]
    """
    raw_lines = text.split("\n")
    if not _is_wrapped(raw_lines):
        # One paragraph a line: its line number is known, no search in the line starts.
        spans: list[Span] = []
        start = 0
        for number, line in enumerate(raw_lines, start=1):
            stripped = line.strip()
            if stripped:
                s = start + len(line) - len(line.lstrip())
                spans.append(Span(stripped, s, s + len(stripped), number, number))
            start += len(line) + 1
        return spans
    starts = line_starts(text)
    spans = []
    block_start: int | None = None
    block_end = 0
    for start, line in zip(starts, raw_lines, strict=True):
        if not line.strip():
            if block_start is not None:
                spans.append(_trimmed(text, starts, block_start, block_end))
                block_start = None
            continue
        if block_start is None:
            block_start = start
        block_end = start + len(line)
    if block_start is not None:
        spans.append(_trimmed(text, starts, block_start, block_end))
    return spans


def _trimmed(text: str, starts: list[int], start: int, end: int) -> Span:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    s, e = start + left, start + right
    return Span(text[s:e], s, e, _line_of(starts, s), _line_of(starts, max(s, e - 1)))


#: A sentence as :func:`sentence_rows` gives it: ``(text, start, end, line, end_line)``.
SentenceRow = tuple[str, int, int, int, int]


def sentence_rows(text: str, paragraphs: list[Span]) -> list[list[SentenceRow]]:
    """Return the sentences of each paragraph as plain tuples (the fields of :class:`Span`).

    What :func:`split_sentences` returns, grouped by paragraph and without building a
    :class:`Span` per sentence: :func:`dedup.analyze` reads thousands of them per second.

    Args:
        text: The text the paragraphs were split from.
        paragraphs: Its paragraphs, from :func:`split_paragraphs`.

    Returns:
        One list per paragraph of ``(text, start, end, line, end_line)`` tuples.

    >>> sentence_rows("One. Two!\\nThree", split_paragraphs("One. Two!\\nThree"))
    [[('One.', 0, 4, 1, 1), ('Two!', 5, 9, 1, 1)], [('Three', 10, 15, 2, 2)]]
    """
    starts: list[int] | None = None
    finditer = _SENTENCE_END.finditer
    out: list[list[SentenceRow]] = []
    for para in paragraphs:
        rows: list[SentenceRow] = []
        out.append(rows)
        cursor = para.start
        pieces: list[tuple[int, int]] = []
        for m in finditer(text, para.start, para.end):
            end = m.end()
            if end > cursor:
                pieces.append((cursor, end))
                cursor = end
        tail = text[cursor:para.end]
        if tail.strip():
            pieces.append((cursor, cursor + len(tail.rstrip())))
        # Every piece now ends at a stop, a closing quote or the paragraph's last non-space
        # character: only its head needs trimming.
        if para.line == para.end_line:
            line = para.line
            for start, end in pieces:
                sentence = text[start:end].lstrip()
                rows.append((sentence, end - len(sentence), end, line, line))
            continue
        if starts is None:
            starts = line_starts(text)
        for start, end in pieces:
            sentence = text[start:end].lstrip()
            s = end - len(sentence)
            rows.append((sentence, s, end, bisect_right(starts, s), bisect_right(starts, end - 1)))
    return out


def split_sentences(text: str, paragraphs: list[Span] | None = None) -> list[Span]:
    """Return the sentences of ``text``, never crossing a paragraph boundary.

    Args:
        text: The text the paragraphs were split from.
        paragraphs: Its paragraphs, if already split.

    Returns:
        Sentences in order with offsets and lines in ``text``.

    >>> [s.text for s in split_sentences("He said “no.” Then left! Why?\\nNext line")]
    ['He said “no.”', 'Then left!', 'Why?', 'Next line']
    """
    if paragraphs is None:
        paragraphs = split_paragraphs(text)
    return [Span(*row) for rows in sentence_rows(text, paragraphs) for row in rows]
