"""The comparison form of a text: what two copies of one story have in common.

Casefolded, diacritics and punctuation folded away, whitespace collapsed to single spaces, and
every character of scripts written without spaces (Chinese, Japanese, Thai...) made a word of
its own, so that word shingles still work on them.
"""

from __future__ import annotations

import unicodedata

import regex

__all__ = ["folded_bytes", "normalize"]

# Apostrophes join: "don't" and "dont" (a copy that lost its quote) compare equal.
_APOSTROPHES = regex.compile(r"['’ʼ‘`´]")
_MARKS = regex.compile(r"\p{Mn}+")
_UNSPACED = regex.compile(
    r"([\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}])"
)
# Anything that is not a letter or a digit separates words.
_SEPARATORS = regex.compile(r"[^\p{L}\p{N}]+")

# The same rules for ASCII, as one byte table (upper case to lower, apostrophes deleted,
# every other non-alphanumeric byte to a space): ``bytes.translate`` runs them at memory speed,
# where the regexes above cost ~10x more per character (see docs/performance.md).
_ASCII_FOLD = bytes(
    c + 32 if 0x41 <= c <= 0x5A else c if (0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A) else 0x20
    for c in range(256)
)
_ASCII_DELETE = b"'`"
_SPACE_RUNS = regex.compile(rb"  +")
# Non-ASCII characters common in English news that are separators or apostrophes. Replacing
# them before the ASCII table gives the regex result exactly: each is classified below by the
# very regexes of the general path, so the two paths cannot disagree.
_COMMON_PUNCT = "’‘ʼ“”„‚«»‹›—–‐‑‒―•·°€£¥©®″′¡¿§¶†‡"
_COMMON_REPLACEMENTS = tuple(
    (ch, "" if _APOSTROPHES.fullmatch(ch) else " ")
    for ch in _COMMON_PUNCT
    if _APOSTROPHES.fullmatch(ch) or _SEPARATORS.fullmatch(ch)
)

# Those of them that NFKD and casefold leave as they are can be replaced before either: both
# work a character at a time on them, so English text with curly quotes skips both (~50 us of
# a 4 KB article).
_EARLY_REPLACEMENTS = tuple(
    (ch, replacement)
    for ch, replacement in _COMMON_REPLACEMENTS
    if unicodedata.normalize("NFKD", ch) == ch and ch.casefold() == ch
)


def _replace_common(text: str, replacements: tuple[tuple[str, str], ...]) -> str:
    for char, replacement in replacements:
        if char in text:
            text = text.replace(char, replacement)
    return text


def _fold_ascii(text: str) -> str:
    folded = text.encode("ascii").translate(_ASCII_FOLD, _ASCII_DELETE)
    return _SPACE_RUNS.sub(b" ", folded).strip(b" ").decode("ascii")


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
    if not text.isascii():
        text = _replace_common(text, _EARLY_REPLACEMENTS)
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()
        text = _replace_common(text, _COMMON_REPLACEMENTS)
        if not text.isascii():
            return None
    return text.encode("ascii").translate(_ASCII_FOLD, _ASCII_DELETE)


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
        return _fold_ascii(text)
    text = _replace_common(text, _EARLY_REPLACEMENTS)
    if text.isascii():
        return _fold_ascii(text)
    folded = _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()
    folded = _replace_common(folded, _COMMON_REPLACEMENTS)
    if folded.isascii():
        return _fold_ascii(folded)
    folded = _UNSPACED.sub(r" \1 ", folded)
    folded = _APOSTROPHES.sub("", folded)
    return " ".join(_SEPARATORS.sub(" ", folded).split())
