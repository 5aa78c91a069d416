"""Split a text into paragraphs and sentences that remember where they stood.

Reports speak of 1-based lines of the original text, so every piece keeps its character
offsets and the lines it spans.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import regex

__all__ = ["Span", "line_starts", "split_paragraphs", "split_sentences"]

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
    starts = line_starts(text)
    wrapped = _is_wrapped(raw_lines)
    spans: list[Span] = []
    block_start: int | None = None
    block_end = 0
    for start, line in zip(starts, raw_lines, strict=True):
        if not line.strip():
            if block_start is not None:
                spans.append(_trimmed(text, starts, block_start, block_end))
                block_start = None
            continue
        if wrapped:
            if block_start is None:
                block_start = start
            block_end = start + len(line)
        else:
            spans.append(_trimmed(text, starts, start, start + len(line)))
    if block_start is not None:
        spans.append(_trimmed(text, starts, block_start, block_end))
    return spans


def _trimmed(text: str, starts: list[int], start: int, end: int) -> Span:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    s, e = start + left, start + right
    return Span(text[s:e], s, e, _line_of(starts, s), _line_of(starts, max(s, e - 1)))


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
    starts = line_starts(text)
    out: list[Span] = []
    for para in paragraphs if paragraphs is not None else split_paragraphs(text):
        cursor = para.start
        for m in _SENTENCE_END.finditer(text, para.start, para.end):
            if m.end() > cursor:
                out.append(_trimmed(text, starts, cursor, m.end()))
                cursor = m.end()
        if text[cursor:para.end].strip():
            out.append(_trimmed(text, starts, cursor, para.end))
    return out
