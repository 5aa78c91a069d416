"""Repair broken text encodings (mojibake) in scraped news articles.

Two kinds of damage are handled:

1. Classic mojibake (UTF-8 decoded as Windows-1252/Latin-1 and friends,
   e.g. ``donâ€™t``, ``cafÃ©``), which ftfy repairs.  ftfy is configured so
   that it only undoes damage: curly quotes, ligatures, full-width characters,
   HTML entities, line breaks and Unicode normalisation are left as they are.
2. *Stripped* mojibake that ftfy cannot see: a scraper decoded UTF-8 as
   Windows-1252 and then deleted the non-Latin-1 characters, so ``’`` became
   a lone ``â``, ``—`` became ``â"`` and a no-break space became a lone
   ``Â``.  These residues are repaired from their context, and only when the
   text contains at least one pattern that no real word produces, so clean
   French, Portuguese, Romanian, Turkish, Vietnamese or Welsh text stays
   untouched.

Invisible control characters are removed; in particular NUL bytes are
removed (not replaced by a space), like ftfy's other control characters.
The number of ``\\n`` characters never changes, so line numbers computed on
the original text remain valid.
"""

from __future__ import annotations

import difflib
import re
from typing import Final

import ftfy

__all__ = ["repair", "repair_count"]

# ftfy's defaults minus every fixer that rewrites text which is not damaged:
# typography (curly quotes, ligatures, full-width forms), HTML entities (an
# "&lt;" may be literal, and unescaping is not idempotent), line breaks
# (downstream line numbers refer to the original lines) and NFC (it would
# rewrite legitimate combining sequences).
_FTFY_CONFIG: Final = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    normalization=None,
    explain=False,
)

# Characters that ftfy's mojibake heuristic (ftfy.badness) reasons about:
# Latin-1 to Cyrillic, general punctuation to box drawing and shapes, the
# Apple logo, Latin ligatures and U+FFFD.  A test checks that this covers
# every character in ftfy's heuristic.
_MOJIBAKE_CHARS: Final = "\u0080-\u04ff\u2000-\u2bff\uf8ff\ufb00-\ufb4f\ufffd"

# A line can only be changed by ftfy (with _FTFY_CONFIG) if it contains a
# character some fixer removes or replaces (C0/C1 controls, ANSI escapes,
# surrogates, BOM and other invisible format characters), one of the few
# characters that ftfy's heuristic flags on their own (Â, Ã, Œ, œ), or two
# adjacent non-ASCII characters one of which is a mojibake character.  Lines
# without any of these are skipped, because running ftfy's heuristic on them
# costs tens of microseconds per line and cannot change them.
_NEEDS_FTFY: Final = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u00c2\u00c3\u0152\u0153"
    "\u206a-\u206f\ud800-\udfff\ufeff\ufff9-\ufffc]"
    f"|[{_MOJIBAKE_CHARS}][^\x00-\x7f]|[^\x00-\x7f][{_MOJIBAKE_CHARS}]"
)

# ASCII characters that ftfy removes (controls and the ESC of terminal
# escapes); plain ASCII text without them is returned untouched.
_ASCII_DAMAGE: Final = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")

# ASCII words stay whole so that the diff counts whole repaired sequences.
_DIFF_TOKEN: Final = re.compile(r"[A-Za-z0-9]+|[\s\S]")

# Residue of a stripped sequence: "â" is the first byte of U+2018..U+2026
# (quotes, dashes, ellipsis); its "€" sometimes survives.
_U: Final = "\u00e2\u20ac?"

# Letters a word may contain to count as the English-looking word in front of
# a residue: ASCII letters, digits and Latin-1 letters other than Â/â.  Words
# with Â/â or Romanian/Turkish letters (rămâs, hâlâ) are real words.
_STEM_CHARS: Final = "A-Za-z0-9\u00c0\u00c1\u00c3-\u00d6\u00d8-\u00e1\u00e3-\u00f6\u00f8-\u00ff"
_STEM_WORD: Final = re.compile(f"[{_STEM_CHARS}]+")
_WORD_BEFORE: Final = re.compile(r"\w+\Z")
_STEM_WINDOW: Final = 64

# English contractions whose apostrophe is an unambiguous residue: only these
# stems are accepted, so French "donnât" or Vietnamese "tâm" stay untouched.
_CONTRACTIONS: Final[dict[str, tuple[str, ...]]] = {
    "t": (
        "ain", "aren", "can", "couldn", "daren", "didn", "doesn", "don", "hadn", "hasn",
        "haven", "isn", "mightn", "mustn", "needn", "oughtn", "shan", "shouldn", "wasn",
        "weren", "won", "wouldn",
    ),
    "ll": ("he", "i", "it", "she", "that", "there", "they", "this", "we", "what", "who", "you"),
    "re": ("here", "there", "these", "they", "those", "we", "what", "where", "who", "you"),
    "ve": (
        "could", "i", "might", "must", "should", "they", "we", "what", "who", "would", "you",
    ),
    "d": (
        "he", "how", "i", "it", "she", "that", "there", "they", "we", "what", "where", "who",
        "you",
    ),
    "m": ("i",),
}


def _after_stem(stems: tuple[str, ...]) -> str:
    """Build a lookbehind alternation: the "â" just read ends one of `stems`.

    Args:
        stems: Lower-case words; each needs its own fixed-width lookbehind.

    Returns:
        A regex fragment matching when one of the stems precedes the "â".
    """
    return "|".join(f"(?<=\\b(?i:{re.escape(stem)})\u00e2)" for stem in stems)


_CONTRACTION_BRANCH: Final = "|".join(
    f"(?:{_after_stem(stems)})\u20ac?(?=(?i:{suffix})(?!\\w))"
    for suffix, stems in _CONTRACTIONS.items()
)

_OPENER_BEFORE: Final = r"(?:(?<=\A\u00e2)|(?<=[\s(\[{\u2014\u2013/-]\u00e2))"

# Rules for residues starting with "â", tried in order at each "â".  The
# literal "â" in front lets the regex engine jump between occurrences.  Each
# lookbehind ends with that "â".  (name, fragment after the "â", replacement,
# strong).  Strong rules match patterns no real word produces and are
# themselves evidence of the damage; weak ones apply only to damaged texts.
_A_RULES: Final[tuple[tuple[str, str, str, bool], ...]] = (
    ("dash_range", '(?<=\\d\u00e2)\u20ac?"(?=\\d)', "\u2013", True),
    ("dash", '\u20ac?"', "\u2014", True),
    ("ellipsis", "\u20ac?\u00a6", "\u2026", True),
    ("apos_s", f"(?<=[{_STEM_CHARS}]\u00e2)\u20ac?(?=[sS](?!\\w))", "\u2019", True),
    ("apos_contraction", _CONTRACTION_BRANCH, "\u2019", True),
    ("apos_plural", "(?<=[A-Za-z][sS]\u00e2)\u20ac?(?=[ \t])", "\u2019", True),
    ("close_punct", "(?<=[.,!?;:\u2026]\u00e2)\u20ac?(?=\\s|\\Z|[)\\]}])", "\u201d", True),
    ("open_upper", f"{_OPENER_BEFORE}\u20ac?(?=[A-Z0-9])", "\u201c", True),
    ("close_word", f"(?<=[{_STEM_CHARS}]\u00e2)\u20ac?(?=\\s|\\Z|[.,;:!?)\\]}}\u2026])",
     "\u201d", False),
    ("open_lower", f"{_OPENER_BEFORE}\u20ac?(?=[a-z])", "\u201c", False),
    ("dash_alone", "(?<=[ \t]\u00e2)\u20ac?(?=[ \t])", "\u2014", False),
    ("apos_upper", "(?<=[A-Za-z]\u00e2)\u20ac?(?=[A-Z][a-z])", "\u2019", False),
)

# Rules for a stray "Â", the residue of a no-break space (C2 A0).
_CAP_A_RULES: Final[tuple[tuple[str, str, str, bool], ...]] = (
    ("nbsp_end",
     "(?<=[a-z0-9\u00df-\u00f6\u00f8-\u00ff.,;:!?)\\]}\"'%\u2026\u201d\u2019]\u00c2)(?=\\s|\\Z)",
     "", True),
    ("nbsp_join", "(?<=[a-z0-9\u00df-\u00f6\u00f8-\u00ff]\u00c2)(?=[^\\W_])", " ", True),
    ("nbsp_end_upper", "(?<=[A-Z\u00c0-\u00d6\u00d8-\u00de]\u00c2)(?=\\s|\\Z)", "", False),
)

# Rules whose left context must be a whole English-looking word (checked in
# Python, because re has no variable-width lookbehind).
_NEEDS_STEM_WORD: Final = frozenset({"apos_s", "apos_plural", "close_word"})

_RULES: Final = {name: (replacement, strong) for name, _, replacement, strong in
                 _A_RULES + _CAP_A_RULES}


def _alternation(lead: str, rules: tuple[tuple[str, str, str, bool], ...]) -> re.Pattern[str]:
    """Compile `rules` into one regex starting with the literal `lead`.

    Args:
        lead: The residue character every rule starts with.
        rules: (name, fragment, replacement, strong) tuples, tried in order.

    Returns:
        The compiled pattern; ``match.lastgroup`` names the rule that matched.
    """
    branches = "|".join(f"(?P<{name}>{fragment})" for name, fragment, _, _ in rules)
    return re.compile(f"{lead}(?:{branches})")


_A_RESIDUE: Final = _alternation("\u00e2", _A_RULES)
_CAP_A_RESIDUE: Final = _alternation("\u00c2", _CAP_A_RULES)

# A quote pair around English words ("âfailureâ."), which real words with
# â at both ends (Turkish "âmâ") do not produce with three or more letters.
_QUOTE_PAIR: Final = re.compile(
    f"\u00e2(?<!\\w\u00e2)\u20ac?[A-Za-z0-9][A-Za-z0-9 ,'-]{{1,80}}?[A-Za-z0-9][.,!?;:]?"
    f"{_U}(?!\\w)"
)

# Upper bound on ftfy/residue rounds; each round shortens the text or removes
# a residue, so real inputs settle in two or three.
_MAX_ROUNDS: Final = 8


def _count_changes(before: str, after: str) -> int:
    """Count the separate places where `after` differs from `before`.

    Args:
        before: A line before ftfy fixed it.
        after: The same line after the fix.

    Returns:
        The number of non-equal regions in a token-level diff.
    """
    matcher = difflib.SequenceMatcher(
        None, _DIFF_TOKEN.findall(before), _DIFF_TOKEN.findall(after), autojunk=False
    )
    return sum(1 for tag, *_ in matcher.get_opcodes() if tag != "equal")


def _fix_with_ftfy(text: str) -> tuple[str, int]:
    """Run ftfy on the lines that it could change, counting its repairs.

    ftfy fixes text line by line anyway, so skipping lines that it would leave
    unchanged gives the same result much faster.

    Args:
        text: The text to fix.

    Returns:
        The fixed text and the number of places ftfy changed.
    """
    pieces: list[str] = []
    count = 0
    done = 0
    found = _NEEDS_FTFY.search(text)
    while found is not None:
        start = text.rfind("\n", 0, found.start()) + 1
        end = text.find("\n", found.start()) + 1 or len(text)
        line = text[start:end]
        fixed: str = ftfy.fix_text(line, _FTFY_CONFIG)
        if fixed != line:
            pieces.append(text[done:start])
            pieces.append(fixed)
            done = end
            count += _count_changes(line, fixed)
        found = _NEEDS_FTFY.search(text, end)
    if not pieces:
        return text, 0
    pieces.append(text[done:])
    return "".join(pieces), count


def _is_stem_word(text: str, pos: int) -> bool:
    """Tell whether the word ending at `pos` looks English (see _STEM_CHARS).

    Args:
        text: The whole text.
        pos: Index of the residue that follows the word.

    Returns:
        True if the word before `pos` consists of _STEM_CHARS only, allowing
        an opening residue "â" at its start (as in "âfailureâ").
    """
    word = _WORD_BEFORE.search(text, max(0, pos - _STEM_WINDOW), pos)
    if word is None:
        return False
    letters = word.group()
    if letters.startswith("\u00e2"):
        letters = letters[1:]
    return _STEM_WORD.fullmatch(letters) is not None


def _fix_residues(text: str) -> tuple[str, int]:
    """Repair stripped mojibake residues (lone â, â", Â) from their context.

    Args:
        text: Text already passed through ftfy.

    Returns:
        The repaired text and the number of residues replaced; the text is
        returned unchanged unless it contains evidence of this damage.
    """
    matches: list[tuple[int, int, str]] = []
    evidence = False
    for residue in (_A_RESIDUE, _CAP_A_RESIDUE):
        for found in residue.finditer(text):
            rule = found.lastgroup or ""
            if rule in _NEEDS_STEM_WORD and not _is_stem_word(text, found.start()):
                continue
            replacement, strong = _RULES[rule]
            evidence = evidence or strong
            matches.append((found.start(), found.end(), replacement))
    if not matches:
        return text, 0
    if not evidence and "\u00e2\u20ac" not in text and _QUOTE_PAIR.search(text) is None:
        return text, 0
    matches.sort()
    pieces: list[str] = []
    done = 0
    for start, end, replacement in matches:
        pieces.append(text[done:start])
        pieces.append(replacement)
        done = end
    pieces.append(text[done:])
    return "".join(pieces), len(matches)


def repair_count(text: str) -> tuple[str, int]:
    """Repair broken encodings in `text` and count the repaired places.

    Runs ftfy (restricted to real damage), then repairs the stripped residues
    ftfy cannot see, until nothing changes, so the result is a fixed point.
    Never raises for any ``str``; keeps the number of ``\\n``.

    Args:
        text: Scraped article text, possibly containing mojibake.

    Returns:
        The repaired text and the number of mojibake sequences or artifacts
        fixed (0 if the text needed no repair).

    >>> repair_count("Pakistanâs ISI called it a âfailureâ.")
    ('Pakistan’s ISI called it a “failure”.', 3)
    >>> repair_count("donâ€™t panic")
    ('don’t panic', 1)
    >>> repair_count("Un château en România")
    ('Un château en România', 0)
    """
    if text.isascii() and _ASCII_DAMAGE.search(text) is None:
        return text, 0
    total = 0
    for _ in range(_MAX_ROUNDS):
        fixed, ftfy_count = _fix_with_ftfy(text)
        if "\u00e2" in fixed or "\u00c2" in fixed:
            fixed, residue_count = _fix_residues(fixed)
        else:
            residue_count = 0
        total += ftfy_count + residue_count
        # ftfy alone reaches its own fixed point; only a residue repair can
        # create something ftfy (or another rule) would change next round.
        if residue_count == 0 or fixed == text:
            return fixed, total
        text = fixed
    return text, total


def repair(text: str) -> str:
    """Repair broken encodings in `text` (see :func:`repair_count`).

    Args:
        text: Scraped article text, possibly containing mojibake.

    Returns:
        The repaired text.

    >>> repair("Pakistanâs ISI")
    'Pakistan’s ISI'
    >>> repair("the Haqqani group â\\" one perceived")
    'the Haqqani group — one perceived'
    """
    return repair_count(text)[0]
