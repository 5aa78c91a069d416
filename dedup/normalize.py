"""The comparison form of a text: what two copies of one story have in common.

Casefolded, diacritics and punctuation folded away, whitespace collapsed to single spaces, and
every character of scripts written without spaces (Chinese, Japanese, Thai...) made a word of
its own, so that word shingles still work on them.
"""

from __future__ import annotations

import unicodedata

import regex

__all__ = ["normalize"]

# Apostrophes join: "don't" and "dont" (a copy that lost its quote) compare equal.
_APOSTROPHES = regex.compile(r"['’ʼ‘`´]")
_MARKS = regex.compile(r"\p{Mn}+")
_UNSPACED = regex.compile(
    r"([\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}])"
)
# Anything that is not a letter or a digit separates words.
_SEPARATORS = regex.compile(r"[^\p{L}\p{N}]+")


def normalize(text: str) -> str:
    """Return the comparison form of ``text``: lower case, no accents, single spaces.

    Args:
        text: Any text, best already repaired.

    Returns:
        Words separated by single spaces, with no leading or trailing space.

    >>> normalize("  The “Café” — isn't   it?  ")
    'the cafe isnt it'
    >>> normalize("新闻报道")
    '新 闻 报 道'
    """
    if text.isascii():
        folded = text.lower()
    else:
        folded = _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()
        folded = _UNSPACED.sub(r" \1 ", folded)
    folded = _APOSTROPHES.sub("", folded)
    return " ".join(_SEPARATORS.sub(" ", folded).split())
