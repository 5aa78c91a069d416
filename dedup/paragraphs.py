"""Split a text into paragraphs and sentences that remember where they stood.

Reports speak of 1-based lines of the original text, so every piece keeps its character
offsets and the lines it spans. The splitting runs in the Rust core (rust/src/paragraphs.rs,
which states the rules); these functions build the :class:`Span` objects Python sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dedup import _core

__all__ = ["SentenceRow", "Span", "line_starts", "sentence_rows", "split_paragraphs",
           "split_sentences"]


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


def split_paragraphs(text: str) -> list[Span]:
    """Return the paragraphs of ``text``: one a line, or blank-line blocks if hard-wrapped.

    Args:
        text: The original (or repaired) text; offsets refer to it.

    Returns:
        Non-blank paragraphs in order, surrounding whitespace trimmed.

    >>> [(p.line, p.text) for p in split_paragraphs("Title\\n\\nBody one.\\nBody two.\\n")]
    [(1, 'Title'), (3, 'Body one.'), (4, 'Body two.')]
    """
    rows = _core.split_paragraphs(text).tolist()
    return [Span(text[start:end], start, end, line, end_line)
            for start, end, line, end_line in rows]


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
    bounds = np.array([(p.start, p.end, p.line, p.end_line) for p in paragraphs],
                      dtype=np.int64).reshape(-1, 4)
    rows, counts = _core.sentence_rows(text, bounds)
    flat = iter(rows.tolist())
    return [[(text[start:end], start, end, line, end_line)
             for start, end, line, end_line in (next(flat) for _ in range(count))]
            for count in counts.tolist()]


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
