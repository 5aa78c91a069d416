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

import re
from collections.abc import Iterator
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
# surrogates, BOM and other invisible format characters), a pattern ftfy's
# heuristic flags around a single character ("Â " or "Ã ", "œ" not followed by
# a letter), or two adjacent mojibake characters, which every other pattern of
# the heuristic needs.  Other lines are skipped: the heuristic costs tens of
# microseconds per line and cannot change them.  Every branch starts with one
# character class so the regex engine can scan for it quickly.
_CONTROL_CHARS: Final = (
    "\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u206a-\u206f\ud800-\udfff\ufeff\ufff9-\ufffc"
)
_NEEDS_FTFY: Final = re.compile(
    f"[{_CONTROL_CHARS}{_MOJIBAKE_CHARS}]"
    f"(?:(?<=[{_CONTROL_CHARS}])|(?<=[\u00c2\u00c3])(?= )|(?<=[\u0152\u0153])(?=[^A-Za-z])"
    f"|(?=[{_MOJIBAKE_CHARS}]))"
)

# Printable ASCII and the whitespace ftfy keeps; any other ASCII character is
# a control character (or the ESC of a terminal escape) that ftfy removes.
_ASCII_KEPT: Final = bytes(range(0x20, 0x7F)) + b"\t\n\r\x0c"

# For _may_need_ftfy: printable ASCII and kept whitespace become spaces, every other ASCII byte
# (a control character) becomes \x01, bytes of non-ASCII characters stay as they are. Split
# on whitespace, the UTF-8 of a text then falls into its runs of adjacent non-ASCII characters,
# with the ASCII controls among them.
_RUN_TABLE: Final = bytes(
    0x20 if byte in _ASCII_KEPT else 0x01 if byte < 0x80 else byte for byte in range(256)
)

# Runs of characters other than printable ASCII: where mojibake, controls and
# surrogates sit, since ftfy leaves the ASCII around them alone.
_NON_ASCII_RUN: Final = re.compile(r"[^\t\n\r\x20-\x7e]+")

# Residue of a stripped sequence: "â" is the first byte of U+2018..U+2026
# (quotes, dashes, ellipsis); its "€" sometimes survives.
_U: Final = "\u00e2\u20ac?"

# Letters a word may contain to count as the English-looking word in front of
# a residue: ASCII letters, digits and Latin-1 letters other than Â/â.  Words
# with Â/â or Romanian/Turkish letters (rămâs, hâlâ) are real words.
_STEM_CHARS: Final = "A-Za-z0-9\u00c0\u00c1\u00c3-\u00d6\u00d8-\u00e1\u00e3-\u00f6\u00f8-\u00ff"
_STEM_WORD: Final = re.compile(f"[{_STEM_CHARS}]+")
# Matched against the reversed text before a residue: finding the word
# ending there by an anchored match is much cheaper than searching for \w+\Z.
_LEADING_WORD: Final = re.compile(r"\w+")
_STEM_WINDOW: Final = 64

# English contractions whose apostrophe is an unambiguous residue: only these
# stems are accepted, so French "donnât" or Vietnamese "tâm" stay untouched.
_CONTRACTIONS: Final[dict[str, tuple[str, ...]]] = {
    suffix: tuple(stems.split())
    for suffix, stems in {
        "t": "ain aren can couldn daren didn doesn don hadn hasn haven isn mightn mustn needn"
        " oughtn shan shouldn wasn weren won wouldn",
        "ll": "he i it she that there they this we what who you",
        "re": "here there these they those we what where who you",
        "ve": "could i might must should they we what who would you",
        "d": "he how i it she that there they we what where who you",
        "m": "i",
    }.items()
}


def _after_stem(stems: tuple[str, ...]) -> str:
    """Build lookbehinds telling that the "â" just read ends one of `stems`.

    Args:
        stems: Lower-case words; each needs its own fixed-width lookbehind.

    Returns:
        A regex fragment matching when one of the stems precedes the "â".
    """
    # The stem starts a word, possibly right after an opening residue ("âIâm").
    return "|".join(f"(?<=(?<![^\\W\u00e2])(?i:{re.escape(stem)})\u00e2)" for stem in stems)


def _residue(before: str, after: str) -> str:
    """Build a rule matching the rest of a residue between two contexts.

    The lookahead comes first because it rejects most real words (château,
    România) more cheaply than the lookbehind.

    Args:
        before: Lookbehind assertions, each ending with the "â" just read.
        after: What must follow the residue (not consumed).

    Returns:
        A regex fragment consuming the optional "€" of the residue.
    """
    return f"(?=\u20ac?(?:{after}))(?:{before})\u20ac?"


_CONTRACTION: Final = "|".join(
    _residue(_after_stem(stems), f"(?i:{suffix})(?!\\w)") for suffix, stems in _CONTRACTIONS.items()
)

_OPENER: Final = "(?<=\\A\u00e2)|(?<=[\\s(\\[{\u2014\u2013/-]\u00e2)"
_STEM_END: Final = f"(?<=[{_STEM_CHARS}]\u00e2)"

# Rules for residues starting with "â", tried in order at each "â"; the
# literal "â" in front lets the regex engine jump between occurrences.
# (name, fragment after the "â", replacement, strong).  Strong rules match
# patterns that no real word produces, so they are themselves evidence of the
# damage; weak ones are applied only to texts showing such evidence.
_A_RULES: Final[tuple[tuple[str, str, str, bool], ...]] = (
    ("dash_range", _residue("(?<=\\d\u00e2)", '"\\d') + '"', "\u2013", True),
    ("dash", '\u20ac?"', "\u2014", True),
    ("ellipsis", "\u20ac?\u00a6", "\u2026", True),
    ("apos_s", _residue(_STEM_END, "[sS](?!\\w)"), "\u2019", True),
    ("apos_contraction", _CONTRACTION, "\u2019", True),
    ("apos_plural", _residue("(?<=[A-Za-z0-9][sS]\u00e2)", "[ \\t]"), "\u2019", True),
    ("close_punct", _residue("(?<=[.,!?;:\u2026]\u00e2)", "\\s|\\Z|[)\\]}]"), "\u201d", True),
    ("open_upper", _residue(_OPENER, "[A-Z0-9]"), "\u201c", True),
    ("close_word", _residue(_STEM_END, "\\s|\\Z|[.,;:!?)\\]}\u2026]"), "\u201d", False),
    ("open_lower", _residue(_OPENER, "[a-z]"), "\u201c", False),
    ("dash_alone", _residue("(?<=[ \\t]\u00e2)", "[ \\t]"), "\u2014", False),
    ("apos_upper", _residue("(?<=[A-Za-z]\u00e2)", "[A-Z][a-z]"), "\u2019", False),
)

# Rules for a stray "Â", the residue of a no-break space (C2 A0), which
# disappears at a word end or on an otherwise blank line (an "&nbsp;"
# paragraph) and becomes a space inside "10Âkm".
_CAP_A_RULES: Final[tuple[tuple[str, str, str, bool], ...]] = (
    ("nbsp_line", "(?=[ \\t\\r]*(?:\\n|\\Z))(?:(?<=\\A\u00c2)|(?<=\\n\u00c2))", "", True),
    (
        "nbsp_end",
        "(?=\\s|\\Z)(?<=[a-z0-9\u00df-\u00f6\u00f8-\u00ff.,;:!?)\\]}\"'%\u2026\u201d\u2019]\u00c2)",
        "",
        True,
    ),
    ("nbsp_join", "(?=[^\\W_])(?<=[a-z0-9\u00df-\u00f6\u00f8-\u00ff]\u00c2)", " ", True),
    ("nbsp_end_upper", "(?=\\s|\\Z)(?<=[A-Z\u00c0-\u00d6\u00d8-\u00de]\u00c2)", "", False),
)

# Rules whose left context must be a whole English-looking word (checked in
# Python, because re has no variable-width lookbehind).
_NEEDS_STEM_WORD: Final = frozenset({"apos_s", "apos_plural", "close_word"})

_RULES: Final = {
    name: (replacement, strong) for name, _, replacement, strong in _A_RULES + _CAP_A_RULES
}


def _alternation(
    lead: str, rules: tuple[tuple[str, str, str, bool], ...], guard: str = ""
) -> re.Pattern[str]:
    """Compile `rules` into one regex starting with the literal `lead`.

    Args:
        lead: The residue character every rule starts with.
        rules: (name, fragment, replacement, strong) tuples, tried in order.
        guard: An assertion after `lead` that cheaply rejects real words.

    Returns:
        The compiled pattern; ``match.lastgroup`` names the rule that matched.
    """
    branches = "|".join(f"(?P<{name}>{fragment})" for name, fragment, _, _ in rules)
    return re.compile(f"{lead}{guard}(?:{branches})")


# Letters after an "â" that some rule can use: contraction endings, or a
# capital (O’Brien, “There).
_RULE_LETTERS: Final = "[sStTdDmM](?!\\w)|(?i:ll|re|ve)(?!\\w)|[A-Z]"

# Most "â" in real text are followed by a letter (château, România, âge)
# where no strong rule applies, or sit between two letters where only the
# contraction rules apply; rejecting them before trying every rule keeps
# Romanian, Portuguese or Vietnamese feeds fast.
_A_STRONG: Final = _alternation(
    "\u00e2",
    tuple(rule for rule in _A_RULES if rule[3]),
    f"(?!(?!{_RULE_LETTERS})[^\\W\\d_])",
)
_A_ANY: Final = _alternation(
    "\u00e2", _A_RULES, f"(?!(?<=[^\\W\\d_]\u00e2)(?!{_RULE_LETTERS})[^\\W\\d_])"
)
_CAP_A_STRONG: Final = _alternation("\u00c2", tuple(rule for rule in _CAP_A_RULES if rule[3]))
_CAP_A_ANY: Final = _alternation("\u00c2", _CAP_A_RULES)

# A quote pair around English words ("âfailureâ."), which real words with
# â at both ends (Turkish "âmâ") do not produce with three or more letters.
_QUOTE_PAIR: Final = re.compile(
    f"\u00e2(?<!\\w\u00e2)\u20ac?[A-Za-z0-9][A-Za-z0-9 ,'-]{{1,80}}?[A-Za-z0-9][.,!?;:]?{_U}(?!\\w)"
)

# Upper bound on ftfy/residue rounds; each round shortens the text or removes
# a residue, so real inputs settle in two or three.
_MAX_ROUNDS: Final = 8


def _count_changes(before: str, after: str) -> int:
    """Count the places where ftfy changed a line.

    A run of non-ASCII or control characters that no longer occurs anywhere
    in the fixed line was repaired; this is linear, unlike a general diff,
    which is quadratic on long lines.

    Args:
        before: A line before ftfy fixed it.
        after: The same line after the fix, different from `before`.

    Returns:
        The number of repaired runs, at least 1.
    """
    # A set, not `in after`: substring search per run was quadratic on long damaged lines.
    survivors = set(_NON_ASCII_RUN.findall(after))
    repaired = sum(1 for run in _NON_ASCII_RUN.findall(before) if run not in survivors)
    return max(repaired, 1)


def _may_need_ftfy(text: str) -> bool:
    """Tell cheaply whether _NEEDS_FTFY may match somewhere in `text`.

    The regex steps through a 4 KB article one character at a time (35 us on the loaded
    test machine); this asks it only about the runs of non-ASCII characters, found by
    C-speed byte operations (14 us there).
    False is exact: _NEEDS_FTFY then finds nothing in `text`. It can only match at a control
    or non-ASCII character, its lookbehinds read only that character, and its lookaheads only
    the next one. Inside a run the next character is the same; after a run it is ASCII (or
    nothing), and the space that follows each run in the probe satisfies every lookahead that
    any ASCII character satisfies (a space, a non-letter; no ASCII is a mojibake character).
    A test checks this against the regex on random texts.

    Args:
        text: Text about to be passed to ftfy.

    Returns:
        False if ftfy would certainly leave every line of `text` unchanged.
    """
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which ftfy replaces
        return True
    probe = b" ".join(encoded.translate(_RUN_TABLE).split())
    if not probe:
        return False
    if b"\x01" in probe:  # an ASCII control character, which ftfy removes
        return True
    return _NEEDS_FTFY.search(probe.decode("utf-8") + " ") is not None


def _fix_with_ftfy(text: str) -> tuple[str, int]:
    """Run ftfy on the lines that it could change, counting its repairs.

    ftfy fixes text line by line anyway, so skipping lines that it would leave
    unchanged gives the same result much faster.

    Args:
        text: The text to fix.

    Returns:
        The fixed text and the number of places ftfy changed.
    """
    if not _may_need_ftfy(text):
        return text, 0
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
    word = _LEADING_WORD.match(text[max(0, pos - _STEM_WINDOW) : pos][::-1])
    if word is None:
        return False
    letters = word.group()[::-1]
    if letters.startswith("\u00e2"):
        letters = letters[1:]
    return _STEM_WORD.fullmatch(letters) is not None


def _residues(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, str, bool]]:
    """Find the residues `pattern` matches whose context checks pass.

    Args:
        text: The text to scan.
        pattern: One of the compiled residue alternations.

    Yields:
        (start, end, replacement, strong) for each residue to repair.
    """
    for found in pattern.finditer(text):
        rule = found.lastgroup or ""
        if rule in _NEEDS_STEM_WORD and not _is_stem_word(text, found.start()):
            continue
        replacement, strong = _RULES[rule]
        yield found.start(), found.end(), replacement, strong


def _shows_damage(text: str) -> bool:
    """Tell whether `text` contains residues that no real word produces.

    Args:
        text: Text already passed through ftfy.

    Returns:
        True if a strong rule applies, a "â€" survived, or an "â…â" quote
        pair surrounds English words.
    """
    for pattern in (_A_STRONG, _CAP_A_STRONG):
        for _ in _residues(text, pattern):
            return True
    return "\u00e2\u20ac" in text or _QUOTE_PAIR.search(text) is not None


def _fix_residues(text: str) -> tuple[str, int]:
    """Repair stripped mojibake residues (lone â, â", Â) from their context.

    Args:
        text: Text already passed through ftfy.

    Returns:
        The repaired text and the number of residues replaced; the text is
        returned unchanged unless it shows evidence of this damage, so clean
        French, Romanian or Turkish text keeps its â and Â.
    """
    if not _shows_damage(text):
        return text, 0
    matches = sorted(
        match for pattern in (_A_ANY, _CAP_A_ANY) for match in _residues(text, pattern)
    )
    pieces: list[str] = []
    done = 0
    for start, end, replacement, _ in matches:
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
    if text.isascii() and not text.encode("ascii").translate(None, _ASCII_KEPT):
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
        if residue_count == 0:
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
