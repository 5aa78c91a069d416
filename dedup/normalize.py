"""The comparison form of a text: what two copies of one story have in common.

Casefolded, diacritics and punctuation folded away, whitespace collapsed to single spaces, and
every character of scripts written without spaces (Chinese, Japanese, Thai...) made a word of
its own, so that word shingles still work on them. The folding runs in the Rust core
(rust/src/normalize.rs, which lists its steps); these functions are its typed Python face.
"""

from __future__ import annotations

from dedup import _core

__all__ = ["folded_bytes", "normalize"]


def folded_bytes(text: str) -> bytes | None:
    """Return the comparison form of ``text`` before spaces are collapsed, if it is ASCII.

    The words of the result, split on runs of spaces, are exactly the words of
    ``normalize(text)``; shingling straight from it skips building that string (see
    :func:`dedup.shingle.token_hashes_of_bytes`). ``None`` when the text needs the general
    Unicode path.

    >>> folded_bytes("Don't PANIC!")
    b'dont panic '
    >>> folded_bytes("東京") is None
    True
    """
    return _core.folded_bytes(text)


def normalize(text: str) -> str:
    """Return the comparison form of ``text``: lower case, no accents, single spaces.

    Args:
        text: Any text, best already repaired (lone surrogates read as spaces).

    Returns:
        Words separated by single spaces, with no leading or trailing space.

    >>> normalize("  The “Café” — isn't   it?  ")
    'the cafe isnt it'
    >>> normalize("新闻报道")
    '新 闻 报 道'
    """
    return _core.normalize(text)
